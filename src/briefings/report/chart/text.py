"""Chart text measured as matplotlib lays it out: widths, and labels cut or wrapped to fit."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from briefings.report.chart.style import FONT, FONT_SIZE, LABEL_LINES, LABEL_WIDTH_PT

_MEASURE = TextToPath()
_FONT = FontProperties(family=FONT, size=FONT_SIZE)


@contextlib.contextmanager
def missing_glyphs_allowed() -> Iterator[None]:
    """Silence matplotlib's warning about glyphs DejaVu Sans lacks: measured, such a glyph
    is its placeholder box (about one em); written, text stays text in the SVG, so the
    viewer's fonts supply it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
        yield


def text_width(text: str) -> float:
    """Width of one line of chart text in points, as matplotlib lays it out."""
    with missing_glyphs_allowed():
        return _MEASURE.get_text_width_height_descent(text, _FONT, ismath=False)[0]


def _fit(text: str, width: float) -> int:
    """The longest prefix of `text`, in characters, no wider than `width` points."""
    # No glyph but a combining mark is narrower than a point, so no longer prefix can fit:
    # a 10,000-letter label is never measured whole.
    low, high = 0, min(len(text), int(width) + 1)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def ellipsize(text: str, width: float) -> str:
    """The text on one line, cut with … to fit `width` points."""
    text = " ".join(text.split())
    if len(text) <= width and text_width(text) <= width:  # see _fit for the length bound
        return text
    return text[: _fit(text, width - text_width("…"))].rstrip() + "…"


def wrap(text: str, width: float = LABEL_WIDTH_PT, lines: int = LABEL_LINES) -> str:
    """Wrap a lane label into at most `lines` lines of `width` points, ending in … if cut."""
    out: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        while len(out) <= lines and text_width(word) > width:  # a long word is broken
            if current:
                out.append(current)
                current = ""
            cut = max(1, _fit(word, width))
            out.append(word[:cut])
            word = word[cut:]
        if len(out) > lines:
            # The rest will only be cut off with … below: laying out a 10,000-letter
            # label line by line would take minutes.
            out.append(" ".join([current, word, *words[index + 1 :]]).strip())
            current = ""
            break
        candidate = f"{current} {word}".strip()
        if text_width(candidate) <= width:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], ellipsize(" ".join(out[lines - 1 :]), width)]
    return "\n".join(out)
