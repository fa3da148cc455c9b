"""Control characters: refused in what a user writes, kept out of what the tool writes.

A vertical tab (Word's manual line break), a form feed or a stray U+0001 pasted into a
label is invisible in an editor, but XML may not hold it: one such character in a title
makes the Atom feed, the SVG chart and the PDF's markup unreadable. Inputs are checked
here when they are read (every CSV cell, every YAML value), and the writers of XML and
mail headers pass their text through `printable` as well, for text that came from
elsewhere (a manifest restored from a cache, a parameter).
"""

from __future__ import annotations

import re

# Every C0 and C1 control character except tab, line feed and carriage return, and
# delete; with the two non-characters XML also excludes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_NAMES = {
    "\x00": "a NUL byte",
    "\x0b": "a vertical tab (Word writes one for a manual line break)",
    "\x0c": "a form feed",
    "\x1b": "an escape",
    "\x7f": "a delete",
}
_BREAKS = re.compile(r"[\t\r\n]+")


def control_character(text: str) -> str | None:
    """What the first control character in `text` is, for a message; None when it has none."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    name = _NAMES.get(char, "a control character")
    return f"U+{ord(char):04X}, {name}"


def control_problem(text: str) -> str | None:
    """The message for text holding a control character; None when it holds none."""
    what = control_character(text)
    if what is None:
        return None
    return f"holds an invisible control character ({what}); delete it and retype the text"


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` without control characters (a vertical tab or form feed becomes a space),
    and with `one_line` its breaks and tabs made spaces too (a mail header, a title)."""
    text = _CONTROL.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)
    return _BREAKS.sub(" ", text) if one_line else text
