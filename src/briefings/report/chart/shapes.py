"""What the chart is drawn with: dates as day numbers, many rectangles as one path, and
the outlines of its markers."""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.path import Path


def days(values: pd.Series) -> np.ndarray:
    """Dates (None → NaN) as matplotlib day numbers, vectorised."""
    stamps = pd.to_datetime(values.astype(object).where(values.notna(), None))
    return mdates.date2num(stamps.to_numpy("datetime64[ns]"))


def rectangles(x0, x1, y0, y1) -> Path:
    """Rectangles as one compound path (vectorised: five vertices each)."""
    vertices = np.stack(
        [np.stack([x0, y0], -1), np.stack([x1, y0], -1), np.stack([x1, y1], -1),
         np.stack([x0, y1], -1), np.stack([x0, y0], -1)],
        axis=1,
    ).reshape(-1, 2)  # fmt: skip
    codes = np.tile(
        [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(x0)
    ).astype(Path.code_type)
    return Path(vertices, codes)


def stadium(aspect: float) -> Path:
    """A pill as wide as 1 and `aspect` high: the marker of a change."""
    r = aspect / 2
    right = [
        (0.5 - r + r * math.cos(a), r * math.sin(a)) for a in np.linspace(-np.pi / 2, np.pi / 2, 9)
    ]
    left = [
        (-0.5 + r - r * math.cos(a), -r * math.sin(a))
        for a in np.linspace(-np.pi / 2, np.pi / 2, 9)
    ]
    vertices = [*right, *left, right[0]]
    return Path(vertices, closed=True)


def pointed(aspect: float) -> Path:
    """A hexagon pointed at both ends (a diamond when square): the marker of a dispute."""
    h = aspect / 2
    tip = min(h, 0.5)
    vertices = [(-0.5, 0), (-0.5 + tip, h), (0.5 - tip, h), (0.5, 0), (0.5 - tip, -h),
                (-0.5 + tip, -h), (-0.5, 0)]  # fmt: skip
    return Path(vertices, closed=True)
