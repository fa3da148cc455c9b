"""Claims are checked against the view's state table before they become sentences: each
way of saying more than the view supports is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from conftest import SHIPPED_VIEWS, view_id

from briefings.data.params import prepare
from briefings.report.claims import (
    UnsupportedClaim,
    View,
    check_dispute,
    check_state,
    dispute_claims,
    state_claims,
)


def view_of(data_dir, **raw) -> View:
    params, dataset = prepare({"data_dir": data_dir, "build_date": "2026-11-12", **raw})
    return View.of(dataset, params)


@pytest.mark.parametrize("raw", SHIPPED_VIEWS, ids=view_id)
def test_every_stretch_of_every_view_has_a_supported_claim(shipped_dataset, raw):
    view = view_of(shipped_dataset, **raw)
    claims = state_claims(view)
    assert [(c.track, c.state, c.start) for c in claims] == list(
        zip(view.table["track"], view.table["state"], view.table["start"], strict=True)
    )


def test_a_state_carried_in_is_dated_by_the_event_that_began_it(shipped_dataset):
    view = view_of(shipped_dataset, start="2019-01-01", end="2019-12-31")
    cis = next(c for c in state_claims(view) if c.track == "cis_moa")
    assert cis.start == date(2019, 1, 1)  # as in states.csv
    assert cis.since == (date(2005, 10, 1), "month")  # when the pact was concluded
    assert (cis.opened.event_id, cis.latest.event_id, cis.later) == ("E01", "E01", None)
    assert cis.assumed
    # The report is from 2023, after the window: it is cited for what it says of 2005.
    assert [c.published for c in cis.latest.citations] == [date(2023, 8, 3)]


def _claim(view, track, state):
    return next(c for c in state_claims(view) if (c.track, c.state) == (track, state))


def _refused(claim, view, what):
    with pytest.raises(UnsupportedClaim, match=what):
        check_state(claim, view)


def test_a_claim_must_name_a_stretch_of_the_table(small_dataset):
    view = view_of(small_dataset)
    claim = _claim(view, "aid", "off")
    _refused(replace(claim, start=claim.start + timedelta(days=1)), view, "not a stretch")
    _refused(replace(claim, state="on"), view, "not a stretch")
    _refused(replace(claim, end=date(2021, 1, 1)), view, "differs from its row")


def test_a_claim_cites_only_what_backs_that_state_of_that_track(small_dataset):
    view = view_of(small_dataset)
    off, on = _claim(view, "aid", "off"), _claim(view, "aid", "on")
    mood = _claim(view, "mood", "tense")
    # The event that opened another stretch, or another track's, does not back this one.
    _refused(replace(off, latest=on.opened), view, "not behind it")
    _refused(replace(off, latest=mood.opened), view, "not behind it")
    # Nor does a source the event does not cite.
    alien = replace(off.latest, citations=mood.opened.citations + off.latest.citations)
    _refused(replace(off, latest=alien), view, "does not count")


def test_a_source_the_view_does_not_count_cannot_be_cited(small_dataset):
    later = _claim(view_of(small_dataset), "aid", "off").latest  # e3, from s2 (Jun 2021)
    # As known on 1 Jan 2021, s2 is not counted, nor e3 that rests on it alone.
    earlier = view_of(small_dataset, as_of="2021-01-01")
    claim = _claim(earlier, "aid", "off")
    assert claim.latest.event_id == "e2"
    _refused(replace(claim, latest=later), earlier, "e3, which is not counted")
    uncounted = replace(claim.latest, citations=claim.latest.citations + later.citations)
    _refused(replace(claim, latest=uncounted), earlier, "does not count")


def test_a_later_report_is_cited_for_what_it_says_not_dated_by_its_publication(small_dataset):
    view = view_of(small_dataset)
    claim = _claim(view, "aid", "off")
    citation = claim.latest.citations[0]
    redated = replace(claim.latest, date=citation.published, precision="day")
    _refused(replace(claim, latest=redated), view, "dated other than its event")


def test_since_assumed_and_challenges_follow_the_table(small_dataset):
    view = view_of(small_dataset)
    claim = _claim(view, "aid", "off")
    _refused(replace(claim, opened=claim.latest), view, "does not open with its row")
    _refused(replace(claim, assumed=not claim.assumed), view, "assumed")
    _refused(replace(claim, challenges=()), view, "challenges")
    challenge = claim.challenges[0]
    stronger = replace(challenge.weight, strength="stronger")
    _refused(replace(claim, challenges=(replace(challenge, weight=stronger),)), view, "weight")


def test_the_window_decides_what_is_latest_and_what_is_later(small_dataset):
    view = view_of(small_dataset, end="2020-12-31")
    claim = _claim(view, "aid", "off")
    assert (claim.latest.event_id, claim.later.event_id) == ("e2", "e3")
    _refused(replace(claim, latest=claim.later, later=None), view, "after the window")


def test_dispute_claims_are_weighed_and_checked(small_dataset):
    view = view_of(small_dataset)
    (claim,) = dispute_claims(view, ["e5"])
    assert (claim.target.event_id, claim.counted, claim.weight.strength) == ("e2", True, "weaker")
    with pytest.raises(UnsupportedClaim, match="weight"):
        check_dispute(replace(claim, weight=replace(claim.weight, strength="even")), view)
    with pytest.raises(UnsupportedClaim, match="wrong target"):
        check_dispute(replace(claim, target=replace(claim.target, event_id="e1")), view)
