"""The bottom line leads with what was last reported, when and by whom, then what is assumed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefings.data.dataset import RELIABILITY_MEANINGS
from briefings.data.params import prepare
from briefings.data.states import compute_states, visible_events
from briefings.report.bottomline import BottomLine, bottom_line
from briefings.report.words import day, lower_first


def lines_for(data_dir: Path, **raw: object) -> tuple[BottomLine, object, object]:
    params, dataset = prepare({"data_dir": data_dir, "build_date": "2026-11-12", **raw})
    events = visible_events(dataset, params)
    return bottom_line(compute_states(dataset, params), events, dataset, params), dataset, params


VIEWS = [
    {},
    {"as_of": "2018-12-31"},
    {"as_of": "2020-06-30"},
    {"end": "2021-06-30"},
    {"start": "2019-01-01", "end": "2020-12-31"},
    {"min_reliability": "C"},
    {"tracks": "imet,cis_moa"},
]


@pytest.mark.parametrize("raw", VIEWS, ids=lambda raw: ",".join(f"{k}={v}" for k, v in raw.items()))
def test_an_old_report_is_dated_by_its_year_before_the_end_of_the_window(shipped_dataset, raw):
    lines, _dataset, params = lines_for(shipped_dataset, **raw)
    end_dates = (str(params.end.year), day(params.end))
    checked = 0
    for line in lines.tracks:
        report = line.last_report
        if report is None or (params.end - report.published).days <= 365:
            continue
        checked += 1
        year = line.text.index(str(report.published.year))
        first_end = min(i for i in (line.text.find(d) for d in end_dates) if i >= 0)
        assert year < first_end, line.text
        assert line.stale and "assumed, not observed" in line.text
    if not raw:
        assert checked == 2  # security assistance and IMET, last reported January 2020


def test_each_line_leads_with_the_state_the_report_date_and_the_grade(shipped_dataset):
    lines, dataset, _params = lines_for(shipped_dataset)
    for line in lines.tracks:
        state = lower_first(dataset.states[line.state].label)
        report = line.last_report
        assert line.text.startswith(
            f"{line.label} was last reported {state} on {day(report.published)}, by "
        ), line.text
        assert f"graded {report.grade} ({RELIABILITY_MEANINGS[report.grade]})" in line.text
    by_track = {line.track: line.text for line in lines.tracks}
    # Publication date for the report, event date for the start: never mixed.
    assert by_track["security_assistance"].startswith(
        "Security assistance was last reported suspended on 4 Jan 2020, by a wire report "
        "graded B (usually reliable), reuters-2020-01-imet. It had been suspended since Jan 2018."
    )
    assert (
        "three years and eleven months later, is assumed, not observed"
        in (by_track["security_assistance"])
    )
    assert "since Apr 2022" in by_track["political_climate"]
    assert "assumed" not in by_track["mil_cooperation"]


def test_a_pending_state_says_what_it_awaits(shipped_dataset):
    lines, _dataset, _params = lines_for(shipped_dataset)
    by_track = {line.track: line.text for line in lines.tracks}
    assert "It was then still awaiting approval by Congress." in by_track["imet"]
    assert "awaiting a signing announced by either government" in by_track["cis_moa"]


def test_a_state_first_seen_in_a_confirmation_does_not_claim_a_start(shipped_dataset):
    lines, _dataset, _params = lines_for(shipped_dataset)
    mil = next(line.text for line in lines.tracks if line.track == "mil_cooperation")
    assert "No counted source says when it began; the earliest account of it is dated Jul 2023" in (
        mil
    )
    assert "had been partial since" not in mil


def test_disputes_are_weighed_by_their_grades(small_dataset, shipped_dataset):
    lines, _dataset, _params = lines_for(small_dataset)
    aid = lines.tracks[0].text
    assert (
        "Disputed in a forum post graded E (unreliable), s2, published 1 Jun 2021: it "
        "contradicts the account dated 10 Feb 2020; the claim is graded 5 (improbable) against "
        "2 (probably true), weaker than the account it contradicts." in aid
    )
    lines, _dataset, _params = lines_for(shipped_dataset, as_of="2018-12-31")
    mil = next(line.text for line in lines.tracks if line.track == "mil_cooperation")
    assert "graded 2 (probably true) against 3 (possibly true), stronger than" in mil
    assert "by Pakistan Ministry of Foreign Affairs" in mil


def test_opening_paragraph_gives_the_states_and_the_latest_change(shipped_dataset):
    lines, _dataset, _params = lines_for(shipped_dataset)
    assert lines.summary.startswith(
        "At the end of 2023, as last reported: on 3 Aug 2023, military cooperation partial, "
        "CIS-MOA pending and political climate cooperative; on 4 Jan 2020, security "
        "assistance suspended and IMET (military training) pending. The most recent change: "
        "CIS-MOA became pending in Aug 2023, first reported on 3 Aug 2023."
    )
    assert "security assistance and IMET (military training), last reported in 2020" in (
        lines.summary
    )


def test_labels_are_not_capitalised_inside_a_sentence(shipped_dataset, small_dataset):
    for folder in (shipped_dataset, small_dataset):
        lines, dataset, _params = lines_for(folder)
        labels = [t.label for t in dataset.tracks if lower_first(t.label) != t.label]
        texts = [lines.summary, *(line.text for line in lines.tracks)]
        for label in labels:
            for text in texts:
                for match in re.finditer(re.escape(label), text):
                    assert match.start() == 0 or text[match.start() - 2] == ".", text


def test_the_synthetic_dataset_reads_as_well(small_dataset):
    lines, _dataset, _params = lines_for(small_dataset)
    assert lines.summary == (
        "At the end of 2021, as last reported: on 1 Jun 2021, aid off; on 1 Mar 2020, mood "
        "tense. The "
        "most recent change: aid became off on 10 Feb 2020, first reported on 1 Mar 2020. "
        "Nothing since confirms the state of mood, last reported in 2020: at the end of 2021 "
        "it is assumed, not observed. One stretch rests on a disputed report: aid off from "
        "10 Feb 2020."
    )
    assert lines.tracks[1].text == (
        "Mood was last reported tense on 1 Mar 2020, by a wire report graded B (usually "
        "reliable), s1. It had been tense since 5 Jan 2020. Nothing reported since confirms "
        "it: that it still held at the end of 2021, one year and nine months later, is "
        "assumed, not observed."
    )


def test_a_track_with_nothing_known_says_so(shipped_dataset):
    lines, _dataset, _params = lines_for(shipped_dataset, as_of="2020-06-30")
    cis = next(line for line in lines.tracks if line.track == "cis_moa")
    assert cis.text == (
        "CIS-MOA: no counted source records its state by 30 Jun 2020 "
        "(sources published by 30 Jun 2020)."
    )
    assert cis.last_report is None
    lines, _dataset, _params = lines_for(shipped_dataset, as_of="2017-06-30", end="2018-01-02")
    assert lines.summary.startswith("No counted source records the state of any track")


def test_a_report_after_the_window_is_said_to_be_after_it(shipped_dataset):
    lines, _dataset, _params = lines_for(shipped_dataset, end="2019-12-31")
    imet = next(line.text for line in lines.tracks if line.track == "imet")
    assert imet.startswith(
        "IMET (military training) was last reported pending on 4 Jan 2020, after the window "
        "closed, by a wire report graded B (usually reliable), reuters-2020-01-imet."
    )
    assert "A report after the window shows it still pending on 3 Jan 2020." in imet
    assert "assumed" not in imet


def test_the_opening_sentence_holds_alone_for_a_past_window(shipped_dataset):
    # The index shows only this sentence: it must name the window's end and mark the
    # reports published after it, which come after those inside it.
    lines, _dataset, _params = lines_for(shipped_dataset, start="2019-01-01", end="2019-12-31")
    first = lines.summary.split(". ")[0]
    assert first == (
        "At the end of 2019, as last reported: on 11 Jan 2018, military cooperation "
        "suspended; on 4 Jan 2020 (after the window), security assistance suspended, IMET "
        "(military training) pending and political climate strained; on 3 Aug 2023 (after "
        "the window), CIS-MOA active"
    )


def test_a_stretch_carried_into_the_window_is_dated_by_its_event(shipped_dataset):
    lines, _dataset, _params = lines_for(shipped_dataset, start="2021-01-01", end="2021-12-31")
    assert "military cooperation suspended from 9 Jan 2018." in lines.summary
    assert "from 1 Jan 2021" not in lines.summary
