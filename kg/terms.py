"""Resource IRIs and Turtle/TriG term syntax.

IRIs are minted here and nowhere else, so they stay deterministic and valid
whatever the input text holds (spaces, slashes, quotes, ``<``, non-ASCII).
Terms are written straight to TriG text: workers hand plain strings to the
store's bulk loader instead of building millions of term objects, and the
same text, grouped by subject with prefixed names and IRIs relative to the
base, is what a fresh build streams into its Turtle and TriG exports.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable
from urllib.parse import quote

from .vocab import DATASETS, DEFAULT_BASE, INDIVIDUALS, PREFIXES, TERMS


def segment(text: str) -> str:
    """Percent-encode one path segment (UTF-8; keeps ``A-Za-z0-9-._~``).

    The mapping is one-to-one, so two different ids never share an IRI
    (and so never a named graph): percent-encoding is undone exactly by
    decoding. ``.`` and ``..`` would be removed as dot-segments when the
    IRI is resolved (the exports write IRIs relative to the base), so their
    dots are written as ``%2E``, which encoding never produces for any
    other text ("." is always kept as it is). A lone surrogate (never in a
    document, which sources reject) is encoded as its three bytes, which no
    valid UTF-8 holds, so even then nothing collides or raises.
    """
    if not text:
        raise ValueError("an empty name has no IRI")
    if text in (".", ".."):
        return "%2E" * len(text)
    return quote(text, safe="-._~", errors="surrogatepass")


class Iris:
    """The IRIs of every kind of resource under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.reference_graph = f"{base}graph/reference"
        self.statistics_graph = f"{base}graph/statistics"

    def paper(self, paper_id: str) -> str:
        return f"{self.base}paper/{segment(paper_id)}"

    def run(self, paper_iri: str) -> str:
        return f"{paper_iri}/run"

    def unnamed_model(self, paper_iri: str) -> str:
        return f"{paper_iri}/model"

    def mention(self, paper_iri: str, number: int) -> str:
        return f"{paper_iri}/mention/{number}"

    def model(self, key: str) -> str:
        return f"{self.base}model/{segment(key)}"

    def hardware(self, catalogue_id: str) -> str:
        return f"{self.base}hardware/{segment(catalogue_id)}"

    def unknown_hardware(self, key: str) -> str:
        return f"{self.base}hardware/unknown/{segment(key)}"

    def organization(self, slug: str) -> str:
        return self.named("org", slug)

    def named(self, path: str, slug: str) -> str:
        """A node a tag kind names (kg.kinds): an organization, a data set."""
        return f"{self.base}{path}/{segment(slug)}"

    def country(self, iso2: str) -> str:
        return f"{self.base}country/{segment(iso2)}"

    def year(self, year: int) -> str:
        return f"{self.base}year/{year:04d}"


_DECLARED = frozenset(TERMS + DATASETS + INDIVIDUALS)


def mlkg(term: str) -> str:
    """A term of the mlkg ontology as a prefixed name; a typo fails here, as ``MLKG.typo`` does, not in the graph."""
    if term not in _DECLARED:
        raise ValueError(f"mlkg:{term} is not a declared term")
    return f"mlkg:{term}"


#: rdf:type and rdfs:label, the two predicates every node has.
TYPE = "a"
LABEL = "rdfs:label"

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def string(value: str) -> str:
    return '"' + value.translate(_ESCAPES) + '"'


def typed(lexical: str, datatype: str) -> str:
    """A literal of an XML Schema datatype (*datatype* is the local name)."""
    return f'"{lexical}"^^xsd:{datatype}'


def integer(value: int) -> str:
    return str(int(value))  # a bare Turtle integer is an xsd:integer


def decimal(value: Decimal | int | float) -> str:
    """An xsd:decimal in the canonical form the store keeps (``672``, ``1.5``).

    Written from the digits alone, with no decimal arithmetic (``normalize``
    would round to the context's 28 digits, or raise under other traps).
    """
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"xsd:decimal has no {number}")
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.") == "":
        text = "0"
    # bare digits-dot-digits is a Turtle decimal; bare digits alone would be an integer
    return text if "." in text else typed(text, "decimal")


def double(value: float | Decimal) -> str:
    """An xsd:double as the store writes it back: the shortest digits that
    read as the same double, in plain notation (``312000000000000``, ``0.1``),
    so streamed and stored exports agree."""
    number = float(value)
    if number != number:
        lexical = "NaN"
    elif number in (float("inf"), float("-inf")):
        lexical = "INF" if number > 0 else "-INF"
    else:
        lexical = format(Decimal(repr(number)), "f")
        if "." in lexical:
            lexical = lexical.rstrip("0").rstrip(".")
    return typed(lexical, "double")


def boolean(value: bool) -> str:
    return "true" if value else "false"


def duration(lexical: str) -> str:
    return typed(lexical, "duration")


def header(base: str) -> str:
    """The ``@base`` and ``@prefix`` lines that the statements of :class:`GraphWriter` assume."""
    lines = [f"@base <{base}> .\n"] if base.endswith("/") else []
    lines += [f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items()]
    return "".join(lines)


class GraphWriter:
    """One named graph's triples as Turtle statements, grouped by subject.

    Subjects at or under the graph's own IRI (a paper, its run, its
    mentions) belong to this graph alone. Statements about other nodes (a
    named model's parameter count) may be repeated by other papers; they
    are kept apart so a union of graphs can write each one once.
    """

    __slots__ = ("graph", "own", "prefix", "cut", "subjects", "others")

    def __init__(self, graph: str, base: str):
        self.prefix = "<" + base if base.endswith("/") else None
        self.cut = len(base) + 1
        self.graph = self.iri(graph)
        self.own = (self.graph, self.graph[:-1] + "/")
        self.subjects: dict[str, list[str]] = {}
        self.others: list[str] = []

    def iri(self, value: str) -> str:
        """An IRI as written here: relative to the base when under it (a base
        ending in ``/``; paths under it are minted by :class:`Iris`)."""
        term = f"<{value}>"
        if self.prefix and term.startswith(self.prefix):
            return "<" + term[self.cut :]
        return term

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """One triple; terms as written by :meth:`iri` and the literal helpers."""
        # a paper may state a fact twice; write it once, as the store keeps it
        if subject.startswith(self.own):
            pairs = self.subjects.setdefault(subject, [])
            pair = f"{predicate} {obj}"
            if pair not in pairs:
                pairs.append(pair)
        else:
            statement = f"{subject} {predicate} {obj} .\n"
            if statement not in self.others:
                self.others.append(statement)

    def describe(self, subject: str, *pairs: tuple[str, str]) -> None:
        """Several triples about one of the graph's own nodes."""
        self.subjects.setdefault(subject, []).extend(f"{p} {o}" for p, o in pairs)

    def statements(self) -> str:
        """The graph's own statements (Turtle, assuming :func:`header`)."""
        return "".join(f"{subject} {_NEXT.join(pairs)} .\n" for subject, pairs in self.subjects.items())


_NEXT = " ;\n    "


def trig_block(graph: str, statements: str, others: Iterable[str] = ()) -> str:
    """A TriG graph block: ``graph { statements }``."""
    return f"{graph} {{\n{statements}{''.join(others)}}}\n"
