"""kg build --extract: plain text becomes facts, marked as found, beside what people tagged."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.finder import FINDER
from kg.store import KnowledgeGraph

PLAIN = (
    "We train Kestrel-2B, a decoder with 2 billion parameters, on 64 NVIDIA A100 GPUs for 12 days.\n"
    "The work was done in Canada in 2023.\n"
)
TAGGED = "We train <model>Kite-1B</model> on <gpu_count>8</gpu_count> <hardware>V100 GPUs</hardware>.\n"

MENTIONS = """
PREFIX mlkg: <https://w3id.org/mlkg/ontology#>
SELECT ?tag ?text ?by ?confidence WHERE {
  ?m a mlkg:Mention ; mlkg:tagName ?tag ; mlkg:mentionText ?text .
  OPTIONAL { ?m mlkg:extractedBy ?by }
  OPTIONAL { ?m mlkg:confidence ?confidence }
}
"""


def build(tmp_path: Path, *extra: str) -> tuple[list[dict], dict]:
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "plain.txt").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "in" / "tagged.txt").write_text(TAGGED + "It ran for 3 days in 2021.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(tmp_path / "in"), "--out", str(out), "--fresh", "-q", *extra])
    assert result.exit_code == 0, result.output
    kg = KnowledgeGraph(out, read_only=True)
    rows = [
        {k: (row[k].value if row[k] is not None else None) for k in ("tag", "text", "by", "confidence")}
        for row in kg.query(MENTIONS)
    ]
    kg.close()
    return rows, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_auto_finds_facts_in_plain_documents_only(tmp_path):
    rows, report = build(tmp_path)
    found = {(r["tag"], r["text"]) for r in rows if r["by"] == FINDER}
    assert found == {
        ("model", "Kestrel-2B"),
        ("params", "2 billion"),
        ("gpu_count", "64"),
        ("hardware", "NVIDIA A100 GPUs"),
        ("training", "12 days"),
        ("country", "Canada"),
        ("year", "2023"),
    }
    assert all(0 < float(r["confidence"]) <= 1 for r in rows if r["by"] == FINDER)
    tagged = {(r["tag"], r["text"]) for r in rows if r["by"] is None}
    assert tagged == {("model", "Kite-1B"), ("gpu_count", "8"), ("hardware", "V100 GPUs")}
    entries = {e["id"]: e for e in report["documents"]}
    assert (entries["plain"]["found"], entries["tagged"]["found"]) == (7, 0)
    assert report["summary"]["found"] == 7
    assert report["summary"]["validation"]["conforms"] is True


def test_always_adds_finds_beside_the_tags(tmp_path):
    rows, report = build(tmp_path, "--extract", "always")
    found_in_tagged = {(r["tag"], r["text"]) for r in rows if r["by"] == FINDER and r["text"] in ("3 days", "2021")}
    assert found_in_tagged == {("training", "3 days"), ("year", "2021")}
    assert not any(r["by"] == FINDER and r["text"] in ("8", "V100 GPUs", "Kite-1B") for r in rows)
    assert {e["id"]: e["found"] for e in report["documents"]}["tagged"] == 2


def test_never_reads_only_tags(tmp_path):
    rows, report = build(tmp_path, "--extract", "never")
    assert not any(r["by"] for r in rows)
    assert report["summary"]["found"] == 0


def test_found_facts_count_in_the_runs_like_tagged_ones(tmp_path):
    build(tmp_path)
    kg = KnowledgeGraph(tmp_path / "out", read_only=True)
    rows = list(
        kg.query("""
        PREFIX mlkg: <https://w3id.org/mlkg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?hours WHERE { ?run a mlkg:TrainingRun ; mlkg:trainedModel/rdfs:label "Kestrel-2B" ;
                                   mlkg:acceleratorHours ?hours }""")
    )
    kg.close()
    assert [float(r["hours"].value) for r in rows] == [64 * 12 * 24]


@pytest.mark.parametrize("command", ["build", "add"])
def test_an_unknown_mode_is_one_line_and_exit_2(tmp_path, command):
    (tmp_path / "a.txt").write_text(PLAIN, encoding="utf-8")
    if command == "add":
        CliRunner().invoke(app, ["build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "-q"])
    result = CliRunner().invoke(
        app, [command, str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--extract", "sometimes"]
    )
    assert result.exit_code == 2 and "--extract is 'sometimes'" in result.output
