"""The timeline chart: its SVG, its aggregation of markers and its text alternative."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, timedelta

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_YAML, write_dataset

from briefings.data.palette import carried_forward_tint
from briefings.data.params import prepare
from briefings.report.chart import chart_claims, describe_timeline, draw_timeline, timeline_svg
from briefings.report.claims import View

SVG_NS = "{http://www.w3.org/2000/svg}"


def build(path, **raw):
    """The chart's inputs for a dataset folder, as the briefing computes them."""
    view = view_of(path, **raw)
    return view.table, view.markers, view.dataset, view.params


def view_of(path, **raw) -> View:
    params, dataset = prepare({"data_dir": str(path), **raw})
    return View.of(dataset, params)


def render(table, markers, dataset, start, end, **kwargs) -> str:
    return timeline_svg(draw_timeline(table, markers, dataset, start, end, **kwargs))


def texts(svg: str) -> list[str]:
    """Every text element's content, as a reader's SVG viewer would show it."""
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def marker_ids(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [g.get("id") for g in root.iter(f"{SVG_NS}g") if g.get("id", "").startswith("marker-")]


def synthetic_markers(dataset, params, count: int) -> pd.DataFrame:
    """`count` key events spread over the window and the tracks, numbered by date."""
    rng = np.random.default_rng(7)
    days = np.sort(rng.integers(0, (params.end - params.start).days + 1, count))
    return pd.DataFrame(
        {
            "event_id": [f"X{i}" for i in range(count)],
            "date": [params.start + timedelta(days=int(d)) for d in days],
            "precision": "day",
            "track": np.array(params.tracks)[rng.integers(0, len(params.tracks), count)],
            "kind": np.where(rng.random(count) < 0.1, "dispute", "change"),
            "state": "",
            "summary": "synthetic",
            "number": np.arange(1, count + 1),
        }
    )


@pytest.fixture
def shipped(shipped_dataset):
    return build(shipped_dataset)


def test_shipped_chart_is_xml_with_every_lane_label_and_marker_number(shipped):
    table, markers, dataset, params = shipped
    svg = render(table, markers, dataset, params.start, params.end)
    shown = texts(svg)
    for track in params.tracks:
        assert dataset.track(track).label in shown
    numbers = {str(n) for n in markers["number"]}
    # Markers too close to tell apart are shown as 'first–last' boxes.
    drawn = set()
    for text in shown:
        if re.fullmatch(r"\d+", text):
            drawn.add(text)
        elif re.fullmatch(r"\d+–\d+", text):
            first, last = map(int, text.split("–"))
            drawn |= {str(n) for n in range(first, last + 1)} & numbers
    assert numbers <= drawn
    # Year names on the time axis, and only states that appear in the legend.
    assert {"2018", "2023"} <= set(shown)
    assert "Active" in shown
    assert "In crisis" in shown


def test_two_renders_are_byte_identical(shipped):
    table, markers, dataset, params = shipped
    first = render(table, markers, dataset, params.start, params.end)
    second = render(table, markers, dataset, params.start, params.end)
    assert first == second
    assert "<dc:date>" not in first
    assert "Matplotlib v" not in first


def test_svg_ignores_the_callers_rcparams(shipped):
    import matplotlib as mpl

    table, markers, dataset, params = shipped
    plain = render(table, markers, dataset, params.start, params.end)
    with mpl.rc_context({"font.size": 20, "svg.fonttype": "path", "svg.hashsalt": "other"}):
        styled = render(table, markers, dataset, params.start, params.end)
    assert styled == plain


def element(svg: str, gid: str) -> ET.Element | None:
    """The SVG element with this id (matplotlib writes an artist's gid as its group's id)."""
    return next((e for e in ET.fromstring(svg).iter() if e.get("id") == gid), None)


def fills(node: ET.Element) -> set[str]:
    """The solid fill colours of the shapes under an element."""
    found = set()
    for shape in node.iter():
        found.update(re.findall(r"fill: (#[0-9a-f]{6})", shape.get("style", "")))
    return found


def hatch_lines(svg: str, gid: str) -> int:
    """How many lines the hatch pattern of the group `gid` repeats per tile."""
    style = next(
        e.get("style", "") for e in element(svg, gid).iter() if "url(#" in e.get("style", "")
    )
    pattern = element(svg, re.search(r"url\(#([^)]+)\)", style).group(1))
    return sum(p.get("d", "").count("M") for p in pattern.iter(f"{SVG_NS}path"))


def shipped_svg(view: View) -> str:
    return render(
        view.table, view.markers, view.dataset, view.params.start, view.params.end,
        tracks=view.params.tracks, claims=chart_claims(view),
    )  # fmt: skip


def test_contested_interval_is_hatched(small_dataset):
    table, markers, dataset, params = build(small_dataset)
    assert table["contested"].any()
    contested = render(table, markers, dataset, params.start, params.end)
    uncontested = render(table.assign(contested=False), markers, dataset, params.start, params.end)
    assert "<pattern" in contested
    # Without the claims every challenge is drawn as strong.
    assert element(contested, "contested-strong") is not None
    assert element(uncontested, "contested-strong") is None


def test_unconfirmed_stretch_is_drawn_in_its_states_tint(small_dataset):
    table, markers, dataset, params = build(small_dataset)
    confirmed_to_end = table.assign(confirmed_until=params.end)
    carried = render(table, markers, dataset, params.start, params.end)
    confirmed = render(confirmed_to_end, markers, dataset, params.start, params.end)
    assert fills(element(carried, "bars-off-carried")) == {carried_forward_tint("#D55E00").lower()}
    assert element(confirmed, "bars-off-carried") is None


def test_the_legend_decodes_every_colour_the_bars_are_drawn_in(shipped_dataset):
    view = view_of(shipped_dataset)
    svg = shipped_svg(view)
    legend = fills(element(svg, "legend_states"))
    drawn = [e for e in ET.fromstring(svg).iter() if e.get("id", "").startswith("bars-")]
    assert {e.get("id") for e in drawn} >= {"bars-active-carried", "bars-suspended-confirmed"}
    for bars in drawn:
        assert fills(bars) <= legend, bars.get("id")
    for state in set(view.table["state"]):
        colour = view.dataset.states[state].colour
        assert {colour.lower(), carried_forward_tint(colour)} <= legend
    # Merged markers with a dispute are drawn with a dashed outline, and so is their key.
    key = element(svg, "legend_key")
    assert any("stroke-dasharray" in e.get("style", "") for e in key.iter())
    assert "several events, with a dispute" in texts(svg)


def test_a_state_colour_that_passes_for_another_carried_forward_is_refused(tmp_path):
    from briefings.data.dataset import load_dataset
    from briefings.exceptions import DatasetError

    tint = carried_forward_tint("#009E73")
    yaml_text = SMALL_YAML.replace('colour: "#D55E00"', f'colour: "{tint}"')
    with pytest.raises(DatasetError) as raised:
        load_dataset(write_dataset(tmp_path / "d", yaml_text=yaml_text))
    assert f"'{tint}' looks like state 'on' carried forward" in str(raised.value)


def test_weak_and_strong_challenges_are_hatched_differently(shipped_dataset):
    view = view_of(shipped_dataset)
    svg = shipped_svg(view)
    # IMET's stretch is challenged only by a weaker claim; military cooperation's by a
    # stronger one (the weighing rule of evidence.weigh).
    assert hatch_lines(svg, "contested-weak") < hatch_lines(svg, "contested-strong")
    titles = chart_claims(view).stretch_titles
    imet = next(t for (track, _), t in titles.items() if track == "imet" and "challenged" in t)
    assert "one weaker challenge, hatched sparsely" in imet
    words = describe_timeline(view)
    assert "one stronger challenge, hatched densely" in words
    assert "one weaker challenge, hatched sparsely" in words


def test_dates_known_to_a_month_or_year_are_spans_not_slivers(shipped_dataset):
    view = view_of(shipped_dataset)
    figure = draw_timeline(
        view.table, view.markers, view.dataset, view.params.start, view.params.end,
        claims=chart_claims(view),
    )  # fmt: skip
    artists = {a.get_gid(): a for a in figure.findobj() if a.get_gid()}
    brackets = artists["uncertain-dates"].get_path().vertices.reshape(-1, 4, 2)
    spans = {(round(b[0, 0]), round(b[2, 0]), int(b[0, 1])) for b in brackets}
    day = lambda d: round(mdates.date2num(np.datetime64(d, "D")))  # noqa: E731
    lanes = list(view.params.tracks)
    # CIS-MOA became pending in 2023 (a year) and political climate strained in 2019.
    assert (day("2023-01-01"), day("2024-01-01"), lanes.index("cis_moa")) in spans
    assert (day("2019-01-01"), day("2020-01-01"), lanes.index("political_climate")) in spans
    # No solid bar is a one-day sliver standing for a month or a year.
    for gid, artist in artists.items():
        if gid.startswith("bars-") and gid.endswith("-confirmed"):
            corners = artist.get_path().vertices.reshape(-1, 5, 2)
            assert (corners[:, 1, 0] - corners[:, 0, 0] > 1).all(), gid
    svg = timeline_svg(figure)
    d = next(p.get("d") for p in element(svg, "uncertain-dates").iter(f"{SVG_NS}path"))
    assert d.count("M") == len(spans)
    assert "<image" not in svg  # vector only
    assert "its start known only to the year" in describe_timeline(view)


def test_uncertain_spans_add_no_element_per_date(small_dataset):
    _, markers, dataset, params = build(small_dataset)

    def monthly(months: int) -> pd.DataFrame:
        starts = pd.date_range(params.start, periods=months, freq="MS").date
        return pd.DataFrame(
            {
                "track": "aid",
                "state": ["on", "off"] * (months // 2),
                "start": starts,
                "end": [*starts[1:], None],
                "start_precision": "month",
                "confirmed_until": starts,
                "contested": False,
                "event_ids": [("e1",)] * months,
                "source_ids": [("s1",)] * months,
            }
        )

    def elements(rows: pd.DataFrame) -> int:
        svg = render(rows, markers.iloc[0:0], dataset, params.start, params.end)
        assert element(svg, "uncertain-dates") is not None
        return sum(1 for _ in ET.fromstring(svg).iter())

    assert elements(monthly(4)) == elements(monthly(20))


def test_merged_markers_say_whether_their_months_differ(shipped_dataset):
    view = view_of(shipped_dataset)
    svg = shipped_svg(view)
    boxes = {
        g.get("id"): "".join(g.find(f"{SVG_NS}title").itertext())
        for g in ET.fromstring(svg).iter(f"{SVG_NS}g")
        if re.fullmatch(r"marker-\d+-\d+", g.get("id", ""))
    }
    assert any("two events of different months, Dec 2019 to Jan 2020" in t for t in boxes.values())


def test_every_change_of_state_in_the_window_has_a_marker(shipped_dataset):
    for raw in ({}, {"start": "2019-01-01", "end": "2019-12-31"}, {"as_of": "2018-12-31"}):
        view = view_of(shipped_dataset, **raw)
        opening = view.table[view.table["start"] > view.params.start]["event_ids"].map(
            lambda e: e[0]
        )
        assert set(opening) <= set(view.markers["event_id"]), raw


def test_script_in_labels_is_only_text(tmp_path):
    yaml_text = SMALL_YAML.replace("label: Aid", 'label: "<script>alert(1)</script>"').replace(
        'label: "Off"', 'label: "Off <b>&amp;</b>"'
    )
    table, markers, dataset, params = build(write_dataset(tmp_path / "d", yaml_text=yaml_text))
    svg = render(table, markers, dataset, params.start, params.end)
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<script>alert(1)</script>" in texts(svg)
    assert "Off <b>&amp;</b>" in texts(svg)


@pytest.mark.filterwarnings("ignore:Glyph .* missing")
def test_long_and_unicode_labels_stay_left_of_the_plot(tmp_path):
    long_label = "Coopération sécuritaire — 安全保障協力 " * 4
    yaml_text = SMALL_YAML.replace("label: Aid", f'label: "{long_label.strip()}"').replace(
        "label: Calm", 'label: "Ruhig — ‘calm’ with a very long state label that goes on"'
    )
    table, markers, dataset, params = build(write_dataset(tmp_path / "d", yaml_text=yaml_text))
    figure = draw_timeline(table, markers, dataset, params.start, params.end)
    svg = timeline_svg(figure)  # draws, so the text has its measured extents
    renderer = figure.canvas.get_renderer()
    (axes,) = figure.axes
    plot_left = axes.get_window_extent(renderer).x0
    for label in axes.get_yticklabels():
        assert label.get_window_extent(renderer).x1 < plot_left
        assert label.get_text().count("\n") <= 1
    lines = [t for t in texts(svg) if t.startswith(("Coopération", "安全", "sécuritaire"))]
    assert lines
    assert any(t.endswith("…") for t in texts(svg))


def test_edge_cases_draw(small_dataset):
    table, markers, dataset, params = build(small_dataset)
    day = date(2020, 1, 5)
    cases = [
        # an empty table and no markers, with the lanes named
        (table.iloc[0:0], markers.iloc[0:0], params.start, params.end, ("aid", "mood")),
        # a track with intervals but no markers, and one with neither
        (table[table["track"] == "aid"], markers.iloc[0:0], params.start, params.end, None),
        # a single-day window
        (table, markers[markers["date"] == day], day, day, None),
        # an interval starting exactly at the window start
        (table, markers, date(2020, 1, 5), date(2020, 6, 30), None),
    ]
    for case_table, case_markers, start, end, tracks in cases:
        svg = render(case_table, case_markers, dataset, start, end, tracks=tracks)
        shown = texts(svg)
        for track in tracks or case_table["track"].unique():
            assert dataset.track(track).label in shown


def test_ten_thousand_events_draw_a_bounded_number_of_markers(shipped):
    table, _, dataset, params = shipped
    markers = synthetic_markers(dataset, params, 10_000)
    svg = render(table, markers, dataset, params.start, params.end)
    ids = marker_ids(svg)
    assert len(ids) == len(set(ids))
    # Bounded by the lanes' width in labels, not by the event count.
    assert 0 < len(ids) <= 20 * len(params.tracks)
    # Every event is inside one drawn marker: the boxes' ranges cover every number.
    covered = np.zeros(10_001, bool)
    for marker in ids:
        first, *last = map(int, marker.removeprefix("marker-").split("-"))
        covered[first : (last[0] if last else first) + 1] = True
    assert covered[1:].all()
    assert len(svg) < 200_000


def test_few_events_far_apart_are_drawn_one_by_one(shipped):
    table, markers, dataset, params = shipped
    svg = render(table, markers, dataset, params.start, params.end)
    singles = [m for m in marker_ids(svg) if re.fullmatch(r"marker-\d+", m)]
    # Two pairs share a lane within a month (two disputes of Nov 2018; Dec 2019 and Jan
    # 2020 on IMET): each pair is one marker, every other event its own.
    assert len(singles) >= len(markers) - 4


def test_describe_timeline_names_every_track_and_state(shipped_dataset):
    view = view_of(shipped_dataset)
    text = describe_timeline(view)
    for track in view.params.tracks:
        assert view.dataset.track(track).label in text
    for state in set(view.table["state"]):
        # A state is lower case inside the sentence.
        assert f": {view.dataset.states[state].label.lower()} from" in text or (
            f"then {view.dataset.states[state].label.lower()} from" in text
        )
    lines = text.splitlines()
    assert len(lines) == 1 + len(view.params.tracks)
    imet = next(line for line in lines if line.startswith("IMET"))
    # Start dates as precisely as known; challenged and unconfirmed stretches; markers.
    assert (
        "suspended from Aug 2018 (its start known only to the month; challenged: one weaker" in imet
    )
    assert "carried forward without confirmation" in imet
    numbers = view.markers.loc[view.markers["track"] == "imet", "number"].tolist()
    assert f"Events marked: {', '.join(map(str, numbers))} (" in imet


def test_describe_timeline_summarises_many_events(shipped_dataset):
    view = view_of(shipped_dataset)
    markers = synthetic_markers(view.dataset, view.params, 10_000)
    text = describe_timeline(replace(view, markers=markers))
    assert "events marked, numbered between" in text
    assert len(text) < 5_000


def test_describe_timeline_with_no_state_and_no_markers(small_dataset):
    view = view_of(small_dataset)
    nothing = replace(view, table=view.table.iloc[0:0], markers=view.markers.iloc[0:0])
    text = describe_timeline(nothing)
    assert "Aid: no state known. No events marked." in text
    assert "Mood: no state known. No events marked." in text


def test_tooltips_come_from_checked_claims_in_lower_case_with_citations(shipped_dataset):
    view = view_of(shipped_dataset)
    svg = render(
        view.table, view.markers, view.dataset, view.params.start, view.params.end,
        claims=chart_claims(view),
    )  # fmt: skip
    titles = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG_NS}title")]
    stretches = [t for t in titles if "Sources:" in t]
    assert len(stretches) == len(view.table)
    for title in titles:
        for state in view.dataset.states.values():
            # Never 'becomes Suspended' or ': Suspended from' mid-sentence.
            assert f"becomes {state.label}" not in title
            assert f": {state.label} from" not in title
        for source_id in view.dataset.sources["source_id"]:
            assert source_id not in title
        for event_id in view.dataset.events["event_id"]:
            assert not re.search(rf"\b{event_id}\b", title)
    assert any(
        t.startswith("Security assistance: suspended from Jan 2018") and "about 4 Jan 2020, B" in t
        for t in stretches
    )
