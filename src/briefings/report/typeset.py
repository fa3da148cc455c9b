"""An executed briefing notebook → Typst markup → the PDF, typeset by Typst.

As nbconvert makes the HTML (render.py), it exports the same executed notebook cell by cell
through the template folder templates/typst: an output shows its Typst form (`text/x.typst`,
made in the kernel from the same section records as its HTML), else its image, markdown or
plain text; markdown cells are converted (markdown_typst). Typst then compiles that with the
build folder as its root, the images of the outputs beside it, no package, its own fonts
and the chart's DejaVu Sans (none of the system's), and the build date as the document's:
the same notebook gives the same PDF, byte for byte, on every machine.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import nbformat
from jinja2 import pass_context
from markupsafe import Markup
from nbconvert.exporters import TemplateExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import default
from traitlets.config import Config

from briefings.exceptions import BuildError, ProblemsError, one_line
from briefings.inputs.inputfile import read_input
from briefings.paths import TEMPLATES_DIR
from briefings.report import typst_markup
from briefings.report.markdown_typst import markdown_to_typst
from briefings.report.render import (
    OmitEmptyAssessment,
    briefing_exporter_config,
    notebook_authors,
)
from briefings.report.typst_markup import TYPST_MIME

# A markdown cell with this tag stays on the page where what follows it begins.
KEEP_WITH_NEXT = "keep-with-next"
TEMPLATE_NAME = "typst"
# Where the outputs' images are written under Typst's root while it runs (then removed).
IMAGES_DIR = ".typst"
# What an output shows in the PDF, best first: its Typst, an image, markdown, and HTML only
# through its plain text (the template leaves out one that has none worth printing).
DISPLAY_PRIORITY = [
    TYPST_MIME,
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/html",
    "text/plain",
]
IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/svg+xml": ".svg",
    "image/webp": ".webp",
}
# An image a markdown cell links to from the notebook's folder; larger is a mistake.
MAX_IMAGE_BYTES = 16 * 1024 * 1024
# The chart's font (matplotlib's default, in which the SVG's text is set), copied from
# matplotlib with its licence: Typst embeds no sans-serif font of its own.
FONTS_DIR = TEMPLATES_DIR / TEMPLATE_NAME / "fonts"
_HEADING_FIRST = re.compile(r"\A\s*(?: {0,3}#{1,6}(?:[ \t]|$))")
_OBJECT_REPR = re.compile(r"\A<[\w.]+(?: [\w.]+)* object(?: at 0x[0-9a-fA-F]+)?>\Z")
_EVENT_LINK = re.compile(r"#event-(\d+)")
SVG_NS = "http://www.w3.org/2000/svg"
# A marker's number on the chart is 8 px text in a circle about 12 px across: the link box
# is at least that square, wider for "8–9".
MARKER_BOX = 12.0
MARKER_CHAR = 5.0
_DATA_URL = re.compile(r"\Adata:(image/[\w.+-]+);base64,(.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Typeset:
    """A briefing's PDF and what was left out of it, one line each."""

    pdf: bytes
    warnings: tuple[str, ...]


class TypstExporter(TemplateExporter):
    """nbconvert's TemplateExporter writing Typst: every value printed by a template is
    escaped for Typst (typst_markup), and outputs are shown by DISPLAY_PRIORITY."""

    output_mimetype = TYPST_MIME

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".typ"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".typ.j2"

    def _create_environment(self):
        # As nbconvert's LaTeX exporter changes its Jinja syntax here.
        return typst_markup.configure(super()._create_environment())

    def default_filters(self):
        yield from super().default_filters()
        yield ("string", typst_markup.string)
        yield ("number", typst_markup.number)
        yield ("chart_links", chart_links)
        yield ("markdown2typst", markdown2typst)
        yield ("introduces", introduces)
        yield ("typst_output", lambda data: Markup(_joined(data)))
        yield ("names_an_object", lambda text: bool(_OBJECT_REPR.match(_joined(text).strip())))
        yield ("left_out", left_out)


def notebook_to_pdf(
    notebook: nbformat.NotebookNode,
    *,
    title: str,
    marking: str,
    root: Path,
    built: date,
    notebook_dir: Path | None = None,
    lang: str = "en",
    author: str | None = None,
) -> Typeset:
    """The briefing's PDF, typeset with `root` (the build folder) as Typst's root.

    `built` is the document's date (so two builds of a day are the same bytes);
    `notebook_dir` is where a markdown cell's relative image links are read from; `author`
    defaults to the notebook's `metadata.authors`, else "briefings", as in the HTML.
    Raises BuildError, one line, when Typst cannot typeset the document.
    """
    source, resources = notebook_to_typst(
        notebook,
        title=title,
        marking=marking,
        lang=lang,
        author=author or notebook_authors(notebook),
        notebook_dir=notebook_dir,
    )
    images = root / IMAGES_DIR
    try:
        for name, data in resources.get("outputs", {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        pdf, warnings = _compile(source, root, built)
    finally:
        shutil.rmtree(images, ignore_errors=True)
    notes = [*resources.get("typst_warnings", ()), *(f"Typst: {w.message}" for w in warnings)]
    return Typeset(pdf, tuple(notes))


def notebook_to_typst(
    notebook: nbformat.NotebookNode,
    *,
    title: str,
    marking: str,
    lang: str = "en",
    author: str = "briefings",
    notebook_dir: Path | None = None,
) -> tuple[str, dict]:
    """The briefing as Typst markup, and nbconvert's resources: `outputs` holds the images
    it names (paths under IMAGES_DIR), `typst_warnings` what it left out."""
    details = {
        "title": title,
        "marking": marking,
        "author": author,
        "description": f"Analytical briefing. Handling: {marking}",
        "lang": lang,
    }
    resources = {
        "briefing": details,
        "output_files_dir": IMAGES_DIR,
        "metadata": {"path": str(notebook_dir) if notebook_dir else ""},
        "typst_warnings": [],
    }
    source, resources = _exporter().from_notebook_node(notebook, resources=resources)
    return source, resources


@functools.cache
def warm_up() -> None:
    """Compile the templates and load the fonts once per process, so a build finds them."""
    notebook_to_typst(nbformat.v4.new_notebook(), title="", marking="")
    _fonts()


# --- filters ---------------------------------------------------------------------------


@pass_context
def markdown2typst(context, source: str, keep_with_next: bool = False) -> Markup:
    """A markdown cell's (or output's) text as Typst; its images are added to the resources'
    outputs, and what is left out to their warnings."""
    resources, cell = context["resources"], context.get("cell", {})
    return markdown_to_typst(
        source,
        image=lambda src: _markdown_image(src, cell, resources),
        warn=lambda message: _warn(resources, cell, message),
        keep_with_next=keep_with_next,
    )


class KeepWithNext(Preprocessor):
    """Tags `keep-with-next` each markdown cell that introduces an output: it opens with a
    heading and the next cell shown is a code cell with outputs ("State changes" and its
    introduction, then the table). A section of its own, like the assessment, is not."""

    def preprocess(self, nb, resources):
        for cell, following in zip(nb.cells, nb.cells[1:], strict=False):
            if (
                cell.cell_type == "markdown"
                and _HEADING_FIRST.match(cell.source)
                and following.cell_type == "code"
                and following.get("outputs")
            ):
                tags = cell.metadata.setdefault("tags", [])
                if KEEP_WITH_NEXT not in tags:
                    tags.append(KEEP_WITH_NEXT)
        return nb, resources


def introduces(cell: nbformat.NotebookNode) -> bool:
    """True for a markdown cell tagged keep-with-next (by the analyst or KeepWithNext)."""
    return KEEP_WITH_NEXT in cell.get("metadata", {}).get("tags", ())


@pass_context
def left_out(context, output: nbformat.NotebookNode, cell: nbformat.NotebookNode) -> str:
    """Record that an HTML output without a Typst form is left out; print nothing."""
    _warn(context["resources"], cell, "an HTML output with no Typst form is left out of the PDF")
    return ""


@dataclass(frozen=True)
class ChartLinks:
    """Where the chart's numbered markers are, in the SVG's units, and the rows they name."""

    width: float
    links: tuple[tuple[int, float, float, float, float], ...]  # number, x, y, width, height


def chart_links(svg: str | list[str]) -> ChartLinks:
    """The chart's marker links (`<a href="#event-N">` around a number, as chart/svg.py
    writes them) as boxes around each number, so the PDF can link them as the HTML does;
    none when the SVG has no size or no such link."""
    try:
        root = ElementTree.fromstring(_joined(svg))
        width = float(root.get("viewBox", "").split()[2])
    except (ElementTree.ParseError, IndexError, ValueError):
        return ChartLinks(0, ())
    links = []
    for anchor in root.iter(f"{{{SVG_NS}}}a"):
        target = _EVENT_LINK.fullmatch(anchor.get("href", ""))
        text = next(anchor.iter(f"{{{SVG_NS}}}text"), None)
        if target is None or text is None or not text.text:
            continue
        x, y = float(text.get("x", 0)), float(text.get("y", 0))
        box = max(MARKER_BOX, MARKER_CHAR * len(text.text.strip()) + 4)
        links.append((int(target[1]), x - box / 2, y - MARKER_BOX + 2, box, MARKER_BOX + 1))
    return ChartLinks(width, tuple(links))


def _warn(resources: dict, cell, message: str) -> None:
    name = cell.get("id") or "?"
    resources["typst_warnings"].append(one_line(f"cell {name!r}: {message}", 200))


def _markdown_image(src: str, cell, resources: dict) -> str | None:
    """The path under Typst's root of an image a markdown cell shows, written into the
    resources' outputs; None (with a warning) when it cannot be shown."""
    found = _image_bytes(src, cell, resources)
    if isinstance(found, str):
        _warn(resources, cell, f"the image {src[:60]!r} is left out of the PDF: {found}")
        return None
    data, suffix = found
    outputs = resources.setdefault("outputs", {})
    name = f"{IMAGES_DIR}/markdown_{len(outputs)}{suffix}"
    outputs[name] = data
    return name


def _image_bytes(src: str, cell, resources: dict) -> tuple[bytes, str] | str:
    """(bytes, suffix) of an attached, embedded or local image, or why it cannot be shown."""
    if src.startswith("attachment:"):
        bundle = cell.get("attachments", {}).get(src.removeprefix("attachment:"), {})
        mime = next((m for m in IMAGE_TYPES if m in bundle), None)
        if mime is None:
            return "the cell has no image attached under that name"
        return _decoded(_joined(bundle[mime]), mime)
    embedded = _DATA_URL.match(src)
    if embedded:
        return _decoded(embedded[2], embedded[1])
    path = PurePosixPath(src)
    if ":" in src.split("/", 1)[0] or path.is_absolute():
        return "only images attached to the cell, embedded or beside the notebook are shown"
    suffix = path.suffix.lower().replace(".jpeg", ".jpg")
    if suffix not in IMAGE_TYPES.values():
        return f"{suffix or 'a file without a suffix'} is not an image Typst reads"
    folder = Path(resources.get("metadata", {}).get("path") or ".")
    try:
        return read_input(folder / path, limit=MAX_IMAGE_BYTES, limit_reason="for an image"), suffix
    except ProblemsError as error:
        return str(error)


def _decoded(text: str, mime: str) -> tuple[bytes, str] | str:
    if mime not in IMAGE_TYPES:
        return f"{mime} is not an image Typst reads"
    if mime == "image/svg+xml" and text.lstrip().startswith("<"):
        return text.encode(), IMAGE_TYPES[mime]
    try:
        return base64.b64decode(text, validate=False), IMAGE_TYPES[mime]
    except binascii.Error:
        return "its base64 data is broken"


def _joined(data: str | list[str]) -> str:
    """An output's text, stored as one string or as a list of lines."""
    return data if isinstance(data, str) else "".join(data)


# --- Typst ------------------------------------------------------------------------------


def _compile(source: str, root: Path, built: date) -> tuple[bytes, list]:
    """Typst's PDF and warnings, compiled on a thread of its own.

    Typst lets go of the interpreter while it works, but a signal handler runs only between
    Python's own steps: waiting on the thread is such a step, so the build's time limit
    (build.timelimit.time_limit) still stops a render that Typst would take minutes over. The
    thread then finishes its work in the background and its result is dropped.
    """
    import typst

    outcome: list = []

    def compile_pdf() -> None:
        try:
            outcome.append(
                typst.compile_with_warnings(
                    source.encode("utf-8"),
                    root=str(root),
                    font_paths=_fonts(),
                    ignore_system_fonts=True,
                    format="pdf",
                    timestamp=datetime.combine(built, time(), tzinfo=UTC),
                )
            )
        except typst.TypstError as error:
            outcome.append(error)

    worker = threading.Thread(target=compile_pdf, name="briefings-typst", daemon=True)
    worker.start()
    worker.join()
    if isinstance(outcome[0], typst.TypstError):
        raise BuildError(
            f"typesetting the PDF failed: {one_line(outcome[0].message, 300)}; "
            "the published briefing is unchanged",
            ename="TypstError",
        )
    return outcome[0]


@functools.cache
def _fonts():
    """Typst's own fonts (Libertinus Serif, DejaVu Sans Mono) and the chart's DejaVu Sans,
    shipped in templates/typst/fonts; none of the system's."""
    import typst

    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=True, font_paths=[str(FONTS_DIR)]
    )


@functools.cache
def _exporter() -> TypstExporter:
    """One exporter, kept: its Jinja environment compiles the template once."""
    exporter = TypstExporter(
        config=_exporter_config(),
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
    )
    exporter.register_preprocessor(OmitEmptyAssessment, enabled=True)
    exporter.register_preprocessor(KeepWithNext, enabled=True)
    return exporter


def _exporter_config() -> Config:
    config = briefing_exporter_config(DISPLAY_PRIORITY)
    # Once after all preprocessors, not after each (papermill validated the notebook).
    config.Exporter.optimistic_validation = True
    config.ExtractOutputPreprocessor.enabled = True
    config.ExtractOutputPreprocessor.extract_output_types = {
        "image/svg+xml",
        "image/png",
        "image/jpeg",
    }
    return config
