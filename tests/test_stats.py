"""Graph statistics and the GraphML/GEXF exports, checked against the example build."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from rich.console import Console

from kg.network import DETAIL_CLASSES, export_network, to_networkx
from kg.stats import compute_stats, render_stats
from kg.vocab import CLASSES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PREFIX = "PREFIX mlkg: <https://w3id.org/mlkg/ontology#>\n"


def sparql_count(kg, where: str) -> int:
    row = next(iter(kg.query(PREFIX + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")))
    return int(row["n"].value)


def example_documents() -> int:
    files = [p for p in (EXAMPLES / "papers").rglob("*") if p.suffix in (".txt", ".md")]
    lines = [line for line in (EXAMPLES / "papers.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return len(files) + len(lines)


@pytest.fixture(scope="module")
def stats(example_graph):
    return compute_stats(example_graph, top=5)


@pytest.mark.parametrize("cls", CLASSES)
def test_class_counts_match_sparql(example_graph, stats, cls):
    assert stats["classes"][cls] == sparql_count(example_graph, f"?x a mlkg:{cls}")


def test_one_paper_per_example_document(stats):
    assert stats["classes"]["Paper"] == example_documents()
    runs = stats["classes"]["TrainingRun"]
    assert runs >= example_documents()  # a paper reports one run per model
    assert sum(stats["runs_per_year"].values()) + stats["runs_without_year"] == runs


def test_runs_per_year_match_sparql(example_graph, stats):
    for year, n in stats["runs_per_year"].items():
        assert n == sparql_count(example_graph, f"?x a mlkg:TrainingRun ; mlkg:year/mlkg:yearValue {int(year)}")


@pytest.mark.parametrize("key, prop", [("top_hardware", "hardware"), ("top_countries", "country")])
def test_top_lists_are_ranked_run_counts(example_graph, stats, key, prop):
    entries = stats[key]
    assert 0 < len(entries) <= 5
    assert [e["runs"] for e in entries] == sorted((e["runs"] for e in entries), reverse=True)
    for entry in entries:
        assert entry["runs"] == sparql_count(example_graph, f"?x a mlkg:TrainingRun ; mlkg:{prop} <{entry['iri']}>")
    counted = {e["iri"] for e in entries}
    everyone = example_graph.query(
        PREFIX + f"SELECT ?n (COUNT(DISTINCT ?r) AS ?c) WHERE {{ ?r mlkg:{prop} ?n }} GROUP BY ?n"
    )
    assert all(int(row["c"].value) <= entries[-1]["runs"] for row in everyone if row["n"].value not in counted)


def test_network_figures(example_graph, stats):
    network = stats["network"]
    assert network["nodes"] == sum(n for cls, n in stats["classes"].items() if cls not in DETAIL_CLASSES)
    assert 1 <= network["components"] <= network["nodes"]
    assert 0 < network["largest_component"] <= network["nodes"]
    for key in ("hardware", "countries"):
        values = [entry["value"] for entry in network["centrality"][key]]
        assert values and values == sorted(values, reverse=True)
        assert all(0 < v <= 1 and round(v, 4) == v for v in values)


def test_stats_are_json_and_render(stats):
    assert json.loads(json.dumps(stats)) == stats
    console = Console(record=True, width=140)
    render_stats(stats, console)
    text = console.export_text()
    assert stats["top_hardware"][0]["label"] in text and "weakly connected components" in text


def test_network_part_is_skipped_on_big_graphs(example_graph):
    result = compute_stats(example_graph, max_nodes=10)
    assert "skipped" in result["network"]
    render_stats(result, Console(record=True))


def test_graph_has_no_duplicate_edges(example_graph):
    graph = to_networkx(example_graph)
    edges = [(a, b, d["property"]) for a, b, d in graph.edges(data=True)]
    assert len(edges) == len(set(edges))
    model_edges = sparql_count(example_graph, "?r mlkg:trainedModel ?m . BIND(CONCAT(STR(?r), STR(?m)) AS ?x)")
    assert sum(1 for *_, p in edges if p == "trainedModel") == model_edges


@pytest.mark.parametrize("include_mentions", [False, True])
def test_networkx_nodes_are_the_typed_resources(example_graph, include_mentions):
    graph = to_networkx(example_graph, include_mentions=include_mentions)
    # the nodes of mlkg's classes; the running totals (qb:Observation) are not drawn
    filter_ = "" if include_mentions else "FILTER(?c NOT IN (mlkg:Mention, mlkg:HardwareUsage))"
    typed = f"?x a ?c FILTER(STRSTARTS(STR(?c), STR(mlkg:))) {filter_}"
    assert graph.number_of_nodes() == sparql_count(example_graph, typed)
    values = [v for _, data in graph.nodes(data=True) for v in data.values()]
    assert all(isinstance(v, (str, int, float, bool)) for v in values)


@pytest.mark.parametrize("fmt, read", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_network_exports_read_back(example_graph, tmp_path, fmt, read):
    path = tmp_path / f"graph.{fmt}"
    export_network(example_graph, fmt, path)
    original = to_networkx(example_graph)
    again = read(path)
    assert (again.number_of_nodes(), again.number_of_edges()) == (
        original.number_of_nodes(),
        original.number_of_edges(),
    )
    for node, data in original.nodes(data=True):
        assert (again.nodes[node]["label"], again.nodes[node]["cls"]) == (data["label"], data["cls"])
    models = [n for n, d in again.nodes(data=True) if d["cls"] == "Model" and "parameterCount" in d]
    assert models and all(isinstance(again.nodes[n]["parameterCount"], int) for n in models)


def test_unknown_network_format_is_refused(example_graph, tmp_path):
    with pytest.raises(ValueError, match="graphml"):
        export_network(example_graph, "dot", tmp_path / "graph.dot")
