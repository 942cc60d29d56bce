"""A SHACL-core checker for the shapes in ``ontology/shapes.ttl``, on pyoxigraph terms.

pyshacl checks an rdflib graph: building one costs a paper as much as
pyshacl's own evaluation, and both cost about four times what mapping the
paper does. This checker reads the shapes (still the Turtle file: no rule
is written here as Python) and evaluates them over the statements the
mapping already holds, indexed in plain dicts.

It knows exactly the SHACL constructs the shapes file uses, with pyshacl's
reading of each (which literals are ill-typed, how values compare, which
results a failed ``sh:node`` adds); a shapes graph that uses anything else
is refused (:class:`UnsupportedShapes`) rather than half-checked. Value
tests go through rdflib's literals, converted once per distinct value, so
that a value means to both engines what it means to rdflib.
``tests/test_shapes.py`` runs both engines on the same graphs and compares
every result: focus node, path, value, severity, message and source shape.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, NamedTuple

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .errors import KgError

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDFS_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_RESOURCE = "http://www.w3.org/2000/01/rdf-schema#Resource"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = XSD + "integer"
XSD_STRING = XSD + "string"
VIOLATION = SH + "Violation"

#: SHACL terms this checker evaluates (as predicates of a shape)...
EVALUATED = frozenset(
    SH + name
    for name in (
        "targetClass",
        "targetNode",
        "property",
        "path",
        "inversePath",
        "datatype",
        "nodeKind",
        "class",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "in",
        "pattern",
        "node",
        "closed",
        "ignoredProperties",
        "equals",
        "disjoint",
        "lessThanOrEquals",
        "severity",
        "message",
    )
)
#: ...and those that change no result.
DESCRIPTIVE = frozenset(SH + name for name in ("name", "description", "order", "group"))
#: Classes that make a shape an implicit class target (not supported).
CLASS_TYPES = frozenset(("http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class"))
NODE_KINDS = {
    SH + "IRI": (NamedNode,),
    SH + "Literal": (Literal,),
    SH + "BlankNode": (BlankNode,),
    SH + "BlankNodeOrIRI": (BlankNode, NamedNode),
    SH + "BlankNodeOrLiteral": (BlankNode, Literal),
    SH + "IRIOrLiteral": (NamedNode, Literal),
}


_UNKNOWN = object()


class UnsupportedShapes(KgError, ValueError):
    """The shapes use a SHACL construct this checker does not evaluate (pyshacl still can)."""


#: Tests that compare a node's values with those of another of its properties.
PAIRS = frozenset(("equals", "disjoint", "lessThanOrEquals"))


class Result(NamedTuple):
    """One validation result, each term as text (an inverse path as ``^IRI``; no value: "")."""

    focus: str
    path: str
    value: str
    severity: str
    message: str
    shape: str


# -- terms ---------------------------------------------------------------------------

#: A statement as the checker reads it: subject, predicate IRI, object. Each
#: attribute read from a pyoxigraph triple makes a new object, so they are
#: read once per statement, here, rather than at every lookup.
Statement = tuple[Any, str, Any]


def statements(triples: Iterable[Triple]) -> list[Statement]:
    """Triples (or quads, whose graph is ignored) as the checker reads them."""
    return [(t.subject, t.predicate.value, t.object) for t in triples]


def rdflib_term(term):
    """The rdflib term for a pyoxigraph one, as an rdflib graph parsed from the same N-Triples holds it."""
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdfLiteral

    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        return RdfLiteral(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    if isinstance(term, BlankNode):
        return BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")


def oxigraph_term(term):
    """The pyoxigraph term for an rdflib one (a shapes graph's target node)."""
    from rdflib import BNode, URIRef

    if isinstance(term, URIRef):
        return NamedNode(str(term))
    if isinstance(term, BNode):
        return BlankNode(str(term))
    if term.language:
        return Literal(str(term), language=term.language)
    return Literal(str(term), datatype=NamedNode(str(term.datatype or XSD_STRING)))


class _Terms:
    """rdflib terms for pyoxigraph ones, converted once per distinct term and forgotten when many."""

    LIMIT = 200_000

    def __init__(self):
        self.known: dict = {}

    def __call__(self, term):
        found = self.known.get(term)
        if found is None:
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            found = self.known[term] = rdflib_term(term)
        return found


# -- value tests, as pyshacl reads them ------------------------------------------------


def _actual_datatype(value, datatype: str) -> bool:
    """Whether rdflib's Python value of a literal is of the kind *datatype* promises."""
    from datetime import date, datetime, time

    kinds: dict[str, type | tuple[type, ...]] = {
        XSD_STRING: (str, bytes),
        RDF_LANG_STRING: (str, bytes),
        XSD + "integer": int,
        XSD + "float": float,
        XSD + "decimal": Decimal,
        XSD + "boolean": bool,
        XSD + "date": date,
        XSD + "time": time,
        XSD + "dateTime": datetime,
    }
    kind = kinds.get(datatype)
    return kind is None or isinstance(value, kind)


def datatype_matches(value, datatype: str) -> bool:
    """sh:datatype on an rdflib term."""
    from rdflib import Literal as RdfLiteral

    if not isinstance(value, RdfLiteral):
        return False
    if value.datatype is not None and str(value.datatype) == datatype:
        return getattr(value, "ill_typed", None) is not True and _actual_datatype(value.value, datatype)
    if datatype == "http://www.w3.org/2000/01/rdf-schema#Literal":
        return True
    if datatype == "http://www.w3.org/2000/01/rdf-schema#Datatype":
        return value.datatype is not None
    if value.datatype is None and value.language is None and datatype == XSD_STRING:
        return _actual_datatype(value.value, datatype)
    if datatype == RDF_LANG_STRING and value.language:
        return _actual_datatype(value.value, datatype)
    return False


_DIGITS = re.compile(r"[+-]?[0-9]{1,100}\Z")


#: decimals and doubles written as plain digits with an optional fraction (as kg.terms writes them)
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]{1,100}(?:\.[0-9]{1,100})?\Z")
_PLAIN_NUMBER_TYPES = frozenset({XSD + "decimal", XSD + "double"})


def plain_integer(term) -> int | None:
    """The number of an xsd:integer literal written as plain digits, else None.

    rdflib reads such a literal as Python's int() does, so a value test on
    it can compare the int and skip making an rdflib term (the costly part
    of checking a paper: every offset is a new value).
    """
    if isinstance(term, Literal) and _DIGITS.match(term.value) and term.datatype.value == XSD_INTEGER:
        return int(term.value)
    return None


def compare_literal(left, right) -> int:
    """-1, 0 or 1 as *left* is below, equal to or above *right* (rdflib literals); TypeError if they do not compare."""
    from datetime import datetime, time

    if left.eq(right):
        return 0
    if isinstance(left.value, (datetime, time)):
        if left.value == right.value:
            return 0
        if left.value > right.value:
            return 1
    elif left > right:
        return 1
    return -1


def in_range(value, bound, test) -> bool:
    """sh:min/maxInclusive/Exclusive: *test* of how *value* compares to *bound*; what does not compare fails."""
    from rdflib import Literal as RdfLiteral

    if not isinstance(value, RdfLiteral):
        return False
    if isinstance(bound.value, str) != isinstance(value.value, str):
        return False
    try:
        return test(compare_literal(value, bound))
    except (TypeError, NotImplementedError):
        return False


def as_string(value) -> str:
    """A term's text for sh:pattern."""
    from rdflib import Literal as RdfLiteral

    if (
        isinstance(value, RdfLiteral)
        and value.value is not None
        and (value.datatype is None or str(value.datatype) in (XSD_STRING, RDF_LANG_STRING))
    ):
        return str(value.value)
    return str(value)


def less_or_equal(value, other) -> bool:
    """sh:lessThanOrEquals of two rdflib terms: IRIs and strings compare as text, with each other only."""
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdfLiteral

    if isinstance(value, BNode) or isinstance(other, BNode):
        raise UnsupportedShapes("sh:lessThanOrEquals cannot compare a blank node")

    def plain(term):
        if isinstance(term, URIRef):
            return str(term), True
        if isinstance(term, RdfLiteral) and isinstance(term.value, str):
            return term.value, True
        return term, False

    (left, left_text), (right, right_text) = plain(value), plain(other)
    return left_text == right_text and left <= right


# -- the shapes ------------------------------------------------------------------------


@dataclass
class Shape:
    """One shape, compiled: its path (a predicate IRI and whether inverse), tests and sub-shapes."""

    name: str
    path: tuple[str, bool] | None = None
    severity: str = VIOLATION
    message: str | None = None
    target_classes: list[str] = field(default_factory=list)
    target_nodes: list = field(default_factory=list)
    #: (component, parameter): value tests and the counts and comparisons of a focus node's values
    tests: list[tuple[str, object]] = field(default_factory=list)
    properties: list["Shape"] = field(default_factory=list)
    nodes: list["Shape"] = field(default_factory=list)
    #: the predicates a closed shape allows, None when it is open
    allowed: frozenset[str] | None = None
    #: no result can come of a focus node without values on the path (no sh:minCount, sh:equals or sh:property)
    quiet_when_empty: bool = False

    @property
    def path_text(self) -> str:
        if self.path is None:
            return ""
        return ("^" if self.path[1] else "") + self.path[0]


class _Compiler:
    def __init__(self, graph):
        from rdflib import URIRef

        self.graph = graph
        self.sh = lambda name: URIRef(SH + name)
        self.shapes: dict = {}

    def refuse(self, node, why: str):
        raise UnsupportedShapes(f"shape {node}: {why}; mlkg's SHACL checker cannot evaluate it (pyshacl can)")

    def one(self, node, name: str):
        values = list(self.graph.objects(node, self.sh(name)))
        if len(values) > 1:
            self.refuse(node, f"more than one sh:{name}")
        return values[0] if values else None

    def items(self, node, name: str) -> list:
        head = self.one(node, name)
        return list(self.graph.items(head)) if head is not None else []

    def path(self, node) -> tuple[str, bool] | None:
        from rdflib import BNode, URIRef

        path = self.one(node, "path")
        if path is None or isinstance(path, URIRef):
            return None if path is None else (str(path), False)
        inverse = list(self.graph.objects(path, self.sh("inversePath"))) if isinstance(path, BNode) else []
        others = [p for p in self.graph.predicates(path, None) if p != self.sh("inversePath")]
        if len(inverse) != 1 or not isinstance(inverse[0], URIRef) or others:
            self.refuse(node, "a path that is neither a property nor the inverse of one")
        return (str(inverse[0]), True)

    def compile(self, node) -> Shape:
        from rdflib import Literal as RdfLiteral
        from rdflib import URIRef

        found = self.shapes.get(node)
        if found is not None:
            return found
        shape = self.shapes[node] = Shape(name=str(node))
        graph = self.graph
        for predicate in set(graph.predicates(node, None)):
            if str(predicate).startswith(SH) and str(predicate) not in EVALUATED | DESCRIPTIVE:
                self.refuse(node, f"{predicate} is not supported")
        if any(str(t) in CLASS_TYPES for t in graph.objects(node, URIRef(RDF_TYPE))):
            self.refuse(node, "a shape that is also a class (an implicit class target)")
        shape.path = self.path(node)
        severity = self.one(node, "severity")
        shape.severity = str(severity) if severity is not None else VIOLATION
        messages = list(graph.objects(node, self.sh("message")))
        if len(messages) > 1:
            self.refuse(node, "more than one sh:message")
        shape.message = str(messages[0]) if messages else None
        shape.target_classes = [str(c) for c in graph.objects(node, self.sh("targetClass"))]
        shape.target_nodes = [oxigraph_term(n) for n in graph.objects(node, self.sh("targetNode"))]
        tests = shape.tests
        for value in graph.objects(node, self.sh("datatype")):
            tests.append(("datatype", str(value)))
        for value in graph.objects(node, self.sh("nodeKind")):
            if str(value) not in NODE_KINDS:
                self.refuse(node, f"unknown node kind {value}")
            tests.append(("nodeKind", NODE_KINDS[str(value)]))
        for value in graph.objects(node, self.sh("class")):
            tests.append(("class", str(value)))
        for name, test in (
            ("minInclusive", lambda c: c >= 0),
            ("minExclusive", lambda c: c > 0),
            ("maxInclusive", lambda c: c <= 0),
            ("maxExclusive", lambda c: c < 0),
        ):
            for value in graph.objects(node, self.sh(name)):
                if not isinstance(value, RdfLiteral):
                    self.refuse(node, f"sh:{name} of a node that is not a literal")
                tests.append(("range", (value, test)))
        if (node, self.sh("in"), None) in graph:
            tests.append(("in", frozenset(self.items(node, "in"))))
        for value in graph.objects(node, self.sh("pattern")):
            tests.append(("pattern", re.compile(str(value))))
        for name in ("minCount", "maxCount"):
            value = self.one(node, name)
            if value is not None:
                tests.append((name, int(value)))
        for name in ("equals", "disjoint", "lessThanOrEquals"):
            for value in graph.objects(node, self.sh(name)):
                if not isinstance(value, URIRef):
                    self.refuse(node, f"sh:{name} of something other than a property")
                tests.append((name, str(value)))
        shape.properties = [self.compile(p) for p in graph.objects(node, self.sh("property"))]
        if any(p.path is None for p in shape.properties):
            self.refuse(node, "an sh:property shape without an sh:path")
        shape.nodes = [self.compile(n) for n in graph.objects(node, self.sh("node"))]
        closed = self.one(node, "closed")
        if closed is not None and bool(closed.toPython()):
            allowed = {p.path[0] for p in shape.properties if p.path is not None and not p.path[1]}
            allowed.update(str(p) for p in self.items(node, "ignoredProperties"))
            shape.allowed = frozenset(allowed)
        elif (node, self.sh("ignoredProperties"), None) in graph:
            self.refuse(node, "sh:ignoredProperties on a shape that is not closed")
        shape.quiet_when_empty = not shape.properties and all(kind not in ("minCount", "equals") for kind, _ in tests)
        return shape


def _refuse_recursion(shape: Shape, path: tuple[str, ...] = ()) -> None:
    """A shape that reaches itself through sh:node or sh:property (pyshacl stops there with a warning)."""
    if shape.name in path:
        raise UnsupportedShapes(
            f"shape {shape.name} refers to itself; recursive shapes are not supported (pyshacl can check them)"
        )
    for other in (*shape.properties, *shape.nodes):
        _refuse_recursion(other, (*path, shape.name))


def _needs_message(shape: Shape, seen: set) -> None:
    """Every shape whose results reach a report has its sh:message (pyshacl's own texts are not copied)."""
    if shape.name in seen:
        return
    seen.add(shape.name)
    if shape.tests and shape.message is None:
        raise UnsupportedShapes(
            f"shape {shape.name} has no sh:message; mlkg's SHACL checker reports only sh:message texts (pyshacl can check it)"
        )
    for other in (*shape.properties, *shape.nodes):
        _needs_message(other, seen)


class Checker:
    """The shapes of one shapes graph (rdflib), ready to check statements (pyoxigraph triples)."""

    def __init__(self, shapes_graph):
        from rdflib import URIRef

        for predicate in set(shapes_graph.predicates()):
            if str(predicate).startswith(SH) and str(predicate) not in EVALUATED | DESCRIPTIVE:
                raise UnsupportedShapes(
                    f"the shapes use {predicate}, which mlkg's SHACL checker does not evaluate (pyshacl can)"
                )
        compiler = _Compiler(shapes_graph)
        targeted = set()
        for name in ("targetClass", "targetNode"):
            targeted.update(shapes_graph.subjects(URIRef(SH + name), None))
        self.shapes = [compiler.compile(node) for node in sorted(targeted, key=str)]
        seen: set = set()
        for shape in self.shapes:
            _refuse_recursion(shape)
            _needs_message(shape, seen)
        self.terms = _Terms()
        self._value_cache: dict = {}
        self._integers: dict = {}  # term -> plain_integer(term): offsets recur across tests and papers
        #: the predicates inverse paths follow (the only ones indexed from object to subject)
        self.inverse = frozenset(shape.path[0] for shape in compiler.shapes.values() if shape.path and shape.path[1])

    def check(self, triples: Iterable[Triple]) -> list[Result]:
        """Every result of checking the graph of *triples* (or quads) against the shapes."""
        return self.check_statements(statements(triples))

    def check_statements(self, held: Iterable[Statement]) -> list[Result]:
        """As :meth:`check`, for statements already read (see :func:`statements`)."""
        data = _Data(held, self.terms, self.inverse)
        results: list[Result] = []
        evaluate = self._evaluate
        for shape in self.shapes:
            for focus in data.focus_nodes(shape):
                evaluate(shape, focus, data, results)
        return results

    # -- evaluation --------------------------------------------------------------------

    def _integer(self, term) -> int | None:
        """:func:`plain_integer`, remembered per term."""
        found = self._integers.get(term, _UNKNOWN)
        if found is _UNKNOWN:
            if len(self._integers) >= _Terms.LIMIT:
                self._integers.clear()
            found = self._integers[term] = plain_integer(term)
        return found

    def _passes(self, kind: str, parameter, value, data: "_Data") -> bool:
        """A value test, remembered per distinct (test, value) as it depends on nothing else."""
        if kind == "class":
            if isinstance(value, Literal):
                return False
            return any(t == parameter or parameter in data.superclasses(t) for t in data.types.get(value, ()))
        if kind == "nodeKind":
            return isinstance(value, parameter)
        if kind == "datatype" and parameter == XSD_STRING and isinstance(value, Literal):
            if value.datatype.value == XSD_STRING:
                return True
        elif kind == "datatype" and parameter == XSD_INTEGER and self._integer(value) is not None:
            return True
        elif kind == "datatype" and parameter in _PLAIN_NUMBER_TYPES and isinstance(value, Literal):
            # rdflib reads these as a valid Decimal or float, of the type the shape asks for
            if value.datatype.value == parameter and _PLAIN_NUMBER.match(value.value):
                return True
        elif kind == "pattern" and isinstance(value, Literal) and value.datatype.value == XSD_STRING:
            return parameter.search(value.value) is not None
        elif kind == "range" and type(parameter[0].value) is int:
            number = self._integer(value)
            if number is not None:
                bound, test = parameter
                return test((number > bound.value) - (number < bound.value))
        key = (kind, id(parameter), value)
        cache = self._value_cache
        found = cache.get(key)
        if found is None:
            term = self.terms(value)
            if kind == "datatype":
                found = datatype_matches(term, parameter)
            elif kind == "range":
                bound, test = parameter
                found = in_range(term, bound, test)
            elif kind == "in":
                found = term in parameter
            elif kind == "pattern":
                found = not isinstance(value, BlankNode) and parameter.search(as_string(term)) is not None
            else:
                raise AssertionError(kind)
            if len(cache) >= _Terms.LIMIT:
                cache.clear()
            cache[key] = found
        return found

    def _result(self, shape: Shape, focus, value=None, path: str | None = None, message: str | None = None) -> Result:
        return Result(
            str(self.terms(focus)),
            shape.path_text if path is None else path,
            "" if value is None else _value_text(self.terms(value)),
            shape.severity,
            (shape.message or "") if message is None else message,
            shape.name,
        )

    def _evaluate(self, shape: Shape, focus, data: "_Data", results: list) -> None:
        """Add to *results* those of *shape* at *focus*: its own tests, its property shapes', and sh:node's."""
        path = shape.path
        values: list
        if path is None:
            values = [focus]
        else:
            found = (data.back if path[1] else data.out).get(focus)
            values = found.get(path[0], []) if found else []
            if not values and shape.quiet_when_empty:
                return
        passes = self._passes
        for kind, parameter in shape.tests:
            if kind == "minCount":
                if len(values) < parameter:  # type: ignore[operator]
                    results.append(self._result(shape, focus))
            elif kind == "maxCount":
                if len(values) > parameter:  # type: ignore[operator]
                    results.append(self._result(shape, focus))
            elif kind in PAIRS:
                found = data.out.get(focus)
                others = found.get(parameter, []) if found else []
                for value in self._pair(kind, values, others):
                    results.append(self._result(shape, focus, value))
            else:
                for value in values:
                    if not passes(kind, parameter, value, data):
                        results.append(self._result(shape, focus, value))
        for prop in shape.properties:
            self._evaluate(prop, focus, data, results)
        for node in shape.nodes:
            for value in values:
                found_there: list = []
                self._evaluate(node, value, data, found_there)
                if found_there:
                    results.append(self._result(shape, focus, value))
                    results.extend(found_there)  # pyshacl reports them too, as the result's sh:detail
        if shape.allowed is not None:
            for value in values:
                for predicate, objects in data.out.get(value, {}).items():
                    if predicate in shape.allowed:
                        continue
                    for obj in objects:
                        if predicate == RDF_TYPE and isinstance(obj, NamedNode) and obj.value == RDFS_RESOURCE:
                            continue
                        message = shape.message or (
                            f"Node {self._describe(value)} is closed. It cannot have value: {self._describe(obj)}"
                        )
                        results.append(self._result(shape, focus, obj, predicate, message))

    def _pair(self, kind: str, values: list, others: list) -> list:
        """The values (or, for sh:equals, the other property's values) that break a property-pair test."""
        if kind == "lessThanOrEquals":  # offsets: compared as ints where rdflib reads ints
            numbers = [self._integer(v) for v in values]
            other_numbers = [self._integer(o) for o in others]
            if None not in numbers and None not in other_numbers:
                return [v for v, n in zip(values, numbers) for o in other_numbers if n > o]  # type: ignore[operator]
        mine = [self.terms(v) for v in values]
        theirs = [self.terms(v) for v in others]
        if kind == "equals":
            missing = [v for v, t in zip(values, mine) if t not in set(theirs)]
            extra = [o for o, t in zip(others, theirs) if t not in set(mine)]
            return _distinct(missing, mine, values) + _distinct(extra, theirs, others)
        if kind == "disjoint":
            return _distinct([v for v, t in zip(values, mine) if t in set(theirs)], mine, values)
        broken = []
        cache = self._value_cache
        for value, term in zip(values, mine):
            for other, other_term in zip(others, theirs):
                key = ("lessThanOrEquals", value, other)
                found = cache.get(key)
                if found is None:
                    found = cache[key] = less_or_equal(term, other_term)
                if not found:
                    broken.append(value)
        return broken

    _namespaces: Any = None  # rdflib's NamespaceManager, made on first use

    def _describe(self, term) -> str:
        """A term as pyshacl writes it into a message (prefixed IRI, or ``Literal("...", datatype=...)``)."""
        from rdflib import Graph
        from rdflib import Literal as RdfLiteral

        if Checker._namespaces is None:
            manager = Graph().namespace_manager
            manager.bind("sh", SH, override=False, replace=False)
            Checker._namespaces = manager
        manager = Checker._namespaces
        value = self.terms(term)
        if isinstance(value, RdfLiteral):
            lexical = str(value)
            python = None if value.value is None else str(value.value)
            if python is not None and " object at 0x" in python:
                python = python[: python.find(" object at 0x")]
            text = f'"{lexical}" = {python}' if python is not None and python != lexical else f'"{lexical}"'
            if value.language:
                text += f", lang={value.language}"
            if value.datatype:
                text += f", datatype={value.datatype.n3(namespace_manager=manager)}"
            return f"Literal({text})"
        if isinstance(term, BlankNode):
            raise UnsupportedShapes(
                "a closed shape's result names a blank node, which mlkg's SHACL checker does not describe (pyshacl can)"
            )
        return value.n3(namespace_manager=manager)


def _value_text(term) -> str:
    """A result's value as written in the report: "0", "false" and "" stay what they are; "" only when there is none."""
    return "" if term is None else str(term)


def _distinct(chosen: list, terms: list, values: list) -> list:
    """*chosen* once per distinct rdflib term (pyshacl compares sets of rdflib terms)."""
    seen, kept = set(), []
    lookup = dict(zip(values, terms)) if values else {}
    for value in chosen:
        term = lookup.get(value, value)
        if term not in seen:
            seen.add(term)
            kept.append(value)
    return kept


class _Data:
    """One graph's statements, indexed for the lookups shapes make."""

    def __init__(self, held: Iterable[Statement], terms: _Terms, inverse: frozenset[str]):
        out: dict = {}
        back: dict = {}
        types: dict = {}
        instances: dict = {}
        self.subclass: dict = defaultdict(set)
        self._superclasses: dict = {}
        self._focus: dict = {}
        doubled = []  # (subject, predicate) with more than one value: rdflib may read two of them as one
        last: Any = None
        by_predicate: dict = {}
        for subject, predicate, obj in held:
            if subject is not last:  # statements come grouped by subject: look each group's up once
                last = subject
                by_predicate = out.setdefault(subject, {})
            found = by_predicate.get(predicate)
            if found is None:
                by_predicate[predicate] = [obj]
            elif obj in found:
                continue  # a graph holds a statement once
            else:
                found.append(obj)
                doubled.append((subject, predicate))
            if predicate == RDF_TYPE and isinstance(obj, NamedNode):
                types.setdefault(subject, []).append(obj.value)
                instances.setdefault(obj.value, []).append(subject)
            elif predicate == RDFS_SUBCLASS_OF and isinstance(obj, NamedNode) and isinstance(subject, NamedNode):
                self.subclass[subject.value].add(obj.value)
        for subject, predicate in dict.fromkeys(doubled):
            # rdflib reads "01"^^xsd:integer as "1"^^xsd:integer: one value, as pyshacl counts it
            objects = out[subject][predicate]
            if any(isinstance(o, Literal) for o in objects):
                kept: dict = {}
                for obj in objects:
                    kept.setdefault(terms(obj) if isinstance(obj, Literal) else obj, obj)
                out[subject][predicate] = list(kept.values())
        for subject, by_predicate in out.items() if inverse else ():
            for predicate in inverse & by_predicate.keys():
                for obj in by_predicate[predicate]:
                    back.setdefault(obj, {}).setdefault(predicate, []).append(subject)
        self.out, self.back, self.types, self.instances = out, back, types, instances

    def superclasses(self, cls: str) -> set:
        """Every class *cls* is a subclass of, through rdfs:subClassOf in the data, itself included."""
        found = self._superclasses.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            while todo:
                for parent in self.subclass.get(todo.pop(), ()):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            self._superclasses[cls] = found
        return found

    def focus_nodes(self, shape: Shape) -> list:
        key = (tuple(shape.target_nodes), tuple(shape.target_classes))
        found = self._focus.get(key)
        if found is None:
            nodes = dict.fromkeys(shape.target_nodes)
            for cls in shape.target_classes:
                for member in self.instances:
                    if member == cls or cls in self.superclasses(member):
                        nodes.update(dict.fromkeys(self.instances[member]))
            found = self._focus[key] = list(nodes)
        return found
