"""`briefings draft`'s reading of text: sentences and tense, date expressions and the rules
that resolve them, figures, keywords and the candidates they make."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from briefings.draft.candidates import find_candidates, number_and_match
from briefings.draft.expressions import find_expressions
from briefings.draft.figures import find_amounts, find_quantities
from briefings.draft.keywords import Keywords
from briefings.draft.reading import LOOSE, Unresolvable
from briefings.draft.resolution import resolve
from briefings.draft.sentences import split_sentences, tense_at

KEYWORDS = Keywords(
    tracks={
        "aid": ("security aid", "aid"),
        "training": ("IMET", "training"),
        "mood": ("relations",),
    },
    states={
        "on": ("resume", "restore", "sign"),
        "off": ("suspend", "halt", "freeze", "frozen"),
        "soon": ("approve",),
        "calm": ("improve",),
    },
    allowed={"aid": ("on", "off", "soon"), "training": ("on", "off", "soon"), "mood": ("calm",)},
)


def resolved(sentence: str, published: date, expression: str):
    """The resolution of the one expression in a sentence, read in the sentence's tense."""
    (found,) = [e for e in find_expressions(sentence) if e.text == expression]
    return resolve(found, published, tense_at(sentence, found.start, found.end))


@pytest.mark.parametrize(
    "sentence, published, expression, expected",
    [
        # A weekday equal to the publication day is that day in the past tense (dateparser
        # puts it a week back: scrapinghub/dateparser#508).
        ("Aid was frozen on Monday.", date(2023, 1, 2), "on Monday", "2023-01-02"),
        # Across a year's end, both ways.
        ("Aid was frozen on Friday.", date(2023, 1, 2), "on Friday", "2022-12-30"),
        ("Aid will resume on Friday.", date(2022, 12, 31), "on Friday", "2023-01-06"),
        ("Aid will resume on Saturday.", date(2022, 12, 31), "on Saturday", "2023-01-07"),
        # Into a leap day.
        ("Aid was frozen on Saturday.", date(2020, 3, 1), "on Saturday", "2020-02-29"),
        # 'last' and 'next' are strictly before and after the publication day.
        ("Aid was frozen last Thursday.", date(2022, 9, 15), "last Thursday", "2022-09-08"),
        ("Aid resumes next Thursday.", date(2022, 9, 15), "next Thursday", "2022-09-22"),
        # The verb the date belongs to decides the tense.
        (
            "The Pentagon said on Monday it would halt aid.",
            date(2018, 1, 11),
            "on Monday",
            "2018-01-08",
        ),
        ("On Monday, the ministers will sign.", date(2018, 1, 11), "On Monday", "2018-01-15"),
    ],
)
def test_weekdays_follow_the_tense(sentence, published, expression, expected):
    assert resolved(sentence, published, expression).value == expected


@pytest.mark.parametrize(
    "sentence, published, expression, value, precision",
    [
        # "last month" names a month, not a day (dateparser returns a day: #1270).
        ("Aid was frozen last month.", date(2023, 1, 2), "last month", "2022-12", "month"),
        ("Aid stopped earlier this year.", date(2023, 1, 2), "earlier this year", "2023", "year"),
        ("Aid was frozen two years ago.", date(2020, 1, 5), "two years ago", "2018", "year"),
        ("Aid was frozen a month ago.", date(2022, 3, 31), "a month ago", "2022-02", "month"),
        ("Aid was frozen on the 14th.", date(2023, 1, 2), "on the 14th", "2022-12-14", "day"),
        ("Aid was frozen on the 31st.", date(2022, 9, 15), "on the 31st", "2022-08-31", "day"),
        ("Aid was frozen on 20 June.", date(2022, 6, 15), "on 20 June", "2021-06-20", "day"),
        ("Aid will resume in January.", date(2024, 1, 1), "in January", "2024-01", "month"),
        ("Aid ended in mid-October 2018.", date(2019, 1, 1), "in mid-October 2018", "2018-10",
         "month"),
        ("The pact took effect in April of the previous year.", date(2023, 8, 3),
         "in April of the previous year", "2022-04", "month"),
        # A span within a month is that month; across a month's end, the year.
        ("Aid resumed this week.", date(2022, 6, 15), "this week", "2022-06", "month"),
        ("Aid will resume this week.", date(2022, 6, 30), "this week", "2022", "year"),
    ],
)  # fmt: skip
def test_precision_no_finer_than_the_words(sentence, published, expression, value, precision):
    resolution = resolved(sentence, published, expression)
    assert (resolution.value, resolution.precision) == (value, precision)


def test_a_span_across_a_years_end_takes_the_month_of_most_of_its_days():
    resolution = resolved("Talks resumed earlier this week.", date(2020, 1, 5), "earlier this week")
    assert (resolution.value, resolution.certainty) == ("2020-01", LOOSE)
    assert "Mon 30 Dec 2019–Sat 4 Jan 2020" in resolution.rule
    assert resolution.other == "other reading: Dec 2019"


def test_the_rule_names_the_expression_the_publication_and_the_result():
    resolution = resolved("The cabinet met on Tuesday.", date(2022, 9, 15), "on Tuesday")
    assert resolution.rule.startswith(
        "'on Tuesday' in a story published Thu 15 Sep 2022 → Tue 13 Sep 2022 (past tense"
    )
    assert resolution.other == "other reading: Tue 20 Sep 2022 (if it speaks of the future)"


def test_resolution_is_based_on_the_publication_day_not_the_clock():
    assert (
        resolved("Aid was frozen yesterday.", date(1990, 1, 1), "yesterday").value == "1989-12-31"
    )
    assert (
        resolved("Aid was frozen a decade ago.", date(1990, 6, 1), "a decade ago").value == "1980"
    )


def test_a_date_that_does_not_exist_is_unresolvable():
    (expression,) = find_expressions("Aid was frozen on 30 February 2023.")
    with pytest.raises(Unresolvable, match="'30 February 2023' is not a date"):
        resolve(expression, date(2023, 5, 1), "past")


def test_in_two_years_is_a_date_only_about_the_future():
    assert resolved("Aid rose in two years of talks.", date(2022, 5, 10), "in two years") is None
    assert (
        resolved("Aid will resume in two years.", date(2022, 5, 10), "in two years").value == "2024"
    )


def test_month_and_weekday_names_need_their_capital():
    assert [e.text for e in find_expressions("He may march in March, not on monday.")] == [
        "in March"
    ]


def test_sentences_keep_abbreviations_and_part_headlines():
    text = "Pakistan resumes training\nGen. Bajwa met the U.S. envoy on Monday. Talks\ncontinued."
    assert split_sentences(text) == [
        "Pakistan resumes training",
        "Gen. Bajwa met the U.S. envoy on Monday.",
        "Talks continued.",
    ]


@pytest.mark.parametrize(
    "text, value",
    [
        ("some $2 billion", 2_000_000_000),
        ("$1.3bn", 1_300_000_000),
        ("900 million US dollars", 900_000_000),
        ("two billion dollars", 2_000_000_000),
        ("three hundred million dollars", 300_000_000),
        ("half a billion dollars", 500_000_000),
        ("US$ 4.5 million", 4_500_000),
        ("$500,000", 500_000),
    ],
)
def test_amounts_in_figures_and_words(text, value):
    assert [a.value for a in find_amounts(f"Aid of {text} was frozen.")] == [value]


def test_sums_in_other_currencies_and_small_counts_are_not_figures():
    assert find_amounts("Rs 10 billion and billions of dollars") == []
    assert [q.value for q in find_quantities("66 slots, two countries, 15 years", [])] == [66]


def test_keywords_match_inflections_by_length():
    keywords = Keywords(
        tracks={"t": ("aid",)}, states={"s": ("suspend", "improve")}, allowed={"t": ("s",)}
    )
    assert [h.id for h in keywords.track_hits("aid, aided, aides")] == ["t", "t"]
    words = "suspended, improving, suspension"
    assert [words[h.start : h.end] for h in keywords.state_hits(words, "t")] == [
        "suspended",
        "improving",
    ]


def test_one_sentence_gives_a_candidate_per_date_with_its_own_state():
    candidates, _ = find_candidates(
        "The aid was signed in October 2005 and frozen in 2020.", date(2023, 8, 3), KEYWORDS
    )
    assert [(c.date, c.precision, c.track, c.state, c.kind) for c in candidates] == [
        ("2005-10", "month", "aid", "on", "change"),
        ("2020", "year", "aid", "off", "change"),
    ]


def test_a_figure_goes_to_the_candidate_of_the_track_it_is_named_with():
    candidates, _ = find_candidates(
        "IMET was halted in August 2018 amid a freeze of security aid worth $1.66 billion.",
        date(2019, 8, 21),
        KEYWORDS,
    )
    (candidate,) = candidates
    assert (candidate.track, candidate.amount_usd) == ("training", None)


def test_a_participle_describing_a_thing_is_not_the_state():
    candidates, _ = find_candidates(
        "Washington approved the restored aid on Friday.", date(2022, 9, 15), KEYWORDS
    )
    assert [(c.state, c.kind) for c in candidates] == [("soon", "change")]


def test_a_state_that_holds_on_is_a_confirmation_and_no_state_a_note():
    candidates, _ = find_candidates(
        "The aid freeze of January 2018 remains in place. Relations were discussed on Friday.",
        date(2020, 1, 4),
        KEYWORDS,
    )
    assert [(c.kind, c.state) for c in candidates] == [("confirm", "off"), ("note", "")]
    # A weekday depends on the tense (medium), and naming no state lowers it one step.
    assert [c.confidence for c in candidates] == ["high", "low"]


def test_sentences_without_a_track_give_nothing_and_repeats_give_once():
    text = "Ministers met on Monday. Aid was frozen on Friday. Aid was frozen on Friday."
    candidates, _ = find_candidates(text, date(2022, 9, 15), KEYWORDS)
    assert [c.expression for c in candidates] == ["on Friday"]


def test_impossible_dates_are_listed_not_proposed():
    candidates, unresolved = find_candidates(
        "Aid was frozen on 30 February 2023.", date(2023, 5, 1), KEYWORDS
    )
    assert candidates == []
    assert unresolved == ["'30 February 2023' is not a date"]


def test_new_ids_continue_the_dataset_and_repeats_are_flagged():
    candidates, _ = find_candidates(
        "Aid was frozen on Friday. IMET was restored on Monday.", date(2022, 9, 15), KEYWORDS
    )
    events = pd.DataFrame(
        {
            "event_id": ["E08", "E09"],
            "date": [date(2022, 9, 9), date(2022, 9, 9)],
            "precision": ["day", "day"],
            "track": ["aid", "training"],
            "state": ["off", "off"],
        }
    )
    numbered = number_and_match(candidates, events, "ledger-2022-09-15")
    assert [(c.event_id, c.source_ids, c.existing) for c in numbered] == [
        ("E10", "ledger-2022-09-15", "E08"),
        ("E11", "ledger-2022-09-15", ""),
    ]
