"""Hostile text in every text field and parameter: the briefing builds, the text shows as
text, nothing executes, long words wrap, and the PDF renders. One real build."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import (
    SMALL_EVENTS,
    SMALL_SOURCES,
    SMALL_YAML,
    headless_chromium,
    require_program,
    start_tags,
    write_dataset,
)

from briefings.build.builder import build_briefing

pytestmark = pytest.mark.slow

# Each injection calls window.__pwned(...) if it ever runs; the page defines that first.
SCRIPT = "<script>window.__pwned('script')</script>"
IMG = "<img src=x onerror=\"window.__pwned('img')\">"
SVG = "<svg onload=\"window.__pwned('svg')\"><circle r='9'/></svg>"
ATTR = '" onmouseover="window.__pwned(\'attr\')" data-x="'
LINK = "<a href=\"javascript:window.__pwned('href')\">click</a>"
CSS = "<style>body{display:none}</style></style><script>window.__pwned('style')</script>"
MATH = "$\\frac{1}{$ and $x^{2$ cost $5"
# Typst markup: each would read a file, stop the build, import a package or make a label.
TYPST = '#read("/etc/hostname") #panic("x") #import "@preview/cetz:0.3.0": * @label <l> ]'
RTL = "العلاقات الأمريكية الباكستانية \u202eevil\u202c"
EMOJI = "🇺🇸🤝🇵🇰 👩🏽‍💻 🧨"
COMBINING = "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇"
# 10,000 characters: a pasted article (words) everywhere, one unbroken word in a few places.
LONG = ("Lorem ipsum dolor sit amet " * 400)[:10_000]
WORD = "W" * 10_000
HOSTILE = " ".join([SCRIPT, IMG, SVG, ATTR, LINK, CSS, MATH, TYPST, RTL, EMOJI, COMBINING])
SAMPLE = "onmouseover"  # plain ASCII from ATTR, for the PDF's extracted text


def hostile(tag: str, long: bool = False) -> str:
    """A field value with every injection, marked with the field's name."""
    return f"{tag}: {HOSTILE}" + (f" {LONG}" if long else "")


def _hostile_dataset(folder: Path) -> Path:
    """The small dataset with every text field hostile; one of each kind of field is also
    10,000 characters long (all of them would make a 170-page PDF of filler): a track
    label, a state label and a summary; an actor and a URL hold a 300-letter word, the
    title parameter (at most 500 characters) a 50-letter one (each 10,000-letter word in a
    table cell adds 15 pages)."""
    meta = yaml.safe_load(SMALL_YAML)
    meta["title"] = hostile("dataset title")
    meta["description"] = hostile("description")
    for i, track in enumerate(meta["tracks"]):
        track["label"] = hostile(f"track {track['id']}", long=i == 0)
    for i, state in enumerate(meta["states"]):
        state["label"] = hostile(f"state {state['id']}", long=i == 1)
        state["meaning"] = hostile(f"meaning {state['id']}")
    sources = [
        {
            **source,
            "outlet": hostile("outlet"),
            "title": hostile("source title"),
            "author": hostile("author"),
            "url": f"https://example.org/{WORD[:300] if i == 0 else ''}?q={ATTR}{SCRIPT}",
            "notes": hostile("source notes"),
        }
        for i, source in enumerate(SMALL_SOURCES)
    ]
    events = [
        {
            **event,
            "summary": hostile(f"summary {event['event_id']}", long=i == 1),
            "actors": f"{hostile('actor one')};{WORD[:300] if i == 1 else 'actor two'}",
            "notes": hostile("event notes"),
        }
        for i, event in enumerate(SMALL_EVENTS)
    ]
    return write_dataset(
        folder, yaml_text=yaml.safe_dump(meta, allow_unicode=True), sources=sources, events=events
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = _hostile_dataset(root / "data")
    raw = {
        "data_dir": str(data),
        # Within MAX_TEXT_CHARS: the injections that reach a title's or marking's places
        # (HTML's <title>, an attribute, Typst's running head and document metadata).
        "title": f"param title: {' '.join([SCRIPT, ATTR, CSS, MATH, TYPST, RTL])} {WORD[:50]}",
        "marking": f"marking: {' '.join([SCRIPT, ATTR, CSS, MATH, TYPST, RTL, EMOJI])}",
        "build_date": "2026-11-25",
    }
    return build_briefing(raw, out=root / "reports" / "hostile")


def test_html_has_no_injected_element_or_handler(built):
    html = (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    elements = start_tags(html)
    assert [t for t, _ in elements if t in ("script", "img", "iframe", "object")] == []
    for tag, attrs in elements:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not str(attrs.get("href", "")).startswith("javascript:"), (tag, attrs)
    assert "<style>body{display:none}" not in html
    assert "&lt;script&gt;window.__pwned" in html


def test_nothing_executes_in_a_browser_and_long_words_wrap(built):
    dialogs, errors = [], []
    with headless_chromium() as browser:
        for width in (1024, 794):  # a desktop window; A4 width at 96 dpi
            context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
            context.add_init_script(
                "window.__calls = [];window.__pwned = (what) => window.__calls.push(String(what));"
            )
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((built.out_dir / "briefing.html").resolve().as_uri())
            page.hover("main")  # an injected onmouseover would fire now
            page.mouse.move(width / 2, 300)
            assert page.evaluate("window.__calls") == []
            assert page.evaluate("document.querySelectorAll('script').length") == 0
            body = page.inner_text("body")
            assert SCRIPT in body and CSS in body  # shown as text, whole
            assert "summary e2: " in body and RTL.split()[0] in body
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 4, (width, overflow)
            context.close()
    assert dialogs == [] and errors == []


def test_pdf_renders_with_the_text_as_text(built):
    pdftotext = require_program("pdftotext")
    result = subprocess.run(
        [pdftotext, str(built.out_dir / "briefing.pdf"), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    text = re.sub(r"\s+", " ", result.stdout).replace("\u200b", "")
    assert SAMPLE in text and "window.__pwned" in text
    assert "summary e2" in text
    # Typst markup in the data prints as its characters; the build read no file, stopped at
    # no panic and downloaded nothing.
    assert '#read("/etc/hostname") #panic("x") #import "@preview/cetz:0.3.0"' in text


def test_chart_text_is_escaped(built):
    svg = (built.out_dir / "timeline.svg").read_text(encoding="utf-8")
    # Escaped text (a tooltip's `onload=&quot;`) is fine; an attribute is not.
    assert "<script" not in svg and 'onload="' not in svg.replace('onload=\\"', "")
