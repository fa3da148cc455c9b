"""Shared test helpers: small datasets built in the test, and system-program checks."""

from __future__ import annotations

import csv
import os
import shutil
import textwrap
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.paths import default_dataset

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def skip_unless_ci(reason: str) -> None:
    """Skip the test for a missing program, or fail it when CI is 'true' (CI never passes by
    skipping)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must not pass by skipping")
    pytest.skip(reason)


def require_program(name: str) -> str:
    """Path of a system program; skip the test without it, or fail when CI is 'true'."""
    path = shutil.which(name)
    if path is None:
        skip_unless_ci(f"{name} is not installed (Debian: see .ci/run)")
    return path


# As the machine's probe starts it: without the background-networking flags Chromium
# tries to reach Google's hosts, which this closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def headless_chromium():
    """A Playwright browser on Debian's chromium (skips or fails as require_program says)."""
    executable = require_program("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


# The widths a reader sees a briefing at: a phone's and a desktop's, in CSS pixels.
WIDTHS = {"phone": 390, "desktop": 1280}


def measured_at_widths(html: Path, measure) -> dict[str, dict]:
    """`measure(page)` of the HTML file opened in headless Chromium at each of WIDTHS."""
    measured = {}
    with headless_chromium() as browser:
        for name, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html.resolve().as_uri())
            measured[name] = measure(page)
            page.close()
    return measured


# The words under an element that a browser drew on two lines or more: broken between two
# letters or digits, with a hyphen or without (a line may end after a dash or a slash, where
# the text has one). Text drawn in a box a pixel wide (visually hidden, for screen
# readers) is left out; text not drawn at all has no lines.
_BROKEN_WORDS = """(root) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.getBoundingClientRect().width <= 1) continue;
    for (const word of node.data.matchAll(/[^\\s\\/\\u2010-\\u2015-]+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""


def broken_words(page, selector: str) -> list[str]:
    """The words under the first element matching `selector` that the page shows broken
    across lines (a Playwright page)."""
    return page.eval_on_selector(selector, _BROKEN_WORDS)


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(html: str) -> list[tuple[str, dict]]:
    """Every element a browser's parser would create, with its attributes."""
    parser = _StartTags()
    parser.feed(html)
    return parser.tags


SMALL_YAML = textwrap.dedent("""\
    id: small
    title: Small test relationship
    window: {start: 2020-01-01, end: 2021-12-31}
    tracks:
      - {id: aid, label: Aid, states: ["on", "off"]}
      - {id: mood, label: Mood, states: [calm, tense]}
    states:
      - {id: "on", label: "On", colour: "#009E73", meaning: running}
      - {id: "off", label: "Off", colour: "#D55E00", meaning: stopped}
      - {id: calm, label: Calm, colour: "#0072B2", meaning: calm}
      - {id: tense, label: Tense, colour: "#CC79A7", meaning: tense}
    """)

SMALL_SOURCES = [
    {
        "source_id": "s1",
        "outlet": "Wire",
        "title": "First",
        "author": "A",
        "published": "2020-03-01",
        "url": "",
        "kind": "wire",
        "reliability": "B",
        "notes": "",
    },
    {
        "source_id": "s2",
        "outlet": "Blog",
        "title": "Second",
        "author": "B",
        "published": "2021-06-01",
        "url": "",
        "kind": "forum",
        "reliability": "E",
        "notes": "",
    },
]

SMALL_EVENTS = [
    {
        "event_id": "e1",
        "date": "2019",
        "precision": "year",
        "track": "aid",
        "kind": "change",
        "state": "on",
        "summary": "Aid began.",
        "source_ids": "s1",
        "credibility": "2",
    },
    {
        "event_id": "e2",
        "date": "2020-02-10",
        "precision": "day",
        "track": "aid",
        "kind": "change",
        "state": "off",
        "summary": "Aid stopped.",
        "source_ids": "s1",
        "credibility": "2",
    },
    {
        "event_id": "e3",
        "date": "2021-05",
        "precision": "month",
        "track": "aid",
        "kind": "confirm",
        "state": "off",
        "summary": "Still stopped.",
        "source_ids": "s2",
        "credibility": "3",
    },
    {
        "event_id": "e4",
        "date": "2020-01-05",
        "precision": "day",
        "track": "mood",
        "kind": "change",
        "state": "tense",
        "summary": "Tension.",
        "source_ids": "s1",
        "credibility": "2",
    },
    {
        "event_id": "e5",
        "date": "2021-05-20",
        "precision": "day",
        "track": "aid",
        "kind": "dispute",
        "state": "",
        "summary": "A blog says aid never stopped.",
        "source_ids": "s2",
        "credibility": "5",
        "disputes": "e2",
    },
]


def write_dataset(
    folder: Path,
    *,
    yaml_text: str = SMALL_YAML,
    sources=None,
    events=None,
) -> Path:
    """Write a small valid dataset (or a variant of it) into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text(yaml_text, encoding="utf-8")
    for name, columns, rows in (
        ("sources.csv", SOURCE_COLUMNS, sources or SMALL_SOURCES),
        ("events.csv", EVENT_COLUMNS, events or SMALL_EVENTS),
    ):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
    return folder


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """A valid two-track dataset of another relationship, in a temporary folder."""
    return write_dataset(tmp_path / "small")


# Views of the shipped dataset worth checking one by one: the default, two knowledge dates,
# a past window, a stricter grade and a subset of tracks.
SHIPPED_VIEWS = [
    {},
    {"as_of": "2018-12-31"},
    {"as_of": "2020-06-30"},
    {"start": "2019-01-01", "end": "2019-12-31"},
    {"min_reliability": "C"},
    {"tracks": "imet,cis_moa"},
]


def view_id(raw: dict) -> str:
    """A parametrised view's name in the test report: 'as_of=2018-12-31'."""
    return ",".join(f"{k}={v}" for k, v in raw.items()) or "default"


@pytest.fixture
def shipped_dataset() -> Path:
    """The shipped US–Pakistan dataset."""
    return default_dataset()


def fake_build(
    out: Path, built_at: str, formats=("html", "pdf"), keep: int | None = None, bottom_line=()
) -> Path:
    """Publish, through the real mechanism, a folder that looks like a complete build
    (with `bottom_line`, the plain-text paragraphs a real build records)."""
    from briefings.build.folder import BuildFolder, Digest, Manifest
    from briefings.build.publish import new_staging, publish

    folder = BuildFolder(new_staging(out))
    for kind in formats:
        folder.briefing(kind).write_text(f"{kind} built at {built_at}\n")
    manifest = Manifest(built_at=built_at, formats=tuple(formats), digest=Digest(bottom_line))
    folder.write_manifest(manifest)
    return publish(folder.path, out, keep=keep)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (children of each of its threads)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found
