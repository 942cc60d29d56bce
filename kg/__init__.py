"""mlkg: a knowledge graph of machine-learning training facts.

The library behind the ``kg`` command::

    from kg import build, KnowledgeGraph, run_query
    result = build(["examples/papers"], "output")
    kg = KnowledgeGraph("output", read_only=True)
    for row in run_query(kg, "SELECT ?m WHERE { ?m a mlkg:Model }"):
        print(row["m"])
"""

from .build import BuildResult, build
from .export import ExportFormat, export
from .mapping import MappedDocument, map_document
from .query import bundled_queries, named_query, resolve_query, run_query, with_bindings
from .sources import Document, Rejected, iter_documents
from .store import KnowledgeGraph
from .tags import parse_tags
from .terms import Iris

__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "Document",
    "ExportFormat",
    "Iris",
    "KnowledgeGraph",
    "MappedDocument",
    "Rejected",
    "build",
    "bundled_queries",
    "export",
    "iter_documents",
    "map_document",
    "named_query",
    "parse_tags",
    "resolve_query",
    "run_query",
    "with_bindings",
]
