"""Rendering: an executed notebook (built here, no kernel) → HTML (the PDF: test_typst.py)."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest
from nbformat import v4

from briefings.report.render import (
    breakable,
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
