"""What the briefing notebook calls: one object that holds a briefing's facts and
hands each generated section to the notebook as displayable HTML or SVG.

The notebook stays narrative: its markdown cells hold the headings and the prose, and each
of its code cells is one call on `Briefing`, showing only what comes from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML, SVG

from briefings.build.fingerprint import dataset_hash
from briefings.data.dataset import Dataset
from briefings.data.params import Parameters, prepare
from briefings.data.states import compute_states, key_events, visible_events
from briefings.report import chart, markup, sections
from briefings.report.bottomline import bottom_line
from briefings.report.changes import Changes, changes_since_html
from briefings.report.digest import changes_found


@dataclass(frozen=True)
class Briefing:
    """A briefing's checked parameters, dataset, visible events, states and markers."""

    params: Parameters
    dataset: Dataset
    events: pd.DataFrame
    table: pd.DataFrame
    markers: pd.DataFrame

    @classmethod
    def prepare(cls, **raw: object) -> Briefing:
        """Check the notebook's parameters (as `briefings build` does) and compute states."""
        return cls.of(*prepare(raw))

    @classmethod
    def of(cls, params: Parameters, dataset: Dataset) -> Briefing:
        """The briefing of checked parameters and a loaded dataset."""
        events = visible_events(dataset, params)
        return cls(
            params, dataset, events, compute_states(dataset, params), key_events(events, params)
        )

    def title_block(self) -> HTML:
        """Title, window, as-of date, handling marking and build date."""
        return _html(sections.title_block(self.dataset, self.params))

    def bottom_line(self) -> HTML:
        """What each track was last reported to be, when and by whom, and what is assumed."""
        return _html(bottom_line(self.table, self.events, self.dataset, self.params))

    def chart(self) -> SVG:
        """The timeline chart of states, as SVG."""
        figure = chart.draw_timeline(*self._chart_inputs(), tracks=self.params.tracks)
        return SVG(chart.timeline_svg(figure))

    def chart_in_words(self) -> HTML:
        """The chart's text alternative."""
        text = chart.describe_timeline(*self._chart_inputs(), tracks=self.params.tracks)
        return _html(sections.chart_in_words(text))

    def _chart_inputs(self) -> tuple:
        return (self.table, self.markers, self.dataset, self.params.start, self.params.end)

    def changes(self) -> HTML:
        """The numbered state changes and disputes, keyed to the chart's markers."""
        return _html(sections.changes_table(self.markers, self.dataset))

    def contested(self) -> HTML:
        """Claims that a source contradicts."""
        return _html(sections.contested_claims(self.events, self.markers, self.table, self.dataset))

    def sources(self) -> HTML:
        """Every source with its grade, and whether it counted."""
        disputes = sections.shown_disputes(self.events, self.markers, self.table)
        cited = sections.cited_sources(self.table, self.markers, disputes)
        return _html(sections.sources_table(self.dataset, self.params, cited))

    def grade_key(self) -> HTML:
        """The Admiralty scales for sources (A–F) and events (1–6), spelled out."""
        return _html(sections.grade_key())

    def method(self) -> HTML:
        """The dataset behind the briefing and every parameter of it (the method is prose in
        the notebook)."""
        return _html(
            sections.method_facts(
                self.dataset, self.params, dataset_hash=dataset_hash(self.dataset)
            )
        )

    def changes_since(self) -> HTML:
        """What changed since the previous build (scheduled builds); empty otherwise."""
        if self.params.previous_states is None:
            return HTML("")
        return HTML(changes_since_html(self.changes_found(), self.dataset))

    def changes_found(self) -> Changes | None:
        """The comparison with the previous build whose state table `previous_states`
        names; None when there is none (a first build)."""
        return changes_found(self.params, self.table, self.dataset)


def _html(section: object) -> HTML:
    return HTML(markup.render_data(section))
