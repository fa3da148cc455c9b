"""A build in a few plain lines, for its readers: the bottom line and what changed.

The scheduler's notifications and the Atom feed need the briefing's bottom line as text,
without opening the HTML. The build records it in its manifest (`Digest`), taken from the
same section the notebook shows, rendered and reduced to its text: so the wording stays
whatever the bottom-line code writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the dataset and the briefing: only a build needs them, not the index
    import pandas as pd

    from briefings.data.dataset import Dataset
    from briefings.data.params import Parameters
    from briefings.report.changes import Changes

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


@dataclass(frozen=True)
class Digest:
    """A build in plain text for its readers: the bottom line's paragraphs and, for a
    scheduled build, whether anything changed since the previous one and a summary."""

    bottom_line: tuple[str, ...] = ()
    changed: bool | None = None  # None: not a scheduled build, so not compared
    changes: str = ""  # what changed, in one sentence (changes.changes_summary)


def build_digest(params: Parameters, dataset: Dataset) -> Digest:
    """The bottom line's paragraphs as plain text and, for a scheduled build, whether
    anything changed (a first build counts as a change) and a summary. Both come from the
    functions the notebook's `Briefing` calls, as the briefing shows them (not through
    `Briefing` itself: its chart would load matplotlib, 27 MB, into the build process while
    the kernel holds its own)."""
    from briefings.report.bottomline import bottom_line
    from briefings.report.changes import changes_summary
    from briefings.report.claims import View
    from briefings.report.markup import render_data

    view = View.of(dataset, params)
    section = bottom_line(view)
    text = tuple(text_blocks(render_data(section)))
    if params.previous_states is None:
        return Digest(text)
    found = changes_found(params, view.table, dataset)
    return Digest(text, found is None or not found.nothing, changes_summary(found))


def changes_found(params: Parameters, table: pd.DataFrame, dataset: Dataset) -> Changes | None:
    """The state table compared with the previous build's, which `previous_states` names;
    None when there is none (a first build)."""
    from briefings.data.previous_build import read_previous
    from briefings.report.changes import compare

    previous = read_previous(params.previous_states)
    return None if previous is None else compare(previous, table, dataset, params)


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
