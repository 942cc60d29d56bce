"""Write the stored graph in standard RDF formats, streaming to disk.

Dataset formats (TriG, N-Quads, JSON-LD) keep each paper's named graph.
Triple formats (Turtle, N-Triples, RDF/XML) hold the union of all graphs:
a model reported by several papers is described in each paper's graph, so
those triples are de-duplicated on the way out.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from .reference import ReferenceWriter
from .store import KnowledgeGraph, owns
from .terms import Iris, header
from .totals import TotalsWriter
from .vocab import PREFIXES, RDF_NS, XSD_NS

if TYPE_CHECKING:
    from .mapping import MappedDocument


class ExportFormat(str, Enum):
    turtle = "turtle"
    trig = "trig"
    ntriples = "ntriples"
    nquads = "nquads"
    jsonld = "jsonld"
    rdfxml = "rdfxml"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"

    @property
    def extension(self) -> str:
        special = {"jsonld": "jsonld", "rdfxml": "rdf", "graphml": "graphml", "gexf": "gexf", "csv": "csv"}
        return special.get(self.value) or self.rdf_format.file_extension

    @property
    def is_table(self) -> bool:
        """The one-row-per-model table (the bundled query ``models``), not RDF."""
        return self.value == "csv"

    @property
    def is_network(self) -> bool:
        """Property-graph formats for Gephi and Cytoscape, not RDF."""
        return self.value in ("graphml", "gexf")

    @property
    def rdf_format(self) -> RdfFormat:
        return {
            "turtle": RdfFormat.TURTLE,
            "trig": RdfFormat.TRIG,
            "ntriples": RdfFormat.N_TRIPLES,
            "nquads": RdfFormat.N_QUADS,
            "jsonld": RdfFormat.JSON_LD,
            "rdfxml": RdfFormat.RDF_XML,
        }[self.value]

    @property
    def has_graphs(self) -> bool:
        return self.value in ("trig", "nquads", "jsonld")


def union_triples(kg: KnowledgeGraph) -> Iterator[Triple]:
    """Each distinct triple of the union of all graphs, once.

    A paper's own nodes (the paper, its run, mentions) have IRIs under the
    paper's graph name and occur only there; only other subjects (models,
    unknown hardware, reference nodes) can repeat across graphs, so only
    they go through the duplicate filter.
    """
    seen: set[int] = set()
    for quad in kg.store.quads_for_pattern(None, None, None, None):
        triple = quad.triple
        if owns(quad.graph_name, quad.subject):
            yield triple
            continue
        key = hash(triple)
        if key in seen:
            continue
        seen.add(key)
        yield triple


def prefixes_for(base: str | None) -> dict[str, str]:
    prefixes = dict(PREFIXES)
    if base:
        prefixes["id"] = base
    return prefixes


def export(
    kg: KnowledgeGraph,
    fmt: ExportFormat | str,
    output: str | Path | IO[bytes],
    *,
    base: str | None = None,
) -> None:
    """Write the whole graph to *output* (a path or a binary file)."""
    fmt = ExportFormat(fmt)
    if isinstance(output, (str, Path)):
        # written beside the target and renamed: a failed export never leaves half a file
        target = Path(output)
        if target.exists() and not target.is_file():  # /dev/stdout, a named pipe: write through
            with open(target, "wb") as stream:
                return export(kg, fmt, stream, base=base)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial(target)
        try:
            with open(partial, "wb") as stream:
                export(kg, fmt, stream, base=base)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        return None
    if fmt.is_network:
        from .network import export_network

        return export_network(kg, fmt.value, output)
    if fmt.is_table:
        from pyoxigraph import QueryResultsFormat

        from .query import named_query, run_query

        return run_query(kg, named_query("models").text).serialize(output, QueryResultsFormat.CSV)
    if fmt is ExportFormat.jsonld:
        return write_jsonld(kg, output, base=base)
    prefixes = None if fmt in (ExportFormat.ntriples, ExportFormat.nquads) else prefixes_for(base)
    if fmt.has_graphs:
        kg.store.dump(output, fmt.rdf_format, prefixes=prefixes)
    else:
        serialize(union_triples(kg), output, fmt.rdf_format, prefixes=prefixes)


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


class StreamedExports:
    """Turtle and TriG written while documents load into an empty store.

    The text is the very TriG the store loads, so these files hold the same
    graph a later ``kg export`` reads back from the store, without a second
    pass over millions of quads. Statements about shared nodes are written
    to Turtle once; the reference graph comes last.
    """

    FORMATS = (ExportFormat.turtle, ExportFormat.trig)

    def __init__(self, out_dir: Path, formats: list[ExportFormat], iris: Iris):
        self.iris = iris
        self.targets = {fmt: out_dir / f"graph.{fmt.extension}" for fmt in formats}
        self.streams = {fmt: open(_partial(target), "w", encoding="utf-8") for fmt, target in self.targets.items()}
        self.turtle = self.streams.get(ExportFormat.turtle)
        self.trig = self.streams.get(ExportFormat.trig)
        for stream in self.streams.values():
            stream.write(header(iris.base))
        self.shared_written: set[str] = set()
        self.reference: list[str] = []

    def add(self, doc: MappedDocument, trig: str, reference: str) -> None:
        """One paper: *trig* is its block as loaded, *reference* its new reference statements."""
        if reference:
            self.reference.append(reference)
        if self.trig:
            self.trig.write(trig)
        if self.turtle:
            self.turtle.write(doc.turtle)
            for statement in doc.shared:
                if statement not in self.shared_written:
                    self.shared_written.add(statement)
                    self.turtle.write(statement)

    def add_reference(self, statements: str) -> None:
        """Statements of the reference graph known only at the end (the models' names)."""
        self.reference.append(statements)

    def add_totals(self, statements: str) -> None:
        """Statements of the statistics graph (see :mod:`kg.totals`)."""
        if self.turtle:
            self.turtle.write(statements)
        if self.trig:
            self.trig.write(TotalsWriter(self.iris).block(statements))

    def finish(self) -> list[Path]:
        """Close the files and move them into place."""
        statements = "".join(self.reference)
        if self.turtle:
            self.turtle.write(statements)
        if self.trig and statements:
            self.trig.write(ReferenceWriter(self.iris).block(statements))
        for fmt, stream in self.streams.items():
            stream.close()
            os.replace(_partial(self.targets[fmt]), self.targets[fmt])
        return list(self.targets.values())

    def abort(self) -> None:
        for fmt, stream in self.streams.items():
            stream.close()
            _partial(self.targets[fmt]).unlink(missing_ok=True)


# -- JSON-LD ---------------------------------------------------------------------

_RDF_TYPE = RDF_NS + "type"
_XSD_STRING = XSD_NS + "string"
_RDF_LANG_STRING = RDF_NS + "langString"


def jsonld_context(base: str | None) -> dict:
    context: dict = dict(PREFIXES)
    if base:
        context["@base"] = base
    return context


class _Compactor:
    def __init__(self, base: str | None):
        self.base = base
        # longest namespace first, so mlkg: wins over a shorter match
        self.prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def iri(self, value: str, *, vocab: bool) -> str:
        for prefix, namespace in self.prefixes:
            if value.startswith(namespace) and len(value) > len(namespace):
                local = value[len(namespace) :]
                if "/" not in local and "#" not in local and ":" not in local:
                    return f"{prefix}:{local}"
        if not vocab and self.base and value.startswith(self.base) and ":" not in value[len(self.base) :].split("/")[0]:
            relative = value[len(self.base) :]
            if relative and not relative.startswith(("/", "?", "#")):
                return relative
        return value

    def node(self, term) -> str:
        if isinstance(term, BlankNode):
            return f"_:{term.value}"
        return self.iri(term.value, vocab=False)

    def value(self, term):
        if isinstance(term, Literal):
            datatype = term.datatype.value
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if datatype == _XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(datatype, vocab=True)}
        return {"@id": self.node(term)}


def write_jsonld(kg: KnowledgeGraph, stream: IO[bytes], *, base: str | None = None) -> None:
    """Stream JSON-LD: one graph object per named graph, nodes grouped by subject."""
    compact = _Compactor(base)
    write = stream.write
    write(b'{"@context": ' + json.dumps(jsonld_context(base)).encode() + b',\n "@graph": [')
    top_count = inner_count = 0
    in_named_graph = False
    current_graph = current_subject = None
    node: dict | None = None

    def emit(obj: dict) -> None:
        nonlocal top_count, inner_count
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        if in_named_graph:
            write((b",\n    " if inner_count else b"\n    ") + data)
            inner_count += 1
        else:
            write((b",\n  " if top_count else b"\n  ") + data)
            top_count += 1

    for quad in kg.store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if graph != current_graph or node is None:
            if graph != current_graph:
                if node is not None:
                    emit(node)
                    node = None
                if in_named_graph:
                    write(b"\n  ]}")
                in_named_graph = isinstance(graph, (NamedNode, BlankNode))
                if in_named_graph:
                    opening = b'{"@id": ' + json.dumps(compact.node(graph)).encode() + b', "@graph": ['
                    write((b",\n  " if top_count else b"\n  ") + opening)
                    top_count += 1
                    inner_count = 0
                current_graph, current_subject = graph, None
        if quad.subject != current_subject:
            if node is not None:
                emit(node)
            current_subject = quad.subject
            node = {"@id": compact.node(quad.subject)}
        predicate = quad.predicate.value
        if predicate == _RDF_TYPE and isinstance(quad.object, NamedNode):
            node.setdefault("@type", []).append(compact.iri(quad.object.value, vocab=True))
        else:
            node.setdefault(compact.iri(predicate, vocab=True), []).append(compact.value(quad.object))
    if node is not None:
        emit(node)
    if in_named_graph:
        write(b"\n  ]}")
    write(b"\n]}\n")
