"""Reading JSON whose nesting is bounded before it is parsed.

Python's JSON parser recurses once per level: a file of 100,000 `[` (a status file or a
manifest restored from a cache, a notebook) raises RecursionError, which no caller expects
from reading a file. The depth is measured first, on the brackets outside strings.
"""

from __future__ import annotations

import json
import re

from briefings.exceptions import Problem, ProblemsError

# The tool's own files nest a few levels; a notebook's outputs perhaps a few dozen.
MAX_JSON_DEPTH = 100
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def load_json(text: str, name: str, *, limit: int = MAX_JSON_DEPTH) -> object:
    """The value of a JSON text; ProblemsError (one line) when it nests deeper than
    `limit`, ValueError when it is not JSON."""
    check_json_depth(text, name, limit=limit)
    return json.loads(text)


def check_json_depth(text: str, name: str, *, limit: int = MAX_JSON_DEPTH) -> None:
    """ProblemsError, one line, when the JSON text nests deeper than `limit`."""
    if text.count("[") + text.count("{") <= limit:
        return  # the common case for a small file, without a scan
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > limit:
            raise ProblemsError(
                [
                    Problem(
                        name,
                        f"is JSON nested more than {limit} levels deep; no file of its kind is",
                    )
                ]
            )
