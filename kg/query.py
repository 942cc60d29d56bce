"""Ask SPARQL questions of a built graph: inline, from a file, or by name.

Bundled queries are ``.rq`` files in ``kg/queries/``; each starts with
``# title:`` and ``# description:`` comment lines that ``kg query --list``
shows. Add a query by dropping a file there.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import IO, Callable

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QueryTriples, Variable

from .errors import KgError
from .formats import RDF_FORMATS, RESULTS_FORMATS, rdf_format, results_format
from .normalize import NotUnderstood, model_key
from .sparql import Fragment, fill
from .sparql import term as sparql_term
from .store import KnowledgeGraph, mask_sparql
from .terms import segment
from .vocab import PREFIXES, RDFS, SKOS, XSD, XSD_NS


class QueryError(KgError, ValueError):
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
            found.append(NamedQuery(entry.name[:-3], _header(text, "title"), _header(text, "description"), text))
    return found


def named_query(name: str) -> NamedQuery:
    queries = bundled_queries()
    for query in queries:
        if query.name == name:
            return query
    close = difflib.get_close_matches(name, [q.name for q in queries], n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise QueryError(f"no bundled query named {name!r}; {hint}see `kg query --list`")


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


# -- bindings ----------------------------------------------------------------------

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_LITERAL = re.compile(
    r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^<>\"{}|^`\\\s]*>|[A-Za-z][\w.-]*:[\w.-]*))?"
)
_NUMBER = re.compile(r"[+-]?(?:\d+|\d*\.\d+)")
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*):([\w.-]*)")


def binding_terms(value: str) -> list[str]:
    """The SPARQL terms a ``--bind`` value stands for.

    A value written as a SPARQL IRI (``<...>``) or literal (``"..."``,
    with ``@lang`` or ``^^type``) is that term. Any other text is the
    string, and also the number or the IRI it reads as (``2023`` as an
    integer and a decimal, ``mlkg:hardware``), so that a value matches
    whether the graph holds it as text, number or IRI.
    """
    if _IRI.fullmatch(value) or _LITERAL.fullmatch(value):
        return [value]
    terms = [sparql_term(value)]
    if _NUMBER.fullmatch(value):
        terms.append(value)
        if "." not in value:  # a whole number stored as xsd:decimal (accelerator-hours)
            terms.append(sparql_term(Literal(value, datatype=XSD.decimal)))
    prefixed = _PREFIXED.fullmatch(value)
    if prefixed and prefixed.group(1) in PREFIXES:
        terms.append(sparql_term(NamedNode(PREFIXES[prefixed.group(1)] + prefixed.group(2))))
    return terms


def _pattern_start(masked: str) -> int:
    """Where the query's outermost group pattern opens (the position after its ``{``)."""
    form = re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", masked, re.I)
    if not form:
        raise QueryError("only a SELECT, CONSTRUCT, DESCRIBE or ASK query can take bindings")
    position, depth = form.end(), 0
    if form.group(1).upper() == "CONSTRUCT":
        template = re.compile(r"\s*\{").match(masked, position)
        if template:  # skip the template: CONSTRUCT { ... } WHERE { ... }
            position = _closing(masked, template.end() - 1) + 1
    for index in range(position, len(masked)):
        char = masked[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "{" and depth == 0:
            return index + 1
    raise QueryError("the query has no pattern to bind values in")


def _closing(masked: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[index], 0)
        if depth == 0:
            return index
    raise QueryError("the query's braces do not match")


def always_bound(sparql: str) -> set[str]:
    """The variables that every solution of the query's pattern binds.

    A ``VALUES`` block joins with the pattern's solutions, and a solution
    that leaves a variable unbound (an ``OPTIONAL`` that did not match, one
    branch of a ``UNION``, a sub-select that does not return it) joins with
    any value: binding such a variable would give those rows a value they
    do not have. Read from rdflib's SPARQL algebra; when in doubt, a
    variable is not counted.
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    try:
        algebra = prepareQuery(sparql, initNs=PREFIXES).algebra
    except Exception as err:  # rdflib's parser raises a variety of errors
        raise QueryError(f"cannot tell which variables the query always binds: {err}") from err

    def bound(node) -> set:
        name = getattr(node, "name", None)
        if node is None or name is None:
            return set()
        if name == "BGP":
            return {term for triple in node.triples for term in triple if isinstance(term, Variable)}
        if name == "Join":
            return bound(node.p1) | bound(node.p2)
        if name in ("LeftJoin", "Minus"):
            return bound(node.p1)
        if name == "Union":
            return bound(node.p1) & bound(node.p2)
        if name == "Graph":
            return bound(node.p) | ({node.term} if isinstance(node.term, Variable) else set())
        if name == "Project":
            return bound(node.p) & set(node.PV)
        if name == "AggregateJoin":  # grouped: the group keys, where the pattern binds them
            return {v for v in node.p.expr or () if isinstance(v, Variable)} & bound(node.p.p)
        if name == "values":
            return set.intersection(*({v for v, term in row.items() if term != "UNDEF"} for row in node.res))
        if name in (
            "SelectQuery",
            "ConstructQuery",
            "AskQuery",
            "DescribeQuery",
            "Filter",
            "Extend",
            "OrderBy",
            "Slice",
            "Distinct",
            "Reduced",
            "ToMultiSet",
        ):
            return bound(node.p)
        return set()  # anything else (SERVICE, ...): claim nothing

    return {str(v) for v in bound(algebra)}


def with_bindings(sparql: str, bindings: dict[str, list[str]]) -> str:
    """*sparql* restricted to the given values of its variables.

    Each variable gets a ``VALUES`` block at the start of the query's
    pattern, where the engine meets it first: asking a listing about one
    paper or one model then costs a few lookups instead of a pass over the
    whole store. Values are read by :func:`binding_terms`. A variable that
    the query computes, or does not bind in every answer
    (:func:`always_bound`), is refused rather than given to answers that
    lack it.
    """
    if not bindings:
        return sparql
    masked = mask_sparql(sparql)
    start = _pattern_start(masked)
    blocks = []
    certain: set[str] | None = None  # parsed once, and only when a binding gets this far
    for name, values in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise QueryError(f"{name!r} is not a variable name")
        if not re.search(rf"[?$]{name}\b", masked):
            raise QueryError(f"the query has no variable ?{name}")
        if re.search(rf"\bAS\s+[?$]{name}\b", masked, re.I):
            # a VALUES block would meet it before it is computed: wrong answers or none
            raise QueryError(f"?{name} is computed by the query (AS ?{name}); bind what it is computed from")
        if certain is None:
            certain = always_bound(sparql)
        if name not in certain:
            raise QueryError(
                f"?{name} is not set in every answer (it is set only inside OPTIONAL or MINUS, in one branch "
                f"of a UNION, or in a sub-select that does not return it): binding it would give answers "
                f"without it that value"
            )
        terms = dict.fromkeys(text for value in values for text in binding_terms(value))
        # each text is one term: binding_terms wrote it, or checked the user's own spelling of it
        blocks.append(fill(" VALUES $variable { $terms }", variable=Variable(name), terms=[Fragment(t) for t in terms]))
    return sparql[:start] + "".join(blocks) + "\n" + sparql[start:]


def parse_bindings(items: list[str]) -> dict[str, list[str]]:
    """``["paperId=a", "paperId=b", "year=2023"]`` → ``{"paperId": ["a", "b"], "year": ["2023"]}``."""
    bindings: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise QueryError(f"--bind takes VARIABLE=VALUE, not {item!r}")
        bindings.setdefault(name, []).append(value)
    return bindings


_MODEL_NAMED = "SELECT ?name WHERE { ?m a mlkg:Model ; skos:prefLabel ?name FILTER(STRENDS(STR(?m), $suffix)) }"


def model_bindings(kg: KnowledgeGraph, bindings: dict[str, list[str]]) -> dict[str, list[str]]:
    """``--bind model=NAME`` with NAME written any way a paper writes it ("gpt 3", "GPT-3").

    The bundled queries show a model by its name (``skos:prefLabel``); each
    value given for ``model`` that names a model by another spelling becomes
    that name. Values written as SPARQL terms, and names of no model, stay
    as given.
    """
    values = bindings.get("model")
    if not values:
        return bindings
    resolved = []
    for value in values:
        if value.startswith(("<", '"', "'")):
            resolved.append(value)
            continue
        try:
            suffix = "/model/" + segment(model_key(value))
        except (NotUnderstood, ValueError):
            resolved.append(value)
            continue
        found = kg.query(fill(_MODEL_NAMED, suffix=suffix))
        names = [row["name"].value for row in found]
        resolved.extend(names or [value])
    return {**bindings, "model": resolved}


def run_query(kg: KnowledgeGraph, sparql: str, **options):
    """Run SPARQL over the union of all graphs, with the mlkg prefixes predeclared."""
    try:
        return kg.query(sparql, **options)
    except SyntaxError as err:
        undeclared = _undeclared_prefixes(sparql) if "Prefix not found" in str(err) else []
        if undeclared:
            known = ", ".join(f"{prefix}:" for prefix in PREFIXES)
            raise QueryError(
                f"the prefix {', '.join(p + ':' for p in undeclared)} is not declared: add "
                f"PREFIX {undeclared[0]}: <...> to the query, or use a predeclared prefix ({known})"
            ) from err
        raise QueryError(f"the query does not parse: {err}") from err


_PREFIX_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PREFIX_USED = re.compile(r"(?<![\w<?$:])([A-Za-z][\w.-]*):(?!//)")


def _undeclared_prefixes(sparql: str) -> list[str]:
    """Prefixes a query uses (outside strings, IRIs and comments) that neither it nor mlkg declares."""
    masked = mask_sparql(sparql)
    declared = set(PREFIXES) | {m.group(1) or "" for m in _PREFIX_DECLARED.finditer(masked)}
    used = dict.fromkeys(m.group(1) for m in _PREFIX_USED.finditer(masked))
    return [prefix for prefix in used if prefix not in declared]


# -- output -------------------------------------------------------------------------


class ResultFormat(str, Enum):
    """``kg query -f``: a table for people, or a format of :mod:`kg.formats`."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"
    jsonld = "jsonld"
    rdfxml = "rdfxml"
    trig = "trig"
    nquads = "nquads"


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
            return f"{prefix}:{value[len(namespace) :]}"
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


_NUMBER_TYPES = {
    XSD_NS + name
    for name in ("integer", "decimal", "long", "int", "nonNegativeInteger", "positiveInteger", "double", "float")
}
#: above this, a number is shown in scientific notation (3.14e+23 FLOP), as analysts write compute
_SCIENTIFIC = Decimal("1e15")


def readable(term) -> str:
    """A cell as a person reads it: numbers of five digits or more with thousands separators."""
    if isinstance(term, Literal) and term.datatype.value in _NUMBER_TYPES:
        try:
            number = Decimal(term.value)
        except ArithmeticError:
            return term.value
        # four digits stay as they are: years and small counts read better so
        if abs(number) < 10_000:
            return term.value
        if abs(number) >= _SCIENTIFIC:
            return f"{number:.3g}"
        return f"{number:,f}" if "." in term.value else f"{number:,}"
    return compact(term)


def table_rows(result, label: Callable[[str], str | None] | None = None) -> tuple[list[str], list[list[str]], set[int]]:
    """Column names, readable rows and which columns hold numbers, for the table view.

    A node is shown by *label* (its name in the graph) when that gives one,
    else by its compact IRI.
    """
    if isinstance(result, (QueryBoolean, QueryTriples)):
        names, data = rows(result)
        return names, data, set()
    names = [v.value for v in result.variables]
    data, numeric = [], set()
    for solution in result:
        row = []
        for index, name in enumerate(names):
            term = solution[name]
            if isinstance(term, Literal) and term.datatype.value in _NUMBER_TYPES:
                numeric.add(index)
            shown = label(term.value) if label and isinstance(term, NamedNode) else None
            row.append(shown or readable(term))
        data.append(row)
    return names, data, numeric


def labeller(kg: KnowledgeGraph) -> Callable[[str], str | None]:
    """A node's name for people: its skos:prefLabel, else its first rdfs:label (looked up once per node)."""
    known: dict[str, str | None] = {}

    def label(iri: str) -> str | None:
        if iri not in known:
            node = NamedNode(iri)
            names = [
                q.object.value
                for q in kg.store.quads_for_pattern(node, SKOS.prefLabel, None, None)
                if isinstance(q.object, Literal)
            ]
            names = names or sorted(
                q.object.value
                for q in kg.store.quads_for_pattern(node, RDFS.label, None, None)
                if isinstance(q.object, Literal)
            )
            known[iri] = names[0] if names else None
        return known[iri]

    return label


def write_result(result, fmt: ResultFormat | str, stream: IO[bytes]) -> None:
    """Serialize a result in a machine format (everything but ``table``)."""
    name = ResultFormat(fmt).value
    if isinstance(result, QueryTriples):
        try:
            result.serialize(stream, rdf_format(name).rdf)
        except KeyError:
            names = ", ".join(f.name for f in RDF_FORMATS)
            raise QueryError(f"a CONSTRUCT/DESCRIBE result can be written as {names}, not {name}") from None
        return
    try:
        result.serialize(stream, results_format(name).results)
    except KeyError:
        names = ", ".join(f.name for f in RESULTS_FORMATS)
        raise QueryError(f"a SELECT/ASK result can be written as {names}, not {name}") from None
