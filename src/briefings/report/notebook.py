"""What the briefing notebook calls: one object that holds a briefing's facts and
hands each generated section to the notebook as one output in HTML and in Typst (for the
PDF), and the chart as SVG.

The notebook stays narrative: its markdown cells hold the headings and the prose, and each
of its code cells is one call on `Briefing`, showing only what comes from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import SVG, display

from briefings.data.dataset import Dataset
from briefings.data.params import PARAMETERS_SHOWN, Parameters, prepare
from briefings.data.states import compute_states, key_events, visible_events
from briefings.report import chart, sections
from briefings.report.bottomline import bottom_line
from briefings.report.changes import Changes, changes_since_section
from briefings.report.digest import changes_found
from briefings.report.formatters import Shown, register


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
        """Check the notebook's parameters (as `briefings build` does) and compute states.

        In a kernel, it also gives what later cells show a Typst form for the PDF (a
        DataFrame prints as a table there; see formatters.register), and shows the
        parameters resolved as an output of the cell (empty to the eye), which a build
        checks against the parameters it asked for: a cell that set them back after
        papermill's would otherwise publish another briefing under the asked-for name."""
        from IPython import get_ipython

        params, dataset = prepare(raw)
        shell = get_ipython()
        if shell is not None:
            register(shell)
            display({"text/plain": "", PARAMETERS_SHOWN: params.as_dict()}, raw=True)
        return cls.of(params, dataset)

    @classmethod
    def of(cls, params: Parameters, dataset: Dataset) -> Briefing:
        """The briefing of checked parameters and a loaded dataset."""
        events = visible_events(dataset, params)
        return cls(
            params, dataset, events, compute_states(dataset, params), key_events(events, params)
        )

    def title_block(self) -> Shown:
        """Title, window, as-of date, handling marking and build date."""
        return Shown.of(sections.title_block(self.dataset, self.params))

    def bottom_line(self) -> Shown:
        """What each track was last reported to be, when and by whom, and what is assumed."""
        return Shown.of(bottom_line(self.table, self.events, self.dataset, self.params))

    def chart(self) -> SVG:
        """The timeline chart of states, as SVG."""
        figure = chart.draw_timeline(*self._chart_inputs(), tracks=self.params.tracks)
        return SVG(chart.timeline_svg(figure))

    def chart_in_words(self) -> Shown:
        """The chart's text alternative."""
        text = chart.describe_timeline(*self._chart_inputs(), tracks=self.params.tracks)
        return Shown.of(sections.chart_in_words(text))

    def _chart_inputs(self) -> tuple:
        return (self.table, self.markers, self.dataset, self.params.start, self.params.end)

    def changes(self) -> Shown:
        """The numbered state changes and disputes, keyed to the chart's markers."""
        return Shown.of(sections.changes_table(self.markers, self.dataset))

    def contested(self) -> Shown:
        """Claims that a source contradicts."""
        return Shown.of(
            sections.contested_claims(self.events, self.markers, self.table, self.dataset)
        )

    def sources(self) -> Shown:
        """Every source with its grade, and whether it counted."""
        disputes = sections.shown_disputes(self.events, self.markers, self.table)
        cited = sections.cited_sources(self.table, self.markers, disputes)
        return Shown.of(sections.sources_table(self.dataset, self.params, cited))

    def grade_key(self) -> Shown:
        """The Admiralty scales for sources (A–F) and events (1–6), spelled out."""
        return Shown.of(sections.grade_key())

    def method(self) -> Shown:
        """The dataset behind the briefing and every parameter of it (the method is prose in
        the notebook)."""
        return Shown.of(
            sections.method_facts(
                self.dataset, self.params, dataset_hash=self.dataset.content_hash()
            )
        )

    def changes_since(self) -> Shown:
        """What changed since the previous build (scheduled builds); empty otherwise."""
        if self.params.previous_states is None:
            return Shown("", "")
        return Shown.of(changes_since_section(self.changes_found(), self.dataset))

    def changes_found(self) -> Changes | None:
        """The comparison with the previous build whose state table `previous_states`
        names; None when there is none (a first build)."""
        return changes_found(self.params, self.table, self.dataset)
