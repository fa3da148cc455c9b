"""The words a dataset declares for its tracks and states (`keywords:` in dataset.yaml),
and where they occur in a sentence.

A keyword matches case-insensitively, a space in it also matching a hyphen. Its last
word matches any word that starts with it when it has five letters or more, less a
final e ("suspend" matches "suspended", not "suspension", which is a keyword of its own;
"improve" matches "improving"); a shorter one matches itself or with -s, -ed or -ing
("halt", "halted"; "aid" but not "aides").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_PREFIX_LENGTH = 5


@dataclass(frozen=True)
class Hit:
    """Where one of an id's keywords occurs in a sentence."""

    id: str
    start: int
    end: int

    def distance(self, start: int, end: int) -> int:
        """Characters between this hit and the span start:end (0 if they overlap)."""
        return max(self.start - end, start - self.end, 0)


@dataclass(frozen=True)
class Keywords:
    """Keywords per track and per state, and the states each track allows, in the
    dataset's order (which breaks ties)."""

    tracks: dict[str, tuple[str, ...]]
    states: dict[str, tuple[str, ...]]
    allowed: dict[str, tuple[str, ...]]

    @cached_property
    def _track_patterns(self) -> dict[str, re.Pattern]:
        return {t: _pattern(words) for t, words in self.tracks.items() if words}

    @cached_property
    def _state_patterns(self) -> dict[str, re.Pattern]:
        return {s: _pattern(words) for s, words in self.states.items() if words}

    def track_hits(self, sentence: str) -> list[Hit]:
        """Every track keyword in the sentence."""
        return _hits(self._track_patterns, sentence)

    def state_hits(self, sentence: str, track: str) -> list[Hit]:
        """Every keyword of a state the track allows."""
        allowed = self.allowed.get(track, ())
        patterns = {s: p for s, p in self._state_patterns.items() if s in allowed}
        return _hits(patterns, sentence)


def keywords_of(dataset) -> Keywords:
    """The keywords a loaded dataset declares for its tracks and states. Labels are not
    used: a label such as "On" or "Active" would match words that name nothing."""
    return Keywords(
        tracks={t.id: t.keywords for t in dataset.tracks},
        states={s.id: s.keywords for s in dataset.states.values()},
        allowed={t.id: t.states for t in dataset.tracks},
    )


def nearest(hits: list[Hit], start: int, end: int) -> Hit | None:
    """The hit closest to start:end; on a tie the longer, then the one declared first
    (hits come in the dataset's order)."""
    if not hits:
        return None
    return min(hits, key=lambda h: (h.distance(start, end), -(h.end - h.start)))


def _pattern(words: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted({_keyword(w) for w in words if w.strip()}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _keyword(word: str) -> str:
    *first, last = re.split(r"[\s-]+", word.strip())
    if len(last) < _PREFIX_LENGTH:
        tail = re.escape(last) + r"(?:s|ed|ing)?"
    else:  # a final e drops before an ending: "improve" → "improving", "approval"
        tail = re.escape(last.removesuffix("e")) + r"\w*"
    body = r"[\s-]+".join([*map(re.escape, first), tail])
    return rf"(?<!\w){body}(?!\w)"


def _hits(patterns: dict[str, re.Pattern], sentence: str) -> list[Hit]:
    return [
        Hit(ident, match.start(), match.end())
        for ident, pattern in patterns.items()
        for match in pattern.finditer(sentence)
    ]
