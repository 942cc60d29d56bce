"""Random tag soup through a real build: nothing crashes, nothing is lost, every mention is in its text.

Documents mix the seven tags (and an unknown one) around values that have
broken the parsers before (superscripts, huge numbers, other digits),
broken markup, line ends of every kind, control characters, lone
surrogates and arbitrary Unicode; ids are arbitrary text, integers and
booleans. Bounded (60 examples of a few documents each) so it runs in
seconds.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import RdfFormat, parse

from support import write_jsonl

from kg.build import build
from kg.store import KnowledgeGraph
from kg.terms import Iris

TAGS = ["model", "params", "hardware", "gpu_count", "training", "country", "year", "dataset"]
VALUES = [
    "6.7B",
    "10⁹ parameters",
    "10¹²",
    "2¹⁰",
    "8²",
    "2⁴ hours",
    "1e30 years",
    "1e30",
    "10000000000000000000",
    "36 hours",
    "1.5 days",
    "approximately 4 weeks",
    "eight",
    "a dozen",
    "8x",
    "1,024",
    "NVIDIA A100 80GB GPUs",
    "TPU v5e pods",
    "Germany",
    "the United States",
    "2023",
    "٢٠٢٣",
    "1٣",
    "10₉",
    "①0",
    "3½ days",
    "½",
    "1.2 × 10²⁴",
    "several billion",
    "-5",
    "0",
    "1e-20 hours",
    "1.0000000000000001 hours",
    "Llama 2 70B",
    "清华-GLM",
    ".",
    "..",
]
#: what XML and UTF-8 cannot hold, line ends of every kind, and markup debris
HOSTILE = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "<",
    ">",
    "</",
    "<model>",
    "</params>",
    "<b>",
    "p < 0.05",
    "\u200b",
    "\u00a0",
]
ANY_CHAR = st.characters(codec=None, categories=None)  # surrogates included

_tag = st.tuples(st.sampled_from(TAGS), st.one_of(st.sampled_from(VALUES), st.text(ANY_CHAR, max_size=6)))
_piece = st.one_of(
    _tag.map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"),
    st.sampled_from(HOSTILE),
    st.sampled_from(VALUES),
    st.text(max_size=8),
    st.text(ANY_CHAR, max_size=3),
)
_text = st.lists(_piece, max_size=10).map("".join)
_id = st.one_of(
    st.text(min_size=1, max_size=6),
    st.text(ANY_CHAR, min_size=1, max_size=4),
    st.sampled_from([".", "..", "._", "2301.00001", "a/b", "%2E", " "]),
    st.integers(-5, 10**20),
    st.booleans(),
)
_documents = st.lists(st.tuples(_id, _text), min_size=1, max_size=4)

#: tag markup as kg.tags defines it: every match is removed from the plain text
_MARKUP = re.compile(r"<(/?)([a-z][a-z0-9_]*)>")
#: what sources blank out (XML 1.0 cannot hold them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MLKG = "https://w3id.org/mlkg/ontology#"


def _plain(text: str) -> str:
    return _MARKUP.sub("", _NOT_XML.sub(" ", text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_documents)
def test_random_documents_build_and_every_mention_is_in_its_text(documents):
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        # ensure_ascii: lone surrogates travel as \udfff escapes, as in the issue
        write_jsonl(source, documents)
        out = Path(tmp) / "out"
        result = build([str(source)], out, jobs=1, validate=False)  # raises on any crash

        report = json.loads((out / "report.json").read_text("utf-8"))
        assert len(report["documents"]) == len(documents)  # every document is accounted for
        assert result.summary["documents"] == len(documents)

        texts: dict[str, str] = {}
        for (doc_id, text), entry in zip(documents, report["documents"]):
            if entry["status"] != "rejected":
                texts.setdefault(Iris().paper(str(doc_id)), text)
        # whatever is stored comes from a document that was built
        kg = KnowledgeGraph(out, read_only=True)
        rows = kg.store.query(
            f"SELECT ?paper ?text ?start ?end WHERE {{ GRAPH ?g {{ ?m <{MLKG}inPaper> ?paper ; "
            f"<{MLKG}mentionText> ?text ; <{MLKG}startOffset> ?start ; <{MLKG}endOffset> ?end }} }}"
        )
        for row in rows:
            paper = row["paper"].value
            assert paper in texts, paper
            start, end = int(row["start"].value), int(row["end"].value)
            assert _plain(texts[paper])[start:end] == row["text"].value
        # and the exports written while loading are RDF a parser reads
        for name, syntax in (("graph.ttl", RdfFormat.TURTLE), ("graph.trig", RdfFormat.TRIG)):
            quads = sum(1 for _ in parse(path=str(out / name), format=syntax))
            assert quads > 0 or not texts


_BOM = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"])
_file_name = (
    st.binary(min_size=1, max_size=12)
    .map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_"))
    .filter(lambda b: b not in (b".", b"..") and not b.startswith(b"."))
)
_file = st.tuples(
    _file_name, _BOM, st.one_of(_text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=40))
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_file, min_size=1, max_size=4, unique_by=lambda f: f[0]))
def test_random_files_with_any_name_and_bytes_build_and_are_all_reported(files):
    """Text files under names that need not be UTF-8, holding bytes in any encoding or none."""
    import os

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        written = 0
        for name, bom, data in files:
            try:
                (folder / os.fsdecode(name + b".txt")).write_bytes(bom + data)
            except OSError:  # a name the file system refuses
                continue
            written += 1
        out = Path(tmp) / "out"
        result = build([str(folder)], out, jobs=1, validate=False)
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert len(report["documents"]) == result.summary["documents"] == written
