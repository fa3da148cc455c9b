"""How far evidence reaches: which sources share an origin, and how a challenge weighs
against the account it contradicts.

Each is one rule, defined here once: validation refuses credibility 1 on sources that
share an origin, corroboration counts independent origins, and every place the briefing
mentions a dispute (bottom line, chart, contested claims, quality of information) weighs
it with `weigh`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from briefings.data.grades import RELIABILITY_GRADES

# How precisely a source's publication date is known (sources.csv `published_precision`;
# empty means `day`). `about` is a day estimated within a few days, from the text or from
# outside knowledge the notes declare.
PUBLISHED_PRECISIONS = ("day", "about", "month", "year")

# Grades that say nothing about strength: credibility 6 ("truth cannot be judged") and
# reliability F ("cannot be judged").
_UNJUDGED_CREDIBILITY = 6
_UNJUDGED_GRADE = "F"


# --- shared origins ------------------------------------------------------------------------


def origins_of(source_id: str, derived_from: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """Everything a source rests on: itself, and what it derives from, followed through
    the dataset's own sources (an outlet without a row ends the chain). Names are compared
    without regard to case or surrounding spaces."""
    seen: set[str] = set()
    todo = [source_id]
    while todo:
        name = todo.pop()
        key = _key(name)
        if key in seen:
            continue
        seen.add(key)
        todo.extend(derived_from.get(name, ()))
    return frozenset(seen)


def origin_groups(
    source_ids: Iterable[str], derived_from: Mapping[str, tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """The sources grouped so that each group is one independent origin.

    Two sources share an origin when one derives from the other or both derive from the
    same source or outlet (directly or through others); sharing joins groups, so a chain
    of relays is one group. Groups keep the order the sources are given in.
    """
    groups: list[tuple[list[str], set[str]]] = []
    for source_id in dict.fromkeys(source_ids):
        reach = set(origins_of(source_id, derived_from))
        joined = [g for g in groups if g[1] & reach]
        if not joined:
            groups.append(([source_id], reach))
            continue
        first, *others = joined
        for members, other_reach in others:
            first[0].extend(members)
            first[1].update(other_reach)
            groups.remove((members, other_reach))
        first[0].append(source_id)
        first[1].update(reach)
    order = {s: i for i, s in enumerate(dict.fromkeys(source_ids))}
    return [tuple(sorted(members, key=order.__getitem__)) for members, _ in groups]


def independent_origins(
    source_ids: Iterable[str], derived_from: Mapping[str, tuple[str, ...]]
) -> int:
    """How many independent origins the sources amount to (see `origin_groups`)."""
    return len(origin_groups(source_ids, derived_from))


def _key(name: str) -> str:
    return name.strip().casefold()


# --- weighing a challenge ------------------------------------------------------------------


STRONGER, WEAKER, EVEN, MIXED, UNWEIGHED = "stronger", "weaker", "even", "mixed", "unweighed"


@dataclass(frozen=True)
class Weight:
    """A challenge set against the account it contradicts.

    `strength` is one of STRONGER, WEAKER, EVEN, MIXED, UNWEIGHED (see `weigh`); the
    grades are the two events' credibility (1–6) and the best reliability grade (A–F)
    among each side's counted sources.
    """

    strength: str
    challenge_credibility: int
    account_credibility: int
    challenge_grade: str
    account_grade: str


def weigh(
    challenge_credibility: int,
    challenge_grades: Iterable[str],
    account_credibility: int,
    account_grades: Iterable[str],
) -> Weight:
    """The one rule for how strong a challenge is.

    Two measures are compared: the credibility of the information (1 strongest) and the
    best reliability grade among each side's counted sources (A best). The challenge is
    *stronger* when at least one measure favours it and neither favours the account,
    *weaker* in the opposite case, *even* when both measures are equal and *mixed* when
    they point opposite ways. When either side is graded 6 or F on a measure the two
    cannot be compared: *unweighed*.
    """
    c_grade, a_grade = _best(challenge_grades), _best(account_grades)
    weight = (int(challenge_credibility), int(account_credibility), c_grade, a_grade)
    unjudged = (
        _UNJUDGED_CREDIBILITY in weight[:2] or _UNJUDGED_GRADE in weight[2:] or "" in weight[2:]
    )
    if unjudged:
        return Weight(UNWEIGHED, *weight)
    # Positive: the measure favours the challenge.
    by_credibility = _sign(int(account_credibility) - int(challenge_credibility))
    by_grade = _sign(RELIABILITY_GRADES.index(a_grade) - RELIABILITY_GRADES.index(c_grade))
    if by_credibility == by_grade == 0:
        strength = EVEN
    elif by_credibility >= 0 and by_grade >= 0:
        strength = STRONGER
    elif by_credibility <= 0 and by_grade <= 0:
        strength = WEAKER
    else:
        strength = MIXED
    return Weight(strength, *weight)


def _best(grades: Iterable[str]) -> str:
    """The best reliability grade among `grades` ('' when there are none)."""
    return min(grades, key=RELIABILITY_GRADES.index, default="")


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)
