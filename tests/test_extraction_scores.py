"""The finder's scores on the corpora, as kg eval reports them: the targets of docs/extraction.md.

Fact level, per kind: F1 at least 0.95, and precision at least 0.98 for the
numeric kinds (a false number is worse than a missing one). The development
corpus is what the rules were tuned on; heldout2 to heldout8 were written apart
from it, by someone who saw neither the rules nor the corpus, scored once
unseen, and all but heldout6 then tuned on as well (heldout7 with general rules
for the families of its misses and false finds); heldout6 only had the one false model
it showed fixed as a general rule, and heldout8, scored unseen once, is now tuned on with general rules, precision first
(tests/fixtures/extraction/README.md, docs/extraction.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.evaluate import evaluate
from kg.tags import parse_tags

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "extraction"
NUMERIC = ("params", "gpu_count", "training", "year")
#: the held-out splits after the rules were tuned on them too (each was scored once unseen first:
#: docs/extraction.md); the targets are not met on them, so these floors keep a change from making them worse
HELDOUT_FLOORS = {
    "heldout2": {
        "model": 0.97,
        "params": 0.97,
        "hardware": 0.99,
        "gpu_count": 0.95,
        "training": 0.93,
        "country": 0.97,
        "year": 0.97,
    },
    "heldout3": {
        "model": 0.95,
        "params": 0.96,
        "hardware": 0.98,
        "gpu_count": 0.98,
        "training": 0.98,
        "country": 0.96,
        "year": 0.92,
    },
    # raised by the rules for a table of the paper's own runs (245), two sizes of one family (223) and a public
    # checkpoint fine-tuned (217), then by heldout7's rules ("none of these models is retrained": 205)
    "heldout4": {
        "model": 0.94,
        "params": 0.90,
        "hardware": 0.96,
        "gpu_count": 0.83,
        "training": 0.94,
        "country": 0.88,
        "year": 0.79,
    },
    # what the finder scored on it unseen, plus the bracketed-size rule, the rule for a year that dates
    # another's work, and the rules for a table of other models (320), an author-year citation (333) and a
    # sentence pointing back at other work (343), which leave its survey paragraphs without facts; then the rules
    # for own models in a table without outer bars (328), two sizes of one family (312), a public checkpoint
    # fine-tuned (305, 347), a configuration block (348) and a name set off after "our <kind>," (307, 313);
    # heldout7's rules then removed a country of data (332), and heldout8's a time at the top of a range (346)
    "heldout5": {
        "model": 0.97,
        "params": 0.85,
        "hardware": 0.94,
        "gpu_count": 0.91,
        "training": 0.90,
        "country": 0.89,
        "year": 0.83,
    },
    # as scored unseen, then after the own-model rules written without seeing it (one new false model
    # find, 361's "the public ImageNet-22k checkpoint of ConvNeXt-B"), that one fixed as a general rule; heldout7's
    # rules for configuration keys then found three facts of its own (352, 372) (docs/extraction.md)
    "heldout6": {
        "model": 0.86,
        "params": 0.88,
        "hardware": 0.93,
        "gpu_count": 0.93,
        "training": 0.89,
        "country": 0.93,
        "year": 0.96,
    },
    # unseen, scored once (6 December: 0.82-0.90), then tuned on with general rules for the families of its
    # misses and false finds (docs/extraction.md)
    "heldout7": {
        "model": 0.98,
        "params": 0.97,
        "hardware": 0.98,
        "gpu_count": 1.0,
        "training": 0.98,
        "country": 0.96,
        "year": 0.97,
    },
    # scored once unseen (6 December, after heldout7's rules: model 0.69, training 0.70), now tuned on with
    # general rules for its false finds first, then for the layouts of its misses (docs/extraction.md)
    "heldout8": {
        "model": 0.81,
        "params": 0.94,
        "hardware": 0.92,
        "gpu_count": 0.87,
        "training": 0.80,
        "country": 0.95,
        "year": 0.83,
    },
}


def test_fact_level_targets_on_the_development_corpus() -> None:
    result = evaluate([str(CORPUS / "dev")])
    assert not result.rejected
    scores = {kind: score.levels()["fact"] for kind, score in result.scores.items()}
    low = {kind: s["f1"] for kind, s in scores.items() if s["f1"] < 0.95}
    imprecise = {kind: scores[kind]["precision"] for kind in NUMERIC if scores[kind]["precision"] < 0.98}
    where = [f"{m.where} missed {m.kind} {m.text!r}" for m in result.misses]
    where += [f"{f.where} found {f.kind} {f.text!r}" for f in result.false_finds]
    assert not low and not imprecise, (low, imprecise, where[:20])


@pytest.mark.parametrize("split", sorted(HELDOUT_FLOORS))
def test_a_held_out_corpus_does_not_get_worse(split: str) -> None:
    result = evaluate([str(CORPUS / split)])
    assert not result.rejected
    scores = {kind: score.levels()["fact"]["f1"] for kind, score in result.scores.items()}
    assert {kind: f1 for kind, f1 in scores.items() if f1 < HELDOUT_FLOORS[split][kind]} == {}


def test_the_fact_free_half_gives_nothing() -> None:
    """Excerpts that state none of the seven facts about their own work: every find there is false."""
    free = [p for p in sorted((CORPUS / "dev").glob("*.txt")) if not parse_tags(p.read_text(encoding="utf-8")).spans]
    assert len(free) >= 30
    result = evaluate([str(p) for p in free])
    assert [f"{f.where} {f.kind} {f.text!r}" for f in result.false_finds] == []
