"""How well `briefings draft` reads dates, tracks and figures: the passages of corpus.yaml
against what each should give. `make draft-eval` runs this file and prints the accuracy
per category; test_draft_corpus.py holds the same numbers to the same targets.

A date is right when both the date and its precision are. Figures (amount_usd and
quantity) are counted wherever one is expected or found, and are right when both equal
the expected ones. Candidates the corpus does not expect are counted as extra.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from briefings.data.dataset import load_dataset
from briefings.draft.article import Article, read_article
from briefings.draft.candidates import Candidate, find_candidates
from briefings.draft.keywords import Keywords, keywords_of

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.yaml"
DATASET = HERE.parents[1] / "data" / "us-pakistan"
# The targets of issue 24: 95 % of dates right with their precision, every figure right.
DATE_TARGET = 0.95
MEASURES = ("dates", "tracks", "states", "figures")


@dataclass
class Tally:
    """Right and total per measure, the misses, and candidates nobody expected."""

    passages: int = 0
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    extra: int = 0
    misses: list[str] = field(default_factory=list)

    def check(self, measure: str, ok: bool, miss: str) -> None:
        self.total[measure] += 1
        self.right[measure] += ok
        if not ok:
            self.misses.append(f"{measure}: {miss}")

    def share(self, measure: str) -> float:
        return self.right[measure] / self.total[measure] if self.total[measure] else 1.0

    def cell(self, measure: str) -> str:
        if not self.total[measure]:
            return "–"
        return f"{self.right[measure]}/{self.total[measure]} {100 * self.share(measure):.1f}%"


@dataclass
class Evaluation:
    """The tallies per category and for the whole corpus."""

    categories: dict[str, Tally]
    overall: Tally

    @property
    def meets_targets(self) -> bool:
        return (
            self.overall.share("dates") >= DATE_TARGET
            and self.overall.right["figures"] == self.overall.total["figures"]
        )

    def report(self) -> str:
        rows = [("category", "passages", *MEASURES, "extra")]
        for name, tally in [*self.categories.items(), ("all", self.overall)]:
            cells = [tally.cell(m) for m in MEASURES]
            rows.append((name, str(tally.passages), *cells, str(tally.extra)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        misses = [m for tally in self.categories.values() for m in tally.misses]
        lines += ["", f"misses ({len(misses)}):", *(f"  {m}" for m in misses or ["none"])]
        dates = self.overall.share("dates")
        figures = self.overall
        lines += [
            "",
            f"target: dates right with their precision ≥ {DATE_TARGET:.0%}: "
            f"{100 * dates:.1f}% {'met' if dates >= DATE_TARGET else 'NOT met'}",
            f"target: every figure right: {figures.right['figures']}/{figures.total['figures']} "
            f"{'met' if figures.right['figures'] == figures.total['figures'] else 'NOT met'}",
        ]
        return "\n".join(lines)


def evaluate(corpus: Path = CORPUS, dataset: Path = DATASET) -> Evaluation:
    """Draft every passage of the corpus with the dataset's keywords and tally it."""
    words = keywords_of(load_dataset(dataset))
    passages = yaml.safe_load(corpus.read_text(encoding="utf-8"))
    categories: dict[str, Tally] = {}
    overall = Tally()
    for passage in passages:
        tally = categories.setdefault(passage["category"], Tally())
        for target in (tally, overall):
            _tally_passage(passage, words, corpus.parent, target)
    return Evaluation(categories, overall)


def _tally_passage(passage: dict, words: Keywords, folder: Path, tally: Tally) -> None:
    tally.passages += 1
    name = passage["id"]
    expected_day = date.fromisoformat(passage["published"])
    if "page" in passage:
        article = read_article(folder / passage["page"])
        found = article.published
        tally.check(
            "dates", found == expected_day, f"{name}: published {expected_day}, found {found}"
        )
    else:
        article = Article(path=Path(name), text=passage["text"])
    candidates, _ = find_candidates(article.text, expected_day, words)
    unused = list(candidates)
    for expected in passage["expect"]:
        candidate = next((c for c in unused if c.expression == expected["expression"]), None)
        if candidate is not None:
            unused.remove(candidate)
        _tally_expected(f"{name} '{expected['expression']}'", expected, candidate, tally)
    tally.extra += len(unused)
    tally.misses += [f"extra: {name} '{c.expression}' → {c.date} {c.track}" for c in unused]


def _tally_expected(where: str, expected: dict, candidate: Candidate | None, tally: Tally) -> None:
    figures = {n: expected.get(n) for n in ("amount_usd", "quantity")}
    if candidate is None:
        missing = ("dates", "tracks", *(["figures"] if any(figures.values()) else []))
        for measure in missing:
            tally.check(measure, False, f"{where}: no candidate")
        return
    want = f"{expected['date']} ({expected['precision']})"
    got = f"{candidate.date} ({candidate.precision})"
    tally.check("dates", want == got, f"{where}: {want} expected, got {got} — {candidate.notes}")
    tally.check(
        "tracks",
        candidate.track == expected["track"],
        f"{where}: {expected['track']} expected, got {candidate.track}",
    )
    if "state" in expected:
        tally.check(
            "states",
            candidate.state == expected["state"],
            f"{where}: {expected['state']} expected, got {candidate.state or 'none'}",
        )
    got_figures = {n: getattr(candidate, n) for n in figures}
    if any(figures.values()) or any(got_figures.values()):
        tally.check(
            "figures", figures == got_figures, f"{where}: {figures} expected, got {got_figures}"
        )


def main() -> int:
    evaluation = evaluate()
    print(evaluation.report())
    return 0 if evaluation.meets_targets else 1


if __name__ == "__main__":
    sys.exit(main())
