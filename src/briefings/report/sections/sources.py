"""The sources table: the sources this briefing counts, with their grades and what they
relay; of the others, only how many there are and why they are not counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from briefings.data.states import source_exclusions
from briefings.report.claims import View
from briefings.report.phrases import published
from briefings.report.sections.pieces import Grade, day, reliability
from briefings.report.sections.timeline import shown_disputes
from briefings.report.words import and_, count, upper_first


@dataclass(frozen=True)
class SourceRow:
    """One counted source as listed: outlet, title, author, publication date (as precisely
    as it is known), kind, grade, what it relays (`relays`, '' when it is original), notes,
    and whether this briefing cites it."""

    source_id: str
    outlet: str
    title: str
    author: str
    url: str
    published: str
    kind: str
    reliability: Grade
    relays: str
    notes: str
    cited: bool


@dataclass(frozen=True)
class SourcesTable:
    """The sources this briefing counts, oldest first; of the others, only how many there
    are and why they are not counted (`not_counted`): an "as known on" briefing must not
    show what was not yet known."""

    template: ClassVar[str] = "briefing/sections/sources_table.html.j2"
    rows: tuple[SourceRow, ...]
    not_counted: str


def cited_sources(view: View) -> set[str]:
    """Ids of the counted sources behind the state table, the numbered events and the
    disputes the briefing explains."""
    frames = (view.table, view.markers, shown_disputes(view))
    return {s for frame in frames for ids in frame["source_ids"] for s in ids}


def sources_table(view: View) -> SourcesTable:
    """The counted sources with their grades and origins; the others only counted."""
    cited = cited_sources(view)
    rows = []
    ordered = view.dataset.sources.sort_values(["published", "row"], kind="stable")
    for source in ordered.itertuples():
        if source.source_id not in view.counted:
            continue
        rows.append(
            SourceRow(
                source_id=source.source_id,
                outlet=source.outlet,
                title=source.title,
                author=source.author,
                url=source.url,
                published=published(source.published, source.published_precision),
                kind=source.kind,
                reliability=reliability(source.reliability, spelled=True),
                relays=_relays(source.derived_from, view),
                notes=source.notes,
                cited=source.source_id in cited,
            )
        )
    return SourcesTable(tuple(rows), _not_counted_line(view))


def _relays(derived_from: tuple[str, ...], view: View) -> str:
    """What a source relays, by outlet: a source of the dataset by its outlet (one this
    briefing does not count only as such), an outside outlet by its name."""
    named = []
    for item in derived_from:
        if item in view.counted:
            named.append(view.sources[item].outlet)
        elif item in view.sources:
            named.append("a source not counted here")
        else:
            named.append(item)
    return and_(dict.fromkeys(named))


def _not_counted_line(view: View) -> str:
    """'2 sources published after 31 Dec 2018 and 1 graded below C are not counted.'"""
    params = view.params
    reasons: dict[str, int] = {}
    for source in view.sources.values():
        for reason in source_exclusions(
            source.published,
            source.reliability,
            as_of=params.as_of,
            min_reliability=params.min_reliability,
        )[:1]:
            reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return ""
    words = {
        "as_of": f"published after {day(params.as_of)}" if params.as_of else "",
        "min_reliability": f"graded below {params.min_reliability}",
    }
    parts = [f"{count(n, 'source')} {words[reason]}" for reason, n in reasons.items()]
    verb = "is" if sum(reasons.values()) == 1 else "are"
    return f"{upper_first(and_(parts))} {verb} not counted in this briefing."
