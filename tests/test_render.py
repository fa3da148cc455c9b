"""Rendering: an executed notebook (built here, no kernel) → HTML → PDF."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import nbformat
import pytest
from conftest import require_program
from nbformat import v4
from pypdf import PdfReader

from briefings.report.render import (
    _SVG_OUTPUT,
    _svg_as_image,
    breakable,
    html_to_pdf,
    is_empty_assessment,
    notebook_to_html,
    svg_element,
)

TITLE = "Aid & cooperation <2020> review"
MARKING = "Official – internal"
TABLE_VALUE = "Zanzibar-Quokka"
SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="100pt" viewBox="0 0 400 100">'
    '<rect x="0" y="0" width="200" height="100" style="fill: #0072b2"/>'
    '<text x="210" y="50" style="font-size: 12px">lane label</text></svg>'
)
# Resources another host would serve; links (<a href>) to sources are allowed.
EXTERNAL_RESOURCE = re.compile(
    r"""(?:\bsrc|\bsrcset|<link[^>]*\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//"""
    r"""|@import""",
    re.IGNORECASE,
)


def table_html(rows: int) -> str:
    body = "".join(
        f"<tr><td>{i}</td><td>{TABLE_VALUE if i == 1 else 'Suspended'}</td>"
        f"<td>Event number {i} in a table long enough to need more than one page.</td></tr>"
        for i in range(1, rows + 1)
    )
    return (
        '<section class="bf-section bf-changes"><h2>Changes</h2><table class="bf-table">'
        "<thead><tr><th>No.</th><th>State</th><th>What happened</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        '<p>Source: <a href="https://example.org/report">the report</a>; '
        "عمران خان said so.</p></section>"
    )


def briefing_notebook(rows: int = 3) -> nbformat.NotebookNode:
    """What papermill hands over: parameters, outputs of every kind, no kernel needed."""
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_markdown_cell("# The briefing\n\nNarrative text in **markdown**."),
        v4.new_code_cell("start = '2020-01-01'", metadata={"tags": ["parameters"]}),
        v4.new_code_cell(
            "SECRET_PARAMETER = 'injected'",
            metadata={"tags": ["injected-parameters"]},
            outputs=[v4.new_output("stream", name="stdout", text="injected output\n")],
        ),
        v4.new_code_cell(
            "show_sections(frame)",
            execution_count=3,
            outputs=[
                v4.new_output(
                    "display_data", data={"text/html": table_html(rows), "text/plain": "<HTML>"}
                ),
                v4.new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "<SVG>"}),
                v4.new_output("stream", name="stdout", text="Built from 42 events.\n"),
                v4.new_output("stream", name="stderr", text="UserWarning: noisy library\n"),
            ],
        ),
        v4.new_code_cell(
            "note = 'kept out'",
            metadata={"tags": ["remove-cell"]},
            outputs=[v4.new_output("stream", name="stdout", text="editing note\n")],
        ),
        v4.new_code_cell(
            "pd.Series([1])",
            execution_count=5,
            outputs=[
                v4.new_output(
                    "execute_result",
                    data={"text/plain": "plain result"},
                    execution_count=5,
                )
            ],
        ),
    ]
    return nb


@pytest.fixture(scope="module")
def html() -> str:
    return notebook_to_html(briefing_notebook(), title=TITLE, marking=MARKING)


@pytest.fixture(scope="module")
def pdf(html: str) -> bytes:
    return html_to_pdf(html)


def pdf_text(data: bytes) -> str:
    """The PDF's text with the zero-width break opportunities dropped."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u200b", "")


def squeezed(text: str) -> str:
    """Letter-spaced, upper-cased running heads compare equal to the plain words."""
    return re.sub(r"\s+", "", text).casefold()


# --- HTML ---------------------------------------------------------------------------------


def test_html_shows_outputs_and_markdown_but_no_code_or_prompts(html: str) -> None:
    assert "Narrative text in <strong>markdown</strong>" in html
    assert TABLE_VALUE in html
    assert "Built from 42 events." in html
    assert "plain result" in html
    for code in ("show_sections(frame)", "pd.Series", "start = "):
        assert code not in html
    assert "In&nbsp;[" not in html
    assert "Out[" not in html
    assert "input_prompt" not in html


def test_parameters_cells_and_removed_cells_leave_no_trace(html: str) -> None:
    assert "SECRET_PARAMETER" not in html
    assert "injected output" not in html
    assert "editing note" not in html
    assert "celltag_parameters" not in html


@pytest.mark.parametrize(
    ("source", "empty"),
    [
        ("## Assessment", True),
        ("## Assessment\n\n   \n", True),
        ("", True),
        ("## Assessment\n### Why\n", True),
        ("## Assessment\n\nAid resumes only if the pact is renewed.", False),
        ("Just a judgement, no heading.", False),
    ],
)
def test_an_assessment_is_empty_while_it_holds_only_headings(source: str, empty: bool) -> None:
    cell = v4.new_markdown_cell(source, metadata={"tags": ["assessment"]})
    assert is_empty_assessment(cell) is empty
    untagged = v4.new_markdown_cell(source)
    assert not is_empty_assessment(untagged)


def test_an_empty_assessment_is_left_out_and_a_written_one_kept() -> None:
    def rendered(assessment: str) -> str:
        nb = v4.new_notebook()
        nb.cells = [
            v4.new_markdown_cell("## Bottom line"),
            v4.new_markdown_cell(assessment, metadata={"tags": ["assessment"]}),
            v4.new_markdown_cell("## Timeline"),
        ]
        return notebook_to_html(nb, title=TITLE, marking=MARKING)

    assert "Assessment" not in rendered("## Assessment\n")
    written = rendered("## Assessment\n\nThe freeze holds & *will* last.")
    assert re.search(
        r"Bottom line.*<h2[^>]*>Assessment</h2>\s*<p>The freeze holds &amp; <em>will</em> last"
        r".*Timeline",
        written,
        re.DOTALL,
    )
    assert "celltag_assessment" in written


def test_stderr_warnings_stay_in_the_notebook(html: str) -> None:
    assert "noisy library" not in html


def test_html_is_self_contained_with_no_script(html: str) -> None:
    assert "<script" not in html.lower()
    assert EXTERNAL_RESOURCE.search(html) is None
    assert "<style" in html
    assert "mathjax" not in html.lower()
    assert 'href="https://example.org/report"' in html  # a link to a source stays a link


def test_svg_output_is_inline_vector_without_its_xml_prolog(html: str) -> None:
    assert '<svg xmlns="http://www.w3.org/2000/svg" width="400pt"' in html
    assert 'viewBox="0 0 400 100"' in html  # camelCase kept: the page is not re-serialised
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html
    assert "data:image/svg+xml" not in html


def test_no_heading_anchor_links(html: str) -> None:
    assert "¶" not in html
    assert "anchor-link" not in html


def test_title_marking_and_metadata_in_the_head(html: str) -> None:
    escaped = "Aid &amp; cooperation &lt;2020&gt; review"
    assert f"<title>{escaped}</title>" in html
    assert '<meta name="author" content="briefings">' in html
    assert '<meta name="generator" content="briefings ' in html
    assert 'name="dcterms.created"' not in html  # no clock in the output unless asked
    assert html.count(f'<p class="bf-banner" role="note">{MARKING}</p>') == 2  # top and foot
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_title_and_marking_are_escaped() -> None:
    html = notebook_to_html(
        briefing_notebook(),
        title="<script>alert(1)</script> Briefing",
        marking='SECRET"><script>x</script>',
        lang="ur",
    )
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Briefing" in html
    assert 'data-marking="SECRET&quot;&gt;&lt;script&gt;' in html
    assert '<html lang="ur">' in html


def test_author_and_creation_date_when_given() -> None:
    nb = briefing_notebook()
    nb.metadata["authors"] = [{"name": "A. Analyst"}, {"name": "B. Reviewer"}]
    html = notebook_to_html(nb, title=TITLE, marking=MARKING, created="2024-05-01")
    assert '<meta name="author" content="A. Analyst, B. Reviewer">' in html
    assert '<meta name="dcterms.created" content="2024-05-01">' in html
    html = notebook_to_html(nb, title=TITLE, marking=MARKING, author="Desk <X>")
    assert '<meta name="author" content="Desk &lt;X&gt;">' in html


def test_html_is_deterministic_and_leaves_the_notebook_alone(html: str) -> None:
    nb = briefing_notebook()
    before = nbformat.writes(nb)
    assert notebook_to_html(nb, title=TITLE, marking=MARKING) == html
    assert nbformat.writes(nb) == before


# --- breaking long runs ---------------------------------------------------------------------


def test_breakable_adds_break_opportunities_to_long_runs_only() -> None:
    word = "x" * 10_000
    fragment = f'<td class="bf-notes" title="{"t" * 40}">{word} short words</td>'
    out = breakable(fragment)
    assert out.replace("<wbr>", "") == fragment  # only breaks added, nothing else changed
    assert f'title="{"t" * 40}"' in out
    assert max(len(run) for run in re.findall(r"x+", out)) <= 12
    assert breakable("<p>short words only</p>") == "<p>short words only</p>"


def test_breakable_breaks_urls_after_punctuation_and_keeps_entities_whole() -> None:
    url = "https://www.example.org/article/us-pakistan-aid?id=12345&amp;page=2"
    out = breakable(f"<a href='{url}'>{url}</a>")
    assert out.startswith(f"<a href='{url}'>")  # the attribute is untouched
    assert "example.<wbr>org/<wbr>" in out
    assert "&amp;" in out.replace("<wbr>", "")
    assert "&a<wbr>" not in out and "&am<wbr>" not in out


def test_breakable_leaves_preformatted_and_svg_text_alone() -> None:
    fragment = f"<pre>{'p' * 40}</pre><svg><text>{'s' * 40}</text></svg><p>{'q' * 40}</p>"
    out = breakable(fragment)
    assert f"<pre>{'p' * 40}</pre>" in out
    assert f"<text>{'s' * 40}</text>" in out
    assert "q<wbr>" in out


def test_breakable_reads_tags_as_html_does() -> None:
    """A `>` inside a quoted attribute does not end the tag, and a style sheet's text is
    left alone whatever it holds, as a browser reads them."""
    attribute = f'<a title="1 > 0 {"y" * 30}">'
    out = breakable(
        f"{attribute}{'z' * 30}</a><style>p::after {{content: '</p>{'s' * 30}'}}</style>"
    )
    assert out.startswith(f"{attribute}zzzzzzzzzzzz<wbr>")
    assert f"</p>{'s' * 30}" in out


def test_svg_element_strips_prolog_only() -> None:
    assert svg_element(SVG).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg_element(SVG).endswith("</svg>")
    assert svg_element("not an svg") == ""


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_has_text_title_marking_and_metadata(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    text = pdf_text(pdf)
    assert squeezed(TITLE) in squeezed(text)
    assert squeezed(MARKING) in squeezed(text)
    assert TABLE_VALUE in text
    assert "lane label" in text  # text inside the SVG stays text: the chart is vector
    assert reader.metadata.title == TITLE
    assert reader.metadata.author == "briefings"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    assert reader.pages[0].mediabox.height == pytest.approx(841.89, abs=0.5)


def test_pdf_is_byte_identical_across_runs(html: str, pdf: bytes) -> None:
    assert html_to_pdf(html) == pdf


def test_pdf_draws_an_svg_output_as_an_image_the_same_as_inline(html: str, pdf: bytes) -> None:
    # The image spares WeasyPrint parsing and styling every element of the chart; the
    # PDF must not change for it.
    from weasyprint import HTML

    inline = html.replace("<wbr>", "\u200b")
    assert 'class="output_svg' in html and "<text" in html
    assert pdf == HTML(string=inline).write_pdf()
    assert "lane label" in pdf_text(pdf)


def test_an_svg_output_that_is_not_xml_stays_inline() -> None:
    page = '<div class="output_svg output_subarea">\n<svg><text>a &nbsp; b</text></svg>\n</div>'
    assert _SVG_OUTPUT.sub(_svg_as_image, page) == page
    well_formed = page.replace("&nbsp;", "&amp;")
    assert "<img" in _SVG_OUTPUT.sub(_svg_as_image, well_formed)


def test_pdf_creation_date_comes_only_from_the_page() -> None:
    html = notebook_to_html(briefing_notebook(), title=TITLE, marking=MARKING, created="2024-05-01")
    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert reader.metadata["/CreationDate"].startswith("D:20240501")


def test_long_table_spans_pages_with_page_numbers_and_repeated_header() -> None:
    html = notebook_to_html(briefing_notebook(rows=120), title=TITLE, marking=MARKING)
    data = html_to_pdf(html)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    text = pdf_text(data)
    assert pages >= 2
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    # The header row (upper-cased by the CSS) opens the table on every page it reaches.
    assert text.count("WHAT HAPPENED") == pages
    assert squeezed(text).count(squeezed(MARKING)) >= 2 * pages  # top and bottom of each page


def test_a_10000_letter_word_and_a_long_url_stay_inside_the_page(tmp_path) -> None:
    pdftotext = require_program("pdftotext")
    nb = briefing_notebook()
    long_url = "https://example.org/" + "segment/" * 40
    nb.cells[3].outputs[0]["data"]["text/html"] = (
        f"<table><thead><tr><th>No.</th><th>Notes</th></tr></thead><tbody>"
        f"<tr><td>1</td><td>{'x' * 10_000}</td></tr>"
        f"<tr><td>2</td><td>{long_url}</td></tr></tbody></table>"
        f"<p>{'y' * 10_000}</p>"
    )
    path = tmp_path / "long.pdf"
    path.write_bytes(html_to_pdf(notebook_to_html(nb, title=TITLE, marking=MARKING)))
    bbox = subprocess.run(
        [pdftotext, "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox)[1])
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges
    assert max(right_edges) <= page_width - 18 / 25.4 * 72 + 1  # within the right margin


# --- start-up cost ----------------------------------------------------------------------------


def test_render_keeps_the_slow_iri_grammar_out_but_validation_works() -> None:
    code = (
        "import sys, briefings.report.render, nbformat, jsonschema\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "checker = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
        "assert 'iri' not in checker.checkers and 'uri' in checker.checkers\n"
        "nbformat.validate(nbformat.v4.new_notebook())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the search runs gcc on Linux")
def test_weasyprint_loads_its_libraries_without_a_search_in_child_processes() -> None:
    # ctypes.util.find_library runs ldconfig, gcc and ld: about forty children per import.
    code = (
        "import ctypes.util\n"
        "searched = []\n"
        "ctypes.util.find_library = lambda name: searched.append(name)\n"
        "from briefings.report.render import html_to_pdf\n"
        "assert html_to_pdf('<p>x</p>').startswith(b'%PDF')\n"
        "assert searched == [], searched\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_weasyprint_still_loads_where_only_the_search_finds_its_libraries() -> None:
    # Every name WeasyPrint tries fails while the search is off: the import is made again,
    # with the search, and WeasyPrint's advice for a failed import is not printed.
    code = (
        "import cffi, ctypes.util\n"
        "direct = cffi.FFI.dlopen\n"
        "def dlopen(self, name, flags=0):\n"
        "    if ctypes.util.find_library(name) is None and '/' not in name:\n"
        "        raise OSError(name)\n"
        "    return direct(self, name, flags)\n"
        "cffi.FFI.dlopen = dlopen\n"
        "from briefings.report.render import html_to_pdf\n"
        "assert html_to_pdf('<p>x</p>').startswith(b'%PDF')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout == ""
