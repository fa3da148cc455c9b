"""The briefing's generated sections, rendered through their templates: well-formed, escaped,
and saying what the data says."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import SMALL_EVENTS, SMALL_SOURCES, SMALL_YAML, write_dataset

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.data.grades import CREDIBILITY_MEANINGS, RELIABILITY_MEANINGS
from briefings.data.params import PARAMETERS, Parameters, prepare
from briefings.report import markup, sections
from briefings.report.bottomline import bottom_line
from briefings.report.claims import View
from briefings.report.quality import quality_of_information

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@dataclass
class Briefing:
    """Everything a briefing's sections are made from, and the sections themselves."""

    params: Parameters
    dataset: Dataset
    table: pd.DataFrame
    visible: pd.DataFrame
    markers: pd.DataFrame
    html: dict[str, str]


def build(data_dir: Path, **raw: object) -> Briefing:
    params, dataset = prepare({"data_dir": data_dir, "build_date": "2026-11-12", **raw})
    view = View.of(dataset, params)
    data = {
        "title": sections.title_block(view),
        "bottom_line": bottom_line(view),
        "changes": sections.changes_table(view),
        "contested": sections.contested_claims(view),
        "sources": sections.sources_table(view),
        "grade_key": sections.grade_key(),
        "quality": quality_of_information(view),
        "method": sections.method_facts(dataset, params, dataset_hash="sha256:0123abcd"),
        "chart_in_words": sections.chart_in_words("First line.\n\nSecond <line>."),
    }
    html = {name: markup.render_data(section) for name, section in data.items()}
    return Briefing(params, dataset, view.table, view.events, view.markers, html)


def parse(fragment: str) -> ET.Element:
    """The fragment as an XML tree: parsing fails unless it is well-formed."""
    return ET.fromstring(f"<root>{fragment}</root>")


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def rows(fragment: str) -> list[ET.Element]:
    return parse(fragment).findall(".//tbody/tr")


def hostile(tmp_path: Path) -> Path:
    """The small dataset with markup in every kind of text field."""
    sources = copy.deepcopy(SMALL_SOURCES)
    sources[0].update(title=IMG, outlet=f"Wire {SCRIPT}", notes="a < b & c", author='"A"')
    sources[0]["url"] = 'https://example.org/?q="><script>alert(1)</script>'
    events = copy.deepcopy(SMALL_EVENTS)
    events[1].update(summary=f"Aid stopped. {SCRIPT}", actors=f"{IMG};Someone")
    events[4]["summary"] = f"A blog says {IMG} aid never stopped."
    yaml_text = SMALL_YAML.replace("label: Aid,", "label: 'Aid <i>x</i>',").replace(
        'label: "Off"', 'label: "Off <b>now</b>"'
    )
    return write_dataset(tmp_path / "hostile", yaml_text=yaml_text, sources=sources, events=events)


@pytest.fixture(scope="module")
def shipped() -> Briefing:
    from briefings.paths import default_dataset

    return build(default_dataset())


def test_every_fragment_is_well_formed_and_self_contained(shipped: Briefing, small_dataset):
    for briefing in (shipped, build(small_dataset)):
        for name, fragment in briefing.html.items():
            root = parse(fragment)
            tags = {el.tag for el in root.iter()}
            assert not tags & {"script", "style", "link", "img", "iframe", "object"}, name
            for element in root.iter():
                assert not any(a.startswith("on") for a in element.attrib), name
                assert "src" not in element.attrib, name
                for css in element.get("class", "").split():
                    assert css.startswith("bf-"), (name, css)
                style = element.get("style")
                if style is not None:
                    assert re.fullmatch(r"background-color: #[0-9A-Fa-f]{6}", style), style


def test_tables_have_header_cells_with_scope(shipped: Briefing):
    for name in ("changes", "sources", "quality", "method"):
        table = parse(shipped.html[name]).find(".//table")
        assert {th.get("scope") for th in table.findall("./thead/tr/th")} == {"col"}
        assert all(r.find("th").get("scope") == "row" for r in table.findall("./tbody/tr"))


def test_title_block_shows_title_window_marking_and_dates(shipped: Briefing):
    header = parse(shipped.html["title"]).find("header")
    assert header.get("class") == "bf-title"
    assert header.find("h1").text == shipped.dataset.title
    assert header.find("p").text == "UNCLASSIFIED – FOR TRAINING"
    meta = dict(
        zip(
            [dt.text for dt in header.findall("dl/dt")],
            [dd.text for dd in header.findall("dl/dd")],
            strict=True,
        )
    )
    assert meta == {
        "Window": "1 Jan 2018 – 31 Dec 2023",
        "Knowledge": "All sources (latest published 3 Aug 2023)",
        "Built": "12 Nov 2026",
    }


def test_title_block_as_of_names_the_day_and_the_latest_counted_source(shipped_dataset):
    briefing = build(shipped_dataset, as_of="2020-06-30", min_reliability="C")
    body = text(parse(briefing.html["title"]))
    assert "As known on 30 Jun 2020" in body
    # Reuters (B), its date an estimate; the E-graded forum is set aside.
    assert "latest published about 4 Jan 2020" in body
    assert "Only sources graded C or better" in body
    assert "30 Jun 2020" in body.split("Window")[1]  # as_of also ends the window


def test_bottom_line_has_the_summary_and_one_entry_per_track(shipped: Briefing):
    fragment = parse(shipped.html["bottom_line"])
    summary = text(fragment.find(".//p[@class='bf-summary']"))
    assert summary.startswith("By the latest counted reports, at the end of 2023 security ")
    items = fragment.findall(".//ul[@class='bf-tracks']/li")
    assert [i.get("data-track") for i in items] == list(shipped.params.tracks)
    for item, track in zip(items, shipped.params.tracks, strict=True):
        assert text(item).startswith(shipped.dataset.track(track).label)
        label = item.find(".//strong[@class='bf-track']").text
        assert label == shipped.dataset.track(track).label
    stale = [i.get("data-track") for i in items if "bf-stale" in i.get("class")]
    assert stale == ["security_assistance", "imet"]


def test_sections_hold_up_when_nothing_is_known_yet(shipped_dataset):
    briefing = build(shipped_dataset, as_of="2018-01-02")
    for fragment in briefing.html.values():
        parse(fragment)
    summary = parse(briefing.html["bottom_line"]).find(".//p[@class='bf-summary']")
    assert summary.text == (
        "No counted source records the state of any track shown by 2 Jan 2018 "
        "(sources published by 2 Jan 2018)."
    )
    assert "No source contradicts another" in briefing.html["contested"]
    assert "No track changed state" in briefing.html["changes"]


def test_changes_table_numbers_and_dates_match_key_events(shipped: Briefing):
    body = rows(shipped.html["changes"])
    assert [int(r.find("th").text) for r in body] == list(shipped.markers["number"])
    dates = [r.findall("td")[0].text for r in body]
    assert dates == [format_partial(e.date, e.precision) for e in shipped.markers.itertuples()]
    first = [text(td) for td in body[0].findall("td")]
    assert first[:3] == ["Jan 2018", "Security assistance", "Suspended"]
    # Sources by outlet and publication date (an estimate said as one), never by id.
    assert "Reuters via a Pakistani site, about 4 Jan 2020 (B)" in first[4]
    assert "Islamic Invitation Turkey, 11 Jan 2018 (D)" in first[4]
    for source_id in shipped.dataset.sources["source_id"]:
        assert source_id not in text(parse(shipped.html["changes"]))
    assert body[0].find(".//span[@class='bf-swatch']").get("style") == "background-color: #A33F00"
    assert body[0].findall("td")[-1].find("span").get("title") == "confirmed by other sources"


def test_changes_table_shows_quantities_and_refers_disputes_by_number(shipped: Briefing):
    body = {
        int(r.find("th").text): [text(td) for td in r.findall("td")]
        for r in rows(shipped.html["changes"])
    }
    number = dict(zip(shipped.markers["event_id"], shipped.markers["number"], strict=True))
    # The summary already says 66: no raw figure repeats it.
    assert "66 places" in body[number["E11"]][3]
    assert "quantity" not in body[number["E11"]][3].lower()
    assert "Number:" not in body[number["E11"]][3]
    # A dispute says how strong a challenge it is, by the one weighing rule.
    assert body[number["E13"]][2] == f"Disputes No. {number['E09']}: a stronger challenge"
    assert body[number["E18"]][2] == f"Disputes No. {number['E11']}: a weaker challenge"


def test_figures_the_summary_leaves_out_are_named(tmp_path):
    events = copy.deepcopy(SMALL_EVENTS)
    events[1].update(amount_usd="2500000", quantity="12")
    events[0].update(summary="Aid of $3 million began, for 40 units.", amount_usd="3000000")
    events[0].update(quantity="40")
    briefing = build(write_dataset(tmp_path / "figures", events=events), start="2019-01-01")
    what = {
        text(r.findall("td")[3]).split(".")[0]: text(r.findall("td")[3])
        for r in rows(briefing.html["changes"])
    }
    assert "Amount: $2.5 million; Number: 12" in what["Aid stopped"]
    assert "Amount:" not in what["Aid of $3 million began, for 40 units"]
    assert "Number:" not in what["Aid of $3 million began, for 40 units"]


def test_contested_claims_pair_each_dispute_with_what_it_contradicts(shipped: Briefing):
    claims = parse(shipped.html["contested"]).findall(".//div[@class='bf-claim']")
    number = dict(zip(shipped.markers["event_id"], shipped.markers["number"], strict=True))
    assert [c.find("h3").text for c in claims] == [
        f"No. {number['E13']}: Military cooperation, Nov 2018",
        f"No. {number['E18']}: IMET (military training), Jan 2020",
    ]
    detail = dict(
        zip(
            [text(dt) for dt in claims[1].findall(".//dt")],
            [text(dd) for dd in claims[1].findall(".//dd")],
            strict=True,
        )
    )
    assert detail["Contradicts"].startswith(
        f"No. {number['E11']}, IMET (military training), Aug 2018"
    )
    assert detail["Sources"] == "Unnamed online forum, about 5 Jan 2020 (E)"
    assert detail["Credibility"] == "4 – doubtful"
    assert detail["Weight"] == (
        "A weaker challenge: credibility 4 (doubtful) against 2 (probably true); sources "
        "graded E against B."
    )
    assert "IMET (military training) suspended from Aug 2018" in detail["Effect"]


def test_contested_claims_without_disputes_say_so(shipped_dataset):
    briefing = build(shipped_dataset, tracks="security_assistance,cis_moa")
    empty = parse(briefing.html["contested"]).find(".//p[@class='bf-empty']")
    assert empty.text == "No source contradicts another in this window."


def test_a_dispute_after_the_window_is_still_explained(small_dataset):
    """The chart hatches a stretch a later dispute names; the text must say why."""
    briefing = build(small_dataset, end="2021-01-31")
    assert "e5" not in set(briefing.markers["event_id"])
    claims = parse(briefing.html["contested"]).findall(".//div[@class='bf-claim']")
    assert len(claims) == 1
    assert claims[0].find("h3").text.startswith("Not numbered (dated outside the window)")
    assert "aid off from 10 Feb 2020" in text(claims[0])


def test_every_counted_source_is_listed_by_outlet_with_its_grade(shipped: Briefing):
    body = rows(shipped.html["sources"])
    ids = [r.get("data-source") for r in body]
    assert sorted(ids) == sorted(shipped.dataset.sources["source_id"])
    cells = {r.get("data-source"): [text(td) for td in r.findall("td")] for r in body}
    assert text(body[2].find("th")).startswith("Reuters via a Pakistani site. Wire")
    assert cells["reuters-2020-01-imet"][0] == "about 4 Jan 2020"
    assert cells["reuters-2020-01-imet"][2] == "B – usually reliable"
    assert cells["forum-2020-01-imet"][2] == "E – unreliable"
    # What a source relays: a row of the dataset by its outlet, an outside outlet by name.
    assert cells["forum-2020-01-imet"][3] == "Asian Lite and Reuters via a Pakistani site"
    assert cells["iit-2018-01-coop"][3] == "–"
    assert {r.get("class") for r in body} == {"bf-cited"}
    visible = text(parse(shipped.html["sources"]))
    assert not any(s in visible for s in shipped.dataset.sources["source_id"])
    key = text(parse(shipped.html["grade_key"]).find(".//div[@class='bf-key']"))
    for meaning in [
        *RELIABILITY_MEANINGS.values(),
        *CREDIBILITY_MEANINGS.values(),
    ]:
        assert meaning in key


def test_as_of_lists_later_sources_only_by_count(small_dataset):
    briefing = build(small_dataset, as_of="2020-12-31")
    assert [r.get("data-source") for r in rows(briefing.html["sources"])] == ["s1"]
    note = parse(briefing.html["sources"]).find(".//p[@class='bf-not-counted']")
    assert note.text == "One source published after 31 Dec 2020 is not counted in this briefing."
    everything = "".join(h for name, h in briefing.html.items() if name != "chart_in_words")
    for shown in ("Blog", "Second", "s2", "A blog says"):
        assert shown not in everything
    assert "No source contradicts another" in briefing.html["contested"]


def test_the_shipped_as_of_view_shows_nothing_of_later_sources(shipped_dataset):
    briefing = build(shipped_dataset, as_of="2018-12-31")
    everything = " ".join(text(parse(h)) for h in briefing.html.values())
    later = briefing.dataset.sources[briefing.dataset.sources["published"] > briefing.params.as_of]
    for source in later.itertuples():
        for field in (source.outlet, source.title, source.notes):
            assert field not in everything
    for word in ("Soleimani", "CIS-MOA renewal", "Reuters", "Asian Lite", "renewed CIS-MOA"):
        assert word not in everything
    assert "Three sources published after 31 Dec 2018 are not counted in this briefing." in (
        everything
    )


def quality_rows(briefing: Briefing) -> dict[str, list[str]]:
    """The Quality of information table's cells by track id."""
    found = parse(briefing.html["quality"]).iter("tr")
    return {
        r.get("data-track"): [text(c) for c in r.findall("td")]
        for r in found
        if r.get("data-track")
    }


def test_quality_of_information_says_what_each_state_rests_on(shipped_dataset):
    briefing = build(shipped_dataset, start="2019-01-01", end="2019-12-31")
    rows = quality_rows(briefing)
    assert list(rows) == list(briefing.params.tracks)
    state, newest, behind, challenges, _ = rows["cis_moa"]
    assert state == "active; assumed since it was last confirmed in Oct 2005"
    assert newest.endswith("(published after the window closed)") and behind == "a single source"
    assert challenges == "none"
    assert rows["mil_cooperation"][3] == "one stronger challenge"
    assert rows["imet"][4] == "from the window's start to Dec 2019 (eleven months)"
    section = parse(briefing.html["quality"])
    assert text(section.find(".//p[@class='bf-grades']")).startswith(
        "Five sources counted: one graded B, two C, one D and one E"
    )
    assert "Unnamed online forum and Reuters via a Pakistani site" in text(
        section.find(".//p[@class='bf-shared']")
    )


def test_quality_of_information_of_an_as_of_view_counts_what_it_leaves_out(shipped_dataset):
    briefing = build(shipped_dataset, as_of="2018-12-31")
    rows = quality_rows(briefing)
    assert rows["imet"][0] == "no counted source records it" and rows["imet"][1] == "none"
    grades = text(parse(briefing.html["quality"]).find(".//p[@class='bf-grades']"))
    assert grades == (
        "Two sources counted: one graded C and one D; the newest published 21 Nov 2018. "
        "Three other sources in the dataset are not counted here."
    )


def test_min_reliability_counts_sources_graded_below_it(small_dataset):
    briefing = build(small_dataset, min_reliability="C")
    assert [r.get("data-source") for r in rows(briefing.html["sources"])] == ["s1"]
    note = parse(briefing.html["sources"]).find(".//p[@class='bf-not-counted']")
    assert note.text == "One source graded below C is not counted in this briefing."


def test_markup_in_the_data_and_parameters_comes_out_as_text(tmp_path: Path):
    briefing = build(hostile(tmp_path), title=IMG, marking=SCRIPT)
    everything = "".join(briefing.html.values())
    root = parse(everything)
    assert not {el.tag for el in root.iter()} & {"script", "img", "i", "b"}
    visible = "".join(root.itertext())
    assert IMG in visible  # title, source title, actors, dispute summary
    assert SCRIPT in visible  # marking, summary, outlet
    assert "Aid <i>x</i>" in visible
    assert "Off <b>now</b>" in visible
    assert "a < b & c" in visible
    header = parse(briefing.html["title"]).find("header")
    assert header.find("h1").text == IMG
    assert header.find("p").text == SCRIPT
    link = root.find(".//a[@class='bf-url']")
    assert link.get("href") == 'https://example.org/?q="><script>alert(1)</script>'


def test_method_section_lists_every_parameter_with_its_value(shipped_dataset):
    briefing = build(shipped_dataset, as_of="2020-06-30", tracks="imet,cis_moa")
    body = rows(briefing.html["method"])
    names = [r.find("th/code").text for r in body]
    assert names == list(PARAMETERS)
    values = {r.find("th/code").text: text(r.findall("td")[0]) for r in body}
    assert values["as_of"] == "2020-06-30"
    assert values["end"] == "2020-06-30"
    assert values["tracks"] == "imet, cis_moa"
    assert values["data_dir"] == "data/us-pakistan"
    assert values["previous_states"] == "not set"
    method = text(parse(briefing.html["method"]))
    assert "A challenge is weighed on two measures" in method
    assert method.startswith(
        f"The dataset is {briefing.dataset.title} (us-pakistan): "
        f"{len(briefing.dataset.events)} events from {len(briefing.dataset.sources)} sources; "
        "its files hash to sha256:0123abcd."
    )


def test_chart_in_words_is_one_paragraph_per_line(shipped: Briefing):
    paragraphs = parse(shipped.html["chart_in_words"]).findall(".//p")
    assert [p.text for p in paragraphs] == ["First line.", "Second <line>."]


def test_sections_are_deterministic(small_dataset):
    assert build(small_dataset).html == build(small_dataset).html


def test_a_large_dataset_keeps_the_briefing_short(tmp_path):
    events = [
        {
            "event_id": f"x{i}",
            "date": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "precision": "day",
            "track": "aid",
            "kind": "change",
            "state": ("on", "off")[i % 2],
            "summary": f"Change {i}.",
            "source_ids": "s1",
            "credibility": "2",
        }
        for i in range(sections.MAX_TABLE_ROWS + 30)
    ]
    briefing = build(write_dataset(tmp_path / "large", events=events))
    body = rows(briefing.html["changes"])
    assert len(body) == sections.MAX_TABLE_ROWS
    assert [int(r.find("th").text) for r in body] == list(
        briefing.markers["number"][: sections.MAX_TABLE_ROWS]
    )
    more = parse(briefing.html["changes"]).find(".//p[@class='bf-more']")
    assert f"first {sections.MAX_TABLE_ROWS:,} of {len(briefing.markers):,}" in text(more)


def test_a_dataset_with_no_rows_yet_gives_a_briefing_that_says_so(tmp_path):
    """A project just made by `briefings init`: headers only in both CSV files."""
    folder = write_dataset(tmp_path / "new")
    for name in ("sources.csv", "events.csv"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n")
    briefing = build(folder)
    assert list(briefing.visible.columns) == list(briefing.dataset.events.columns)
    assert briefing.table.empty and briefing.markers.empty
    for fragment in briefing.html.values():
        parse(fragment)
    summary = parse(briefing.html["bottom_line"]).find(".//p[@class='bf-summary']")
    assert summary.text.startswith("No counted source records the state of any track")
    assert "The dataset lists no sources yet." in briefing.html["sources"]
    assert "No track changed state" in briefing.html["changes"]
    from briefings.report import chart

    view = View.of(briefing.dataset, briefing.params)
    inputs = (view.table, view.markers, view.dataset, view.params.start, view.params.end)
    figure = chart.draw_timeline(
        *inputs, tracks=view.params.tracks, claims=chart.chart_claims(view)
    )
    ET.fromstring(chart.timeline_svg(figure))
    assert "no state known" in chart.describe_timeline(view)
