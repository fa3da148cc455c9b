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
from briefings.report import chart, sections
from briefings.report.bottomline import bottom_line
from briefings.report.changes import Changes, changes_since_section
from briefings.report.claims import View
from briefings.report.digest import changes_found
from briefings.report.formatters import Shown, register
from briefings.report.quality import quality_of_information


@dataclass(frozen=True)
class Briefing:
    """A briefing's view: checked parameters, the dataset, the events and sources it counts,
    its state table and numbered markers. Every generated sentence is checked against it."""

    view: View

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
        return cls(View.of(dataset, params))

    @property
    def params(self) -> Parameters:
        return self.view.params

    @property
    def dataset(self) -> Dataset:
        return self.view.dataset

    @property
    def events(self) -> pd.DataFrame:
        """The visible events (`states.visible_events`)."""
        return self.view.events

    @property
    def table(self) -> pd.DataFrame:
        """The state table, as states.csv holds it."""
        return self.view.table

    @property
    def markers(self) -> pd.DataFrame:
        """The numbered events (`states.key_events`)."""
        return self.view.markers

    def title_block(self) -> Shown:
        """Title, window, as-of date, handling marking and build date."""
        return Shown.of(sections.title_block(self.view))

    def bottom_line(self) -> Shown:
        """What each track was last reported to be, when and by whom, and what is assumed."""
        return Shown.of(bottom_line(self.view))

    def chart(self) -> SVG:
        """The timeline chart of states, as SVG, each stretch and marker titled from its
        claim."""
        view = self.view
        figure = chart.draw_timeline(
            view.table,
            view.markers,
            view.dataset,
            view.params.start,
            view.params.end,
            tracks=view.params.tracks,
            claims=chart.chart_claims(view),
        )
        return SVG(chart.timeline_svg(figure))

    def chart_in_words(self) -> Shown:
        """The chart's text alternative."""
        return Shown.of(sections.chart_in_words(chart.describe_timeline(self.view)))

    def changes(self) -> Shown:
        """The numbered state changes and disputes, keyed to the chart's markers."""
        return Shown.of(sections.changes_table(self.view))

    def contested(self) -> Shown:
        """Claims that a source contradicts, each weighed against what it contradicts."""
        return Shown.of(sections.contested_claims(self.view))

    def sources(self) -> Shown:
        """The sources this briefing counts, with their grades; the others only counted."""
        return Shown.of(sections.sources_table(self.view))

    def quality(self) -> Shown:
        """Quality of information: sources, origins, challenges and gaps, track by track."""
        return Shown.of(quality_of_information(self.view))

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
