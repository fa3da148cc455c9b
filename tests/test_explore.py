"""The dataset views behind notebooks/explore.ipynb, on the small test dataset."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SMALL_EVENTS, write_dataset

from briefings.data.dataset import load_dataset
from briefings.data.params import prepare
from briefings.exceptions import ParameterError
from briefings.report import explore


@pytest.fixture
def small(small_dataset):
    return prepare({"data_dir": str(small_dataset)})


def test_events_per_track_year_counts_every_year_in_track_order(small):
    _, dataset = small
    counts = explore.events_per_track_year(dataset)
    assert list(counts.index) == ["aid", "mood"]
    assert list(counts.columns) == [2019, 2020, 2021, "total"]
    assert counts.loc["aid"].tolist() == [1, 1, 2, 4]
    assert counts.loc["mood"].tolist() == [0, 1, 0, 1]


def test_a_year_without_events_is_a_zero_column(tmp_path):
    late = [dict(SMALL_EVENTS[3], event_id="e9", date="2023-01-02")]
    dataset = load_dataset(write_dataset(tmp_path / "gap", events=[*SMALL_EVENTS, *late]))
    counts = explore.events_per_track_year(dataset)
    assert list(counts.columns) == [2019, 2020, 2021, 2022, 2023, "total"]
    assert counts[2022].tolist() == [0, 0]


def test_coverage_svg_is_svg_and_deterministic(small):
    _, dataset = small
    counts = explore.events_per_track_year(dataset)
    svg = explore.coverage_svg(counts)
    assert "<svg" in svg and "Events per track and year" in svg
    assert "<dc:date>" not in svg
    assert explore.coverage_svg(counts) == svg


def test_source_grades_best_first_with_citing_events(small):
    _, dataset = small
    grades = explore.source_grades(dataset)
    assert grades["source_id"].tolist() == ["s1", "s2"]
    assert grades["reliability"].tolist() == ["B", "E"]
    assert grades["meaning"].tolist() == ["usually reliable", "unreliable"]
    assert grades["event_ids"].tolist() == [("e1", "e2", "e4"), ("e3", "e5")]
    assert grades["events"].tolist() == [3, 2]


def test_contested_claims_pairs_claim_and_challenge(small):
    _, dataset = small
    claims = explore.contested_claims(dataset)
    assert len(claims) == 1
    row = claims.iloc[0]
    assert (row.track, row.claim_id, row.claim_kind, row.challenge_id) == (
        "aid",
        "e2",
        "change",
        "e5",
    )
    assert (row.claim_credibility, row.claim_reliability) == (2, "B")
    assert (row.challenge_credibility, row.challenge_reliability) == (5, "E")
    assert row.claim_date == date(2020, 2, 10)


def test_as_of_view_when_sources_already_spoke(small):
    params, dataset = small
    view = explore.as_of_view(dataset, params, "2020-06-01")
    assert view.loc["aid", "then_state"] == view.loc["aid", "now_state"] == "off"
    assert view.loc["aid", "then_since"] == date(2020, 2, 10)
    # The blog that disputes the stop was published a year later.
    assert not view.loc["aid", "then_contested"]
    assert view.loc["aid", "now_contested"]
    assert view["changed"].tolist() == [False, False]


def test_as_of_view_before_any_source_knows_nothing_then(small):
    params, dataset = small
    view = explore.as_of_view(dataset, params, date(2020, 2, 15))
    assert view["then_state"].tolist() == [None, None]
    assert view["now_state"].tolist() == ["off", "tense"]
    assert view["changed"].tolist() == [True, True]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [("2019-12-31", "is not after start 2020-01-01"), ("soon", "is not a date")],
)
def test_as_of_view_rejects_a_bad_day(small, as_of, message):
    params, dataset = small
    with pytest.raises(ParameterError, match=message) as error:
        explore.as_of_view(dataset, params, as_of)
    assert "'as_of'" in str(error.value)
