"""The PDF as a reader sees it, page by page (pdftotext): it says what the HTML says, a
heading never ends a page, codes are never broken, the marking is printed once at the top
and once at the bottom of each page, and the same inputs give the same bytes. Real builds."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import PROJECT_ROOT, require_program
from pdf_pages import body_text, joined, pdf_pages

from briefings.build.builder import build_briefing
from briefings.data.dataset import load_dataset
from briefings.data.params import PARAMETERS
from briefings.paths import briefing_notebook, default_dataset

pytestmark = pytest.mark.slow

FIXED = {"build_date": "2026-11-25"}
MARKING = "UNCLASSIFIED – FOR TRAINING"
TITLE = "US–Pakistan security assistance and military cooperation"
ASSESSMENT = "The freeze is likely to outlast the window."


def _synthetic_dataset(folder: Path, events: int) -> Path:
    """The benchmark's synthetic dataset (benchmarks/bench.py), written into `folder`."""
    spec = importlib.util.spec_from_file_location("bench", PROJECT_ROOT / "benchmarks/bench.py")
    bench = sys.modules.setdefault("bench", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(bench)
    return bench.synthetic_dataset(folder, events)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return build_briefing(FIXED, out=tmp_path_factory.mktemp("shipped") / "b")


@pytest.fixture(scope="module")
def as_of(tmp_path_factory):
    return build_briefing({**FIXED, "as_of": "2019-06-30"}, out=tmp_path_factory.mktemp("as") / "b")


@pytest.fixture(scope="module")
def assessed_2020(tmp_path_factory):
    """The 2020 window with a one-sentence assessment: a long bottom line, then a short
    section before the chart (issue 21 §5)."""
    folder = tmp_path_factory.mktemp("assessed")
    notebook = nbformat.read(briefing_notebook(), as_version=4)
    (cell,) = [c for c in notebook.cells if "assessment" in c.metadata.get("tags", ())]
    cell.source += f"\n\n{ASSESSMENT}"
    saved = folder / "briefing.ipynb"
    nbformat.write(notebook, saved)
    window = {"start": "2020-01-01", "end": "2020-12-31", "data_dir": str(default_dataset())}
    return build_briefing({**FIXED, **window}, out=folder / "b", notebook=saved)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    data = _synthetic_dataset(folder / "data", 1_000)
    return build_briefing({**FIXED, "data_dir": str(data)}, out=folder / "b")


def pages_of(built, title: str = TITLE):
    return pdf_pages(built.out_dir / "briefing.pdf", marking=MARKING, title=title)


def title_of(built) -> str:
    return built.manifest.parameters["title"]


# --- the HTML, read for comparison ----------------------------------------------------------


VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


class _Text(HTMLParser):
    """The text of each element whose class holds `css_class` (`found`), and of every
    heading of the page (`headings`)."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class = css_class
        self.depth = 0  # inside a matching element, how deep
        self.found: list[str] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.found.append("")
        if tag in ("h1", "h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data
        if self._heading is not None:
            self._heading.append(data)


def html_text(built, css_class: str) -> _Text:
    parser = _Text(css_class)
    parser.feed((built.out_dir / "briefing.html").read_text(encoding="utf-8"))
    return parser


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])", " ".join(text.split())) if s]


def first_column_numbers(path: Path) -> set[str]:
    """The words printed under each 'No.' heading of a table, from pdftotext's boxes."""
    pdftotext = require_program("pdftotext")
    bbox = subprocess.run(
        [pdftotext, "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = set()
    for page in bbox.split("<page ")[1:]:
        words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', page)
        columns = [float(x) for x, word in words if word == "No."]
        for x, word in words:
            if word.isdigit() and any(abs(float(x) - c) < 4 for c in columns):
                found.add(word)
    return found


# --- the same briefing -------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["shipped", "as_of", "synthetic"])
def test_the_pdf_says_what_the_html_says(view, request):
    """Every sentence of the bottom line, every row's number and every source's outlet of the
    HTML are in the PDF's text (words hyphenated at line ends joined)."""
    built = request.getfixturevalue(view)
    pdf = built.out_dir / "briefing.pdf"
    text = body_text(pages_of(built, title_of(built)))
    bottom_line = html_text(built, "bf-bottom-line").found
    assert bottom_line
    for sentence in sentences(" ".join(bottom_line)):
        assert joined(sentence) in text, sentence
    html = (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    numbers = set(re.findall(r'<tr id="event-(\d+)"', html))
    assert numbers and numbers <= first_column_numbers(pdf)
    outlets = html_text(built, "bf-outlet").found
    assert outlets
    for outlet in outlets:
        assert joined(outlet) in text, outlet


def test_the_same_inputs_give_the_same_pdf(synthetic, tmp_path):
    again = build_briefing(
        {**FIXED, "data_dir": synthetic.manifest.parameters["data_dir"]}, out=tmp_path / "b"
    )
    assert (again.out_dir / "briefing.pdf").read_bytes() == (
        synthetic.out_dir / "briefing.pdf"
    ).read_bytes()


# --- the page (issue 21 §5–7) ---------------------------------------------------------------


@pytest.mark.parametrize("view", ["shipped", "assessed_2020", "synthetic"])
def test_a_heading_never_ends_a_page(view, request):
    built = request.getfixturevalue(view)
    pages = pages_of(built, title_of(built))
    headings = {joined(h) for h in html_text(built, "bf-title").headings}
    for page in pages:
        assert joined(page.body[-1]) not in headings, (page.number, page.body[-1])
        assert page.body[-1] not in ("Contradicts", "The dispute", "Sources", "Effect")
    # An introduction stays with what it introduces.
    for heading, what_follows in (("State changes", "No."), ("Contested claims", "Contradicts")):
        (page,) = [p for p in pages if heading in p.body]
        after = page.body[page.body.index(heading) :]
        assert any(line.startswith(what_follows) for line in after), (heading, page.number)


def test_the_chart_is_on_page_one_when_it_fits(shipped, assessed_2020):
    """The chart stays whole on the page its heading opens (issue 21 §5): after the 2020
    window's bottom line and one-sentence assessment it still fits on page 1."""
    for built in (shipped, assessed_2020):
        first = pages_of(built)[0]
        assert "Timeline of states" in first.body, first.body
        assert "a state confirmed" in first.text  # the legend's first line...
        assert first.body[-1] == "several events, with a dispute"  # ...and its last
    assert ASSESSMENT in pages_of(assessed_2020)[0].body


@pytest.mark.parametrize("view", ["shipped", "assessed_2020", "synthetic"])
def test_no_code_is_broken_without_a_hyphen(view, request):
    """A source id or a source's kind breaks, if at all, only after a hyphen of its own:
    never mid-token (issue 21 §6: 'aggregat|or', 'forum-2020-0|1-imet') and never
    hyphenated."""
    built = request.getfixturevalue(view)
    dataset = load_dataset(Path(built.manifest.parameters["data_dir"]))
    lines = "\n".join(line for page in pages_of(built, title_of(built)) for line in page.body)
    lines = lines.replace("\u200b", "")
    # A kind is an English word too, which the notes' prose may hyphenate ('partisan
    # aggre-gator'): in the Sources table it stands whole before the source's grade.
    for kind in set(dataset.sources["kind"]):
        assert re.search(rf"(^|\s){re.escape(kind)} [A-F] –", lines), kind
    for code in dataset.sources["source_id"]:
        for at in range(1, len(code)):
            if code[at - 1] != "-":
                for broken in (code[:at] + "\n" + code[at:], code[:at] + "\u00ad\n" + code[at:]):
                    assert broken not in lines, repr(broken)


def test_the_parameters_table_is_never_alone_on_a_page(shipped, assessed_2020):
    for built in (shipped, assessed_2020):
        pages = pages_of(built)
        (page,) = [p for p in pages if any(line.startswith("previous_states") for line in p.body)]
        for name in PARAMETERS:  # the table is whole
            assert any(line.split()[0] == name for line in page.body), name
        assert any(line.startswith("The dataset is") for line in page.body)


def test_the_marking_is_printed_once_at_the_top_and_once_at_the_bottom(shipped, assessed_2020):
    """On every page, in the running head and foot; not a third time above the title."""
    squeezed = re.sub(r"\s+", "", MARKING)
    for built in (shipped, assessed_2020):
        pages = pages_of(built)
        for page in pages:
            assert page.head == (MARKING, TITLE), page.number
            assert " ".join(page.foot) == f"{MARKING} Page {page.number} of {len(pages)}"
        assert squeezed not in re.sub(r"\s+", "", " ".join(pages[0].body))


def test_the_sources_table_does_not_say_cited_on_every_row(shipped):
    for page in pages_of(shipped):
        assert "cited" not in page.body, page.number
