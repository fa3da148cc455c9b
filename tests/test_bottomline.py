"""The bottom line: for every track the state it was last confirmed in, since when and on
whose report, then what is assumed; every sentence made from a checked claim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHIPPED_VIEWS, view_id

from briefings.data.params import prepare
from briefings.report.bottomline import BottomLine, bottom_line
from briefings.report.claims import View
from briefings.report.words import lower_first


def lines_for(data_dir: Path, **raw: object) -> tuple[BottomLine, View]:
    params, dataset = prepare({"data_dir": data_dir, "build_date": "2026-11-12", **raw})
    view = View.of(dataset, params)
    return bottom_line(view), view


def entry(lines: BottomLine, track: str) -> str:
    return next(line.text for line in lines.tracks if line.track == track)


@pytest.mark.parametrize("raw", [*SHIPPED_VIEWS, {"end": "2021-06-30"}], ids=view_id)
def test_no_raw_id_and_no_capital_state_inside_a_sentence(shipped_dataset, raw):
    lines, view = lines_for(shipped_dataset, **raw)
    texts = [lines.summary_text, *(line.text for line in lines.tracks)]
    ids = [*view.dataset.sources["source_id"], *view.dataset.events["event_id"]]
    for text in texts:
        for raw_id in ids:
            assert not re.search(rf"\b{re.escape(raw_id)}\b", text), (raw_id, text)
        for state in view.dataset.states.values():
            for match in re.finditer(re.escape(state.label), text):
                assert match.start() == 0 or text[match.start() - 2] in ".:", text
        for track in view.dataset.tracks:
            if lower_first(track.label) == track.label:
                continue
            for match in re.finditer(re.escape(track.label), text):
                assert match.start() == 0 or text[match.start() - 2] == ".", text


def test_a_state_carried_in_cites_its_event_and_is_assumed(shipped_dataset):
    """The 2019 window: the CIS-MOA's 2023 report is cited for what it says (the pact was
    concluded in Oct 2005), not as a report of 2023 on the state in 2019."""
    lines, _view = lines_for(shipped_dataset, start="2019-01-01", end="2019-12-31")
    cis = entry(lines, "cis_moa")
    assert cis == (
        "CIS-MOA became active in Oct 2005 (Unnamed news aggregator, 3 Aug 2023, C). "
        "Unconfirmed since: assumed, not observed, for 14 years and two months."
    )
    assert "CIS-MOA, last confirmed in Oct 2005, is assumed since, not observed." in (
        lines.summary_text
    )


def test_each_entry_leads_with_the_state_when_it_began_and_its_sources(shipped_dataset):
    lines, _view = lines_for(shipped_dataset)
    # The event's date, never a later publication's; an estimated publication date said as one.
    assert entry(lines, "security_assistance") == (
        "Security assistance became suspended in Jan 2018 (No. 1; Reuters via a Pakistani site, "
        "about 4 Jan 2020, B; Islamic Invitation Turkey, 11 Jan 2018, D). It was last confirmed "
        "on 3 Jan 2020 (Reuters via a Pakistani site, above). Unconfirmed since: assumed, not "
        "observed, for three years and eleven months."
    )
    assert entry(lines, "political_climate").endswith(
        "It was last confirmed on 3 Aug 2023 (Unnamed news aggregator, above)."
    )


def test_a_pending_state_says_what_it_awaits(shipped_dataset):
    lines, _view = lines_for(shipped_dataset)
    assert "It was then still awaiting approval by Congress." in entry(lines, "imet")
    assert "awaiting a signing announced by either government" in entry(lines, "cis_moa")


def test_a_state_first_seen_in_a_confirmation_does_not_claim_a_start(shipped_dataset):
    # With only sources graded C or better, Pakistan's January 2018 step (a D source) is
    # not counted: the first counted word on military cooperation is a confirmation.
    lines, _view = lines_for(shipped_dataset, min_reliability="C")
    mil = entry(lines, "mil_cooperation")
    assert mil.startswith(
        "Military cooperation was partial on 3 Jan 2020 in the earliest counted account of it "
        "(Reuters via a Pakistani site, about 4 Jan 2020, B); no counted source says when it "
        "became partial."
    )
    assert "became partial" not in mil.split(";")[0]


def test_challenges_are_weighed_by_credibility_and_source_grades(small_dataset, shipped_dataset):
    lines, _view = lines_for(small_dataset)
    assert entry(lines, "aid").endswith(
        "Challenged in No. 3: a weaker challenge (credibility 5 against 2, sources E against B)."
    )
    # As known at the end of 2018: the Pentagon's remark (C) against the minister (D), both
    # graded 3: the better source makes it the stronger challenge.
    lines, _view = lines_for(shipped_dataset, as_of="2018-12-31")
    mil = entry(lines, "mil_cooperation")
    assert (
        "Challenged by Rob Manning in No. 4: a stronger challenge (credibility 3 against 3, "
        "sources C against D)." in mil
    )
    assert "(one stronger challenge, No. 4)" in lines.summary_text
    # Not numbered in a later window: then its source is cited where it is weighed.
    lines, _view = lines_for(shipped_dataset, start="2019-01-01", end="2019-12-31")
    assert (
        "Challenged by Rob Manning in the account of Nov 2018 (Security Risks Asia (Humane "
        "Club), 21 Nov 2018, C): a stronger challenge" in entry(lines, "mil_cooperation")
    )


def test_the_opening_paragraph_is_sentences_grouped_by_state(shipped_dataset):
    lines, _view = lines_for(shipped_dataset)
    assert lines.summary_text == (
        "By the latest counted reports, at the end of 2023 security assistance was suspended, "
        "IMET (military training) and CIS-MOA were pending, military cooperation was partial "
        "and political climate was cooperative. Security assistance and IMET (military "
        "training), last confirmed on 3 Jan 2020, are assumed since, not observed. The most "
        "recent changes were political climate becoming cooperative (No. 10) and CIS-MOA "
        "becoming pending (No. 11) in 2023, first reported on 3 Aug 2023. Two stretches are "
        "challenged: IMET (military training) suspended from Aug 2018 (one weaker challenge, "
        "No. 8) and military cooperation partial from 9 Jan 2018 (one stronger challenge, "
        "No. 5)."
    )


def test_the_synthetic_dataset_reads_as_well(small_dataset):
    lines, _view = lines_for(small_dataset)
    assert lines.summary_text == (
        "By the latest counted reports, at the end of 2021 aid was off and mood was tense. "
        "Mood, last confirmed on 5 Jan 2020, is assumed since, not observed. The most recent "
        "change was aid becoming off (No. 2) on 10 Feb 2020, first reported on 1 Mar 2020. "
        "One stretch is challenged: aid off from 10 Feb 2020 (one weaker challenge, No. 3)."
    )
    assert entry(lines, "mood") == (
        "Mood became tense on 5 Jan 2020 (No. 1; Wire, 1 Mar 2020, B). Unconfirmed since: "
        "assumed, not observed, for one year and eleven months."
    )


def test_a_track_with_nothing_known_says_so(shipped_dataset):
    lines, _view = lines_for(shipped_dataset, as_of="2020-06-30")
    assert entry(lines, "cis_moa") == (
        "CIS-MOA: no counted source records its state by 30 Jun 2020 "
        "(sources published by 30 Jun 2020)."
    )
    assert "No counted source records the state of CIS-MOA by 30 Jun 2020." in (lines.summary_text)
    lines, _view = lines_for(shipped_dataset, as_of="2017-06-30", end="2018-01-02")
    assert lines.summary_text.startswith("No counted source records the state of any track")


def test_a_report_after_the_window_is_cited_for_the_date_it_reports(shipped_dataset):
    lines, _view = lines_for(shipped_dataset, end="2019-12-31")
    imet = entry(lines, "imet")
    assert imet == (
        "IMET (military training) became pending in Dec 2019 (No. 7; Reuters via a Pakistani "
        "site, about 4 Jan 2020, B). A report after the window shows it still pending on 3 Jan "
        "2020 (Reuters via a Pakistani site, above)."
    )
    assert "assumed" not in imet
    assert "first reported about 4 Jan 2020, after the window closed." in lines.summary_text


def test_the_opening_sentence_holds_alone_for_a_past_window(shipped_dataset):
    # The index shows only this sentence: it names the window's end and every track.
    lines, _view = lines_for(shipped_dataset, start="2019-01-01", end="2019-12-31")
    assert lines.summary[0].text == (
        "By the latest counted reports, at the end of 2019 security assistance was suspended, "
        "IMET (military training) was pending, military cooperation was partial, CIS-MOA was "
        "active and political climate was strained."
    )


def test_a_stretch_carried_into_the_window_is_dated_by_its_event(shipped_dataset):
    lines, _view = lines_for(shipped_dataset, start="2021-01-01", end="2021-12-31")
    assert "military cooperation partial from 9 Jan 2018 (one stronger challenge)" in (
        lines.summary_text
    )
    assert "from 1 Jan 2021" not in lines.summary_text


def test_every_sentence_carries_the_claims_it_states(shipped_dataset):
    lines, view = lines_for(shipped_dataset)
    for line in lines.tracks:
        assert all(s.claims == (line.claim,) for s in line.sentences)
    keys = {c.key for s in lines.summary for c in s.claims}
    assert keys <= {c.key for c in view.claims}
