"""How claims read: the phrases every generated sentence shares, so the bottom line, the
chart's text and tooltips, the contested claims and the quality of information say the
same thing the same way.

Plain text in and out (no markup). A source is cited as a reader expects it, by outlet,
publication date (as precisely as known) and grade, never by its id; an event by its
number in the table of changes, or by its date when it has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from briefings.data.dataset import CREDIBILITY_MEANINGS, Dataset
from briefings.data.dates import format_partial
from briefings.data.evidence import EVEN, MIXED, STRONGER, UNWEIGHED, WEAKER, Weight
from briefings.report.claims import Citation, Evidence, StateClaim
from briefings.report.words import and_, lower_first, number

_STRENGTHS = {
    STRONGER: "a stronger challenge",
    WEAKER: "a weaker challenge",
    EVEN: "a challenge as strong as the account",
    MIXED: "a challenge of mixed weight",
    UNWEIGHED: "a challenge that cannot be weighed",
}
# The one sentence that says how challenges are weighed (evidence.weigh), for the method.
WEIGHING_RULE = (
    "A challenge is weighed on two measures: the credibility of its information against "
    "that of the account it contradicts (1 strongest), and the best grade among each "
    "side's counted sources (A best). It is stronger when a measure favours it and none "
    "favours the account, weaker in the opposite case, as strong when both measures are "
    "equal, of mixed weight when they point opposite ways, and cannot be weighed when "
    "either side is graded 6 or F."
)


def published(value: date, precision: str) -> str:
    """A publication date as precisely as it is known: '4 Jan 2020', 'about 4 Jan 2020',
    'Jan 2020', '2020' (sources.csv `published_precision`)."""
    if precision == "about":
        return f"about {format_partial(value, 'day')}"
    return format_partial(value, precision)


def cited_as(citation: Citation) -> str:
    """A source by outlet and publication date: 'Reuters via a Pakistani news website,
    about 4 Jan 2020' (a table shows the grade beside it)."""
    return f"{citation.outlet}, {published(citation.published, citation.published_precision)}"


def cite(citation: Citation) -> str:
    """'Reuters via a Pakistani news website, about 4 Jan 2020, B'."""
    return f"{cited_as(citation)}, {citation.grade}"


def cites(evidence: Evidence) -> str:
    """Every counted source of an event, cited; several are separated by semicolons."""
    return "; ".join(cite(c) for c in evidence.citations)


def when(evidence: Evidence) -> str:
    """An event's date, no more precisely than it is known."""
    return format_partial(evidence.date, evidence.precision)


def at(evidence: Evidence) -> str:
    """'on 3 Jan 2020', 'in Jan 2020', 'in 2019'."""
    return f"{'on' if evidence.precision == 'day' else 'in'} {when(evidence)}"


def reference(evidence: Evidence) -> str:
    """An event as prose points to it: 'No. 5', else 'the account of 9 Jan 2018'."""
    if evidence.number is not None:
        return f"No. {evidence.number}"
    return f"the account of {when(evidence)}"


def state_words(dataset: Dataset, state: str) -> str:
    """A state's label as it reads inside a sentence: 'suspended', 'in crisis'."""
    return lower_first(dataset.states[state].label)


def track_words(dataset: Dataset, track: str) -> str:
    """A track's label inside a sentence: 'security assistance', 'IMET (military training)'."""
    return lower_first(dataset.track(track).label)


def stretch(claim: StateClaim, dataset: Dataset) -> str:
    """'military cooperation partial from 9 Jan 2018': a stretch inside a sentence, dated
    by the event that opened it (before the window when it was carried in)."""
    return (
        f"{track_words(dataset, claim.track)} {state_words(dataset, claim.state)} "
        f"from {when(claim.opened)}"
    )


def strength(weight: Weight) -> str:
    """'a weaker challenge': how strong a challenge is, in the weighing rule's terms."""
    return _STRENGTHS[weight.strength]


def grounds(weight: Weight, *, short: bool = False) -> str:
    """Why, in grades: 'credibility 4 (doubtful) against 2 (probably true); sources graded
    E against B', or `short`: 'credibility 4 against 2, sources E against B'."""
    c, a = weight.challenge_credibility, weight.account_credibility
    if short:
        credibility = f"credibility {c} against {a}"
    else:
        credibility = (
            f"credibility {c} ({CREDIBILITY_MEANINGS[c]}) against {a} ({CREDIBILITY_MEANINGS[a]})"
        )
    if not weight.account_grade:
        return f"{credibility}; no counted source backs the account"
    sources = "sources" if short else "sources graded"
    separator = ", " if short else "; "
    return (
        f"{credibility}{separator}{sources} {weight.challenge_grade} against {weight.account_grade}"
    )


def strengths(weights: Iterable[Weight]) -> str:
    """Several challenges in short: 'one weaker challenge', 'two challenges, one stronger
    and one weaker'."""
    kinds = [w.strength for w in weights]
    if len(set(kinds)) == 1:
        noun = _STRENGTHS[kinds[0]].removeprefix("a ")
        if len(kinds) > 1:
            noun = noun.replace("challenge", "challenges", 1)
        return f"{number(len(kinds))} {noun}"
    tally = {kind: kinds.count(kind) for kind in dict.fromkeys(kinds)}
    parts = [f"{number(n)} {_ADJECTIVES[kind]}" for kind, n in tally.items()]
    return f"{number(len(kinds))} challenges, {and_(parts)}"


# `strengths` lists mixed challenges by these.
_ADJECTIVES = {
    STRONGER: "stronger",
    WEAKER: "weaker",
    EVEN: "as strong as the account",
    MIXED: "of mixed weight",
    UNWEIGHED: "that cannot be weighed",
}
