"""The measurement corpus of `briefings draft` meets issue 24's targets: at least 95 % of
dates right with their precision, every figure right. The same evaluation as
`make draft-eval` (draft_eval.py), so the test and the printed figures cannot disagree."""

from __future__ import annotations

import yaml
from draft_eval import CORPUS, DATE_TARGET, evaluate

# What the corpus must cover (issue 24, "Measured, not asserted").
CATEGORIES = {
    "weekdays",
    "boundaries",
    "leap days",
    "relative days",
    "ordinal dates",
    "numbers in words",
    "amounts",
    "html pages",
    "tense",
}


def test_the_corpus_covers_what_it_must():
    passages = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    assert len(passages) >= 60
    assert {p["category"] for p in passages} >= CATEGORIES
    weekdays = [p for p in passages if p["category"] == "weekdays"]
    pairs = {
        (tense, e["expression"].split()[-1], p["published"])
        for p in weekdays
        for tense in [p["id"].split("-")[1]]
        for e in p["expect"]
    }
    # Every weekday named against every publication weekday, in both tenses.
    assert len(pairs) == 2 * 7 * 7


def test_the_draft_meets_the_targets_on_the_corpus():
    evaluation = evaluate()
    report = evaluation.report()
    assert evaluation.overall.share("dates") >= DATE_TARGET, report
    assert evaluation.overall.right["figures"] == evaluation.overall.total["figures"], report
    assert evaluation.meets_targets
