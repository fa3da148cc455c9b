"""Properties that hold for any input: the loader fails only with the project's own error,
and the state model's intervals are a clean partition whatever the events are."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path

import yaml
from conftest import SMALL_YAML, write_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.data.dataset import RELIABILITY_GRADES, load_dataset
from briefings.data.dates import parse_partial_date
from briefings.data.params import Parameters, prepare
from briefings.data.states import compute_states, visible_events
from briefings.exceptions import DatasetError

FILES = ("dataset.yaml", "sources.csv", "events.csv")
# Characters that matter to CSV and YAML, plus a few that matter to people.
TRICKY = st.sampled_from(list(",;\"'\n\r\t #:-[]{}!&*|>%@`\\\x00\ufeffé€😀"))
TEXT = st.text(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=20)
# JSON-like values, for YAML documents of any shape.
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "id",
        "title",
        "window",
        "tracks",
        "states",
        "start",
        "end",
        "label",
        "colour",
        "meaning",
        "description",
    ]
)
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=16,
)
# One scratch folder for every generated dataset, removed when the session ends.
SCRATCH = tempfile.TemporaryDirectory(prefix="briefings-prop-")
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _folder() -> Path:
    """A fresh copy of the small valid dataset, to spoil one file of."""
    return write_dataset(Path(tempfile.mkdtemp(dir=SCRATCH.name)) / "d")


def _loads_or_reports(folder: Path) -> None:
    try:
        load_dataset(folder)
    except DatasetError as error:
        assert error.lines() and all("\n" not in line for line in error.lines())


@FAST
@given(name=st.sampled_from(FILES), data=st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_dataset_errors(name, data):
    folder = _folder()
    (folder / name).write_bytes(data)
    _loads_or_reports(folder)


@FAST
@given(
    name=st.sampled_from(("sources.csv", "events.csv")),
    header=st.booleans(),
    rows=st.lists(st.lists(TEXT, max_size=16), max_size=6),
    raw=st.booleans(),
)
def test_arbitrary_rows_raise_only_dataset_errors(name, header, rows, raw):
    columns = SOURCE_COLUMNS if name == "sources.csv" else EVENT_COLUMNS
    rows = ([list(columns)] if header else []) + rows
    if raw:  # unquoted, as a careless hand would write it
        text = "\n".join(",".join(row) for row in rows)
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
    folder = _folder()
    (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    _loads_or_reports(folder)


@FAST
@given(document=st.one_of(PLAIN, st.dictionaries(KEYS, SHAPED, max_size=6)))
def test_arbitrary_yaml_raises_only_dataset_errors(document):
    folder = _folder()
    (folder / "dataset.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8", errors="surrogatepass"
    )
    _loads_or_reports(folder)


@FAST
@given(
    tracks=st.lists(
        st.fixed_dictionaries(
            {"id": TEXT, "label": st.one_of(TEXT, PLAIN), "states": PLAIN | st.lists(TEXT)}
        ),
        max_size=3,
    )
)
def test_odd_track_definitions_raise_only_dataset_errors(tracks):
    meta = yaml.safe_load(SMALL_YAML)
    meta["tracks"] = meta["tracks"] + tracks
    folder = _folder()
    (folder / "dataset.yaml").write_text(
        yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8", errors="surrogatepass"
    )
    _loads_or_reports(folder)


# --- valid generated datasets -------------------------------------------------------------

STATES = {"aid": ("on", "off"), "mood": ("calm", "tense")}
DAY0 = date(2017, 1, 1)
DAYS = st.integers(0, 365 * 7)


@st.composite
def datasets(draw):
    """A valid dataset of the small vocabulary: random sources, grades, dates and kinds."""
    sources = [
        {
            "source_id": f"s{i}",
            "outlet": "Outlet",
            "title": "Title",
            "published": str(DAY0 + timedelta(draw(DAYS))),
            "kind": "wire",
            "reliability": draw(st.sampled_from(RELIABILITY_GRADES)),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    events = []
    for i in range(draw(st.integers(1, 14))):
        day = DAY0 + timedelta(draw(DAYS))
        precision = draw(st.sampled_from(("day", "month", "year")))
        written = {"day": str(day), "month": str(day)[:7], "year": str(day.year)}[precision]
        track = draw(st.sampled_from(sorted(STATES)))
        kind = draw(st.sampled_from(("change", "change", "confirm", "note", "dispute")))
        if kind == "dispute" and not events:
            kind = "note"
        cited = draw(
            st.lists(
                st.sampled_from([s["source_id"] for s in sources]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
        events.append(
            {
                "event_id": f"e{i}",
                "date": written,
                "precision": precision,
                "track": track,
                "kind": kind,
                "state": draw(st.sampled_from(STATES[track]))
                if kind in ("change", "confirm")
                else "",
                "summary": "Something happened.",
                "source_ids": ";".join(cited),
                "credibility": "2",
                "disputes": draw(st.sampled_from([e["event_id"] for e in events]))
                if kind == "dispute"
                else "",
            }
        )
    _confirm_the_state_in_force(events)
    folder = Path(tempfile.mkdtemp(dir=SCRATCH.name)) / "d"
    return load_dataset(write_dataset(folder, sources=sources, events=events))


def _confirm_the_state_in_force(events: list[dict]) -> None:
    """A confirm reaffirms the state its track is in where the state model places it (by
    date, then row), as the dataset contract requires."""
    current: dict[str, str] = {}
    order = sorted(range(len(events)), key=lambda i: (parse_partial_date(events[i]["date"])[0], i))
    for index in order:
        event = events[index]
        if event["kind"] == "confirm" and event["track"] in current:
            event["state"] = current[event["track"]]
        if event["kind"] in ("change", "confirm"):
            current[event["track"]] = event["state"]


WINDOWS = st.tuples(DAYS, st.integers(1, 365 * 4)).map(
    lambda w: (DAY0 + timedelta(w[0]), DAY0 + timedelta(w[0] + w[1]))
)
AS_OF = st.none() | DAYS.map(lambda d: DAY0 + timedelta(d))
GRADES = st.sampled_from(RELIABILITY_GRADES)


@FAST
@given(dataset=datasets(), window=WINDOWS, as_of=AS_OF, grade=GRADES)
def test_intervals_are_sorted_disjoint_and_cover_the_window(dataset, window, as_of, grade):
    start, end = window
    raw = {
        "data_dir": str(dataset.path),
        "start": start,
        "end": end,
        "as_of": as_of,
        "min_reliability": grade,
    }
    params, _ = prepare(raw)
    table = compute_states(dataset, params)
    visible = visible_events(dataset, params)
    for track in params.tracks:
        rows = table[table["track"] == track].to_dict("records")
        stated = visible[(visible["track"] == track) & visible["kind"].isin(("change", "confirm"))]
        first_known = stated["date"].min() if len(stated) else None
        if first_known is None or first_known > end:
            assert rows == []
            continue
        assert rows, (track, first_known)
        assert rows[0]["start"] == max(start, first_known)
        for before, after in itertools.pairwise(rows):
            assert before["end"] == after["start"]  # no gap, no overlap, in order
        for row in rows:
            assert start <= row["start"] <= end
            assert row["end"] is None or row["start"] < row["end"] <= end
            assert row["confirmed_until"] <= end  # may precede start: carried in, unconfirmed
        assert all(row["end"] is not None for row in rows[:-1])


@FAST
@given(
    dataset=datasets(),
    as_of=st.tuples(AS_OF, DAYS),
    grades=st.tuples(GRADES, GRADES),
)
def test_narrowing_as_of_or_raising_min_reliability_never_adds_events(dataset, as_of, grades):
    wide_as_of, shrink = as_of
    narrow_as_of = (wide_as_of or date(2030, 1, 1)) - timedelta(shrink)
    loose, strict = sorted(grades, key=RELIABILITY_GRADES.index, reverse=True)
    wide = visible_events(dataset, Parameters(as_of=wide_as_of, min_reliability=loose))
    narrow = visible_events(dataset, Parameters(as_of=narrow_as_of, min_reliability=strict))
    wide_sources = dict(zip(wide["event_id"], wide["source_ids"], strict=True))
    for event_id, source_ids in zip(narrow["event_id"], narrow["source_ids"], strict=True):
        assert event_id in wide_sources
        assert set(source_ids) <= set(wide_sources[event_id])
