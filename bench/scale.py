"""A realistic, reproducible sales organisation written as an org-chart CSV.

Five tiers for the default depth: the CSO, area VPs (executives may report to executives),
regional leaders, front-line managers, reps. Team sizes vary the way they do in real
organisations (4 to 12 reps per manager), so both a ~2,000-person VP area and a 5-person
team exist for the benchmarks. Rows are shuffled: the import must cope with reports listed
before their managers.

    python -m bench.scale --size 10000 --out org.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import unicodedata
from dataclasses import dataclass

from lms.people.csv_io import COLUMNS

DOMAIN = "scale.example"
FIRST = ("Dana", "Marco", "Priya", "Jonas", "Aisha", "Tom", "Lena", "Omar", "Grace", "Kenji",
         "Sofia", "Liam", "Nadia", "Ravi", "Elena", "Chris", "Maya", "Diego", "Hannah", "Yusuf",
         "Chloe", "Ben", "Ines", "Kwame", "Zoe", "Ahmed", "Freya", "Luca", "Mei", "Tariq")
LAST = ("Reyes", "Lindqvist", "Patel", "Becker", "Okafor", "Nguyen", "Costa", "Haddad",
        "Murphy", "Tanaka", "Rossi", "Walsh", "Karimi", "Iyer", "Novak", "Brennan", "Silva",
        "Moreau", "Schmidt", "Yilmaz", "O'Neill", "García", "Kowalski", "Dubois")
# Top to bottom; depth 5 puts a tier of VPs (executive level) between the CSO and leaders.
TIERS = {
    5: ("executive", "executive", "leader", "manager", "rep"),
    4: ("executive", "leader", "manager", "rep"),
    3: ("executive", "manager", "rep"),
}
TITLES = {0: "Chief Sales Officer", "executive": "VP Sales, Area {n}",
          "leader": "Regional Director, Region {n}", "manager": "Sales Manager, Team {n}",
          "rep": "Account Executive"}
MIN_TEAM, MAX_TEAM = 4, 12


@dataclass
class Person:
    email: str
    name: str
    title: str
    level: str
    manager: Person | None
    roles: str = ""

    def as_row(self) -> dict[str, str]:
        return {"email": self.email, "name": self.name, "title": self.title,
                "level": self.level, "manager_email": self.manager.email if self.manager else "",
                "roles": self.roles}


def _tier_sizes(size: int, depth: int) -> list[int]:
    """People per tier: about 11% managers, 1% leaders, one VP per ~2,000 people."""
    if depth not in TIERS:
        raise ValueError(f"depth must be one of {sorted(TIERS)}")
    middle = {5: [max(1, round(size / 2000)), max(1, round(size / 100))],
              4: [max(1, round(size / 100))], 3: []}[depth]
    managers = max(middle[-1] if middle else 1, round(size * 0.11))
    reps = size - 1 - sum(middle) - managers
    if reps < managers * MIN_TEAM:
        raise ValueError(f"{size} people is too small for depth {depth}")
    return [1, *middle, managers, reps]


def _team_sizes(managers: int, reps: int) -> list[int]:
    """Spread ``reps`` over managers, 4 to 12 each, in a repeatable uneven pattern."""
    sizes = [MIN_TEAM + (i * 7) % (MAX_TEAM - MIN_TEAM + 1) for i in range(managers)]
    i = 0
    while sum(sizes) != reps:  # nudge one team at a time towards the exact total
        step = 1 if sum(sizes) < reps else -1
        if MIN_TEAM <= sizes[i % managers] + step <= MAX_TEAM * 3:
            sizes[i % managers] += step
        i += 1
    return sizes


def generate(size: int = 10_000, depth: int = 5) -> list[Person]:
    """Return ``size`` people in a tree ``depth`` tiers deep, top tier first."""
    levels = TIERS[depth]
    counts = _tier_sizes(size, depth)
    number = 0

    def new(level: str, title: str, manager: Person | None) -> Person:
        nonlocal number
        first, last = FIRST[number % len(FIRST)], LAST[(number * 7) % len(LAST)]
        local = unicodedata.normalize("NFKD", f"{first}.{last}.{number}")
        email = f"{local.encode('ascii', 'ignore').decode().replace(chr(39), '')}@{DOMAIN}"
        email = email.lower()
        number += 1
        return Person(email, f"{first} {last}", title, level, manager)

    tiers: list[list[Person]] = [[new("executive", TITLES[0], None)]]
    for tier, level in enumerate(levels[1:], start=1):
        parents = tiers[-1]
        if level == "rep":
            people = [new(level, TITLES[level], manager)
                      for manager, team in zip(parents, _team_sizes(len(parents), counts[tier]),
                                               strict=True)
                      for _ in range(team)]
        else:
            # Contiguous blocks keep each parent's children together, as real areas are.
            per_parent = counts[tier] / len(parents)
            people = [new(level, TITLES[level].format(n=n + 1), parents[int(n / per_parent)])
                      for n in range(counts[tier])]
        tiers.append(people)
    everyone = [person for tier in tiers for person in tier]
    for n, person in enumerate(everyone):  # a few facilitators and admins, as in real life
        if person.level == "manager" and n % 25 == 0:
            person.roles = "facilitator"
        elif person.level == "leader" and n % 40 == 0:
            person.roles = "admin;facilitator"
    return everyone


def to_csv(people: list[Person], *, seed: int = 2026) -> bytes:
    """Write ``people`` as org-chart CSV, rows shuffled so reports often precede managers."""
    rows = [person.as_row() for person in people]
    random.Random(seed).shuffle(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def subtree_sizes(people: list[Person]) -> dict[str, int]:
    """Return ``{email: people under them}`` (not counting themselves)."""
    sizes = dict.fromkeys((person.email for person in people), 0)
    for person in people:
        boss = person.manager
        while boss is not None:
            sizes[boss.email] += 1
            boss = boss.manager
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--depth", type=int, default=5, choices=sorted(TIERS))
    parser.add_argument("--out", type=argparse.FileType("wb"), default=sys.stdout.buffer)
    args = parser.parse_args(argv)
    args.out.write(to_csv(generate(args.size, args.depth)))


if __name__ == "__main__":
    main()
