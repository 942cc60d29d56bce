"""Streaming correctness at scale: the real `kg` CLI on generated corpora.

Parallel and batched builds must give exactly the quads of a serial build;
a build killed half-way must repair itself on the next run; re-running is a
no-op, and changing one document replaces only that paper's graph.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import write_corpus
from kg.normalize import model_key
from kg.terms import Iris
from kg.vocab import MLKG

KG = str(Path(sys.executable).parent / "kg")
QUIET = ["--no-html", "--no-validate", "--no-export", "--quiet"]
IRIS = Iris()


def kg_build(corpus: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [KG, "build", str(corpus), "--out", str(out), *QUIET, *options], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result


def quads(out: Path) -> set[str]:
    """The store's quads as a set of N-Quads lines (the graph has no blank nodes)."""
    result = subprocess.run(
        [KG, "export", "--format", "nquads", "--out", str(out)], capture_output=True, text=True, check=True
    )
    lines = {line for line in result.stdout.splitlines() if line.strip()}
    assert not any("_:" in line.split(" ", 1)[0] for line in lines)
    return lines


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def read_corpus(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(3000, tmp_path_factory.mktemp("corpus") / "corpus.jsonl", seed=11)


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory) -> tuple[Path, set[str]]:
    out = tmp_path_factory.mktemp("serial")
    kg_build(corpus, out, "--jobs", "1")
    return out, quads(out)


@pytest.mark.parametrize(
    "options",
    [
        ("--jobs", "2", "--batch-size", "200"),
        ("--jobs", "2", "--batch-size", "7"),
        ("--jobs", "1", "--batch-size", "333"),
    ],
)
def test_parallel_and_batched_builds_give_the_serial_quads(corpus, serial, tmp_path, options):
    _, expected = serial
    kg_build(corpus, tmp_path, *options)
    got = quads(tmp_path)
    assert len(expected) > 3000 * 50
    assert got == expected, f"{len(got - expected)} extra, {len(expected - got)} missing"


def test_killed_build_is_repaired_by_the_next_run(tmp_path):
    corpus = write_corpus(5000, tmp_path / "corpus.jsonl", seed=23)
    out = tmp_path / "out"
    command = [KG, "build", str(corpus), "--out", str(out), *QUIET, "--jobs", "2", "--batch-size", "100"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    pending = out / "store.pending"
    batches: set[str] = set()
    deadline = time.monotonic() + 60
    try:
        # wait until at least one batch is in the store and another is being loaded
        while len(batches) < 3 and proc.poll() is None and time.monotonic() < deadline:
            try:
                batches.add(pending.read_text(encoding="utf-8")[:200])
            except OSError:
                pass
            time.sleep(0.002)
    finally:
        finished = proc.poll() is not None
        if not finished:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not finished, "the build finished before it could be interrupted"
    assert len(batches) >= 2
    assert not (out / "report.json").exists()

    kg_build(corpus, out, "--jobs", "2", "--batch-size", "100")
    assert not pending.exists()
    assert not list(out.glob(".report-*"))  # the killed build's partial report is gone
    entries = report(out)["documents"]
    assert sorted(e["id"] for e in entries) == sorted(r["id"] for r in read_corpus(corpus))
    assert report(out)["summary"]["papers_in_store"] == 5000

    clean = tmp_path / "clean"
    kg_build(corpus, clean, "--jobs", "2")
    assert quads(out) == quads(clean)


def test_rerun_of_an_unchanged_build_changes_nothing(corpus, serial, tmp_path):
    out, expected = serial
    kg_build(corpus, out, "--jobs", "2")
    summary = report(out)["summary"]
    assert summary["papers_unchanged"] == 3000
    assert summary["papers_loaded"] == 0
    assert all(entry["unchanged"] for entry in report(out)["documents"])
    assert quads(out) == expected


def _year_edit(text: str) -> tuple[str, str, str] | None:
    start = text.find("<year>")
    if start < 0:
        return None
    old = text[start + 6 : text.index("</year>", start)]
    if not old.isdigit():
        return None
    new = "2011" if old != "2011" else "2012"
    return text.replace(f"<year>{old}</year>", f"<year>{new}</year>"), IRIS.year(int(old)), IRIS.year(int(new))


def _model_edit(text: str) -> tuple[str, str, str] | None:
    start = text.find("<model>")
    if start < 0:
        return None
    old = text[start + 7 : text.index("</model>", start)]
    new = "Zzyzx-Renamed-9B"
    return (
        text.replace(f"<model>{old}</model>", f"<model>{new}</model>"),
        IRIS.model(model_key(old)),
        IRIS.model(model_key(new)),
    )


@pytest.mark.parametrize("edit", [_year_edit, _model_edit], ids=["year", "model"])
def test_changing_one_document_replaces_only_its_graph(corpus, serial, tmp_path, edit):
    source, expected = serial
    out = tmp_path / "out"
    shutil.copytree(source, out)
    records = read_corpus(corpus)
    index, changed = next((i, edit(r["text"])) for i, r in enumerate(records) if edit(r["text"]))
    text, old_value, new_value = changed
    record = dict(records[index], text=text)
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(record) + "\n", encoding="utf-8")

    kg_build(one, out, "--jobs", "1")
    assert report(out)["summary"]["papers_loaded"] == 1
    after = quads(out)
    paper = IRIS.paper(record["id"])
    in_paper, in_reference = f"<{paper}> .", f"<{IRIS.reference_graph}> ."
    in_totals = f"<{IRIS.statistics_graph}> ."
    assert all(line.endswith((in_paper, in_totals)) for line in expected - after)
    assert all(line.endswith((in_paper, in_reference, in_totals)) for line in after - expected)
    mentioned = {line for line in after if line.endswith(in_paper)}
    assert not any(f"<{old_value}>" in line for line in mentioned)
    assert any(f"<{new_value}>" in line and f"<{MLKG.factValue.value}>" in line for line in mentioned)
    before = {line for line in expected if line.endswith(in_paper)}
    assert any(f"<{old_value}>" in line for line in before)
