"""How the chart looks: its font, geometry and ink, and the matplotlib settings behind them.

Every style setting is passed per figure (`rc`), so the chart does not depend on whatever
rcParams the caller has set.
"""

from __future__ import annotations

import matplotlib as mpl

FONT = "DejaVu Sans"
FONT_SIZE = 8  # pt; the smallest text on the chart, readable on A4

# Figure geometry, in inches: A4 text width, a column for lane labels on the left.
FIG_WIDTH = 7.5
LABEL_COLUMN = 1.62
RIGHT_MARGIN = 0.2
TOP_MARGIN = 0.08
LANE_HEIGHT = 0.55
AXIS_BAND = 0.32  # tick labels under the lanes
LEGEND_ROW = 0.21

# Within a lane (one data unit on y, top to bottom): marker strip, then the bar.
MARKER_Y = 0.25
BAR_TOP, BAR_BOTTOM = 0.5, 0.92
MARKER_HEIGHT_PT = 14.0

INK = "#333333"
OUTLINE_MIN_PT = 2.0  # narrower intervals share their lane's outline
# Contested stretches: dense hatching when a challenge is not weaker than the account,
# sparse when every challenge is weaker (`StateClaim.weakly_challenged`).
HATCH_STRONG = "////"
HATCH_WEAK = "//"
WEAK_INK = "#8A8A8A"  # and in a lighter ink
BRACKET_DEPTH = 0.05  # lane units: how far under the bar a date's uncertain span is drawn
LABEL_WIDTH_PT = LABEL_COLUMN * 72 - 12  # lane labels, short of the tick padding
LABEL_LINES = 2
LEGEND_LABEL_PT = 150.0

_STYLE = {
    "font.family": FONT,
    "font.size": FONT_SIZE,
    "axes.linewidth": 0.6,
    "hatch.linewidth": 0.7,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "svg.fonttype": "none",  # text stays text: selectable in the PDF, and smaller
    "svg.hashsalt": "briefings-timeline",  # fixed ids, so two renders are identical
}


def rc() -> dict:
    """Matplotlib's defaults plus our style: the chart ignores the caller's rcParams."""
    base = {k: v for k, v in mpl.rcParamsDefault.items() if k != "backend"}
    return {**base, **_STYLE}
