"""Write the stored graph in standard RDF formats, streaming to disk.

Dataset formats (TriG, N-Quads, JSON-LD) keep each paper's named graph.
Triple formats (Turtle, N-Triples, RDF/XML) hold the union of all graphs:
a model reported by several papers is described in each paper's graph, so
those triples are de-duplicated on the way out.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from pyoxigraph import RdfFormat, Triple, serialize

from .files import PartialFile, replacing
from .formats import Format, rdf_format, results_format
from .reference import ReferenceWriter
from .store import KnowledgeGraph, owns
from .terms import Iris, header
from .tally import TotalsWriter
from .vocab import PREFIXES

if TYPE_CHECKING:
    from .mapping import MappedDocument


class ExportFormat(str, Enum):
    """``kg export -f``: an RDF format of :mod:`kg.formats`, a property-graph format, or the models table."""

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
        return self.value if self.is_network else self.output_format.extension

    @property
    def output_format(self) -> Format:
        """Its entry in the format table (the models table is SPARQL results CSV)."""
        return results_format(self.value) if self.is_table else rdf_format(self.value)

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
        rdf = rdf_format(self.value).rdf
        assert rdf is not None
        return rdf

    @property
    def has_graphs(self) -> bool:
        return not (self.is_network or self.is_table) and self.output_format.has_graphs


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
        with replacing(target, binary=True) as stream:
            return export(kg, fmt, stream, base=base)
    if fmt.is_network:
        from .network import export_network

        return export_network(kg, fmt.value, output)
    if fmt.is_table:
        from .query import named_query, run_query

        return run_query(kg, named_query("models").text).serialize(output, fmt.output_format.results)
    if fmt is ExportFormat.jsonld:
        from .jsonld import write_jsonld

        return write_jsonld(kg, output, base=base)
    prefixes = None if fmt in (ExportFormat.ntriples, ExportFormat.nquads) else prefixes_for(base)
    if fmt.has_graphs:
        kg.store.dump(output, fmt.rdf_format, prefixes=prefixes)
    else:
        serialize(union_triples(kg), output, fmt.rdf_format, prefixes=prefixes)


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
        self.files = {fmt: PartialFile(out_dir / f"graph.{fmt.extension}") for fmt in formats}
        self.turtle = self.files[ExportFormat.turtle].stream if ExportFormat.turtle in self.files else None
        self.trig = self.files[ExportFormat.trig].stream if ExportFormat.trig in self.files else None
        for file in self.files.values():
            file.stream.write(header(iris.base))
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
        for file in self.files.values():
            file.commit()
        return [file.path for file in self.files.values()]

    def abort(self) -> None:
        for file in self.files.values():
            file.discard()
