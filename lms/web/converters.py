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


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to ``1..2147483647`` unless the rule sets its own bounds."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, ID_MIN if min is None else min,
                         ID_MAX if max is None else max, signed)


def openapi_schema(converter: BoundedIntConverter) -> dict:
    """The OpenAPI schema of a path parameter matched by ``converter``."""
    return {"type": "integer", "minimum": converter.min, "maximum": converter.max}


def install(app: Flask) -> None:
    """Replace ``int`` on ``app``'s URL map (rules added earlier keep the old converter)."""
    app.url_map.converters["int"] = BoundedIntConverter
