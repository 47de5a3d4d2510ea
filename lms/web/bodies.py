"""JSON request bodies nested past any sensible depth are refused before a view sees them.

Python's JSON parser recurses once per level: a body of 100,000 ``[`` raised
``RecursionError`` inside whichever code parsed it (webargs, a view, an importer) and the
request failed with a 500. No Cadence document nests more than a few levels.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, abort, request

MAX_DEPTH = 64
TOO_DEEP = f"The JSON is nested too deeply: at most {MAX_DEPTH} levels."


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Say whether ``value`` nests lists and objects more than ``limit`` levels deep."""
    stack = [(value, 1)]
    while stack:  # a loop, not recursion: the point is to survive any depth
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises ``ValueError(TOO_DEEP)`` for a document nested too deeply."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    if too_deep(value):
        raise ValueError(TOO_DEEP)
    return value


def _refuse_deep_json() -> None:
    if not request.is_json:
        return
    try:
        loads(request.get_data(cache=True))
    except ValueError as error:
        if str(error) == TOO_DEEP:
            abort(400, description=TOO_DEEP)
        # Anything else unreadable is left to the view's parser and its usual answer.


def init_app(app: Flask) -> None:
    app.before_request(_refuse_deep_json)
