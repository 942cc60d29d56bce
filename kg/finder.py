"""Find the seven fact kinds in untagged method-section text.

Rules only, on spaCy's blank English pipeline (its tokenizer and
sentencizer, a ``Matcher`` for token patterns and ``PhraseMatcher`` for
catalogue names): nothing is downloaded and nothing is trained. Token
patterns and word lists are data (``kg/data/patterns/``); accelerator names
come from the hardware catalogue and country names from the country tables,
so a new catalogue row is found without a new rule.

Precision comes first, because a false fact is worse than a missing one: a
number becomes a fact only beside words that say what it counts (parameters,
an accelerator, a duration in a sentence about training), a year only after
a word of time and never after a name ("COCO 2017") or in a citation, a
country only where compute or the team is, never where patients, speakers or
data come from, and a model only where the paper says it is its own ("we
train X", "X is a ...") and never in a comparison. docs/extraction.md lists
the rules and what they cannot do.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from typing import TYPE_CHECKING

from .hardware import load_catalogue
from .normalize import data_text
from .tags import TaggedText

if TYPE_CHECKING:  # spaCy is imported when the finder first runs, not by every kg command
    from spacy.tokens import Doc, Span

__all__ = ["EXTRACT_MODES", "FINDER", "KINDS", "Find", "find", "finds_for"]

#: the finder's name and version, written as ``mlkg:extractedBy`` on what it finds
FINDER = "mlkg finder 1"
#: the kinds it finds, in the order tags are usually written
KINDS = ("model", "params", "hardware", "gpu_count", "training", "country", "year")
#: --extract: find facts in documents with no tags (auto), in every document
#: beside the tags a person wrote (always), or never
EXTRACT_MODES = ("auto", "always", "never")

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")
_YEAR = re.compile(r"^(?:19[6-9]\d|20[0-4]\d)$")
#: a word that may be (part of) a model's name: letters, digits and joiners
_NAME_PART = re.compile(r"^[\"“”'’]?[\w\u00C0-\u024F\u3400-\u9FFF][\w\u00C0-\u024F\u3400-\u9FFF.+/&-]*[\"“”'’]?$")
_SIZE_PART = re.compile(r"^(?:\d+(?:\.\d+)?[BMKT]?|[A-Z]{1,3}|Large|Base|Small|Medium|Tiny|Mini|Huge|Giant|Pro|Plus|Ultra|Lite|Nano|Micro)$")


@dataclass(frozen=True)
class Find:
    """A span the finder proposes: its kind, offsets in the text, confidence (0..1) and rule."""

    kind: str
    start: int
    end: int
    confidence: float
    rule: str


@lru_cache(maxsize=1)
def _words() -> dict:
    return json.loads(data_text("patterns/finder.json"))


def _set(name: str) -> frozenset[str]:
    return frozenset(_words()[name])


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data_text(name))))


def _hardware_names() -> set[str]:
    """Every way the catalogue writes an accelerator, with and without its maker's name."""
    names: set[str] = set()
    for acc in load_catalogue():
        for name in (acc.name, *acc.aliases):
            names.add(name)
            for brand in (acc.manufacturer, "NVIDIA", "Google", "AMD", "Intel", "Huawei", "AWS", "Tesla", "GeForce"):
                if name.casefold().startswith(brand.casefold() + " "):
                    names.add(name[len(brand) + 1 :])
    # a squeezed form the tokenizer keeps whole ("TPUv4")
    names.update(n.replace(" ", "") for n in list(names) if re.match(r"^TPU v\d", n))
    return {n for n in names if len(n) > 1}


def _country_names() -> set[str]:
    names = {row["name"] for row in _csv("countries.csv")}
    names.update(row["alias"] for row in _csv("country_aliases.csv") if row["iso2"])
    # a two-letter alias ("US") is found only in capitals; "us" is a pronoun
    return {n for n in names if len(n) > 2 or n.isupper()}


def _paragraphs(doc: Doc) -> Doc:
    """A blank line ends a sentence (a heading, a list item), as it does for attribution."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


class _Finder:
    def __init__(self) -> None:
        import spacy
        from spacy.language import Language
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.util import compile_infix_regex

        if not Language.has_factory("mlkg_paragraphs"):
            Language.component("mlkg_paragraphs", func=_paragraphs)
        nlp = spacy.blank("en")
        nlp.max_length = 4_000_000  # past the longest document a build reads (kg.mapping.MAX_DOCUMENT_CHARS)
        # "8×A100" and "8xA100" are a count and an accelerator
        infixes = [*nlp.Defaults.infixes, r"(?<=[0-9])[×xX](?=[A-Z])", r"(?<=[0-9])×(?=[0-9])"]
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        nlp.add_pipe("mlkg_paragraphs")
        nlp.add_pipe("sentencizer")
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        for rule, patterns in json.loads(data_text("patterns/token_patterns.json")).items():
            if rule != "about":
                self.matcher.add(rule, patterns)
        self.hardware = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.hardware.add("hardware", list(nlp.tokenizer.pipe(sorted(_hardware_names()))))
        self.countries = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.countries.add("country", list(nlp.tokenizer.pipe(sorted(_country_names()))))
        self.confidence = _words()["confidence"]

    def __call__(self, text: str) -> list[Find]:
        doc = self.nlp(text)
        finds: list[Find] = []
        finds += self.params(doc)
        hardware = self.hardware_spans(doc)
        finds += hardware
        finds += self.counts(doc, hardware)
        finds += self.durations(doc)
        finds += self.years(doc)
        finds += self.places(doc)
        finds += self.models(doc, text)
        return _without_overlaps(finds)

    def find(self, kind: str, span: Span, rule: str | None = None) -> Find:
        return Find(kind, span.start_char, span.end_char, self.confidence[rule or kind], rule or kind)

    # -- numbers with what they count ------------------------------------------------

    def params(self, doc: Doc) -> list[Find]:
        anti = _set("param_anti_cues")
        nouns = _set("param_nouns") | _set("param_fillers") | {"-"}
        found = []
        for match_id, start, end in self.matcher(doc):
            rule = self.nlp.vocab.strings[match_id]
            if rule not in ("params", "params_backbone"):
                continue
            if _near(doc, start, 3, anti) or (end < len(doc) and doc[end].lower_ in ("each", "per")):
                continue
            while end - 1 > start and doc[end - 1].lower_ in nouns:
                end -= 1  # the span is the number, as the examples tag it
            if rule == "params_backbone":  # "a 220M encoder": the number and its scale letter
                end = start + (2 if doc[start + 1].text in ("M", "B", "T") else 1)
            start = _with_hedge(doc, start)
            found.append(self.find("params", doc[start:end], rule))
        return found

    def hardware_spans(self, doc: Doc) -> list[Find]:
        brands, tails, nouns = _set("brand_words"), _set("hardware_tail_words"), _set("accelerator_nouns")
        anti = _set("hardware_anti_cues")
        catalogue = load_catalogue()
        found = []
        for span in _filter_spans([doc[s:e] for _, s, e in self.hardware(doc)]):
            start, end = span.start, span.end
            while start > 0 and doc[start - 1].lower_ in brands:
                start -= 1
            # memory and form: "A100 80GB", "H100-SXM5", "V100 32 GB"
            while end < len(doc) and (doc[end].lower_ in tails or (doc[end].like_num and end + 1 < len(doc) and doc[end + 1].lower_ in ("gb", "gib"))):
                end += 1
            while end > span.end and doc[end - 1].text == "-":
                end -= 1
            named = doc[start:end]
            if catalogue.resolve(named.text) is None:
                continue
            bare = len(span) == 1 and len(span.text) <= 4
            if end < len(doc) and doc[end].lower_ in nouns:
                if doc[end].lower_ in ("gpu", "gpus", "tpu", "tpus", "npu", "npus", "chips", "pods"):
                    end += 1
            elif bare and not _SPELLED_OUT.search(named.text):
                continue  # "T4" or "L4" alone could be anything
            if _near(doc, start, 8, anti, after=4, end=end):
                continue
            found.append(self.find("hardware", doc[start:end]))
        return found

    def counts(self, doc: Doc, hardware: list[Find]) -> list[Find]:
        found = []
        after = _set("count_anti_after")
        nouns = _set("accelerator_nouns")
        numbers = _set("number_words") - {"a", "an", "half"}
        starts = {f.start: f for f in hardware}
        by_char = {t.idx: t.i for t in doc}
        for f in hardware:
            i = by_char.get(f.start)
            if i is None or i == 0:
                continue
            before = i - 1
            if doc[before].text in ("×", "x", "X") and before > 0:
                before -= 1
            token = doc[before]
            if not (_DIGITS.match(token.text) or token.lower_ in numbers):
                continue
            end_i = _token_at_or_after(doc, f.end)
            if end_i < len(doc) and doc[end_i].lower_ in after:
                continue
            if before > 0 and doc[before - 1].lower_ in ("per", "each", "of") and doc[before - 2: before - 1].text.lower() in ("nodes", "node", "with"):
                continue
            found.append(self.find("gpu_count", doc[before : before + 1]))
        # "on 64 GPUs": a count with no catalogue name
        for sentence in doc.sents:
            if not _has(sentence, _set("training_cues")):
                continue
            for token in sentence:
                if token.i + 1 >= len(doc) or any(f.start <= token.idx < f.end for f in hardware):
                    continue
                nxt = doc[token.i + 1]
                if nxt.lower_ not in nouns or nxt.lower_ in ("device", "devices", "card", "cards", "pod", "pods"):
                    continue
                if not (_DIGITS.match(token.text) or token.lower_ in numbers):
                    continue
                if nxt.idx in starts or any(f.start <= nxt.idx < f.end for f in hardware):
                    continue
                if token.i + 2 < len(doc) and doc[token.i + 2].lower_ in after | {"-", "hours", "days", "node", "nodes", "server", "servers", "machine", "machines", "per"}:
                    continue
                if token.i > 0 and doc[token.i - 1].lower_ in ("with", "of", "per", "each", "and", "to", "than"):
                    continue
                found.append(self.find("gpu_count", doc[token.i : token.i + 1], "gpu_count_bare"))
        return found

    def durations(self, doc: Doc) -> list[Find]:
        units, cues, anti = _set("time_units"), _set("training_cues"), _set("training_anti_cues")
        of_ok, frequency = _set("duration_of_ok"), _set("frequency_words")
        numbers = _set("number_words") - {"a", "an", "half"}
        found = []
        for sentence in doc.sents:
            if not _has(sentence, cues):
                continue
            here: list[Find] = []
            for token in sentence:
                i = token.i
                if i + 1 >= sentence.end or doc[i + 1].lower_ not in units:
                    continue
                if not (_DIGITS.match(token.text) or token.lower_ in numbers):
                    continue
                after = doc[i + 2] if i + 2 < len(doc) else None
                if after is not None and after.lower_ == "of" and (i + 3 >= len(doc) or doc[i + 3].lower_ not in of_ok):
                    continue
                if after is not None and after.text == "-" or (i > 0 and doc[i - 1].text == "-"):
                    continue  # "3-day", "GPU-hours"
                if _near(doc, i, 5, anti, after=1, end=i + 2) or _near(doc, i, 2, frequency):
                    continue
                start = _with_hedge(doc, i)
                here.append(self.find("training", doc[start : i + 2]))
            # "one pass takes nine hours; four passes, 36 hours in total": the total is the run's
            totals = [f for f in here if _set("total_words") & {t.lower_ for t in doc.char_span(f.end, min(sentence.end_char, f.end + 24), alignment_mode="contract") or ()}]
            found += totals or here
        return found

    def years(self, doc: Doc) -> list[Find]:
        cues, anti = _set("year_cues"), _set("year_anti_cues")
        found = []
        for token in doc:
            if not _YEAR.match(token.text) or token.i == 0:
                continue
            before = doc[token.i - 1]
            if before.lower_ not in cues:
                continue
            if before.lower_ == "of" and token.i > 1 and doc[token.i - 2].lower_ not in ("half", "quarter", "end", "beginning", "start", "summer", "spring", "autumn", "fall", "winter"):
                continue
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if following is not None and (following.text in ("-", "–", "/") or following.lower_ in ("to", "and")):
                continue  # a range of years: data, not when the work was done
            if _near(doc, token.i, 8, anti, after=3):
                continue
            found.append(self.find("year", doc[token.i : token.i + 1]))
        return found

    def places(self, doc: Doc) -> list[Find]:
        cues, anti = _set("country_cues"), _set("country_anti_cues")
        found = []
        for span in _filter_spans([doc[s:e] for _, s, e in self.countries(doc)]):
            start = span.start
            if start > 0 and doc[start - 1].lower_ == "the":
                start -= 1
            if start == 0 or doc[start - 1].lower_ not in ("in", "at", "within"):
                continue
            if not _has(span.sent, cues) or _near(doc, start, 10, anti, after=6, end=span.end):
                continue
            if start < span.start and (span.text.isupper() or "." in span.text):
                start = span.start  # "the UK": the abbreviation alone, as the examples tag it
            found.append(self.find("country", doc[start : span.end]))
        return found

    # -- names ---------------------------------------------------------------------

    def models(self, doc: Doc, text: str) -> list[Find]:
        words = _words()
        cues = [tuple(c) for c in words["model_cues"]]
        anti = _set("model_anti_cues")
        stop = frozenset(words["not_model_names"])
        markup = _set("markup_words")
        found: list[Find] = []
        seen: set[str] = set()
        for sentence in doc.sents:
            lowered = [t.lower_ for t in sentence]
            for i in range(len(sentence)):
                name_at = None
                rule = "model_cue"
                for cue in cues:
                    if tuple(lowered[i : i + len(cue)]) == cue:
                        name_at = sentence.start + i + len(cue)
                        break
                if name_at is None and i == 0 and _paragraph_start(text, sentence.start_char):
                    name_at, rule = sentence.start, "model_subject"
                    while name_at < sentence.end and doc[name_at].text in markup:
                        name_at += 1
                if name_at is None:
                    continue
                while name_at < sentence.end and doc[name_at].lower_ in ("a", "an", "the", "our", "it", ":", "model", "models"):
                    name_at += 1
                name = _name_at(doc, name_at, sentence.end, stop)
                if name is None:
                    continue
                after = name.end
                while rule == "model_subject" and after < sentence.end and doc[after].text in markup:
                    after += 1
                if rule == "model_subject" and (after >= sentence.end or not doc[after].is_lower and doc[after].text not in (",", "(")):
                    continue
                if _near(doc, name.start, 4, anti):
                    continue
                key = name.text.casefold()
                if key in seen:
                    continue
                seen.add(key)
                found.append(self.find("model", name, rule))
        return found


_SPELLED_OUT = re.compile(r"\s|[A-Za-z]{3,}")


def _name_at(doc: Doc, i: int, end: int, stop: frozenset[str]) -> Span | None:
    """The model name starting at token *i*, if the words there look like one."""
    if i >= end:
        return None
    quotes = _set("quote_marks")
    first = doc[i]
    j = i + 1
    if first.text in quotes and i + 2 < end and doc[i + 2].text in quotes:  # '"Orca" Mini'
        first, j = doc[i + 1], i + 3
    elif first.text in stop or not _NAME_PART.match(first.text) or first.is_punct:
        return None
    # joined by hyphens: "Llama-2", "-", "7B"
    while j + 1 < end and doc[j].text in ("-", "‑", "/") and not doc[j - 1].whitespace_ and _NAME_PART.match(doc[j + 1].text):
        j += 2
    # a size or variant after a space: "Llama 2 70B", "Tui-ASR Large"
    while j < end and _SIZE_PART.match(doc[j].text) and doc[j].text not in stop:
        j += 1
    span = doc[i:j]
    text = span.text
    letters = [c for c in text if c.isalpha()]
    if not any(c.isupper() or ord(c) > 0x2FF for c in letters):
        return None  # "on 40", "spoken-language": a name has a capital (or is not in Latin letters)
    looks_named = (
        any(c.isdigit() for c in text)
        or any(ord(c) > 0x2FF for c in letters)
        or sum(c.isupper() for c in text[1:]) >= 1
        or text.startswith(("\"", "“"))
    )
    if not looks_named or text in stop or doc[i].text.rstrip("s") in stop:
        return None
    if text[0].isdigit() or load_catalogue().resolve(text) is not None and len(span) <= 3:
        return None
    return span


def _paragraph_start(text: str, offset: int) -> bool:
    before = text[:offset].rstrip(" \t")
    return not before or before.endswith("\n")


def _filter_spans(spans: list[Span]) -> list[Span]:
    from spacy.util import filter_spans

    return filter_spans(spans)


def _has(span: Span, words: frozenset[str]) -> bool:
    return any(t.lower_ in words for t in span)


def _near(doc: Doc, i: int, before: int, words: frozenset[str], after: int = 0, end: int | None = None) -> bool:
    """Whether one of *words* is among the *before* tokens ahead of token *i*, or the *after* tokens past *end*, in its sentence."""
    sentence = doc[i].sent
    end = i + 1 if end is None else end
    window = range(max(sentence.start, i - before), min(sentence.end, end + after))
    return any(doc[k].lower_ in words for k in window if not i <= k < end)


def _with_hedge(doc: Doc, i: int) -> int:
    hedges = _set("hedges")
    return i - 1 if i > 0 and doc[i - 1].lower_ in hedges else i


def _token_at_or_after(doc: Doc, char: int) -> int:
    for token in doc:
        if token.idx >= char:
            return token.i
    return len(doc)


def _without_overlaps(finds: list[Find]) -> list[Find]:
    """Text order; where two finds overlap, the longer (then the more confident) stays."""
    ranked = sorted(finds, key=lambda f: (-(f.end - f.start), -f.confidence, f.start))
    kept: list[Find] = []
    for f in ranked:
        if all(f.end <= k.start or k.end <= f.start for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def finds_for(tagged: TaggedText, extract: str) -> list[Find]:
    """What the finder proposes for a parsed document under an --extract mode.

    "auto" reads only documents with no tags (a broken tag counts as a tag:
    the text was meant to be tagged), "always" every document, "never" none.
    A person's tag wins: a find that overlaps one is dropped.
    """
    if extract not in EXTRACT_MODES:
        raise ValueError(f"extract is {extract!r}; it takes {', '.join(EXTRACT_MODES)}")
    if extract == "never" or (extract == "auto" and (tagged.spans or tagged.problems)):
        return []
    taken = [(span.start, span.end) for span in tagged.spans]
    return [f for f in find(tagged.plain) if not any(f.start < end and start < f.end for start, end in taken)]


@lru_cache(maxsize=1)
def _finder() -> _Finder:
    return _Finder()


def find(text: str) -> list[Find]:
    """Every fact the rules find in *text*, in text order, never two overlapping."""
    return _finder()(text)
