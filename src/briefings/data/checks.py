"""Rules that span rows of a loaded dataset: what no single cell can show.

Each takes the loaded frames and returns problems, one per offending row, so the loader
reports them with everything else before anything runs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from briefings.data.evidence import independent_origins, origins_of
from briefings.exceptions import Problem


def confirm_problems(path: Path, events: pd.DataFrame) -> list[Problem]:
    """A `confirm` must reaffirm the state its track is in at that date; a source that
    reports another state records a `change`, or the chart and the table of changes would
    miss it. The order is the state model's: by date, then by row."""
    found = []
    stated = events[events["kind"].isin(("change", "confirm"))]
    current: dict[str, tuple[str, str]] = {}
    for event in stated.sort_values(["date", "row"], kind="stable").itertuples():
        before = current.get(event.track)
        if event.kind == "confirm" and before is not None and before[0] != event.state:
            state, since = before
            found.append(
                Problem(
                    str(path),
                    f"a confirm must reaffirm the track's state, but {event.track} is "
                    f"'{state}' at {event.date} (since {since}) and this row says "
                    f"'{event.state}' (make it a change, or correct the state)",
                    row=event.row,
                    column="kind",
                )
            )
            continue
        if before is None or before[0] != event.state:
            current[event.track] = (event.state, event.event_id)
    return found


def origin_problems(
    sources_path: Path, events_path: Path, sources: pd.DataFrame, events: pd.DataFrame
) -> list[Problem]:
    """A source may not derive from itself (directly or round a loop of relays), and an
    event graded 1 (confirmed by other sources) needs at least two independent origins
    among its sources: a relay is not independent corroboration."""
    derived = dict(zip(sources["source_id"], sources["derived_from"], strict=True))
    found = []
    for source in sources.itertuples():
        relayed = {name for item in source.derived_from for name in origins_of(item, derived)}
        if source.source_id.strip().casefold() in relayed:
            found.append(
                Problem(
                    str(sources_path),
                    f"'{source.source_id}' derives from itself (through "
                    f"{', '.join(source.derived_from)}); name only what it relays",
                    row=source.row,
                    column="derived_from",
                )
            )
    for event in events[events["credibility"] == 1].itertuples():
        if len(set(event.source_ids)) > 1 and independent_origins(event.source_ids, derived) < 2:
            found.append(
                Problem(
                    str(events_path),
                    "1 means confirmed by other sources, but the sources cited "
                    f"({', '.join(event.source_ids)}) share an origin (see derived_from in "
                    "sources.csv): a relay is not independent confirmation (use 2–6, or "
                    "cite an independent source)",
                    row=event.row,
                    column="credibility",
                )
            )
    return found
