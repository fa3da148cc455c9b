"""An executed briefing notebook → one self-contained HTML file.

The HTML comes from nbconvert with the package's own template folder (templates/briefing,
extending nbconvert's `basic`). The PDF is typeset from the same notebook by typeset.py.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters import TemplateExporter
from nbconvert.filters import Highlight2HTML
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from briefings import __version__
from briefings.paths import TEMPLATES_DIR
from briefings.report.chart_legend import chart_legend

TEMPLATE_NAME = "briefing"
# The parameters cell and papermill's injected copy (the method section shows the parameters),
# and the tags Jupyter Book and nbconvert users already write to keep a cell or its outputs out.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", "remove-cell", "remove_cell")
HIDDEN_OUTPUT_TAGS = ("remove-output", "remove_output")
# The analyst's own judgement: a markdown cell with this tag is left out of the briefing
# while it holds nothing but headings, so an unwritten assessment prints nothing.
ASSESSMENT_TAG = "assessment"
GENERATOR = f"briefings {__version__}"
# Runs of this many non-space characters (a URL, a 10,000-letter word) get break opportunities.
LONG_RUN = 25
CHUNK = 12
_LONG_RUN = re.compile(rf"[^\s<>]{{{LONG_RUN},}}")
_UNIT = re.compile(r"&#?\w+;|.", re.DOTALL)  # an entity or one character
_BREAK_AFTER = frozenset("/.-_?=#,;:")
_VERBATIM = frozenset({"pre", "script", "style", "svg", "math", "textarea"})
# What an output may show, best first. Widgets, JavaScript, Mermaid and LaTeX need a script
# to render, so they are left out and an output that has nothing else shows nothing.
DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
]


class BriefingExporter(HTMLExporter):
    """nbconvert's HTMLExporter with the package's filters, minus its final whole-page pass.

    HTMLExporter re-parses its output with BeautifulSoup to add alt text to images and tabindex
    to the lab template's cells. This template needs neither, and on a chart of 10,000 events
    the pass costs over a second and lower-cases the SVG's names (viewBox, clipPath).
    """

    def default_filters(self):
        yield from super().default_filters()
        yield ("svg_element", svg_element)
        yield ("chart_legend", chart_legend)
        yield ("breakable", breakable)
        # The classic template names it in the input block, which exclude_input never renders.
        yield ("highlight_code", Highlight2HTML)

    def from_notebook_node(self, nb, resources=None, **kw):
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


class OmitEmptyAssessment(Preprocessor):
    """Drops the markdown cells tagged `assessment` that hold only headings and blank lines."""

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not is_empty_assessment(cell)]
        return nb, resources


def is_empty_assessment(cell: nbformat.NotebookNode) -> bool:
    """True for a markdown cell tagged `assessment` with no text under its heading(s)."""
    if cell.cell_type != "markdown" or ASSESSMENT_TAG not in cell.metadata.get("tags", ()):
        return False
    return all(
        not line.strip() or line.lstrip().startswith("#") for line in cell.source.splitlines()
    )


def notebook_to_html(
    notebook: nbformat.NotebookNode,
    *,
    title: str,
    marking: str,
    lang: str = "en",
    author: str | None = None,
    created: str | None = None,
) -> str:
    """The briefing as one self-contained HTML page: outputs and markdown, no code, no script.

    `title` and `marking` (the handling marking) are escaped here. `author` defaults to the
    notebook's `metadata.authors`, else "briefings"; `created` (a W3C date such as 2024-05-01)
    is the page's dcterms.created, left out when None, so output stays reproducible.
    The same notebook always gives the same string.
    """
    exporter = _exporter(lang)
    details = {
        "title": title,
        "marking": marking,
        "author": author or notebook_authors(notebook),
        "description": f"Analytical briefing. Handling: {marking}",
        "generator": GENERATOR,
        "created": created,
    }
    html, _ = exporter.from_notebook_node(notebook, resources={"briefing": details})
    return html


@functools.cache
def _exporter(lang: str) -> BriefingExporter:
    """One exporter per language, kept: its Jinja environment compiles the template once."""
    exporter = BriefingExporter(
        config=_exporter_config(),
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        language_code=lang,
    )
    exporter.register_preprocessor(OmitEmptyAssessment, enabled=True)
    return exporter


@functools.cache  # once per process: a scheduled run's later builds find all of it done
def warm_up(*, pdf: bool) -> None:
    """Render an empty briefing, so that the real one finds the template compiled and,
    with `pdf`, Typst's templates compiled and its fonts loaded (typeset.warm_up)."""
    notebook_to_html(nbformat.v4.new_notebook(), title="", marking="")
    if pdf:
        from briefings.report import typeset  # it imports this module

        typeset.warm_up()


def shown_output_sizes(notebook: nbformat.NotebookNode) -> Iterator[tuple[int, int, int]]:
    """For each cell whose outputs the briefing shows: (cell index, characters of text,
    characters of images), counting what the template puts into the page: one
    representation per output, as DISPLAY_PRIORITY chooses it, and no stderr."""
    for index, cell in enumerate(notebook.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(HIDDEN_CELL_TAGS) or tags & set(HIDDEN_OUTPUT_TAGS):
            continue
        text = images = 0
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text += 0 if output.get("name") == "stderr" else _length(output.get("text"))
            elif output.get("output_type") == "error":
                text += sum(map(_length, output.get("traceback", [])))
            else:
                data = output.get("data", {})
                shown = next((m for m in DISPLAY_PRIORITY if m in data), None)
                if shown is not None and shown.startswith("image/"):
                    images += _length(data[shown])
                elif shown is not None:
                    text += _length(data[shown])
        if text or images:
            yield index, text, images


def _length(value: object) -> int:
    """Characters of an output's text, stored as one string or a list of lines."""
    if isinstance(value, str):
        return len(value)
    return sum(len(part) for part in value) if isinstance(value, list) else 0


def svg_element(svg: str) -> str:
    """The `<svg>` element of an SVG document, without the XML declaration and DOCTYPE,
    which have no place inside HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


def breakable(fragment: str) -> str:
    """The HTML fragment with `<wbr>` break opportunities inside long runs of text.

    A table column is never narrower than its longest unbreakable word, so a long URL or a
    10,000-letter word would push the table off the page. CSS `overflow-wrap: anywhere` would
    fix that, but makes browsers split short words in narrow columns. Breaks go after URL
    punctuation, else
    every CHUNK characters. Tags, entities and the text of `<pre>`, `<svg>`, `<style>` and the
    like are copied unchanged: the fragment is cut into pieces by the standard library's HTML
    parser, not re-serialised.
    """
    if not _LONG_RUN.search(fragment):
        return fragment
    return "".join(
        _LONG_RUN.sub(_with_breaks, piece) if is_text else piece
        for piece, is_text in _Pieces(fragment).pieces()
    )


class _Pieces(HTMLParser):
    """An HTML fragment cut into markup and text exactly as written.

    Each event of the parser (a tag, a comment, a run of text) starts a piece that runs to
    the next event, so the pieces put together give back the fragment character for
    character. Text inside `<pre>`, `<svg>`, `<style>` and the like counts as markup.
    """

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self._fragment = fragment
        # The parser says where an event starts as (line, column); these turn it into an offset.
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", fragment))]
        self._verbatim_depth = 0
        self._starts: list[tuple[int, bool]] = []  # (offset, is it text to break?)
        self.feed(fragment)
        self.close()

    def pieces(self) -> Iterator[tuple[str, bool]]:
        """(piece, is it text to break) in order, from the start to the end of the fragment."""
        # The first piece starts the fragment, whatever the parser passed over first.
        starts = [0, *(start for start, _ in self._starts[1:])]
        ends = [*starts[1:], len(self._fragment)]
        for start, end, (_, is_text) in zip(starts, ends, self._starts, strict=True):
            yield self._fragment[start:end], is_text

    def _mark(self, *, is_text: bool) -> None:
        if is_text and self._starts and self._starts[-1][1]:
            return  # the parser may hand one run of text over in parts: one piece
        line, column = self.getpos()
        self._starts.append((self._line_starts[line - 1] + column, is_text))

    def handle_data(self, data: str) -> None:
        self._mark(is_text=not self._verbatim_depth)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._mark(is_text=False)
        if tag in _VERBATIM:
            self._verbatim_depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self._mark(is_text=False)  # self-closing: nothing inside it

    def handle_endtag(self, tag: str) -> None:
        self._mark(is_text=False)
        if tag in _VERBATIM:
            self._verbatim_depth = max(0, self._verbatim_depth - 1)

    def handle_comment(self, data: str) -> None:
        self._mark(is_text=False)

    def handle_decl(self, decl: str) -> None:
        self._mark(is_text=False)

    def handle_pi(self, data: str) -> None:
        self._mark(is_text=False)

    def unknown_decl(self, data: str) -> None:
        self._mark(is_text=False)


def _with_breaks(run: re.Match[str]) -> str:
    """One long run of text with `<wbr>` where it may break; entities stay whole."""
    units = _UNIT.findall(run[0])
    out: list[str] = []
    since_break = 0
    for unit, following in zip(units, [*units[1:], ""], strict=True):
        out.append(unit)
        since_break += 1
        # Never split a letter from the combining mark that follows it.
        breaks_here = unit in _BREAK_AFTER or since_break >= CHUNK
        if breaks_here and following and not unicodedata.category(following[0]).startswith("M"):
            out.append("<wbr>")
            since_break = 0
    return "".join(out)


def briefing_exporter_config(display_priority: list[str]) -> Config:
    """What every briefing exporter (HTML here, Typst in typeset.py) shares: outputs only,
    in `display_priority`, without prompts or the cells and outputs tagged hidden."""
    config = Config()
    config.NbConvertBase.display_data_priority = display_priority
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(HIDDEN_OUTPUT_TAGS)
    return config


def _exporter_config() -> Config:
    config = briefing_exporter_config(DISPLAY_PRIORITY)
    config.HTMLExporter.exclude_anchor_links = True
    config.HTMLExporter.embed_images = True
    # The classic template's syntax-highlighting CSS is for code cells, which are never shown.
    config.CSSHTMLHeaderPreprocessor.enabled = False
    return config


def notebook_authors(notebook: nbformat.NotebookNode) -> str:
    """Names from the notebook's standard `metadata.authors` list, comma-separated, else
    "briefings"."""
    authors = notebook.get("metadata", {}).get("authors") or []
    return ", ".join(str(a.get("name", "")) for a in authors if a.get("name")) or "briefings"
