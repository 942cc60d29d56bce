"""Every export format re-parsed by independent parsers gives the same graph."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import rdflib

from kg.export import ExportFormat, export
from kg.vocab import DEFAULT_BASE

from conftest import require_tool

RAPPER_SYNTAX = {
    "turtle": "turtle",
    "ntriples": "ntriples",
    "rdfxml": "rdfxml",
    "trig": "trig",
    "nquads": "nquads",
}
RDFLIB_SYNTAX = {
    "turtle": "turtle",
    "ntriples": "nt",
    "rdfxml": "xml",
    "trig": "trig",
    "nquads": "nquads",
    "jsonld": "json-ld",
}


@pytest.fixture(scope="module")
def exported(example_graph, example_build, tmp_path_factory):
    """Every format read back from the store, plus the Turtle and TriG a
    fresh build wrote while loading (``built-turtle``, ``built-trig``)."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in ExportFormat:
        if fmt.is_network:
            continue
        path = folder / f"graph.{fmt.extension}"
        export(example_graph, fmt, path, base=DEFAULT_BASE)
        files[fmt.value] = path
    out, result = example_build
    assert {out / "graph.ttl", out / "graph.trig"} <= {Path(p) for p in result.outputs}
    files["built-turtle"] = out / "graph.ttl"
    files["built-trig"] = out / "graph.trig"
    return files


def _format(name: str) -> str:
    return name.removeprefix("built-")


@pytest.fixture(scope="module")
def expected(example_graph):
    """Quads in the store, and distinct triples of their union, counted by SPARQL."""
    quads = int(next(iter(example_graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    triples = int(
        next(
            iter(
                example_graph.query(
                    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
                )
            )
        )["n"].value
    )
    assert quads > triples > 1000  # models and unknown hardware repeat across papers
    return {"quads": quads, "triples": triples}


def _rdflib_quads(path, syntax) -> set:
    dataset = rdflib.Dataset()
    dataset.parse(str(path), format=syntax)
    return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None)) if g is not None}


def _expected_count(fmt: str, expected: dict) -> int:
    return expected["quads"] if ExportFormat(_format(fmt)).has_graphs else expected["triples"]


@pytest.mark.parametrize("fmt", sorted(RAPPER_SYNTAX) + ["built-turtle", "built-trig"])
def test_rapper_reads_every_statement(fmt, exported, expected):
    rapper = require_tool("rapper")
    run = subprocess.run(
        [rapper, "-i", RAPPER_SYNTAX[_format(fmt)], "-c", str(exported[fmt])], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr.lower(), run.stderr
    count = int(run.stderr.split("returned ")[1].split()[0])
    assert count == _expected_count(fmt, expected)


@pytest.mark.parametrize("fmt", sorted(RDFLIB_SYNTAX) + ["built-turtle", "built-trig"])
def test_rdflib_reads_the_same_graph(fmt, exported, expected):
    syntax = RDFLIB_SYNTAX[_format(fmt)]
    if ExportFormat(_format(fmt)).has_graphs:
        got = _rdflib_quads(exported[fmt], syntax)
        reference = _rdflib_quads(exported["nquads"], "nquads")
        assert len(got) == expected["quads"]
        assert got == reference
    else:
        graph = rdflib.Graph().parse(str(exported[fmt]), format=syntax)
        union = {(s, p, o) for s, p, o, _ in _rdflib_quads(exported["nquads"], "nquads")}
        assert len(graph) == expected["triples"]
        assert set(graph) == union


def test_pyld_expands_jsonld_to_every_quad(exported, expected):
    from pyld import jsonld

    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    lines = {line for line in nquads.splitlines() if line.strip()}
    assert len(lines) == expected["quads"]
    back = rdflib.Dataset()
    back.parse(data=nquads, format="nquads")
    reference = _rdflib_quads(exported["nquads"], "nquads")
    assert {q for q in back.quads((None, None, None, None)) if q[3] is not None} == reference


def test_jsonld_has_a_compact_context(exported):
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    context = document["@context"]
    assert context["mlkg"] == "https://w3id.org/mlkg/ontology#"
    assert context["@base"] == DEFAULT_BASE
    first_graph = document["@graph"][0]
    node = first_graph["@graph"][0]
    assert not node["@id"].startswith("https://")  # relative to @base
    assert any(key.startswith("mlkg:") for key in node)


def test_turtle_uses_prefixes(exported):
    head = exported["turtle"].read_text(encoding="utf-8")[:2000]
    assert "@prefix mlkg: <https://w3id.org/mlkg/ontology#>" in head


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_formats_through_the_cli(fmt, example_build, tmp_path):
    import networkx as nx
    from typer.testing import CliRunner

    from kg.cli import app

    out, _ = example_build
    target = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(app, ["export", "--format", fmt, "-o", str(target), "--out", str(out)])
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    classes = {data.get("cls") for _, data in graph.nodes(data=True)}
    assert {"Paper", "TrainingRun", "Model", "Hardware", "Country", "Year"} <= classes
    assert all(data.get("label") for _, data in graph.nodes(data=True))
