"""Keep the ``next`` redirect on this site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """Return ``target`` if it is a plain path on this site, else ``default``.

    Browsers treat ``//host``, ``/\\host`` and ``https:host`` as other sites, and some
    decode ``%2F`` and ``%5C`` before deciding, so each form is checked decoded too.
    """
    if not target:
        return default
    for candidate in (target, unquote(target), unquote(unquote(target))):
        if any(ord(ch) < 32 or ch == "\\" for ch in candidate):
            return default
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return default
    return target
