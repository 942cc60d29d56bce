"""A mention keeps offsets only; its sentence, line and column are derived from
the paper's text, the same way in Python (kg.mentions) and in SPARQL
(facts-with-source, unrecognized-values)."""

from __future__ import annotations


import pytest
from pyoxigraph import NamedNode

from support import build_documents

from kg.mentions import line_column, mention_source
from kg.query import named_query, rows, run_query
from kg.store import KnowledgeGraph
from kg.tags import ELLIPSIS, parse_tags


@pytest.mark.parametrize(
    "plain, offset, expected",
    [
        ("abc", 0, (1, 1)),
        ("abc", 2, (1, 3)),
        ("a\nbc", 2, (2, 1)),
        ("a\nbc", 3, (2, 2)),
        ("a\r\nbc", 3, (2, 1)),  # CRLF is one line end
        ("a\rbc", 2, (2, 1)),  # so is a lone CR
        ("a\n\nb", 3, (3, 1)),
        ("\u6e05\u534e\nGLM", 4, (2, 2)),  # code points, not bytes
    ],
)
def test_line_and_column_of_an_offset(plain, offset, expected):
    assert line_column(plain, offset) == expected


LONG = "word " * 80
DOCUMENTS = {
    "crlf": "Intro line.\r\nWe trained <model>Corvid-7B</model> on <gpu_count>8</gpu_count> "
    "<hardware>A100 GPUs</hardware>.\r\nIt took <training>3 days</training> in <country>France</country>.",
    "cr": "First.\rThe <model>Old-Mac</model> has <params>7B parameters</params>.",
    "long": f"{LONG}We used <gpu_count>16</gpu_count> <hardware>V100 GPUs</hardware> {LONG}.",
    "spaces": "The\u00a0model\u3000<model>Wide\u2003Net</model> was  trained\n\tfor <training>about 2 weeks</training>.",
    "unicode": "\u6e05\u534e <model>\u6e05\u534e-GLM</model> \u7528\u4e86 <gpu_count>64</gpu_count> "
    "<hardware>H100 GPUs</hardware> in <year>2023</year>.",
    "vague": "A <params>several billion</params> model, trained in <country>Atlantis</country>.",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out, _ = build_documents(tmp_path_factory.mktemp("mentions"), DOCUMENTS, validate=False)
    kg = KnowledgeGraph(out, read_only=True)
    yield kg
    kg.close()


def answer(kg: KnowledgeGraph, name: str) -> list[dict[str, str]]:
    names, data = rows(run_query(kg, named_query(name).text))
    return [dict(zip(names, row)) for row in data]


def python_view(kg: KnowledgeGraph) -> dict[tuple[str, str], tuple[str, int, int]]:
    """(paper, text) -> (sentence, line, column), as kg.mentions derives them."""
    found = {}
    for row in kg.query("SELECT ?m ?id WHERE { ?m mlkg:inPaper/mlkg:paperId ?id }"):
        source = mention_source(kg.store, NamedNode(row["m"].value))
        assert source is not None
        found[(row["id"].value, source.text)] = (source.sentence, source.line, source.column)
    return found


def test_sparql_and_python_derive_the_same_sentence_line_and_column(built):
    derived = python_view(built)
    facts = answer(built, "facts-with-source")
    assert {row["paperId"] for row in facts} == set(DOCUMENTS) - {"vague"}
    for row in facts:
        sentence, line, column = derived[(row["paperId"], row["text"])]
        assert (row["sentence"], int(row["line"]), int(row["column"])) == (sentence, line, column), row
    vague = answer(built, "unrecognized-values")
    assert {row["text"] for row in vague} >= {"several billion", "Atlantis"}
    for row in vague:
        _, line, column = derived[(row["paperId"], row["text"])]
        assert (int(row["line"]), int(row["column"])) == (line, column)


def test_the_derived_sentence_is_the_one_around_the_words(built):
    derived = python_view(built)
    for paper, text in DOCUMENTS.items():
        tagged = parse_tags(text)
        source_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for span in tagged.spans:
            sentence, line, column = derived[(paper, span.text)]
            assert " ".join(span.text.split()) in sentence
            assert line == span.line  # tags hold no line break: the source's line
            assert f"<{span.name}>{span.text}" in source_lines[line - 1]
    clipped, _, _ = derived[("long", "16")]
    assert clipped.startswith(ELLIPSIS) and clipped.endswith(ELLIPSIS) and len(clipped) < 600
    spaced, _, _ = derived[("spaces", "Wide\u2003Net")]
    assert spaced == "The model Wide Net was trained for about 2 weeks."
