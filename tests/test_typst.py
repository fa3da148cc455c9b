"""Typst: values escaped as text, markdown cells converted, outputs typeset (no kernel)."""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import require_program
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from nbformat import v4
from pypdf import PdfReader

from briefings.exceptions import BuildError
from briefings.report import typst_markup
from briefings.report.formatters import Shown, dataframe_typst, register
from briefings.report.markdown_typst import markdown_to_typst
from briefings.report.typeset import FONTS_DIR, notebook_to_pdf, notebook_to_typst
from briefings.report.typst_markup import TYPST_MIME

# Typst markup that runs code, reads files, makes maths, labels or comments, or closes a
# block the template opened: each must print as these characters.
HOSTILE = [
    '#read("/etc/hostname")',
    '#panic("x")',
    '#import "@preview/cetz:0.3.0": *',
    "$x^2$ and $$",
    "@label and <label>",
    "] ) } [ ( {",
    "back\\slash \\ and \\u{41}",
    "// a comment /* and a block */",
    "= not a heading",
    "- not a list",
    "+ not an enum",
    "1. not numbered",
    "/ term: not a term",
    "*bold* _emph_ `raw` ~ --- -- ... -? 'single' \"double\"",
    "http://example.org/a//b",
    "#{ let x = 1 }#x.y;#x()",
    "line one\nline two\n\n= heading after a blank line\u2028- and a separator",
    "&amp; <b>tag</b> &#39; ' \"",
]


def pdf_text(data: bytes) -> str:
    """The PDF's text, its whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def typeset(markup: str, tmp_path: Path) -> bytes:
    """A minimal document holding `markup`, compiled as the briefing is."""
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell("x", outputs=[_display({TYPST_MIME: markup})])]
    return notebook_to_pdf(nb, title="t", marking="m", root=tmp_path, built=date(2026, 1, 2)).pdf


def typeset_text(markup: str) -> str:
    """What a PDF holding `markup` says (typeset in a temporary folder)."""
    with tempfile.TemporaryDirectory() as root:
        return pdf_text(typeset(markup, Path(root)))


def _display(data: dict) -> nbformat.NotebookNode:
    return v4.new_output("display_data", data=data)


def _squeezed(text: str) -> str:
    return " ".join(text.split())


# --- escaping --------------------------------------------------------------------------------


def test_hostile_values_print_as_text(tmp_path) -> None:
    markup = "\n\n".join(f"START{i} {typst_markup.escape(v)} END{i}" for i, v in enumerate(HOSTILE))
    text = pdf_text(typeset(markup, tmp_path))
    for i, value in enumerate(HOSTILE):
        shown = re.search(rf"START{i} (.*?) END{i}", text)
        assert shown, value
        assert shown[1] == _squeezed(value), value
    assert not list(tmp_path.iterdir()), "Typst's scratch files stay behind"


def test_escape_leaves_no_punctuation_bare_and_no_line_break() -> None:
    escaped = typst_markup.escape("a#b\nc\r\nd\u2029e")
    assert escaped == "a\\#b c  d e"
    assert isinstance(escaped, Markup)
    assert typst_markup.escape(escaped) is escaped  # markup passes unchanged


# What the escaping is about (ASCII: every character Typst markup gives a meaning), line
# breaks, and a few letters the fonts hold.
TEXT = st.text(alphabet=string.printable + "éü–—’“”…\u2028\u0085\xa0", min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(TEXT.filter(str.strip))
@example("0000000000000000000000000000_0")  # a break kept in the text layer
def test_any_text_prints_as_itself(tmp_path_factory, value: str) -> None:
    root = tmp_path_factory.mktemp("any")
    text = pdf_text(typeset(f"START {typst_markup.escape(value)} END", root))
    # The break opportunities escape() adds inside a long run are zero-width spaces: they
    # print nothing, but Typst keeps some of them in the text layer, so they are left out.
    printed = re.search(r"START (.*) END", text)[1].replace(typst_markup.ZERO_WIDTH_SPACE, "")
    assert printed == _squeezed(value.replace("\xa0", " "))


def test_a_string_literal_holds_any_value(tmp_path) -> None:
    values = ['quote " and backslash \\', "new\nline", '#panic("x")']
    markup = "".join(
        f"#let v{i} = {typst_markup.string(v)}\n#v{i} END{i}\n\n" for i, v in enumerate(values)
    )
    text = pdf_text(typeset(markup, tmp_path))
    for i, value in enumerate(values):
        assert f"{_squeezed(value)} END{i}" in text


# --- section templates --------------------------------------------------------------------------


def _hostile_copy(record, value: str):
    """The record with every text field (however deep) replaced by `value`."""
    if isinstance(record, str):
        return value
    if isinstance(record, tuple):
        return tuple(_hostile_copy(item, value) for item in record)
    if dataclasses.is_dataclass(record):
        changes = {}
        for field in dataclasses.fields(record):
            current = getattr(record, field.name)
            if field.name == "colour":  # a #RRGGBB checked by the sections, or None
                continue
            changes[field.name] = _hostile_copy(current, value)
        return dataclasses.replace(record, **changes)
    return record


@pytest.fixture(scope="module")
def section_records():
    """Every section of the shipped briefing, as plain records (no kernel)."""
    from briefings.briefing import Briefing
    from briefings.report import sections
    from briefings.report.bottomline import bottom_line
    from briefings.report.changes import changes_since_section
    from briefings.report.quality import quality_of_information

    view = Briefing.prepare(build_date="2026-11-25").view
    return {
        "title": sections.title_block(view),
        "bottom_line": bottom_line(view),
        "chart_in_words": sections.chart_in_words("One.\nTwo."),
        "changes": sections.changes_table(view),
        "contested": sections.contested_claims(view),
        "sources": sections.sources_table(view),
        "quality": quality_of_information(view),
        "grade_key": sections.grade_key(),
        "method": sections.method_facts(view.dataset, view.params, dataset_hash="ab12"),
        "changes_since": changes_since_section(None, view.dataset),
    }


def test_every_section_template_prints_hostile_values_as_text(section_records, tmp_path) -> None:
    value = '#read("/etc/hostname") ] $x$ @l <l> & "q" // c'
    parts = []
    for name, record in section_records.items():
        typst = typst_markup.render_data(_hostile_copy(record, value))
        # Jinja escapes for HTML where a template joins markup and text: never here.
        assert not re.search(r"&(amp|lt|gt|quot|#3[49]);", typst), name
        parts.append(typst)
    text = pdf_text(typeset("\n\n".join(parts), tmp_path))
    assert text.count(value) >= len(section_records) - 2  # the grade key has no text fields


def test_sections_render_in_both_forms(section_records) -> None:
    shown = Shown.of(section_records["changes"])
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/html", TYPST_MIME, "text/plain"}
    assert "<table" in bundle["text/html"] and "#bf-table(" in bundle[TYPST_MIME]


# --- markdown ----------------------------------------------------------------------------------


def _converted(source: str, images=None):
    warnings: list[str] = []
    typst = markdown_to_typst(source, image=(images or {}).get, warn=warnings.append)
    return typst, warnings


def test_markdown_constructs_become_typst_and_text_stays_text(tmp_path) -> None:
    source = (
        "## Heading with *emphasis*\n\nA **strong** word, `code`, [a link](https://example.org) "
        'and #panic("x") $y$.\n\n- one\n- two\n  1. nested\n\n> quoted\n\n'
        "| Left | Right |\n|:--|--:|\n| a | 1 |\n\n```python\nprint(']')\n```\n\n---\n"
    )
    typst, warnings = _converted(source)
    assert warnings == []
    for made in (
        "#heading(level: 2)[",
        "#emph[",
        "#strong[",
        '#raw("code")',
        "#link(",
        "#list(",
        "#enum(",
        "#quote(",
        "#table(columns: 2",
        'lang: "python"',
    ):
        assert made in typst, made
    text = pdf_text(typeset(typst, tmp_path))
    for shown in (
        "Heading with emphasis",
        'A strong word, code, a link and #panic("x") $y$.',
        "quoted",
        "Left",
        "Right",
        "print(']')",
    ):
        assert shown in text, shown


def test_raw_html_is_left_out_with_a_warning() -> None:
    typst, warnings = _converted("Text <b>bold</b> here.\n\n<div>block</div>\n")
    assert "bold" in typst and "<b>" not in typst and "div" not in typst
    assert len(warnings) == 3 and all("raw HTML is left out" in w for w in warnings)


def test_headings_keep_their_last_block_with_what_follows() -> None:
    typst = markdown_to_typst(
        "## Title\n\nIntro.\n\nLast.", image=lambda s: None, warn=print, keep_with_next=True
    )
    assert typst.count("#block(sticky: true") == 1 and "sticky: true, width: 100%)[Last" in typst


# --- the exporter -----------------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20">'
    '<text x="0" y="15">chart label</text></svg>'
)


def _notebook() -> nbformat.NotebookNode:
    nb = v4.new_notebook()
    attachment = {"pic.png": {"image/png": base64.b64encode(PNG).decode()}}
    nb.cells = [
        v4.new_code_cell("p = 1", metadata={"tags": ["parameters"]}),
        v4.new_markdown_cell(
            "## Section\n\nIntro ![a picture](attachment:pic.png)", attachments=attachment
        ),
        v4.new_code_cell(
            "chart()", metadata={"tags": ["chart"]}, outputs=[_display({"image/svg+xml": SVG})]
        ),
        v4.new_code_cell(
            "x",
            outputs=[
                _display(
                    {
                        "text/html": "<p>only html</p>",
                        "text/plain": "<IPython.core.display.HTML object>",
                    }
                ),
                _display({"text/html": "<table/>", "text/plain": "   a\n0  1"}),
                v4.new_output("stream", name="stdout", text='printed #panic("x")\n'),
                v4.new_output("stream", name="stderr", text="a warning\n"),
                v4.new_output(
                    "execute_result",
                    data={"image/png": base64.b64encode(PNG).decode(), "text/plain": "<Figure>"},
                    execution_count=1,
                ),
            ],
        ),
        v4.new_markdown_cell("## Empty", metadata={"tags": ["assessment"]}),
    ]
    return nb


def test_outputs_show_their_best_typst_form(tmp_path) -> None:
    notebook = _notebook()
    source, resources = notebook_to_typst(notebook, title="T", marking="M")
    assert "p = 1" not in source and "Empty" not in source
    assert source.count("#chart-image(") == source.count("#output-image(") == 1
    assert "#box(image(" in source  # the attached picture
    assert len(resources["outputs"]) == 3  # the chart, the figure, the attachment
    assert resources["typst_warnings"] == [
        f"cell {notebook.cells[3].id!r}: an HTML output with no Typst form is left out of the PDF"
    ]
    result = notebook_to_pdf(
        notebook, title="T", marking="M", root=tmp_path, built=date(2026, 1, 2)
    )
    text = pdf_text(result.pdf)
    assert "chart label" in text  # the SVG's text stays text
    assert 'printed #panic("x")' in text and "0 1" in text
    assert "a warning" not in text and "only html" not in text
    assert not list(tmp_path.iterdir())


def test_same_notebook_same_bytes_and_the_date_is_the_build_date(tmp_path) -> None:
    first = notebook_to_pdf(
        _notebook(), title="T", marking="M", root=tmp_path, built=date(2026, 1, 2)
    )
    again = notebook_to_pdf(
        _notebook(), title="T", marking="M", root=tmp_path, built=date(2026, 1, 2)
    )
    assert first.pdf == again.pdf
    reader = PdfReader(io.BytesIO(first.pdf))
    assert reader.metadata["/CreationDate"].startswith("D:20260102")
    assert reader.metadata.title == "T"


def test_the_environment_cannot_change_the_pdf(tmp_path) -> None:
    """The bytes depend on the notebook and the build date only: another process whose
    environment names other fonts, another font cache, home or clock (what a fontconfig
    or SOURCE_DATE_EPOCH reader would follow) typesets the same PDF as this one."""
    built = date(2026, 1, 2)
    here = notebook_to_pdf(_notebook(), title="T", marking="M", root=tmp_path, built=built).pdf
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(FONTS_DIR / "DejaVuSans.ttf", fonts / "Other.ttf")
    saved = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), saved)
    script = (
        "import sys, nbformat; from datetime import date; from pathlib import Path;"
        "from briefings.report.typeset import notebook_to_pdf;"
        "nb = nbformat.read(sys.argv[1], as_version=4);"
        "sys.stdout.buffer.write(notebook_to_pdf(nb, title='T', marking='M',"
        " root=Path(sys.argv[2]), built=date(2026, 1, 2)).pdf)"
    )
    root = tmp_path / "elsewhere"
    root.mkdir()
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "FONTCONFIG_FILE": "/dev/null",
        "TYPST_FONT_PATHS": str(fonts),
        "SOURCE_DATE_EPOCH": "0",
        "TZ": "Pacific/Kiritimati",
        "LANG": "de_DE.UTF-8",
    }
    there = subprocess.run(
        [sys.executable, "-c", script, str(saved), str(root)],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert there == here


def test_a4_pages_with_the_marking_title_and_page_numbers(tmp_path) -> None:
    """A long table runs over pages, its header row on each; every page carries the title,
    the marking twice and its number."""
    rows = "".join(f"[{i}], [Event number {i} in a long table.], " for i in range(1, 121))
    markup = f"#bf-table(columns: (auto, 1fr), table.header([No.], [What happened]), {rows})"
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell("x", outputs=[_display({TYPST_MIME: markup})])]
    built = date(2026, 1, 2)
    pdf = notebook_to_pdf(nb, title="Aid review", marking="SECRET", root=tmp_path, built=built)
    reader = PdfReader(io.BytesIO(pdf.pdf))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, 1):
        assert page.mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
        assert page.mediabox.height == pytest.approx(841.89, abs=0.5)
        text = page.extract_text()
        assert text.count("SECRET") == 2 and "Aid review" in text
        assert f"Page {number} of {pages}" in text
        assert "What happened" in text  # the header row, repeated


def test_a_10000_letter_word_and_a_long_url_stay_inside_the_page(tmp_path) -> None:
    pdftotext = require_program("pdftotext")
    url = "https://example.org/" + "segment/" * 40
    word = typst_markup.escape("x" * 10_000)
    link = f"#link({typst_markup.string(url)})[{typst_markup.escape(url)}]"
    markup = f"#bf-table(columns: (auto, 1fr), [1], [{word}], [2], [{link}])\n\n{word}"
    path = tmp_path / "long.pdf"
    path.write_bytes(typeset(markup, tmp_path))
    bbox = subprocess.run(
        [pdftotext, "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox)[1])
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges
    assert max(right_edges) <= page_width - 18 / 25.4 * 72 + 1  # within the right margin


def test_a_typst_error_is_one_line(tmp_path) -> None:
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell("x", outputs=[_display({TYPST_MIME: '#panic("stop")'})])]
    with pytest.raises(BuildError) as caught:
        notebook_to_pdf(nb, title="T", marking="M", root=tmp_path, built=date(2026, 1, 2))
    assert "typesetting the PDF failed" in str(caught.value) and "\n" not in str(caught.value)


# --- DataFrames ------------------------------------------------------------------------------


def test_a_dataframe_becomes_a_typst_table_cut_as_pandas_cuts_it(tmp_path) -> None:
    frame = pd.DataFrame({"value #": [i * 1.5 for i in range(100)], "label": ["#panic()"] * 100})
    typst = dataframe_typst(frame)
    text = pdf_text(typeset(typst, tmp_path))
    assert "value #" in text and "#panic()" in text and "148.5 " in text
    assert "…" in text and "100 rows × 2 columns" in text


def test_register_gives_dataframes_a_typst_form() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    register(shell)
    register(shell)
    data, _ = shell.display_formatter.format(pd.DataFrame({"a": [1]}))
    assert TYPST_MIME in data and "text/html" in data
