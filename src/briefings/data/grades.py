"""The Admiralty (NATO) grading system: how far a source is trusted (A–F) and how far
the information itself is believed (1–6).

Kept apart from dataset.py (which re-exports them) so that checking a parameter needs no
pandas: a rebuild with unchanged inputs is answered before pandas is imported.
"""

from __future__ import annotations

RELIABILITY_GRADES = "ABCDEF"
CREDIBILITY_GRADES = range(1, 7)
RELIABILITY_MEANINGS: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_MEANINGS: dict[int, str] = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
