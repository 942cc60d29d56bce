"""Check a built graph against the SHACL shapes in ``ontology/shapes.ttl``.

pyshacl checks an in-memory rdflib graph, which costs about 260 KB per paper
(5.2 GB for 20,000 papers when the whole store was loaded at once). So the
store is checked in *slices*, each holding some focus nodes in full:

* ``papers``: the graphs of a few hundred papers (paper, run, mentions);
* ``shared``: a few thousand nodes of the reference graph (models,
  accelerators, manufacturers, countries, years), each with what the papers
  say of it (a model's parameter counts);
* ``statistics``: a few thousand observations of the running totals.

A slice also holds the ``rdf:type`` of every node its statements point to,
which is all that ``sh:class`` needs of them. Papers' slices are checked
against the shapes of papers, runs and mentions, other slices against all
shapes. Slices are independent, so they run in worker processes, and
together they report what one check of the whole graph reports
(``tests/test_validate.py`` compares the two). :func:`paper_slices` cuts
only some papers and the shared nodes they name.

A build checks each batch of papers in the worker that maps it
(:func:`check_papers`: the batch's graphs with the types of the shared nodes
they name, which are known from the reference keys), while the store loads;
at the end only the graphs that are not papers' remain (:func:`shared_slices`),
with what papers say of shared nodes (a model's parameter counts) read from
the running totals instead of from every paper's graph.
"""

from __future__ import annotations

import gc
import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from itertools import groupby
from typing import TYPE_CHECKING, Any, Collection, Iterable, Iterator, Sequence

from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Triple, parse, serialize

from . import totals
from .kinds import KINDS as TAG_KINDS
from .reference import ReferenceWriter
from .shapes import Statement, statements
from .store import KnowledgeGraph, owns
from .terms import Iris, header
from .vocab import MLKG, MLKG_NS, PREFIXES, QB_NS, RDF_NS, XSD_NS, term_value
from .workers import windowed_map

if TYPE_CHECKING:
    from .mapping import MappedDocument

SH = "http://www.w3.org/ns/shacl#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Papers per slice: about 55,000 statements, 8 MB of N-Triples.
SLICE_PAPERS = 500
#: Shared nodes or observations per slice.
SLICE_NODES = 5_000

#: The kind of slice that holds the instances of each class a shape targets.
#: Shapes that target nodes by name (``sh:targetNode``) are the data-set
#: shapes of the running totals.
SLICE_OF_CLASS = {
    MLKG_NS + "Paper": "papers",
    MLKG_NS + "TrainingRun": "papers",
    MLKG_NS + "Mention": "papers",
    MLKG_NS + "HardwareUsage": "papers",
    MLKG_NS + "ComputeEstimate": "papers",
    MLKG_NS + "ComputeMethod": "shared",
    MLKG_NS + "Model": "shared",
    MLKG_NS + "Hardware": "shared",
    MLKG_NS + "Country": "shared",
    MLKG_NS + "Year": "shared",
    QB_NS + "Observation": "statistics",
    # the nodes tag kinds name (organizations, data sets) live in the reference graph
    **{MLKG_NS + kind.node: "shared" for kind in TAG_KINDS.values() if kind.node},
}
KINDS = ("papers", "shared", "statistics")
#: The shapes each kind of slice is checked against. A paper's graph holds
#: only its paper, run and mentions (what it says of shared nodes is handed
#: to their slice); any other graph is checked against every shape, so a node
#: where mlkg would not have written it is still checked.
CHECKED_WITH = {"papers": ("papers",), "shared": KINDS, "statistics": KINDS}

#: The ways a SHACL shape names its focus nodes.
TARGETS = tuple(SH + name for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"))

RDF_TYPE = NamedNode(RDF_NS + "type")
PAPER = NamedNode(MLKG_NS + "Paper")
OBSERVATION = NamedNode(QB_NS + "Observation")


def ontology_text(name: str) -> str:
    """Read a bundled ontology file (``mlkg.ttl`` or ``shapes.ttl``)."""
    return resources.files(__package__).joinpath("ontology").joinpath(name).read_text(encoding="utf-8")


# -- results ----------------------------------------------------------------------


def _key(item: dict) -> tuple:
    return (item["focus"], item["path"], item["value"], item["message"])


@dataclass
class SliceResult:
    """What one slice found: the first *limit* results of each severity, in order, and counts."""

    violations: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    violation_count: int = 0
    warning_count: int = 0


#: the scope of a check of every graph (see :func:`validate`)
WHOLE_STORE = "the whole store"


@dataclass
class ValidationResult:
    #: None (and counts None) when the check was skipped
    conforms: bool | None
    violations: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    skipped: str | None = None
    #: what was checked: the whole store, or some papers and what they name
    scope: str | None = None
    #: all results; the lists above keep the first ``limit`` of each, ordered by focus node
    violation_count: int | None = 0
    warning_count: int | None = 0

    def add(self, found: SliceResult, limit: int) -> None:
        self.violations = heapq.nsmallest(limit, self.violations + found.violations, key=_key)
        self.warnings = heapq.nsmallest(limit, self.warnings + found.warnings, key=_key)
        self.violation_count = (self.violation_count or 0) + found.violation_count
        self.warning_count = (self.warning_count or 0) + found.warning_count
        self.conforms = self.violation_count == 0

    def as_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "skipped": self.skipped,
            "scope": self.scope,
            "violation_count": self.violation_count,
            "warning_count": self.warning_count,
            "violations": self.violations,
            "warnings": self.warnings,
        }


# -- main side: cutting the store into slices --------------------------------------


@dataclass(frozen=True)
class Slice:
    kind: str
    ntriples: bytes
    #: nodes present only through their rdf:type (for sh:class); checked in their own slice
    pointed: tuple[str, ...]
    limit: int


class _Types:
    """The rdf:type statements of nodes, looked up in the store once per node."""

    def __init__(self, kg: KnowledgeGraph):
        self.store = kg.store
        self.cache: dict[str, tuple] = {}

    def of(self, node: NamedNode) -> tuple:
        found = self.cache.get(node.value)
        if found is None:
            types = {quad.object for quad in self.store.quads_for_pattern(node, RDF_TYPE, None, None)}
            found = self.cache[node.value] = tuple(Triple(node, RDF_TYPE, t) for t in types)
        return found


class _KnownTypes:
    """The rdf:type statements of nodes (as the checker reads them), from those at hand (a batch's reference nodes)."""

    def __init__(self, found: Iterable[Statement]):
        self.found: dict[str, list[Statement]] = defaultdict(list)
        for statement in found:
            if statement[1] == RDF_TYPE.value:
                self.found[term_value(statement[0])].append(statement)

    def of(self, node: NamedNode) -> tuple:
        return tuple(self.found.get(node.value, ()))


def _typed(triples: list[Triple], types: _Types) -> tuple[list[Triple], tuple[str, ...]]:
    """*triples* with the rdf:type of the nodes they point to, and those nodes that only their type holds."""
    subjects = {t.subject for t in triples}
    typed = {t.subject for t in triples if t.predicate == RDF_TYPE}
    objects = {t.object for t in triples if isinstance(t.object, NamedNode)}
    return _add_types(triples, subjects, typed, objects, types)


def _typed_statements(held: list[Statement], types: _KnownTypes) -> tuple[list[Statement], tuple[str, ...]]:
    """As :func:`_typed`, for statements as the checker reads them."""
    rdf_type = RDF_TYPE.value  # read once: each read of .value makes a new string
    subjects = {s for s, _, _ in held}
    typed = {s for s, p, _ in held if p == rdf_type}
    objects = {o for _, _, o in held if isinstance(o, NamedNode)}
    return _add_types(held, subjects, typed, objects, types)


def _add_types(
    held: list, subjects: set, typed: set, objects: set, types: _Types | _KnownTypes
) -> tuple[list, tuple[str, ...]]:
    pointed = objects - subjects
    # Only nodes whose type the slice lacks are looked up (and cached): the
    # shared ones. Looking up a paper's own run and mentions too would cache
    # two or three entries per paper, a gigabyte at a million papers.
    extra = [statement for node in objects - typed for statement in types.of(node)]
    return held + extra, tuple(sorted(n.value for n in pointed))


def _slice(kind: str, triples: list[Triple], types: _Types, limit: int) -> Slice:
    held, pointed = _typed(triples, types)
    return Slice(kind, serialize(held, format=RdfFormat.N_TRIPLES) or b"", pointed, limit)


def _chunks(kind: str, groups: Iterable[list[Triple]], size: int, types: _Types, limit: int) -> Iterator[Slice]:
    """Slices of *size* groups each (a group: one paper's graph, or one node's statements)."""
    triples: list[Triple] = []
    count = 0
    for group in groups:
        triples.extend(group)
        count += 1
        if count == size:
            yield _slice(kind, triples, types, limit)
            triples, count = [], 0
    if triples:
        yield _slice(kind, triples, types, limit)


def _by_subject(kind, quads, said: dict, size: int, types: _Types, limit: int) -> Iterator[Slice]:
    """Slices of *size* subjects from quads that come grouped by subject (a graph's index order)."""
    groups = (
        [*said.pop(subject, ()), *(quad.triple for quad in group)]
        for subject, group in groupby(quads, key=lambda quad: quad.subject)
    )
    return _chunks(kind, groups, size, types, limit)


def _is_paper_graph(store, graph) -> bool:
    return (
        isinstance(graph, NamedNode)
        and next(iter(store.quads_for_pattern(graph, RDF_TYPE, PAPER, graph)), None) is not None
    )


def _paper_graphs(store, graphs: Iterable, said: dict) -> Iterator[list[Triple]]:
    """Each paper graph's statements; what it says of nodes it does not own is added to *said*."""
    for graph in graphs:
        triples = []
        for quad in store.quads_for_pattern(None, None, None, graph):
            triples.append(quad.triple)
            if not owns(graph, quad.subject):
                said[quad.subject].add(quad.triple)
        yield triples


def slices(
    kg: KnowledgeGraph, *, papers: int = SLICE_PAPERS, nodes: int = SLICE_NODES, limit: int = 200
) -> Iterator[Slice]:
    """Cut the whole store into slices, reading it once, graph by graph."""
    store = kg.store
    types = _Types(kg)
    said: dict = defaultdict(set)  # what papers say about shared nodes, by node
    others: list = []

    def paper_graphs():
        for graph in store.named_graphs():
            if _is_paper_graph(store, graph):
                yield graph
            else:
                others.append(graph)

    yield from _chunks("papers", _paper_graphs(store, paper_graphs(), said), papers, types, limit)
    yield from _other_slices(kg, others, said, types, nodes, limit)


def _other_slices(
    kg: KnowledgeGraph, others: list, said: dict, types: _Types, nodes: int, limit: int
) -> Iterator[Slice]:
    """Slices of the graphs that are not papers', with *said*: what papers say of each shared node."""
    store = kg.store
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        others.append(DefaultGraph())  # mlkg writes nothing there, but what is there is checked
    for graph in others:
        quads = store.quads_for_pattern(None, None, None, graph)
        if next(iter(store.quads_for_pattern(None, RDF_TYPE, OBSERVATION, graph)), None) is not None:
            yield from _by_subject("statistics", quads, {}, nodes, types, limit)
        else:
            yield from _by_subject("shared", quads, said, nodes, types, limit)
    # nodes the papers describe but no shared graph holds (their checks find no type to target)
    leftover = [triple for node in sorted(said, key=str) for triple in sorted(said[node], key=str)]
    if leftover:
        yield _slice("shared", leftover, types, limit)


def shared_slices(kg: KnowledgeGraph, iris: Iris, *, nodes: int = SLICE_NODES, limit: int = 200) -> Iterator[Slice]:
    """What :func:`slices` cuts besides the papers' graphs, without reading those graphs.

    What papers say of shared nodes is a model's parameter counts, which the
    running totals keep (one observation per model and count); they stand in
    for the statements themselves.
    """
    said = _said_by_papers(kg, iris)
    store = kg.store
    # one scan of the papers' types rather than one lookup per graph (a million at a million papers)
    papers = {
        quad.subject for quad in store.quads_for_pattern(None, RDF_TYPE, PAPER, None) if quad.graph_name == quad.subject
    }
    others = [graph for graph in store.named_graphs() if graph not in papers]
    del papers
    yield from _other_slices(kg, others, said, _Types(kg), nodes, limit)


def _said_by_papers(kg: KnowledgeGraph, iris: Iris) -> dict:
    """What papers say of shared nodes (each model's parameter counts), from the running totals."""
    said: dict = defaultdict(set)
    integer = NamedNode(XSD_NS + "integer")
    for model, count in totals.stated_parameter_counts(kg, iris):
        node = NamedNode(model)
        said[node].add(Triple(node, MLKG.parameterCount, Literal(str(count), datatype=integer)))
    return said


def fresh_shared_slices(
    kg: KnowledgeGraph, iris: Iris, statistics: Iterable[str], *, nodes: int = SLICE_NODES, limit: int = 200
) -> Iterator[Slice]:
    """:func:`shared_slices` of a store a build filled from empty, with its statistics graph as written.

    Such a store holds the papers' graphs, the reference graph and the
    statistics graph, nothing else, so no graph is listed. *statistics* is
    the Turtle the build loaded into the statistics graph, one statement per
    observation: parsing it is what the store holds, and reading it back
    from the store looked up every term across the whole store (most of the
    check's 180 s and its 6.6 GB at a million papers).
    """
    said = _said_by_papers(kg, iris)
    types = _Types(kg)
    prefixes = header(iris.base)
    chunk: list[str] = []
    for statement in statistics:
        chunk.append(statement)
        if len(chunk) == nodes:
            yield _slice("statistics", list(parse(prefixes + "".join(chunk), format=RdfFormat.TURTLE)), types, limit)
            chunk = []
    if chunk:
        yield _slice("statistics", list(parse(prefixes + "".join(chunk), format=RdfFormat.TURTLE)), types, limit)
    yield from _other_slices(kg, [NamedNode(iris.reference_graph)], said, types, nodes, limit)


def paper_slices(
    kg: KnowledgeGraph,
    paper_iris: Iterable[str],
    *,
    papers: int = SLICE_PAPERS,
    nodes: int = SLICE_NODES,
    limit: int = 200,
) -> Iterator[Slice]:
    """Slices of the given papers' graphs and of the shared nodes they name, nothing else.

    What a build that adds a few papers to a large store has to check: a
    whole pass would take the better part of an hour at a million papers.
    A shared node comes with all its statements, from every graph and every
    paper (a model's parameter counts from all the papers that give one),
    as in :func:`slices`. Its statements in each graph that is not a paper's
    are checked graph by graph, and what papers say of it goes with the
    first of those graphs by IRI (the default graph last); the running
    totals are left to a whole check.
    """
    store = kg.store
    types = _Types(kg)
    named: dict = defaultdict(set)
    graphs = [NamedNode(iri) for iri in paper_iris]
    yield from _chunks("papers", _paper_graphs(store, graphs, named), papers, types, limit)
    for paper in graphs:  # the nodes they point to (classes and properties have no statements)
        for quad in store.quads_for_pattern(None, None, None, paper):
            if isinstance(quad.object, NamedNode) and quad.predicate != RDF_TYPE and not owns(paper, quad.object):
                named[quad.object]
    is_paper: dict = {}
    by_graph: dict = defaultdict(list)  # non-paper graph -> [one node's statements there, ...]
    leftover: list[Triple] = []
    for node in sorted(named, key=str):
        said: set = set()
        found: dict = defaultdict(list)
        for quad in store.quads_for_pattern(node, None, None, None):
            graph = quad.graph_name
            if graph not in is_paper:
                is_paper[graph] = _is_paper_graph(store, graph)
            if not is_paper[graph]:
                found[graph].append(quad.triple)
            elif not owns(graph, node):
                said.add(quad.triple)
        ordered = sorted(found, key=lambda g: (isinstance(g, DefaultGraph), str(g)))
        for index, graph in enumerate(ordered):
            by_graph[graph].append([*(sorted(said, key=str) if index == 0 else ()), *found[graph]])
        if not ordered:
            leftover.extend(sorted(said, key=str))
    for groups in by_graph.values():
        yield from _chunks("shared", groups, nodes, types, limit)
    if leftover:
        yield _slice("shared", leftover, types, limit)


# -- worker side: checking one slice -----------------------------------------------

#: The checkers a slice can be checked with: mlkg's own (:mod:`kg.shapes`,
#: the default) and pyshacl, kept as an independent second opinion.
ENGINES = ("mlkg", "pyshacl")

_shapes: dict = {}  # kind of slice -> its shapes graph
_checkers: dict = {}  # kind of slice -> its shapes, compiled for kg.shapes
_classes: dict[str, list[str]] = {}
_engine = ENGINES[0]


def shape_groups(shapes) -> dict[str, list[str]]:
    """The targeted shapes, grouped by the kind of slice their focus nodes live in; each is in one group."""
    from rdflib import Namespace, URIRef

    sh = Namespace(SH)
    groups: dict[str, list[str]] = {kind: [] for kind in KINDS}
    targeted = set()
    for target in TARGETS:
        targeted.update(shapes.subjects(URIRef(target), None))
    for shape in sorted(targeted, key=str):
        kinds = {SLICE_OF_CLASS.get(str(cls), f"unknown class {cls}") for cls in shapes.objects(shape, sh.targetClass)}
        if (shape, sh.targetNode, None) in shapes:
            kinds.add("statistics")
        if (shape, sh.targetSubjectsOf, None) in shapes or (shape, sh.targetObjectsOf, None) in shapes:
            kinds.add("targets by property")
        if len(kinds) != 1 or not kinds <= set(KINDS):
            raise ValueError(f"cannot tell which slice of the store shape {shape} checks: {sorted(kinds)}")
        groups[kinds.pop()].append(str(shape))
    return groups


def shapes_for(kind: str, shapes):
    """The shapes graph a slice of *kind* is checked against: shapes it does not use lose their targets.

    (pyshacl's ``use_shapes`` would be the obvious tool, but it leaves out
    named property shapes reached through ``sh:property``.)
    """
    from rdflib import Graph, Namespace, URIRef

    sh = Namespace(SH)
    groups = shape_groups(shapes)
    kept = Graph()
    for prefix, namespace in shapes.namespaces():
        kept.bind(prefix, namespace)
    for triple in shapes:
        kept.add(triple)
    targets = [URIRef(target) for target in TARGETS]
    used = [name for group in CHECKED_WITH[kind] for name in groups[group]]
    for other, names in groups.items():
        if other in CHECKED_WITH[kind]:
            continue
        for name in names:
            for target in targets:
                kept.remove((URIRef(name), target, None))
    # pyshacl checks a shape's sh:property shapes once per focus node, building
    # their constraints anew each time; a property shape given the node
    # shape's targets is checked once over all of them, with the same results.
    for name in used:
        shape = URIRef(name)
        for prop in list(kept.objects(shape, sh.property)):
            for target in targets:
                for value in kept.objects(shape, target):
                    kept.add((prop, target, value))
            kept.remove((shape, sh.property, prop))
    return kept


def init_checks(engine: str = ENGINES[0]) -> None:
    """Read the shapes once per process, for each kind of slice, for *engine* (one of :data:`ENGINES`)."""
    from rdflib import Graph

    from .shapes import Checker

    global _engine
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
    _engine = engine
    shapes = Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    for kind in KINDS:
        _shapes[kind] = shapes_for(kind, shapes)
        if engine == "mlkg":
            _checkers[kind] = Checker(_shapes[kind])
        _classes[kind] = [c for c, k in SLICE_OF_CLASS.items() if k in CHECKED_WITH[kind]]


def to_rdflib(ntriples: bytes):
    """An rdflib graph of N-Triples, parsed by pyoxigraph (faster than rdflib's own parser)."""
    from rdflib import Graph

    from .shapes import rdflib_term

    graph = Graph()
    add = graph.add
    known: dict = {}

    def convert(term):
        found = known.get(term)
        if found is None:
            found = known[term] = rdflib_term(term)
        return found

    for triple in parse(ntriples, RdfFormat.N_TRIPLES):
        add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return graph


def path_text(report, path) -> str:
    """A result path as SPARQL writes it: an IRI, or ``^IRI`` for an inverse path (not a blank node id)."""
    from rdflib import BNode, Namespace

    if path is None:
        return ""
    if isinstance(path, BNode):
        inverse = report.value(path, Namespace(SH).inversePath)
        if inverse is not None:
            return "^" + path_text(report, inverse)
    return str(path)


def _text(term) -> str:
    """A term as the report writes it; an rdflib literal that is false ("0", "false") is still written, not dropped."""
    return "" if term is None else str(term)


def pyshacl_results(data, shapes) -> list:
    """pyshacl's results for an rdflib graph, as :class:`kg.shapes.Result` (the shape as its IRI or blank node id)."""
    import pyshacl
    from rdflib import Namespace

    from .shapes import Result

    sh = Namespace(SH)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return [
        Result(
            str(report.value(node, sh.focusNode)),
            path_text(report, report.value(node, sh.resultPath)),
            _text(report.value(node, sh.value)),
            str(report.value(node, sh.resultSeverity)),
            _text(report.value(node, sh.resultMessage)),
            str(report.value(node, sh.sourceShape)),
        )
        for node in report.subjects(predicate=sh.resultSeverity)
    ]


def _tally(results, helpers: set, limit: int) -> SliceResult:
    """The slice's results, less those on nodes it holds only for their type."""
    violations: list[dict] = []
    warnings: list[dict] = []
    for found in results:
        if found.focus in helpers:
            continue
        item = {"focus": found.focus, "path": found.path, "value": found.value, "message": found.message}
        (violations if found.severity == SH + "Violation" else warnings).append(item)
    return SliceResult(
        heapq.nsmallest(limit, violations, key=_key),
        heapq.nsmallest(limit, warnings, key=_key),
        len(violations),
        len(warnings),
    )


def _helpers(kind: str, held: Iterable[Statement], pointed: Collection[str]) -> set:
    """Nodes held only for their type that this kind's shapes target (an accelerator another is a variant of).

    Their own slice checks them.
    """
    if not pointed:
        return set()
    classes = set(_classes[kind])
    pointed = set(pointed)
    rdf_type = RDF_TYPE.value
    return {
        term_value(subject)
        for subject, predicate, obj in held
        if predicate == rdf_type and term_value(subject) in pointed and term_value(obj) in classes
    }


def check_slice(piece: Slice) -> SliceResult:
    """Validate one slice against the shapes of its kind."""
    if _engine == "pyshacl":
        results = pyshacl_results(to_rdflib(piece.ntriples), _shapes[piece.kind])
        held = statements(parse(piece.ntriples, RdfFormat.N_TRIPLES)) if piece.pointed else []
        return _tally(results, _helpers(piece.kind, held, piece.pointed), piece.limit)
    held = statements(parse(piece.ntriples, RdfFormat.N_TRIPLES))
    return _check_statements(piece.kind, held, piece.pointed, piece.limit)


def _check_statements(kind: str, held: list[Statement], pointed: Collection[str], limit: int) -> SliceResult:
    results = _checkers[kind].check_statements(held)
    return _tally(results, _helpers(kind, held, pointed), limit)


#: The rdf:type statements each reference key's statements make, by base and key
#: (the same few thousand models and accelerators recur in every batch).
_key_types: dict[tuple, list[Statement]] = {}
KEY_TYPES_LIMIT = 100_000


def _types_of_keys(keys: set[tuple], iris: Iris) -> list[Statement]:
    found = []
    for key in keys:
        known = _key_types.get((iris.base, key))
        if known is None:
            if len(_key_types) >= KEY_TYPES_LIMIT:
                _key_types.clear()
            text = ReferenceWriter(iris).statements({key})
            written = parse(header(iris.base) + text, RdfFormat.TURTLE) if text else ()
            known = _key_types[iris.base, key] = [s for s in statements(written) if s[1] == RDF_TYPE.value]
        found.extend(known)
    return found


_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?\Z")
#: the inside of a quoted Turtle string, escapes and all
_QUOTED = re.compile(r'(?:[^"\\\n\r]|\\[tbnrf"\'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*\Z')
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
#: the escapes of a quoted string that need no regular expression, the quote first
_SIMPLE = {'\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t"}
XSD_INTEGER = NamedNode(XSD_NS + "integer")
XSD_DECIMAL = NamedNode(XSD_NS + "decimal")
XSD_BOOLEAN = NamedNode(XSD_NS + "boolean")


def _unquote(inner: str) -> str:
    """The text of a quoted Turtle string (without its quotes); ValueError if it is not one."""
    if '"' not in inner and "\\" not in inner and "\n" not in inner and "\r" not in inner:
        return inner  # how kg.terms.string writes most strings
    if "\n" in inner or "\r" in inner:
        raise ValueError(f"not a quoted string: {inner!r}")
    # The escapes kg.terms.string writes, with str methods: split at escaped
    # backslashes, so that every backslash left in a piece starts an escape.
    pieces = inner.split("\\\\")
    for index, piece in enumerate(pieces):
        if "\\" in piece or '"' in piece:
            escapes = [piece.count(e) for e in _SIMPLE]
            if piece.count("\\") != sum(escapes) or piece.count('"') != escapes[0]:
                break  # another escape (or a quote alone): the general way below
            for escape, count in zip(_SIMPLE, escapes):
                if count:
                    piece = piece.replace(escape, _SIMPLE[escape])
            pieces[index] = piece
    else:
        return "\\".join(pieces)
    if not _QUOTED.match(inner):
        raise ValueError(f"not a quoted string: {inner!r}")
    return _ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)) if m[3] is None else _ESCAPED[m[3]], inner)


class TermReader:
    """Terms written as :mod:`kg.terms` writes them, read into the terms a TriG parser gives the checker.

    Only the forms mlkg writes are read (IRIs, absolute or under the base;
    prefixed names; quoted, typed, numeric and boolean literals); anything
    else raises ValueError, and the caller parses that graph's text instead.
    Terms that recur (IRIs, numbers) are remembered; quoted strings, mostly
    a paper's own, are not.
    """

    LIMIT = 200_000

    def __init__(self, base: str):
        # a base with a query or fragment would not simply prefix relative references
        self.base = base if base.endswith("/") and "?" not in base and "#" not in base else None
        self.known: dict[str, Any] = {}
        self.predicates: dict[str, str] = {"a": RDF_TYPE.value}

    def iri(self, text: str) -> str:
        """The IRI of ``<...>`` (absolute, or relative to the base) or of a prefixed name."""
        if text[:1] == "<" and text[-1:] == ">":
            inner = text[1:-1]
            if "\\" in inner:
                raise ValueError(f"an escaped IRI: {text}")
            if _SCHEME.match(inner):
                return inner
            path = f"/{inner}/"
            if self.base is None or inner[:1] in ("", "/", "?", "#") or "/./" in path or "/../" in path:
                raise ValueError(f"a relative IRI not simply under the base: {text}")
            return self.base + inner
        prefix, colon, local = text.partition(":")
        namespace = PREFIXES.get(prefix)
        if not colon or namespace is None or not _LOCAL.match(local):
            raise ValueError(f"not an IRI mlkg writes: {text!r}")
        return namespace + local

    def term(self, text: str) -> Any:
        """The term *text* writes: a NamedNode or a Literal."""
        found = self.known.get(text)
        if found is not None:
            return found
        if text[:1] == '"':
            end = text.rfind('"')
            if end == len(text) - 1 and end > 0:
                return Literal(_unquote(text[1:-1]))
            if end <= 0 or not text.startswith('"^^', end):
                raise ValueError(f"not a literal mlkg writes: {text!r}")
            found = Literal(_unquote(text[1:end]), datatype=NamedNode(self.iri(text[end + 3 :])))
        elif text[:1] == "<" or (":" in text and text[:1] not in "+-.0123456789"):
            found = NamedNode(self.iri(text))
        elif _INTEGER.match(text):
            found = Literal(text, datatype=XSD_INTEGER)
        elif _DECIMAL.match(text):
            found = Literal(text, datatype=XSD_DECIMAL)
        elif text in ("true", "false"):
            found = Literal(text, datatype=XSD_BOOLEAN)
        else:
            raise ValueError(f"not a term mlkg writes: {text!r}")
        if len(self.known) >= self.LIMIT:
            self.known.clear()
        self.known[text] = found
        return found

    def statements(self, groups: Iterable[tuple[str, list[str]]]) -> list[Statement]:
        """Statements written as (subject, ["predicate object", ...]), as the checker reads them (:func:`kg.shapes.statements`)."""
        known, predicates, term = self.known, self.predicates, self.term
        found: list[Statement] = []
        append = found.append
        for subject, pairs in groups:
            node = known.get(subject)
            if node is None:
                node = term(subject)
            if not isinstance(node, NamedNode):
                raise ValueError(f"not a subject mlkg writes: {subject!r}")
            for pair in pairs:
                verb, obj = pair.split(" ", 1)
                predicate = predicates.get(verb)
                if predicate is None:
                    predicate = predicates[verb] = self.iri(verb)
                value = known.get(obj)
                append((node, predicate, term(obj) if value is None else value))
        return found


_readers: dict[str, TermReader] = {}


def _mapped_statements(papers: Sequence[MappedDocument], base: str) -> list[Statement]:
    """The papers' statements as the checker reads them, from what the mapper made; parsed only where that is gone."""
    reader = _readers.get(base)
    if reader is None:
        reader = _readers[base] = TermReader(base)
    found: list[Statement] = []
    for doc in papers:
        texts = doc.statement_texts()
        if texts is not None:
            try:
                found.extend(reader.statements(texts))
                continue
            except ValueError:
                pass  # a term mlkg does not write: the parser reads it as the store will
        found.extend(statements(parse(header(base) + doc.trig(), RdfFormat.TRIG)))
    return found


def check_papers(graphs: str | Sequence[MappedDocument], keys: set[tuple], iris: Iris, limit: int = 200) -> SliceResult:
    """Check papers' graphs where they were mapped: mapped documents, or TriG blocks as :meth:`MappedDocument.trig` writes them.

    Documents are checked from the statements the mapper made, read into
    terms without writing and parsing TriG (:class:`TermReader`). *keys*
    are the reference keys they name: the reference statements written for
    them give the types of the shared nodes, which is all the papers'
    shapes need of them (``sh:class``). Run in a worker after
    :func:`init_checks`.

    The check makes a few tuples, lists and dicts per statement and frees
    them all at the end, none in a cycle: the garbage collector, which
    would walk them again and again as they pile up (measured: as long as
    indexing them), is paused meanwhile.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        if isinstance(graphs, str):
            held = statements(parse(header(iris.base) + graphs, RdfFormat.TRIG))
        else:
            held = _mapped_statements(graphs, iris.base)
        types = _KnownTypes(_types_of_keys(keys, iris))
        if _engine == "pyshacl":
            found, pointed = _typed_statements(held, types)
            triples = [Triple(subject, NamedNode(predicate), obj) for subject, predicate, obj in found]
            return check_slice(Slice("papers", serialize(triples, format=RdfFormat.N_TRIPLES) or b"", pointed, limit))
        held, pointed = _typed_statements(held, types)  # as a slice would hold them
        return _check_statements("papers", held, pointed, limit)
    finally:
        if collecting:
            gc.enable()


def finish_checks(
    kg: KnowledgeGraph, iris: Iris, result: ValidationResult, *, jobs: int = 1, limit: int = 200
) -> ValidationResult:
    """Add to *result* (the papers checked as they were mapped) the check of everything else."""
    pieces = shared_slices(kg, iris, limit=limit)
    for found in windowed_map(check_slice, pieces, jobs=jobs, initializer=init_checks, window=2):
        result.add(found, limit)
    return result


def finish_fresh_checks(
    kg: KnowledgeGraph,
    iris: Iris,
    result: ValidationResult,
    statistics: Iterable[str],
    *,
    jobs: int = 1,
    limit: int = 200,
) -> ValidationResult:
    """:func:`finish_checks` for a build into an empty store, given the statistics graph's statements."""
    pieces = fresh_shared_slices(kg, iris, statistics, limit=limit)
    for found in windowed_map(check_slice, pieces, jobs=jobs, initializer=init_checks, window=2):
        result.add(found, limit)
    return result


def validate(
    kg: KnowledgeGraph,
    *,
    limit: int = 200,
    jobs: int = 1,
    slice_papers: int = SLICE_PAPERS,
    slice_nodes: int = SLICE_NODES,
    papers: Collection[str] | None = None,
    engine: str = ENGINES[0],
) -> ValidationResult:
    """Validate the whole store, slice by slice in *jobs* processes.

    Given *papers* (IRIs), only their graphs and the shared nodes they name
    are checked (:func:`paper_slices`). At most *limit* results of each
    severity are kept (the first by focus node); the counts cover them all.
    *engine* is one of :data:`ENGINES`: mlkg's own checker, or pyshacl for a
    second opinion (the same results, several times slower).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
    if papers is None:
        result = ValidationResult(conforms=True, scope=WHOLE_STORE)
        pieces: Iterable[Slice] = slices(kg, papers=slice_papers, nodes=slice_nodes, limit=limit)
    else:
        scope = (
            "1 paper and the shared nodes it names"
            if len(papers) == 1
            else f"{len(papers)} papers and the shared nodes they name"
        )
        result = ValidationResult(conforms=True, scope=scope)
        pieces = paper_slices(kg, papers, papers=slice_papers, nodes=slice_nodes, limit=limit)
    checks = windowed_map(check_slice, pieces, jobs=jobs, initializer=init_checks, initargs=(engine,), window=2)
    for found in checks:
        result.add(found, limit)
    return result
