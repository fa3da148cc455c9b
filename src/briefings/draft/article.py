"""Reading a saved article: a text file with optional header lines, or a web page saved
from a browser (HTML, or MHTML "single file"), whose main text trafilatura takes from
the page furniture and whose publication date htmldate reads from its metadata.

A text file may start with header lines and a blank line:

    Title: Cabinet clears training deal
    Outlet: The Harbour Ledger
    Author: Sara Quill
    Published: 2022-09-15
    URL: https://example.org/story

Any of them may be left out; the text is what follows.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefings.data.dates import is_supported, parse_day
from briefings.exceptions import Problem, ProblemsError
from briefings.inputs.csvfile import decode_text
from briefings.inputs.inputfile import read_input

HEADER_KEYS = ("title", "outlet", "author", "published", "url")
_HEADER = re.compile(r"(?P<key>[A-Za-z]+):[ \t]*(?P<value>.*)")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_MHTML_SUFFIXES = (".mhtml", ".mht")
# htmldate's search: the page's metadata and marked-up bylines, never a guess from the
# body's text (which is full of other dates); the original publication, not an update;
# fixed bounds, so the answer does not depend on today's date.
HTMLDATE_OPTIONS = {
    "extensive_search": False,
    "original_date": True,
    "min_date": "1995-01-01",
    "max_date": "2999-12-31",
}
# Words a byline can leave in trafilatura's author field ("Omar Field; Published").
_NOT_AUTHORS = re.compile(r"(?i)by|published|updated|posted")


@dataclass(frozen=True)
class Article:
    """An article's text and what its header or page says about it."""

    path: Path
    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    url: str = ""
    published: date | None = None
    # Where `published` was read: "its Published: line" or "the page's metadata".
    published_from: str = ""
    # A web page (its date comes from metadata), not a text file (from a header line).
    is_page: bool = False


def read_article(path: str | Path) -> Article:
    """Read a saved article; ProblemsError, one line, when it cannot be used."""
    path = Path(path)
    data = read_input(path, missing="file is missing (give a saved article: text or HTML)")
    if path.suffix.lower() in _MHTML_SUFFIXES:
        return _read_html(path, _html_of_mhtml(path, data))
    if path.suffix.lower() in _HTML_SUFFIXES or _looks_like_html(data):
        return _read_html(path, data)
    return _read_text(path, _decode(path, data))


def _decode(path: Path, data: bytes) -> str:
    problems: list[Problem] = []
    text = decode_text(str(path), data, problems)
    if text is None:
        raise ProblemsError(problems)
    return text


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head[:200]


def _read_text(path: Path, text: str) -> Article:
    lines = text.splitlines()
    header: dict[str, str] = {}
    body_start = 0
    for number, line in enumerate(lines, start=1):
        match = _HEADER.fullmatch(line.strip())
        if not match or match["key"].lower() not in HEADER_KEYS:
            body_start = number - 1
            break
        key = match["key"].lower()
        if key in header:
            raise ProblemsError(
                [Problem(str(path), f"header line '{match['key']}:' is given twice", row=number)]
            )
        header[key] = match["value"].strip()
        if key == "published":
            header["published_line"] = str(number)
    else:
        body_start = len(lines)
    published = _header_date(path, header)
    return Article(
        path=path,
        text="\n".join(lines[body_start:]),
        title=header.get("title", ""),
        outlet=header.get("outlet", ""),
        author=header.get("author", ""),
        url=header.get("url", ""),
        published=published,
        published_from="its Published: line" if published else "",
    )


def _header_date(path: Path, header: dict[str, str]) -> date | None:
    value = header.get("published", "")
    if not value:
        return None
    day = parse_day(value)
    if day is None or not is_supported(day):
        raise ProblemsError(
            [
                Problem(
                    str(path),
                    f"Published: '{value}' is not a date (use YYYY-MM-DD)",
                    row=int(header["published_line"]),
                )
            ]
        )
    return day


def _html_of_mhtml(path: Path, data: bytes) -> bytes:
    """The HTML part of a page a browser saved as one MHTML file."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True) or b""
    raise ProblemsError([Problem(str(path), "is an MHTML file without an HTML page in it")])


def _read_html(path: Path, data: bytes) -> Article:
    import htmldate
    import trafilatura

    extracted = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params=HTMLDATE_OPTIONS,
    )
    text = extracted.text if extracted is not None else ""
    if not text or not text.strip():
        raise ProblemsError(
            [
                Problem(
                    str(path),
                    "no article text found in the page, only its furniture (menus, footers); "
                    "save the article's text as a .txt file instead",
                )
            ]
        )
    found = htmldate.find_date(data, **HTMLDATE_OPTIONS)
    published = parse_day(found) if found else None
    return Article(
        path=path,
        text=text,
        title=extracted.title or "",
        outlet=extracted.sitename or "",
        author=_author(extracted.author or ""),
        url=extracted.url or "",
        published=published,
        published_from="the page's metadata" if published else "",
        is_page=True,
    )


def _author(found: str) -> str:
    names = [n.strip() for n in found.split(";")]
    return "; ".join(n for n in names if n and not _NOT_AUTHORS.fullmatch(n))
