"""The states' colours as the chart draws them: solid while confirmed, a lighter tint of
the same colour once carried forward past the last confirmation.

The legend decodes a stretch by its colour, so no state's colour may pass for another
state's tint: `confusable` measures the two as a reader sees them (CIE 1976 colour
difference in L*a*b*, where about 2.3 is the smallest difference an eye notices).
"""

from __future__ import annotations

# A stretch carried forward is its state's colour at this opacity over white paper.
CARRIED_FORWARD_OPACITY = 0.35
# Colours closer than this (ΔE*ab) are read as one in a small swatch beside a bar.
MIN_DIFFERENCE = 10.0


def carried_forward_tint(colour: str) -> str:
    """`#rrggbb` of a state's colour at CARRIED_FORWARD_OPACITY over white."""
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (
        round(CARRIED_FORWARD_OPACITY * c + (1 - CARRIED_FORWARD_OPACITY) * 255) for c in channels
    )
    return "#" + "".join(f"{c:02x}" for c in mixed)


def difference(first: str, second: str) -> float:
    """How far apart two `#rrggbb` colours look: ΔE*ab (CIE 1976)."""
    a, b = _lab(first), _lab(second)
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def confusable(colours: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs (state, other state) where the state's colour is within MIN_DIFFERENCE of the
    other's carried-forward tint, in the order the states are given."""
    tints = {state: carried_forward_tint(colour) for state, colour in colours.items()}
    return [
        (state, other)
        for state, colour in colours.items()
        for other, tint in tints.items()
        if other != state and difference(colour, tint) < MIN_DIFFERENCE
    ]


def _lab(colour: str) -> tuple[float, float, float]:
    """sRGB `#rrggbb` to CIE L*a*b* under the D65 white point."""

    def linear(channel: int) -> float:
        u = channel / 255
        return ((u + 0.055) / 1.055) ** 2.4 if u > 0.04045 else u / 12.92

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (
        t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz
    )
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)
