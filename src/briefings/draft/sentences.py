"""An article's text as sentences, and the tense of the clause a date expression sits in."""

from __future__ import annotations

import re

# Words that end with a full stop without ending the sentence: titles and ranks before a
# name, abbreviated months, and Latin and corporate abbreviations.
_ABBREVIATIONS = frozenset(
    re.findall(
        r"\w+",
        "mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep amb st rev hon "
        "jan feb mar apr jun jul aug sep sept oct nov dec no nos vs etc inc ltd co corp dept "
        "est approx fig",
    )
)
# A sentence ends at . ! or ? (and any closing quotes or brackets) before a space and a
# capital, a digit or an opening quote.
_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z.]+)\.$")

# What closes a clause: punctuation, and the words that open a new one. A date belongs
# to the verb of its own clause ("announced on Monday that it would …"). Prepositions
# that lead into a date ("after", "until", "since") do not break it.
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\b(?:that|which|who|whom|whose|while|whereas|but|and|when|"
    r"because|although|though|where|if|unless)\b",
    re.IGNORECASE,
)
# Verb forms that set a clause's time: a future construction, or a past form (an
# irregular one, or a lower-case word in -ed that is not -eed: "need", "proceed").
# Future forms come first, so "are expected to" is read as one, not as "expected".
_VERBS = re.compile(
    r"(?P<future>\b(?:will|shall|won't|would|going to|plans? to|planning to|intends? to|"
    r"scheduled|(?:is|are|was|were) (?:due|set|expected|to)\b|(?:is|are) to be|"
    r"due to (?:be|meet|sign|start|begin|resume|restart|hold|visit|open)\b)\b|'ll\b|’ll\b)"
    r"|(?P<past>\b(?:was|were|had|did|said|told|met|began|took|made|gave|held|froze|frozen|"
    r"became|came|went|saw|sent|spent|paid|put|left|lost|won|broke|spoke|wrote|rose|fell|"
    r"led|brought|fought|sought|caught|taught|kept|stood|struck|drew|grew|knew|threw|chose|"
    r"got|ran|sat|sold|found|heard|felt|dealt|built|withdrew|(?!hundred\b)[a-z]+[^e\W]ed)\b)"
)


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, in order, each on one line.

    A blank line ends a paragraph, and so does a line break unless the next line goes on
    in lower case (a hard-wrapped paragraph) or the line ends in a comma or a dash.
    Headlines and captions without a full stop are sentences of their own.
    """
    sentences = []
    for block in _paragraphs(text):
        start = 0
        for match in _END.finditer(block):
            before = block[start : match.start()]
            if _is_abbreviation(before):
                continue
            sentences.append(block[start : match.start()].strip())
            start = match.end()
        sentences.append(block[start:].strip())
    return [s for s in sentences if s]


def _paragraphs(text: str) -> list[str]:
    paragraphs: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = " ".join(raw.split())
        current = paragraphs[-1]
        if not line:
            if current:
                paragraphs.append([])
        elif current and (line[0].islower() or current[-1].endswith((",", "-", "–", "—"))):
            current.append(line)
        elif current:
            paragraphs.append([line])
        else:
            current.append(line)
    return [" ".join(lines) for lines in paragraphs if lines]


def _is_abbreviation(before: str) -> bool:
    """Whether the full stop ending `before` belongs to an abbreviation or an initial."""
    match = _LAST_WORD.search(before)
    if match is None:
        return False
    word = match[1]
    bare = word.rstrip(".").lower()
    # "U.S." and "e.g." carry dots inside; a single capital is an initial ("J. Smith").
    return bare in _ABBREVIATIONS or "." in bare or (len(word) == 1 and word.isupper())


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause holding sentence[start:end]: from the break before it to the one after."""
    left, right = clause_bounds(sentence, start, end)
    return sentence[left:right]


def clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause holding sentence[start:end] begins and ends."""
    left = 0
    for match in _CLAUSE_BREAK.finditer(sentence, 0, start):
        left = match.end()
    after = _CLAUSE_BREAK.search(sentence, end)
    return left, after.start() if after else len(sentence)


def tense_at(sentence: str, start: int, end: int) -> str:
    """'future' or 'past': the time of the verb a date expression belongs to.

    A future construction before the expression in its clause ("will sign on Monday",
    "is due to resume on Tuesday") makes it future; else a past form there ("said on
    Monday it would …", "froze aid on Friday") makes it past. An expression that opens
    its clause ("On Monday, the ministers will …") takes the first verb form after it.
    With no verb form either way, past: news reports what happened.
    """
    left, _ = clause_bounds(sentence, start, end)
    kinds = [m.lastgroup for m in _VERBS.finditer(sentence, left, start)]
    if "future" in kinds:
        return "future"
    if kinds:
        return "past"
    after = _VERBS.search(sentence, end)
    return "future" if after and after.lastgroup == "future" else "past"
