"""The dataset contract: one broken dataset per rule, each with its exact message."""

from __future__ import annotations

import pytest
from conftest import SMALL_EVENTS, SMALL_SOURCES, SMALL_YAML, write_dataset

from briefings.data.columns import EVENT_COLUMNS, EVENT_RULES, SOURCE_COLUMNS, SOURCE_RULES
from briefings.data.dataset import load_dataset
from briefings.exceptions import DatasetError


def with_event(index: int, **changes):
    events = [dict(e) for e in SMALL_EVENTS]
    events[index].update(changes)
    return {"events": events}


def with_source(index: int, **changes):
    sources = [dict(s) for s in SMALL_SOURCES]
    sources[index].update(changes)
    return {"sources": sources}


# (variant of the small dataset, file, expected message after "<folder>/")
BROKEN = {
    "bad date": (
        with_event(1, date="2018-13-45"),
        "events.csv:3: column 'date': '2018-13-45' is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
    ),
    "slashed date": (
        with_event(1, date="03/01/2020"),
        "events.csv:3: column 'date': '03/01/2020' is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
    ),
    "precision disagrees": (
        with_event(0, precision="day"),
        "events.csv:2: column 'precision': "
        "'day' does not match the date '2019' (written as a year: use "
        "'year')",
    ),
    "unknown precision": (
        with_event(0, precision="decade"),
        "events.csv:2: column 'precision': 'decade' is not a precision (use day, month, year)",
    ),
    "unknown track": (
        with_event(2, track="trade"),
        "events.csv:4: column 'track': 'trade' is not a track of this dataset (tracks: aid, mood)",
    ),
    "unknown state": (
        with_event(0, state="paused"),
        "events.csv:2: column 'state': 'paused' is not a state of track aid (allowed: on, off)",
    ),
    "state of another track": (
        with_event(3, state="on"),
        "events.csv:5: column 'state': 'on' is not a state of track mood (allowed: calm, tense)",
    ),
    "change without state": (
        with_event(1, state=""),
        "events.csv:3: column 'state': a change event needs a state (allowed on aid: on, off)",
    ),
    "note with state": (
        with_event(4, kind="note", disputes=""),
        "events.csv:6: column 'state': must be empty for a note event (got 'x')",
    ),
    "unknown kind": (
        with_event(1, kind="rumour"),
        "events.csv:3: column 'kind': 'rumour' is "
        "not an event kind (use change, confirm, dispute, note)",
    ),
    "duplicate event id": (
        with_event(2, event_id="e1"),
        "events.csv:4: column 'event_id': 'e1' is used again (first on row 2)",
    ),
    "missing source": (
        with_event(1, source_ids="s1;s9"),
        "events.csv:3: column 'source_ids': 's9' is not in sources.csv (known: s1, s2)",
    ),
    "source id with a space": (
        with_event(1, source_ids="s1 "),
        "events.csv:3: column 'source_ids': 's1 ' has spaces around it (remove them)",
    ),
    "no source": (
        with_event(1, source_ids=""),
        "events.csv:3: column 'source_ids': is required: at least one source id from sources.csv",
    ),
    "credibility out of range": (
        with_event(1, credibility="7"),
        "events.csv:3: column "
        "'credibility': '7' is not a credibility grade (use 1–6: 1 "
        "confirmed … 5 improbable, 6 cannot be judged)",
    ),
    "dispute of nothing": (
        with_event(4, disputes="e42"),
        "events.csv:6: column 'disputes': 'e42' is not an event_id in events.csv",
    ),
    "dispute without target": (
        with_event(4, disputes=""),
        "events.csv:6: column 'disputes': a dispute event must name the event_id it contradicts",
    ),
    "negative amount": (
        with_event(1, amount_usd="-5"),
        "events.csv:3: column 'amount_usd': "
        "'-5' is not a whole number ≥ 0 (digits only, no separators; or leave "
        "empty)",
    ),
    "empty summary": (
        with_event(1, summary="  "),
        "events.csv:3: column 'summary': is required (one sentence in our own words)",
    ),
    "duplicate source id": (
        with_source(1, source_id="s1"),
        "sources.csv:3: column 'source_id': 's1' is used again (first on row 2)",
    ),
    "reliability out of range": (
        with_source(0, reliability="G"),
        "sources.csv:2: column "
        "'reliability': 'G' is not a reliability grade (use A–F: A "
        "completely reliable … E unreliable, F cannot be judged)",
    ),
    "unknown source kind": (
        with_source(0, kind="tweet"),
        "sources.csv:2: column 'kind': "
        "'tweet' is not a source kind (use wire, newspaper, aggregator, "
        "analysis, forum, official)",
    ),
    "published not a day": (
        with_source(0, published="2020-03"),
        "sources.csv:2: column 'published': '2020-03' is not a date (use YYYY-MM-DD)",
    ),
    "window backwards": (
        {"yaml_text": SMALL_YAML.replace("end: 2021-12-31", "end: 2019-12-31")},
        "dataset.yaml:3: window.end: 2019-12-31 is not after the start 2020-01-01",
    ),
    "track state undefined": (
        {"yaml_text": SMALL_YAML.replace('["on", "off"]', '["on", "gone"]')},
        "dataset.yaml:5: tracks[0].states[1]: 'gone' is not a defined "
        "state (defined: on, off, calm, tense)",
    ),
    "unquoted yes/no state": (
        {"yaml_text": SMALL_YAML.replace('["on", "off"]', "[on, off]")},
        "dataset.yaml:5: tracks[0].states[0]: True is a yes/no value, not "
        "a state id (put quotes around on, off, yes, no)",
    ),
    "bad colour": (
        {"yaml_text": SMALL_YAML.replace('"#009E73"', "green")},
        "dataset.yaml:8: states[0].colour: 'green' is not a colour (use #RRGGBB)",
    ),
    "malformed yaml": (
        {"yaml_text": SMALL_YAML + "tracks: [unclosed\n"},
        "dataset.yaml:13: malformed YAML: ",
    ),
    "figure from two sources": (
        with_event(1, amount_usd="900", source_ids="s1;s2"),
        "events.csv:3: column 'amount_usd': a figure must come from the one source that gives "
        "it, but this row cites 2 sources",
    ),
    "confirmed by one source": (
        with_event(1, credibility="1"),
        "events.csv:3: column 'credibility': 1 means confirmed by other sources, but the row "
        "cites one source (use 2–6, or cite the other sources)",
    ),
    "a note awaits": (
        with_event(4, awaits="a vote"),
        "events.csv:6: column 'awaits': only change and confirm events await something "
        "(this is a dispute)",
    ),
    "unknown yaml key": (
        {"yaml_text": SMALL_YAML + "colour: red\n"},
        "dataset.yaml:12: "
        "colour: unknown key (allowed: description, id, states, title, tracks, "
        "window)",
    ),
}


@pytest.mark.parametrize("variant, expected", BROKEN.values(), ids=BROKEN.keys())
def test_each_rule_names_file_row_and_column(tmp_path, variant, expected):
    if expected.startswith("events.csv:6: column 'state'"):
        variant["events"][4]["state"] = "x"
    folder = write_dataset(tmp_path / "broken", **variant)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    lines = caught.value.lines()
    assert any(line.startswith(f"{folder}/{expected}") for line in lines), lines


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[0]["date"] = "someday"
    events[1]["track"] = "trade"
    events[2]["credibility"] = "0"
    folder = write_dataset(tmp_path / "broken", events=events)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    rows = [line.split(":")[1] for line in caught.value.lines()]
    assert rows == ["2", "3", "4"]


def test_a_row_reports_its_problems_in_the_order_of_its_rule_table(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[0].update(date="someday", kind="rumour", credibility="9", quantity="1,000", awaits="x")
    folder = write_dataset(tmp_path / "broken", events=events)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    assert [line.split("'")[1] for line in caught.value.lines()] == [
        "date", "kind", "credibility", "awaits", "quantity"
    ]  # fmt: skip
    assert caught.value.lines()[1].endswith(
        "column 'kind': 'rumour' is not an event kind (use change, confirm, dispute, note)"
    )


def test_every_column_has_one_entry_in_its_files_rule_table():
    for table, header in ((SOURCE_RULES, SOURCE_COLUMNS), (EVENT_RULES, EVENT_COLUMNS)):
        names = [column.name for column in table]
        assert sorted(names) == sorted(header) and len(set(names)) == len(names)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("events.csv", b"", "events.csv: file is empty"),
        ("events.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "events.csv: is a binary file"),
        (
            "events.csv",
            b"event_id;date;precision\nE1;2020;year\n",
            "events.csv:1: is separated by semicolons; save it with commas as the separator",
        ),
        ("sources.csv", b"source_id,outlet\ns1,Wire\n", "sources.csv:1: missing column(s) 'title'"),
        (
            "sources.csv",
            "source_id,outlet\ns1,Caf\xe9\n".encode("latin-1"),
            "sources.csv:2: byte 0xe9 is not UTF-8",
        ),
        ("events.csv", b"event_id,date\n\xff\n", "events.csv:2: byte 0xff is not UTF-8"),
        ("dataset.yaml", b"- just\n- a list\n", "dataset.yaml:1: is not a dataset.yaml"),
    ],
)
def test_unusable_files(small_dataset, name, content, expected):
    (small_dataset / name).write_bytes(content)
    with pytest.raises(DatasetError) as caught:
        load_dataset(small_dataset)
    lines = caught.value.lines()
    assert lines[0].startswith(f"{small_dataset}/{expected}"), lines
    assert len(lines) == 1, "one unusable file gives one line, not a cascade"


def test_missing_file(small_dataset):
    (small_dataset / "sources.csv").unlink()
    with pytest.raises(DatasetError, match=r"sources.csv: file is missing"):
        load_dataset(small_dataset)


def test_spreadsheet_export_with_bom_crlf_and_blank_rows_loads(small_dataset):
    path = small_dataset / "events.csv"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n") + ",,,,,,,,,,,,,\r\n\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    dataset = load_dataset(small_dataset)
    assert list(dataset.events["event_id"]) == ["e1", "e2", "e3", "e4", "e5"]


def test_row_numbers_count_physical_lines_of_multiline_fields(small_dataset):
    events = [dict(e) for e in SMALL_EVENTS]
    events[0]["notes"] = "line one\nline two"
    events[1]["date"] = "never"
    folder = write_dataset(small_dataset, events=events)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    assert caught.value.lines()[0].startswith(f"{folder}/events.csv:4: column 'date'")


def test_shipped_dataset_is_valid_and_every_event_cites_a_known_source(shipped_dataset):
    dataset = load_dataset(shipped_dataset)
    assert [t.id for t in dataset.tracks] == [
        "security_assistance",
        "imet",
        "mil_cooperation",
        "cis_moa",
        "political_climate",
    ]
    known = set(dataset.sources["source_id"])
    assert all(ids and set(ids) <= known for ids in dataset.events["source_ids"])
    assert set(dataset.sources["reliability"]) <= set("ABCDEF")


def test_awaits_is_an_optional_column(small_dataset):
    events = small_dataset / "events.csv"
    header, *rows = events.read_text(encoding="utf-8").splitlines()
    assert header.endswith(",awaits")
    cut = [line.rsplit(",", 1)[0] for line in (header, *rows)]
    events.write_text("\n".join(cut) + "\n", encoding="utf-8")
    assert set(load_dataset(small_dataset).events["awaits"]) == {""}


def test_small_dataset_of_another_relationship_loads(small_dataset):
    dataset = load_dataset(small_dataset)
    assert dataset.id == "small"
    assert [t.id for t in dataset.tracks] == ["aid", "mood"]
    assert dataset.events.loc[0, "source_ids"] == ("s1",)


def test_repeated_values_are_held_once(shipped_dataset):
    # A large dataset repeats a few tracks, kinds, dates and lists of sources thousands
    # of times: one object each keeps its frames small (make bench measures how small).
    events = load_dataset(shipped_dataset).events
    for column in ("track", "kind", "source_ids", "date"):
        values = list(events[column])
        assert len({id(v) for v in values}) == len(set(values)) < len(values), column
