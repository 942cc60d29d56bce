"""Resource IRIs and N-Quads term syntax.

IRIs are minted here and nowhere else, so they stay deterministic and valid
whatever the input text holds (spaces, slashes, quotes, ``<``, non-ASCII).
Terms are written straight to N-Quads text: workers hand plain strings to
the store's bulk loader instead of building millions of term objects.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from .vocab import DEFAULT_BASE, MLKG_NS, XSD_NS


def segment(text: str) -> str:
    """Percent-encode one path segment (UTF-8; keeps ``A-Za-z0-9-._~``)."""
    encoded = quote(text, safe="-._~")
    return encoded if encoded not in ("", ".", "..") else quote(text or "_", safe="") + "_"


class Iris:
    """The IRIs of every kind of resource under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.reference_graph = f"{base}graph/reference"

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
        return f"{self.base}org/{segment(slug)}"

    def country(self, iso2: str) -> str:
        return f"{self.base}country/{segment(iso2)}"

    def year(self, year: int) -> str:
        return f"{self.base}year/{year:04d}"


def iri(value: str) -> str:
    return f"<{value}>"


def mlkg(term: str) -> str:
    return f"<{MLKG_NS}{term}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def string(value: str) -> str:
    return '"' + value.translate(_ESCAPES) + '"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{XSD_NS}{datatype}>'


def integer(value: int) -> str:
    return typed(str(int(value)), "integer")


def decimal(value: Decimal | int | float) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    if "." not in text:
        text += ".0"
    return typed(text, "decimal")


def double(value: float) -> str:
    return typed(repr(float(value)).replace("inf", "INF"), "double")


def boolean(value: bool) -> str:
    return typed("true" if value else "false", "boolean")


def duration(lexical: str) -> str:
    return typed(lexical, "duration")


class QuadWriter:
    """Collects N-Quads lines for one named graph."""

    __slots__ = ("graph", "lines")

    def __init__(self, graph: str):
        self.graph = f"<{graph}>"
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} {self.graph} .\n")

    def text(self) -> str:
        return "".join(self.lines)
