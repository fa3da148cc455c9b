"""`briefings draft`: a saved article in, a draft out (the suggested source row and the
candidate events), for the analyst to edit and accept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.data.dataset import Dataset, load_dataset
from briefings.data.dates import is_supported, parse_day
from briefings.draft.article import Article, read_article
from briefings.draft.candidates import (
    DRAFT_COLUMNS,
    Candidate,
    find_candidates,
    number_and_match,
)
from briefings.draft.keywords import keywords_of
from briefings.draft.source import suggest_source
from briefings.exceptions import ParameterError, Problem, ProblemsError
from briefings.paths import DATASET_FILE

GIVEN = "the date the analyst gave"


@dataclass(frozen=True)
class Draft:
    """What an article offers the dataset: a source row and candidate events."""

    article: Article
    published: date
    published_from: str
    source: dict[str, str]
    events: tuple[Candidate, ...]
    unresolved: tuple[str, ...]
    # What the analyst should know about the draft itself (tracks no keyword names).
    warnings: tuple[str, ...] = ()


def draft_article(
    article_path: str | Path, data_dir: str | Path, published: date | None = None
) -> Draft:
    """Read an article and propose rows for the dataset in `data_dir`.

    `published` (the analyst's date) wins over the article's own; with neither, relative
    dates cannot be resolved and ProblemsError says so.
    """
    article = read_article(article_path)
    dataset = load_dataset(data_dir)
    day, origin = publication_date(article, published)
    return draft_from(article, dataset, day, origin)


def draft_from(article: Article, dataset: Dataset, published: date, origin: str) -> Draft:
    """The draft of an article already read, against a loaded dataset."""
    source = suggest_source(article, SOURCE_COLUMNS, dataset.sources, published, origin)
    found, unresolved = find_candidates(article.text, published, keywords_of(dataset))
    events = number_and_match(found, dataset.events, source["source_id"])
    silent = [t.id for t in dataset.tracks if not t.keywords]
    warnings = (
        (
            f"{dataset.path / DATASET_FILE}: no keywords for track(s) {', '.join(silent)}, so "
            "no candidate can name them (add `keywords:` to those tracks)",
        )
        if silent
        else ()
    )
    return Draft(article, published, origin, source, tuple(events), tuple(unresolved), warnings)


def given_date(text: str | None) -> date | None:
    """The analyst's --published date; ParameterError, one line, when it is no date."""
    if not text:
        return None
    day = parse_day(text)
    if day is None or not is_supported(day):
        raise ParameterError([Problem("--published", f"'{text}' is not a date (use YYYY-MM-DD)")])
    return day


def publication_date(article: Article, given: date | None) -> tuple[date, str]:
    """The day relative dates are counted from, and where it came from."""
    if given is not None:
        return given, GIVEN
    if article.published is not None:
        return article.published, article.published_from
    where = (
        "the page's metadata and byline give none"
        if article.is_page
        else "the text has no 'Published: YYYY-MM-DD' header line"
    )
    raise ProblemsError(
        [
            Problem(
                str(article.path),
                f"no publication date ({where}); give one with --published YYYY-MM-DD: "
                "relative dates such as 'on Friday' cannot be resolved without it",
            )
        ]
    )


def event_columns() -> tuple[str, ...]:
    """The columns of a draft's events: events.csv's, then the draft's own."""
    return (*EVENT_COLUMNS, *DRAFT_COLUMNS)
