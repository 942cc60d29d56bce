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


@lru_cache(maxsize=None)
def _set(name: str) -> frozenset[str]:
    return frozenset(_words()[name])


@lru_cache(maxsize=1)
def _hedges() -> tuple[frozenset[str], frozenset[str]]:
    """The hedges normalization understands (kg/data/units.json), of one word and of two, plus "~"."""
    hedges = [h.lower() for h in json.loads(data_text("units.json"))["hedges"]] + ["~", "≈"]
    # "over 32 GPUs", "trained over 3 weeks": as a lone word, "over" and "under" are prepositions more often than hedges
    one = frozenset(h for h in hedges if " " not in h) - {"over", "under"}
    return one, frozenset(h for h in hedges if h.count(" ") == 1)


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


class _View:
    """One document's tokens as plain lists, read once: the rules index them instead of spaCy's objects.

    Sentences end at ".", "!" or "?" before a space and at every line end (a
    heading or a list item is a sentence of its own), close to the rule
    attribution uses, so both read the same sentences.
    """

    def __init__(self, text: str, doc: Doc):
        from spacy.attrs import IDX, LENGTH

        self.text, self.doc = text, doc
        rows = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
        self.idx = [row[0] for row in rows]
        self.ends = [row[0] + row[1] for row in rows]
        self.words = [text[a:b] for a, b in zip(self.idx, self.ends)]
        self.lower = [w.lower() for w in self.words]
        self.n = n = len(self.words)
        starts = [0]
        for i in range(1, n):
            before = self.words[i - 1]
            if "\n" in before or "\n" in text[self.ends[i - 1] : self.idx[i]]:
                starts.append(i)
            elif before in (".", "!", "?") and self.ends[i - 1] < self.idx[i]:
                starts.append(i)
        self.sents = list(zip(starts, [*starts[1:], n]))
        self.sent_of = [0] * n
        for number, (a, b) in enumerate(self.sents):
            for i in range(a, b):
                self.sent_of[i] = number

    def sentence(self, i: int) -> tuple[int, int]:
        return self.sents[self.sent_of[i]]

    def has(self, sentence: tuple[int, int], words: frozenset[str]) -> bool:
        return not words.isdisjoint(self.lower[sentence[0] : sentence[1]])

    def near(self, i: int, before: int, words: frozenset[str], after: int = 0, end: int | None = None) -> bool:
        """Whether one of *words* is among the *before* tokens ahead of token *i*, or the *after* tokens past *end*, in its sentence."""
        first, last = self.sentence(i)
        end = i + 1 if end is None else end
        return not words.isdisjoint(self.lower[max(first, i - before) : i] + self.lower[end : min(last, end + after)])

    def is_number(self, i: int) -> bool:
        return bool(_DIGITS.match(self.words[i])) or self.lower[i] in _set("count_words")

    def with_hedge(self, i: int) -> int:
        """Where a value starts with the hedge before it ("about 256", "more than 2 weeks"): kg.normalize reads it."""
        one, two = _hedges()
        if i > 1 and " ".join(self.lower[i - 2 : i]) in two:
            return i - 2
        return i - 1 if i > 0 and self.lower[i - 1] in one else i

    def glued(self, i: int) -> bool:
        """Whether token *i* follows the one before it with no space between."""
        return i > 0 and self.ends[i - 1] == self.idx[i]

    def at_paragraph_start(self, i: int) -> bool:
        before = self.text[: self.idx[i]].rstrip(" \t")
        return not before or before.endswith("\n")


class _Finder:
    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.util import compile_infix_regex, compile_suffix_regex

        nlp = spacy.blank("en")
        nlp.max_length = 4_000_000  # past the longest document a build reads (kg.mapping.MAX_DOCUMENT_CHARS)
        # "8×A100" and "8xA100" are a count and an accelerator
        infixes = [*nlp.Defaults.infixes, r"(?<=[0-9])[×xX](?=[A-Z])", r"(?<=[0-9])×(?=[0-9])"]
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        # "Kite-7B." ends a sentence: the period is not part of the name (spaCy keeps "B." for initials)
        suffixes = [*nlp.Defaults.suffixes, r"(?<=[0-9][A-Za-z])\."]
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        for rule, patterns in json.loads(data_text("patterns/token_patterns.json")).items():
            if rule != "about":
                self.matcher.add(rule, patterns)
        self.hardware = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.hardware.add("hardware", list(nlp.tokenizer.pipe(sorted(_hardware_names()))))
        self.countries = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.countries.add("country", list(nlp.tokenizer.pipe(sorted(_country_names()))))
        self.model_cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.model_cues.add("cue", [nlp.make_doc(" ".join(cue)) for cue in _words()["model_cues"]])
        self.confidence = _words()["confidence"]

    def __call__(self, text: str) -> list[Find]:
        view = _View(text, self.nlp.make_doc(text))
        if not view.n:
            return []
        finds: list[Find] = []
        finds += self.params(view)
        hardware = self.hardware_spans(view)
        finds += hardware
        finds += self.counts(view, hardware)
        finds += self.durations(view)
        finds += self.years(view)
        finds += self.places(view)
        models = self.models(view)
        finds += models + self.named_again(view, models, finds)
        return _without_overlaps(finds)

    def named_again(self, view: _View, models: list[Find], facts: list[Find]) -> list[Find]:
        """A found model's name again, in a sentence that states one of its facts.

        Attribution reads the models of each sentence, so a paper with two
        models needs the name where the fact is (docs/tagging.md).
        """
        if not models:
            return []
        token_at = {char: i for i, char in enumerate(view.idx)}
        with_facts = {view.sent_of[token_at[f.start]] for f in facts if f.start in token_at}
        again = []
        for model in models:
            name = view.text[model.start : model.end]
            for match in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", view.text):
                i = token_at.get(match.start())
                if match.start() == model.start or i is None or view.sent_of[i] not in with_facts:
                    continue
                again.append(Find("model", match.start(), match.end(), model.confidence, "model_again"))
        return again

    def find(self, view: _View, kind: str, start: int, end: int, rule: str | None = None) -> Find:
        """A find over tokens [start, end)."""
        return Find(kind, view.idx[start], view.ends[end - 1], self.confidence[rule or kind], rule or kind)

    # -- numbers with what they count ------------------------------------------------

    def params(self, view: _View) -> list[Find]:
        anti = _set("param_anti_cues")
        nouns = _set("param_nouns") | _set("param_fillers") | {"-"}
        wanted = _set("param_nouns") | _set("backbone_nouns")
        found = []
        for first, last in view.sents:
            if wanted.isdisjoint(view.lower[first:last]):
                continue  # the patterns need one of these words: most sentences are skipped
            for match_id, start, end in self.matcher(view.doc[first:last]):
                rule = self.nlp.vocab.strings[match_id]
                start, end = start + first, end + first
                if view.near(start, 3, anti) or (end < view.n and view.lower[end] in ("each", "per")):
                    continue
                if view.has((first, start), _set("comparison_cues")):
                    continue  # "we compare against X, which has 1.5B parameters": another model's size
                while end - 1 > start and view.lower[end - 1] in nouns:
                    end -= 1  # the span is the number, as the examples tag it
                if rule == "params_backbone":  # "a 220M encoder": the number and its scale letter
                    end = start + (2 if view.words[start + 1] in ("M", "B", "T") else 1)
                found.append(self.find(view, "params", view.with_hedge(start), end, rule))
        return found

    def hardware_spans(self, view: _View) -> list[Find]:
        brands, tails, nouns = _set("brand_words"), _set("hardware_tail_words"), _set("accelerator_nouns")
        anti, kept = _set("hardware_anti_cues"), _set("hardware_nouns_kept")
        catalogue = load_catalogue()
        found = []
        for span in _filter_spans([view.doc[s:e] for _, s, e in self.hardware(view.doc)]):
            start, end = span.start, span.end
            while start > 0 and view.lower[start - 1] in brands:
                start -= 1
            # memory and form: "A100 80GB", "H100-SXM5", "V100 32 GB"
            while end < view.n and (view.lower[end] in tails or (view.is_number(end) and end + 1 < view.n and view.lower[end + 1] in ("gb", "gib"))):
                end += 1
            while end > span.end and view.words[end - 1] == "-":
                end -= 1
            named = view.text[view.idx[start] : view.ends[end - 1]]
            if catalogue.resolve(named) is None:
                continue
            bare = end - span.start == 1 and len(span.text) <= 4
            if end < view.n and view.lower[end] in nouns:
                if view.lower[end] in kept:
                    end += 1
            elif bare and not _SPELLED_OUT.search(named) and not (start > 0 and view.is_number(start - 1)):
                continue  # "T4" or "L4" alone could be anything; "64 T4" is a count of them
            if view.near(start, 8, anti, after=4, end=end):
                continue
            found.append(self.find(view, "hardware", start, end))
        return found

    def counts(self, view: _View, hardware: list[Find]) -> list[Find]:
        found = []
        after, nouns = _set("count_anti_after"), _set("accelerator_nouns")
        by_char = {char: i for i, char in enumerate(view.idx)}
        inside = set()
        for f in hardware:
            i = by_char.get(f.start)
            if i is None:
                continue
            j = i
            while j < view.n and view.idx[j] < f.end:
                inside.add(j)
                j += 1
            before = i - 1
            if before > 0 and view.words[before] in ("×", "x", "X"):
                before -= 1
            if before < 0 or not view.is_number(before):
                continue
            if j < view.n and view.lower[j] in after:
                continue
            if before > 1 and view.lower[before - 1] in ("per", "each", "of") and view.lower[before - 2] in ("nodes", "node", "with"):
                continue
            found.append(self.find(view, "gpu_count", view.with_hedge(before), before + 1))
        found += self.unlisted(view, inside)
        # "on 64 GPUs": a count with no catalogue name
        cues, generic = _set("training_cues"), _set("generic_device_nouns")
        stops_after = after | _set("bare_count_anti_after")
        stops_before = _set("bare_count_anti_before")
        for first, last in view.sents:
            if not view.has((first, last), cues):
                continue
            for i in range(first, last - 1):
                nxt = view.lower[i + 1]
                if nxt not in nouns or nxt in generic or i in inside or (i + 1) in inside:
                    continue
                if not view.is_number(i):
                    continue
                if i + 2 < view.n and view.lower[i + 2] in stops_after:
                    continue
                if i > 0 and view.lower[i - 1] in stops_before:
                    continue
                found.append(self.find(view, "gpu_count", i, i + 1, "gpu_count_bare"))
        return found

    def unlisted(self, view: _View, inside: set[int]) -> list[Find]:
        """"256 Zephyr ZX-9 accelerators": a count and a named accelerator the catalogue lacks.

        Both are found (the build then warns that the name is not in the
        catalogue) when one to three capitalised or numbered words sit between
        the count and an accelerator noun, in a sentence about training.
        """
        cues, nouns, anti = _set("training_cues"), _set("unlisted_hardware_nouns"), _set("hardware_anti_cues")
        found = []
        for first, last in view.sents:
            if not view.has((first, last), cues) or nouns.isdisjoint(view.lower[first:last]):
                continue
            for i in range(first, last - 2):
                if i in inside or not view.is_number(i) or (i > 0 and view.lower[i - 1] in _set("bare_count_anti_before")):
                    continue
                j = i + 1
                while j < last and j - i <= 4 and j not in inside and _NAMEISH.match(view.words[j]):
                    j += 1
                if j == i + 1 or j - i > 4 or j >= last or view.lower[j] not in nouns or j in inside:
                    continue
                if view.near(i, 8, anti, after=3, end=j + 1):
                    continue
                found.append(self.find(view, "gpu_count", view.with_hedge(i), i + 1, "gpu_count_unlisted"))
                found.append(self.find(view, "hardware", i + 1, j + 1, "hardware_unlisted"))
        return found

    def durations(self, view: _View) -> list[Find]:
        units, cues, anti = _set("time_units"), _set("training_cues"), _set("training_anti_cues")
        of_ok, frequency, totals = _set("duration_of_ok"), _set("frequency_words"), _set("total_words")
        found = []
        for first, last in view.sents:
            if not view.has((first, last), cues):
                continue
            here: list[tuple[Find, int]] = []
            for i in range(first, last - 1):
                if view.lower[i + 1] not in units or not view.is_number(i):
                    continue
                after = view.lower[i + 2] if i + 2 < view.n else None
                if after == "of" and (i + 3 >= view.n or view.lower[i + 3] not in of_ok):
                    continue
                if after == "-" or (i > 0 and view.words[i - 1] in ("-", "(")):
                    continue  # "3-day", "GPU-hours", "12 steps (72 hours)"
                if view.near(i, 5, anti, after=1, end=i + 2) or view.near(i, 2, frequency):
                    continue
                here.append((self.find(view, "training", view.with_hedge(i), i + 2), i + 2))
            # "one pass takes nine hours; four passes, 36 hours in total": the total is the run's
            total = [f for f, j in here if not totals.isdisjoint(view.lower[j : min(last, j + 4)])]
            found += total or [f for f, _ in here]
        return found

    def years(self, view: _View) -> list[Find]:
        cues, anti, of_words = _set("year_cues"), _set("year_anti_cues"), _set("year_of_words")
        found = []
        for i in range(1, view.n):
            if not _YEAR.match(view.words[i]):
                continue
            before = view.lower[i - 1]
            if before not in cues:
                continue
            if before == "of" and (i < 2 or view.lower[i - 2] not in of_words):
                continue
            following = view.lower[i + 1] if i + 1 < view.n else None
            if following in ("-", "–", "/", "to", "and"):
                continue  # a range of years: data, not when the work was done
            if view.near(i, 8, anti, after=3):
                continue
            found.append(self.find(view, "year", i, i + 1))
        return found

    def places(self, view: _View) -> list[Find]:
        cues, anti = _set("country_cues"), _set("country_anti_cues")
        found = []
        for span in _filter_spans([view.doc[s:e] for _, s, e in self.countries(view.doc)]):
            start = span.start
            before = start - 2 if start > 1 and view.lower[start - 1] == "the" else start - 1
            if before < 0 or view.lower[before] not in ("in", "at", "within"):
                continue
            if not view.has(view.sentence(span.start), cues) or view.near(before, 10, anti, after=6, end=span.end):
                continue
            found.append(self.find(view, "country", start, span.end))  # the name without "the" (docs/tagging.md)
        return found

    # -- names ---------------------------------------------------------------------

    def models(self, view: _View) -> list[Find]:
        anti, markup, skip = _set("model_anti_cues"), _set("markup_words"), _set("model_lead_words")
        places = [(end, "model_cue") for _, _, end in self.model_cues(view.doc)]
        for first, _ in view.sents:
            if view.at_paragraph_start(first):
                start = first
                while start < view.n and view.words[start] in markup:
                    start += 1
                places.append((start, "model_subject"))
        found: list[Find] = []
        seen: set[str] = set()
        for at, rule in sorted(places):
            if at >= view.n:
                continue
            last = view.sentence(at)[1]
            while at < last and view.lower[at] in skip:
                at += 1
            name = _name_at(view, at, last)
            if name is None:
                continue
            start, end = name
            if rule == "model_subject":
                after = end
                while after < last and view.words[after] in markup:
                    after += 1
                if after >= last or not (view.words[after].islower() or view.words[after] in (",", "(")):
                    continue
            if view.near(start, 4, anti):
                continue
            names = [(start, end)]
            # "we train Kite-1B and Kite-7B", "X, Y and Z": names joined to the first
            while rule == "model_cue" and end + 1 < last and view.lower[end] in (",", "and", "or"):
                nxt = end + 2 if view.lower[end] == "," and view.lower[end + 1] == "and" else end + 1
                more = _name_at(view, nxt, last)
                if more is None:
                    break
                names.append(more)
                end = more[1]
            for start, end in names:
                key = view.text[view.idx[start] : view.ends[end - 1]].casefold()
                if key not in seen:
                    seen.add(key)
                    found.append(self.find(view, "model", start, end, rule))
        return found


_SPELLED_OUT = re.compile(r"\s|[A-Za-z]{3,}")
#: a word of an accelerator's name: a capital or a digit in it ("Zephyr", "ZX-9", "Q7")
_NAMEISH = re.compile(r"^(?=.*[A-Z0-9])[A-Za-z0-9][A-Za-z0-9.-]*$")


def _name_at(view: _View, i: int, end: int) -> tuple[int, int] | None:
    """The tokens [i, j) of a model name starting at token *i*, if the words there look like one."""
    if i >= end:
        return None
    stop, quotes = _set("not_model_names"), _set("quote_marks")
    words = view.words
    first, j = words[i], i + 1
    if first in quotes and i + 2 < end and words[i + 2] in quotes:  # '"Orca" Mini'
        first, j = words[i + 1], i + 3
    elif first in stop or not _NAME_PART.match(first):
        return None
    # joined by hyphens: "Llama-2", "-", "7B"
    while j + 1 < end and words[j] in ("-", "‑", "/") and view.glued(j) and _NAME_PART.match(words[j + 1]):
        j += 2
    if not any(c.isupper() or ord(c) > 0x2FF for c in view.text[view.idx[i] : view.ends[j - 1]]):
        return None  # "a 13B", "on 40": a name's first word has a capital (or is not in Latin letters)
    # a size or variant after a space: "Llama 2 70B", "Tui-ASR Large"
    while j < end and _SIZE_PART.match(words[j]) and words[j] not in stop:
        j += 1
    text = view.text[view.idx[i] : view.ends[j - 1]]
    letters = [c for c in text if c.isalpha()]
    if not any(c.isupper() or ord(c) > 0x2FF for c in letters):
        return None  # "on 40", "spoken-language": a name has a capital (or is not in Latin letters)
    looks_named = (
        any(c.isdigit() for c in text)
        or any(ord(c) > 0x2FF for c in letters)
        or any(c.isupper() for c in text[1:])
        or text.startswith(("\"", "“"))
    )
    if not looks_named or text in stop or words[i].rstrip("s") in stop:
        return None
    if text[0].isdigit() or (j - i <= 3 and load_catalogue().resolve(text) is not None):
        return None
    return i, j


def _filter_spans(spans: list[Span]) -> list[Span]:
    from spacy.util import filter_spans

    return filter_spans(spans)


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
