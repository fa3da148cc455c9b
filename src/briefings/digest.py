"""A build in a few plain lines, for its readers: the bottom line and what changed.

The scheduler's notifications and the Atom feed need the briefing's bottom line as text,
without opening the HTML. The build records it in its manifest (`Digest`), taken from the
same section the notebook shows, rendered and reduced to its text: so the wording stays
whatever the bottom-line code writes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from .buildfolder import Digest

if TYPE_CHECKING:  # the dataset and the briefing: only a build needs them, not the index
    from .dataset import Dataset
    from .params import Parameters

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def build_digest(params: Parameters, dataset: Dataset) -> Digest:
    """The bottom line's paragraphs as plain text and, for a scheduled build, whether
    anything changed (a first build counts as a change) and a summary. Both come from the
    object the notebook calls, as the briefing shows them."""
    from .briefing import Briefing
    from .changes import changes_summary

    briefing = Briefing.of(params, dataset)
    bottom_line = tuple(text_blocks(briefing.bottom_line().data))
    if params.previous_states is None:
        return Digest(bottom_line)
    found = briefing.changes_found()
    return Digest(bottom_line, found is None or not found.nothing, changes_summary(found))


def first_sentence(digest: Digest) -> str:
    """The first sentence of a recorded bottom line ('' when there is none)."""
    if not digest.bottom_line:
        return ""
    return _SENTENCE_END.split(digest.bottom_line[0].strip(), maxsplit=1)[0]


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
