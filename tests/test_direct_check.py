"""The worker's SHACL check reads the mapper's own statements, not TriG parsed back: the same statements, the same results."""

from __future__ import annotations

import pickle
import random
from dataclasses import replace

import pytest
from pyoxigraph import RdfFormat, parse

from bench.generate import write_corpus
from kg.mapping import map_document
from kg.shapes import statements
from kg.sources import Document, iter_documents
from kg.terms import Iris, header, string
from kg.validate import TermReader, check_papers, init_checks
from kg.vocab import DEFAULT_BASE, MLKG_NS
from test_validate_in_build import PLANTS

BASE = "https://example.org/kg/"
#: how the mapper joins one subject's "predicate object" pairs (kg.terms.GraphWriter)
NEXT = " ;\n    "


def parsed(text: str, base: str = BASE):
    """The object of one statement whose object is *text*, as pyoxigraph's TriG parser reads it."""
    (quad,) = parse(f"{header(base)}<{base}s> <{base}p> {text} .", RdfFormat.TRIG)
    return quad.object


#: (how the term is written, a base): each must read as the parser reads it
READ = [
    ('"plain words"', BASE),
    ('""', BASE),
    ('"a \\"quoted\\" back\\\\slash,\\nnew line\\r"', BASE),
    ('"tab\\tand \\u00e9 and \\U0001F600"', BASE),
    ('"ünïcode — 漢字"', BASE),
    ('"672"^^xsd:decimal', BASE),
    ('"P1DT2H"^^xsd:duration', BASE),
    ('"312000000000000"^^xsd:double', BASE),
    ('"x"^^<http://example.org/type>', BASE),
    ("42", BASE),
    ("-1", BASE),
    ("+7", BASE),
    ("007", BASE),
    ("1.5", BASE),
    ("-.5", BASE),
    ("true", BASE),
    ("false", BASE),
    ("<paper/doc%201/mention/3>", BASE),
    ("<model/gpt%2E3>", BASE),
    ("<http://www.w3.org/ns/prov#used>", BASE),
    ("<https://example.org/kg#paper/x>", "https://example.org/kg#"),
    ("mlkg:Paper", BASE),
    ("rdfs:label", BASE),
    ("xsd:integer", BASE),
]


@pytest.mark.parametrize("text, base", READ)
def test_a_term_reads_as_the_parser_reads_it(text, base):
    assert TermReader(base).term(text) == parsed(text, base)


def test_any_string_the_mapper_writes_reads_as_the_parser_reads_it():
    """Strings of quotes, backslashes, line breaks and tabs, written by kg.terms.string."""
    rng = random.Random(3)
    reader = TermReader(BASE)
    for _ in range(2000):
        text = string(
            "".join(rng.choice(['"', "\\", "\n", "\r", "\t", "n", "u", "é", " "]) for _ in range(rng.randrange(12)))
        )
        assert reader.term(text) == parsed(text), text


#: (term, base, why it is left to the parser)
REFUSED = [
    ('"hello"@en', BASE, "language tags are never written"),
    ("_:b1", BASE, "blank nodes are never written"),
    ("1e5", BASE, "bare doubles are never written"),
    ("'single'", BASE, "only double quotes are written"),
    ('"""long"""', BASE, "nor long strings"),
    ('"a"b"', BASE, "an unescaped quote inside"),
    ('"bad \\q escape"', BASE, "not a Turtle escape"),
    ('"lone \\"', BASE, "a backslash that escapes nothing"),
    ('"a \\\\\\ b"', BASE, "three backslashes"),
    ('"line\nbreak"', BASE, "a raw line break"),
    ("<../up>", BASE, "dot segments change on resolving"),
    ("<a/./b>", BASE, "dot segments change on resolving"),
    ("</root>", BASE, "an absolute path replaces the base's"),
    ("<#frag>", BASE, "a fragment alone"),
    ("<a\\u0041>", BASE, "escapes in IRIs"),
    ("<paper/x>", "https://example.org/kg#", "a base not ending in a slash"),
    ("<paper/x>", "https://example.org/q?x=/", "a base with a query"),
    ("nope:x", BASE, "an unknown prefix"),
    ("mlkg:a\\-b", BASE, "escaped local names"),
    ("maybe", BASE, "a bare word"),
]


@pytest.mark.parametrize("text, base, why", REFUSED)
def test_a_term_mlkg_does_not_write_is_refused(text, base, why):
    with pytest.raises(ValueError):
        TermReader(base).term(text)


def test_a_literal_subject_is_refused():
    with pytest.raises(ValueError):
        TermReader(BASE).statements([('"x"', ["rdfs:label " + '"y"'])])


HOSTILE = [
    Document("we/ird id", 'A "quoted" <model>Q\\uack-7B</model> with back\\slash\r\nand <params>7B</params>.', "a.txt"),
    Document(
        "..", "Trained on <gpu_count>8</gpu_count> <hardware>A100</hardware> for <training>3 days</training>.", "b"
    ),
    Document("ünï", "<model>漢字-1</model> in <country>France</country>, <year>2021</year>; 1.4e23 FLOPs.", "c.txt"),
    Document("t", "<hardware>Mystery Chip 9000</hardware> <training>82,432 GPU hours</training>", "d", shared_as=None),
]


@pytest.mark.parametrize("base", [DEFAULT_BASE, "https://example.org/kg#", "http://example.org/a/b"])
def test_the_mapper_statements_are_those_its_trig_holds(tmp_path, base):
    """Every paper of a generated corpus and some hostile ones: read from the mapper, the statements the TriG holds, in order."""
    corpus = write_corpus(150, tmp_path / "corpus.jsonl", 5)
    documents = [*iter_documents([str(corpus)]), *HOSTILE]
    iris = Iris(base)
    reader = TermReader(iris.base)
    for document in documents:
        mapped = map_document(document, iris)
        texts = mapped.statement_texts()
        assert texts is not None
        held = reader.statements(texts)
        assert held == statements(parse(header(iris.base) + mapped.trig(), RdfFormat.TRIG)), document.id
        assert held


def test_a_changed_text_is_no_longer_read_from_the_mapper():
    mapped = map_document(HOSTILE[1])
    assert mapped.statement_texts() is not None
    mapped.turtle += PLANTS["zero accelerators"](mapped)
    assert mapped.statement_texts() is None


def test_the_statements_stay_in_the_worker():
    """A document goes back to the main process pickled: without the mapper's statements, the rest intact."""
    mapped = map_document(HOSTILE[0])
    back = pickle.loads(pickle.dumps(mapped))
    assert back.written is None and back.statement_texts() is None
    assert back.trig() == mapped.trig() and back.reference_keys == mapped.reference_keys


@pytest.mark.parametrize("engine", ["mlkg", "pyshacl"])
def test_checking_the_documents_finds_what_checking_their_trig_finds(tmp_path, engine):
    """Some papers broken after mapping (so read from their text), the rest read from the mapper."""
    corpus = write_corpus(120, tmp_path / "corpus.jsonl", 7)
    papers = [map_document(document) for document in iter_documents([str(corpus)])] + [map_document(d) for d in HOSTILE]
    for index, kind in enumerate(sorted(name for name, plant in PLANTS.items() if plant)):
        broken = papers[10 * index]
        broken.turtle += PLANTS[kind](broken)
    # a mention whose offsets the mapper got wrong: written wrong in both forms
    bad = papers[5]
    (mention,) = [subject for subject in bad.written.pairs if subject.endswith("/mention/1>")]
    bad.written.pairs[mention].append("mlkg:startOffset -4")
    bad.turtle = "".join(f"{subject} {NEXT.join(pairs)} .\n" for subject, pairs in bad.written.pairs.items())
    bad.written = replace(bad.written, turtle=bad.turtle)
    assert bad.statement_texts() is not None
    init_checks(engine)
    try:
        keys = set().union(*(doc.reference_keys for doc in papers))
        direct = check_papers(papers, keys, Iris(DEFAULT_BASE), 1000)
        reparsed = check_papers("".join(doc.trig() for doc in papers), keys, Iris(DEFAULT_BASE), 1000)
    finally:
        init_checks()
    assert direct == reparsed
    assert direct.violation_count >= 4 and direct.warning_count > 0
    assert any(v["focus"].endswith(f"/paper/{bad.id}/mention/1") and v["value"] == "-4" for v in direct.violations)
    assert {MLKG_NS + "startOffset", MLKG_NS + "paperId"} <= {v["path"] for v in direct.violations}
