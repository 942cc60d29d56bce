"""Whole builds: the report, SHACL, idempotence, replacement, --fresh, repair."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from pyoxigraph import RdfFormat

from kg.build import build
from kg.files import partial_path
from kg.store import PENDING_FILE, KnowledgeGraph

from support import EXAMPLES, FIXTURES, PAPERS


def quads(out) -> set[str]:
    kg = KnowledgeGraph(out, read_only=True)
    data = kg.store.dump(format=RdfFormat.N_QUADS).decode()
    del kg
    return set(data.splitlines())


def test_report_lists_every_document(example_build):
    out, result = example_build
    report = json.loads((out / "report.json").read_text())
    files = [p for p in PAPERS.rglob("*") if p.suffix in (".txt", ".md")]
    jsonl = [line for line in (EXAMPLES / "papers.jsonl").read_text().splitlines() if line.strip()]
    assert len(report["documents"]) == len(files) + len(jsonl)
    assert report["summary"]["documents"] == len(report["documents"])
    assert {d["status"] for d in report["documents"]} <= {"ok", "warning"}
    assert result.exit_code == 0
    for doc in report["documents"]:
        assert doc["status"] == ("warning" if doc["problems"] else "ok")
        for problem in doc["problems"]:
            assert problem["line"] >= 1 and problem["column"] >= 1 and problem["message"]


def test_example_build_conforms_to_the_shapes(example_build):
    _, result = example_build
    assert result.validation["conforms"] is True
    assert result.validation["violations"] == []
    # the model two papers disagree about is flagged, not rejected
    assert any("medsegformerxl" in w["focus"] for w in result.validation["warnings"])


def test_outputs_are_written(example_build):
    out, result = example_build
    for name in ("graph.ttl", "graph.trig", "report.json"):
        assert (out / name).stat().st_size > 0


def _trig_quads(path) -> set:
    dataset = rdflib.Dataset()
    dataset.parse(str(path), format="trig")
    return {q for q in dataset.quads((None, None, None, None)) if q[3] is not None}


def _store_quads(out) -> set:
    kg = KnowledgeGraph(out, read_only=True)
    data = kg.store.dump(format=RdfFormat.N_QUADS)
    del kg
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    return {q for q in dataset.quads((None, None, None, None)) if q[3] is not None}


def test_exports_follow_the_store_on_fresh_builds_and_updates(tmp_path):
    papers = tmp_path / "papers"
    shutil.copytree(PAPERS, papers)
    out = tmp_path / "out"
    build([str(papers)], out, jobs=1, exports=["trig"], validate=False)  # written while loading
    assert _trig_quads(out / "graph.trig") == _store_quads(out)
    assert not list(out.glob(".*.partial"))

    changed = papers / "003_llama-style-decoder.txt"
    changed.write_text(re.sub(r"<year>[^<]*</year>", "<year>2019</year>", changed.read_text(), count=1))
    result = build([str(papers)], out, jobs=1, exports=["trig"], validate=False)  # read back from the store
    assert result.summary["papers_loaded"] == 1
    exported = _trig_quads(out / "graph.trig")
    assert exported == _store_quads(out)
    assert any(str(o).endswith("/year/2019") for _, _, o, g in exported if "003_llama" in str(g))


def test_rebuilding_the_same_input_changes_nothing(tmp_path):
    build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False)
    first = quads(tmp_path)
    again = build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False)
    assert again.summary["papers_unchanged"] == again.summary["documents"]
    assert again.summary["papers_loaded"] == 0
    assert quads(tmp_path) == first


def test_a_changed_document_replaces_its_graph(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(PAPERS, corpus)
    out = tmp_path / "out"
    build([str(corpus)], out, jobs=1, exports=[], validate=False)
    before = quads(out)
    seed = corpus / "002_80ad1e266ef25220.txt"
    seed.write_text(seed.read_text().replace("<gpu_count>32</gpu_count>", "<gpu_count>64</gpu_count>"))
    result = build([str(corpus)], out, jobs=1, exports=[], validate=False)
    assert result.summary["papers_loaded"] == 1
    after = quads(out)
    paper = "<https://w3id.org/mlkg/id/paper/002_80ad1e266ef25220>"
    removed, added = before - after, after - before
    statistics = "<https://w3id.org/mlkg/id/graph/statistics> ."
    assert all(line.endswith((f"{paper} .", statistics)) for line in removed | added)
    assert any('"32"^^' in line and "hardwareQuantity" in line for line in removed)
    assert any('"64"^^' in line and "hardwareQuantity" in line for line in added)

    # the running totals moved by 32 more accelerators, and only those of its run
    def accelerators(lines):
        return {
            line.split(" ", 1)[0]: int(line.split('"')[1])
            for line in lines
            if line.endswith(statistics) and "#acceleratorCount>" in line
        }

    old, new = accelerators(removed), accelerators(added)
    assert old and old.keys() == new.keys()
    assert all(new[o] - old[o] == 32 for o in old)


def test_fresh_starts_over(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(PAPERS, corpus)
    out = tmp_path / "out"
    build([str(corpus)], out, jobs=1, exports=[], validate=False)
    (corpus / "023_no-tags-traffic-gnn.txt").unlink()
    build([str(corpus)], out, jobs=1, exports=[], validate=False)
    assert any("023_no-tags" in q for q in quads(out))  # builds add; they never forget
    build([str(corpus)], out, jobs=1, exports=[], validate=False, fresh=True)
    assert not any("023_no-tags" in q for q in quads(out))


def test_unreadable_documents_are_rejected_and_the_rest_built(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "unreadable", corpus)
    shutil.copy(PAPERS / "002_80ad1e266ef25220.txt", corpus)
    result = build([str(corpus), str(FIXTURES / "jsonl" / "mixed.jsonl")], tmp_path / "out", jobs=1, exports=[])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    by_status = {}
    for doc in report["documents"]:
        by_status.setdefault(doc["status"], []).append(doc)
    assert len(by_status["rejected"]) == 4 + 3
    assert {d["id"] for d in by_status["ok"]} >= {"002_80ad1e266ef25220"}
    assert result.exit_code == 1
    assert KnowledgeGraph(tmp_path / "out", read_only=True).paper_count() == 3


def test_broken_markup_is_built_with_warnings(tmp_path):
    result = build([str(FIXTURES / "broken")], tmp_path, jobs=1, exports=[])
    report = json.loads((tmp_path / "report.json").read_text())
    statuses = {d["id"]: d["status"] for d in report["documents"]}
    assert statuses["no_problems"] == "ok"
    assert statuses["unclosed"] == "warning"
    assert result.exit_code == 0
    assert result.validation["conforms"] is True


def test_an_unfinished_batch_is_repaired_on_the_next_run(tmp_path):
    build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False)
    complete = quads(tmp_path)
    # what a build killed mid-batch leaves behind: a journal naming graphs in flight
    victim = "https://w3id.org/mlkg/id/paper/002_80ad1e266ef25220"
    (tmp_path / PENDING_FILE).write_text(json.dumps([victim]))
    kg = KnowledgeGraph(tmp_path)  # opening for writing repairs
    assert kg.content_hash(victim) is None
    del kg
    result = build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False)
    assert result.summary["papers_loaded"] == 1
    assert quads(tmp_path) == complete


def test_parallel_build_equals_serial_build(tmp_path):
    build([str(PAPERS), str(EXAMPLES / "papers.jsonl")], tmp_path / "one", jobs=1, exports=[], validate=False)
    build(
        [str(PAPERS), str(EXAMPLES / "papers.jsonl")],
        tmp_path / "two",
        jobs=2,
        exports=[],
        validate=False,
        batch_size=3,
    )
    assert quads(tmp_path / "one") == quads(tmp_path / "two")


@pytest.mark.parametrize("base", ["http://example.org/kg/", "http://example.org/kg#"])
def test_base_iri_is_configurable(tmp_path, base):
    build([str(PAPERS / "002_80ad1e266ef25220.txt")], tmp_path, jobs=1, exports=["trig"], base=base)
    subjects = {line.split()[0] for line in quads(tmp_path)}
    assert all(s.startswith(f"<{base}") for s in subjects)
    # the TriG written while loading resolves to the same IRIs (relative ones only under a "/" base)
    assert _trig_quads(tmp_path / "graph.trig") == _store_quads(tmp_path)


def test_a_journal_torn_by_a_kill_does_not_break_the_next_build(tmp_path):
    build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False)
    complete = quads(tmp_path)
    # a kill while the journal was being written leaves only its partial file
    partial_path(tmp_path / PENDING_FILE).write_text("")
    result = build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False)
    assert result.summary["papers_unchanged"] == result.summary["documents"]
    assert quads(tmp_path) == complete


def test_compacting_after_a_large_load_keeps_the_graph_the_exports_and_the_verdict(tmp_path):
    """The compaction runs beside the exports and the end of the SHACL check, which read the store meanwhile."""
    plain = build([str(PAPERS)], tmp_path / "plain", jobs=1)
    compacted = build([str(PAPERS)], tmp_path / "compacted", jobs=1, compact_after=1)
    assert plain.summary["compact_seconds"] is None  # below the threshold
    assert compacted.summary["compact_seconds"] is not None
    assert quads(tmp_path / "compacted") == quads(tmp_path / "plain")
    for name in ("graph.ttl", "graph.trig"):
        assert (tmp_path / "compacted" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    assert compacted.validation == plain.validation


def test_a_broken_data_file_stops_the_build_at_once_with_its_line(tmp_path):
    """A copy of the package whose hardware catalogue has a bad row, run as a user runs kg."""
    package = tmp_path / "pkg"
    shutil.copytree(Path(__file__).resolve().parent.parent / "kg", package / "kg", symlinks=False)
    catalogue = package / "kg" / "data" / "hardware.csv"
    lines = catalogue.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",2017,", ",twenty-seventeen,", 1)  # release_year of line 5
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from kg.cli import app; app()", "build", str(PAPERS), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(package)},
        timeout=120,
        cwd=tmp_path,  # not the checkout, whose kg/ would come first on the path
    )
    assert done.returncode == 2, done.stderr
    assert "kg/data/hardware.csv" in done.stderr and "line 5" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
