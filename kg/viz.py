"""A self-contained interactive HTML view of the graph (vis-network via pyvis).

The page is one file that works offline: the vis-network script and style are
read from the installed pyvis package and inlined, the graph travels as JSON
data, and every piece of text from the documents reaches the DOM through
``textContent`` only, so a model named like an HTML tag stays text.

Above ``node_budget`` nodes the overview folds papers and runs (and models,
when they do not fit) into run counts on the catalogue nodes. It reads those
counts from the running totals a build keeps (:mod:`kg.totals`), so it stays
quick on a million papers; only when they cannot be trusted does it count
over the facts with SPARQL aggregates.
"""

from __future__ import annotations

import difflib
import html
import json
import math
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QueryTriples

from .errors import KgError
from .files import write_atomic
from .pages import json_for_script, script_hash
from . import totals
from .restatements import AS_RUN
from .network import (
    NODE_CLASSES,
    class_of,
    describe,
    edges_among,
    links,
    local_name,
    literal_value,
    to_networkx,
)
from .mentions import mention_source
from .store import KnowledgeGraph
from .vocab import MLKG, MLKG_NS, RDF, RDFS, mlkg_term

DATA_DIR = Path(__file__).parent / "data"
STYLE_FILE = DATA_DIR / "viz_style.json"
VIS_VERSION = "vis-9.1.2"
#: Up to this many nodes the layout is computed in Python and physics stays off.
SPRING_LIMIT = 250
#: Browser-side physics iterations for larger views (then physics is switched off).
STABILIZATION_ITERATIONS = 120
LABEL_CHARS = 32
AGGREGATE_CLASSES = ("Hardware", "Country", "Year", "Organization")


class VizError(KgError, ValueError):
    """The view cannot be drawn as asked (unknown focus, unusable query...)."""


@dataclass
class VizSummary:
    nodes: int
    edges: int
    folded: dict[str, int] = field(default_factory=dict)


@dataclass
class ViewNode:
    id: str
    label: str
    cls: str
    facts: dict = field(default_factory=dict)
    runs: int | None = None
    sources: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ViewEdge:
    source: str
    target: str
    prop: str
    weight: int | None = None


@dataclass
class View:
    """What to draw: nodes, edges, and what was folded or left out."""

    nodes: dict[str, ViewNode] = field(default_factory=dict)
    edges: list[ViewEdge] = field(default_factory=list)
    folded: dict[str, int] = field(default_factory=dict)
    note: str = ""
    aggregated: bool = False


# -- resources ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_style() -> dict:
    return json.loads(STYLE_FILE.read_text(encoding="utf-8"))


def style_of(cls: str) -> dict:
    style = load_style()
    return style["classes"].get(cls, style["other"])


def vis_assets() -> tuple[str, str]:
    """vis-network's script and style sheet, read from the installed pyvis."""
    import pyvis

    folder = Path(pyvis.__file__).parent / "lib" / VIS_VERSION
    try:
        script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as err:
        raise VizError(f"cannot read vis-network from the pyvis package ({folder}): {err}") from err
    return script.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


# -- building a view ---------------------------------------------------------------


def _plural(cls: str, n: int) -> str:
    return style_of(cls)["plural" if n != 1 else "singular"]


def _count_phrase(counts: dict[str, int]) -> str:
    parts = [f"{n:,} {_plural(cls, n)}" for cls, n in counts.items() if n]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _node(iri: str, attributes: dict) -> ViewNode:
    facts = {k: v for k, v in attributes.items() if k not in ("label", "cls")}
    return ViewNode(iri, str(attributes.get("label", local_name(iri))), attributes.get("cls", "Other"), facts)


def _exists_up_to(kg: KnowledgeGraph, cls: str, limit: int) -> int:
    """How many resources of *cls* exist, counting no further than *limit* + 1."""
    query = f"SELECT DISTINCT ?s WHERE {{ ?s a <{MLKG_NS}{cls}> }} LIMIT {max(limit, 0) + 1}"
    return sum(1 for _ in kg.query(query))


def _count(kg: KnowledgeGraph, cls: str) -> int:
    row = next(iter(kg.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{MLKG_NS}{cls}> }}")))
    return int(row["n"].value)


def full_view(kg: KnowledgeGraph) -> View:
    graph = to_networkx(kg)
    view = View()
    for iri, attributes in graph.nodes(data=True):
        view.nodes[iri] = _node(iri, attributes)
    view.edges = [ViewEdge(s, o, data["property"]) for s, o, data in graph.edges(data=True)]
    return view


def overview(kg: KnowledgeGraph, node_budget: int) -> View:
    """The whole graph if it fits the budget, otherwise its aggregated form."""
    total = 0
    for cls in NODE_CLASSES:
        total += _exists_up_to(kg, cls, node_budget - total)
        if total > node_budget:
            return aggregated_view(kg, node_budget)
    return full_view(kg)


_NODES_OF = "SELECT ?node WHERE { ?node a mlkg:%s } GROUP BY ?node"
# Each training run counts once, however many papers report it (AS_RUN); a
# run restated by several papers has every node any of its reports names.
_RUNS_PER = "SELECT ?node (COUNT(DISTINCT ?r) AS ?n) WHERE { ?run mlkg:%s ?node . AS_RUN } GROUP BY ?node"
_ORG_RUNS = """SELECT ?node (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?run mlkg:hardware ?hw . ?hw mlkg:manufacturer ?node . AS_RUN } GROUP BY ?node"""
_PAIRS = """SELECT ?a ?b (COUNT(DISTINCT ?r) AS ?n) WHERE {
  { SELECT DISTINCT ?r ?a WHERE { ?run mlkg:%s ?a . AS_RUN } }
  { SELECT DISTINCT ?r ?b WHERE { ?run mlkg:%s ?b . AS_RUN } }
} GROUP BY ?a ?b"""
_RUNS_PER, _ORG_RUNS, _PAIRS = (q.replace("AS_RUN", AS_RUN) for q in (_RUNS_PER, _ORG_RUNS, _PAIRS))
_LINKS = "SELECT DISTINCT ?a ?b WHERE { ?a mlkg:%s ?b }"
_RUN_PROPERTY = {"Hardware": "hardware", "Country": "country", "Year": "year", "Model": "trainedModel"}
#: Pairs of classes joined by weighted edges (training runs sharing both).
_PAIRED = tuple(totals.RUNS_BY_PAIR)


class _FactCounts:
    """Runs per node and per pair of nodes, counted over the facts."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg

    def runs(self, cls: str) -> dict[str, int]:
        query = _ORG_RUNS if cls == "Organization" else _RUNS_PER % _RUN_PROPERTY[cls]
        return {row["node"].value: int(row["n"].value) for row in self.kg.query(query)}

    def pairs(self, left: str, right: str) -> dict[tuple[str, str], int]:
        query = _PAIRS % (_RUN_PROPERTY[left], _RUN_PROPERTY[right])
        return {(row["a"].value, row["b"].value): int(row["n"].value) for row in self.kg.query(query)}

    def count(self, cls: str) -> int:
        return _count(self.kg, cls)


class _TotalCounts(_FactCounts):
    """The same counts, read from the running totals."""

    def runs(self, cls: str) -> dict[str, int]:
        return totals.runs_per_node(self.kg, cls)

    def pairs(self, left: str, right: str) -> dict[tuple[str, str], int]:
        return totals.runs_per_pair(self.kg, left, right)

    def count(self, cls: str) -> int:
        if cls == "Paper":
            return totals.run_totals(self.kg)["paperCount"]
        if cls == "TrainingRun":  # the nodes: every paper's report of a run
            return totals.run_totals(self.kg)["reportCount"]
        return super().count(cls)


def quotas(sizes: dict[str, int], budget: int) -> dict[str, int]:
    """Share *budget* among classes fairly: small classes keep all, the rest split what is left."""
    given = {cls: 0 for cls in sizes}
    remaining = budget
    open_classes = [cls for cls in sizes if sizes[cls] > 0]
    while open_classes and remaining > 0:
        share = max(1, remaining // len(open_classes))
        for cls in list(open_classes):
            extra = min(share, sizes[cls] - given[cls], remaining)
            given[cls] += extra
            remaining -= extra
            if given[cls] >= sizes[cls]:
                open_classes.remove(cls)
            if remaining == 0:
                break
    return given


def aggregated_view(kg: KnowledgeGraph, node_budget: int) -> View:
    """Catalogue nodes sized by training runs, linked by how many runs share them."""
    view = View(aggregated=True)
    counts = _TotalCounts(kg) if totals.trusted(kg) else _FactCounts(kg)
    candidates: dict[str, dict[str, int]] = {}
    for cls in AGGREGATE_CLASSES:
        runs = counts.runs(cls)
        for row in kg.query(_NODES_OF % cls):
            runs.setdefault(row["node"].value, 0)
        candidates[cls] = runs
    share = quotas({cls: len(nodes) for cls, nodes in candidates.items()}, node_budget)
    models = _exists_up_to(kg, "Model", node_budget - sum(share.values()))
    if models and sum(share.values()) + models <= node_budget:
        candidates["Model"] = counts.runs("Model")
        share["Model"] = len(candidates["Model"])
    folded = {"Paper": counts.count("Paper"), "TrainingRun": counts.count("TrainingRun")}
    if "Model" not in candidates:
        folded["Model"] = counts.count("Model")
    left_out: dict[str, int] = {}
    for cls, runs in candidates.items():
        ranked = sorted(runs, key=lambda iri: (-runs[iri], iri))
        for iri in ranked[: share[cls]]:
            node = _node(iri, describe(kg, iri))
            node.runs = runs[iri]
            node.facts = {"training runs": runs[iri], **node.facts}
            view.nodes[iri] = node
        if len(ranked) > share[cls]:
            left_out[cls] = len(ranked) - share[cls]

    pairs: list[ViewEdge] = []
    for left, right in _PAIRED:
        if left in candidates and right in candidates:
            for (a, b), n in counts.pairs(left, right).items():
                if a in view.nodes and b in view.nodes:
                    pairs.append(ViewEdge(a, b, f"{left}–{right}", n))
    pairs.sort(key=lambda e: (-(e.weight or 0), e.source, e.target))
    view.edges = pairs[: 4 * node_budget]
    for prop in ("manufacturer", "variantOf"):
        for row in kg.query(_LINKS % prop):
            a, b = row["a"].value, row["b"].value
            if a in view.nodes and b in view.nodes:
                view.edges.append(ViewEdge(a, b, prop))

    view.folded = {cls: n for cls, n in {**folded, **left_out}.items() if n}
    note = f"More nodes than the budget of {node_budget:,}: "
    note += f"{_count_phrase({c: n for c, n in folded.items() if n})} folded into training-run counts"
    if left_out:
        note += f"; {_count_phrase(left_out)} with the fewest runs left out"
    view.note = note + "."
    return view


def _resolve_focus(kg: KnowledgeGraph, focus: str) -> list[str]:
    """The nodes a --focus names: an IRI, or every non-mention node with that label."""
    text = focus.strip()
    if re.match(r"^<?[A-Za-z][A-Za-z0-9+.-]*:\S+>?$", text) and ("://" in text or text.startswith("urn:")):
        iri = text.strip("<>")
        if class_of(kg, iri) is None and next(kg.store.quads_for_pattern(NamedNode(iri), None, None, None), None) is None:
            raise VizError(f"no node with IRI {iri} in the graph")
        return [iri]
    query = (
        "SELECT DISTINCT ?s ?c WHERE { ?s rdfs:label ?l . FILTER(LCASE(STR(?l)) = LCASE(%s)) "
        "OPTIONAL { ?s a ?c } }" % Literal(text)
    )
    matches = {}
    for row in kg.query(query):
        cls = row["c"].value if row["c"] is not None else ""
        if isinstance(row["s"], NamedNode) and cls != MLKG.Mention.value:
            matches[row["s"].value] = cls
    if matches:
        return sorted(matches)
    raise VizError(_unknown_focus_message(kg, text))


def _unknown_focus_message(kg: KnowledgeGraph, text: str) -> str:
    classes = " ".join(f"mlkg:{cls}" for cls in ("Model", "Hardware", "Organization", "Country", "Year"))
    query = (
        "SELECT DISTINCT ?l WHERE { VALUES ?c { %s } ?s a ?c ; rdfs:label ?l } LIMIT 50000" % classes
    )
    labels = sorted({row["l"].value for row in kg.query(query)})
    lowered = {label.lower(): label for label in labels}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=5, cutoff=0.5)
    close += [key for key in lowered if text.lower() in key and key not in close]
    message = f"no node labelled {text!r} (labels match exactly, ignoring case)"
    if close:
        message += "; did you mean " + ", ".join(repr(lowered[key]) for key in close[:5]) + "?"
    return message + " You can also give the node's IRI."


def focus_view(kg: KnowledgeGraph, focus: str, depth: int, node_budget: int) -> View:
    """The nodes within *depth* hops of the focus (mentions aside), up to the budget."""
    roots = _resolve_focus(kg, focus)
    view = View()
    order: list[str] = []
    classes: dict[str, str] = {}
    for iri in roots:
        classes[iri] = class_of(kg, iri) or "Other"
        order.append(iri)
    frontier = list(order)
    left_out: dict[str, int] = {}
    for _ in range(max(depth, 0)):
        found: list[str] = []
        for iri in frontier:
            for subject, _prop, obj in links(kg, iri):
                other = obj if subject == iri else subject
                if other in classes:
                    continue
                cls = class_of(kg, other)
                if cls not in NODE_CLASSES:
                    continue
                classes[other] = cls
                if len(order) < node_budget:
                    order.append(other)
                    found.append(other)
                else:
                    left_out[cls] = left_out.get(cls, 0) + 1
        frontier = found
        if not frontier:
            break
    for iri in order:
        view.nodes[iri] = _node(iri, describe(kg, iri))
    view.edges = [ViewEdge(s, o, p) for s, p, o in edges_among(kg, order)]
    if left_out:
        view.folded = left_out
        view.note = f"{_count_phrase(left_out)} beyond the budget of {node_budget:,} nodes are not drawn."
    return view


def _term_id(term) -> str | None:
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return None


def query_view(kg: KnowledgeGraph, sparql: str, node_budget: int) -> View:
    """CONSTRUCT: its triples; SELECT: the IRIs in its rows, joined by the graph's edges."""
    from .query import QueryError, run_query

    try:
        result = run_query(kg, sparql)
    except (QueryError, OSError) as err:
        raise VizError(str(err)) from err
    if isinstance(result, QueryBoolean):
        raise VizError("an ASK query has nothing to draw; use SELECT or CONSTRUCT")
    order: dict[str, None] = {}
    overlay: dict[str, dict] = {}
    triples: list[tuple[str, str, str]] = []
    if isinstance(result, QueryTriples):
        for triple in result:
            subject, obj = _term_id(triple.subject), _term_id(triple.object)
            if subject is None:
                continue
            order.setdefault(subject)
            attributes = overlay.setdefault(subject, {})
            if triple.predicate == RDF.type:
                name = mlkg_term(triple.object.value)
                if name is not None:
                    attributes["cls"] = name
            elif triple.predicate == RDFS.label and isinstance(triple.object, Literal):
                attributes["label"] = min(attributes.get("label", triple.object.value), triple.object.value)
            elif isinstance(triple.object, Literal):
                attributes[local_name(triple.predicate.value)] = literal_value(triple.object)
            elif obj is not None:
                order.setdefault(obj)
                triples.append((subject, local_name(triple.predicate.value), obj))
    else:
        for solution in result:
            for term in solution:
                term_id = _term_id(term)
                if term_id is not None:
                    order.setdefault(term_id)
    if not order:
        raise VizError(
            "the query's result holds no IRIs to draw; select the resources themselves "
            "(e.g. ?model, not only its label), or use CONSTRUCT"
        )
    drawn = list(order)[:node_budget]
    view = View()
    left_out: dict[str, int] = {}
    for term_id in order:
        known = describe(kg, term_id) if not term_id.startswith("_:") else {"label": term_id, "cls": "Other"}
        known.update(overlay.get(term_id, {}))
        if len(view.nodes) < node_budget:
            view.nodes[term_id] = _node(term_id, known)
        else:
            left_out[known["cls"]] = left_out.get(known["cls"], 0) + 1
    if isinstance(result, QueryTriples):
        seen = set()
        for subject, prop, obj in triples:
            if subject in view.nodes and obj in view.nodes and (subject, prop, obj) not in seen:
                seen.add((subject, prop, obj))
                view.edges.append(ViewEdge(subject, obj, prop))
    else:
        view.edges = [ViewEdge(s, o, p) for s, p, o in edges_among(kg, [d for d in drawn if not d.startswith("_:")])]
    if left_out:
        view.folded = left_out
        view.note = f"{_count_phrase(left_out)} beyond the budget of {node_budget:,} nodes are not drawn."
    return view


def add_sources(kg: KnowledgeGraph, view: View, limit: int) -> None:
    """Attach to runs and models the sentence each of their facts came from."""
    for node in view.nodes.values():
        if node.cls not in ("TrainingRun", "Model"):
            continue
        seen: set[tuple[str, str]] = set()
        for quad in kg.store.quads_for_pattern(None, MLKG.factSubject, NamedNode(node.id), None):
            mention = quad.subject
            prop = next(kg.store.quads_for_pattern(mention, MLKG.factProperty, None, None), None)
            source = mention_source(kg.store, mention)
            if prop is None or source is None:
                continue
            entry = (local_name(prop.object.value), source.sentence)
            if entry not in seen:
                seen.add(entry)
                node.sources.append(entry)
            if len(node.sources) >= limit:
                break
        node.sources.sort()


# -- layout ------------------------------------------------------------------------


def spring_layout(nodes: list[str], edges: list[tuple[str, str]], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold in plain Python with a fixed seed (small graphs only)."""
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    rng = random.Random(seed)
    index = {node: i for i, node in enumerate(nodes)}
    xs = [rng.uniform(-1, 1) for _ in range(n)]
    ys = [rng.uniform(-1, 1) for _ in range(n)]
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b]
    k = math.sqrt(4.0 / n)
    k2 = k * k
    iterations = max(30, min(150, int(1_200_000 / (n * n / 2 + len(pairs) + 1))))
    temperature = 0.2
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        for i in range(n):
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, n):
                ddx, ddy = xi - xs[j], yi - ys[j]
                d2 = ddx * ddx + ddy * ddy or 1e-9
                force = k2 / d2
                dx[i] += ddx * force
                dy[i] += ddy * force
                dx[j] -= ddx * force
                dy[j] -= ddy * force
        for a, b in pairs:
            ddx, ddy = xs[a] - xs[b], ys[a] - ys[b]
            d = math.sqrt(ddx * ddx + ddy * ddy) or 1e-9
            pull = d / k
            dx[a] -= ddx * pull
            dy[a] -= ddy * pull
            dx[b] += ddx * pull
            dy[b] += ddy * pull
        for i in range(n):
            dx[i] -= xs[i] * k * 0.7
            dy[i] -= ys[i] * k * 0.7
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) or 1e-9
            step = min(length, temperature)
            xs[i] += dx[i] / length * step
            ys[i] += dy[i] / length * step
        temperature -= cooling
    return {node: (xs[i], ys[i]) for node, i in index.items()}


def spiral_layout(nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Golden-angle spiral in the given order: hubs first, near the centre."""
    golden = math.pi * (3 - math.sqrt(5))
    scale = 1.0 / math.sqrt(max(len(nodes), 1))
    return {
        node: (scale * math.sqrt(i + 0.5) * math.cos(i * golden), scale * math.sqrt(i + 0.5) * math.sin(i * golden))
        for i, node in enumerate(nodes)
    }


# -- rendering ---------------------------------------------------------------------


def _format(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sizes(view: View, degree: dict[str, int]) -> dict[str, float]:
    bounds = load_style()["size"]
    low, high = bounds["min"], bounds["max"]
    if view.aggregated:
        top = max((node.runs or 0 for node in view.nodes.values()), default=0)
        return {
            iri: low + (high - low) * (math.log1p(node.runs or 0) / math.log1p(top) if top else 0)
            for iri, node in view.nodes.items()
        }
    top = max(degree.values(), default=0)
    sizes = {}
    for iri, node in view.nodes.items():
        params = node.facts.get("parameterCount")
        if node.cls == "Model" and isinstance(params, (int, float)) and params > 0:
            share = (math.log10(params) - 5) / 8  # 100k .. 10T parameters
        else:
            share = math.sqrt(degree.get(iri, 0) / top) if top else 0
        sizes[iri] = (low + (high - low) * min(max(share, 0.0), 1.0)) * style_of(node.cls).get("scale", 1.0)
    return sizes


def build_network(view: View):
    """The pyvis Network of a view: positions, styles, sizes and vis options."""
    from pyvis.network import Network

    edge_pairs = [(e.source, e.target) for e in view.edges]
    degree: dict[str, int] = {}
    for a, b in edge_pairs:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    style = load_style()
    rank = {cls: i for i, cls in enumerate(style["order"])}
    ordered = sorted(view.nodes, key=lambda iri: (-(view.nodes[iri].runs or degree.get(iri, 0)), iri))
    small = len(view.nodes) <= SPRING_LIMIT
    positions = spring_layout(sorted(view.nodes), edge_pairs) if small else spiral_layout(ordered)
    extent = max((max(abs(x), abs(y)) for x, y in positions.values()), default=0.0) or 1.0
    spread = 100.0 * math.sqrt(max(len(view.nodes), 1)) / extent
    sizes = _sizes(view, degree)

    net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    for iri in sorted(view.nodes, key=lambda i: (rank.get(view.nodes[i].cls, len(rank)), i)):
        node = view.nodes[iri]
        look = style_of(node.cls)
        x, y = positions[iri]
        net.add_node(
            iri,
            label=_clip(node.label, LABEL_CHARS) or iri,
            shape=look["shape"],
            color=look["color"],
            size=round(sizes[iri], 1),
            x=round(x * spread, 1),
            y=round(y * spread, 1),
            font={"size": look.get("font", style["font"])},
            cls=node.cls if node.cls in style["classes"] else "Other",
            fullLabel=node.label,
        )
    heaviest = max((edge.weight or 0 for edge in view.edges), default=0)
    for edge in view.edges:
        options = {"prop": edge.prop}
        if edge.weight is not None:
            width = 1 + 5 * math.log1p(edge.weight) / math.log1p(heaviest)
            options.update(weight=edge.weight, width=round(width, 2), arrows={"to": {"enabled": False}})
        net.add_edge(edge.source, edge.target, **options)
    net.options = {
        "autoResize": True,
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {
            "color": {"color": style["edge"]["color"], "highlight": style["edge"]["highlight"], "opacity": 0.8},
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": not small, "navigationButtons": False},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 110, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": STABILIZATION_ITERATIONS, "updateInterval": 40, "fit": True},
        },
    }
    return net


def _details(view: View) -> dict:
    limits = load_style()["tooltip"]
    details = {}
    for iri, node in view.nodes.items():
        facts = [[name, _clip(_format(value), limits["max_chars"])] for name, value in node.facts.items()]
        details[iri] = {
            "iri": iri,
            "facts": facts[: limits["max_facts"]],
            "sources": [[prop, _clip(text, limits["max_chars"])] for prop, text in node.sources[: limits["max_sources"]]],
        }
    return details


def _legend(view: View) -> list[dict]:
    style = load_style()
    counts: dict[str, int] = {}
    for node in view.nodes.values():
        cls = node.cls if node.cls in style["classes"] else "Other"
        counts[cls] = counts.get(cls, 0) + 1
    return [
        {"cls": cls, "count": counts[cls], "color": style_of(cls)["color"], "glyph": style_of(cls)["glyph"]}
        for cls in style["order"]
        if cls in counts
    ]


def render_page(view: View, title: str) -> str:
    """The complete HTML page: our template, vis-network inlined, data as JSON."""
    net = build_network(view)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "details": _details(view),
        "legend": _legend(view),
        "physics": bool(json.loads(options)["physics"]["enabled"]),
    }
    vis_js, vis_css = vis_assets()
    summary = f"{len(nodes):,} nodes · {len(edges):,} edges"
    parts = {
        "TITLE": html.escape(title),
        "SUMMARY": html.escape(summary),
        "NOTE": html.escape(view.note),
        "NOTE_HIDDEN": "" if view.note else " hidden",
        "CSP": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {script_hash(vis_js)} {script_hash(APP_JS)}; base-uri 'none'; form-action 'none'",
        "VIS_CSS": vis_css,
        "DATA": json_for_script(data),
        "VIS_JS": vis_js,
        "APP_JS": APP_JS,
    }
    return re.sub(r"@@([A-Z_]+)@@", lambda m: parts[m.group(1)], PAGE)


def write_html(
    kg: KnowledgeGraph,
    path: str | Path,
    *,
    focus: str | None = None,
    depth: int = 1,
    query: str | None = None,
    node_budget: int = 2000,
    title: str = "mlkg knowledge graph",
) -> VizSummary:
    """Write the interactive view to *path*; returns what was drawn and folded."""
    if focus and query:
        raise VizError("give a focus or a query, not both")
    if node_budget < 1:
        raise VizError("the node budget must be at least 1")
    if query:
        view = query_view(kg, query, node_budget)
    elif focus:
        view = focus_view(kg, focus, depth, node_budget)
    else:
        view = overview(kg, node_budget)
    if not view.aggregated:
        add_sources(kg, view, load_style()["tooltip"]["max_sources"])
    write_atomic(Path(path), render_page(view, title))
    return VizSummary(nodes=len(view.nodes), edges=len(view.edges), folded=dict(view.folded))


# -- the page ----------------------------------------------------------------------

APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mlkg-data").textContent);
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function card(node) {
    var info = data.details[node.id] || {facts: [], sources: [], iri: node.id};
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-title", node.fullLabel));
    box.appendChild(el("div", "tip-class", node.cls));
    if (info.facts.length) {
      var facts = el("dl");
      info.facts.forEach(function (fact) {
        facts.appendChild(el("dt", null, fact[0]));
        facts.appendChild(el("dd", null, fact[1]));
      });
      box.appendChild(facts);
    }
    if (info.sources.length) {
      box.appendChild(el("div", "tip-head", "from the text"));
      var list = el("ul");
      info.sources.forEach(function (source) {
        var item = el("li");
        item.appendChild(el("b", null, source[0] + ": "));
        item.appendChild(document.createTextNode(source[1]));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    box.appendChild(el("div", "tip-iri", info.iri));
    return box;
  }
  function edgeCard(edge) {
    var text = edge.prop + (edge.weight !== undefined ? ": " + edge.weight + " training run" + (edge.weight === 1 ? "" : "s") : "");
    return el("div", "tip", text);
  }
  var nodes = new vis.DataSet(data.nodes.map(function (n) { return Object.assign({}, n, {title: card(n)}); }));
  var edges = new vis.DataSet(data.edges.map(function (e) { return Object.assign({}, e, {title: edgeCard(e)}); }));
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.mlkgNetwork = network;
  window.mlkgNodes = nodes;
  window.mlkgReady = !data.physics;
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      window.mlkgReady = true;
    });
  }

  var details = document.getElementById("details");
  function showDetails(id) {
    details.replaceChildren();
    var node = nodes.get(id);
    if (node) { details.appendChild(card(node)); }
  }
  function show(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: 1.3, animation: false});
    showDetails(id);
  }
  network.on("selectNode", function (params) { showDetails(params.nodes[0]); });

  var search = document.getElementById("search");
  var matches = document.getElementById("matches");
  function find(text) {
    var query = String(text).trim().toLowerCase();
    if (!query) { return []; }
    var exact = [], partial = [];
    nodes.forEach(function (node) {
      if (node.hidden) { return; }
      var label = String(node.fullLabel).toLowerCase();
      if (label === query) { exact.push(node.id); }
      else if (label.indexOf(query) !== -1) { partial.push(node.id); }
    });
    return exact.concat(partial);
  }
  function listMatches() {
    matches.replaceChildren();
    var found = find(search.value);
    found.slice(0, 12).forEach(function (id) {
      var button = el("button", "match", nodes.get(id).fullLabel);
      button.type = "button";
      button.addEventListener("click", function () { show(id); });
      matches.appendChild(button);
    });
    if (search.value.trim() && !found.length) { matches.appendChild(el("span", "none", "no match")); }
    return found;
  }
  search.addEventListener("input", listMatches);
  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var found = listMatches();
    if (found.length) { show(found[0]); }
  });
  window.mlkgFind = function (text) {
    search.value = text;
    var found = listMatches();
    if (found.length) { show(found[0]); }
    return found;
  };
  var options = document.getElementById("labels");
  nodes.forEach(function (node) {
    var option = document.createElement("option");
    option.value = node.fullLabel;
    options.appendChild(option);
  });

  var legend = document.getElementById("legend");
  data.legend.forEach(function (entry) {
    var label = el("label", "class-toggle");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.cls = entry.cls;
    box.addEventListener("change", function () {
      var hide = !box.checked;
      nodes.update(nodes.get({filter: function (n) { return n.cls === entry.cls; }})
        .map(function (n) { return {id: n.id, hidden: hide}; }));
    });
    var glyph = el("span", "glyph", entry.glyph);
    glyph.style.color = entry.color;
    label.appendChild(box);
    label.appendChild(glyph);
    label.appendChild(el("span", null, entry.cls + " (" + entry.count + ")"));
    legend.appendChild(label);
  });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>
html, body { height: 100%; margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #222; }
body { display: grid; grid-template-columns: 300px 1fr; grid-template-rows: auto 1fr; }
header { grid-column: 1 / 3; padding: 8px 14px; border-bottom: 1px solid #ddd; background: #fafafa; }
header h1 { display: inline; font-size: 18px; margin: 0 12px 0 0; }
#summary { color: #555; }
#note { margin: 4px 0 0; padding: 4px 8px; background: #fff4d6; border: 1px solid #f0d58c; border-radius: 4px; }
aside { padding: 10px 14px; overflow: auto; border-right: 1px solid #ddd; }
#graph { min-height: 300px; }
#search-form { display: flex; gap: 6px; }
#search { flex: 1; min-width: 0; padding: 4px; }
#matches { margin: 6px 0; display: flex; flex-direction: column; gap: 2px; }
.match { text-align: left; background: none; border: none; color: #1f5fbf; cursor: pointer; padding: 1px 0; }
.none { color: #888; }
fieldset { border: 1px solid #ddd; border-radius: 4px; margin: 10px 0; }
.class-toggle { display: block; cursor: pointer; }
.glyph { display: inline-block; width: 1.4em; text-align: center; font-size: 16px; }
.tip { max-width: 420px; white-space: normal; font-size: 13px; }
.tip-title { font-weight: 600; font-size: 14px; }
.tip-class { color: #666; margin-bottom: 4px; }
.tip dl { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; margin: 4px 0; }
.tip dt { color: #555; }
.tip dd { margin: 0; overflow-wrap: anywhere; }
.tip ul { margin: 2px 0; padding-left: 16px; }
.tip-head { color: #555; margin-top: 4px; }
.tip-iri { color: #777; font-size: 11px; overflow-wrap: anywhere; margin-top: 4px; }
div.vis-tooltip { white-space: normal; }
</style>
</head>
<body>
<header>
<h1>@@TITLE@@</h1><span id="summary">@@SUMMARY@@</span>
<p id="note"@@NOTE_HIDDEN@@>@@NOTE@@</p>
</header>
<aside>
<form id="search-form" role="search">
<input id="search" type="search" list="labels" placeholder="Find a node by label" aria-label="Find a node by label" autocomplete="off">
<button id="find" type="submit">Find</button>
</form>
<datalist id="labels"></datalist>
<div id="matches"></div>
<fieldset id="legend"><legend>Classes (click to hide or show)</legend></fieldset>
<div id="details"></div>
</aside>
<div id="graph"></div>
<script type="application/json" id="mlkg-data">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""
