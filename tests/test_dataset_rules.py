"""Dataset rules that span rows: a relay is not corroboration (`derived_from`), a date is
no more precise than it is known (`published_precision`), a confirm does not change a
state. Each with its exact message."""

from __future__ import annotations

import pytest
from conftest import SMALL_EVENTS, SMALL_SOURCES, write_dataset

from briefings.data.dataset import load_dataset
from briefings.exceptions import DatasetError


def _sources(**relays: str) -> list[dict]:
    return [dict(s, derived_from=relays.get(s["source_id"], "")) for s in SMALL_SOURCES]


def _problems(tmp_path, **variant) -> list[str]:
    folder = write_dataset(tmp_path / "d", **variant)
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    return [line.removeprefix(f"{folder}/") for line in raised.value.lines()]


def test_credibility_1_needs_independent_origins(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[1].update(source_ids="s1;s2", credibility="1")
    # Independent: the row loads.
    load_dataset(write_dataset(tmp_path / "ok", sources=_sources(), events=events))
    # s2 relays s1: one origin.
    assert _problems(tmp_path, sources=_sources(s2="s1"), events=events) == [
        "events.csv:3: column 'credibility': 1 means confirmed by other sources, but the "
        "sources cited (s1, s2) share an origin (see derived_from in sources.csv): a relay is "
        "not independent confirmation (use 2–6, or cite an independent source)"
    ]


def test_two_sources_relaying_one_outlet_share_its_origin(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[1].update(source_ids="s1;s2", credibility="1")
    sources = _sources(s1="Asian Lite", s2="Asian Lite;The News International")
    assert [p.split(":")[0] for p in _problems(tmp_path, sources=sources, events=events)] == [
        "events.csv"
    ]


def test_a_source_cannot_derive_from_itself(tmp_path):
    assert _problems(tmp_path, sources=_sources(s1="s2", s2="s1")) == [
        "sources.csv:2: column 'derived_from': 's1' derives from itself (through s2); name "
        "only what it relays",
        "sources.csv:3: column 'derived_from': 's2' derives from itself (through s1); name "
        "only what it relays",
    ]


def test_derived_from_is_read_as_a_list_and_may_be_left_out(tmp_path):
    dataset = load_dataset(write_dataset(tmp_path / "d", sources=_sources(s2=" s1 ; Other ")))
    assert list(dataset.sources["derived_from"]) == [(), ("s1", "Other")]
    # A dataset written before the column existed still loads.
    folder = write_dataset(tmp_path / "old")
    lines = (folder / "sources.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, c in enumerate(header) if c not in ("derived_from", "published_precision")]
    rows = [",".join(line.split(",")[i] for i in keep) for line in lines]
    (folder / "sources.csv").write_text("\n".join(rows) + "\n")
    old = load_dataset(folder)
    assert list(old.sources["published_precision"]) == ["day", "day"]


def test_published_precision_is_checked(tmp_path):
    sources = [dict(s) for s in SMALL_SOURCES]
    sources[0]["published_precision"] = "roughly"
    assert _problems(tmp_path, sources=sources) == [
        "sources.csv:2: column 'published_precision': 'roughly' is not a precision (use day, "
        "about, month, year; empty means day)"
    ]


def test_a_confirm_of_another_state_must_be_a_change(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[2].update(state="on")  # aid is off since 10 Feb 2020 (e2)
    assert _problems(tmp_path, events=events) == [
        "events.csv:4: column 'kind': a confirm must reaffirm the track's state, but aid is "
        "'off' at 2021-05-01 (since e2) and this row says 'on' (make it a change, or correct "
        "the state)"
    ]


def test_a_confirm_may_be_the_first_word_on_a_track(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[0].update(kind="confirm")  # nothing earlier on the track: it sets the state
    load_dataset(write_dataset(tmp_path / "d", events=events))
