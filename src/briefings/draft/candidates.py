"""Candidate events: one per date expression in a sentence that names a track, with the
events.csv columns the words support, the sentence as evidence and a confidence.

The analyst decides: a candidate never has a summary (the dataset is written in the
analyst's words), and its credibility is left to be graded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from briefings.draft.expressions import Expression, find_expressions
from briefings.draft.figures import Figure, find_amounts, find_quantities
from briefings.draft.keywords import Hit, Keywords, nearest
from briefings.draft.reading import EXACT, LOOSE, TENSE, Resolution, Unresolvable, written
from briefings.draft.resolution import resolve
from briefings.draft.sentences import clause_around, clause_bounds, split_sentences, tense_at

# Columns a draft has beside events.csv's, for the analyst's eyes; never accepted.
DRAFT_COLUMNS = ("evidence", "expression", "confidence", "existing")
CONFIDENCES = ("high", "medium", "low")
_CONFIDENCE = {EXACT: 0, TENSE: 1, LOOSE: 2}
# A clause that says a state holds on, rather than that it began: a confirmation.
_CONTINUES = re.compile(
    r"\b(?:remain\w*|still|continu\w*|stay\w*|kept|keeps?|maintain\w*|reaffirm\w*|"
    r"in (?:effect|force|place))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """A proposed events.csv row and what the analyst needs to judge it."""

    date: str
    precision: str
    track: str
    kind: str
    state: str
    notes: str
    evidence: str
    expression: str
    confidence: str
    amount_usd: int | None = None
    quantity: int | None = None
    event_id: str = ""
    source_ids: str = ""
    existing: str = ""

    def row(self, columns: tuple[str, ...]) -> dict[str, str]:
        """The candidate as a CSV row with these columns (those it has no value for empty)."""
        values = {name: "" if value is None else str(value) for name, value in vars(self).items()}
        return {column: values.get(column, "") for column in columns}


def find_candidates(
    text: str, published: date, keywords: Keywords
) -> tuple[list[Candidate], list[str]]:
    """The candidates of an article's text, in reading order, and a line for each date
    expression that names no real date ("30 February 2023"). A sentence the page repeats
    (pasted twice, a pull quote) gives its candidates once."""
    found: list[Candidate] = []
    unresolved: list[str] = []
    for sentence in dict.fromkeys(split_sentences(text)):
        if not keywords.track_hits(sentence):
            continue
        resolved = []
        for expression in find_expressions(sentence):
            try:
                resolution = resolve(expression, published, tense_at(sentence, *_span(expression)))
            except Unresolvable as error:
                unresolved.append(str(error))
                continue
            if resolution is not None:
                resolved.append((expression, resolution))
        found.extend(_sentence_candidates(sentence, resolved, keywords))
    return found, unresolved


def _span(expression: Expression) -> tuple[int, int]:
    return expression.start, expression.end


def _sentence_candidates(
    sentence: str, resolved: list[tuple[Expression, Resolution]], keywords: Keywords
) -> list[Candidate]:
    """One candidate per resolved expression, with the figures that belong to it."""
    tracks = []
    for expression, _ in resolved:
        clause = clause_bounds(sentence, *_span(expression))
        tracks.append(_chosen(keywords.track_hits(sentence), expression, clause).id)
    amounts = find_amounts(sentence)
    taken = [_span(e) for e, _ in resolved] + [(f.start, f.end) for f in amounts]
    quantities = find_quantities(sentence, taken)
    candidates = []
    for index, (expression, resolution) in enumerate(resolved):
        clause = clause_bounds(sentence, *_span(expression))
        hits = [
            h for h in keywords.state_hits(sentence, tracks[index]) if not _attributive(sentence, h)
        ]
        state = _chosen(hits, expression, clause)
        amount = _figure_for(index, amounts, resolved, tracks, sentence, keywords)
        quantity = _figure_for(index, quantities, resolved, tracks, sentence, keywords)
        level = _CONFIDENCE[resolution.certainty] + (state is None)
        candidates.append(
            Candidate(
                date=resolution.value,
                precision=resolution.precision,
                track=tracks[index],
                kind=_kind(sentence, expression, state is not None),
                state=state.id if state else "",
                notes=_notes(resolution, amount, quantity),
                evidence=sentence,
                expression=expression.text,
                confidence=CONFIDENCES[min(level, len(CONFIDENCES) - 1)],
                amount_usd=amount.value if amount else None,
                quantity=quantity.value if quantity else None,
            )
        )
    return candidates


def _chosen(hits: list[Hit], expression: Expression, clause: tuple[int, int]) -> Hit | None:
    """The keyword a date belongs with: the nearest in the date's own clause, else the
    nearest in the sentence."""
    left, right = clause
    own = [h for h in hits if left <= h.start and h.end <= right]
    return nearest(own or hits, *_span(expression))


def _attributive(sentence: str, hit: Hit) -> bool:
    """Whether a state word is a participle after an article or possessive, describing a
    thing rather than saying what happened ("approved the renewed pact", "release the
    suspended aid"; but "a signing ceremony" still speaks of a signing)."""
    word = sentence[hit.start : hit.end]
    participle = re.search(r"(?:ed|en|eld)$", word, re.I)
    return bool(participle and _DETERMINER.search(sentence, 0, hit.start))


_DETERMINER = re.compile(r"\b(?:the|a|an|its|their|this|these|those|his|her|our)\s+$", re.I)


def _figure_for(
    index: int,
    figures: list[Figure],
    resolved: list[tuple[Expression, Resolution]],
    tracks: list[str],
    sentence: str,
    keywords: Keywords,
) -> Figure | None:
    """The figure of the index-th candidate: one whose nearest track word names that
    candidate's track ("$1.66 billion" of security assistance is no IMET figure) and
    which is nearer to this candidate's date than to any other of that track."""
    mine = []
    for figure in figures:
        named = nearest(keywords.track_hits(sentence), figure.start, figure.end)
        if named is None or named.id != tracks[index]:
            continue
        gaps = [
            _gap(figure, e) if t == named.id else None
            for (e, _), t in zip(resolved, tracks, strict=True)
        ]
        closest = min(g for g in gaps if g is not None)
        if gaps[index] == closest:
            mine.append((closest, figure))
    return min(mine, key=lambda pair: pair[0])[1] if mine else None


def _gap(figure: Figure, expression: Expression) -> int:
    return max(figure.start - expression.end, expression.start - figure.end, 0)


def _kind(sentence: str, expression: Expression, has_state: bool) -> str:
    """'change' for a decision or a new state, 'confirm' where the clause says the state
    holds on, 'note' where the words name no state."""
    if not has_state:
        return "note"
    clause = clause_around(sentence, *_span(expression))
    return "confirm" if _CONTINUES.search(clause) else "change"


def _notes(resolution: Resolution, amount: Figure | None, quantity: Figure | None) -> str:
    parts = [resolution.rule + (f"; {resolution.other}" if resolution.other else "") + "."]
    if amount:
        parts.append(f"Amount from '{amount.text}'.")
    if quantity:
        parts.append(f"Quantity from '{quantity.text}'.")
    return " ".join(parts)


def number_and_match(
    candidates: list[Candidate], events: pd.DataFrame, source_id: str
) -> list[Candidate]:
    """Give each candidate a new event id, the suggested source id, and the ids of the
    rows of events.csv it repeats (same track, state and date)."""
    known: dict[tuple[str, str, str], list[str]] = {}
    for event in events.itertuples():
        key = (written(event.date, event.precision), event.track, event.state)
        known.setdefault(key, []).append(event.event_id)
    ids = _new_ids(list(events["event_id"]), len(candidates), source_id)
    return [
        replace(
            candidate,
            event_id=event_id,
            source_ids=source_id,
            existing=";".join(known.get((candidate.date, candidate.track, candidate.state), ())),
        )
        for candidate, event_id in zip(candidates, ids, strict=True)
    ]


def _new_ids(taken: list[str], count: int, source_id: str) -> list[str]:
    """Ids that continue the dataset's numbering (E34 → E35, E36), or `<source>-1`, … when
    its ids follow no single pattern."""
    numbered = [re.fullmatch(r"(.*?)(\d+)", i) for i in taken]
    prefixes = {m[1] for m in numbered if m}
    if taken and all(numbered) and len(prefixes) == 1:
        prefix = prefixes.pop()
        width = max(len(m[2]) for m in numbered)
        last = max(int(m[2]) for m in numbered)
        return [f"{prefix}{last + n:0{width}d}" for n in range(1, count + 1)]
    ids, n = [], 0
    while len(ids) < count:
        n += 1
        if f"{source_id}-{n}" not in taken:
            ids.append(f"{source_id}-{n}")
    return ids
