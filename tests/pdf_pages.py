"""A built PDF read as a reader sees it: pdftotext per page in reading order (-raw: no line
of a table merged with the next, no hyphen dropped), running head
and foot set apart, words hyphenated at line ends joined."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conftest import require_program

SOFT_HYPHEN = "\u00ad"  # what Typst's hyphenation puts at a line end
ZERO_WIDTH_SPACE = "\u200b"  # a break opportunity in a long run of text


@dataclass(frozen=True)
class Page:
    """One page: its body lines, and the lines of its running head and foot."""

    number: int
    head: tuple[str, ...]
    body: tuple[str, ...]
    foot: tuple[str, ...]

    @property
    def text(self) -> str:
        """The whole page as one line of text (see joined)."""
        return joined("\n".join((*self.head, *self.body, *self.foot)))


def pdf_pages(path: Path, *, marking: str, title: str) -> list[Page]:
    """The PDF's pages; the lines of the running head (marking, title) and foot (marking,
    'Page N of M') are told apart from the body."""
    pdftotext = require_program("pdftotext")
    text = subprocess.run(
        [pdftotext, "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    pages = []
    for number, page in enumerate(text.split("\f")[:-1], 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        foot_at = len(lines)
        while foot_at and _foot(lines[foot_at - 1], marking):
            foot_at -= 1
        body, foot = lines[:foot_at], lines[foot_at:]
        head: list[str] = []
        if body[:2] == [marking, title]:
            head, body = body[:2], body[2:]
        pages.append(Page(number, tuple(head), tuple(body), tuple(foot)))
    return pages


def _foot(line: str, marking: str) -> bool:
    """A line of the running foot: the marking, the page number, or both."""
    return re.fullmatch(rf"({re.escape(marking)})? ?(Page \d+ of \d+)?", line) is not None


def joined(text: str) -> str:
    """Text with words hyphenated at line ends joined (a hyphen of the word's own stays),
    break opportunities dropped and every run of spaces one space."""
    text = re.sub(SOFT_HYPHEN + r"\s*", "", text).replace(ZERO_WIDTH_SPACE, "")
    text = re.sub(r"-\n", "-", text)
    return " ".join(text.split())


def body_text(pages: list[Page]) -> str:
    """The body of every page as one text (see joined): a sentence or a word that runs on
    to the next page reads whole, without the running head and foot in between."""
    return joined("\n".join(line for page in pages for line in page.body))
