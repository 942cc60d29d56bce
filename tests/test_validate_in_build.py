"""A default build checks each paper where it is mapped and the rest at the end:
the same results as one pyshacl check of the whole store, at every size."""

from __future__ import annotations

import json
import random
import re
import sys

import pytest
from support import PAPERS
from test_validate import sliced_results, whole_graph_results
from typer.testing import CliRunner

from bench.generate import write_corpus
from kg.build import build
from kg.cli import app
from kg.mapping import map_document as real_map_document
from kg.store import KnowledgeGraph
from kg.validate import WHOLE_STORE

#: Ways to break a mapped paper, as a faulty mapper would: each gives the
#: paper's graph a statement one of the shapes refuses.
PLANTS = {
    "paper id not a string": lambda doc: f"<{doc.iri}> <https://w3id.org/mlkg/ontology#paperId> 42 .\n",
    "negative offset": lambda doc: f"<{doc.iri}/mention/1> <https://w3id.org/mlkg/ontology#startOffset> -1 .\n",
    "zero accelerators": lambda doc: f"<{doc.iri}/run> <https://w3id.org/mlkg/ontology#hardwareQuantity> 0 .\n",
    "run without label": None,  # removes the run's label
}


def planted_mapper(seed: int, share: float):
    """map_document, but a random share of the papers come out broken (the same ones for a seed)."""

    def mapper(doc, *args, **kwargs):
        mapped = real_map_document(doc, *args, **kwargs)
        rng = random.Random(f"{seed}:{doc.id}")
        if rng.random() < share:
            kind = rng.choice(sorted(PLANTS))
            if PLANTS[kind] is None:
                mapped.turtle = re.sub(r'(mlkg:TrainingRun) ;\n    rdfs:label "[^"]*"', r"\1", mapped.turtle, count=1)
            else:
                mapped.turtle += PLANTS[kind](mapped)
        return mapped

    return mapper


@pytest.mark.parametrize("seed, jobs", [(1, 1), (2, 2), (3, 2)])
def test_a_default_build_finds_what_a_whole_store_check_finds(tmp_path, monkeypatch, seed, jobs):
    corpus = write_corpus(120 + 40 * seed, tmp_path / "corpus.jsonl", seed)
    # forked workers inherit the planted mapper
    monkeypatch.setattr(sys.modules["kg.build"], "map_document", planted_mapper(seed, 0.1))
    result = build([str(corpus)], tmp_path / "out", jobs=jobs, exports=[])
    got = result.validation
    assert got["scope"] == WHOLE_STORE
    kg = KnowledgeGraph(tmp_path / "out", read_only=True)
    whole = whole_graph_results(kg)
    assert any(item[0] == "violation" for item in whole), "the plants should break shapes"
    assert any(item[0] == "warning" and "/model/" in item[1] for item in whole), "models with two sizes"
    found = sliced_results(type("R", (), {"violations": got["violations"], "warnings": got["warnings"]}))
    # fewer than the 200 a report lists of each severity: every result is listed
    assert len(got["violations"]) == got["violation_count"] and len(got["warnings"]) == got["warning_count"]
    assert found == whole
    assert got["conforms"] is False


def test_an_update_checks_the_papers_it_read_and_every_shared_node(tmp_path):
    out = tmp_path / "out"
    args = ["--out", str(out), "--no-html", "--no-export"]
    first = CliRunner().invoke(app, ["build", str(PAPERS), *args])
    assert first.exit_code == 0, first.output
    report = json.loads((out / "report.json").read_text())["summary"]
    assert report["validation"]["scope"] == WHOLE_STORE and report["validation"]["conforms"] is True
    # two new papers, one giving an existing model a second parameter count
    more = tmp_path / "more.jsonl"
    more.write_text(
        json.dumps(
            {"id": "corvid-again", "text": "We retrain <model>Corvid-13B</model> with <params>14B</params> parameters."}
        )
        + "\n"
        + json.dumps({"id": "plain", "text": "A <model>Plain-1</model> model trained in <year>2024</year>."})
        + "\n",
        encoding="utf-8",
    )
    second = CliRunner().invoke(app, ["build", str(more), *args])
    assert second.exit_code == 0, second.output
    validation = json.loads((out / "report.json").read_text())["summary"]["validation"]
    assert validation["scope"] == "the 2 papers this build read, every shared node and the running totals"
    assert validation["conforms"] is True and validation["skipped"] is None
    # the cross-paper warning, found from the running totals
    assert any(
        w["focus"].endswith("/model/corvid13b") and w["path"].endswith("#parameterCount")
        for w in validation["warnings"]
    )
    assert "(the papers this build read)" in second.output
    kg = KnowledgeGraph(out, read_only=True)
    whole = whole_graph_results(kg)
    kg.close()
    assert {item for item in whole if "/paper/" not in item[1]} <= sliced_results(
        type("R", (), {"violations": validation["violations"], "warnings": validation["warnings"]})
    )
