"""Shared origins and the weighing of challenges: one rule each."""

from __future__ import annotations

import pytest

from briefings.data.evidence import (
    EVEN,
    MIXED,
    STRONGER,
    UNWEIGHED,
    WEAKER,
    independent_origins,
    origin_groups,
    weigh,
)

RELAYS = {
    "wire": (),
    "paper": ("wire",),  # rewrites the wire
    "blog": ("paper",),  # rewrites the paper, so the wire too
    "forum": ("Asian Lite",),  # an outlet without a row
    "digest": ("asian lite ",),  # the same outlet, spelt differently
    "local": (),
}


@pytest.mark.parametrize(
    ("cited", "groups"),
    [
        (["wire", "local"], [("wire",), ("local",)]),
        (["wire", "paper"], [("wire", "paper")]),
        (["blog", "wire"], [("blog", "wire")]),
        (["forum", "digest", "wire"], [("forum", "digest"), ("wire",)]),
        (["paper", "forum", "blog"], [("paper", "blog"), ("forum",)]),
        (["wire", "wire"], [("wire",)]),
    ],
)
def test_sources_that_share_an_origin_are_one_group(cited, groups):
    assert origin_groups(cited, RELAYS) == groups
    assert independent_origins(cited, RELAYS) == len(groups)


def test_a_late_source_can_join_two_groups_into_one():
    relays = {"a": ("X",), "b": ("Y",), "c": ("X", "Y")}
    assert origin_groups(["a", "b", "c"], relays) == [("a", "b", "c")]


@pytest.mark.parametrize(
    ("challenge", "account", "strength"),
    [
        ((4, "E"), (2, "B"), WEAKER),  # the forum post against the wire
        ((3, "C"), (3, "D"), STRONGER),  # equal credibility: the better source decides
        ((2, "C"), (3, "D"), STRONGER),
        ((3, "C"), (3, "C"), EVEN),
        ((2, "E"), (3, "B"), MIXED),  # more credible information from a worse source
        ((6, "A"), (2, "B"), UNWEIGHED),
        ((2, "F"), (2, "B"), UNWEIGHED),
        ((2, "B"), (2, ""), UNWEIGHED),  # the account has no counted source
    ],
)
def test_one_rule_weighs_credibility_and_source_grades(challenge, account, strength):
    (c_cred, c_grade), (a_cred, a_grade) = challenge, account
    weight = weigh(c_cred, [c_grade] if c_grade else [], a_cred, [a_grade] if a_grade else [])
    assert weight.strength == strength


def test_the_best_counted_source_speaks_for_each_side():
    weight = weigh(3, ["E", "B"], 3, ["C"])
    assert (weight.challenge_grade, weight.account_grade, weight.strength) == ("B", "C", STRONGER)
