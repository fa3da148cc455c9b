"""Parameters are typed and checked before any work, one clear line each."""

from __future__ import annotations

from datetime import date

import pytest

from briefings.exceptions import ParameterError
from briefings.params import coerce_parameters, prepare


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"colour": "red"}, "parameter: unknown parameter 'colour' (known: data_dir, start, end"),
        (
            {"start": "2018-02-30"},
            "parameter: parameter 'start': '2018-02-30' is not a date (use YYYY-MM-DD)",
        ),
        ({"as_of": "yesterday"}, "parameter: parameter 'as_of': 'yesterday' is not a date"),
        (
            {"start": "2020-01-01", "end": "2019-01-01"},
            "parameter: parameter 'end': 2019-01-01 is not after start 2020-01-01",
        ),
        (
            {"min_reliability": "Z"},
            "parameter: parameter 'min_reliability': 'Z' is not a "
            "reliability grade (use one letter A–F)",
        ),
        ({"tracks": " , "}, "parameter: parameter 'tracks': ' , ' names no track"),
    ],
)
def test_bad_values_are_named(raw, expected):
    with pytest.raises(ParameterError) as caught:
        coerce_parameters(raw)
    assert caught.value.lines()[0].startswith(expected)


def test_unknown_track_is_checked_against_the_dataset(small_dataset):
    with pytest.raises(
        ParameterError,
        match="'trade' is not a track of small "
        r"\(tracks: aid, mood\)",
    ):
        prepare({"data_dir": str(small_dataset), "tracks": "aid,trade"})


def test_defaults_come_from_the_dataset(small_dataset):
    params, _ = prepare({"data_dir": str(small_dataset), "start": "", "title": None})
    assert (params.start, params.end) == (date(2020, 1, 1), date(2021, 12, 31))
    assert params.title == "Small test relationship"
    assert params.tracks == ("aid", "mood")
    assert params.build_date is not None


def test_values_are_never_evaluated(small_dataset):
    params, _ = prepare({"data_dir": str(small_dataset), "title": "__import__('os').getcwd()"})
    assert params.title == "__import__('os').getcwd()"


def test_as_dict_round_trips(small_dataset):
    params, _ = prepare({"data_dir": str(small_dataset), "tracks": ["mood"], "as_of": "2021-01-01"})
    again, _ = prepare(params.as_dict())
    assert again == params
