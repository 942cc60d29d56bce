"""Summary statistics of a built graph: counts from the running totals, structure by networkx.

Counts come from :func:`kg.run_counts.run_counts`: the running totals a
build keeps, so they take milliseconds on a million-paper store, or, when
those cannot be trusted, SPARQL aggregates over the facts (minutes at that
size). The component and centrality figures need the
whole graph in memory and are skipped (with a note) above ``max_nodes``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pyoxigraph import NamedNode
from rich.console import Console
from rich.table import Table

from .network import NODE_CLASSES, to_networkx
from .run_counts import FactCounts, run_counts
from .store import KnowledgeGraph
from .vocab import MLKG, term_value

MAX_NODES = 200_000


def top_by_runs(counts: FactCounts, cls: str, top: int) -> list[dict]:
    """The *top* nodes of *cls* by number of training runs; ties by label."""
    runs = counts.runs(cls)
    labels = counts.labels(runs)
    order = sorted(runs, key=lambda iri: (-runs[iri], labels.get(iri, iri)))
    return [{"iri": iri, "label": labels.get(iri, iri), "runs": runs[iri]} for iri in order[:top]]


def runs_per_year(kg: KnowledgeGraph, counts: FactCounts) -> dict[str, int]:
    """Calendar year -> training runs, in year order."""
    per_year = {}
    for node, n in counts.runs("Year").items():
        value = next(kg.store.quads_for_pattern(NamedNode(node), MLKG.yearValue, None, None))
        per_year[str(int(term_value(value.object)))] = n
    return dict(sorted(per_year.items(), key=lambda item: int(item[0])))


def network_stats(kg: KnowledgeGraph, top: int) -> dict:
    """Components and degree centrality of the graph without mentions."""
    graph = to_networkx(kg)
    result: dict = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    components = [len(c) for c in nx.weakly_connected_components(graph)] if len(graph) else []
    result["components"] = len(components)
    result["largest_component"] = max(components, default=0)
    centrality = nx.degree_centrality(graph) if len(graph) > 1 else {n: 0.0 for n in graph}
    for cls, key in (("Hardware", "hardware"), ("Country", "countries")):
        ranked = sorted(
            (n for n, data in graph.nodes(data=True) if data["cls"] == cls),
            key=lambda n: (-centrality[n], graph.nodes[n]["label"]),
        )
        result.setdefault("centrality", {})[key] = [
            {"iri": n, "label": graph.nodes[n]["label"], "value": round(centrality[n], 4)} for n in ranked[:top]
        ]
    return result


def compute_stats(kg: KnowledgeGraph, *, top: int = 10, max_nodes: int = MAX_NODES) -> dict:
    """Everything `kg stats` shows, as a JSON-able dict."""
    counts = run_counts(kg)
    result: dict[str, Any] = {
        "classes": counts.classes(),
        "runs_per_year": runs_per_year(kg, counts),
        "runs_without_year": counts.runs_without_year(),
        "top_hardware": top_by_runs(counts, "Hardware", top),
        "top_countries": top_by_runs(counts, "Country", top),
    }
    nodes = sum(result["classes"][name] for name in NODE_CLASSES)
    if nodes > max_nodes:
        result["network"] = {
            "skipped": f"the graph has {nodes:,} nodes, more than {max_nodes:,}; components and centrality not computed"
        }
    else:
        result["network"] = network_stats(kg, top)
    return result


def _ranking(title: str, entries: list[dict], value: str, header: str) -> Table:
    table = Table(title=title)
    table.add_column("#", justify="right")
    table.add_column("label")
    table.add_column(header, justify="right")
    for rank, entry in enumerate(entries, 1):
        table.add_row(str(rank), entry["label"], str(entry[value]))
    return table


def render_stats(result: dict, console: Console) -> None:
    """Print the statistics as a few rich tables."""
    counts = Table(title="Resources per class")
    counts.add_column("class")
    counts.add_column("count", justify="right")
    for name, n in result["classes"].items():
        counts.add_row(name, f"{n:,}")
    console.print(counts)

    years = Table(title="Training runs per year")
    years.add_column("year")
    years.add_column("runs", justify="right")
    for year, n in result["runs_per_year"].items():
        years.add_row(year, f"{n:,}")
    if result.get("runs_without_year"):
        years.add_row("(no year)", f"{result['runs_without_year']:,}")
    console.print(years)

    console.print(_ranking("Top hardware by training runs", result["top_hardware"], "runs", "runs"))
    console.print(_ranking("Top countries by training runs", result["top_countries"], "runs", "runs"))

    network = result["network"]
    if "skipped" in network:
        console.print(f"network: {network['skipped']}", highlight=False)
        return
    shape = Table(title="Network (without mentions)", show_header=False)
    shape.add_column("", style="bold")
    shape.add_column("", justify="right")
    for key, label in (
        ("nodes", "nodes"),
        ("edges", "edges"),
        ("components", "weakly connected components"),
        ("largest_component", "largest component (nodes)"),
    ):
        shape.add_row(label, f"{network[key]:,}")
    console.print(shape)
    for key, title in (("hardware", "Hardware"), ("countries", "Countries")):
        console.print(_ranking(f"{title} by degree centrality", network["centrality"][key], "value", "centrality"))
