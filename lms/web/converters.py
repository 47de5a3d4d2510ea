"""A bounded integer URL converter, installed as ``int`` so every route gets it.

Werkzeug's ``int`` accepts any run of digits: ``/people/99999999999999999999999`` reached
the database as an integer PostgreSQL's ``integer`` columns (and SQLite's driver) cannot
hold, and the request failed with a 500. Every id in Cadence is a positive 32-bit integer,
so anything outside that range cannot name a row: the URL simply does not match (404).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

ID_MIN = 1
ID_MAX = 2**31 - 1  # PostgreSQL's ``integer``, the type of every id column
# Exactly the numbers 1..2147483647 (leading zeros allowed, as ``\d+`` allowed them). Werkzeug
# checks a rule's methods before its converters, so a number that only ``to_python`` refused
# made ``DELETE /banks/2147483648`` a 405 (the GET and PATCH rules of that path "matched");
# refused by the pattern itself, no rule matches and the answer is 404 for every method.
ID_REGEX = ("0*(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
            "|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
            "|21474836[0-3][0-9]|214748364[0-7])")


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to ``1..2147483647`` unless the rule sets its own bounds."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, ID_MIN if min is None else min,
                         ID_MAX if max is None else max, signed)
        if (self.min, self.max, fixed_digits, signed) == (ID_MIN, ID_MAX, 0, False):
            self.regex = ID_REGEX


def openapi_schema(converter: BoundedIntConverter) -> dict:
    """The OpenAPI schema of a path parameter matched by ``converter``."""
    return {"type": "integer", "minimum": converter.min, "maximum": converter.max}


def install(app: Flask) -> None:
    """Replace ``int`` on ``app``'s URL map (rules added earlier keep the old converter)."""
    app.url_map.converters["int"] = BoundedIntConverter
