"""The sources.csv row suggested for a new article: what its header or page gives, a new
id, a guessed kind, and the reliability left for the analyst to grade."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlparse

import pandas as pd

from briefings.draft.article import Article

# Words in an outlet's or author's name that say what kind of source it is (a title says
# what the story is about, not who wrote it); the first kind whose words occur wins, so a
# newspaper's reprint of a wire story is a wire.
_KIND_CUES = (
    (
        "official",
        r"ministry|department of|state department|white house|pentagon|embassy|"
        r"government of|press release|\.gov\b|ispr",
    ),
    (
        "wire",
        r"reuters|associated press|\bap\b|\bafp\b|agence france|\bpti\b|press trust|"
        r"xinhua|bloomberg|news agency|\bwire\b",
    ),
    ("forum", r"forum|reddit|discussion board|message board"),
    (
        "analysis",
        r"analysis|institute|think tank|centre for|center for|council on|blog|commentary",
    ),
    ("aggregator", r"aggregat|news\.google|\bmsn\b|yahoo news"),
)
DEFAULT_KIND = "newspaper"


def suggest_source(
    article: Article, columns: tuple[str, ...], sources: pd.DataFrame, published: date, origin: str
) -> dict[str, str]:
    """The suggested row, with every column of sources.csv (`columns`), those the article
    says nothing about left empty; `origin` says where the publication date came from.

    An article already in `sources` (the same URL, or the same title and date) gets its
    row as it stands, so accepting more of its events adds no second source.
    """
    known = _known_row(article, sources, published)
    if known is not None:
        return {column: _text(known.get(column)) for column in columns}
    outlet = article.outlet or _host(article.url)
    values = {
        "source_id": _new_id(outlet, published, set(sources["source_id"])),
        "outlet": outlet,
        "title": article.title,
        "author": article.author,
        "published": published.isoformat(),
        "url": article.url,
        "kind": guess_kind(outlet, article.author),
        "reliability": "",
        "notes": f"Publication date from {origin}; drafted with briefings draft.",
    }
    return {column: values.get(column, "") for column in columns}


def _known_row(article: Article, sources: pd.DataFrame, published: date) -> dict | None:
    for row in sources.to_dict("records"):
        same_url = bool(article.url) and row["url"] == article.url
        same_story = bool(article.title) and (row["title"], row["published"]) == (
            article.title,
            published,
        )
        if same_url or same_story:
            return row
    return None


def _text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):  # a list column such as derived_from, as the file writes it
        return ";".join(value)
    return "" if value is None or value != value else str(value)  # NaN is not equal to itself


def guess_kind(*texts: str) -> str:
    """The source kind the outlet's and author's names suggest; 'newspaper' when they
    suggest none."""
    joined = " ".join(texts).lower()
    return next((kind for kind, cue in _KIND_CUES if re.search(cue, joined)), DEFAULT_KIND)


def _host(url: str) -> str:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")


def _new_id(outlet: str, published: date, taken: set[str]) -> str:
    """'<outlet>-<date>' in lower case, made unique with -2, -3 …"""
    words = re.findall(r"[a-z0-9]+", outlet.lower())
    words = [w for w in words if w not in ("the", "a", "an", "of")][:3]
    base = "-".join([*words, published.isoformat()]) if words else f"source-{published}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
