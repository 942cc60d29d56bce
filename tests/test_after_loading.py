"""What a build into an empty store keeps for the end of the build, against what the store says.

A fresh build draws its chart page from what it kept while loading, and
matches up restated runs from the reports it wrote aside, not from queries
across the store (kg/charts.py ``KeptCharts``, kg/restatements.py
``Reported``). These tests build generated corpora for real and check that
the kept chart data equals :func:`kg.charts.chart_data` on the built store,
that the totals and restated-run links equal a recount from the stored
papers, and that a build into a store that held papers draws what a fresh
build of the same papers draws.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

import kg.charts as charts
from bench.generate import write_corpus
from kg.build import build
from kg.charts import ChartData, KeptCharts, chart_data
from kg.store import KnowledgeGraph
from kg.tally import PaperFacts, RunFacts, Tally
from kg.terms import Iris
from kg.totals import recount
from kg.validate import ValidationResult, check_slice, fresh_shared_slices, init_checks, shared_slices
from kg.vocab import MLKG_NS
from support import write_jsonl

IRIS = Iris()


def corpus(folder: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """The bench's generated papers, as (id, text)."""
    path = write_corpus(n, folder / f"corpus-{seed}.jsonl", seed=seed)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(r["id"], r["text"]) for r in records]


def build_keeping(papers: Path | list[Path], out: Path, fresh: bool = True) -> tuple[ChartData | None, ChartData]:
    """Build; returns the chart data the build kept (None: it read the store) and what the store gives."""
    kept: list[ChartData | None] = []
    queried: list[ChartData] = []

    def pages(kg: KnowledgeGraph, out_dir: Path, data: ChartData | None) -> list[Path]:
        kept.append(data)
        queried.append(chart_data(kg))
        return []

    sources = papers if isinstance(papers, list) else [papers]
    result = build([str(p) for p in sources], out, jobs=2, exports=[], fresh=fresh, after_store=pages, batch_size=40)
    assert result.summary["papers_loaded"] and not result.summary["rejected"]
    assert result.summary["papers_in_store"] == KnowledgeGraph(out, read_only=True).paper_count()
    return kept[0], queried[0]


def statistics(out: Path) -> set[str]:
    kg = KnowledgeGraph(out, read_only=True)
    return {str(q) for q in kg.store.quads_for_pattern(None, None, None, NamedNode(IRIS.statistics_graph))}


@pytest.mark.parametrize("seed", [3, 11])
def test_a_fresh_build_draws_what_the_store_holds(tmp_path: Path, seed: int) -> None:
    records = corpus(tmp_path, 300, seed)
    kept, queried = build_keeping(write_jsonl(tmp_path / "papers.jsonl", records), tmp_path / "out")
    assert kept is not None, "a build into an empty store draws from what it kept"
    assert queried.runs and queried.sizes and queried.countries and queried.shares
    assert kept == queried


def test_the_largest_runs_are_kept_right_when_most_are_left_out(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(charts, "MAX_POINTS", 12)
    records = corpus(tmp_path, 300, 7)
    kept, queried = build_keeping(write_jsonl(tmp_path / "papers.jsonl", records), tmp_path / "out")
    assert kept is not None and len(queried.runs) == 12 and queried.run_count > 100
    assert kept == queried


def test_restated_runs_matched_from_the_kept_reports_are_what_a_recount_finds(tmp_path: Path) -> None:
    records = corpus(tmp_path, 300, 5)
    out = tmp_path / "out"
    build_keeping(write_jsonl(tmp_path / "papers.jsonl", records), out)
    before = statistics(out)
    assert any("restatedRuns" in quad for quad in before), "the corpus has runs several papers report"
    recount(KnowledgeGraph(out), IRIS)  # from the papers in the store, reading each report back
    assert statistics(out) == before


def test_a_build_into_a_store_with_papers_draws_what_a_fresh_build_of_them_all_draws(tmp_path: Path) -> None:
    records = corpus(tmp_path, 300, 9)
    first = write_jsonl(tmp_path / "first.jsonl", records[:180])
    second = write_jsonl(tmp_path / "second.jsonl", records[180:])
    build_keeping(first, tmp_path / "grown")
    kept, grown = build_keeping(second, tmp_path / "grown", fresh=False)
    assert kept is None, "a store that held papers is read for its page"
    kept_at_once, _ = build_keeping([first, second], tmp_path / "at-once")
    assert kept_at_once == grown

    def links(out: Path) -> set[str]:
        return {quad for quad in statistics(out) if "restatedRuns" in quad}

    assert links(tmp_path / "grown") and links(tmp_path / "grown") == links(tmp_path / "at-once")


def run(iri: str, model: str, flop: str, year: int = 2022) -> PaperFacts:
    return PaperFacts(
        runs=[
            RunFacts(
                iri=IRIS.base + iri,
                model=IRIS.model(model),
                years={IRIS.year(year)},
                training_compute=Decimal(flop),
                method="stated",
            )
        ]
    )


def test_kept_runs_that_cannot_tell_the_largest_apart_send_the_page_to_the_store(monkeypatch) -> None:
    """Two reports of one run fill a heap of two: the third run, one of the two largest, was left out."""
    monkeypatch.setattr(charts, "MAX_POINTS", 2)
    keeper = KeptCharts(limit=2)
    for paper_id, facts in [("a", run("a/run", "owl", "9e22")), ("b", run("b/run", "owl", "8e22"))]:
        keeper.add(facts, paper_id)
    keeper.add(run("c/run", "lark", "1e20"), "c")
    merged = [r for facts in (run("a/run", "owl", "9e22"), run("b/run", "owl", "8e22")) for r in facts.runs]
    merged[0].paper, merged[1].paper = "a", "b"
    keeper.merge(merged)
    names = {IRIS.model("owl"): "Owl", IRIS.model("lark"): "Lark"}
    assert keeper.data(None, Tally(), names) is None  # type: ignore[arg-type]  # None: the store is never read


def observations(kg: KnowledgeGraph) -> list[str]:
    """The statistics graph as stored, one Turtle statement per subject (as a build writes it)."""
    by_subject: dict[str, list] = {}
    for quad in kg.store.quads_for_pattern(None, None, None, NamedNode(IRIS.statistics_graph)):
        by_subject.setdefault(str(quad.subject), []).append(quad)
    return [
        f"{subject} " + " ; ".join(f"{q.predicate} {q.object}" for q in quads) + " .\n"
        for subject, quads in sorted(by_subject.items())
    ]


def check(pieces) -> set[tuple]:
    init_checks()
    result = ValidationResult(conforms=True)
    for piece in pieces:
        result.add(check_slice(piece), 1000)
    return {("violation", *v.values()) for v in result.violations} | {("warning", *w.values()) for w in result.warnings}


def test_the_statistics_checked_as_written_give_what_they_give_read_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([str(write_jsonl(tmp_path / "papers.jsonl", corpus(tmp_path, 200, 4)))], out, jobs=1, exports=[])
    kg = KnowledgeGraph(out, read_only=True)
    written = observations(kg)
    read_back = check(shared_slices(kg, IRIS, nodes=50, limit=1000))
    assert check(fresh_shared_slices(kg, IRIS, written, nodes=50, limit=1000)) == read_back
    assert any(item[0] == "warning" for item in read_back), "models with two sizes are warned of"
    # an observation the shapes refuse, among those written, is found as it would be in the store
    total = f"<{IRIS.base}stats/runTotals/all>"
    bad = [w[: -len(" .\n")] + f' ; <{MLKG_NS}runCount> "many" .\n' if w.startswith(total) else w for w in written]
    found = check(fresh_shared_slices(kg, IRIS, bad, nodes=50, limit=1000)) - read_back
    assert {(severity, focus) for severity, focus, *_ in found} == {("violation", f"{IRIS.base}stats/runTotals/all")}
