"""What was known then stays what was known then: an "as known on" briefing shows no
summary, amount or number before a source that states it was published."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pandas as pd
import pytest

from briefings.data.dataset import load_dataset
from briefings.paths import default_dataset
from briefings.report.formatters import Shown
from briefings.report.notebook import Briefing

SHIPPED = load_dataset(default_dataset())
# Every source's publication day, and the day before it (the last day it was unknown).
AS_OF = sorted({d for p in SHIPPED.sources["published"] for d in (p, p - timedelta(days=1))})


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def shown(briefing: Briefing) -> str:
    """Everything the briefing generates, as the reader reads it (text, tooltips included)."""
    parts = [
        briefing.title_block(),
        briefing.bottom_line(),
        briefing.chart(),
        briefing.chart_in_words(),
        briefing.changes(),
        briefing.contested(),
        briefing.sources(),
    ]
    parser = _Text()
    # Each section is shown in HTML and Typst from one record: the HTML is read here.
    parser.feed("\n".join(part.html if isinstance(part, Shown) else part.data for part in parts))
    return " ".join(" ".join(parser.parts).split())


def figures(event) -> list[str]:
    """How the briefing would write the event's amount and number."""
    from briefings.report.sections.pieces import money

    found = []
    if not pd.isna(event.amount_usd):
        found.append(money(int(event.amount_usd)))
    if not pd.isna(event.quantity):
        found.append(f"Number: {int(event.quantity):,}")
    return found


@pytest.mark.parametrize("as_of", AS_OF, ids=lambda d: d.isoformat())
def test_no_detail_appears_before_a_source_that_states_it(as_of):
    briefing = Briefing.prepare(as_of=as_of.isoformat(), build_date="2026-11-12")
    text = shown(briefing)
    published = dict(zip(SHIPPED.sources["source_id"], SHIPPED.sources["published"], strict=True))
    known = [e for e in SHIPPED.events.itertuples() if e.date <= as_of]
    for event in SHIPPED.events.itertuples():
        stated = [s for s in event.source_ids if published[s] <= as_of]
        if not stated:
            assert " ".join(event.summary.split()) not in text, (event.event_id, as_of)
        # A figure comes from the one source that gives it (validate checks this): until
        # that source is published, no other event may carry it into the view.
        if len(stated) < len(event.source_ids):
            for figure in figures(event):
                legitimate = any(
                    figure in figures(other)
                    and all(published[s] <= as_of for s in other.source_ids)
                    for other in known
                )
                assert legitimate or figure not in text, (event.event_id, figure, as_of)


def test_a_confirmation_from_a_hidden_source_is_not_claimed():
    """Graded 1 for two sources; with one of them not yet published, it cannot be 1."""
    early = Briefing.prepare(as_of="2018-06-30")
    e06 = early.events.set_index("event_id").loc["E06"]
    assert e06["source_ids"] == ("iit-2018-01-coop",)
    assert e06["credibility"] == 2
    later = Briefing.prepare()
    assert later.events.set_index("event_id").loc["E06"]["credibility"] == 1
