"""The state model on small datasets built in the test."""

from __future__ import annotations

from datetime import date

from conftest import SMALL_EVENTS, write_dataset

from briefings.data.params import prepare
from briefings.data.states import compute_states, key_events, states_to_csv, visible_events


def states(folder, **raw):
    params, dataset = prepare({"data_dir": str(folder), **raw})
    return compute_states(dataset, params)


def rows(table, track):
    return table[table["track"] == track].to_dict(orient="records")


def test_state_set_before_the_window_is_carried_into_it(small_dataset):
    first = rows(states(small_dataset), "aid")[0]
    assert (first["state"], first["start"], first["end"]) == (
        "on",
        date(2020, 1, 1),
        date(2020, 2, 10),
    )
    # confirmed only in 2019: the whole stretch inside the window is carried forward
    assert first["confirmed_until"] == date(2019, 1, 1)


def test_confirm_extends_confirmed_until_and_adds_its_ids(small_dataset):
    off = rows(states(small_dataset), "aid")[1]
    assert off["end"] is None
    assert off["confirmed_until"] == date(2021, 5, 1)
    assert off["event_ids"] == ("e2", "e3")
    assert off["source_ids"] == ("s1", "s2")


def test_dispute_marks_the_interval_contested(small_dataset):
    aid = rows(states(small_dataset), "aid")
    assert [r["contested"] for r in aid] == [False, True]


def test_as_of_hides_sources_published_later(small_dataset):
    aid = rows(states(small_dataset, as_of="2021-01-01"), "aid")
    off = aid[1]
    # s2 (published 2021-06-01) is unknown then: no confirmation, no dispute
    assert off["confirmed_until"] == date(2020, 2, 10)
    assert off["contested"] is False
    assert off["source_ids"] == ("s1",)
    # and the window stops at as_of
    assert off["end"] is None
    assert all(r["start"] <= date(2021, 1, 1) for r in aid)


def test_min_reliability_drops_low_grades(small_dataset):
    off = rows(states(small_dataset, min_reliability="C"), "aid")[1]
    assert off["source_ids"] == ("s1",)
    assert off["contested"] is False


def test_window_clips_both_ends(small_dataset):
    table = states(small_dataset, start="2020-02-01", end="2020-03-01")
    aid = rows(table, "aid")
    assert [(r["state"], r["start"], r["end"]) for r in aid] == [
        ("on", date(2020, 2, 1), date(2020, 2, 10)),
        ("off", date(2020, 2, 10), None),
    ]
    assert aid[1]["confirmed_until"] == date(2020, 3, 1)  # confirmed later, clipped


def test_interval_ending_after_the_window_ends_at_the_window(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events.append(
        {
            "event_id": "e6",
            "date": "2021-09-01",
            "precision": "day",
            "track": "aid",
            "kind": "change",
            "state": "on",
            "summary": "Back on.",
            "source_ids": "s2",
            "credibility": "3",
        }
    )
    folder = write_dataset(tmp_path / "d", events=events)
    aid = rows(states(folder, end="2021-06-30"), "aid")
    assert aid[-1]["state"] == "off"
    assert aid[-1]["end"] == date(2021, 6, 30)


def test_a_stretch_beginning_on_the_windows_last_day_does_not_end_as_it_begins(tmp_path):
    """A one-day window whose last day opens a stretch that a later change ends."""
    events = [dict(e) for e in SMALL_EVENTS]
    events.append({**events[0], "event_id": "e6", "date": "2021-09-01", "precision": "day"})
    folder = write_dataset(tmp_path / "d", events=events)
    aid = rows(states(folder, start="2020-02-09", end="2020-02-10"), "aid")
    assert [(r["state"], r["start"], r["end"]) for r in aid] == [
        ("on", date(2020, 2, 9), date(2020, 2, 10)),
        ("off", date(2020, 2, 10), None),
    ]


def test_confirm_of_another_state_starts_that_state_when_the_change_is_hidden(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[1]["source_ids"] = "s2"  # the change to "off" now rests on a low-grade source
    events[2]["source_ids"] = "s1"
    events[2]["date"] = "2020-05"
    folder = write_dataset(tmp_path / "d", events=events)
    aid = rows(states(folder, min_reliability="B"), "aid")
    assert [(r["state"], r["start"]) for r in aid] == [
        ("on", date(2020, 1, 1)),
        ("off", date(2020, 5, 1)),
    ]


def test_tracks_select_lanes_in_dataset_order(small_dataset):
    table = states(small_dataset, tracks="mood,aid")
    assert list(dict.fromkeys(table["track"])) == ["aid", "mood"]
    assert set(states(small_dataset, tracks="mood")["track"]) == {"mood"}


def test_key_events_are_numbered_by_date(small_dataset):
    params, dataset = prepare({"data_dir": str(small_dataset)})
    table = compute_states(dataset, params)
    markers = key_events(visible_events(dataset, params), params, table)
    assert list(zip(markers["number"], markers["event_id"], strict=True)) == [
        (1, "e4"),
        (2, "e2"),
        (3, "e5"),
    ]


def test_a_state_change_is_a_change_in_every_view(tmp_path):
    """When the change is not counted, the confirmation that opens the stretch in its place
    is numbered: wherever the lane turns to another state, the table and chart say so."""
    events = [dict(e) for e in SMALL_EVENTS]
    events[1].update(source_ids="s2")  # the change to off rests on the E-graded blog only
    events[2].update(date="2020-03", source_ids="s1")  # the wire confirms off
    folder = write_dataset(tmp_path / "d", events=events)
    params, dataset = prepare({"data_dir": str(folder), "min_reliability": "B"})
    table = compute_states(dataset, params)
    markers = key_events(visible_events(dataset, params), params, table)
    aid = rows(table, "aid")
    assert [(r["state"], r["event_ids"][0]) for r in aid] == [("on", "e1"), ("off", "e3")]
    assert "e3" in set(markers["event_id"])


def test_csv_has_the_contract_columns(small_dataset):
    text = states_to_csv(states(small_dataset))
    assert text.splitlines()[0] == (
        "track,state,start,end,start_precision,confirmed_until,contested,event_ids,source_ids"
    )
    assert "aid,off,2020-02-10,,day,2021-05-01,True,e2;e3,s1;s2" in text


def test_shipped_dataset_states_match_the_sources(shipped_dataset):
    table = states(shipped_dataset)
    current = {r["track"]: r["state"] for r in table.to_dict(orient="records") if r["end"] is None}
    assert current["security_assistance"] == "suspended"
    assert current["imet"] == "pending"
    assert current["cis_moa"] == "pending"
    suspension = rows(table, "security_assistance")[0]
    assert (suspension["state"], suspension["start"]) == ("suspended", date(2018, 1, 1))
    imet = [(r["state"], r["start"]) for r in rows(table, "imet")]
    assert ("suspended", date(2018, 8, 1)) in imet
    cis = [(r["state"], r["start"]) for r in rows(table, "cis_moa")]
    assert cis[0] == ("active", date(2018, 1, 1)) and ("lapsed", date(2020, 10, 1)) in cis
