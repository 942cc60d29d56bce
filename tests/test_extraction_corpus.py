"""The extraction corpus is gold: every tag in it must build cleanly.

A finder is scored against these files (`kg eval`), so a tag that does not
normalize, or a fact that reaches no run, would count against a finder that
is right. Each corpus is built with the real pipeline, tags only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.build import build
from kg.query import run_query
from kg.store import KnowledgeGraph
from kg.tags import parse_tags

CORPUS = Path(__file__).resolve().parent / "fixtures" / "extraction"
SEVEN = ("model", "params", "hardware", "gpu_count", "training", "country", "year")

#: split -> (at least this many excerpts, at least this many gold facts of every kind)
MINIMUMS = {"dev": (90, 20), "heldout2": (36, 18)}
#: blind splits written later to their own READMEs (a third fact-free, their own span habits):
#: they must build like the others, and the README table must count them
BLIND = ("heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8")


def excerpts(split: str) -> list[Path]:
    return sorted((CORPUS / split).glob("*.txt"))


def tag_counts(paths: list[Path]) -> dict[str, int]:
    counts = dict.fromkeys(SEVEN, 0)
    for path in paths:
        for span in parse_tags(path.read_text(encoding="utf-8")).spans:
            counts[span.name] = counts.get(span.name, 0) + 1
    return counts


def is_fact_free(path: Path) -> bool:
    return not parse_tags(path.read_text(encoding="utf-8")).spans


@pytest.fixture(scope="module", params=[*sorted(MINIMUMS), *BLIND])
def built(request, tmp_path_factory):
    split = request.param
    out = tmp_path_factory.mktemp(f"corpus-{split}")
    result = build([str(CORPUS / split)], out, extract="never", exports=(), jobs=1)
    return split, result, out


def test_every_excerpt_builds_with_no_problem(built):
    split, result, _ = built
    report = json.loads((result.out_dir / "report.json").read_text(encoding="utf-8"))
    troubled = {
        doc["id"]: [f"{p['line']}:{p['column']} {p['message']}" for p in doc["problems"]]
        for doc in report["documents"]
        if doc["status"] != "ok" or doc["problems"]
    }
    assert troubled == {}
    assert len(report["documents"]) == len(excerpts(split))
    validation = result.summary["validation"]
    assert validation["conforms"], validation["violations"]
    assert validation["warnings"] == []


def test_every_tag_gives_a_normalized_fact(built):
    """No mention is left as text only: each tagged value was understood."""
    _, _, out = built
    kg = KnowledgeGraph(out, read_only=True)
    rows = run_query(
        kg,
        """SELECT ?paper ?tag ?text WHERE {
             ?m a mlkg:Mention ; mlkg:tagName ?tag ; mlkg:mentionText ?text ; mlkg:inPaper ?paper .
             FILTER NOT EXISTS { ?m mlkg:factValue ?v }
           }""",
    )
    assert [(str(r["paper"]), str(r["tag"]), str(r["text"])) for r in rows] == []


def test_fact_free_excerpts_give_no_fact(built):
    split, _, out = built
    kg = KnowledgeGraph(out, read_only=True)
    # compute and token counts found by mlkg's own patterns are not among the seven
    kinds = ", ".join(f'"{kind}"' for kind in SEVEN)
    rows = run_query(
        kg,
        f"SELECT ?id WHERE {{ ?m mlkg:inPaper ?p ; mlkg:tagName ?tag . ?p mlkg:paperId ?id FILTER(?tag IN ({kinds})) }}",
    )
    with_mentions = {str(r["id"].value) for r in rows}
    fact_free = {path.stem for path in excerpts(split) if is_fact_free(path)}
    assert fact_free and not (fact_free & with_mentions)


@pytest.mark.parametrize("split", sorted(MINIMUMS))
def test_corpus_size_and_half_fact_free(split):
    paths = excerpts(split)
    least, _ = MINIMUMS[split]
    assert len(paths) >= least
    fact_free = [path for path in paths if is_fact_free(path)]
    assert 2 * len(fact_free) >= len(paths), f"{len(fact_free)} of {len(paths)} are fact-free"
    assert 2 * len(fact_free) <= len(paths) + 2, "the other half must state facts"


@pytest.mark.parametrize("split", sorted(MINIMUMS))
def test_every_kind_has_enough_gold_facts(split):
    _, least = MINIMUMS[split]
    counts = tag_counts(excerpts(split))
    assert set(counts) == set(SEVEN), "only the seven kinds are tagged"
    assert {kind: n for kind, n in counts.items() if n < least} == {}


@pytest.mark.parametrize("split", sorted(MINIMUMS))
def test_excerpts_are_named_and_sized_as_method_sections(split):
    wrong = []
    for path in excerpts(split):
        words = len(parse_tags(path.read_text(encoding="utf-8")).plain.split())
        if not re.fullmatch(r"\d{3}_[a-z0-9-]+\.txt", path.name) or not 80 <= words <= 300:
            wrong.append((path.name, words))
    assert wrong == []


#: docs/tagging.md's span shapes: kind -> (what the tagged text must match, the rule)
SPAN_SHAPES = {
    "params": (re.compile(r"(?!.*(param|weight)).+", re.IGNORECASE), "the word 'parameters' stays outside"),
    "country": (re.compile(r"(?!the ).+", re.IGNORECASE), "a leading 'the' stays outside"),
    "year": (re.compile(r"\d{4}"), "four digits only"),
    "gpu_count": (re.compile(r"(around |about )?(\d[\d,]*|[a-z]+)"), "the number only"),
    "hardware": (re.compile(r"(?!.*\b(cards|accelerators|cores|servers|nodes)$).+"), "these nouns stay outside"),
}
HEDGE_BEFORE = re.compile(r"(\b(about|approximately|roughly|around|nearly|almost)|~)\s*$", re.IGNORECASE)
DEVICE_AFTER = re.compile(r"\s(GPUs?|NPUs?|TPUs?|chips?|pods?)\b")


@pytest.mark.parametrize("split", sorted(MINIMUMS))
def test_spans_follow_the_guideline(split):
    wrong = []
    for path in excerpts(split):
        tagged = parse_tags(path.read_text(encoding="utf-8"))
        for span in tagged.spans:
            where = f"{path.name}:{span.line}:{span.column} <{span.name}>{span.text}"
            shape, rule = SPAN_SHAPES.get(span.name, (re.compile(".+"), ""))
            if not shape.fullmatch(span.text):
                wrong.append(f"{where}: {rule}")
            if span.text != span.text.strip():
                wrong.append(f"{where}: no space at either end")
            if HEDGE_BEFORE.search(tagged.plain[max(0, span.start - 16) : span.start]):
                wrong.append(f"{where}: a hedge goes inside the tag")
            if span.name == "hardware" and DEVICE_AFTER.match(tagged.plain, span.end):
                wrong.append(f"{where}: a GPU/NPU/TPU/chip/pod noun right after goes inside")
    assert wrong == []


def test_readme_counts_are_the_corpus_counts():
    """The README's table is what the files hold, per split and kind."""
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for split in [*MINIMUMS, *BLIND]:
        paths = excerpts(split)
        counts = tag_counts(paths)
        fact_free = sum(is_fact_free(path) for path in paths)
        row = re.search(rf"^\| `{split}/` \|(.*)\|\s*$", readme, re.MULTILINE)
        assert row, f"no row for {split}/ in the README table"
        cells = [int(cell.strip()) for cell in row.group(1).split("|")]
        assert cells == [len(paths), len(paths) - fact_free, fact_free, *(counts[k] for k in SEVEN)]
