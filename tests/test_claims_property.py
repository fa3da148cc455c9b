"""Every sentence follows from what its view can see, whatever the view.

Random windows, `as_of` dates, track subsets and `min_reliability` grades on the shipped
dataset and on a synthetic one. The page is read as a reader and a tool would read it:
each claim a sentence carries (its `data-claims` keys) must agree with states.csv of the
same view, and nothing from outside the view (an uncounted source's outlet, title or
notes; an uncounted event's summary or figure) nor any raw id may appear in its text.

The checks here are written against states.csv and the dataset's files only, not against
the claims module, so that they judge the generator rather than repeat it. A hundred
views are rendered in-process (every section but the chart's drawing); three full builds
check the published HTML, its chart tooltips included, and the states.csv beside it.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import date, timedelta
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import PROJECT_ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.data.dataset import RELIABILITY_GRADES, Dataset, load_dataset
from briefings.data.dates import format_partial
from briefings.data.params import Parameters, coerce_parameters, resolve_parameters
from briefings.data.states import states_to_csv
from briefings.paths import default_dataset
from briefings.report import chart
from briefings.report.notebook import Briefing
from briefings.report.words import lower_first

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from bench import synthetic_dataset

SHIPPED = load_dataset(default_dataset())
_SYNTHETIC: list[Dataset] = []


def synthetic() -> Dataset:
    """The benchmark's synthetic dataset of 300 events, made once per session."""
    if not _SYNTHETIC:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="briefings-claims-")) / "synthetic-300"
        _SYNTHETIC.append(load_dataset(synthetic_dataset(folder, 300)))
    return _SYNTHETIC[0]


# --- the page as read -------------------------------------------------------------------


class _Page(HTMLParser):
    """The text a reader sees (tooltips included, the dataset hash left out) and each
    element that carries claims, with its text."""

    _SKIP = frozenset({"style", "script"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.claimed: list[tuple[list[str], list[str]]] = []
        self._open: list[tuple[str, list[str] | None, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        keys = attrs.get("data-claims")
        skip = tag in self._SKIP or "bf-hash" in (attrs.get("class") or "").split()
        if keys is not None:
            self.claimed.append((keys.split(), []))
        self._open.append((tag, self.claimed[-1][1] if keys is not None else None, skip))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(skip for _tag, _texts, skip in self._open):
            return
        self.text.append(data)
        for _tag, texts, _skip in self._open:
            if texts is not None:
                texts.append(data)


def read_page(html: str) -> tuple[str, list[tuple[list[str], str]]]:
    parser = _Page()
    parser.feed(html)
    parser.close()
    text = " ".join(" ".join(parser.text).split())
    return text, [(keys, " ".join(" ".join(parts).split())) for keys, parts in parser.claimed]


def read_states(text: str) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        row["event_ids"] = row["event_ids"].split(";") if row["event_ids"] else []
        row["source_ids"] = row["source_ids"].split(";") if row["source_ids"] else []
    return rows


# --- what the view may show -------------------------------------------------------------


def counted_ids(dataset: Dataset, params: Parameters) -> set[str]:
    floor = RELIABILITY_GRADES.index(params.min_reliability)
    return {
        s.source_id
        for s in dataset.sources.itertuples()
        if (params.as_of is None or s.published <= params.as_of)
        and RELIABILITY_GRADES.index(s.reliability) <= floor
    }


def visible_ids(dataset: Dataset, params: Parameters, counted: set[str]) -> set[str]:
    return {
        e.event_id
        for e in dataset.events.itertuples()
        if set(e.source_ids) & counted and (params.as_of is None or e.date <= params.as_of)
    }


def _absent(text: str, needle: str) -> bool:
    return not needle or re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is None


def _figures(event) -> list[str]:
    found = []
    if not pd.isna(event.amount_usd):
        amount = int(event.amount_usd)
        found += [f"{amount:,}", f"{amount // 10**6} million" if amount % 10**6 == 0 else ""]
    if not pd.isna(event.quantity):
        found.append(f"{int(event.quantity):,}")
    return [f for f in found if f]


def assert_follows_view(html: str, states_csv: str, dataset: Dataset, params: Parameters):
    """The page of one view against states.csv of the same view and the dataset's rows."""
    text, claimed = read_page(html)
    rows = read_states(states_csv)
    events = {e.event_id: e for e in dataset.events.itertuples()}
    counted = counted_ids(dataset, params)
    visible = visible_ids(dataset, params, counted)
    in_view = {e for e in visible if events[e].track in params.tracks}

    # Every track in a known state at the window's end says so in a checked sentence.
    at_end = {r["track"] for r in rows if not r["end"] or r["end"] == params.end.isoformat()}
    claimed_tracks = {key.split("|")[0] for keys, _ in claimed for key in keys}
    assert at_end <= claimed_tracks, (at_end, claimed_tracks)

    said: dict[str, list[str]] = {}
    for keys, sentence in claimed:
        for key in keys:
            said.setdefault(key, []).append(sentence)
    for key, sentences in said.items():
        _check_claim(key, " ".join(sentences), rows, events, counted, params, dataset)

    # No raw id anywhere in the text, and nothing from outside the view.
    # (A web address may hold anything; it is the source's own, shown as such.)
    words = re.sub(r"https?://\S+", " ", text)
    tokens = {t.rstrip(".") for t in re.findall(r"[\w.-]+", words)}
    raw_ids = tokens & (set(events) | set(dataset.sources["source_id"]))
    assert not raw_ids, (sorted(raw_ids), "raw ids in the text")
    for event in dataset.events.itertuples():
        if event.event_id not in in_view:
            assert event.summary not in text, (event.event_id, "an event outside the view")
    inside_figures = {f for e in in_view for f in _figures(events[e])}
    for event_id in set(events) - in_view:
        for figure in set(_figures(events[event_id])) - inside_figures:
            assert _absent(text, figure), (event_id, figure, "a figure outside the view")
    for source in dataset.sources.itertuples():
        if source.source_id not in counted:
            for field in (source.title, source.notes, source.outlet):
                assert _absent(text, field), (source.source_id, field, "an uncounted source")


def _check_claim(key, said, rows, events, counted, params, dataset):
    """One claim's key against its row of states.csv and the dataset's events; `said` is
    every sentence that carries the claim."""
    track, state, start, opened, latest, later, cited, challenges = key.split("|")
    matching = [r for r in rows if (r["track"], r["state"], r["start"]) == (track, state, start)]
    assert len(matching) == 1, (key, "no such stretch in states.csv")
    row = matching[0]
    assert row["event_ids"][0] == opened, (key, "does not open its stretch")
    for event_id in filter(None, (opened, latest, later)):
        event = events[event_id]
        assert event_id in row["event_ids"], (key, event_id)
        assert (event.track, event.state) == (track, state), (key, event_id, "other state")
        assert event.kind in ("change", "confirm"), (key, event_id)
        assert set(event.source_ids) & counted, (key, event_id, "rests on no counted source")
    assert events[latest].date <= params.end, (key, "latest after the window")
    assert not later or events[later].date > params.end, (key, "later inside the window")
    began = events[opened]
    if began.date >= params.start:
        assert (start, row["start_precision"]) == (began.date.isoformat(), began.precision), key
    for source_id in filter(None, cited.split(",")):
        assert source_id in counted and source_id in row["source_ids"], (key, source_id)
    for dispute in filter(None, challenges.split(",")):
        assert events[dispute].kind == "dispute" and events[dispute].disputes in row["event_ids"]
    assert (row["contested"] == "True") == bool(challenges), (key, "contested")
    # What is said names the state and dates it from the event that began it, never from
    # the publication of a later report.
    assert lower_first(dataset.states[state].label) in said, (key, said)
    assert format_partial(began.date, began.precision) in said, (key, said)


# --- the views --------------------------------------------------------------------------

DAY0 = date(2016, 1, 1)
DAYS = st.integers(0, 365 * 9)


@st.composite
def views(draw) -> tuple[Dataset, Parameters]:
    dataset = draw(st.sampled_from(["shipped", "synthetic"]))
    dataset = SHIPPED if dataset == "shipped" else synthetic()
    start = DAY0 + timedelta(draw(DAYS))
    end = start + timedelta(draw(st.integers(1, 365 * 6)))
    as_of = draw(st.none() | DAYS.map(lambda d: DAY0 + timedelta(d)))
    tracks = draw(
        st.lists(st.sampled_from([t.id for t in dataset.tracks]), min_size=1, unique=True)
    )
    raw = {
        "data_dir": str(dataset.path),
        "start": start,
        "end": end,
        "as_of": as_of,
        "tracks": ",".join(tracks),
        "min_reliability": draw(st.sampled_from(RELIABILITY_GRADES)),
        "build_date": "2026-11-12",
    }
    return dataset, resolve_parameters(coerce_parameters(raw), dataset)


def rendered(briefing: Briefing) -> str:
    """Every generated section the notebook shows, and the chart's tooltips without its
    drawing."""
    calls = (
        briefing.title_block,
        briefing.bottom_line,
        briefing.chart_in_words,
        briefing.changes,
        briefing.contested,
        briefing.sources,
        briefing.quality,
        briefing.method,
    )
    claims = chart.chart_claims(briefing.view)
    tooltips = [*claims.stretch_titles.values(), *claims.marker_titles.values()]
    return "\n".join([*(call().html for call in calls), *(f"<p>{escape(t)}</p>" for t in tooltips)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(view=views())
def test_every_claim_holds_in_its_view(view):
    dataset, params = view
    briefing = Briefing.of(params, dataset)
    assert_follows_view(rendered(briefing), states_to_csv(briefing.table), dataset, params)


BUILDS = [
    {},
    {"start": "2019-01-01", "end": "2019-12-31"},
    {"as_of": "2018-12-31", "min_reliability": "D", "tracks": "mil_cooperation,imet"},
]


@pytest.mark.slow
@pytest.mark.parametrize("raw", BUILDS, ids=lambda raw: ",".join(raw) or "default")
def test_a_full_build_says_only_what_its_states_csv_supports(raw, tmp_path):
    from briefings.build.builder import build_briefing

    result = build_briefing(
        {**raw, "build_date": "2026-11-12"}, out=tmp_path / "b", formats=("html",)
    )
    folder = result.out_dir
    params = resolve_parameters(coerce_parameters({**raw, "build_date": "2026-11-12"}), SHIPPED)
    html = (folder / "briefing.html").read_text(encoding="utf-8")
    assert_follows_view(html, (folder / "states.csv").read_text(encoding="utf-8"), SHIPPED, params)
