"""`briefings draft` as the analyst uses it: an article in, a draft out (table, CSV, JSON),
the edited draft accepted into the dataset only when every row validates."""

from __future__ import annotations

import csv
import email.message
import io
import json
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SMALL_YAML, write_dataset

from briefings.cli import main
from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.data.dataset import load_dataset
from briefings.data.scaffold import init_project
from briefings.draft.candidates import DRAFT_COLUMNS

PAGES = PROJECT_ROOT / "tests" / "draft" / "pages"
KEYWORDS_YAML = (
    SMALL_YAML.replace(
        'states: ["on", "off"]}', 'states: ["on", "off"], keywords: [aid, security aid]}'
    )
    .replace("states: [calm, tense]}", "states: [calm, tense], keywords: [relations]}")
    .replace("meaning: running}", "meaning: running, keywords: [resume, restore]}")
    .replace("meaning: stopped}", "meaning: stopped, keywords: [freeze, froze, halt]}")
)
ARTICLE = """\
Title: Aid frozen again
Outlet: The Harbour Ledger
Author: Sara Quill
Published: 2021-03-04

Washington froze $40 million of security aid on Tuesday, officials said.
Relations were discussed at length.
"""


@pytest.fixture
def dataset(tmp_path) -> Path:
    return write_dataset(tmp_path / "data", yaml_text=KEYWORDS_YAML)


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def draft(*args: str, capsys) -> tuple[int, str, str]:
    code = main(["draft", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tables(text: str) -> tuple[list[dict], list[dict]]:
    """The two tables of a draft CSV: the source row, the event rows."""
    source, events = text.split("\n\n")
    return list(csv.DictReader(io.StringIO(source))), list(csv.DictReader(io.StringIO(events)))


def test_csv_has_the_source_row_and_the_candidates(dataset, article, capsys):
    code, out, _ = draft(str(article), "--data", str(dataset), "--format", "csv", capsys=capsys)
    assert code == 0
    (source,), events = tables(out)
    assert tuple(source) == SOURCE_COLUMNS
    assert source["source_id"] == "harbour-ledger-2021-03-04"
    assert (source["outlet"], source["author"], source["published"]) == (
        "The Harbour Ledger",
        "Sara Quill",
        "2021-03-04",
    )
    assert source["reliability"] == ""
    (event,) = events
    assert tuple(event) == (*EVENT_COLUMNS, *DRAFT_COLUMNS)
    assert (event["event_id"], event["date"], event["precision"], event["track"]) == (
        "e6",
        "2021-03-02",
        "day",
        "aid",
    )
    assert (event["kind"], event["state"], event["amount_usd"], event["summary"]) == (
        "change",
        "off",
        "40000000",
        "",
    )
    assert event["source_ids"] == source["source_id"]
    assert event["notes"].startswith("'on Tuesday' in a story published Thu 4 Mar 2021 →")
    assert event["evidence"].startswith("Washington froze $40 million")


def test_json_and_table_say_the_same(dataset, article, capsys):
    _, out, _ = draft(str(article), "--data", str(dataset), "--format", "json", capsys=capsys)
    document = json.loads(out)
    assert set(document) == {"source", "events", "unresolved"}
    assert document["events"][0]["amount_usd"] == 40_000_000
    _, table, _ = draft(str(article), "--data", str(dataset), "--format", "table", capsys=capsys)
    assert "e6  2021-03-02 (day)  aid  change → off  [confidence medium]" in table
    assert "'on Tuesday' in a story published Thu 4 Mar 2021 → Tue 2 Mar 2021" in table


def test_csv_when_printing_to_a_pipe_and_same_output_every_time(dataset, article, capsys):
    first = draft(str(article), "--data", str(dataset), capsys=capsys)[1]
    assert (
        first.startswith("source_id,")
        and first == draft(str(article), "--data", str(dataset), capsys=capsys)[1]
    )


def test_out_writes_the_file_in_one_piece(dataset, article, tmp_path, capsys):
    out = tmp_path / "drafts" / "draft.json"
    out.parent.mkdir()
    code, printed, err = draft(
        str(article), "--data", str(dataset), "--out", str(out), capsys=capsys
    )
    assert code == 0 and printed == ""
    assert "1 candidate event(s) written to" in err
    assert json.loads(out.read_text())["source"]["outlet"] == "The Harbour Ledger"
    assert [p.name for p in out.parent.iterdir()] == ["draft.json"]


def test_published_wins_over_the_article_and_says_so(dataset, article, capsys):
    code, out, err = draft(
        str(article), "--data", str(dataset), "--published", "2021-03-10", capsys=capsys
    )
    assert code == 0
    assert tables(out)[1][0]["date"] == "2021-03-09"
    assert err == (
        "note: --published 2021-03-10 is used, not the date 2021-03-04 from its Published: line\n"
    )


def test_without_a_publication_date_it_stops_and_says_why(dataset, tmp_path, capsys):
    story = tmp_path / "undated.txt"
    story.write_text("Aid was frozen on Tuesday.\n", encoding="utf-8")
    code, out, err = draft(str(story), "--data", str(dataset), capsys=capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"error: {story}: no publication date (the text has no 'Published: YYYY-MM-DD' header "
        "line); give one with --published YYYY-MM-DD: relative dates such as 'on Friday' "
        "cannot be resolved without it\n"
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ("Published: 2021-02-30\n\nAid.\n",
         ":1: Published: '2021-02-30' is not a date (use YYYY-MM-DD)"),
        ("Title: A\nTitle: B\n\nAid.\n", ":2: header line 'Title:' is given twice"),
        (b"Aid \xff frozen.\n", ":1: byte 0xff is not UTF-8 (save the file with UTF-8 encoding)"),
    ],
)  # fmt: skip
def test_a_broken_article_is_one_line(dataset, tmp_path, capsys, content, message):
    story = tmp_path / "story.txt"
    if isinstance(content, bytes):
        story.write_bytes(content)
    else:
        story.write_text(content, encoding="utf-8")
    code, _, err = draft(
        str(story), "--data", str(dataset), "--published", "2021-03-04", capsys=capsys
    )
    assert code == 1
    assert err == f"error: {story}{message}\n"


def test_an_impossible_published_date_is_one_line(dataset, article, capsys):
    code, out, err = draft(
        str(article), "--data", str(dataset), "--published", "2021-02-30", capsys=capsys
    )
    assert (code, out) == (1, "")
    assert err == "error: --published: '2021-02-30' is not a date (use YYYY-MM-DD)\n"


@pytest.mark.parametrize(
    "args",
    [["story.txt", "--accept", "d.csv"], ["--accept", "d.csv", "--out", "x.csv"], []],
)
def test_usage_mistakes_exit_2(args):
    with pytest.raises(SystemExit) as raised:
        main(["draft", *args])
    assert raised.value.code == 2


def test_a_saved_page_gives_its_text_without_the_furniture(dataset, capsys):
    code, out, _ = draft(str(PAGES / "metadata-only.html"), "--data", str(dataset), capsys=capsys)
    assert code == 0
    (source,), events = tables(out)
    assert (source["published"], source["title"], source["author"]) == (
        "2022-09-15",
        "Cabinet clears officers' return to US training",
        "Sara Quill",
    )
    assert "page's metadata" in source["notes"]
    # The side column's "Security aid debate resumes on Friday" is page furniture.
    assert [e["expression"] for e in events] == []


def test_a_page_dated_only_in_its_byline(dataset, capsys):
    _, out, _ = draft(str(PAGES / "byline-only.html"), "--data", str(dataset), capsys=capsys)
    (source,), events = tables(out)
    assert source["published"] == "2021-03-03"
    assert source["author"] == "Omar Field"
    assert [(e["date"], e["amount_usd"]) for e in events] == [("2018", "450000000")]


def test_a_page_saved_as_one_mhtml_file(dataset, tmp_path, capsys):
    message = email.message.EmailMessage()
    message["Subject"] = "Saved page"
    message.set_content((PAGES / "json-ld.html").read_text(), subtype="html")
    page = tmp_path / "page.mhtml"
    page.write_bytes(bytes(message))
    code, out, _ = draft(str(page), "--data", str(dataset), capsys=capsys)
    assert code == 0
    assert tables(out)[0][0]["published"] == "2021-11-02"


def test_a_page_without_an_article_or_a_date(dataset, tmp_path, capsys):
    empty = tmp_path / "menu.html"
    empty.write_text("<html><head><title>Index</title></head><body></body></html>", "utf-8")
    code, _, err = draft(str(empty), "--data", str(dataset), capsys=capsys)
    assert code == 1 and "no article text found in the page" in err
    undated = tmp_path / "undated.html"
    undated.write_text(
        "<html><body><article><p>Security aid was frozen on Tuesday, officials said in a "
        "long statement about the programme.</p></article></body></html>",
        encoding="utf-8",
    )
    code, _, err = draft(str(undated), "--data", str(dataset), capsys=capsys)
    assert code == 1 and "the page's metadata and byline give none" in err


# --- Accepting ----------------------------------------------------------------------------


def drafted(dataset: Path, article: Path, tmp_path: Path, capsys, **edits: str) -> Path:
    """A draft CSV of the article, edited as the analyst would (column: value)."""
    _, out, _ = draft(str(article), "--data", str(dataset), "--format", "csv", capsys=capsys)
    (source,), events = tables(out)
    source["reliability"] = edits.pop("reliability", "B")
    for event in events:
        event.update({"summary": "Washington stopped a tranche of aid.", "credibility": "3"})
        event.update(edits)
    buffer = io.StringIO()
    for rows in ([source], events):
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        buffer.write("\n")
    path = tmp_path / "edited.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_accept_appends_the_rows_and_the_dataset_still_validates(
    dataset, article, tmp_path, capsys
):
    before = snapshot(dataset)
    edited = drafted(dataset, article, tmp_path, capsys)
    code, out, _ = draft("--accept", str(edited), "--data", str(dataset), capsys=capsys)
    assert code == 0
    assert out == (
        f"{dataset}: added source harbour-ledger-2021-03-04 and 1 event(s) (e6); "
        "the dataset passes validation\n"
    )
    after = snapshot(dataset)
    for name in ("sources.csv", "events.csv"):
        assert after[name].startswith(before[name])  # appended, nothing else touched
    loaded = load_dataset(dataset)
    added = loaded.events.iloc[-1]
    assert (added.event_id, added.amount_usd, added.summary) == (
        "e6",
        40_000_000,
        "Washington stopped a tranche of aid.",
    )
    assert b"Washington froze $40 million" not in after["events.csv"]  # no evidence kept
    assert loaded.sources.iloc[-1].reliability == "B"
    assert sorted(after) == sorted(before)  # nothing left beside the files


def test_accept_refuses_rows_that_would_not_validate_and_writes_nothing(
    dataset, article, tmp_path, capsys
):
    before = snapshot(dataset)
    edited = drafted(dataset, article, tmp_path, capsys, reliability="", summary="", state="on?")
    code, out, err = draft("--accept", str(edited), "--data", str(dataset), capsys=capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"error: {edited}:2: column 'reliability': '' is not a reliability grade (use A–F: "
        "A completely reliable … E unreliable, F cannot be judged)",
        f"error: {edited}:5: column 'state': 'on?' is not a state of track aid (allowed: on, off)",
        f"error: {edited}:5: column 'summary': is required (one sentence in our own words)",
    ]
    assert snapshot(dataset) == before


def test_accept_keeps_the_files_line_endings_and_adds_a_known_source_once(
    dataset, article, tmp_path, capsys
):
    events = dataset / "events.csv"
    events.write_bytes(events.read_bytes().replace(b"\n", b"\r\n"))
    edited = drafted(dataset, article, tmp_path, capsys)
    assert draft("--accept", str(edited), "--data", str(dataset), capsys=capsys)[0] == 0
    assert b"\r\ne6," in events.read_bytes() and b"\n" not in events.read_bytes().replace(
        b"\r\n", b""
    )
    again = drafted(dataset, article, tmp_path, capsys, event_id="e7")
    code, out, _ = draft("--accept", str(again), "--data", str(dataset), capsys=capsys)
    assert code == 0 and "added no new source and 1 event(s) (e7)" in out


def test_accept_takes_a_draft_without_the_optional_source_columns(
    dataset, article, tmp_path, capsys
):
    """A draft written before sources.csv gained derived_from and published_precision."""
    edited = drafted(dataset, article, tmp_path, capsys)
    source, events = edited.read_text(encoding="utf-8").split("\n\n", 1)
    rows = list(csv.DictReader(io.StringIO(source)))
    buffer = io.StringIO()
    older = [c for c in SOURCE_COLUMNS if c not in ("derived_from", "published_precision")]
    writer = csv.DictWriter(buffer, fieldnames=older, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    edited.write_text(buffer.getvalue() + "\n" + events, encoding="utf-8")
    code, out, err = draft("--accept", str(edited), "--data", str(dataset), capsys=capsys)
    assert (code, err) == (0, "") and "added source" in out
    assert load_dataset(dataset).sources.iloc[-1].published_precision == "day"


@pytest.mark.parametrize(
    "text, message",
    [
        ("source_id,outlet\nx,y\n", "has 1 table(s); a draft has two"),
        ("\n".join([",".join(SOURCE_COLUMNS), "x" + "," * (len(SOURCE_COLUMNS) - 1), "",
                       "event_id,colour", "e9,red"]),
         "events.csv table: missing column(s) date, precision"),
    ],
)  # fmt: skip
def test_accept_refuses_a_file_that_is_not_a_draft(dataset, tmp_path, capsys, text, message):
    path = tmp_path / "draft.csv"
    path.write_text(text, encoding="utf-8")
    code, _, err = draft("--accept", str(path), "--data", str(dataset), capsys=capsys)
    assert code == 1 and message in err


def test_a_new_projects_dataset_declares_keywords(tmp_path):
    init_project(tmp_path / "project")
    (folder,) = (tmp_path / "project" / "data").iterdir()
    loaded = load_dataset(folder)
    assert all(t.keywords for t in loaded.tracks)
    assert all(s.keywords for s in loaded.states.values())


def test_keywords_must_be_a_list_of_words(tmp_path, capsys):
    broken = write_dataset(
        tmp_path / "data", yaml_text=KEYWORDS_YAML.replace("keywords: [relations]", "keywords: 7")
    )
    assert main(["validate", "--data", str(broken)]) == 1
    assert capsys.readouterr().err == (
        f"error: {broken / 'dataset.yaml'}:6: tracks[1].keywords: must be a list of words or "
        "phrases (e.g. [IMET, military training])\n"
    )


def test_a_dataset_without_keywords_is_told_why_nothing_is_proposed(tmp_path, article, capsys):
    plain = write_dataset(tmp_path / "plain")
    code, out, err = draft(str(article), "--data", str(plain), capsys=capsys)
    assert code == 0 and tables(out)[1] == []
    assert err == (
        f"warning: {plain / 'dataset.yaml'}: no keywords for track(s) aid, mood, so no candidate "
        "can name them (add `keywords:` to those tracks)\n"
    )
