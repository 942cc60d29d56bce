"""Ask SPARQL questions of a built graph: inline, from a file, or by name.

Bundled queries are ``.rq`` files in ``kg/queries/``; each starts with
``# title:`` and ``# description:`` comment lines that ``kg query --list``
shows. Add a query by dropping a file there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import IO

from pyoxigraph import BlankNode, Literal, QueryBoolean, QueryResultsFormat, QueryTriples, RdfFormat

from .store import KnowledgeGraph
from .vocab import PREFIXES


class QueryError(ValueError):
    """The query cannot be found or does not parse."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str


def _header(text: str, key: str) -> str:
    match = re.search(rf"^#\s*{key}:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def bundled_queries() -> list[NamedQuery]:
    folder = resources.files(__package__).joinpath("queries")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            text = entry.read_text(encoding="utf-8")
            found.append(
                NamedQuery(entry.name[:-3], _header(text, "title"), _header(text, "description"), text)
            )
    return found


def named_query(name: str) -> NamedQuery:
    for query in bundled_queries():
        if query.name == name:
            return query
    raise QueryError(f"no bundled query named {name!r}; see `kg query --list`")


_SPARQL_START = re.compile(r"^\s*(?:#.*\n\s*)*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def resolve_query(arg: str) -> str:
    """Turn a command-line argument into SPARQL text."""
    if arg.endswith(".rq") or (len(arg) < 256 and "\n" not in arg and Path(arg).is_file()):
        path = Path(arg)
        if not path.is_file():
            raise QueryError(f"no such query file: {arg}")
        return path.read_text(encoding="utf-8")
    if _SPARQL_START.match(arg):
        return arg
    if re.fullmatch(r"[A-Za-z0-9_-]+", arg):
        return named_query(arg).text
    raise QueryError(f"{arg!r} is neither SPARQL, a .rq file, nor a bundled query name")


def run_query(kg: KnowledgeGraph, sparql: str, **options):
    """Run SPARQL over the union of all graphs, with the mlkg prefixes predeclared."""
    try:
        return kg.query(sparql, **options)
    except SyntaxError as err:
        raise QueryError(f"the query does not parse: {err}") from err


# -- output -------------------------------------------------------------------------


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


_SOLUTION_FORMATS = {
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES}


def compact(term) -> str:
    """A short, readable rendering of a term for tables."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    value = term.value
    for prefix, namespace in PREFIXES.items():
        if value.startswith(namespace):
            return f"{prefix}:{value[len(namespace):]}"
    return value


def rows(result) -> tuple[list[str], list[list[str]]]:
    """Column names and compact text rows of any query result."""
    if isinstance(result, QueryBoolean):
        return ["result"], [["true" if bool(result) else "false"]]
    if isinstance(result, QueryTriples):
        return ["subject", "predicate", "object"], [
            [compact(t.subject), compact(t.predicate), compact(t.object)] for t in result
        ]
    names = [v.value for v in result.variables]
    return names, [[compact(solution[name]) for name in names] for solution in result]


def write_result(result, fmt: ResultFormat | str, stream: IO[bytes]) -> None:
    """Serialize a result in a machine format (everything but ``table``)."""
    fmt = ResultFormat(fmt)
    if isinstance(result, QueryTriples):
        rdf = _GRAPH_FORMATS.get(fmt.value)
        if rdf is None:
            raise QueryError(f"a CONSTRUCT/DESCRIBE result can be written as turtle or ntriples, not {fmt.value}")
        result.serialize(stream, rdf)
        return
    results_format = _SOLUTION_FORMATS.get(fmt.value)
    if results_format is None:
        raise QueryError(f"a SELECT/ASK result can be written as csv, tsv, json or xml, not {fmt.value}")
    result.serialize(stream, results_format)

