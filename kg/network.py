"""The knowledge graph as a property graph (networkx), for analytics and Gephi.

RDF keeps a model's triples in every paper graph that reports it; here each
resource becomes one node and each (subject, property, object) one edge, so
the union is read once per predicate and de-duplicated on the way in.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import networkx as nx
from pyoxigraph import Literal, NamedNode

from .store import KnowledgeGraph
from .vocab import (
    CLASSES,
    DATATYPE_PROPERTIES,
    MLKG,
    MLKG_NS,
    OBJECT_PROPERTIES,
    RDF,
    RDFS,
    XSD_NS,
    mlkg_term,
    term_value,
)

#: Detail drawn only when asked for: mentions, and the hardware usages that
#: qualify a run's accelerators with their counts (the run links each accelerator).
DETAIL_CLASSES = ("Mention", "HardwareUsage")
#: Classes drawn as nodes by default.
NODE_CLASSES = tuple(c for c in CLASSES if c not in DETAIL_CLASSES)
#: Properties only the detail nodes carry, skipped entirely when they are left out.
MENTION_PROPERTIES = frozenset(
    {
        "inPaper",
        "factSubject",
        "factProperty",
        "factValue",
        "tagName",
        "mentionText",
        "startOffset",
        "endOffset",
        "sentenceStart",
        "sentenceEnd",
        "approximate",
        "qualifier",
        "warning",
        "conversion",
        "hardwareUsage",
        "usedHardware",
        "usedQuantity",
    }
)
NETWORK_FORMATS = ("graphml", "gexf")

_INTEGER_TYPES = {
    XSD_NS + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "negativeInteger",
        "nonPositiveInteger",
    )
}
_FLOAT_TYPES = {XSD_NS + name for name in ("decimal", "double", "float")}
_BOOLEAN = XSD_NS + "boolean"


def local_name(iri: str) -> str:
    """The part of an IRI after its namespace (``#`` or last ``/``)."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def literal_value(literal: Literal) -> str | int | float | bool:
    """A literal as a GraphML/GEXF-safe Python value: numbers stay numbers."""
    datatype = literal.datatype.value if literal.datatype is not None else ""
    text = literal.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype in _FLOAT_TYPES:
            return float(text)
        if datatype == _BOOLEAN:
            return text.strip() in ("true", "1")
    except ValueError:
        pass
    return text


def pick(values: Iterable) -> str | int | float | bool:
    """One deterministic value when papers disagree: the largest (numbers before text)."""
    return max(values, key=lambda v: (isinstance(v, str), v if not isinstance(v, str) else 0, str(v)))


def class_of(kg: KnowledgeGraph, iri: str) -> str | None:
    """The mlkg class local name of a resource, or None when it has none."""
    for quad in kg.store.quads_for_pattern(NamedNode(iri), RDF.type, None, None):
        name = mlkg_term(term_value(quad.object))
        if name is not None:
            return name
    return None


def node_classes(kg: KnowledgeGraph, *, include_mentions: bool = False) -> dict[str, str]:
    """IRI → class local name for every typed resource that becomes a node."""
    classes = CLASSES if include_mentions else NODE_CLASSES
    found: dict[str, str] = {}
    for name in classes:
        for quad in kg.store.quads_for_pattern(None, RDF.type, getattr(MLKG, name), None):
            if isinstance(quad.subject, NamedNode):
                found.setdefault(quad.subject.value, name)
    return found


def describe(kg: KnowledgeGraph, iri: str) -> dict:
    """Node attributes of one resource: label, class and its literal facts."""
    labels: list[str] = []
    cls: str | None = None
    facts: dict[str, list] = {}
    for quad in kg.store.quads_for_pattern(NamedNode(iri), None, None, None):
        predicate, obj = quad.predicate, quad.object
        if predicate == RDF.type:
            cls = cls or mlkg_term(term_value(obj))
        elif predicate == RDFS.label:
            labels.append(term_value(obj))
        elif isinstance(obj, Literal) and predicate.value.startswith(MLKG_NS):
            facts.setdefault(local_name(predicate.value), []).append(literal_value(obj))
        elif predicate == MLKG.factProperty:
            facts.setdefault("factProperty", []).append(local_name(term_value(obj)))
    attributes: dict[str, Any] = {"label": min(labels) if labels else local_name(iri), "cls": cls or "Other"}
    attributes.update({name: pick(values) for name, values in sorted(facts.items())})
    return attributes


def links(kg: KnowledgeGraph, iri: str) -> Iterator[tuple[str, str, str]]:
    """Every (subject, property, object) edge between IRIs that touches *iri*, once."""
    node = NamedNode(iri)
    seen: set[tuple[str, str, str]] = set()
    for quads in (
        kg.store.quads_for_pattern(node, None, None, None),
        kg.store.quads_for_pattern(None, None, node, None),
    ):
        for quad in quads:
            predicate = quad.predicate.value
            if not predicate.startswith(MLKG_NS) or predicate == MLKG.factProperty.value:
                continue
            if not (isinstance(quad.subject, NamedNode) and isinstance(quad.object, NamedNode)):
                continue
            edge = (quad.subject.value, local_name(predicate), quad.object.value)
            if edge not in seen:
                seen.add(edge)
                yield edge


def edges_among(kg: KnowledgeGraph, nodes: Iterable[str]) -> list[tuple[str, str, str]]:
    """The graph's own edges whose two ends are both in *nodes*."""
    wanted = set(nodes)
    found: set[tuple[str, str, str]] = set()
    for iri in wanted:
        for quad in kg.store.quads_for_pattern(NamedNode(iri), None, None, None):
            obj, predicate = quad.object, quad.predicate.value
            if isinstance(obj, NamedNode) and obj.value in wanted and predicate.startswith(MLKG_NS):
                if predicate != MLKG.factProperty.value:
                    found.add((iri, local_name(predicate), obj.value))
    return sorted(found)


def to_networkx(kg: KnowledgeGraph, *, include_mentions: bool = False) -> nx.MultiDiGraph:
    """The typed resources and the object properties between them, each once."""
    classes = node_classes(kg, include_mentions=include_mentions)
    labels: dict[str, str] = {}
    for quad in kg.store.quads_for_pattern(None, RDFS.label, None, None):
        subject, label = term_value(quad.subject), term_value(quad.object)
        if subject in classes and (subject not in labels or label < labels[subject]):
            labels[subject] = label
    facts: dict[str, dict[str, set]] = {}
    for name in DATATYPE_PROPERTIES:
        if name in MENTION_PROPERTIES and not include_mentions:
            continue
        for quad in kg.store.quads_for_pattern(None, getattr(MLKG, name), None, None):
            if term_value(quad.subject) in classes and isinstance(quad.object, Literal):
                facts.setdefault(term_value(quad.subject), {}).setdefault(name, set()).add(literal_value(quad.object))
    edges: set[tuple[str, str, str]] = set()
    for name in OBJECT_PROPERTIES + ("factValue",):
        if name in MENTION_PROPERTIES and not include_mentions:
            continue
        for quad in kg.store.quads_for_pattern(None, getattr(MLKG, name), None, None):
            subject, obj = term_value(quad.subject), quad.object
            if name == "factProperty":
                facts.setdefault(subject, {}).setdefault(name, set()).add(local_name(term_value(obj)))
            elif subject in classes and isinstance(obj, NamedNode) and obj.value in classes:
                edges.add((subject, name, obj.value))
            elif name == "factValue" and subject in classes and isinstance(obj, Literal):
                facts.setdefault(subject, {}).setdefault(name, set()).add(literal_value(obj))

    graph = nx.MultiDiGraph()
    for iri in sorted(classes):
        attributes: dict[str, Any] = {"label": labels.get(iri, local_name(iri)), "cls": classes[iri]}
        attributes.update({name: pick(values) for name, values in sorted(facts.get(iri, {}).items())})
        graph.add_node(iri, **attributes)
    for subject, name, target in sorted(edges):
        graph.add_edge(subject, target, property=name)
    return graph


def export_network(kg: KnowledgeGraph, fmt: str, output: str | Path | IO[bytes]) -> None:
    """Write the graph (without mentions) as GraphML or GEXF for Gephi, yEd, Cytoscape."""
    fmt = getattr(fmt, "value", fmt)
    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}; choose one of {', '.join(NETWORK_FORMATS)}")
    graph = to_networkx(kg)
    if isinstance(output, (str, Path)):
        Path(output).parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(graph, output, named_key_ids=True)
    else:
        nx.write_gexf(graph, output)
