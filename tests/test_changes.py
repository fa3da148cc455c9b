"""Changes since the previous build: what the section finds, and how it says it."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from conftest import SMALL_EVENTS, SMALL_SOURCES, write_dataset
from test_typst import typeset_text

from briefings.data.params import prepare
from briefings.data.previous_build import PreviousBuild
from briefings.data.states import compute_states, states_to_csv
from briefings.report import markup, typst_markup
from briefings.report.changes import changes_since_section, compare

HOSTILE = '<script>alert("x")</script> & co'


def changes_since_html(changes, dataset) -> str:
    """The section as the HTML briefing shows it."""
    return markup.render_data(changes_since_section(changes, dataset))


def previous_build(data: Path, **raw) -> PreviousBuild:
    """What a build of the dataset at `data` recorded, as plain values (its state table's
    rows as written, the dataset, when it was made)."""
    params, dataset = prepare({"data_dir": str(data), **raw})
    table = states_to_csv(compute_states(dataset, params))
    return PreviousBuild(
        tuple(csv.DictReader(io.StringIO(table))), dataset, "2026-01-05T06:00:09+00:00"
    )


def changes_to(data: Path, previous: PreviousBuild, **raw):
    """The changes from `previous` to a build of the dataset at `data`."""
    params, dataset = prepare({"data_dir": str(data), **raw})
    return compare(previous, compute_states(dataset, params), dataset, params), dataset


def changed(tmp_path: Path, *, events=None, sources=None, **raw):
    """Changes from the small dataset (previous build) to a variant of it (this build)."""
    previous = previous_build(write_dataset(tmp_path / "before"), **raw)
    after = write_dataset(tmp_path / "after", events=events, sources=sources)
    changes, dataset = changes_to(after, previous, **raw)
    return changes, changes_since_html(changes, dataset)


def test_nothing_changed_is_said_plainly(tmp_path):
    changes, html = changed(tmp_path)
    assert changes.nothing
    assert changes.previous_build_date == "Mon 5 Jan 2026, 06:00 UTC"
    assert "Compared with the previous build, made Mon 5 Jan 2026, 06:00 UTC." in html
    assert "Nothing changed since the previous build: the same events, states" in html


def test_a_new_event_is_named_with_the_state_changes_it_makes(tmp_path):
    new = {
        "event_id": "e9",
        "date": "2021-03-01",
        "precision": "day",
        "track": "mood",
        "kind": "change",
        "state": "calm",
        "summary": HOSTILE,
        "source_ids": "s1",
        "credibility": "2",
    }
    changes, html = changed(tmp_path, events=[*SMALL_EVENTS, new])
    assert [e.event_id for e in changes.new_events] == ["e9"]
    assert not changes.removed_events and not changes.edited_events
    assert [(s.change, s.track, s.state) for s in changes.stretches] == [
        ("end", "mood", "tense"),
        ("new", "mood", "calm"),
    ]
    assert "<h3>New events</h3>" in html
    # named by its number in the table of changes (e4, e2, e9, e5 by date), not its id
    assert '<span class="bf-ref">No. 3</span>, <span class="bf-date">1 Mar 2021</span>' in html
    assert "e9" not in html
    assert "Mood: change to calm." in html
    assert "now calm from 1 Mar 2021 (until: still current)" in html
    assert "tense from 5 Jan 2020 now ends: 1 Mar 2021 (before: still current)" in html
    # text from the data is shown as text, never as markup
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in html


def test_a_new_dispute_is_a_newly_contested_claim(tmp_path):
    # The previous build had no dispute; this one adds e5, which disputes e2.
    previous = previous_build(write_dataset(tmp_path / "before", events=SMALL_EVENTS[:4]))
    changes, dataset = changes_to(write_dataset(tmp_path / "after"), previous)
    assert [e.event_id for e in changes.new_events] == ["e5"]
    [contested] = changes.contested
    assert (contested.track, contested.state, contested.disputed_by) == ("aid", "off", ("e5",))
    html = changes_since_html(changes, dataset)
    assert "<h3>Newly contested claims</h3>" in html
    assert "off from 10 Feb 2020 is now contested by No. 3 (a weaker challenge)" in html
    # The PDF's form of the same section says the same.
    text = typeset_text(typst_markup.render_data(changes_since_section(changes, dataset)))
    assert "Newly contested claims" in text
    assert "off from 10 Feb 2020 is now contested by No. 3 (a weaker challenge)" in text


def test_removed_and_edited_events_and_regrades(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS if e["event_id"] != "e4"]
    events[1]["summary"] = "Aid was stopped."
    events[1]["credibility"] = "3"
    sources = [dict(s) for s in SMALL_SOURCES]
    sources[0]["reliability"] = "C"
    changes, html = changed(tmp_path, events=events, sources=sources)
    assert [e.event_id for e in changes.removed_events] == ["e4"]
    assert [(e.event_id, e.fields) for e in changes.edited_events] == [("e2", ("summary",))]
    assert [(g.subject, g.id, g.before, g.after) for g in changes.grades] == [
        ("event", "e2", "2", "3"),
        ("source", "s1", "B", "C"),
    ]
    assert [(s.change, s.track) for s in changes.stretches] == [("removed", "mood")]
    assert "Events no longer counted" in html
    # the removed event by the number it had; the edited one by its number now, old → new
    assert (
        '<span class="bf-ref">No. 1 of the previous build</span>, <span class="bf-date">5 Jan'
        in html
    )
    assert (
        '<span class="bf-ref">No. 1</span>, <span class="bf-date">10 Feb 2020</span>, Aid: change '
        'to off. <span class="bf-event-summary">Aid was stopped.</span><ul class="bf-edits"><li>'
        '<span class="bf-field">summary</span>: <del>Aid stopped.</del> → <ins>Aid was stopped.'
        "</ins></li></ul>"
    ) in html
    assert (
        'Event <span class="bf-ref">No. 1</span><ul class="bf-edits"><li><span class="bf-field">'
        "credibility</span>: <del>2</del> → <ins>3</ins>"
    ) in html
    assert (
        # a source by its outlet and publication date, as the briefing cites it elsewhere
        'Source: Wire, 1 Mar 2020<ul class="bf-edits"><li><span class="bf-field">'
        "reliability</span>: <del>B</del> → <ins>C</ins>"
    ) in html
    assert "no longer tense from 5 Jan 2020" in html


def test_only_what_the_briefing_shows_counts(tmp_path):
    # A new event known only from a source published after as_of is not a change for
    # an as-of briefing.
    late = {**SMALL_EVENTS[3], "event_id": "e9", "date": "2020-06-01", "source_ids": "s2"}
    changes, _ = changed(tmp_path, events=[*SMALL_EVENTS, late], as_of="2020-12-31")
    assert changes.nothing


def test_without_a_dataset_copy_only_states_are_compared(tmp_path):
    previous = previous_build(write_dataset(tmp_path / "before", events=SMALL_EVENTS[:3]))
    no_copy = replace(previous, dataset=None)
    changes, dataset = changes_to(write_dataset(tmp_path / "after"), no_copy)
    assert not changes.compared_events and not changes.new_events
    assert [(s.change, s.track) for s in changes.stretches] == [("new", "mood")]
    html = changes_since_html(changes, dataset)
    assert "kept no copy of the dataset, so only the states are compared" in html


def test_a_first_build_says_there_is_no_previous_build(small_dataset):
    _, dataset = prepare({"data_dir": str(small_dataset)})
    html = changes_since_html(None, dataset)
    assert "There is no previous build of this briefing to compare with" in html
    assert html.startswith('<section class="bf-section bf-changes-since"><h2>')
