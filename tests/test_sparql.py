"""A value put into SPARQL text stays one term, whatever it holds (kg/sparql.py)."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store, Triple, Variable

from kg.push import computed_insert
from kg.query import with_bindings
from kg.sparql import Fragment, SparqlTemplateError, fill, term
from kg.vocab import XSD

HOSTILE = [
    'quote " inside',
    "single ' quote",
    "brace } ; DROP ALL ; {",
    'close " } } INSERT DATA { <http://evil/s> <http://evil/p> "x" } #',
    "new\nline and\r\nreturn",
    "> <http://evil/> <",
    "back\\slash\\",
    "$placeholder ?variable",
    "tab\tand unicode é ∑ 🙂",
    "",
]

LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _store_with(label: str) -> Store:
    store = Store()
    store.add(Quad(NamedNode("http://example.org/hit"), LABEL, Literal(label)))
    store.add(Quad(NamedNode("http://example.org/other"), LABEL, Literal("other")))
    return store


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_matches_only_itself(value):
    """The filled query finds the one node with that label, as pyoxigraph's own substitution does."""
    store = _store_with(value)
    query = fill("SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> $label }", label=value)
    assert [row["s"].value for row in store.query(query)] == ["http://example.org/hit"]
    bound = store.query(
        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        substitutions={Variable("label"): Literal(value)},
    )
    assert [row["s"].value for row in bound] == ["http://example.org/hit"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_literal_pushed_to_a_server_is_one_literal(value):
    """kg push's computed INSERT (STRDT) adds exactly the triple it was given."""
    store = Store()
    triple = Triple(
        NamedNode("http://example.org/run"),
        NamedNode("http://example.org/duration"),
        Literal(value, datatype=XSD.duration),
    )
    store.update(computed_insert("http://example.org/graph", [triple]).decode("utf-8"))
    assert [(q.subject, q.predicate, q.object, q.graph_name) for q in store] == [
        (triple.subject, triple.predicate, triple.object, NamedNode("http://example.org/graph"))
    ]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_bind_value_stays_in_its_values_block(value):
    store = _store_with(value)
    query = with_bindings(
        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }", {"label": [value]}
    )
    assert [row["s"].value for row in store.query(query)] == ["http://example.org/hit"]


@pytest.mark.parametrize("iri", ["http://x/>", "http://x/ y", 'http://x/"', "http://x/{}", "not an iri"])
def test_an_iri_that_would_break_out_cannot_be_made(iri):
    with pytest.raises(ValueError):
        NamedNode(iri)


@pytest.mark.parametrize(
    "value, text",
    [
        ("plain", '"plain"'),
        ('a"b', '"a\\"b"'),
        ("a\nb", '"a\\nb"'),
        (NamedNode("http://example.org/x"), "<http://example.org/x>"),
        (Literal("5", datatype=XSD.integer), '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (Literal("chat", language="fr"), '"chat"@fr'),
        (True, "true"),
        (12, "12"),
        (Fragment("?v0"), "?v0"),
        (Variable("v0"), "?v0"),
        ([NamedNode("http://example.org/x"), 'a"b', 3], '<http://example.org/x> "a\\"b" 3'),
        ((), ""),
    ],
)
def test_term(value, text):
    assert term(value) == text


def test_a_template_and_its_values_must_match():
    with pytest.raises(SparqlTemplateError, match=r"\$missing"):
        fill("SELECT * WHERE { ?s ?p $missing }")
    with pytest.raises(SparqlTemplateError, match="extra"):
        fill("SELECT * WHERE { ?s ?p $o }", o="x", extra="y")
    with pytest.raises(SparqlTemplateError):
        fill("SELECT * WHERE { ?s ?p $o }", o=1.5)  # a float has no one exact SPARQL spelling here


def test_filled_text_is_not_filled_again():
    assert fill("$a $b", a="$b", b="x") == '"$b" "x"'
