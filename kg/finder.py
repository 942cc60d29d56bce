"""Find the seven fact kinds in untagged method-section text.

Rules only, on spaCy's blank English pipeline (tokenizer and sentencizer, a
PhraseMatcher for catalogue names): nothing is downloaded. The word lists
are data in ``kg/data/patterns/rules.json``; accelerator names come from
``kg/data/hardware.csv`` and country names from ``kg/data/countries.csv`` and
``kg/data/country_aliases.csv``, so a catalogue entry is found without a new
rule. Each find is a :class:`kg.tags.TagSpan`, the same object the tag parser
yields, so found facts go through the same normalization as tagged ones.

Precision comes first: a number becomes a fact only beside a word that says
what it counts (parameters, an accelerator, a duration in a training
sentence); a year only after a word of time, never after a name ("COCO
2017"); a country only in a sentence about where compute ran, never one about
hospitals, patients or datasets.
"""
from __future__ import annotations

import bisect
import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from kg.normalize import data_text
from kg.tags import TagSpan

__all__ = ["FINDER", "Find", "find"]

#: name and version written as ``mlkg:extractedBy`` on found mentions
FINDER = "mlkg-rules/1"

_SCALED = re.compile(r"^\d+(?:[.,]\d+)*(?:[kKmMbBtT]|bn|BN)?$")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
_YEAR = re.compile(r"^(19[5-9]\d|20[0-4]\d)$")
_MODEL = re.compile(r"^[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)+$|^[A-Z][a-z]+[A-Z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class Find:
    """A found span with the finder's confidence in it (0..1)."""

    span: TagSpan
    confidence: float


@lru_cache(maxsize=1)
def _rules() -> dict:
    return json.loads(data_text("patterns/rules.json"))


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data_text(name))))


@lru_cache(maxsize=1)
def _pipeline() -> tuple[spacy.language.Language, PhraseMatcher, PhraseMatcher]:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    hardware = PhraseMatcher(nlp.vocab, attr="LOWER")
    names: set[str] = set()
    for row in _csv("hardware.csv"):
        names.add(row["name"])
        names.update(a for a in row["aliases"].split("|") if a)
        if row["name"].upper().startswith(row["manufacturer"].upper() + " "):
            names.add(row["name"][len(row["manufacturer"]) + 1:])
    # a bare short code (e.g. "K80") only counts inside a longer match or before a GPU noun
    hardware.add("hardware", [nlp.make_doc(n) for n in sorted(names)])
    countries = PhraseMatcher(nlp.vocab, attr="ORTH")
    place_names = {r["name"] for r in _csv("countries.csv")}
    place_names.update(r["alias"] for r in _csv("country_aliases.csv") if r["iso2"])
    countries.add("country", [nlp.make_doc(n) for n in sorted(place_names) if len(n) > 2 or n.isupper()])
    return nlp, hardware, countries


def _is_number(token: Token) -> bool:
    return bool(_DIGITS.match(token.text)) or token.lower_ in _rules()["number_words"]


def _sentence_has(sentence: Span, words: list[str]) -> bool:
    wanted = set(words)
    return any(t.lower_ in wanted for t in sentence)


def _params(doc: Doc) -> list[tuple[str, int, int, float]]:
    rules = _rules()
    scales, nouns = set(rules["scale_words"]), set(rules["param_nouns"])
    found = []
    for token in doc:
        if not _SCALED.match(token.text):
            continue
        end = token.i + 1
        if end < len(doc) and doc[end].lower_ in scales:
            end += 1
        if token.text[-1].isalpha() or end > token.i + 1:
            pass
        elif end < len(doc) and doc[end].lower_ in nouns:
            pass
        else:
            continue
        follow = doc[end: end + 3]
        words = [t.lower_ for t in follow]
        if words[:1] and words[0] in nouns or words[:1] == ["-"] and words[1:2] and words[1] in nouns:
            start = token
            if token.i > 0 and token.nbor(-1).lower_ in {"approximately", "about", "roughly", "around"}:
                start = token.nbor(-1)
            last = doc[end - 1]
            found.append(("params", start.idx, last.idx + len(last), 0.95))
    return found


def _hardware(doc: Doc, matcher: PhraseMatcher) -> list[tuple[str, int, int, float]]:
    rules = _rules()
    nouns = set(rules["accelerator_nouns"])
    spans = spacy.util.filter_spans([doc[s:e] for _, s, e in matcher(doc)])
    found = []
    for span in spans:
        end = span.end
        if end < len(doc) and doc[end].lower_ in {"gpu", "gpus", "tpu", "tpus"}:
            end += 1
        elif end < len(doc) and doc[end].lower_ in nouns:
            pass
        elif len(span.text) <= 4 and not any(c.isspace() for c in span.text):
            continue  # a bare code with nothing saying it is an accelerator
        found.append(("hardware", span.start_char, doc[end - 1].idx + len(doc[end - 1]), 0.9))
        before = span.start - 1
        if before >= 0 and doc[before].lower_ in {"x", "×"}:
            before -= 1
        if before >= 0 and _is_number(doc[before]) and doc[before].lower_ != "single":
            found.append(("gpu_count", doc[before].idx, doc[before].idx + len(doc[before]), 0.9))
    return found


def _training(doc: Doc) -> list[tuple[str, int, int, float]]:
    rules = _rules()
    units = set(rules["time_units"])
    found = []
    for sentence in doc.sents:
        if not _sentence_has(sentence, rules["training_cues"]):
            continue
        for token in sentence:
            nxt = token.nbor(1) if token.i + 1 < len(doc) else None
            if nxt is None or nxt.lower_ not in units or not _is_number(token):
                continue
            start = token
            if token.i > 0 and token.nbor(-1).lower_ in {"approximately", "about", "roughly", "around"}:
                start = token.nbor(-1)
            found.append(("training", start.idx, nxt.idx + len(nxt), 0.85))
    return found


def _years(doc: Doc) -> list[tuple[str, int, int, float]]:
    cues = set(_rules()["year_cues"])
    found = []
    for token in doc:
        if not _YEAR.match(token.text) or token.i == 0:
            continue
        before = token.nbor(-1)
        if before.lower_ in cues:
            found.append(("year", token.idx, token.idx + len(token), 0.85))
    return found


def _countries(doc: Doc, matcher: PhraseMatcher) -> list[tuple[str, int, int, float]]:
    rules = _rules()
    found = []
    for _, s, e in matcher(doc):
        span = doc[s:e]
        sentence = span.sent
        if _sentence_has(sentence, rules["country_distractors"]):
            continue
        if not _sentence_has(sentence, rules["country_cues"]):
            continue
        found.append(("country", span.start_char, span.end_char, 0.8))
    return found


def _models(doc: Doc) -> list[tuple[str, int, int, float]]:
    found = []
    for cue in _rules()["model_cues"]:
        size = len(cue)
        for token in doc:
            window = doc[token.i: token.i + size]
            if len(window) < size or [t.lower_ for t in window] != cue:
                continue
            if token.i + size < len(doc):
                name = doc[token.i + size]
                if _MODEL.match(name.text):
                    found.append(("model", name.idx, name.idx + len(name), 0.8))
    return found


class _Lines:
    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


def find(text: str) -> list[Find]:
    """Every fact the rules find in *text*, in text order, spans never overlapping."""
    nlp, hardware, countries = _pipeline()
    doc = nlp(text)
    raw = _params(doc) + _hardware(doc, hardware) + _training(doc) + _years(doc)
    raw += _countries(doc, countries) + _models(doc)
    raw.sort(key=lambda r: (r[1], -(r[2] - r[1])))
    lines = _Lines(text)
    finds: list[Find] = []
    taken_until = -1
    for kind, start, end, confidence in raw:
        if start < taken_until:
            continue
        taken_until = end
        line, column = lines(start)
        finds.append(Find(TagSpan(kind, text[start:end], start, end, line, column), confidence))
    return finds
