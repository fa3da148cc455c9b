"""The briefing's generated sections as plain data for the templates, one module per family
(title, timeline, sources, method). May import briefings.data, paths, report.claims, phrases
and words."""

from briefings.report.sections.method import method_facts
from briefings.report.sections.pieces import grade_key
from briefings.report.sections.sources import cited_sources, sources_table
from briefings.report.sections.timeline import (
    MAX_CLAIMS,
    MAX_TABLE_ROWS,
    changes_table,
    chart_in_words,
    contested_claims,
    shown_disputes,
)
from briefings.report.sections.title import title_block, window_text

__all__ = [
    "MAX_CLAIMS",
    "MAX_TABLE_ROWS",
    "changes_table",
    "chart_in_words",
    "cited_sources",
    "contested_claims",
    "grade_key",
    "method_facts",
    "shown_disputes",
    "sources_table",
    "title_block",
    "window_text",
]
