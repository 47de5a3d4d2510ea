"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

MAX_LENGTH = 256


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> tuple[bool, bool]:
    """Check ``password`` against ``stored``; return ``(matches, needs_rehash)``.

    Hashes made by Werkzeug (scrypt, pbkdf2) from earlier set-ups still verify and are
    flagged for an upgrade to argon2id.
    """
    if not stored:
        return False, False
    if not stored.startswith("$argon2"):
        return check_password_hash(stored, password), True
    hasher = _hasher()
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, hasher.check_needs_rehash(stored)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("lms.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Return why ``password`` is unacceptable (empty when it is fine).

    Length and a list of known common passwords, no composition rules (NIST SP 800-63B).
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(f"Use at least {minimum} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.strip().lower()
    if lowered in common_passwords():
        problems.append("This password is too common; choose another.")
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (name and name.lower() == lowered):
        problems.append("Do not use your name or email in the password.")
    if len(set(password)) < 4 and len(password) >= minimum:
        problems.append("Avoid repeating the same few characters.")
    return problems
