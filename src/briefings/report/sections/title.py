"""The title block: marking, title, the window, what knowledge the briefing reflects, the
filters in force and the build date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from briefings.data.grades import RELIABILITY_GRADES
from briefings.data.params import Parameters
from briefings.report.claims import View
from briefings.report.phrases import published
from briefings.report.sections.pieces import day


@dataclass(frozen=True)
class TitleBlock:
    """Marking, title, and (label, value) facts: window, knowledge, filters, build date."""

    template: ClassVar[str] = "briefing/sections/title_block.html.j2"
    marking: str
    title: str
    facts: tuple[tuple[str, str], ...]


def title_block(view: View) -> TitleBlock:
    """The header: marking, title, window, what knowledge it reflects, and the build date."""
    dataset, params = view.dataset, view.params
    counted = [view.sources[s] for s in view.counted]
    latest = max(counted, key=lambda s: s.published, default=None)
    latest_text = (
        f"latest published {published(latest.published, latest.published_precision)}"
        if latest
        else "no source counted"
    )
    if params.as_of:
        knowledge = (
            f"As known on {day(params.as_of)}: later sources are not counted ({latest_text})"
        )
    else:
        knowledge = f"All sources ({latest_text})"
    facts = [
        ("Window", window_text(params)),
        ("Knowledge", knowledge),
    ]
    if params.min_reliability != RELIABILITY_GRADES[-1]:
        facts.append(("Sources", f"Only sources graded {params.min_reliability} or better"))
    if len(params.tracks) < len(dataset.tracks):
        labels = ", ".join(dataset.track(t).label for t in params.tracks)
        facts.append(("Tracks", f"{len(params.tracks)} of {len(dataset.tracks)}: {labels}"))
    if params.title != dataset.title:
        facts.append(("Dataset", dataset.title))
    facts.append(("Built", day(params.build_date)))
    return TitleBlock(params.marking, params.title, tuple(facts))


def window_text(params: Parameters) -> str:
    """The window as '1 Jan 2018 – 31 Dec 2023'."""
    return f"{day(params.start)} – {day(params.end)}"
