"""A build in a few plain lines, for its readers: the bottom line and what changed.

The scheduler's notifications and the Atom feed need the briefing's bottom line as text,
without opening the HTML. The build records it in its manifest (`digest`), taken from the
same section the notebook shows, rendered and reduced to its text: so the wording stays
whatever the bottom-line code writes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the dataset and the briefing: only a build needs them, not the index
    from .dataset import Dataset
    from .params import Parameters

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def build_digest(params: Parameters, dataset: Dataset) -> dict:
    """`bottom_line` (its paragraphs as plain text) and, for a scheduled build,
    `changes_since`: `changed` (anything at all, or a first build) and a `summary`. Both
    come from the object the notebook calls, as the briefing shows them."""
    from .briefing import Briefing
    from .changes import changes_since, changes_summary

    briefing = Briefing.of(params, dataset)
    digest: dict = {"bottom_line": text_blocks(briefing.bottom_line().data)}
    if params.previous_states is not None:
        found = changes_since(params.previous_states, briefing.table, dataset, params)
        digest["changes_since"] = {
            "changed": found is None or not found.nothing,
            "summary": changes_summary(found),
        }
    return digest


def first_sentence(digest: object) -> str:
    """The first sentence of a recorded bottom line ('' when there is none)."""
    blocks = digest.get("bottom_line") if isinstance(digest, dict) else None
    if not isinstance(blocks, list) or not blocks or not isinstance(blocks[0], str):
        return ""
    return _SENTENCE_END.split(blocks[0].strip(), maxsplit=1)[0]


def text_blocks(html: str) -> list[str]:
    """The text of each paragraph and list item of an HTML fragment, spaces collapsed."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return [block for block in (" ".join(b.split()) for b in parser.blocks) if block]


class _Blocks(HTMLParser):
    _BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "div", "section", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag) -> None:
        if tag in self._BLOCKS:
            self.blocks.append("")

    def handle_data(self, data) -> None:
        self.blocks[-1] += data
