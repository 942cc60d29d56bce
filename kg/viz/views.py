"""What the graph page shows: which nodes and edges, and the cards of facts behind them.

A view is read from the store and is plain data (:class:`View`); the layout
(:mod:`kg.viz.layout`) places it and the page (:mod:`kg.viz.page`) writes it.

Above ``node_budget`` nodes the overview folds papers and runs (and models,
when they do not fit) into run counts on the catalogue nodes, read through
:func:`kg.run_counts.run_counts`: the running totals a build keeps when they
can be trusted, so it stays quick on a million papers, else SPARQL
aggregates over the facts.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QueryTriples

from .. import totals
from ..errors import KgError
from ..network import (
    NODE_CLASSES,
    class_of,
    describe,
    edges_among,
    links,
    local_name,
    literal_value,
    to_networkx,
)
from ..run_counts import run_counts
from ..sparql import fill
from ..store import KnowledgeGraph
from ..tags import clip_sentence
from ..vocab import MLKG, RDF, RDFS, mlkg_term

STYLE_FILE = Path(__file__).parents[1] / "data" / "viz_style.json"
AGGREGATE_CLASSES = ("Hardware", "Country", "Year", "Organization")
#: characters of a sentence a card quotes whole; a longer one is clipped around each fact's words
LONG_SENTENCE = 1200
_SPACES = re.compile(r"\s+")
#: what a run's card names, in this order: (role on the card, the run's property)
RUN_ROLES = (
    ("model", MLKG.trainedModel),
    ("hardware", MLKG.hardwareUsage),
    ("country", MLKG.country),
    ("year", MLKG.year),
    ("trained by", MLKG.organization),
    ("data set", MLKG.trainingDataset),
)


class VizError(KgError, ValueError):
    """The view cannot be drawn as asked (unknown focus, unusable query...)."""


@dataclass(frozen=True)
class Words:
    """One fact in its paper's words: the property it gave, the text of its tag, and the sentence around it."""

    prop: str
    text: str
    sentence: str
    #: where the words start in the sentence shown
    at: int
    paper: str
    #: where the words start in the paper's text, for reading order
    start: int


@dataclass
class ViewNode:
    id: str
    label: str
    cls: str
    facts: dict = field(default_factory=dict)
    runs: int | None = None
    #: (role, label) of the nodes a run's card names: its model, hardware, country...
    named: list[tuple[str, str]] = field(default_factory=list)
    words: list[Words] = field(default_factory=list)


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
    """Colours, shapes, label rules and how each fact is shown (``kg/data/viz_style.json``)."""
    return json.loads(STYLE_FILE.read_text(encoding="utf-8"))


def style_of(cls: str) -> dict:
    style = load_style()
    return style["classes"].get(cls, style["other"])


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
    return sum(1 for _ in kg.query(fill(_SOME_OF, cls=MLKG[cls], limit=max(limit, 0) + 1)))


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


_SOME_OF = "SELECT DISTINCT ?s WHERE { ?s a $cls } LIMIT $limit"
_NODES_OF = "SELECT ?node WHERE { ?node a $cls } GROUP BY ?node"
_LINKS = "SELECT DISTINCT ?a ?b WHERE { ?a $property ?b }"
_LABELLED = """SELECT DISTINCT ?s ?c WHERE {
  ?s rdfs:label ?l . FILTER(LCASE(STR(?l)) = LCASE($label)) OPTIONAL { ?s a ?c }
}"""
_LABELS_OF = "SELECT DISTINCT ?l WHERE { VALUES ?c { $classes } ?s a ?c ; rdfs:label ?l } LIMIT 50000"
#: Pairs of classes joined by weighted edges (training runs sharing both).
_PAIRED = tuple(totals.RUNS_BY_PAIR)


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
    counts = run_counts(kg)
    candidates: dict[str, dict[str, int]] = {}
    for cls in AGGREGATE_CLASSES:
        runs = counts.runs(cls)
        for row in kg.query(fill(_NODES_OF, cls=MLKG[cls])):
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
        for row in kg.query(fill(_LINKS, property=MLKG[prop])):
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
        if (
            class_of(kg, iri) is None
            and next(kg.store.quads_for_pattern(NamedNode(iri), None, None, None), None) is None
        ):
            raise VizError(f"no node with IRI {iri} in the graph")
        return [iri]
    matches = {}
    for row in kg.query(fill(_LABELLED, label=text)):
        cls = row["c"].value if row["c"] is not None else ""
        if isinstance(row["s"], NamedNode) and cls != MLKG.Mention.value:
            matches[row["s"].value] = cls
    if matches:
        return sorted(matches)
    raise VizError(_unknown_focus_message(kg, text))


def _unknown_focus_message(kg: KnowledgeGraph, text: str) -> str:
    classes = [MLKG[cls] for cls in ("Model", "Hardware", "Organization", "Country", "Year")]
    labels = sorted({row["l"].value for row in kg.query(fill(_LABELS_OF, classes=classes))})
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
    from ..query import QueryError, run_query

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


def _first(kg: KnowledgeGraph, subject, prop: NamedNode):
    quad = next(kg.store.quads_for_pattern(subject, prop, None, None), None)
    return quad.object if quad is not None else None


def mention_words(kg: KnowledgeGraph, mention: NamedNode, texts: dict[str, str | None]) -> Words | None:
    """A mention's fact in its own words and whole sentence; None for a mention that gave no fact.

    The one place the page reads how a mention stores its words: offsets into
    its paper's text (*texts* keeps each paper's text across the mentions of
    one view). A sentence longer than ``LONG_SENTENCE`` is clipped around the
    words as :func:`kg.tags.clip_sentence` clips it for every reader.
    """
    prop, paper = _first(kg, mention, MLKG.factProperty), _first(kg, mention, MLKG.inPaper)
    offsets = [_first(kg, mention, p) for p in (MLKG.startOffset, MLKG.endOffset, MLKG.sentenceStart, MLKG.sentenceEnd)]
    if prop is None or paper is None or None in offsets:
        return None
    if paper.value not in texts:
        plain = _first(kg, paper, MLKG.plainText)
        texts[paper.value] = plain.value if plain is not None else None
    plain = texts[paper.value]
    if plain is None:
        return None
    start, end, left, right = (int(term.value) for term in offsets)
    text = _SPACES.sub(" ", plain[start:end])
    if right - left > LONG_SENTENCE:
        sentence = clip_sentence(plain, left, right, start, end)
        return Words(local_name(prop.value), text, sentence, max(sentence.find(text), 0), paper.value, start)
    head = _SPACES.sub(" ", plain[left:start]).lstrip()
    sentence = head + text + _SPACES.sub(" ", plain[end:right]).rstrip()
    return Words(local_name(prop.value), text, sentence, len(head), paper.value, start)


def label_of(kg: KnowledgeGraph, node: NamedNode) -> str:
    """A node's least label, else the end of its IRI."""
    quads = kg.store.quads_for_pattern(node, RDFS.label, None, None)
    labels = [quad.object.value for quad in quads if isinstance(quad.object, Literal)]
    return min(labels) if labels else local_name(node.value)


def _linked(kg: KnowledgeGraph, subject: NamedNode, prop: NamedNode) -> list[str]:
    """The sorted labels of the nodes *subject* links to through *prop*."""
    quads = kg.store.quads_for_pattern(subject, prop, None, None)
    return sorted({label_of(kg, quad.object) for quad in quads if isinstance(quad.object, NamedNode)})


def add_cards(kg: KnowledgeGraph, view: View, limit: int) -> None:
    """Give runs and models their facts in the papers' words, and runs the nodes they name."""
    texts: dict[str, str | None] = {}
    for node in view.nodes.values():
        if node.cls not in ("TrainingRun", "Model") or node.id.startswith("_:"):
            continue
        subject = NamedNode(node.id)
        if node.cls == "TrainingRun":
            for role, prop in RUN_ROLES:
                names = _linked(kg, subject, prop)
                if not names and prop == MLKG.hardwareUsage:
                    names = _linked(kg, subject, MLKG.hardware)
                node.named += [(role, name) for name in names]
        found: set[Words] = set()
        for quad in kg.store.quads_for_pattern(None, MLKG.factSubject, subject, None):
            words = mention_words(kg, quad.subject, texts) if isinstance(quad.subject, NamedNode) else None
            if words is not None:
                found.add(words)
        node.words = sorted(found, key=lambda w: (w.paper, w.start, w.prop, w.text))[:limit]
