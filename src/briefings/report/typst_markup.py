"""Typst markup from templates: plain data in, Typst out, every value printed as text.

Typst markup runs code: `#read("…")`, `#import`, `#panic(…)`, `$…$` (maths), `@label`,
`<label>`, a stray `]`, a backslash or a `//` comment all change what the PDF says or make
the build fail. So a value from the data, the parameters or the notebook's prose reaches
Typst only through `escape`, which puts a backslash before every ASCII punctuation
character (Typst reads `\\#` as the character `#`, whatever follows it) and turns line
breaks into spaces. The templates under `templates/typst/` are Jinja with `escape` as the
finalizer of every `{{ … }}`; what a template, a macro or `string` made is a `Markup` and
passes unchanged, as in the HTML templates.

A template never joins text with `~` or `|join` when one side is markup: Jinja would escape
the other side for HTML, not Typst (a test renders every template with `&<>"'` to catch it).
"""

from __future__ import annotations

import functools
import re
import string as _string
import unicodedata
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from briefings.paths import TEMPLATES_DIR

# The MIME type of an output's Typst form, beside its text/html in one bundle.
TYPST_MIME = "text/x.typst"
TYPST_TEMPLATES = "typst"
EXPORTER_TEMPLATE = "index.typ.j2"  # nbconvert's: see typeset.py
# Every line break Python's str.splitlines knows: Typst would read one as a new line, two
# as a new paragraph, and a line that then begins with `=`, `-` or `+` as markup.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Runs of this many characters without a space get break opportunities (see escape): longer
# than a source id or an English word, which break only where Typst breaks them.
LONG_RUN = 30
CHUNK = 12
ZERO_WIDTH_SPACE = "\u200b"
_LONG_RUN = re.compile(rf"[^\s]{{{LONG_RUN},}}")
_BREAK_AFTER = frozenset("/.-_?=#,;:&")
_MARKUP_ESCAPES = {ord(c): "\\" + c for c in _string.punctuation} | {
    ord(c): " " for c in LINE_BREAKS
}
# Inside a Typst string literal only the backslash, the quote and line ends are special.
_STRING_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


def escape(value: object) -> Markup:
    """`value` as Typst markup that prints its text and nothing else (Markup passes).

    A long run without spaces (a URL, a 10,000-letter word) also gets break opportunities
    (zero-width spaces): Typst never breaks inside a word it cannot hyphenate, and the run
    would run off the page.
    """
    if isinstance(value, Markup):
        return value
    return Markup(_LONG_RUN.sub(_with_breaks, str(value)).translate(_MARKUP_ESCAPES))


def _with_breaks(run: re.Match[str]) -> str:
    """A long run with a break opportunity after URL punctuation, and every CHUNK
    characters in a stretch of letters longer than two chunks (never before a combining
    mark)."""
    out: list[str] = []
    since_break = 0
    text = run[0]
    for index, char in enumerate(text):
        out.append(char)
        since_break += 1
        following = text[index + 1 : index + 2]
        # Never before a combining mark, nor inside a run of punctuation ("://").
        if not following or following in _BREAK_AFTER:
            continue
        if unicodedata.category(following).startswith("M"):
            continue
        if char in _BREAK_AFTER or (since_break >= CHUNK and _plain_stretch(text, index)):
            out.append(ZERO_WIDTH_SPACE)
            since_break = 0
    return "".join(out)


def _plain_stretch(text: str, index: int) -> bool:
    """Whether `index` lies in a stretch without URL punctuation longer than two chunks."""
    start = max((text.rfind(c, 0, index + 1) for c in _BREAK_AFTER), default=-1) + 1
    ends = [p for p in (text.find(c, index) for c in _BREAK_AFTER) if p >= 0]
    return min(ends, default=len(text)) - start > 2 * CHUNK


def string(value: object) -> Markup:
    """`value` as a Typst string literal, for a template's code (`set document(title: …)`)."""
    return Markup('"' + str(value).translate(_STRING_ESCAPES) + '"')


def number(value: float) -> Markup:
    """A finite number as a Typst number literal, for a template's code (`dx: 12.5pt`)."""
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {value}")
    return Markup(f"{value:.3f}".rstrip("0").rstrip("."))


def render(template: str, /, **context: object) -> Markup:
    """The named template (a path under `templates/typst/`) rendered with `context`."""
    return Markup(_environment().get_template(template).render(**context))


def render_data(data: Any) -> Markup:
    """A section record in Typst: rendered by the template of the same name as its HTML
    template (`briefing/sections/x.html.j2` → `sections/x.typ.j2`); it sees it as `section`."""
    return render(typst_template(data.template), section=data)


def typst_template(html_template: str) -> str:
    """The Typst template that renders what `html_template` renders."""
    name = html_template.rsplit("/", 1)[-1].removesuffix(".html.j2")
    return f"sections/{name}.typ.j2"


def compile_all() -> None:
    """Compile the sections' and DataFrames' Typst templates now, for this process and its
    forks (a kernel renders them; the exporter's index.typ.j2 needs nbconvert's loader)."""
    environment = _environment()
    for name in environment.list_templates(filter_func=lambda n: n != EXPORTER_TEMPLATE):
        if name.endswith(".typ.j2"):
            environment.get_template(name)


def configure(environment: Environment) -> Environment:
    """Make a Jinja environment print Typst: values escaped, the package's filters."""
    # Autoescaping marks what templates and macros make as Markup, so the finalizer leaves
    # it alone; the finalizer escapes every other value for Typst before Jinja would
    # escape it for HTML (a Markup is not escaped again).
    environment.autoescape = True
    environment.finalize = escape
    environment.filters["string"] = string
    environment.filters["number"] = number
    environment.filters["thousands"] = lambda number: f"{number:,}"
    return environment


@functools.cache
def _environment() -> Environment:
    """One environment, kept: it compiles each template once per process."""
    return configure(
        Environment(
            loader=FileSystemLoader(TEMPLATES_DIR / TYPST_TEMPLATES),
            # A misspelt field fails the render instead of printing nothing.
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
    )
