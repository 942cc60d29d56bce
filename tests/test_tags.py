"""Tag parsing: spans, offsets, and every kind of broken markup."""

from __future__ import annotations

import json

import pytest

from kg.tags import parse_tags, sentence_around

from support import FIXTURES

BROKEN = FIXTURES / "broken"
EXPECTED = {entry["file"]: entry["problems"] for entry in json.loads((BROKEN / "EXPECTED.json").read_text())}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_markup_is_reported_where_it_is(name):
    text = (BROKEN / name).read_bytes().decode("utf-8")
    found = [{"kind": p.kind, "line": p.line, "column": p.column} for p in parse_tags(text).problems]
    assert found == EXPECTED[name]


@pytest.mark.parametrize("kind", ["unclosed", "mismatched", "stray_close", "nested", "empty", "unknown_tag"])
def test_every_kind_of_broken_markup_has_a_fixture(kind):
    assert any(p["kind"] == kind for problems in EXPECTED.values() for p in problems)


@pytest.mark.parametrize(
    "text, plain, spans",
    [
        ("plain text", "plain text", []),
        ("<model>GPT-X</model> ran", "GPT-X ran", [("model", "GPT-X", 0, 5)]),
        ("p < 0.05 and <img src=x> stay", "p < 0.05 and <img src=x> stay", []),
        ("a<b and c>d", "a<b and c>d", []),
        ("x <= y, <|endoftext|>", "x <= y, <|endoftext|>", []),
        ("<Model>X</Model>", "<Model>X</Model>", []),  # not lowercase: text
        (
            "On <gpu_count>8</gpu_count> <hardware>A100</hardware>.",
            "On 8 A100.",
            [("gpu_count", "8", 3, 4), ("hardware", "A100", 5, 9)],
        ),
        ("<dataset>ImageNet</dataset>", "ImageNet", [("dataset", "ImageNet", 0, 8)]),
        ("é<year>2023</year>", "é2023", [("year", "2023", 1, 5)]),
    ],
)
def test_spans_and_tag_free_text(text, plain, spans):
    tagged = parse_tags(text)
    assert tagged.plain == plain
    assert [(s.name, s.text, s.start, s.end) for s in tagged.spans] == spans
    for span in tagged.spans:
        assert tagged.plain[span.start : span.end] == span.text


def test_broken_document_keeps_its_good_tags():
    text = "<model>A</params> then <year>2021</year>\n<country>Germany"
    tagged = parse_tags(text)
    assert [(s.name, s.text) for s in tagged.spans] == [("year", "2021")]
    assert {p.kind for p in tagged.problems} == {"mismatched", "unclosed"}
    assert all(p.message for p in tagged.problems)


def test_nested_keeps_inner_tag_and_explains():
    tagged = parse_tags("<model>Big <params>7B</params></model>")
    assert [(s.name, s.text) for s in tagged.spans] == [("params", "7B")]
    (problem,) = tagged.problems
    assert (problem.kind, problem.line, problem.column) == ("nested", 1, 12)
    assert "cannot nest" in problem.message


def test_line_and_column_count_code_points():
    tagged = parse_tags("first line\n𝓛 = x; <year>2020</year>")
    (span,) = tagged.spans
    assert (span.line, span.column) == (2, 8)


@pytest.mark.parametrize(
    "plain, needle, sentence",
    [
        ("We trained it. It used 8 GPUs in Germany. Done.", "8 GPUs", "It used 8 GPUs in Germany."),
        ("One paragraph\n\nSecond has 2023 here", "2023", "Second has 2023 here"),
        ("No end 5 days", "5 days", "No end 5 days"),
    ],
)
def test_sentence_around(plain, needle, sentence):
    start = plain.index(needle)
    assert sentence_around(plain, start, start + len(needle)) == sentence


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_problems_are_on_their_own_line_whatever_the_line_ends(newline):
    text = newline.join(["first <year>2020</year>", "second </model>", "third <params>"])
    problems = {p.kind: (p.line, p.column) for p in parse_tags(text).problems}
    assert problems == {"stray_close": (2, 8), "unclosed": (3, 7)}
    assert [(s.line, s.column) for s in parse_tags(text).spans] == [(1, 7)]


def test_a_long_sentence_is_clipped_around_the_span():
    """A mention keeps a bounded window of its sentence, however long the sentence (issue 21 #3)."""
    plain = "word " * 5000 + "the 8 GPUs here " + "word " * 5000 + "."
    start = plain.index("8 GPUs")
    around = sentence_around(plain, start, start + len("8 GPUs"))
    assert "8 GPUs" in around
    assert around.startswith("\u2026") and around.endswith("\u2026")
    assert len(around) <= 2 * 240 + len("8 GPUs") + 2
