"""JSON-LD that reads like plain JSON: term names and numbers, not IRIs and strings.

pyoxigraph's JSON-LD serializer writes expanded JSON-LD (full IRIs, every
value a ``{"@value": "...", "@type": "..."}`` object) and takes no context,
so the store is written here instead, streaming, with a context made from
the ontology: each mlkg term is its own name (``"parameterCount"``), a
property whose range is a class takes plain IRIs, and a property whose range
is a number datatype takes JSON numbers (and booleans are JSON booleans).

A number is written as a JSON number only when JSON-LD's conversion back to
RDF gives the same typed value: integers below 10^21 (larger ones would come
back as doubles), decimals without a fraction (JSON-LD would turn 0.4 into
the double form ``4.0E-1``), and every finite double (it comes back in the
canonical form, ``1.5E21`` for ``1500000000000000000000``). Any other value
keeps its exact text.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Union

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from .vocab import CLASSES, MLKG_NS, PREFIXES, RDF_NS, RDFS_NS, XSD_NS

if TYPE_CHECKING:
    from .store import KnowledgeGraph

_RDF_TYPE = RDF_NS + "type"
_XSD_STRING = XSD_NS + "string"
_INTEGER, _DECIMAL, _DOUBLE = XSD_NS + "integer", XSD_NS + "decimal", XSD_NS + "double"
_BOOLEAN = XSD_NS + "boolean"
#: canonical xsd:integer text: no sign but minus, no leading zeros
_CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
#: from here on JSON-LD reads a JSON number as an xsd:double
_DOUBLE_FROM = 10**21

Number = Union[int, float]


def json_number(lexical: str, datatype: str) -> Number | None:
    """The JSON number that JSON-LD turns back into this typed literal, or None when there is none."""
    if datatype in (_INTEGER, _DECIMAL):
        if _CANONICAL_INTEGER.fullmatch(lexical) and abs(int(lexical)) < _DOUBLE_FROM:
            return int(lexical)
        return None
    if datatype == _DOUBLE:
        try:
            number = float(lexical)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


@lru_cache(maxsize=1)
def _ranges() -> dict[str, str]:
    """Each mlkg property's rdfs:range, read from the bundled ontology."""
    from .validate import ontology_text

    ranges = {}
    for triple in parse(ontology_text("mlkg.ttl"), format=RdfFormat.TURTLE):
        if triple.predicate.value == RDFS_NS + "range" and triple.subject.value.startswith(MLKG_NS):
            ranges[triple.subject.value] = triple.object.value
    return ranges


def _coercion(range_iri: str) -> str | None:
    """How a property's values are written: as IRIs (``@id``), typed numbers, or as they are."""
    if range_iri.startswith(MLKG_NS):
        return "@id"
    if range_iri in (_INTEGER, _DECIMAL, _DOUBLE):
        return range_iri
    return None


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[str, str | None]]:
    """mlkg IRI -> (plain term name, coercion) for every class and property of the ontology."""
    terms: dict[str, tuple[str, str | None]] = {MLKG_NS + name: (name, None) for name in CLASSES}
    for iri, range_iri in _ranges().items():
        terms[iri] = (iri[len(MLKG_NS) :], _coercion(range_iri))
    return terms


def _compact_prefixed(value: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if value.startswith(namespace):
            return f"{prefix}:{value[len(namespace) :]}"
    return value


def context(base: str | None) -> dict:
    """The ``@context``: the prefixes, then one plain name per mlkg class and property."""
    ctx: dict = dict(PREFIXES)
    if base:
        ctx["@base"] = base
    for iri, (name, coercion) in _terms().items():
        if coercion is None:
            ctx[name] = _compact_prefixed(iri)
        else:
            ctx[name] = {"@id": _compact_prefixed(iri), "@type": _compact_prefixed(coercion)}
    return ctx


class _Compactor:
    def __init__(self, base: str | None):
        self.base = base
        self.terms = _terms()
        # longest namespace first, so mlkg: wins over a shorter match
        self.prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def iri(self, value: str, *, vocab: bool) -> str:
        if vocab and value in self.terms:
            return self.terms[value][0]
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

    def value(self, term, coercion: str | None):
        """*term* as the value of a property whose context entry coerces to *coercion*."""
        if not isinstance(term, Literal):
            node = self.node(term)
            return node if coercion == "@id" else {"@id": node}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return term.value if coercion is None else {"@value": term.value}
        number = json_number(term.value, datatype)
        if datatype == coercion:
            return term.value if number is None else number
        if number is not None and datatype == _INTEGER and coercion is None:
            return number  # a bare JSON integer is read as xsd:integer
        if datatype == _BOOLEAN and term.value in ("true", "false") and coercion is None:
            return term.value == "true"  # and a bare JSON boolean as xsd:boolean
        return {"@value": term.value if number is None else number, "@type": self.iri(datatype, vocab=True)}


def write_jsonld(kg: KnowledgeGraph, stream: IO[bytes], *, base: str | None = None) -> None:
    """Stream JSON-LD: one graph object per named graph, nodes grouped by subject."""
    compact = _Compactor(base)
    write = stream.write
    write(b'{"@context": ' + json.dumps(context(base)).encode() + b',\n "@graph": [')
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
        assert node is not None
        predicate = quad.predicate.value
        if predicate == _RDF_TYPE and isinstance(quad.object, NamedNode):
            node.setdefault("@type", []).append(compact.iri(quad.object.value, vocab=True))
        else:
            key = compact.iri(predicate, vocab=True)
            coercion = compact.terms[predicate][1] if predicate in compact.terms else None
            node.setdefault(key, []).append(compact.value(quad.object, coercion))
    if node is not None:
        emit(node)
    if in_named_graph:
        write(b"\n  ]}")
    write(b"\n]}\n")
