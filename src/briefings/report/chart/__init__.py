"""The timeline chart: lanes of states and numbered event markers, drawn with matplotlib,
written as linked SVG and told in words. May import briefings.data and briefings.report.words,
claims and phrases (the words come from checked claims)."""

from briefings.report.chart.in_words import ChartClaims, chart_claims, describe_timeline
from briefings.report.chart.layout import draw_timeline
from briefings.report.chart.svg import timeline_svg

__all__ = ["ChartClaims", "chart_claims", "describe_timeline", "draw_timeline", "timeline_svg"]
