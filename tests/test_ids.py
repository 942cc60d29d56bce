"""Ids to IRIs: one paper per id, whatever characters the id holds (issue 21, finding 4)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.normalize import model_key
from kg.store import KnowledgeGraph
from kg.terms import Iris, segment

IRIS = Iris()
#: every Unicode code point, lone surrogates included: segment must be total
ANY_TEXT = st.text(st.characters(codec=None, categories=None), min_size=1)


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_distinct_ids_give_distinct_paper_iris(a, b):
    if a != b:
        assert IRIS.paper(a) != IRIS.paper(b)
        assert segment(a) != segment(b)


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT)
def test_every_minted_iri_is_valid_and_one_segment(text):
    for iri in (
        IRIS.paper(text),
        IRIS.model(text),
        IRIS.hardware(text),
        IRIS.unknown_hardware(text),
        IRIS.organization(text),
        IRIS.country(text),
    ):
        assert NamedNode(iri).value == iri
    assert "/" not in segment(text) and segment(text) not in (".", "..")


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_distinct_model_keys_give_distinct_model_iris(a, b):
    try:
        ka, kb = model_key(a), model_key(b)
    except ValueError:  # a blank name has no key
        return
    assert (ka == kb) == (IRIS.model(ka) == IRIS.model(kb))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2301.00001", "2301.00001"),  # ordinary ids stay readable and unchanged
        ("002_80ad1e266ef25220", "002_80ad1e266ef25220"),
        ("a b", "a%20b"),
        ("a/b", "a%2Fb"),
        (".", "%2E"),
        ("..", "%2E%2E"),
        ("._", "._"),
        (".._", ".._"),
        ("...", "..."),
    ],
)
def test_segment_values(text, expected):
    assert segment(text) == expected


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _papers(out):
    kg = KnowledgeGraph(out, read_only=True)
    rows = kg.store.query("SELECT ?g ?id WHERE { GRAPH ?g { ?p <https://w3id.org/mlkg/ontology#paperId> ?id } }")
    return sorted((row["id"].value, row["g"].value) for row in rows)


@pytest.mark.parametrize("pair", [(".", "._"), ("..", ".._")])
def test_dot_ids_built_together_stay_two_papers(tmp_path, pair):
    source = _jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": pair[0], "text": "Trained in <year>2020</year>."},
            {"id": pair[1], "text": "Trained in <year>2021</year>."},
        ],
    )
    result = build([str(source)], tmp_path / "out", jobs=1, validate=False)
    assert result.exit_code == 0
    papers = _papers(tmp_path / "out")
    assert [paper_id for paper_id, _ in papers] == sorted(pair)
    assert len({graph for _, graph in papers}) == 2


def test_kg_add_of_a_dot_id_does_not_replace_another_paper(tmp_path):
    out = tmp_path / "out"
    first = _jsonl(tmp_path / "first.jsonl", [{"id": ".", "text": "Trained in <year>2020</year>."}])
    second = _jsonl(tmp_path / "second.jsonl", [{"id": "._", "text": "Trained in <year>2021</year>."}])
    assert build([str(first)], out, jobs=1, validate=False).exit_code == 0
    result = CliRunner().invoke(app, ["add", str(second), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 papers added or replaced" in result.output
    assert [paper_id for paper_id, _ in _papers(out)] == [".", "._"]
