"""Summary statistics of a built graph: counts from the running totals, structure by networkx.

Counts come from the running totals a build keeps (:mod:`kg.totals`), so
they take milliseconds on a million-paper store; when those cannot be
trusted they are counted over the facts with SPARQL aggregates instead
(minutes at that size). The component and centrality figures need the
whole graph in memory and are skipped (with a note) above ``max_nodes``.
"""

from __future__ import annotations

import networkx as nx
from pyoxigraph import NamedNode
from rich.console import Console
from rich.table import Table

from . import totals
from .restatements import AS_RUN
from .network import NODE_CLASSES, to_networkx
from .store import KnowledgeGraph
from .vocab import CLASSES, MLKG, mlkg_term

MAX_NODES = 200_000


CLASS_COUNTS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"

# Each training run counts once, however many papers report it (AS_RUN).
RUNS_PER_YEAR = """
SELECT ?year (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?run a mlkg:TrainingRun ; mlkg:year ?y . ?y mlkg:yearValue ?year . AS_RUN
} GROUP BY ?year ORDER BY ?year""".replace("AS_RUN", AS_RUN)

#: a run restated by several papers has a year when any of its reports states one
RUNS_WITHOUT_YEAR = """
SELECT ?n WHERE {
  { SELECT (COUNT(DISTINCT ?r) AS ?all) WHERE { ?run a mlkg:TrainingRun . AS_RUN } }
  { SELECT (COUNT(DISTINCT ?r) AS ?dated) WHERE { ?run a mlkg:TrainingRun ; mlkg:year ?y . AS_RUN } }
  BIND(?all - ?dated AS ?n)
}""".replace("AS_RUN", AS_RUN)

#: Runs per node reached through *property* (hardware, country); ties by label.
TOP_BY_RUNS = """
SELECT ?node (MIN(STR(?l)) AS ?label) (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?run a mlkg:TrainingRun ; mlkg:{prop} ?node . AS_RUN
  OPTIONAL { ?node rdfs:label ?l }
} GROUP BY ?node ORDER BY DESC(?n) ?label LIMIT {top}""".replace("AS_RUN", AS_RUN)


#: One class, for the classes the totals do not count (a few thousand nodes at most).
CLASS_COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a mlkg:{cls} }}"
#: the totals' name for the run property of `kg stats`' rankings
RANKED = {"hardware": "Hardware", "country": "Country"}


def _int(term) -> int:
    return int(term.value) if term is not None else 0


def class_counts(kg: KnowledgeGraph) -> dict[str, int]:
    """Distinct resources per mlkg class (every class listed, zero when absent)."""
    counts = {name: 0 for name in CLASSES}
    for row in kg.query(CLASS_COUNTS):
        name = mlkg_term(row["class"].value)
        if name in counts:
            counts[name] = _int(row["n"])
    return counts


def top_by_runs(kg: KnowledgeGraph, prop: str, top: int) -> list[dict]:
    """The *top* nodes by number of training runs linked through mlkg:*prop*."""
    query = TOP_BY_RUNS.replace("{prop}", prop).replace("{top}", str(int(top)))
    return [
        {"iri": row["node"].value, "label": row["label"].value if row["label"] else row["node"].value, "runs": _int(row["n"])}
        for row in kg.query(query)
    ]


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


def counted_over_facts(kg: KnowledgeGraph, top: int) -> dict:
    """The counts of `kg stats`, asked of the facts themselves."""
    return {
        "classes": class_counts(kg),
        "runs_per_year": {str(_int(row["year"])): _int(row["n"]) for row in kg.query(RUNS_PER_YEAR)},
        "runs_without_year": _int(next(iter(kg.query(RUNS_WITHOUT_YEAR)))["n"]),
        "top_hardware": top_by_runs(kg, "hardware", top),
        "top_countries": top_by_runs(kg, "country", top),
    }


def read_from_totals(kg: KnowledgeGraph, top: int) -> dict:
    """The same counts, read from the running totals."""
    whole = totals.run_totals(kg)
    counts = {name: 0 for name in CLASSES}
    for name in CLASSES:
        if name == "Paper":
            counts[name] = whole["paperCount"]
        elif name == "TrainingRun":  # the nodes: every paper's report of a run
            counts[name] = whole["reportCount"]
        elif name == "Mention":
            counts[name] = whole["mentionCount"]
        else:
            counts[name] = _int(next(iter(kg.query(CLASS_COUNT.format(cls=name))))["n"])
    per_year = {}
    for node, n in totals.runs_per_node(kg, "Year").items():
        value = next(kg.store.quads_for_pattern(NamedNode(node), MLKG.yearValue, None, None))
        per_year[str(int(value.object.value))] = n
    ranked = {}
    for prop, key in (("hardware", "top_hardware"), ("country", "top_countries")):
        runs = totals.runs_per_node(kg, RANKED[prop])
        labels = totals.stored_labels(kg, runs)
        order = sorted(runs, key=lambda iri: (-runs[iri], labels.get(iri, iri)))
        ranked[key] = [{"iri": iri, "label": labels.get(iri, iri), "runs": runs[iri]} for iri in order[:top]]
    return {
        "classes": counts,
        "runs_per_year": dict(sorted(per_year.items(), key=lambda item: int(item[0]))),
        "runs_without_year": whole["runCount"] - whole["runsWithYear"],
        **ranked,
    }


def compute_stats(kg: KnowledgeGraph, *, top: int = 10, max_nodes: int = MAX_NODES) -> dict:
    """Everything `kg stats` shows, as a JSON-able dict."""
    result = read_from_totals(kg, top) if totals.trusted(kg) else counted_over_facts(kg, top)
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
        ("nodes", "nodes"), ("edges", "edges"), ("components", "weakly connected components"),
        ("largest_component", "largest component (nodes)"),
    ):
        shape.add_row(label, f"{network[key]:,}")
    console.print(shape)
    for key, title in (("hardware", "Hardware"), ("countries", "Countries")):
        console.print(_ranking(f"{title} by degree centrality", network["centrality"][key], "value", "centrality"))
