"""The briefing's content sections, as HTML fragments.

Pure functions: the dataset, resolved parameters and frames from `briefings.states` in,
a string of semantic HTML out. The notebook shows each with `IPython.display.HTML`,
nbconvert copies it into the briefing and WeasyPrint prints the same markup. Every text
that comes from the data or the parameters is escaped; class names start with `bf-` so
the template's CSS can style them; fragments are well-formed XML (no void elements, no
named entities).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import (
    CREDIBILITY_MEANINGS,
    RELIABILITY_GRADES,
    RELIABILITY_MEANINGS,
    Dataset,
    StateDef,
)
from .dates import format_partial
from .params import PARAMETERS, Parameters
from .paths import PROJECT_ROOT
from .states import source_exclusions

# A state carried forward for longer than this without a source is flagged as stale.
STALE_AFTER_DAYS = 365
# The briefing stays a short document however large the dataset (a dozen pages at 10,000
# events; every row of the changes table is about a fifteenth of a page): the table lists
# at most this many numbered events, the contested claims at most MAX_CLAIMS disputes, and
# a sentence counts the rest (the chart still marks them all, aggregated where they crowd).
MAX_TABLE_ROWS = 50
MAX_CLAIMS = 20
# Lists inside a sentence name at most this many items.
LIST_LIMIT = 20
# Where the events a capped table leaves out can be read in full.
FULL_RECORD = (
    "Every event is in the dataset's events.csv (copied beside the built briefing as "
    "dataset/events.csv); states.csv lists the events behind each stretch."
)

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def title_block(dataset: Dataset, params: Parameters) -> str:
    """The header: marking, title, window, what knowledge it reflects, and the build date."""
    counted = _counted_sources(dataset, params)
    latest = max(counted["published"], default=None)
    latest_text = f"latest published {_day(latest)}" if latest else "no source counted"
    if params.as_of:
        knowledge = (
            f"As known on {_day(params.as_of)}: later sources are not counted ({latest_text})"
        )
    else:
        knowledge = f"All sources ({latest_text})"
    meta = [
        ("Window", window_text(params)),
        ("Knowledge", knowledge),
    ]
    if params.min_reliability != RELIABILITY_GRADES[-1]:
        meta.append(("Sources", f"Only sources graded {params.min_reliability} or better"))
    if len(params.tracks) < len(dataset.tracks):
        labels = ", ".join(dataset.track(t).label for t in params.tracks)
        meta.append(("Tracks", f"{len(params.tracks)} of {len(dataset.tracks)}: {labels}"))
    if params.title != dataset.title:
        meta.append(("Dataset", dataset.title))
    meta.append(("Built", _day(params.build_date)))
    return (
        '<header class="bf-title">'
        f'<p class="bf-marking">{_e(params.marking)}</p>'
        f"<h1>{_e(params.title)}</h1>"
        f'<dl class="bf-meta">{_dl_items(meta)}</dl>'
        "</header>"
    )


def window_text(params: Parameters) -> str:
    """The window as '1 Jan 2018 – 31 Dec 2023' (plain text, not escaped)."""
    return f"{_day(params.start)} – {_day(params.end)}"


def bottom_line(table: pd.DataFrame, dataset: Dataset, params: Parameters) -> str:
    """Bottom line up front: an overall summary, then each track's state at the window's end."""
    events = _by_id(dataset.events)
    items = "".join(
        f"<li>{_track_sentence(track, table[table['track'] == track], events, dataset, params)}"
        "</li>"
        for track in params.tracks
    )
    summary = _overall_summary(table, events, dataset, params)
    return _section(
        "bottom-line",
        "Bottom line up front",
        f'<p class="bf-summary">{summary}</p><ul class="bf-tracks">{items}</ul>',
    )


def text_alternative(text: str) -> str:
    """The chart's text alternative: one paragraph per line of `text`."""
    paragraphs = "".join(f"<p>{_e(line)}</p>" for line in text.splitlines() if line.strip())
    return f'<section class="bf-chart-text"><h3>The chart in words</h3>{paragraphs}</section>'


def changes_table(markers: pd.DataFrame, dataset: Dataset) -> str:
    """The numbered state changes and disputes (`states.key_events`), keyed to the chart."""
    if markers.empty:
        body = (
            '<p class="bf-empty">No track changed state and no source was disputed '
            "in this window.</p>"
        )
        return _section("changes", "State changes", body)
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    rows = []
    for event in markers.head(MAX_TABLE_ROWS).itertuples():
        if event.kind == "dispute":
            what = f'<span class="bf-dispute">Disputes {_event_ref(event.disputes, numbers)}</span>'
        else:
            what = _state_label(dataset.states[event.state])
        rows.append(
            "<tr>"
            f'<th scope="row" class="bf-number">{event.number}</th>'
            f'<td class="bf-date">{_e(format_partial(event.date, event.precision))}</td>'
            f"<td>{_e(dataset.track(event.track).label)}</td>"
            f"<td>{what}</td>"
            f"<td>{_event_text(event)}</td>"
            f"<td>{_source_refs(event.source_ids, dataset)}</td>"
            f'<td class="bf-credibility">{_credibility(event.credibility)}</td>'
            "</tr>"
        )
    head = ("No.", "Date", "Track", "New state", "What happened", "Sources", "Credibility")
    body = (
        '<p class="bf-lead">Each number is a marker on the chart. Disputes are listed where '
        "they fall; the contested claims below set them beside what they contradict.</p>"
        + _table("bf-changes-table", head, rows)
        + _more(len(markers), len(rows), "numbered events", "marked on the chart")
        + f'<p class="bf-key"><small>{_credibility_key()}</small></p>'
    )
    return _section("changes", "State changes", body)


def shown_disputes(
    events: pd.DataFrame, markers: pd.DataFrame, table: pd.DataFrame
) -> pd.DataFrame:
    """The visible disputes the briefing must explain, by date.

    Those numbered in the window, and those (of any date) that make a stretch shown in
    the state table contested: the chart hatches it, so the text has to say why.
    """
    shown = {e for ids in table["event_ids"] for e in ids}
    disputes = events[
        (events["kind"] == "dispute")
        & (events["event_id"].isin(set(markers["event_id"])) | events["disputes"].isin(shown))
    ]
    return disputes.sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def contested_claims(
    events: pd.DataFrame, markers: pd.DataFrame, table: pd.DataFrame, dataset: Dataset
) -> str:
    """Each shown dispute beside the event it contradicts; one sentence when there is none.

    `events` are the visible events (`states.visible_events`), `table` the state table.
    """
    disputes = shown_disputes(events, markers, table)
    if disputes.empty:
        body = '<p class="bf-empty">No source contradicts another in this window.</p>'
        return _section("contested", "Contested claims", body)
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    everything = _by_id(dataset.events)
    visible = set(events["event_id"])
    shown = disputes.head(MAX_CLAIMS)
    contested = _contested_stretches(table, set(shown["disputes"]), dataset)
    claims = []
    for dispute in shown.itertuples():
        number = numbers.get(dispute.event_id)
        heading = f"No. {number}" if number else "Not numbered (dated outside the window)"
        when = format_partial(dispute.date, dispute.precision)
        target = everything[dispute.disputes]
        items = [
            ("Contradicts", _contradicted(target, numbers, visible, dataset)),
            ("The dispute", _event_text(dispute)),
            ("Sources", _source_refs(dispute.source_ids, dataset)),
            ("Credibility", _credibility(dispute.credibility, spelled=True)),
        ]
        effect = contested.get(dispute.disputes)
        if effect:
            items.append(
                ("Effect", _e(f"Marked contested (hatched on the chart): {_and(effect)}."))
            )
        claims.append(
            '<div class="bf-claim">'
            f"<h3>{_e(heading)}: {_e(dataset.track(dispute.track).label)}, {_e(when)}</h3>"
            f'<dl class="bf-claim-detail">{_dl_items(items, escaped=True)}</dl>'
            "</div>"
        )
    more = _more(
        len(disputes), len(claims), "disputes", "numbered on the chart where dated in the window"
    )
    return _section("contested", "Contested claims", "".join(claims) + more)


def cited_sources(table: pd.DataFrame, *event_frames: pd.DataFrame) -> set[str]:
    """Ids of the sources behind the state table and the given event frames."""
    frames = (table, *event_frames)
    return {s for frame in frames for ids in frame["source_ids"] for s in ids}


def sources_table(dataset: Dataset, params: Parameters, cited: set[str]) -> str:
    """Every source with its grade, and whether it counts in this briefing; then the key."""
    rows = []
    ordered = dataset.sources.sort_values(["published", "row"], kind="stable")
    for source in ordered.itertuples():
        reasons = _not_counted(source, params)
        if reasons:
            status = "not counted: " + "; ".join(reasons)
        elif source.source_id in cited:
            status = "cited"
        else:
            status = "counted, not cited in this window"
        described = [
            f'<span class="bf-outlet">{_e(source.outlet)}</span>.',
            f'<cite class="bf-source-title">{_e(source.title)}</cite>.',
        ]
        if source.author:
            described.append(f'<span class="bf-author">By {_e(source.author)}.</span>')
        if source.url:
            described.append(f'<a class="bf-url" href="{_e(source.url)}">{_e(source.url)}</a>')
        rows.append(
            f'<tr class="{"bf-not-counted" if reasons else "bf-counted"}">'
            f'<th scope="row" class="bf-source-id">{_e(source.source_id)}</th>'
            f"<td>{' '.join(described)}</td>"
            f'<td class="bf-date">{_day(source.published)}</td>'
            f"<td>{_e(source.kind)}</td>"
            f"<td>{_reliability(source.reliability, spelled=True)}</td>"
            f'<td class="bf-notes">{_e(source.notes)}</td>'
            f'<td class="bf-status">{_e(status)}</td>'
            "</tr>"
        )
    head = ("Source", "Outlet, title, author", "Published", "Kind", "Reliability", "Notes", "Use")
    return _section(
        "sources",
        "Sources",
        _table("bf-sources-table", head, rows) + admiralty_key(),
    )


def admiralty_key() -> str:
    """The two Admiralty scales, spelled out."""
    reliability = _dl_items(RELIABILITY_MEANINGS.items())
    credibility = _dl_items((str(k), v) for k, v in CREDIBILITY_MEANINGS.items())
    return (
        '<div class="bf-key">'
        "<h3>Grades (Admiralty scale)</h3>"
        "<p>Each source is graded for reliability, A–F; each event for the credibility of "
        "the information, 1–6.</p>"
        f'<dl class="bf-scale">{reliability}</dl>'
        f'<dl class="bf-scale">{credibility}</dl>'
        "</div>"
    )


def method_section(dataset: Dataset, params: Parameters, *, dataset_hash: str | None = None) -> str:
    """How the state model works, in plain words, and every parameter of this briefing."""
    counts = f"{len(dataset.events)} events from {len(dataset.sources)} sources"
    provenance = f"The dataset is {_e(dataset.title)} ({_e(dataset.id)}): {counts}"
    if dataset_hash:
        provenance += f'; its files hash to <span class="bf-hash">{_e(dataset_hash)}</span>'
    prose = (
        "<p>Every event in the dataset is written in our own words, belongs to one track, "
        "cites its sources by id and is dated no more precisely than they allow (a day, a "
        "month or a year). A <em>change</em> puts the track into a new state; a "
        "<em>confirm</em> is a later source reaffirming the state it is in; a "
        "<em>dispute</em> is a source contradicting an earlier event; a <em>note</em> is "
        "context that changes no state.</p>"
        "<p>Each track is a sequence of stretches, one per state, from one change to the "
        "next. A state set before the window is carried into it from the first day. A "
        "stretch is solid on the chart up to the latest source that confirms it and lighter "
        "after that: the state is carried forward, not observed. A stretch is contested "
        "(hatched) when a counted dispute names an event it rests on; the dispute does not "
        "change the state, it tells the reader to weigh the evidence.</p>"
        "<p>Sources are graded for reliability (A–F) and events for credibility (1–6) on "
        "the Admiralty scale. <code>as_of</code> keeps only sources published on or before "
        "that day, and events dated up to it, so the briefing shows what was known then; "
        "<code>min_reliability</code> sets aside sources graded below that letter. An "
        "event left with no counted source is dropped.</p>"
        f"<p>{provenance}.</p>"
    )
    rows = [
        "<tr>"
        f'<th scope="row"><code>{_e(name)}</code></th>'
        f'<td class="bf-value">{_e(_parameter_value(name, getattr(params, name)))}</td>'
        f"<td>{_e(meaning)}</td>"
        "</tr>"
        for name, (_kind, meaning) in PARAMETERS.items()
    ]
    table = _table("bf-params-table", ("Parameter", "Value", "Meaning"), rows)
    return _section("method", "Method and parameters", prose + table)


# --- the bottom line ------------------------------------------------------------------


def _track_sentence(
    track: str,
    rows: pd.DataFrame,
    events: Mapping[str, Any],
    dataset: Dataset,
    params: Parameters,
) -> str:
    label = f'<strong class="bf-track">{_e(dataset.track(track).label)}</strong>'
    if rows.empty:
        return f"No counted source records the state of {label} by {_e(_day(params.end))}."
    last = rows.iloc[-1]
    first = events[last["event_ids"][0]]
    since = format_partial(first.date, first.precision)
    # A confirm opens a stretch only when the change itself is hidden (as_of).
    since = f"since at least {since}" if first.kind == "confirm" else f"since {since}"
    state = _e(_lower_first(dataset.states[last["state"]].label))
    sentence = (
        f'{label} was <span class="bf-state">{state}</span> {_e(_end_phrase(params.end))}, '
        f"as it had been {_e(since)}; {_e(_confirmation(last, events, params))}."
    )
    if last["contested"]:
        sentence += " A source disputes an event behind this state (see contested claims)."
    return sentence


def _confirmation(interval: pd.Series, events: Mapping[str, Any], params: Parameters) -> str:
    """When a source last confirmed the stretch, and whether it is now only carried forward."""
    first = events[interval["event_ids"][0]]
    behind = [events[e] for e in interval["event_ids"]]
    latest = max((e for e in behind if e.date <= params.end), key=lambda e: e.date)
    after = any(e.date > params.end for e in behind)
    if latest.date > first.date:
        when = format_partial(latest.date, latest.precision)
        text = f"the latest source to confirm it dates from {when}"
    else:
        text = (
            "no later source in the window confirms it" if after else "no later source confirms it"
        )
    if after:
        joint = "and" if latest.date > first.date else "but"
        return f"{text}, {joint} a later one confirms it still held after the window"
    years = _stale_years(interval["confirmed_until"], params.end)
    if years:
        text += (
            ", so by the end of the window it had been carried forward, not observed, "
            f"for more than {_years(years)}"
        )
    return text


def _overall_summary(
    table: pd.DataFrame, events: Mapping[str, Any], dataset: Dataset, params: Parameters
) -> str:
    began = table.loc[[events[ids[0]].date >= params.start for ids in table["event_ids"]]]
    changed = len(set(began["track"]))
    tracks = len(params.tracks)
    if tracks == 1:
        who = dataset.track(params.tracks[0]).label
    elif changed == tracks:
        who = f"all {_number(tracks)} tracks"
    else:
        who = f"{_number(changed)} of {_number(tracks)} tracks"
    window = f"In the window ({window_text(params)})"
    if table.empty:
        sentences = [f"{window} no counted source records a state of any track shown"]
    elif not changed:
        did = "no track changed state" if tracks > 1 else f"{who} did not change state"
        sentences = [f"{window} {did}"]
    elif tracks == 1:
        sentences = [f"{window} {who} changed state {_times(len(began))}"]
    else:
        sentences = [f"{window} {who} changed state, {_times(len(began))} in all"]
    contested = table[table["contested"].astype(bool)]
    if not contested.empty:
        verb = "was" if len(contested) == 1 else "were"
        count = _upper_first(_count(len(contested), "stretch"))
        sentences.append(
            f"{count} {verb} contested by another source: "
            + _and(_capped([_stretch(r, dataset) for r in contested.itertuples()], "stretches"))
        )
    ends = table.groupby("track", sort=False).tail(1)
    stale = [
        dataset.track(r.track).label
        for r in ends.itertuples()
        if _stale_years(r.confirmed_until, params.end)
    ]
    if stale:
        sentences.append(
            f"No source had confirmed the final state of {_and(stale)} "
            "for more than a year by the end of the window"
        )
    return _e(". ".join(sentences) + ".")


def _stretch(interval: Any, dataset: Dataset) -> str:
    """'IMET suspended from Aug 2018': a stretch of the state table in words."""
    state = _lower_first(dataset.states[interval.state].label)
    start = format_partial(interval.start, interval.start_precision)
    return f"{dataset.track(interval.track).label} {state} from {start}"


def _end_phrase(end: date) -> str:
    if (end.month, end.day) == (12, 31):
        return f"at the end of {end.year}"
    return f"on {_day(end)}, the end of the window"


def _stale_years(confirmed: date, end: date) -> int:
    """Whole years between the last confirmation and the end, 0 when not stale."""
    gap = (end - confirmed).days
    return max(gap // STALE_AFTER_DAYS, 1) if gap > STALE_AFTER_DAYS else 0


def _years(n: int) -> str:
    return "a year" if n == 1 else f"{_number(n)} years"


# --- contested claims -----------------------------------------------------------------


def _contradicted(target: Any, numbers: dict[str, int], visible: set[str], dataset: Dataset) -> str:
    when = format_partial(target.date, target.precision)
    ref = _event_ref(target.event_id, numbers)
    text = f"{ref}, {_e(dataset.track(target.track).label)}, {_e(when)}: {_e(target.summary)}"
    if target.event_id not in visible:
        text += " (no counted source supports that event in this briefing)"
    return text


def _contested_stretches(
    table: pd.DataFrame, event_ids: set[str], dataset: Dataset
) -> dict[str, list[str]]:
    """For each of `event_ids`, the stretches that rest on it, in words (one pass over
    the table, however many claims ask)."""
    found: dict[str, list[str]] = {}
    for row in table.itertuples():
        for event_id in event_ids.intersection(row.event_ids):
            found.setdefault(event_id, []).append(_stretch(row, dataset))
    return found


def _more(total: int, shown: int, noun: str, where: str) -> str:
    """The sentence under a capped list: how many are left out and where to find them."""
    if total <= shown:
        return ""
    return (
        f'<p class="bf-more">Listed here: the first {shown:,} of {total:,} {_e(noun)}. '
        f"The other {total - shown:,} are {_e(where)} but not set out here. "
        f"{_e(FULL_RECORD)}</p>"
    )


# --- pieces ---------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _day(value: date) -> str:
    return format_partial(value, "day")


def _section(name: str, heading: str, body: str) -> str:
    return f'<section class="bf-section bf-{name}"><h2>{_e(heading)}</h2>{body}</section>'


def _table(css_class: str, head: Iterable[str], rows: list[str]) -> str:
    header = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return (
        f'<table class="bf-table {css_class}">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _dl_items(items: Iterable[tuple[str, str]], *, escaped: bool = False) -> str:
    """<dt>/<dd> pairs; `escaped` when the values are already HTML."""
    return "".join(f"<dt>{_e(k)}</dt><dd>{v if escaped else _e(v)}</dd>" for k, v in items)


def _by_id(events: pd.DataFrame) -> dict[str, Any]:
    return {e.event_id: e for e in events.itertuples()}


def _event_ref(event_id: str, numbers: dict[str, int]) -> str:
    number = numbers.get(event_id)
    if number:
        return f'<span class="bf-ref">No. {number}</span>'
    return f'<span class="bf-ref bf-event-id">{_e(event_id)}</span>'


def _state_label(state: StateDef) -> str:
    return f"{_swatch(state.colour)}{_e(state.label)}"


def _swatch(colour: str) -> str:
    """A decorative colour chip; the colour goes into the style only as #RRGGBB."""
    style = f' style="background-color: {colour}"' if _COLOUR.fullmatch(colour) else ""
    return f'<span class="bf-swatch" aria-hidden="true"{style}></span>'


def _event_text(event: Any) -> str:
    parts = [f'<span class="bf-event-summary">{_e(event.summary)}</span>']
    amounts = []
    if _present(event.amount_usd):
        amounts.append(_money(int(event.amount_usd)))
    if _present(event.quantity):
        amounts.append(f"quantity {int(event.quantity):,}")
    if amounts:
        parts.append(f'<small class="bf-amount">{_e("; ".join(amounts))}</small>')
    if event.actors:
        parts.append(f'<small class="bf-actors">Actors: {_e("; ".join(event.actors))}</small>')
    return " ".join(parts)


def _present(value: object) -> bool:
    # pandas turns a column of ints with gaps into floats and the gaps into NaN.
    return value is not None and not pd.isna(value)


def _money(amount: int) -> str:
    """US dollars the way a briefing writes them: '$2 billion', '$900 million', '$12,500'."""
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if amount >= size and amount % (size // 100) == 0:
            number = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"${number} {word}"
    return f"${amount:,}"


def _source_refs(source_ids: Iterable[str], dataset: Dataset) -> str:
    grades = dict(zip(dataset.sources["source_id"], dataset.sources["reliability"], strict=True))
    items = "".join(
        f'<li><span class="bf-source-id">{_e(s)}</span> ({_reliability(grades[s])})</li>'
        for s in source_ids
    )
    return f'<ul class="bf-refs">{items}</ul>'


def _reliability(grade: str, *, spelled: bool = False) -> str:
    meaning = RELIABILITY_MEANINGS[grade]
    text = f"{grade} – {meaning}" if spelled else grade
    return f'<span class="bf-grade" title="{_e(meaning)}">{_e(text)}</span>'


def _credibility(value: int, *, spelled: bool = False) -> str:
    meaning = CREDIBILITY_MEANINGS[int(value)]
    text = f"{int(value)} – {meaning}" if spelled else str(int(value))
    return f'<span class="bf-grade" title="{_e(meaning)}">{_e(text)}</span>'


def _credibility_key() -> str:
    scale = "; ".join(f"{k} {v}" for k, v in CREDIBILITY_MEANINGS.items())
    grades = "; ".join(f"{k} {v}" for k, v in RELIABILITY_MEANINGS.items())
    return _e(
        f"Credibility of the event (Admiralty 1–6): {scale}. Source grades in brackets: {grades}."
    )


def _counted_sources(dataset: Dataset, params: Parameters) -> pd.DataFrame:
    mask = [not _not_counted(s, params) for s in dataset.sources.itertuples()]
    return dataset.sources.loc[mask]


def _not_counted(source: Any, params: Parameters) -> list[str]:
    """Why a source is set aside under these parameters, in words."""
    reasons = {
        "as_of": f"published after as_of ({_day(params.as_of)})" if params.as_of else "",
        "min_reliability": f"graded below min_reliability ({params.min_reliability})",
    }
    excluded = source_exclusions(
        source.published,
        source.reliability,
        as_of=params.as_of,
        min_reliability=params.min_reliability,
    )
    return [reasons[name] for name in excluded]


def _parameter_value(name: str, value: object) -> str:
    if value is None:
        return "not set (all sources)" if name == "as_of" else "not set"
    if isinstance(value, Path):
        return _shown_path(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def _shown_path(path: Path) -> str:
    """Paths inside the project relative to it, so the briefing does not depend on the clone."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


def _lower_first(label: str) -> str:
    """'Suspended' -> 'suspended' for use inside a sentence; acronyms ('IMET') stay."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _plural(n: int, word: str) -> str:
    if n == 1:
        return word
    return word + ("es" if word.endswith("ch") else "s")


def _count(n: int, word: str) -> str:
    return f"{_number(n)} {_plural(n, word)}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _number(n: int) -> str:
    """Small numbers in words, as prose writes them; larger ones in digits."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{_number(n)} times")


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _capped(items: list[str], noun: str, limit: int = LIST_LIMIT) -> list[str]:
    """At most `limit` items, then 'N further <noun>' for the rest (for `_and`)."""
    if len(items) <= limit:
        return items
    return [*items[:limit], f"{len(items) - limit:,} further {noun}"]


def _and(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
