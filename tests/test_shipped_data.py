"""The shipped dataset's judgement calls, kept as decided in issue 20 after reading the five
documents again: each assertion is a slip that once was in the data."""

from __future__ import annotations

import pytest

from briefings.data.dataset import load_dataset
from briefings.data.evidence import independent_origins
from briefings.paths import default_dataset

SHIPPED = load_dataset(default_dataset())
EVENTS = {e.event_id: e for e in SHIPPED.events.itertuples()}
SOURCES = {s.source_id: s for s in SHIPPED.sources.itertuples()}


@pytest.mark.parametrize("event_id", ["E26", "E28"])
def test_dates_known_only_as_shortly_before_a_report_are_given_to_the_year(event_id):
    # "Shortly" before an undated approval reported on 3 August 2023: July or earlier.
    assert EVENTS[event_id].precision == "year"


def test_a_remark_of_uncertain_month_is_dated_by_the_report_that_carries_it():
    e17 = EVENTS["E17"]
    assert (e17.date.isoformat(), e17.precision) == ("2020-01-01", "month")
    assert e17.summary.startswith("The wire report quoted")


def test_estimated_publication_dates_say_so():
    assert SOURCES["reuters-2020-01-imet"].published_precision == "about"
    assert SOURCES["forum-2020-01-imet"].published_precision == "about"
    assert SOURCES["iit-2018-01-coop"].published_precision == "day"


def test_the_forum_post_relays_and_so_never_corroborates():
    forum = SOURCES["forum-2020-01-imet"]
    assert set(forum.derived_from) == {"Asian Lite", "reuters-2020-01-imet"}
    assert "Defence" not in forum.outlet
    derived = {s: row.derived_from for s, row in SOURCES.items()}
    assert independent_origins(["forum-2020-01-imet", "reuters-2020-01-imet"], derived) == 1


def test_the_wire_row_claims_no_more_than_the_story():
    reuters = SOURCES["reuters-2020-01-imet"]
    assert "restoring" not in reuters.title and "subject to Congress" in reuters.title
    assert "the day of the Baghdad strike" not in reuters.notes
    assert "outside knowledge" in reuters.notes


def test_outside_knowledge_is_declared():
    assert "outside knowledge" in EVENTS["E03"].notes
    assert "mistaken US attack" not in EVENTS["E03"].summary


def test_the_ministers_words_support_partial_not_a_total_suspension():
    assert EVENTS["E09"].state == "partial"
    assert EVENTS["E10"].credibility == EVENTS["E09"].credibility  # one speech, one source
    assert "without US money" not in EVENTS["E10"].summary  # not said in the speech
    assert (EVENTS["E22"].kind, EVENTS["E22"].state) == ("confirm", "partial")
    assert (EVENTS["E26"].kind, EVENTS["E26"].state) == ("confirm", "partial")


def test_wording_keeps_the_sources_hedges():
    assert "removed" not in EVENTS["E11"].summary
    assert "first known effects" in EVENTS["E11"].summary
    assert "Asian Lite" not in EVENTS["E18"].actors
    assert "reopened" not in EVENTS["E22"].summary
    assert "authorised" in EVENTS["E22"].summary
    assert "keeps in place" not in EVENTS["E33"].summary
    assert "The wire said" in EVENTS["E23"].summary


def test_improvement_is_not_cooperation_and_coordination_is_not_a_dispute():
    assert EVENTS["E25"].kind == "note"
    assert (EVENTS["E36"].kind, EVENTS["E36"].state) == ("change", "cooperative")
    assert EVENTS["E32"].kind == "note" and EVENTS["E32"].track == "political_climate"
    assert "earliest report of renewed military contact" not in EVENTS["E26"].notes


def test_what_the_seeds_report_and_the_data_lacked_is_recorded():
    assert "narrow exceptions" in EVENTS["E37"].summary  # the 2018 suspension's own
    assert "small part" in EVENTS["E38"].summary  # IMET within the suspended aid
    countervailing = {"E39": "Taliban", "E40": "peace in Afghanistan", "E41": "interests"}
    for event_id, words in countervailing.items():
        event = EVENTS[event_id]
        assert (event.kind, event.track, words in event.summary) == (
            "note",
            "political_climate",
            True,
        )
    assert "information minister" in EVENTS["E28"].summary  # declined to comment: pending
