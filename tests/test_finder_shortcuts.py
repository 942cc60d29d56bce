"""The finder's shortcuts read the same text as the plain rules they stand for, only less of it.

Each shortcut (kg/finder.py) is checked against the straightforward reading
it replaced, on the development corpus and the bundled examples: a speed-up
that changed a find would show here before it showed in the scores.
"""

import json
import re
from pathlib import Path

import pytest

from kg.finder import (
    _DIGITS,
    _YEAR,
    _anchors,
    _finder,
    _pattern_numbers,
    _set,
    _sibling_starts,
    _trains_nothing_re,
    _View,
    _whole_words,
    _words,
)
from kg.normalize import data_text
from kg.sources import Document, iter_documents
from kg.tags import parse_tags

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT / "tests/fixtures/extraction/dev", ROOT / "examples/papers", ROOT / "examples/papers.jsonl"]
ABBREVIATIONS = {"al", "e.g", "i.e", "etc", "fig", "figs", "cf", "vs", "approx", "ca", "no", "eq", "sec", "resp"}


def views() -> list[_View]:
    finder = _finder()
    texts = [
        parse_tags(item.text).plain for item in iter_documents([str(p) for p in CORPORA]) if isinstance(item, Document)
    ]
    return [_View(text, finder.nlp.make_doc(text), finder.flags) for text in texts]


@pytest.fixture(scope="module")
def corpus() -> list[_View]:
    return views()


def test_the_corpus_is_read(corpus):
    assert len(corpus) > 100 and sum(view.n for view in corpus) > 20_000


def test_the_matcher_finds_around_required_words_what_it_finds_in_whole_sentences(corpus):
    finder = _finder()
    matched = 0
    for view in corpus:
        anchors = view.where(tuple(finder.reach))
        for first, last in view.sents:
            whole = [(rule, first + a, first + b) for rule, a, b in finder.matcher(view.doc[first:last])]
            assert finder.matches(view, first, last, anchors) == whole, view.text[view.idx[first] : view.ends[last - 1]]
            matched += len(whole)
    assert matched > 50  # the corpus has sizes to match


def test_sentences_end_at_line_ends_and_full_stops(corpus):
    """The sentence rule, token by token, as _View's docstring states it."""
    for view in corpus:
        words, starts = view.words, [0]
        for i in range(1, view.n):
            gap = view.text[view.ends[i - 1] : view.idx[i]]
            spaced = view.ends[i - 1] < view.idx[i]
            if "\n" in words[i - 1] or "\n" in gap:
                starts.append(i)
            elif words[i - 1] in (".", "!", "?") and spaced:
                if not (words[i - 1] == "." and i > 1 and words[i - 2].lower() in ABBREVIATIONS):
                    starts.append(i)
            elif words[i - 1] in ("*", "_") and spaced and view._closes_after_stop(i - 1):
                starts.append(i)
        assert view.sents == list(zip(starts, [*starts[1:], view.n]))


def test_numbers_and_years_are_the_tokens_that_read_as_such(corpus):
    for view in corpus:
        numbers = [
            k
            for k in range(view.n)
            if _DIGITS.match(view.words[k].lstrip("~≈")) or view.lower[k] in _set("count_words")
        ]
        assert view.numbers(0, view.n) == numbers
        assert view.years == [k for k in range(view.n) if _YEAR.match(view.words[k])]


def test_the_word_index_holds_every_token(corpus):
    for view in corpus:
        assert sorted(k for ks in view.index.values() for k in ks) == list(range(view.n))
        assert view.where(("the", ",")) == [k for k, w in enumerate(view.lower) if w in ("the", ",")]


@pytest.mark.parametrize(
    "text, name",
    [
        ("Kite-7B and Kite-7B-Chat; Kite-7B.", "Kite-7B"),
        ("xKite-7B _Kite-7B -Kite-7B Kite-7B_ (Kite-7B)", "Kite-7B"),
        ("aaaa aa aaa", "aa"),
        ("Kite Kite", "Kite"),
        ("清华-GLM与清华-GLM", "清华-GLM"),
        ("Éclair-2 Éclair-2é", "Éclair-2"),
        ('"Orca" Mini and "Orca" Mini', '"Orca" Mini'),
        ("", "Kite"),
    ],
)
def test_a_name_is_found_whole_as_the_pattern_it_replaced(text, name):
    pattern = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])")
    assert list(_whole_words(text, name)) == [m.span() for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    "text, stem",
    [
        ("Mola-S and Mola-L; Mola- and xMola-S, Mola-S.Mola-L", "Mola"),
        ("Mola-1.3B-chat Mola-_x -Mola-S Mola--S", "Mola"),
        ("Cicada-Base, Cicada-Large", "Cicada"),
    ],
)
def test_siblings_are_found_as_the_pattern_they_replaced(text, stem):
    pattern = re.compile(r"(?<![\w-])" + re.escape(stem) + r"-[\w.]+")
    assert list(_sibling_starts(text, stem)) == [m.start() for m in pattern.finditer(text)]


NUM = {"TEXT": {"REGEX": r"^\d+$"}}


@pytest.mark.parametrize(
    "patterns, reach",
    [
        # the required word of fewest choices anchors a pattern; how far a match reaches on each side
        ([[NUM, {"LOWER": {"IN": ["parameters", "params"]}}]], {"parameters": (1, 0), "params": (1, 0)}),
        ([[{"LOWER": "parameter"}, {"LOWER": "count"}, NUM]], {"parameter": (0, 2)}),
        ([[NUM, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": ["m", "b"]}}, {"LOWER": "weights"}]], {"weights": (3, 0)}),
        # an optional or negated token is no anchor
        ([[{"LOWER": "a", "OP": "?"}, NUM, {"LOWER": "b"}]], {"b": (2, 0)}),
        ([[{"LOWER": "a", "OP": "!"}, NUM, {"TEXT": {"IN": ["M", "B"]}}]], {"m": (2, 0), "b": (2, 0)}),
        # one pattern without a required word, or one that repeats a token: whole sentences are read
        ([[NUM, {"LOWER": "params"}], [NUM, NUM]], None),
        ([[NUM, {"LOWER": "x", "OP": "+"}, {"LOWER": "params"}]], None),
    ],
)
def test_anchors_of_token_patterns(patterns, reach):
    assert _anchors(patterns) == reach


def test_the_bundled_patterns_have_anchors():
    """Otherwise the Matcher would read every sentence again: the speed-up would be gone, not the finds."""
    finder = _finder()
    assert finder.reach and {"parameters", "params"} <= set(finder.reach)


def token_patterns() -> list[list[dict]]:
    return [
        p for rule, ps in json.loads(data_text("patterns/token_patterns.json")).items() if rule != "about" for p in ps
    ]


def test_the_numbers_the_patterns_read_are_the_tokens_their_regexes_read(corpus):
    """The Matcher skips a window with none of them: every pattern requires one (its first number token)."""
    regexes = [
        re.compile(t["TEXT"]["REGEX"])
        for p in token_patterns()
        for t in p
        if "OP" not in t and "REGEX" in t.get("TEXT", {})
    ]
    flagged = 0
    for view in corpus:
        assert view.patterned == [k for k in range(view.n) if any(r.search(view.words[k]) for r in regexes)]
        flagged += len(view.patterned)
    assert flagged > 1000


@pytest.mark.parametrize(
    "patterns, words",
    [
        # each pattern requires a number token: only the words one of them reads count
        (
            [[NUM, {"LOWER": "params"}], [{"LOWER": "x"}, {"TEXT": {"REGEX": r"^\d+B$"}}]],
            {"12": True, "7B": True, "B": False},
        ),
        # an optional number is not required: with such a pattern, every word counts
        ([[{"TEXT": {"REGEX": r"^\d+$"}, "OP": "?"}, {"LOWER": "params"}]], {"12": True, "params": True}),
        ([[NUM, {"LOWER": "params"}], [{"LOWER": "parameter"}, {"LOWER": "count"}]], {"count": True}),
    ],
)
def test_pattern_numbers(patterns, words):
    read = _pattern_numbers(patterns)
    assert {word: read(word) for word in words} == words


def test_the_trains_nothing_search_finds_what_its_patterns_find(corpus):
    plain = re.compile("|".join(f"(?:{p})" for p in _words()["trains_nothing_patterns"]), re.IGNORECASE)
    texts = [view.text for view in corpus] + [
        "We train no models in this study.",
        "WE DID NOT TRAIN ANY new models; we only evaluate.",
        "In short, no model is trained here.",
        "None of the models were fine-tuned.",
        "we trained models",
    ]
    assert [bool(_trains_nothing_re().search(t)) for t in texts] == [bool(plain.search(t)) for t in texts]
    assert sum(bool(plain.search(t)) for t in texts) >= 4
