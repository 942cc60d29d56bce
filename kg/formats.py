"""The one table of output formats, shared by export, query and serve.

Each entry is a name the user types (``-f turtle``, ``?format=turtle``) and
the pyoxigraph format it stands for; media type, file extension and whether
it keeps named graphs come from pyoxigraph itself, so they are written
nowhere else. The extra media types a client may send (``application/json``
for JSON results) are the only thing written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class Format:
    """One output format: an RDF serialization or a SPARQL results format."""

    name: str
    syntax: RdfFormat | QueryResultsFormat
    #: other media types that mean this format when a client names them exactly
    aliases: tuple[str, ...] = ()

    @property
    def rdf(self) -> RdfFormat | None:
        return self.syntax if isinstance(self.syntax, RdfFormat) else None

    @property
    def results(self) -> QueryResultsFormat | None:
        return self.syntax if isinstance(self.syntax, QueryResultsFormat) else None

    @property
    def media_type(self) -> str:
        """The bare media type (pyoxigraph adds ``; charset=utf-8`` to CSV and TSV)."""
        return self.syntax.media_type.split(";")[0].strip()

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")

    @property
    def extension(self) -> str:
        return self.syntax.file_extension

    @property
    def has_graphs(self) -> bool:
        """Keeps each paper's named graph (TriG, N-Quads, JSON-LD); the others hold the union."""
        return self.rdf is not None and self.rdf.supports_datasets


#: RDF serializations, in the order a server offers them for CONSTRUCT/DESCRIBE results.
RDF_FORMATS = (
    Format("turtle", RdfFormat.TURTLE, ("application/turtle", "application/x-turtle")),
    Format("ntriples", RdfFormat.N_TRIPLES, ("text/plain",)),
    Format("jsonld", RdfFormat.JSON_LD, ("application/json",)),
    Format("rdfxml", RdfFormat.RDF_XML, ("application/xml", "text/xml")),
    Format("trig", RdfFormat.TRIG),
    Format("nquads", RdfFormat.N_QUADS),
)
#: SPARQL results formats for SELECT/ASK, the first the default when anything is accepted.
RESULTS_FORMATS = (
    Format("json", QueryResultsFormat.JSON, ("application/json",)),
    Format("xml", QueryResultsFormat.XML, ("application/xml", "text/xml")),
    Format("csv", QueryResultsFormat.CSV),
    Format("tsv", QueryResultsFormat.TSV),
)

_BY_NAME = {fmt.name: fmt for fmt in RDF_FORMATS + RESULTS_FORMATS}


def rdf_format(name: str) -> Format:
    """The RDF format called *name* (KeyError for any other word)."""
    fmt = _BY_NAME[name]
    if fmt.rdf is None:
        raise KeyError(name)
    return fmt


def results_format(name: str) -> Format:
    """The SPARQL results format called *name* (KeyError for any other word)."""
    fmt = _BY_NAME[name]
    if fmt.results is None:
        raise KeyError(name)
    return fmt


def by_name(name: str) -> Format | None:
    return _BY_NAME.get(name)
