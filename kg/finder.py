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

import bisect
import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from typing import TYPE_CHECKING, Callable, Iterator

from .hardware import load_catalogue
from .normalize import data_text
from .kinds import FOUND
from .tags import TaggedText

if TYPE_CHECKING:  # spaCy is imported when the finder first runs, not by every kg command
    from spacy.tokens import Doc, Span

__all__ = ["EXTRACT_MODES", "FINDER", "KINDS", "Find", "find", "finds_for"]

#: the finder's name and version, written as ``mlkg:extractedBy`` on what it finds
FINDER = "mlkg finder 1"
#: the kinds it finds (kg.kinds), in the order tags are usually written
KINDS = FOUND
#: --extract: find facts in documents with no tags (auto), in every document
#: beside the tags a person wrote (always), or never
EXTRACT_MODES = ("auto", "always", "never")

#: words a period follows without ending the sentence
_ABBREVIATIONS = frozenset(
    {"al", "e.g", "i.e", "etc", "fig", "figs", "cf", "vs", "approx", "ca", "no", "eq", "sec", "resp"}
)
#: tokens after which a sentence may end: a full stop, or emphasis closing after one ("**Base model.**")
_STOPS = frozenset({".", "!", "?", "*", "_"})
#: a number that may count something in a compound ("12-epoch", "300k-step")
_COUNTED = re.compile(r"^\d[\d,.]*[kKmM]?$")
_SCALED = re.compile(r"^[~≈]?\d[\d,]*(?:\.\d+)?[KkMmBbTt]$")
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")
_YEAR = re.compile(r"^(?:19[6-9]\d|20[0-4]\d)$")
#: a word that may be (part of) a model's name: letters, digits and joiners
_NAME_PART = re.compile(r"^[\"“”'’]?[\w\u00C0-\u024F\u3400-\u9FFF][\w\u00C0-\u024F\u3400-\u9FFF.+/&-]*[\"“”'’]?$")
#: a version word after a name: "V2", "v3.1"
_VERSION = re.compile(r"^[Vv]\d+(?:\.\d+)?$")
_SIZE_PART = re.compile(
    r"^(?:\d+(?:\.\d+)?[BMKT]?|[A-Z]{1,3}|[Vv]\d+(?:\.\d+)?|(?i:large|base|small|medium|tiny|mini|huge|giant|pro|plus|ultra|lite|nano|micro))$"
)


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


def read_patterns() -> None:
    """Read the finder's data files, so that a broken one stops a build before any document is read."""
    _words()
    json.loads(data_text("patterns/token_patterns.json"))


@lru_cache(maxsize=None)
def _set(name: str) -> frozenset[str]:
    return frozenset(_words()[name])


@lru_cache(maxsize=None)
def _first_words(name: str) -> frozenset[str]:
    """The first words of a word list's phrases ("another" of "another group")."""
    return frozenset(phrase.split()[0] for phrase in _words()[name])


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


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    names = {row["name"] for row in _csv("countries.csv")}
    names.update(row["alias"] for row in _csv("country_aliases.csv") if row["iso2"])
    # a two-letter alias ("US") is found only in capitals; "us" is a pronoun
    return frozenset(n for n in names if len(n) > 2 or n.isupper())


class _View:
    """One document's tokens as plain lists, read once: the rules index them instead of spaCy's objects.

    Sentences end at ".", "!" or "?" before a space and at every line end (a
    heading or a list item is a sentence of its own), close to the rule
    attribution uses, so both read the same sentences.
    """

    def __init__(self, text: str, doc: Doc, flags: tuple[int, int, int, int]):
        """*flags* are the vocabulary's flags of a number, a year, a capitalised word and a number the token patterns read (``_Finder``)."""
        from spacy.attrs import IDX, LENGTH

        self.text, self.doc = text, doc
        if len(doc):
            columns = doc.to_array([IDX, LENGTH, *flags])
            self.idx = columns[:, 0].tolist()
            self.ends = (columns[:, 0] + columns[:, 1]).tolist()
            #: the tokens that are numbers (``is_number``), and that read as years, in order
            self._numbers = columns[:, 2].nonzero()[0].tolist()
            self.years = columns[:, 3].nonzero()[0].tolist()
            self._capitalised = columns[:, 4].nonzero()[0].tolist()
            #: the tokens one of the token patterns' number tokens reads ("7B", "2.8", "175,000,000")
            self.patterned = columns[:, 5].nonzero()[0].tolist()
        else:
            self.idx, self.ends, self._numbers, self.years, self._capitalised, self.patterned = [], [], [], [], [], []
        self.words = [text[a:b] for a, b in zip(self.idx, self.ends)]
        self.lower = [w.lower() for w in self.words]
        self.n = n = len(self.words)
        #: each word in lower case, with its tokens in order: the rules visit only the tokens they need
        self.index: dict[str, list[int]] = {}
        for k, word in enumerate(self.lower):
            self.index.setdefault(word, []).append(k)
        # a line end in a token or in the space before the next one: the next token starts a sentence
        starts = {bisect.bisect_right(self.idx, m.start()) for m in re.finditer("\n", text)}
        for i in (k + 1 for k in self.where(_STOPS)):
            before = self.words[i - 1]
            if i >= n or self.ends[i - 1] == self.idx[i]:
                continue
            if before in (".", "!", "?"):
                if not (before == "." and i > 1 and self.words[i - 2].lower() in _ABBREVIATIONS):
                    starts.add(i)  # but not after "et al.", "e.g.", "Fig."
            elif self._closes_after_stop(i - 1):
                starts.add(i)  # "**Base model.** Kiwi-3B is ...": a bold heading ends its sentence
        ordered = sorted(i for i in starts if 0 < i < n)
        self.sents = list(zip([0, *ordered], [*ordered, n]))
        self._citing: list[int] | None = None
        self._author_years: list[int] | None = None
        self._table_text: str | None = None
        #: where phrases that others made a thing start ("another group", "concurrent work")
        self._made_by_others: list[int] | None = None
        #: where numbered citations ("[7, 12]") end (their "]")
        self._numbered: list[int] = []
        #: where a citation is a sentence's subject ("Ruiz and Tanaka (2023) distilled ..."), read with author_years
        self.narrative: set[int] = set()
        self._proper: frozenset[str] | None = None
        self._tables: list[list[tuple[int, int, list[tuple[int, int]]]]] | None = None
        #: the country names' matches (``_Finder.country_matches``), read once
        self.countries: list[tuple[int, int, int]] | None = None
        #: names already looked up by _another_model: whether the text says each is someone else's
        self.theirs: dict[str, bool] = {}
        self.sent_of: list[int] = []
        for number, (a, b) in enumerate(self.sents):
            self.sent_of += [number] * (b - a)

    @property
    def tables(self) -> list[list[tuple[int, int, list[tuple[int, int]]]]]:
        """The tables written as text in the document (``_table_lines``), read once."""
        if self._tables is None:
            self._tables = _table_lines(self.table_text)
        return self._tables

    @property
    def table_text(self) -> str:
        """The text with LaTeX and CSV table rows written as "|" rows (``_latex_rows``, ``_csv_rows``), offsets unchanged."""
        if self._table_text is None:
            self._table_text = _csv_rows(_latex_rows(self.text))
        return self._table_text

    def where(self, words: frozenset[str] | tuple[str, ...]) -> list[int]:
        """The tokens, in text order, that are one of *words* (in lower case)."""
        index = self.index
        return sorted(k for word in words if word in index for k in index[word])

    def numbers(self, start: int, end: int) -> list[int]:
        """The tokens among [start, end) that are numbers (``is_number``), in order."""
        return self._numbers[bisect.bisect_left(self._numbers, start) : bisect.bisect_left(self._numbers, end)]

    @property
    def proper(self) -> frozenset[str]:
        """Capitalised words used as names here: capitalised inside a sentence, never written in lower case.

        "Marlin was trained ... The learner of Marlin ran on ...": a one-word
        name with no digit or inner capital is told from a sentence's first
        word ("Training was ...") by how the rest of the document writes it.
        """
        if self._proper is None:
            self._proper = self._read_proper()
        return self._proper

    def _read_proper(self) -> frozenset[str]:
        words = self.words
        starts = {a for a, _ in self.sents}
        capitalised = [
            (k, words[k])
            for k in self._capitalised
            if k not in starts and words[k - 1].islower()  # after a word in lower case: "the learner of Marlin"
        ]
        titled = {number: self._titled(number) for number in {self.sent_of[k] for k, _ in capitalised}}
        inside = {w for k, w in capitalised if not titled[self.sent_of[k]]}
        stop = _set("not_model_names") | _set("common_capitalised")
        return frozenset(
            w for w in inside if not self.in_lower_case(w) and w not in stop and w.lower() not in _set("brand_words")
        )

    def in_lower_case(self, word: str) -> bool:
        """Whether the document writes *word* in lower case somewhere ("marlin" for "Marlin")."""
        lower = word.lower()
        return lower.islower() and any(self.words[k] == lower for k in self.index.get(lower, ()))

    def _titled(self, number: int) -> bool:
        """Whether sentence *number* is a heading in title case ("Model Architecture and Training Protocol"): it capitalises common words."""
        a, b = self.sents[number]
        words = [w for w in self.words[a:b] if w.isalpha() and len(w) > 3]
        return bool(words) and sum(w[0].isupper() for w in words) * 2 > len(words)

    def opens_with_comparison(self, first: int, before: int) -> bool:
        """Whether the sentence at token *first* opens, before token *before*, with a comparison ("For comparison,", "Reference points:")."""
        comma = next((j for j in range(first, min(before, first + 6)) if self.words[j] in (",", ":")), None)
        return comma is not None and not _set("comparison_openers").isdisjoint(self.lower[first:comma])

    def _closes_after_stop(self, k: int) -> bool:
        """Whether token *k* ends a run of emphasis marks that follows a full stop, with no space inside."""
        while k > 0 and self.words[k] in ("*", "_") and self.ends[k - 1] == self.idx[k]:
            k -= 1
        return self.words[k] in (".", ":", "!", "?")

    def heading_before(self, first: int) -> bool:
        """Whether the sentence starting at token *first* follows a run-in heading ("Setup. PatchMix-S, 22M params").

        The heading opens its paragraph and has at most four words; what
        follows it is read as the paragraph's first sentence.
        """
        number = self.sent_of[first] if first < self.n else 0
        if number == 0:
            return False
        a, b = self.sents[number - 1]
        if not self.at_paragraph_start(a):
            return False  # the quick test first: most sentences do not open a line
        words = [w for w in self.words[a:b] if w not in ("*", "_", "#", "##", "###")]
        if not (1 < len(words) <= 5 and words[-1] in (".", ":") and words[0][:1].isupper()):
            return False
        plain = {w.lower() for w in words}
        return plain.isdisjoint(_set("copulas")) and plain.isdisjoint(_set("first_person"))

    def clause(self, i: int) -> tuple[int, int]:
        """The tokens [start, end) of token *i*'s clause: its sentence, cut at each ";"."""
        last = self.sentence(i)[1]
        rest = self.words[i:last]
        return self.clause_start(i), i + rest.index(";") if ";" in rest else last

    def clause_start(self, i: int) -> int:
        """The first token of token *i*'s clause: after the last ";" before it in its sentence."""
        first = self.sentence(i)[0]
        return next((k + 1 for k in range(i - 1, first - 1, -1) if self.words[k] == ";"), first)

    def sentence(self, i: int) -> tuple[int, int]:
        return self.sents[self.sent_of[i]]

    def has(self, sentence: tuple[int, int], words: frozenset[str]) -> bool:
        return not words.isdisjoint(self.lower[sentence[0] : sentence[1]])

    def near(self, i: int, before: int, words: frozenset[str], after: int = 0, end: int | None = None) -> bool:
        """Whether one of *words* is among the *before* tokens ahead of token *i*, or the *after* tokens past *end*, in its sentence."""
        first, last = self.sentence(i)
        end = i + 1 if end is None else end
        return not words.isdisjoint(self.lower[max(first, i - before) : i] + self.lower[end : min(last, end + after)])

    def elsewhere(self, sentence: tuple[int, int]) -> bool:
        """Whether a sentence is about another activity (inference, evaluation, processing) and not the run."""
        return self.has(sentence, _set("other_activity_words")) and not self.has(sentence, _set("run_words"))

    def other_activity(self, i: int) -> bool:
        """Whether the activity word nearest before token *i*, in its clause, is not training.

        "We trained on 64 A100s; latency is measured on one T4" and "feature
        extraction took 3.5 days on two RTX 4090 cards": the words that say
        what the hardware or the time was for come before it.
        """
        run, other, gerunds = _set("run_words"), _set("other_activity_words"), _set("gerund_objects")
        # "16 inference cards", "the deployment hardware": a kind of device, which may be what trained
        devices = _set("accelerator_nouns") | {"hardware"}
        for k in range(i - 1, self.sentence(i)[0] - 1, -1):
            word = self.lower[k]
            if word == ";" or word in run:
                return False
            if word in other and not (k + 1 < self.n and self.lower[k + 1] in devices):
                return True
            if word.endswith("ing") and k + 1 < self.n and self.lower[k + 1] in gerunds:
                # "embedding all 5.9 million photos took 6 hours on two H100 GPUs": an activity named by the verb
                # that opens its clause; "running the schedule" is the run's, "including the search" no activity
                cues = _set("hardware_cues") | _set("training_cues")
                opens = k == self.clause_start(k) or self.words[k - 1] in _set("markup_words")
                if opens and not {word, word[:-3], word[:-4]} & cues:
                    return True
        return False

    def keyed(self, sentence: tuple[int, int]) -> str | None:
        """The kind a "key: value" line's key names (finder.json "setup_keys"), if the sentence is one.

        "- Devices: 8 x Ascend 910B NPUs", "HW: 4 × MI250X", and a JSON or
        YAML configuration's '"devices": "8 x A100 GPUs"' ("_" read as a space).
        """
        first = sentence[0]
        if first >= self.n:
            return None
        line = _KEY_LINE.match(self.text, self.idx[first])
        if line is None:
            return None
        key = line.group("key").casefold().replace("_", " ")
        return next((kind for kind, names in _words()["setup_keys"].items() if key in names), None)

    def says_total(self, start: int, end: int, totals: frozenset[str]) -> bool:
        """Whether tokens [start, end) hold a word or two-word phrase of *totals* ("in total", "in all")."""
        words = self.lower[start:end]
        if not totals.isdisjoint(words):
            return True
        return not _first_words("total_words").isdisjoint(words) and any(
            f"{a} {b}" in totals for a, b in zip(words, words[1:])
        )

    def compares(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) compare with something else ("rather than" does not)."""
        cues = _set("comparison_cues")
        if cues.isdisjoint(self.lower[start:end]):
            return False
        return any(
            w in cues and not (w == "than" and k > start and self.lower[k - 1] == "rather")
            for k, w in enumerate(self.lower[start:end], start)
        )

    def token_at(self, char: int) -> int:
        return max(bisect.bisect_right(self.idx, char) - 1, 0)

    def counted(self, i: int) -> bool:
        """Whether a count comes right before token *i* ("64 A100", "8×A100")."""
        before = i - 2 if i > 1 and self.words[i - 1] in ("×", "x", "X") else i - 1
        return before >= 0 and self.is_number(before)

    def scaled_at(self, end: int) -> int | None:
        """The first token of a scaled number ending just before token *end* ("1.4B", or "350" "M")."""
        if end >= 1 and _SCALED.match(self.words[end - 1]):
            return end - 1
        if end >= 2 and self.words[end - 1] in ("M", "B", "T", "K") and self.is_number(end - 2) and self.glued(end - 1):
            return end - 2
        return None

    def cites(self, char: int) -> bool:
        """Whether the words at *char* report other work: a citation or "according to" close by.

        Close is ten words before or eight after in the sentence ("GPT-3 (Brown et al.,
        2020) has 175B parameters", "took 21 days according to its authors"), or the
        same parentheses ("(86M parameters, pre-trained by Dosovitskiy et al.)").
        """
        if self._citing is None:
            phrases = _set("other_work_phrases")
            heads = {p.split()[0] for p in phrases}
            said = [
                k
                for k in self.where(frozenset(heads))
                if self.lower[k] in phrases or k + 1 < self.n and f"{self.lower[k]} {self.lower[k + 1]}" in phrases
            ]
            self._citing = sorted({*said, *self.author_years})
            if "[" in self.text:
                self._numbered = [self.token_at(m.end() - 1) for m in _NUMBERED_CITATION.finditer(self.text)]
        if self._numbered and self.cites_by_number(char):
            return True
        if self._made_by_others is None:
            makers, maker_heads = _set("other_makers"), _first_words("other_makers")
            self._made_by_others = (
                [
                    k
                    for k in self.where(maker_heads)
                    if k + 1 < self.n and f"{self.lower[k]} {self.lower[k + 1]}" in makers
                ]
                if any(head in self.index for head in maker_heads)
                else []
            )
        if self._made_by_others and self.made_by_others(char):
            return True
        if not self._citing:
            return False
        i = max(bisect.bisect_right(self.idx, char) - 1, 0)
        first, last = self.sentence(i)
        for k in self._citing:
            if not first <= k < last:
                continue
            if (
                i - 10 <= k <= i + 8
                and ";" not in self.words[min(i, k) : max(i, k)]
                and not (k < i and not _set("first_person").isdisjoint(self.lower[k:i]))
            ):  # but "Following Okafor et al. (2021), we train on 32 A100 GPUs": the "we" is the paper
                return (
                    True  # "... has 92 million parameters; the frozen UNI encoder (Chen et al.)" cites the next clause
                )
            if k < i and _set("first_person").isdisjoint(self.lower[k:i]) and self.carries_on(k, i):
                return True  # "which its authors pretrained on 970,000 episodes using 64 A100 GPUs for 14 days"
            opened = max((j for j in range(first, i) if self.words[j] == "("), default=None)
            if opened is not None and ")" not in self.words[opened:i] and ")" not in self.words[i:k] and k > i:
                return True
        return False

    def made_by_others(self, char: int) -> bool:
        """Whether the clause of the words at *char* says that others made what they describe.

        "A transformer with 85M parameters, pre-trained on 2 million spectra
        by another group on 16 A100 GPUs" and "a 1.3B-parameter model
        fine-tuned in concurrent work" (finder.json "other_makers"): anywhere
        later in the clause when no "we" or "our" comes in the clause before
        the phrase ("we train Tarn (90M parameters) on data shared by another
        group" stays the paper's), or up to ten words before with none between.
        """
        i = self.token_at(char)
        start, end = self.clause(i)
        firsts = _set("first_person")
        return any(
            (i < k < end and firsts.isdisjoint(self.lower[start:k]))
            or (max(start, i - 10) <= k < i and firsts.isdisjoint(self.lower[k:i]))
            for k in self._made_by_others or ()
        )

    def cites_by_number(self, char: int) -> bool:
        """Whether a numbered citation ("[7]", "[7, 12]") before the words at *char* names their source.

        "Earlier reef models [7, 12] were trained on V100 GPUs": up to ten
        words before, in the same clause, with no "we" or "our" between. One
        after the words is not read: "we trained on 8 A100 GPUs [12]" cites a
        method or a data set as often as a run.
        """
        i = self.token_at(char)
        start = self.clause_start(i)
        return any(
            start <= k < i and k >= i - 10 and _set("first_person").isdisjoint(self.lower[k:i]) for k in self._numbered
        )

    def carries_on(self, k: int, i: int) -> bool:
        """Whether every ";" between tokens *k* and *i* opens a clause that points back ("...; they report that ...")."""
        pointers = _set("back_pointers")
        return all(self.lower[j + 1] in pointers for j in range(k, i) if self.words[j] == ";")

    @property
    def author_years(self) -> list[int]:
        """Where author-year citations start: "Ruiz and Tanaka (2023)", "Smith et al. (2021)", "(Lee, 2022)".

        Each is read back from a year followed by ")", ";" or ",", so a
        document is searched only around its years. A country, month or tool
        before the year ("Germany (2023)") is no author.
        """
        if self._author_years is None:
            self._author_years = self._read_author_years()
        return self._author_years

    def _read_author_years(self) -> list[int]:
        text, starts = self.text, []
        pattern = _author_year_re()
        not_authors = _set("not_model_names") | _set("common_capitalised")
        for y in self.years:
            end = self.ends[y]
            if end >= len(text) or text[end] not in ");,":
                continue
            a = max(0, self.idx[y] - 120)
            m = pattern.search(text, a, end + 1)
            if m is None:
                continue
            names = re.findall(r"[A-Z\u00C0-\u00DE][\w'’-]*", m.group())
            if any(_country_or_place(n) or n in not_authors for n in names):
                continue
            if len(names) == 1 and text[m.start()] not in "(;" and self.introduced_as_own(self.token_at(m.start())):
                continue  # "we train Kestrel (2024) on ...": the paper's model and the year it was made, no author
            starts.append(self.token_at(m.start()))
            if text[m.start()] != "(" and text[m.start()] != ";":
                self.narrative.add(self.token_at(m.start()))
        return starts

    def introduced_as_own(self, k: int) -> bool:
        """Whether the words right before token *k* make the name there the paper's own.

        "we train Kestrel", "we then pre-train Kestrel", "our Kestrel", "a
        decoder called Kestrel": one makes a model, not an author. Verbs that
        take other work as their object ("we extend Lindqvist (2022)", "we
        follow ...") are not among ``making_verbs``.
        """
        first = self.clause_start(k)
        if k <= first:
            return False
        before = self.lower[k - 1]
        if before == "our" or before in _set("naming_words"):
            return True
        verb = k - 1
        if verb - 2 >= first and self.words[verb - 1] == "-" and self.glued(verb) and self.glued(verb - 1):
            verb -= 2  # "pre-train" is three tokens
            before = f"{self.lower[verb]}-{before}"
        return before in _set("making_verbs") and "we" in self.lower[max(first, verb - 3) : verb]

    def compound_before(self, i: int, words: frozenset[str]) -> bool:
        """Whether one of *words* before token *i* is the end of a compound ("the 12-epoch schedule")."""
        first = self.sentence(i)[0]
        return any(
            self.lower[k] in words and k > first + 1 and self.words[k - 1] == "-" and _COUNTED.match(self.words[k - 2])
            for k in range(max(first, i - 6), i)
        )

    def is_number(self, i: int) -> bool:
        return _is_number_word(self.lower[i])

    def mentions(self, start: int, end: int, phrases: frozenset[str]) -> bool:
        """Whether one of *phrases* (of one or two words) is among tokens [start, end)."""
        words = self.lower[start:end]
        return not phrases.isdisjoint(words) or not phrases.isdisjoint(f"{a} {b}" for a, b in zip(words, words[1:]))

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
        """Whether token *i* is the first of its line (spaces and tabs before it aside)."""
        k = self.idx[i]
        while k > 0 and self.text[k - 1] in " \t":
            k -= 1
        return k == 0 or self.text[k - 1] == "\n"


class _Finder:
    def __init__(self) -> None:
        import spacy
        from spacy.attrs import IDS
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokenizer import Tokenizer
        from spacy.util import compile_infix_regex, compile_suffix_regex

        nlp = spacy.blank("en")
        nlp.max_length = 4_000_000  # past the longest document a build reads (kg.mapping.MAX_DOCUMENT_CHARS)
        blank = nlp.tokenizer
        assert isinstance(blank, Tokenizer)  # a blank pipeline's is spaCy's rule tokenizer
        # "8×A100" and "8xA100" are a count and an accelerator
        infixes = [*(nlp.Defaults.infixes or ()), r"(?<=[0-9])[×xX](?=[A-Z])", r"(?<=[0-9])×(?=[0-9])"]
        # "Kite-7B." ends a sentence: the period is not part of the name (spaCy keeps "B." for initials)
        # and so do "as in DeiT." (a name ending in a capital), "Heron-B." and "~60 h." (spaCy keeps a letter's period, as for an initial)
        suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=[0-9][A-Za-z])\.", r"(?<=[a-z-][A-Z])\."]
        # built once with all its rules: each rule set on a built tokenizer reloads its special cases (a tenth of a second)
        tokenizer = nlp.tokenizer = Tokenizer(
            nlp.vocab,
            rules={k: v for k, v in blank.rules.items() if not re.fullmatch(r"[A-Za-z]\.", k)},
            prefix_search=blank.prefix_search,
            suffix_search=compile_suffix_regex(suffixes).search,
            infix_finditer=compile_infix_regex(infixes).finditer,
            token_match=blank.token_match,
            url_match=blank.url_match,
            faster_heuristics=blank.faster_heuristics,
        )
        self.nlp = nlp
        token_patterns = {
            k: v for k, v in json.loads(data_text("patterns/token_patterns.json")).items() if k != "about"
        }
        # whether a word is a number, a year, a capitalised word, a number a token pattern reads: decided once per
        # distinct word, when spaCy's vocabulary first meets it, and read for a whole document at once (_View);
        # on flags spaCy leaves spare
        self.flags = (
            nlp.vocab.add_flag(_is_number_text, IDS["FLAG19"]),
            nlp.vocab.add_flag(_is_year_text, IDS["FLAG20"]),
            nlp.vocab.add_flag(_is_capitalised, IDS["FLAG21"]),
            nlp.vocab.add_flag(_pattern_numbers([p for ps in token_patterns.values() for p in ps]), IDS["FLAG22"]),
        )
        self.matcher = Matcher(nlp.vocab)
        for rule, patterns in token_patterns.items():
            self.matcher.add(rule, patterns)
        self.reach = _anchors([p for patterns in token_patterns.values() for p in patterns])
        self.hardware = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.hardware.add("hardware", list(tokenizer.pipe(sorted(_hardware_names()))))
        self.countries = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.countries.add("country", list(tokenizer.pipe(sorted(_country_names()))))
        self.model_cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.model_cues.add("cue", [nlp.make_doc(" ".join(cue)) for cue in _words()["model_cues"]])
        self.confidence = _words()["confidence"]

    def __call__(self, text: str) -> list[Find]:
        view = _View(text, self.nlp.make_doc(text), self.flags)
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
        seen = {view.text[f.start : f.end].casefold() for f in models}
        listed, sizes = self.tables(view, seen)
        models += [f for f in listed if view.text[f.start : f.end].casefold() not in seen]
        finds += sizes + self.setup_lines(view)
        models += self.siblings(view, models)
        if not models:  # a paper that names no model of its own may fine-tune a public one
            models = self.checkpoints(view)
        finds += models + self.named_again(view, models, finds)
        finds += self.sizes_after_names(view, [f for f in finds if f.kind == "model"])
        ours = {view.text[f.start : f.end].casefold() for f in models}
        finds += self.sizes_owners(view, [f for f in finds if f.kind == "params"], ours)
        taken = {view.token_at(f.start) for f in finds if f.kind == "hardware"}
        # accelerators' and countries' words are no model's name ("SXM5", "Zealand")
        inside = {
            k
            for f in finds
            if f.kind == "hardware"
            for k in range(view.token_at(f.start), view.token_at(f.end - 1) + 1)
        }
        inside.update(k for _, a, b in self.country_matches(view) for k in range(a, b))
        foreign = self.foreign_sentences(view, ours, taken)
        unrun = [  # the quick test first: most texts request and suppose nothing
            k
            for k in view.where(_set("unrun_words"))
            # "we request", "we are requesting"; but "a short request" is a noun
            if not view.lower[k].startswith("request") or (k > 0 and view.lower[k - 1] in ("we", "i", "are", "am"))
        ]
        if self.trains_nothing(view):
            return []
        if len(ours) <= 1 and any(f.rule == "training_total" for f in finds):
            # "Altogether, the two stages took roughly five days": where the text sums one model's stages, the sum is its time
            finds = [f for f in finds if f.kind != "training" or f.rule == "training_total"]
        return _without_overlaps(
            [
                f
                for f in finds
                if not view.cites(f.start)
                and (f.kind == "model" or view.sent_of[view.token_at(f.start)] not in foreign)
                and not (f.kind == "params" and self.anothers_size(view, view.token_at(f.start), ours))
                and not (f.kind == "year" and self.anothers_year(view, view.token_at(f.start), ours, inside))
                and not (f.kind != "model" and self.anothers_fact(view, view.token_at(f.start), ours, inside))
                and not (unrun and self.not_run(view, view.token_at(f.start), unrun))
            ]
        )

    def country_matches(self, view: _View) -> list[tuple[int, int, int]]:
        """Where country names stand in the document, as the ``PhraseMatcher`` gives them; matched once per document."""
        if view.countries is None:
            view.countries = list(self.countries(view.doc))
        return view.countries

    @staticmethod
    def not_run(view: _View, i: int, unrun: list[int]) -> bool:
        """Whether token *i*'s clause only requests, supposes or plans a run (finder.json "unrun_words").

        "For Tern-3 we request 9,000 GPU-hours on H200 nodes to train a
        1B-parameter model", "the next step would be to fine-tune a 110M
        encoder", "a 34M variant was prototyped on paper but dropped": no run
        was made, so neither its model nor its numbers are facts.
        """
        start, end = view.clause(i)
        return any(start <= k < end for k in unrun)

    @staticmethod
    def trains_nothing(view: _View) -> bool:
        """ "We train no models in this study": a document that says so has no run of its own."""
        return _trains_nothing_re().search(view.text) is not None

    @staticmethod
    def anothers_fact(view: _View, i: int, ours: set[str], hardware: set[int]) -> bool:
        """Whether the name nearest before token *i* in its clause is another model's, not ours.

        "BLOOM (176B) was trained on 384 A100 GPUs", "the 15B-parameter
        StarCoder model, trained on 512 A100 GPUs, is our point of
        comparison": the facts after a name belong to it. A "we" or "our"
        between the name and the fact makes the fact ours again, and a name
        after "on", "from" or "of" is what was used (a data set, a
        checkpoint), not who ran.
        """
        firsts, objects = _set("first_person"), _set("object_prepositions")
        for k in range(i - 1, view.sentence(i)[0] - 1, -1):
            word = view.lower[k]
            if word == ";" or word in firsts:
                return False
            if not view.words[k][:1].isupper() or k in hardware or not _names_a_model(view, k):
                continue  # (a name starts with a capital: the quick test first)
            start = view.token_at(view.ends[k] - len(_name_ending(view, k)))
            before = start - 2 if start > 1 and view.lower[start - 1] in ("the", "a", "an") else start - 1
            if before >= 0 and view.lower[before] in objects and view.lower[k + 1 : k + 2] != ["et"]:
                continue  # "on LAION-5B", "from the ISIC 2019 challenge": what was used
            if (
                start > 0
                and view.lower[start - 1] in ("a", "an")
                or view.lower[k + 1 : k + 2]
                and view.lower[k + 1] in _set("component_nouns")
            ):
                continue  # "a BiLSTM-CRF tagger", "with a ViT-Huge encoder": a kind of model or a part, not who ran
            if not _set("accelerator_nouns").isdisjoint(view.lower[k + 1 : k + 3]):
                continue  # "16 Zephyr-9 inference cards": an accelerator the catalogue lacks
            name = _name_ending(view, k)
            if any(name.casefold() in o or o in name.casefold() for o in ours):
                return False
            return _another_model(view, name)
        return False

    @staticmethod
    def anothers_size(view: _View, i: int, ours: set[str]) -> bool:
        """ "Chinchilla, with 70 billion parameters": a size written right after another name."""
        if i >= 2 and view.words[i - 1] == "(":  # "XLM-R base (270M parameters)": the size of the name before
            names = [w for w in view.words[max(0, i - 4) : i - 1] if w[:1].isupper() or any(c.isdigit() for c in w)]
            if names and not any(n.casefold() in o or o in n.casefold() for n in names for o in ours):
                return True
        for before in ((",", "with"), ("(",), ("has",), ("'s",), (",", "which", "has")):
            k = i - len(before)
            if k >= 1 and tuple(view.lower[k:i]) == before:
                name = view.words[k - 1]
                if name[:1].isupper() and name.casefold() not in ours and not any(name.casefold() in o for o in ours):
                    if before == ("has",) and (
                        not _another_model(view, _name_ending(view, k - 1))
                        or _name_ending(view, k - 1) in _set("not_model_names")
                    ):
                        return (
                            False  # "Tamsa-ASR has 317M parameters", said of no one else; "the U-Net has 865M": a part
                        )
                    return name not in _set("not_model_names") and view.lower[k - 1] not in _set("own_words")
        return False

    @staticmethod
    def anothers_year(view: _View, i: int, ours: set[str], inside: set[int]) -> bool:
        """ "the 3.14e23 FLOPs estimated for GPT-3 in 2020": a year that dates another's model, figure or release.

        The name right before a year's time words ("in", "in early", "in
        March") is what the year dates. After "for", "by" or "of" that name
        owns what is dated ("released by OpenAI in 2020"), unlike a name after
        "on" or "using", which was used ("on LUMI in 2023" dates the paper's
        run); unless it is one of the paper's own names, the year is someone
        else's.
        """
        k, cues = i - 1, _set("year_cues")
        while k > 0 and view.lower[k] in cues:
            k -= 1
        if k < 1 or k in inside or not view.words[k][:1].isupper():
            return False
        name = _name_ending(view, k)
        # "Gemini-Pro": a hyphenated name whose last part alone is a plain word
        if not _names_a_model(view, k) and (name == view.words[k] or not _FOREIGN_NAME.match(name)):
            return False
        if name in _set("not_model_names"):
            return False
        start = view.token_at(view.ends[k] - len(name))
        before = start - 2 if start > 1 and view.lower[start - 1] in ("the", "a", "an") else start - 1
        if before < 0 or view.lower[before] not in _set("year_owner_words"):
            return False
        return not any(name.casefold() in o or o in name.casefold() for o in ours)

    def sizes_owners(self, view: _View, sizes: list[Find], ours: set[str]) -> list[Find]:
        """ "Tamsa-ASR has 317M parameters": the name a kept size is said of, when the text gives it to no one else."""
        found = []
        for size in sizes:
            k = view.token_at(size.start) - 1
            if k < 1 or view.lower[k] != "has":
                continue
            name = _name_ending(view, k - 1)
            if (
                not _FOREIGN_NAME.match(name)
                or name in _set("not_model_names")
                or name.casefold() in ours
                or _another_model(view, name)
            ):
                continue
            start = view.token_at(view.idx[k - 1] - (len(name) - len(view.words[k - 1])))
            found.append(self.find(view, "model", start, k, "model_owner"))
            ours.add(name.casefold())
        return found

    def foreign_sentences(self, view: _View, ours: set[str], hardware: set[int]) -> set[int]:
        """Sentences about another model: they open with its name, none of ours is in them, and no "we" or "our".

        "LLaMA-65B took about 21 days on 2,048 A100 GPUs" reports another
        lab's run; its facts are not this paper's.
        """
        firsts, markup, stop = _set("first_person"), _set("markup_words"), _set("not_model_names")
        foreign = set()
        for number, (first, last) in enumerate(view.sents):
            if (
                view.opens_with_comparison(first, last)
                and firsts.isdisjoint(view.lower[first:last])
                and not any(o in view.text[view.idx[first] : view.ends[last - 1]].casefold() for o in ours)
            ):
                foreign.add(number)  # "For comparison, Stable Diffusion v1.5 was trained on 256 A100 GPUs"
                continue
            k = first
            while k < last and view.words[k] in markup:
                k += 1
            if k >= last or k in hardware or view.words[k] in stop or not firsts.isdisjoint(view.lower[first:last]):
                continue
            if _FOREIGN_NAME.match(view.words[k]) and not _accelerator(view.words[k]):
                if _name_at(view, k, last) is None:
                    continue
            elif not (
                view.words[k][:1].isupper()
                and k + 2 < last
                and view.words[k + 1] == "("
                and (view.scaled_at(k + 3) == k + 2 or view.lower[k + 3] in ("et", "al."))
            ):
                continue  # "Gopher (280B) was trained on ...", "Smith (et al. ...)": another model named with its size
            sentence = view.text[view.idx[first] : view.ends[last - 1]].casefold()
            if not any(o in sentence for o in ours):
                foreign.add(number)
        foreign |= self.others_rows(view, ours)
        return foreign | self.pointing_back(view, ours, foreign)

    @staticmethod
    def pointing_back(view: _View, ours: set[str], foreign: set[int]) -> set[int]:
        """Sentences that open with a word pointing back ("Both were released in 2023") at a sentence about other work.

        The sentence before is another model's (*foreign*) or opens with an
        author-year citation ("Ruiz and Tanaka (2023) distilled ..."); the
        pointing sentence is in the same paragraph, with no "we" or "our" and
        none of the paper's names.
        """
        pointers, firsts, markup = _set("back_pointers"), _set("first_person"), _set("markup_words")
        markup = markup | {"(", "["}
        about_others = foreign | {
            view.sent_of[k]
            for k in view.author_years
            if k in view.narrative and all(w in markup for w in view.words[view.sentence(k)[0] : k])
        }
        for number, (first, last) in enumerate(view.sents):
            if number == 0 or number - 1 not in about_others or view.at_paragraph_start(first):
                continue
            k = first
            while k < last and view.words[k] in markup:
                k += 1
            if k >= last or view.lower[k] not in pointers or not firsts.isdisjoint(view.lower[first:last]):
                continue
            if not any(o in view.text[view.idx[first] : view.ends[last - 1]].casefold() for o in ours):
                about_others.add(number)  # "They report ...", then "Both ...": each points at the one before
        return about_others - foreign

    @staticmethod
    def others_rows(view: _View, ours: set[str]) -> set[int]:
        """The sentences of a table's rows that list other models: "BLOOM | 176B parameters | 384 A100 GPUs".

        A table written as text (cells split by "|" or tabs, two lines or
        more) lists models when two rows or more each open with a different
        name and hold a figure. Such a row is another's unless it names one of
        the paper's own models (*ours*), as a table of the paper's own runs
        does ("| Haru-1B | 1.1B |", found by ``tables``).
        """
        rows: set[int] = set()
        for table in view.tables:
            named: list[tuple[str, bool]] = []
            for start, end, cells in table:
                a, b = cells[0]
                k = view.token_at(a)
                name = _name_at(view, k, view.token_at(b - 1) + 1, cued=True) if view.idx[k] == a else None
                figure = any(any(c.isdigit() for c in view.text[x:y]) for x, y in cells[1:])
                line = view.text[start:end].casefold()
                named.append(
                    (view.text[a:b].casefold() if name is not None and figure else "", any(o in line for o in ours))
                )
            if len({n for n, _ in named if n}) < 2:
                continue
            for (start, end, _), (_, own) in zip(table, named):
                if not own:
                    rows.update(range(view.sent_of[view.token_at(start)], view.sent_of[view.token_at(end - 1)] + 1))
        return rows

    def checkpoints(self, view: _View) -> list[Find]:
        """A public checkpoint the paper fine-tunes: "We start from the public X checkpoint and continue training ...".

        "the released X checkpoint (244M parameters), which we fine-tune",
        "we fine-tune the open X checkpoint": a name between words that say
        someone released it (finder.json "checkpoint_adjectives") and
        "checkpoint", in a sentence where the paper says it trains it further
        ("we", "our" and one of "checkpoint_use_words"). Read only when the
        text names no model of its own (then the model it trains is another
        name, and the checkpoint only where it started), and never where the
        checkpoint is frozen, compared with or cited.

        "the public ImageNet-22k checkpoint of ConvNeXt-B": after "of" is the
        model, and the words before "checkpoint" say what it was trained on;
        a name the finder knows as no model's (a data set, a tool: its
        ``not_model_names``, or their family, as "ImageNet" of "ImageNet-22k")
        is never the model.
        """
        adjectives, frozen = _set("checkpoint_adjectives"), _set("frozen_words")
        found: list[Find] = []
        seen: set[str] = set()
        for c in view.where(("checkpoint",)):
            first, last = view.sentence(c)
            start = c
            while start > first and view.lower[start - 1] not in adjectives and c - start < 8:
                start -= 1
            if start == first or view.lower[start - 1] not in adjectives:
                continue
            if c + 2 < last and view.lower[c + 1] == "of":
                start = c + 3 if view.lower[c + 2] == "the" else c + 2
                end = _name_parts(view, start, last)
                if end == start:
                    continue  # "the public checkpoint of the base model": no name to give
            else:
                # "DINOv2 ViT-L/14": a name of one or more name-like parts, ending right before "checkpoint"
                end = _name_parts(view, start, c)
                if start == c or end != c:
                    continue
            name = view.text[view.idx[start] : view.ends[end - 1]]
            if name in _set("not_model_names") or _stem(name) in _set("not_model_names"):
                continue  # "the public ImageNet-22k checkpoint": what it was trained on, not a model
            said = view.text[view.idx[first] : view.ends[last - 1]].casefold()
            if (
                _set("first_person").isdisjoint(view.lower[first:last])
                or _checkpoint_use_re().search(said) is None
                or view.mentions(first, last, frozen)
                or view.compares(first, last)
                or view.cites(view.idx[start])
            ):
                continue
            if name.casefold() not in seen:
                seen.add(name.casefold())
                found.append(self.find(view, "model", start, end, "model_checkpoint"))
        return found

    def siblings(self, view: _View, models: list[Find]) -> list[Find]:
        """Names that share a found model's stem: "Mola-S and Mola-L", "Cicada-Base ... Cicada-Large".

        A paper that trains several sizes names them alike; each new one is
        found once, where it is first written, unless a comparison is near.
        """
        anti = _set("model_anti_cues")
        seen = {view.text[f.start : f.end].casefold() for f in models}
        stems = {view.text[f.start : f.end].split("-")[0] for f in models if "-" in view.text[f.start : f.end]}
        found = []
        for stem in sorted(stems):
            for start in _sibling_starts(view.text, stem):
                i = view.token_at(start)
                if view.idx[i] != start:
                    continue
                name = _name_at(view, i, view.sentence(i)[1])
                if name is None or view.near(name[0], 4, anti):
                    continue
                text = view.text[view.idx[name[0]] : view.ends[name[1] - 1]]
                if text.casefold() in seen:
                    continue
                seen.add(text.casefold())
                found.append(self.find(view, "model", name[0], name[1], "model_sibling"))
        return found

    def sizes_after_names(self, view: _View, models: list[Find]) -> list[Find]:
        """ "Mola-L has 1.3B": a scaled number right after a found model's "has" or "with".

        Also a size alone in brackets right after a name the paper calls its
        own where it introduces it: "We present Kite-7B (7B)", "Sift-S (22M)
        and Sift-L (48M) share ...".
        """
        found = []
        nouns = _set("param_nouns") | _set("backbone_nouns") | {"-", ";", ",", ".", "and", ")", "("}
        for model in models:
            end = view.token_at(model.end - 1) + 1
            start = view.token_at(model.start)
            if (
                end + 3 < view.n
                and view.words[end] == "("
                and model.rule in ("model_cue", "model_family")
                and _set("model_anti_cues").isdisjoint(view.lower[view.clause_start(start) : start])
            ):  # but "Previous encoders were costly: w2v-BERT 2.0 (600M) ...": said of other work
                close = next((e for e in (end + 2, end + 3) if view.scaled_at(e) == end + 1), None)
                if close is not None and view.words[close] == ")" and view.words[close - 1][-1:] in ("M", "B", "T"):
                    found.append(self.find(view, "params", end + 1, close, "params_named"))
                    continue
            if end + 1 >= view.n or view.lower[end] not in ("has", "with", "having"):
                continue
            k = end + 1
            start = view.with_hedge(k) if k + 1 < view.n and view.lower[k] in _hedges()[0] else k
            if start != k:
                k += 1
            if _SCALED.match(view.words[k]):
                number_end = k + 1
            elif view.scaled_at(k + 2) == k or (
                k + 1 < view.n and view.is_number(k) and view.lower[k + 1] in _set("scale_words")
            ):
                number_end = k + 2
            else:
                continue
            if number_end < view.n and view.lower[number_end] not in nouns:
                continue
            found.append(self.find(view, "params", k if start == k else k - 1, number_end, "params_named"))
        return found

    def named_again(self, view: _View, models: list[Find], facts: list[Find]) -> list[Find]:
        """A found model's name again, in a sentence that states one of its facts.

        Attribution reads the models of each sentence, so a paper with two
        models needs the name where the fact is (docs/tagging.md).
        """
        if not models:
            return []
        with_facts = {view.sent_of[view.token_at(f.start)] for f in facts}
        again = []
        for model in models:
            name = view.text[model.start : model.end]
            for start, end in _whole_words(view.text, name):
                i = view.token_at(start)
                if start == model.start or view.idx[i] != start or view.sent_of[i] not in with_facts:
                    continue
                again.append(Find("model", start, end, model.confidence, "model_again"))
        return again

    def find(self, view: _View, kind: str, start: int, end: int, rule: str | None = None) -> Find:
        """A find over tokens [start, end)."""
        return Find(kind, view.idx[start], view.ends[end - 1], self.confidence[rule or kind], rule or kind)

    # -- numbers with what they count ------------------------------------------------

    def params(self, view: _View) -> list[Find]:
        anti = _set("param_anti_cues")
        nouns = _set("param_nouns") | _set("param_fillers") | {"-"}
        found = []
        anchors = None if self.reach is None else view.where(tuple(self.reach))
        for first, last in view.sents:
            for match_id, start, end in self.matches(view, first, last, anchors):
                rule = self.nlp.vocab.strings[match_id]
                if any(
                    view.lower[k] in anti and not view.is_number(k - 1) for k in range(max(first, start - 3), start)
                ) or (
                    end < view.n and view.lower[end] in ("each", "per")
                ):  # but "8 heads and 3.4M parameters" counts heads
                    continue
                if any(
                    view.lower[k] in _set("params_anti_after") and view.lower[k - 1] not in _set("copulas")
                    for k in range(end, min(view.sentence(start)[1], end + 4))
                ):
                    continue  # "a 2.4B-parameter model released in 2024": someone else's; "(86M parameters) is pretrained" is ours
                said_of_ours = not _set("own_subjects").isdisjoint(view.lower[first:start])
                if view.compares(first, start) or (
                    view.has((first, last), _set("params_sentence_anti"))
                    and not (said_of_ours and not view.has((first, start), _set("params_sentence_anti")))
                ):
                    continue  # "we compare against X, which has 1.5B parameters"; "... serve as baselines"; but "it has 650M parameters, ... compared at equal scale"
                ranged = view.lower[start - 1] != "to" or any(
                    view.is_number(k) for k in range(max(first, start - 4), start - 1)
                )
                if (
                    start > first
                    and view.lower[start - 1] in ("to", "between", "from", "above", "below", "under", "over")
                    and ranged
                ):
                    continue  # "models of about 1.4M to 20M parameters": a range, no one model's size
                clause_end = next(
                    (k for k in range(end, view.sentence(start)[1]) if view.words[k] == ";"), view.sentence(start)[1]
                )
                if (
                    view.mentions(view.clause_start(start), start, _set("frozen_words"))
                    or view.mentions(end, min(clause_end, end + 16), _set("frozen_after_words"))
                    or view.near(end - 1, 0, _set("citation_words"), after=5)
                ):
                    continue  # a frozen encoder's size; "(355M parameters; Liu et al., 2019)": another paper's model
                while end - 1 > start and view.lower[end - 1] in nouns:
                    end -= 1  # the span is the number, as the examples tag it
                if view.lower[start] == "parameter":  # "a parameter count of 151 million"
                    start += 3
                if rule == "params_backbone":  # "a 220M encoder": the number and its scale letter
                    end = start + (2 if view.words[start + 1] in ("M", "B", "T") else 1)
                found.append(self.find(view, "params", view.with_hedge(start), end, rule))
                # "with 350M and 1.4B parameters, respectively": the counts listed before it
                k = start
                while k > first + 1 and view.lower[k - 1] in ("and", ","):
                    j = k - 2 if k > first + 2 and view.lower[k - 1] == "and" and view.lower[k - 2] == "," else k - 1
                    before = view.scaled_at(j)
                    if before is None or before < first:
                        break
                    found.append(self.find(view, "params", view.with_hedge(before), j, rule))
                    k = before
        return found

    def matches(self, view: _View, first: int, last: int, anchors: list[int] | None) -> list[tuple[int, int, int]]:
        """The token patterns' matches in the sentence [first, last), as (rule, start, end) in the Matcher's order.

        Every match holds a word its pattern requires (``_anchors``; *anchors*
        are the document's tokens that are one), so the Matcher reads only the
        tokens a match around one could cover, and most sentences not at all.
        """
        if anchors is None or self.reach is None:
            return [(rule, first + start, first + end) for rule, start, end in self.matcher(view.doc[first:last])]
        spans = []
        for k in anchors[bisect.bisect_left(anchors, first) : bisect.bisect_left(anchors, last)]:
            before, after = self.reach[view.lower[k]]
            spans.append((max(first, k - before), min(last, k + after + 1)))
        windows: list[tuple[int, int]] = []
        for a, b in sorted(spans):
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
            else:
                windows.append((a, b))
        # a match holds a number its pattern reads (``_pattern_numbers``): a window without one is not read
        numbers = view.patterned
        return [
            (rule, a + start, a + end)
            for a, b in windows
            if (at := bisect.bisect_left(numbers, a)) < len(numbers) and numbers[at] < b
            for rule, start, end in self.matcher(view.doc[a:b])
        ]

    def hardware_spans(self, view: _View) -> list[Find]:
        brands, tails, nouns = _set("brand_words"), _set("hardware_tail_words"), _set("accelerator_nouns")
        anti, kept = _set("hardware_anti_cues"), _set("hardware_nouns_kept")
        found = []
        for span in _filter_spans([view.doc[s:e] for _, s, e in self.hardware(view.doc)]):
            start, end = span.start, span.end
            while start > 0 and view.lower[start - 1] in brands:
                start -= 1
            # memory and form: "A100 80GB", "H100-SXM5", "V100 32 GB"
            while end < view.n and (
                view.lower[end] in tails
                or (view.is_number(end) and end + 1 < view.n and view.lower[end + 1] in ("gb", "gib"))
            ):
                end += 1
            while end > span.end and view.words[end - 1] == "-":
                end -= 1
            named = view.text[view.idx[start] : view.ends[end - 1]]
            if not _accelerator(named):
                continue
            bare = end - span.start == 1 and len(span.text) <= 4
            if end < view.n and view.lower[end] in nouns:
                if view.lower[end] in kept:
                    end += 1
            elif bare and not _SPELLED_OUT.search(named) and not view.counted(start):
                continue  # "T4" or "L4" alone could be anything; "64 T4" is a count of them
            if view.near(start, 10, anti, after=4, end=end):
                continue
            sentence = view.sentence(start)
            if (
                not (view.has(sentence, _set("hardware_cues")) or view.keyed(sentence) == "hardware")
                or view.elsewhere(view.clause(start))
                or view.other_activity(start)
            ):
                continue  # "throughput is measured on a single T4": not what the run trained on
            found.append(self.find(view, "hardware", start, end))
        return found

    def counts(self, view: _View, hardware: list[Find]) -> list[Find]:
        found = []
        after, nouns = _set("count_anti_after"), _set("accelerator_nouns")
        inside = set()
        for f in hardware:
            i = view.token_at(f.start)  # a find starts at a token
            j = i
            while j < view.n and view.idx[j] < f.end:
                inside.add(j)
                j += 1
            before = i - 1
            if before > 0 and view.words[before] in ("×", "x", "X"):
                before -= 1
            if j + 1 < view.n and view.words[j] in ("×", "x") and view.is_number(j + 1):  # "Tesla T4 × 24"
                found.append(self.find(view, "gpu_count", j + 1, j + 2))
                continue
            end = before + 1
            if before < 0 or not view.is_number(before):
                if not (before > 0 and view.lower[before] in ("hundred", "thousand") and view.is_number(before - 1)):
                    continue
                before -= 1  # "two thousand TPU v4 chips"
            if j < view.n and view.lower[j] in after:
                continue
            if (
                before > 1
                and view.lower[before - 1] in ("per", "each", "of")
                and view.lower[before - 2] in ("nodes", "node", "with")
            ):
                continue
            found.append(self.find(view, "gpu_count", view.with_hedge(before), end))
            if before > 1 and view.lower[before - 1] == "and" and view.is_number(before - 2):
                found.append(self.find(view, "gpu_count", before - 2, before - 1))  # "on 128 and 256 TPU v5e chips"
        found += self.unlisted(view, inside)
        # "on 64 GPUs": a count with no catalogue name
        cues, generic = _set("training_cues"), _set("generic_device_nouns")
        stops_after = after | _set("bare_count_anti_after")
        stops_before = _set("bare_count_anti_before")
        for first, last in view.sents:
            if not view.has((first, last), cues):
                continue
            for i in view.numbers(first, last - 1):
                nxt = view.lower[i + 1]
                if nxt not in nouns or nxt in generic or i in inside or (i + 1) in inside:
                    continue
                if not view.is_number(i):
                    continue
                if i + 2 < view.n and view.lower[i + 2] in stops_after:
                    continue
                if (i > 0 and view.lower[i - 1] in stops_before) or view.other_activity(i):
                    continue
                found.append(self.find(view, "gpu_count", i, i + 1, "gpu_count_bare"))
        return found

    def unlisted(self, view: _View, inside: set[int]) -> list[Find]:
        """ "256 Zephyr ZX-9 accelerators": a count and a named accelerator the catalogue lacks.

        Both are found (the build then warns that the name is not in the
        catalogue) when one to three capitalised or numbered words sit between
        the count and an accelerator noun, in a sentence about training.
        """
        cues, nouns, anti = _set("training_cues"), _set("unlisted_hardware_nouns"), _set("hardware_anti_cues")
        found = []
        for first, last in view.sents:
            if not view.has((first, last), cues) or nouns.isdisjoint(view.lower[first:last]):
                continue
            for i in view.numbers(first, last - 2):
                if (
                    i in inside
                    or not view.is_number(i)
                    or (i > 0 and view.lower[i - 1] in _set("bare_count_anti_before"))
                ):
                    continue
                j = i + 1
                while j < last and j - i <= 4 and j not in inside and _NAMEISH.match(view.words[j]):
                    j += 1
                if j == i + 1 or j - i > 4 or j >= last or view.lower[j] not in nouns or j in inside:
                    continue
                if view.near(i, 8, anti, after=3, end=j + 1) or view.other_activity(i):
                    continue
                found.append(self.find(view, "gpu_count", view.with_hedge(i), i + 1, "gpu_count_unlisted"))
                found.append(self.find(view, "hardware", i + 1, j + 1, "hardware_unlisted"))
        return found

    def durations(self, view: _View) -> list[Find]:
        units, cues, anti = _time_units(), _set("training_cues"), _set("training_anti_cues")
        of_ok, frequency, totals = _set("duration_of_ok"), _set("frequency_words"), _set("total_words")
        per_item, anti_after, after_ok = _set("per_item_words"), _set("training_anti_after"), _set("after_ok")
        found: list[tuple[Find, bool]] = []
        for first, last in view.sents:
            if not view.has((first, last), cues):
                continue
            summed = view.has((first, last), _set("total_sentence_words"))
            here: list[tuple[Find, int]] = []
            for i in view.numbers(first, last - 1):
                # "three and a half days": the unit after "and a half"
                unit = i + 4 if view.lower[i + 1 : i + 4] == ["and", "a", "half"] else i + 1
                if unit >= view.n or view.lower[unit] not in units or not view.is_number(i):
                    continue
                after = view.lower[unit + 1] if unit + 1 < view.n else None
                if after == "of" and (
                    unit + 2 >= view.n
                    or view.lower[unit + 2] not in of_ok
                    or (unit + 3 < view.n and view.lower[unit + 3] in _set("of_data_words"))
                ):
                    continue  # "118,000 hours of training data"
                if view.elsewhere((first, last)) or view.other_activity(i):
                    continue
                if after == "-" or (i > 0 and view.words[i - 1] in ("-", "(")):
                    continue  # "3-day", "GPU-hours", "12 steps (72 hours)"
                if view.lower[view.with_hedge(i) - 1] in ("on", "from", "between"):
                    continue  # "trained on 680,000 hours": hours of data; "from 1 minute to 1 year": a range
                if i > first + 1 and view.lower[i - 1] in ("to", "–", "-") and view.is_number(i - 2):
                    continue  # "each ablation ran for 3 to 5 hours": the spread of several runs, not one run's time
                if view.near(i, 5, anti - {"after"}, after=2, end=unit + 1) or view.near(i, 2, frequency):
                    continue
                if "after" in view.lower[max(first, i - 3) : i] and not view.near(i, 4, after_ok):
                    continue  # "evaluated after 2 weeks"; but "finished after ten days" is the run
                if view.near(i, 0, anti_after, after=6, end=unit + 1):
                    continue  # "takes 3 minutes on a GPU workstation", "3 hours per run"
                if view.near(i, 6, per_item) and not view.compound_before(i, per_item):
                    continue  # "one epoch takes about 2 hours": the time of a part, not of the run
                here.append((self.find(view, "training", view.with_hedge(i), unit + 1), unit + 1))
            # "one pass takes nine hours; four passes, 36 hours in total": the total is the run's
            total = [f for f, j in here if summed or view.says_total(j, min(last, j + 4), totals)]
            found += [(f, True) for f in total] or [(f, False) for f, _ in here]
        return [
            Find(f.kind, f.start, f.end, self.confidence["training_total"], "training_total") if is_total else f
            for f, is_total in found
        ]

    def years(self, view: _View) -> list[Find]:
        cues, anti, of_words = _set("year_cues"), _set("year_anti_cues"), _set("year_of_words")
        found = []
        for i in view.years:
            if i == 0:
                continue
            before = view.lower[i - 1]
            # "The experiments date from 2021": a verb of dating, then "from" and the year alone
            dated = before == "from" and i > 1 and view.lower[i - 2] in _set("dating_words")
            if before not in cues and not dated:
                continue
            if before == "of" and (i < 2 or view.lower[i - 2] not in of_words):
                continue
            following = view.lower[i + 1] if i + 1 < view.n else None
            if following in ("-", "–", "/", "to", "and"):
                continue  # a range of years: data, not when the work was done
            opener = (
                i - 2 if before in _set("year_cues") and before not in ("in", "of", "during", "throughout") else i - 1
            )
            if not dated and opener >= 0 and view.lower[opener] in _set("year_range_words"):
                continue  # "from January 2021 to June 2023", "created after June 2024"
            first, last = view.sentence(i)
            # "mentions" reads the two-word cues too ("released by OpenAI in 2020")
            # "where the data were finalised and the model trained in 2025": a verb of training nearer
            # than the data dates the run, so the words before that verb say nothing of the year
            low = max(first, i - 8)
            anti_before = view.mentions(low, i, anti)
            if anti_before:
                own = _set("run_words")
                since = next((k + 1 for k in range(i - 1, low - 1, -1) if view.lower[k] in own), low)
                anti_before = since == low or view.mentions(since, i, anti)
            if anti_before or view.mentions(i + 1, min(last, i + 4), anti) or self.said_of_other_work(view, i):
                continue
            released = [k for k in range(max(0, i - 4), i) if view.lower[k] == "released"]
            if released and (released[0] == 0 or view.lower[released[0] - 1] not in _set("released_own")):
                continue  # "checkpoints released in 2020": someone else's release; "the model was released in 2020" is ours
            found.append(self.find(view, "year", i, i + 1))
        return found

    @staticmethod
    def said_of_other_work(view: _View, i: int) -> bool:
        """Whether the verb nearest before a year is one of data or paperwork ("approved by the ethics boards ... in 2021").

        "approved by the ethics committees and conducted in 2022" dates the
        study: the nearer verb decides.
        """
        own, other = _set("year_own_verbs"), _set("year_other_verbs")
        for k in range(i - 1, max(view.sentence(i)[0], i - 10) - 1, -1):
            if view.lower[k] in own or view.lower[k] in (";", ",", "and"):
                return False
            if view.lower[k] in other:
                return True
        return False

    def tables(self, view: _View, ours: set[str]) -> tuple[list[Find], list[Find]]:
        """Models and their facts in a table written as text: "| model | parameters |" then "| Haru-1B | 1.1B |".

        Cells are split by "|" (with or without the outer bars) or tabs
        (``_table_lines``); the first line is the header and names the columns
        (kg/data/patterns/finder.json "table_columns"). A cell is found only
        when it reads as what its column holds (a name, a parameter count or a
        duration kg.normalize reads, a count and a catalogue accelerator), and
        only in a row whose model cell names the paper's own model. The
        table is the paper's when its caption says "our" or "we", or its names
        are sizes of one family ("Haru-1B", "Haru-3B"), or a name in it is one
        found as ours (*ours*) elsewhere; a caption that speaks of others' runs,
        or a name the text marks as another's, leaves a row alone.
        """
        if "|" not in view.text and "\t" not in view.text and "&" not in view.text and not _CSV_QUICK.search(view.text):
            return [], []  # no table here (a LaTeX row has its "&", a CSV header its "word,word")
        from .normalize import NotUnderstood, parse_duration, parse_parameter_count

        # the parser a column's cells must pass to be read as its kind
        values: dict[str, Callable[[str], object]] = {"params": parse_parameter_count, "training": parse_duration}

        columns = {kind: frozenset(names) for kind, names in _words()["table_columns"].items()}
        others = _set("table_other_words")
        models: list[Find] = []
        facts: list[Find] = []
        for table in view.tables:
            header = [  # "wall_clock" is "wall clock", as a CSV or JSON export writes it
                view.text[a:b].casefold().strip("*_ ").replace("_", " ")
                for a, b in _row_cells(view.table_text, *table[0][:2])
            ]
            kinds = [next((kind for kind, names in columns.items() if name in names), None) for name in header]
            # "Table 1: Training setups as reported by each model's authors": a table of others' runs
            caption = view.text[: table[0][0]].rstrip().rpartition("\n")[2].casefold()
            words = set(re.findall(r"[\w'-]+", caption))
            if not others.isdisjoint(words) and _set("first_person").isdisjoint(words):
                continue
            if "model" not in kinds:
                facts += self.settings_rows(view, table)
                continue
            at = kinds.index("model")
            names = [
                view.text[slice(*cells[at])] for cells in (_row_cells(view.table_text, a, b) for a, b, _ in table[1:])
            ]
            names = [n for n in names if n]
            family = len(names) > 1 and len({_stem(n) for n in names}) == 1
            if not (family or not _set("first_person").isdisjoint(words) or any(n.casefold() in ours for n in names)):
                continue  # "Model | Params" then LLaMA-65B, OPT-175B: a table of others' models, said of no one
            for start, end, _ in table[1:]:
                row: list[Find] = []
                for (a, b), kind in zip(_row_cells(view.table_text, start, end), kinds):
                    if a == b or kind is None:
                        continue
                    if kind == "model":
                        k = view.token_at(a)
                        aligned = view.idx[k] == a and view.ends[view.token_at(b - 1)] == b
                        if not aligned and _FOREIGN_NAME.match(view.text[a:b]):
                            # "SpruceWatch-TS,2.2M,1x A100": a CSV row is one token to the tokenizer; its cell is the name
                            if _another_model(view, view.text[a:b]):
                                row = []
                                break
                            row.append(Find("model", a, b, self.confidence["model_table"], "model_table"))
                            continue
                        name = _name_at(view, k, view.token_at(b - 1) + 1, cued=True) if view.idx[k] == a else None
                        if name is None or view.ends[name[1] - 1] != b or _another_model(view, view.text[a:b]):
                            row = []
                            break  # a row of another model's, or not a name: none of its cells
                        row.append(self.find(view, "model", name[0], name[1], "model_table"))
                    elif kind in values:
                        try:
                            values[kind](view.text[a:b])
                        except NotUnderstood:
                            continue  # a cell that is not a value of its column's kind
                        row.append(Find(kind, a, b, self.confidence[f"{kind}_table"], f"{kind}_table"))
                    else:
                        row += self.hardware_cell(view, a, b)
                if any(f.kind == "model" for f in row):
                    models += [f for f in row if f.kind == "model"]
                    facts += [f for f in row if f.kind != "model"]
        return models, facts

    def settings_rows(self, view: _View, table: list[tuple[int, int, list[tuple[int, int]]]]) -> list[Find]:
        """A table of settings, one per row: "| parameters | 4.8B (dense) |", "| accelerators | 256 × TPU v4 chips |".

        Each row has two cells, a key and its value, read as a "key: value"
        line is (``setup_lines``): the key says what the value is
        (finder.json "setup_keys"), and its first part, up to a bracket,
        comma or semicolon, must read as that.
        """
        from .normalize import NotUnderstood, parse_duration, parse_parameter_count

        keys = _words()["setup_keys"]
        parsers = {"params": parse_parameter_count, "training": parse_duration}
        found: list[Find] = []
        for start, end, _ in table[1:]:
            cells = _row_cells(view.table_text, start, end)
            if len(cells) != 2:
                continue
            (a, b), (c, d) = cells
            key = view.text[a:b].strip("*_` ").casefold()
            kind = next((k for k, names in keys.items() if key in names), None)
            value = re.match(r"[^(,;]*[^(,;\s]", view.text[c:d])
            if kind is None or value is None:
                continue
            text = value.group()
            if kind == "params" and text.rpartition(" ")[2].casefold() in _set("param_nouns"):
                text = text.rpartition(" ")[0].rstrip()  # "2.1B parameters": the number, as the tags hold it
            if kind == "hardware":
                found += self.hardware_cell(view, c, c + len(text))
                continue
            try:
                parsers[kind](text)
            except NotUnderstood:
                continue
            found.append(Find(kind, c, c + len(text), self.confidence[f"{kind}_setup"], f"{kind}_setup"))
        return found

    def hardware_cell(self, view: _View, a: int, b: int) -> list[Find]:
        """A table cell that is a count and an accelerator the catalogue knows: "8×A100", "32 × A100 80GB", "64 TPU v5p chips"."""
        m = _COUNTED_CELL.fullmatch(view.text, a, b)
        if m is None or not _is_number_word(m.group("count").lower()):
            return []
        name = m.group("name")
        nouns = _set("accelerator_nouns")
        bare = name.rsplit(" ", 1)[0] if " " in name and name.rsplit(" ", 1)[1].casefold() in nouns else name
        if not _accelerator(bare):
            return []
        return [
            Find("gpu_count", m.start("count"), m.end("count"), self.confidence["gpu_count_table"], "gpu_count_table"),
            Find("hardware", m.start("name"), m.end("name"), self.confidence["hardware_table"], "hardware_table"),
        ]

    def setup_lines(self, view: _View) -> list[Find]:
        """Facts listed as "key: value" lines: "- Parameters: 2.6B (UNet)", "- Wall-clock: ~9 days".

        The key says what the value is (finder.json "setup_keys"); the value's
        first part, up to a bracket, comma or semicolon, must be one
        kg.normalize reads as that kind.
        """
        if ":" not in view.text and " = " not in view.text and "..." not in view.text:
            return []  # no "key: value", "key = value" or "key ..... value" line here
        from .normalize import NotUnderstood, parse_duration, parse_parameter_count

        keys = _words()["setup_keys"]
        parsers = {"params": parse_parameter_count, "training": parse_duration, "year": _parse_year}
        found = []
        # "- Model: RoadSeer-B, a bird's-eye-view detector", "1. **Base model:** `Kiwi-3B`": the name a setup is about
        frozen = _set("frozen_words")
        for line in _model_key_re().finditer(view.text):
            k = view.token_at(line.end())
            if view.idx[k] != line.end():
                continue
            last = view.sentence(k)[1]
            name = _name_at(view, k, last, cued=True)
            if name is None:
                continue
            text = view.text[view.idx[name[0]] : view.ends[name[1] - 1]]
            if view.mentions(name[1], last, frozen) or _another_model(view, text):
                continue  # "- Base model: Llama-2-13B (frozen)": used, not trained
            found.append(self.find(view, "model", name[0], name[1], "model_setup"))
        for line in re.finditer(
            rf"(?m)^[ \t]*{_KEY}(?:[ \t]*:[*_]*|(?P<sep>{_KEY_SEPARATOR}))[ \t]*\"?"
            r"(?P<value>[^(,;\n\"]*[^(,;\s\".])",
            view.text,
        ):
            # a configuration's key: "num_params" is "num params", as JSON and YAML write it
            key = line.group("key").casefold().replace("_", " ")
            kind = next((k for k, names in keys.items() if key in names), None)
            if kind not in parsers:
                continue
            value = line.group("value")
            if kind == "params" and line.group("sep") and not any(c.isalpha() for c in value):
                continue  # "size = 12" in a configuration is rarely a count of parameters: a scale must say so
            if kind == "params" and value.rpartition(" ")[2].casefold() in _set("param_nouns"):
                value = value.rpartition(" ")[0].rstrip()  # "13 billion parameters": the number, as the tags hold it
            try:
                parsers[kind](value)
            except NotUnderstood:
                continue
            start = line.start("value")
            found.append(Find(kind, start, start + len(value), self.confidence[f"{kind}_setup"], f"{kind}_setup"))
        return found

    def places(self, view: _View) -> list[Find]:
        cues, anti = _set("country_cues"), _set("country_anti_cues")
        found = []
        for span in _filter_spans([view.doc[s:e] for _, s, e in self.country_matches(view)]):
            start = span.start
            before = start - 2 if start > 1 and view.lower[start - 1] == "the" else start - 1
            if (
                before > 2
                and view.words[before] == ","
                and view.words[before - 1][:1].isupper()
                and view.lower[before - 2] in ("in", "at")
            ):
                before -= 2  # "at our lab in Nairobi, Kenya"
            if before < 0 or view.lower[before] not in ("in", "at", "within", "from"):
                continue
            if view.lower[before] == "from" and (
                before == 0 or view.lower[before - 1] not in _set("country_from_verbs")
            ):
                continue  # "data from Kenya"; but "the project was led from Czechia"
            sentence = view.sentence(span.start)
            if not (view.has(sentence, cues) or view.keyed(sentence) == "hardware") or view.near(
                before, 10, anti, after=6, end=span.end
            ):
                continue  # "HW: 4 × MI250X on the LUMI system in Finland": where the run's hardware was
            if self.done_by_others(view, before, cues):
                continue  # "sorted by palynologists in Austria", "drawn by students in Ghana"
            found.append(self.find(view, "country", start, span.end))  # the name without "the" (docs/tagging.md)
        return found

    def done_by_others(self, view: _View, before: int, cues: frozenset[str]) -> bool:
        """Whether the "in" at *before* closes an agent after "by" (finder.json "country_agents").

        "written by 1,700 students in Ghana", "re-graded by dermatologists in
        Chile": the people who made or labelled the data, not where the run
        was. "by our team in Kenya" (a first-person word), "hosted by the
        national computing centre in Finland" (a country cue) and an agent
        after a training verb ("was trained by a contractor in Peru": who
        ran it) stay.
        """
        first, agents = view.sentence(before)[0], _set("country_agents")
        if agents.isdisjoint(view.lower[max(first, before - 6) : before]):
            return False  # the quick test first: most countries have no agent before them
        for k in range(before - 1, max(first, before - 6) - 1, -1):
            word = view.lower[k]
            if word in (",", ";", "(", ")"):
                return False
            if word in agents:
                if k > first and view.lower[k - 1] in _set("country_agent_run_verbs"):
                    return False  # "was trained by the county's contractor in the U.S.A.": who ran it, and where
                between = view.lower[k + 1 : before]
                return _set("first_person").isdisjoint(between) and cues.isdisjoint(between)
        return False

    # -- names ---------------------------------------------------------------------

    def bracketed(self, view: _View) -> list[tuple[int, str]]:
        """Where the paper's own model is introduced with its size in brackets.

        "our detector (HushNet, 1.9M parameters)", "The enhancement network
        (HushNet, 1.9M parameters) is ...", "The acoustic model of Lyra-TTS
        (152M parameters) was ...": a kind of model, its name and its size,
        in a clause that says it is ours ("we", "our" before it) or as the
        subject its sentence opens with. A size in brackets otherwise marks
        another's model (``_another_model``), and so does a cue before it
        ("the baseline network (ResNet-50, 25M parameters)"), a citation or a
        comparison.
        """
        kinds, sizes = _set("model_cue_nouns"), _set("param_nouns")
        places = []
        for k in view.where(("(",)):
            first, last = view.sentence(k)
            if not first < k < last - 2:
                continue
            if view.lower[k - 1] in kinds:  # "<kind> (NAME, SIZE parameters"
                kind, start = k - 1, k + 1
                name = _name_at(view, start, last)
                if name is None or name[1] + 2 >= last or view.words[name[1]] != ",":
                    continue
                if _another_model(view, view.text[view.idx[name[0]] : view.ends[name[1] - 1]]):
                    continue  # cited or compared elsewhere in the text
                size = name[1] + 1
            else:  # "<kind> of NAME (SIZE parameters"
                start = view.token_at(view.ends[k - 1] - len(_name_ending(view, k - 1)))
                if start < first + 2 or view.lower[start - 1] != "of" or view.lower[start - 2] not in kinds:
                    continue
                name = _name_at(view, start, k)
                if name is None or name[1] != k:
                    continue
                kind, size = start - 2, k + 1
            number_end = next((e for e in (size + 1, size + 2) if view.scaled_at(e) == size), None)
            if number_end is None or number_end >= last or view.lower[number_end] not in sizes:
                continue
            if not self.said_ours(view, kind, k, last) or view.near(kind, 6, _set("model_anti_cues")):
                continue
            if not _set("param_anti_cues").isdisjoint(view.lower[view.clause_start(kind) : kind]):
                continue  # "the frozen teacher model (...)": a part, or another's
            if view.cites(view.idx[start]) or view.compares(first, k):
                continue
            places.append((start, "model_bracketed"))
        return places

    @staticmethod
    def families(view: _View) -> list[tuple[int, str]]:
        """Where a sentence opens with two sizes or more of one family, as the paper's own.

        "We release two translation models. Inkin-base and Inkin-big are
        encoder-decoder transformers ...", "Sift-S (22M) and Sift-L (48M)
        share ...": names of one stem, joined by "and" or commas (each with
        its size in brackets or not), then a verb. They are the paper's when
        the sentence says "we" or "our", or the one before it in the paragraph
        says the paper trains or releases models ("we", "this work"); not when
        either compares, a citation is near, or the text marks a name as
        someone else's elsewhere (a size in brackets aside: here it is the
        family's own).
        """
        markup, joins = _set("markup_words"), {",", "and"}
        owners = _set("first_person") | _set("own_context_words")
        verbs, not_verbs = _set("model_cue_verbs"), _set("model_anti_cues") | _set("object_prepositions")
        places = []
        # only sentences whose first word starts like a word after an "and": most are not read further
        ands: dict[int, list[int]] = {}
        words = view.words
        for i in view.index.get("and", ()):
            if i + 1 < view.n and _capital_or_script(words[i + 1][:1]):
                ands.setdefault(view.sent_of[i], []).append(i)
        for number, joined in sorted(ands.items()):
            first, last = view.sents[number]
            k = first
            while k < last and words[k] in markup:
                k += 1
            if k >= last or not any(i + 1 < last and words[i + 1].startswith(words[k][:3]) for i in joined):
                continue
            names: list[tuple[int, int]] = []
            j = k
            while (name := _name_at(view, j, last)) is not None:
                names.append(name)
                j = name[1]
                if j < last and view.words[j] == "(":  # "Sift-S (22M)": its size
                    j = next((c + 1 for c in range(j, min(last, j + 6)) if view.words[c] == ")"), last)
                if j < last and view.lower[j] in joins:
                    j += 2 if j + 1 < last and view.lower[j : j + 2] == [",", "and"] else 1
                    continue
                break
            texts = [view.text[view.idx[a] : view.ends[b - 1]] for a, b in names]
            if len(names) < 2 or len(set(texts)) < len(texts) or len({_stem(t) for t in texts}) > 1:
                continue
            verb = view.words[j] if j < last else ""
            if not (verb.isalpha() and verb.islower()) or verb in not_verbs or verb in joins:
                continue
            said = view.mentions(first, last, owners)
            if not said and number > 0 and not view.at_paragraph_start(first):
                before = view.sents[number - 1]
                said = view.has(before, verbs) and view.mentions(*before, owners) and not view.compares(*before)
            if not said or view.compares(first, last) or view.cites(view.idx[k]):
                continue
            if any(_said_to_be_anothers(view, t, sized=False) for t in texts):
                continue
            places += [(a, "model_family") for a, _ in names]
        return places

    @staticmethod
    def said_ours(view: _View, kind: int, bracket: int, last: int) -> bool:
        """Whether the kind of model at token *kind*, named in the brackets at *bracket*, is the paper's.

        "our detector (", "we train the network (" say so; so does "The
        enhancement network (...) is": the subject its sentence opens with,
        described after the brackets.
        """
        clause = view.clause_start(kind)
        if not _set("first_person").isdisjoint(view.lower[clause:kind]):
            return True
        opener = clause
        while opener < kind and view.words[opener] in _set("markup_words"):
            opener += 1
        if view.lower[opener] != "the" or not all(w.islower() or w == "-" for w in view.words[opener + 1 : kind]):
            return False
        close = next((j for j in range(bracket, last) if view.words[j] == ")"), None)
        verb = view.lower[close + 1] if close is not None and close + 1 < last else ""
        return verb in _set("copulas") or verb in _set("subject_verbs") or _THIRD_PERSON.match(verb) is not None

    def cue_holds(self, view: _View, start: int, end: int) -> bool:
        """Whether a cue of the paper's model stands: "into" only after a verb that makes a model of another.

        "We distil a classifier into Pipit-Tiny" names the student; "the
        model transcribes a page into MusicXML" names a format (finder.json
        "into_verbs", in the clause before "into").
        """
        if view.lower[start:end] != ["into"]:
            return True
        return not _set("into_verbs").isdisjoint(view.lower[view.clause_start(start) : start])

    def after_opening_clause(self, view: _View, start: int, last: int, anti: frozenset[str]) -> int:
        """The token after the comma that closes a sentence's opening clause, or *last* if there is none.

        "Given a sentence with a citation placeholder, CiteWise ranks ...": a
        clause of plain words (no name, number, first person, citation, or
        word that marks another's model: ``model_anti_cues``) up to 16 words,
        then a word that reads as a name.
        """
        window = view.words[start + 1 : min(last, start + 16)]
        if "," not in window:
            return last
        comma = start + 1 + window.index(",")
        after = view.words[comma + 1] if comma + 1 < last else ""
        if not (after[:1].isupper() and _FOREIGN_NAME.match(after)):
            return last  # the quick test first: most opening clauses are not followed by a name
        firsts = _set("first_person")
        for k in range(start + 1, comma):
            word = view.words[k]
            if word in (";", ":", "(") or view.lower[k] in anti or view.lower[k] in firsts:
                return last
            if any(c.isdigit() for c in word) or (word[:1].isupper() and _FOREIGN_NAME.match(word)):
                return last
        return last if view.cites(view.idx[comma]) else comma + 1

    def opens_as_subject(self, view: _View, start: int, end: int, after: int) -> bool:
        """Whether a name opening its sentence is a model the sentence is about.

        Not a label that numbers a point ("R2.1 (data). The crops come
        from ..."), not a plain word with a bare number or letter after it
        that the text nowhere uses as a name ("Chapter 4 in brief", "Can I
        use ...", "Step F-measure"), not a plain word the text capitalises that no verb follows
        (a title's first word: "Sewer pipe defects from CCTV inspections"),
        and not after a run-in heading that announces comparisons
        ("**Baselines.** ViT-H/14 was pre-trained ...": finder.json
        "comparison_openers").
        """
        text = view.text[view.idx[start] : view.ends[end - 1]]
        if _POINT_LABEL.match(text):
            return False
        if (
            end - start == 2
            and _BARE_PART.match(view.words[start + 1])
            and _PLAIN_WORD.match(view.words[start])
            and view.words[start] not in view.proper
        ):
            return (
                False  # "Chapter 4 in brief", "Can I use ...", "Collected 640 overs": a word the text uses as no name
            )
        if view.lower[after] in _set("not_model_heads"):
            return False  # "CardBench leaderboard (cardinality estimation)": a name that a benchmark's or data's noun follows
        if end - start == 1 and not _FOREIGN_NAME.match(text) and not any(map(str.isdigit, text)):
            verb = view.lower[after]
            if not (verb in _set("copulas") or verb in _set("subject_verbs") or _THIRD_PERSON.match(verb)):
                return False
        first = view.sentence(start)[0]
        if view.heading_before(first):
            a, b = view.sents[view.sent_of[first] - 1]
            if not _set("comparison_openers").isdisjoint(view.lower[a:b]):
                return False
        return True

    def models(self, view: _View) -> list[Find]:
        anti, markup, skip = _set("model_anti_cues"), _set("markup_words"), _set("model_lead_words")
        firsts = _set("first_person")
        places = [(end, "model_cue") for _, start, end in self.model_cues(view.doc) if self.cue_holds(view, start, end)]
        verbs, nouns, nexts = _set("model_cue_verbs"), _set("model_cue_nouns"), _set("model_next_words")
        # the tokenizer splits "fine-tuning" into "fine", "-", "tuning": the joined word is read too
        split = {w.rpartition("-")[2] for w in nexts if "-" in w}
        for i in view.where(nexts | split | {"we", ","}):
            word = view.lower[i]
            if (
                word in split
                and word not in nexts
                and not (i > 1 and view.words[i - 1] == "-" and f"{view.lower[i - 2]}-{word}" in nexts)
            ):
                continue
            if word in nexts or word in split:  # "Training WhisperKWS-tiny takes 40 minutes": a name right after
                places.append((i + 1, "model_next"))
            elif word == "we":  # "we train X", "we instead train X", "we fine-tune X"
                last = view.sentence(i)[1]
                for k in range(i + 1, min(last, i + 4)):
                    if view.lower[k] in verbs and not (k + 1 < last and view.words[k + 1] == "-"):
                        places.append((k + 1, "model_cue"))
                        break
                    if view.lower[k] == "-" and k + 1 < last and f"{view.lower[k - 1]}-{view.lower[k + 1]}" in verbs:
                        places.append((k + 2, "model_cue"))
                        break
            elif word == "," and i > 0 and view.lower[i - 1] in nouns:  # "our placement agent, Cedar-Place,"
                before = view.lower[max(view.sentence(i)[0], i - 4) : i]
                name = _name_at(view, i + 1, view.sentence(i)[1])
                closed = name is not None and name[1] < view.n and view.words[name[1]] == ","
                plain = "-" not in view.words[max(view.sentence(i)[0], i - 4) : i]
                if "our" in before or (
                    "the" in before and closed and plain
                ):  # "The seizure detector, NeuroSpike-Net, combines"
                    places.append((i + 1, "model_cue"))
                    if "our" in before:  # and a one-word name: "Our agent, Tessellate, learns"
                        places.append((i + 1, "model_named"))
                else:  # "Our chest X-ray report generator, RadScribe-7B, pairs": "our" further back in the clause
                    first = view.sentence(i)[0]
                    clause = view.lower[max(first, i - 9) : i]
                    if "our" in clause[len(clause) - clause[::-1].index(",") if "," in clause else 0 :]:
                        places.append((i + 1, "model_named"))
        verbs = _set("subject_verbs")
        for first, last in view.sents:
            start = first
            while start < last and view.words[start] in markup:
                start += 1
            if (view.at_paragraph_start(first) or view.heading_before(first)) and not _LIST_ITEM.match(
                view.text, view.idx[first]
            ):
                places.append((start, "model_subject"))  # not a list item: "- LightGBM with 1,500 trees"
            elif start < last and view.words[start][:1].isupper() and not view.compares(first, last):
                # "Kea-Reason-8B is a dense transformer ...": a name with a digit or inner capital, describing itself
                name = _name_at(view, start, last)
                if (
                    name is None
                    and view.lower[start] not in firsts
                    and view.text.find(", ", view.idx[start], view.ends[min(last, start + 16) - 1]) >= 0
                ):
                    # "Given a page of claims, DentScope marks ...": after an opening clause (not "We ..., X")
                    start = self.after_opening_clause(view, start, last, anti)
                    name = _name_at(view, start, last) if start < last else None
                verb = view.lower[name[1]] if name is not None and name[1] < last else ""
                if (
                    name is not None
                    and (verb in verbs or _THIRD_PERSON.match(verb))
                    # "Maritime-LM 1.4B predicts": the name's first word, before its size, reads as a name
                    and _FOREIGN_NAME.match(view.text[view.idx[name[0]] : view.ends[name[1] - 1]].partition(" ")[0])
                ):
                    places.append((start, "model_subject"))
        # "the wafer-defect classifier WaferNet-v3 is", "the placement policy FloorMind with PPO": a kind, then its name
        kinds_named = _set("model_cue_nouns")
        for k in [k for k in view.where(kinds_named) if k < view.n - 1]:
            if view.words[k + 1][:1].isupper() and (
                _FOREIGN_NAME.match(view.words[k + 1]) or view.words[k + 1] in view.proper
            ):
                if view.lower[view.sentence(k)[0] : k].count("the") + view.lower[view.sentence(k)[0] : k].count("our"):
                    places.append((k + 1, "model_cue"))
        # "..., and AffiSeq is a sequence model over ...": a name that describes itself, said of no one else
        for k in [k for k in view.where(("is", "was")) if k < view.n - 2]:
            if view.lower[k + 1] in ("a", "an") and k > view.sentence(k)[0]:
                name_end = k
                start = view.token_at(view.ends[k - 1] - len(_name_ending(view, k - 1)))
                text = view.text[view.idx[start] : view.ends[name_end - 1]]
                if _FOREIGN_NAME.match(text) and text not in _set("not_model_names") and not _another_model(view, text):
                    places.append((start, "model_cue"))
        appositions = {tuple(a) for a in _words()["apposition_words"]}
        kinds = _set("model_cue_nouns") | _set("apposition_nouns")
        for k in [k for k in view.where((",",)) if 1 <= k < view.n - 2]:
            # a description of our own making: "we" in the sentence, no size or citation in it
            described = (
                view.lower[k + 1] in ("a", "an")
                and not kinds.isdisjoint(view.lower[k + 2 : k + 5])
                and not any(c.isdigit() for c in "".join(view.words[k + 2 : k + 5]))
                and not _set("first_person").isdisjoint(view.lower[slice(*view.sentence(k))])
                and not view.cites(view.idx[k])
            )
            if view.words[k] == "," and (tuple(view.lower[k + 1 : k + 3]) in appositions or described):
                # "using SepsiFormer, a small transformer over ...": the name a description follows
                j = k - 1  # "..., for Sift-Base, the model that fits our budget": back to the name's first part
                while j >= 2 and view.words[j - 1] in ("-", "‑") and view.glued(j) and view.glued(j - 1):
                    j -= 2
                places.append((j, "model_cue"))
        places += self.bracketed(view)
        places += self.families(view)
        found: list[Find] = []
        seen: set[str] = set()
        for at, rule in sorted(places):
            if at >= view.n:
                continue
            last = view.sentence(at)[1]
            while rule != "model_next" and at < last and (view.lower[at] in skip or view.words[at] in markup):
                at += 1
            name = _name_at(view, at, last, cued=rule in ("model_cue", "model_named"), proper=True)
            if name is None and rule == "model_named" and _named_alone(view, at):
                name = (at, at + 1)  # "Our agent, Tessellate, learns ...": a one-word name the text gives its model
            if (
                name is None
                and rule == "model_cue"
                and view.lower[at] not in ("with", "on", "for", "using", "in", "at", "to", "from")
            ):
                # "we train two diffusion transformers ...: Aurora-T5 ..."
                for k in range(at, min(last, at + 24)):
                    if view.words[k] in (",", ":"):
                        name = _name_at(view, k + 1, last)
                        if name is not None:
                            break
                    if view.words[k] in (";", "(") or view.lower[k] == "on":
                        break
            if name is None:
                continue
            start, end = name
            if rule == "model_subject":
                after = end
                while after < last and view.words[after] in markup:
                    after += 1
                if after >= last or not (view.words[after].islower() or view.words[after] in (",", "(")):
                    continue  # "FoldWeave predicts ...", "CodeLark is ..."
                if not self.opens_as_subject(view, start, end, after):
                    continue
                if _introduced_as_anothers(view, view.text[view.idx[start] : view.ends[end - 1]]):
                    continue  # "Baselines: ... a prompted GPT-4o ... GPT-4o patterns fail": a baseline, named again
            if view.near(start, 6, anti) and not (
                "scratch" in view.lower[max(0, start - 6) : start] and not view.near(start, 6, anti - {"from"})
            ):
                continue  # "initialized from X" is another's; "rather than training from scratch, we adapt X" is not
            names = [(start, end)]
            # "we train Kite-1B and Kite-7B", "X, Y and Z": names joined to the first
            while (
                rule in ("model_cue", "model_family", "model_named")
                and end + 1 < last
                and view.lower[end] in (",", "and", "or")
            ):
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


#: a table cell's text, without the spaces around it
_CELL = re.compile(r"[^|\t\s](?:[^|\t\n]*[^|\t\s])?")
#: a table cell that counts accelerators: "8×A100", "32 × A100 80GB", "64 TPU v5p chips"
_COUNTED_CELL = re.compile(r"(?P<count>[\w,.~]+?)[ \t]*(?:[×xX][ \t]*)?(?P<name>[A-Z][\w .-]*[\w])")
#: a LaTeX table row: cells split by "&", closed by "\\\\" (and a rule after it)
_LATEX_ROW = re.compile(r"(?m)^([^\n&]*&[^\n]*?)([ \t]*\\\\[ \t]*(?:\\(?:hline|midrule|toprule|bottomrule))?[ \t]*)$")
#: a LaTeX rule line between table rows
_LATEX_RULE = re.compile(r"(?m)^[ \t]*\\(?:hline|midrule|toprule|bottomrule|cmidrule\S*)[ \t]*$")
#: a CSV header: three words or more split by commas, no space after them ("run,parameters,wall_clock")
_CSV_HEADER = re.compile(r"(?m)^[ \t]*[A-Za-z_#][\w #/()-]*(?:,[A-Za-z_#][\w #/()-]*){2,}[ \t]*$")
#: a letter, a comma and a letter with no space: the quick test for a CSV header (the comma first, which a search finds fast)
_CSV_QUICK = re.compile(r",(?<=[A-Za-z_],)[A-Za-z_#]")
#: a run of lines, each with two commas or more and none followed by a space: a CSV block to check
_CSV_BLOCK = re.compile(
    r"(?m)^[ \t]*[^\n,]*(?:,[^\s,][^\n,]*|,(?=,)){2,}[ \t]*(?:\n[ \t]*[^\n,]*(?:,[^\s,][^\n,]*|,(?=,)){2,}[ \t]*)+$"
)
#: a key's separator other than ":": a configuration's "=" ("parameters = 64.3M"), a summary's dotted leader ("model ...... X")
_KEY_SEPARATOR = r"[ \t]*=|[ \t]+\.{3,}"
#: a "key: value" line's key, with a list mark or quotes around it: "- Devices:", '"wall_clock":'
_KEY = r"(?:[-*•][ \t]+)?[\"*_]*(?P<key>[A-Za-z][\w #()/-]{0,30}?)[\"*_]*"
_KEY_LINE = re.compile(rf"{_KEY}(?:[ \t]*:|{_KEY_SEPARATOR})")
#: a numbered citation: "[7]", "[7, 12]", "[3-5]"
_NUMBERED_CITATION = re.compile(r"\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\]")
#: a label that numbers a point, as replies to reviewers do: "R2.1", "Q3.2"
_POINT_LABEL = re.compile(r"^[A-Z]{1,2}\d+(?:\.\d+)+$")
#: a verb a name may be the subject of ("HistoMIL-Pro aggregates ...")
_THIRD_PERSON = re.compile(r"^[a-z]{3,}[^s]s$")
_LIST_ITEM = re.compile(r"[-*•+]\s|\d+[.)]\s")
#: a capitalised word of plain letters ("Chapter", "Collected"), and a bare number or letter after it ("4", "I")
_PLAIN_WORD = re.compile(r"^[A-Z][a-z]+$")
_BARE_PART = re.compile(r"^(?:\d+|[A-Z])$")
_SPELLED_OUT = re.compile(r"\s|[A-Za-z]{3,}")
#: a word that names a model at a glance: a capital and then a digit or another capital ("GPT-3", "LLaMA-65B")
_FOREIGN_NAME = re.compile(r"^(?=[A-Z])(?=.*(?:\d|[a-z]-?[A-Z]))[\w.-]+$")
#: a word of an accelerator's name: a capital or a digit in it ("Zephyr", "ZX-9", "Q7")
_NAMEISH = re.compile(r"^(?=.*[A-Z0-9])[A-Za-z0-9][A-Za-z0-9.-]*$")


def _name_at(view: _View, i: int, end: int, cued: bool = False, proper: bool = False) -> tuple[int, int] | None:
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
    if not _capital_or_script(view.text[view.idx[i] : view.ends[j - 1]]):
        return None  # "a 13B", "on 40": a name's first word has a capital (or is not in Latin letters)
    # a size or variant after a space: "Llama 2 70B", "Tui-ASR Large"
    while j < end and _SIZE_PART.match(words[j]) and words[j] not in stop:
        j += 1
        # a version and its size: "ConvNeXt V2-B"
        if _VERSION.match(words[j - 1]) and j + 1 < end and words[j] in ("-", "‑") and view.glued(j):
            if _SIZE_PART.match(words[j + 1]):
                j += 2
    text = view.text[view.idx[i] : view.ends[j - 1]]
    # in ASCII, the checks of letters below read the same on the whole text
    letters = text if text.isascii() else "".join(c for c in text if c.isalpha())
    if not _capital_or_script(letters):
        return None  # "on 40", "spoken-language": a name has a capital (or is not in Latin letters)
    looks_named = (
        cued
        and j - i > 1
        and words[j - 1].isalpha()
        and _SIZE_PART.match(words[j - 1]) is not None  # "we fine-tune Whisper medium"
        or proper
        and j - i == 1
        and text in view.proper
        and not _country_or_place(text)  # "we train Kestrel", "Marlin was trained"
        or any(map(str.isdigit, text))
        or any(ord(c) > 0x2FF for c in letters)
        or any(map(str.isupper, text[1:]))
        or text.startswith(('"', "“"))
    )
    if not looks_named or text in stop or words[i].rstrip("s") in stop:
        return None
    if "-" in text and _task_or_metric(text):
        return None  # "our sketch-to-CAD generator", "Micro-F1": a task or a metric, not a name
    if any(text.endswith(suffix) for suffix in _set("name_suffix_anti")) or (
        text.isupper() and len(text) <= 4 and text.isalpha()
    ):
        return None  # "OpenVLA-style policies", "a SAR segmentation model"
    if text[0].isdigit() or (j - i <= 3 and _accelerator(text)):
        return None
    return i, j


@lru_cache(maxsize=4096)
def _task_or_metric(text: str) -> bool:
    """Whether a hyphenated name-like word is a task ("sketch-to-CAD") or a metric ("Micro-F1")."""
    if text[0].islower() and any(infix in text for infix in _set("name_infix_anti")):
        return True
    return not _set("metric_names").isdisjoint(text.casefold().split("-"))


def _name_parts(view: _View, i: int, end: int) -> int:
    """Where a name of one to three name-like parts starting at token *i* ends ("DINOv2 ViT-L/14"); *i* if none starts there."""
    j, parts = i, 0
    while j < end and parts < 3 and (part := _name_at(view, j, end, cued=True)) is not None:
        j, parts = part[1], parts + 1
    return j


def _named_alone(view: _View, k: int) -> bool:
    """Whether token *k* is a one-word name set off by commas or a bracket ("agent, Tessellate, learns").

    A capitalised word, closed right after; never written in lower case in
    the text, and no country, accelerator or word the finder knows as no
    model's name.
    """
    word = view.words[k]
    stop = _set("not_model_names") | _set("common_capitalised")
    return (
        k + 1 < view.n
        and view.words[k + 1] in (",", "(")
        and _is_capitalised(word)
        and word not in stop
        and word.lower() not in _set("brand_words")
        and not view.in_lower_case(word)
        and not _country_or_place(word)
    )


def _capital_or_script(text: str) -> bool:
    """Whether *text* has a capital, or a character past the Latin script (U+02FF)."""
    if text.isascii():
        return text.lower() != text  # the same, quicker: in ASCII, lower() changes only capitals
    return any(c.isupper() or ord(c) > 0x2FF for c in text)


@lru_cache(maxsize=1)
def _time_units() -> frozenset[str]:
    """The duration units kg.normalize reads (kg/data/units.json), less the ones too short or too long to trust alone."""
    units = json.loads(data_text("units.json"))["duration_units"]
    return frozenset(alias for unit in units.values() for alias in unit["aliases"]) - _set("time_units_left_out")


@lru_cache(maxsize=None)
def _country_or_place(word: str) -> bool:
    return word in _country_names() or _accelerator(word)


@lru_cache(maxsize=65536)
def _accelerator(text: str) -> bool:
    """Whether *text* names an accelerator of the catalogue; looked up once per text, as the same words recur."""
    return load_catalogue().resolve(text) is not None


def _name_ending(view: _View, k: int) -> str:
    """The hyphen-joined name whose last token is *k* ("Tamsa", "-", "ASR" -> "Tamsa-ASR")."""
    start = k
    while start >= 2 and view.words[start - 1] in ("-", "‑") and view.glued(start) and view.glued(start - 1):
        start -= 2
    return view.text[view.idx[start] : view.ends[k]]


def _another_model(view: _View, name: str) -> bool:
    """Whether the text says *name* is someone else's: cited, compared with, or introduced with its size.

    "BLOOM (176B)", "Among open models, OPT-175B ...", "StarCoder ... is our
    main point of comparison", "initialized from Llama-2-7B". A name the text
    says nothing of this kind about is taken to be the paper's own, so its
    facts stay.
    """
    if name not in view.theirs:
        view.theirs[name] = _said_to_be_anothers(view, name)
    return view.theirs[name]


def _introduced_as_anothers(view: _View, name: str) -> bool:
    """Whether the text first names *name* where it cites or lists others' models.

    "Baselines: NeuralTailor (2022) and a prompted GPT-4o that writes SVG.
    GPT-4o patterns fail to close ...": the name opening the later sentence
    is the baseline's. Only the first mention counts: the paper's own model
    is often compared later ("Unlike X, Kite-7B ...") after it was introduced.
    """
    for start, _ in _whole_words(view.text, name):
        k = view.token_at(start)
        first, last = view.sentence(k)
        return view.idx[k] == start and (view.cites(start) or view.opens_with_comparison(first, last))
    return False


def _said_to_be_anothers(view: _View, name: str, sized: bool = True) -> bool:
    """See ``_another_model``; with *sized* False, a size in brackets after the name does not count."""
    anti = _set("model_anti_cues")
    for start, stop in _whole_words(view.text, name):
        k = view.token_at(start)
        if view.idx[k] != start:
            continue
        first, last = view.sentence(k)
        end = view.token_at(stop - 1) + 1
        if (
            view.cites(start)
            or view.near(k, 6, anti)
            or view.compares(first, last)
            or (
                sized
                and end + 2 < last
                and view.words[end] == "("
                and end + 1 in (view.scaled_at(end + 2), view.scaled_at(end + 3))
            )
            or view.opens_with_comparison(first, last)
        ):
            return True
    return False


def _table_lines(text: str) -> list[list[tuple[int, int, list[tuple[int, int]]]]]:
    """Tables written as text: runs of two lines or more whose cells are split by "|" or tabs.

    Each line is (start, end, its non-empty cells as offsets); a line of
    dashes under a header is left out but does not end the table.
    """
    if "|" not in text and "\t" not in text:
        return []
    tables: list[list[tuple[int, int, list[tuple[int, int]]]]] = []
    run: list[tuple[int, int, list[tuple[int, int]]]] = []
    last_end = -2
    for line in re.finditer(r"(?m)^[^\n|\t]*[|\t][^\n]*$", text):
        cells = [m.span() for m in _CELL.finditer(text, line.start(), line.end())]
        if line.start() != last_end + 1:
            if len(run) >= 2:
                tables.append(run)
            run = []
        last_end = line.end()
        if all(re.fullmatch(r":?-{2,}:?", text[a:b]) for a, b in cells):
            continue
        if len(cells) >= 2:
            run.append((line.start(), line.end(), cells))
    if len(run) >= 2:
        tables.append(run)
    return tables


def _parse_year(text: str) -> str:
    """A value that is a year alone ("2024"), as a model card's "Trained: 2024" gives it."""
    from .normalize import NotUnderstood

    if not _YEAR.match(text):
        raise NotUnderstood(f"not a year: {text!r}")
    return text


def _latex_rows(text: str) -> str:
    """*text* with LaTeX table rows read as "|" rows, every offset kept.

    A line of cells split by "&" that ends with "\\\\" is a row: each "&"
    becomes "|" and the closing "\\\\" spaces; a rule line between rows
    ("\\midrule", "\\hline") becomes a line of dashes, as under a Markdown
    header, so that it does not end the table.
    """
    if "&" not in text or "\\\\" not in text:
        return text

    def row(m: re.Match) -> str:
        return m.group(1).replace("&", "|") + " " * len(m.group(2))

    def rule(m: re.Match) -> str:
        return "|" + "-" * (len(m.group()) - 2) + "|"

    text = _LATEX_ROW.sub(row, text)
    return _LATEX_RULE.sub(rule, text)


def _csv_rows(text: str) -> str:
    """*text* with comma-separated rows read as "|" rows, every offset kept.

    A block of two lines or more, each with as many commas as the first and
    none followed by a space, whose first line is a header of words
    ("run,parameters,accelerators,wall_clock"), is a table exported as CSV;
    its commas become "|". Prose and numbers with thousands' commas do not
    make such a block.
    """
    if not _CSV_QUICK.search(text):
        return text  # the quick test first: most texts have no word, comma and word without a space
    out = text
    for block in _CSV_BLOCK.finditer(text):
        lines = block.group().split("\n")
        commas = lines[0].count(",")
        if not _CSV_HEADER.fullmatch(lines[0]) or any(line.count(",") != commas for line in lines):
            continue
        start, end = block.span()
        out = out[:start] + block.group().replace(",", "|") + out[end:]
    return out


def _stem(name: str) -> str:
    """A name's family: its first run of letters ("Haru" of "Haru-1B", "Llama" of "Llama 2 7B")."""
    m = re.match(r"[^\W\d_]+", name.strip("*_ "))
    return m.group() if m else name


def _row_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of one table line, empty ones too, as offsets without the spaces around them.

    Empty cells keep the columns in step with the header; the outer bars of
    "| a | b |" open and close the line rather than empty cells.
    """
    line = text[start:end]
    inner = line.strip(" \t")
    lead = start + len(line) - len(line.lstrip(" \t"))
    if inner.startswith("|"):
        inner, lead = inner[1:], lead + 1
    if inner.endswith("|"):
        inner = inner[:-1]
    bars = [lead - 1, *(lead + m.start() for m in re.finditer(r"[|\t]", inner)), lead + len(inner)]
    cells = []
    for a, b in zip(bars, bars[1:]):
        cell = text[a + 1 : b]
        a += 1 + len(cell) - len(cell.lstrip())
        cells.append((a, max(a, b - (len(cell) - len(cell.rstrip())))))
    return cells


def _is_number_word(word: str) -> bool:
    """Whether a word in lower case is a number: digits ("256", "1,024", "~3.5") or a number word ("eight")."""
    digits = word.lstrip("~≈")
    return (digits[:1].isdecimal() and _DIGITS.match(digits) is not None) or word in _set("count_words")


def _is_number_text(word: str) -> bool:
    return _is_number_word(word.lower())


def _is_year_text(word: str) -> bool:
    return _YEAR.match(word) is not None


def _is_capitalised(word: str) -> bool:
    """ "Marlin": a capital, then lower case, as a one-word name is written (``_View.proper``)."""
    return (
        word[:1].isupper()
        and word[1:].islower()
        and len(word) > 2
        and not word.endswith(("ian", "ese", "ish", "ean"))  # "Hungarian", "Japanese": languages
    )


def _joins(char: str) -> bool:
    """Whether *char* would continue a name written next to it: a letter, a digit, "_" or "-"."""
    return char.isalnum() or char in ("_", "-")


def _whole_words(text: str, name: str) -> Iterator[tuple[int, int]]:
    """Where *name* stands whole in *text* ("Kite-7B", not inside "Kite-7B-Chat"), as (start, end), left to right.

    A plain search rather than a regular expression: names differ from one
    document to the next, and compiling a pattern for each cost more than
    the search.
    """
    at = text.find(name) if name else -1
    while at >= 0:
        end = at + len(name)
        if not (at and _joins(text[at - 1])) and not (end < len(text) and _joins(text[end])):
            yield at, end
            at = text.find(name, end)
        else:
            at = text.find(name, at + 1)


def _sibling_starts(text: str, stem: str) -> Iterator[int]:
    """Where names sharing *stem* start ("Mola" -> "Mola-S", "Mola-L"): the stem, "-", then letters, digits or dots."""
    prefix = stem + "-"
    at = text.find(prefix)
    while at >= 0:
        end = tail = at + len(prefix)
        while tail < len(text) and (text[tail].isalnum() or text[tail] in ("_", ".")):
            tail += 1
        if tail > end and not (at and _joins(text[at - 1])):
            yield at
            at = text.find(prefix, tail)
        else:
            at = text.find(prefix, at + 1)


@lru_cache(maxsize=1)
def _author_year_re() -> re.Pattern:
    """The author-year citation patterns (finder.json "author_year"), each ending where the searched text ends."""
    words = _words()["author_year"]
    patterns = [p.replace("{surname}", words["surname"]) for p in words["patterns"]]
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\Z")


@lru_cache(maxsize=1)
def _model_key_re() -> re.Pattern:
    """A list item or line that names the model a setup is about: "- Model: X", "* **Model name:** X", "2. __Base model__: X".

    The keys are data (finder.json "model_keys"); the item's mark, the
    emphasis around the key and a mark opening the name are read past.
    """
    keys = "|".join(re.escape(k).replace(r"\ ", "[ _]") for k in sorted(_words()["model_keys"], key=len, reverse=True))
    emphasis = r"(?:\*\*|__|\*|_)"
    return re.compile(
        rf"(?im)^[ \t]*(?:(?:[-*•+]|\d+[.)])[ \t]+)?{emphasis}?\"?(?:{keys})\"?"
        rf"(?:[ \t]*:{emphasis}?|{emphasis}[ \t]*:|{_KEY_SEPARATOR})[ \t]*"
        rf"(?:\*\*|__|`|\")?"
    )


@lru_cache(maxsize=1)
def _checkpoint_use_re() -> re.Pattern:
    """Words that say the paper trains a checkpoint further (finder.json "checkpoint_use_words"), in lower case."""
    words = "|".join(re.escape(w) for w in _words()["checkpoint_use_words"])
    return re.compile(rf"\b(?:{words})\b")


@lru_cache(maxsize=1)
def _trains_nothing_re() -> re.Pattern:
    """The "we train no models" patterns (finder.json "trains_nothing_patterns") as one search.

    When each pattern opens with a word boundary and a letter, the search
    first checks that a word starts with one of those letters: the same
    matches, without trying every pattern at every place in the text.
    """
    patterns = _words()["trains_nothing_patterns"]
    joined = "|".join(f"(?:{p})" for p in patterns)
    if all(re.match(r"\\b[A-Za-z]", p) for p in patterns):
        letters = "".join(sorted({p[2].lower() for p in patterns}))
        joined = rf"\b(?=[{letters}])(?:{joined})"
    return re.compile(joined, re.IGNORECASE)


def _names_a_model(view: _View, k: int) -> bool:
    """Whether token *k* looks like (the last part of) a model's name: "OPT-175B", "StarCoder", "BLOOM", "Marlin"."""
    word = view.words[k]
    if not word[:1].isupper() or word in _set("not_model_names") or word.lower() in _set("brand_words"):
        return False
    if view.lower[k + 1 : k + 2] == ["et"]:
        return True  # "Penedo et al. (2023) trained ...": a cited author's run
    if _FOREIGN_NAME.match(word) is not None or (word.isupper() and word.isalpha() and len(word) >= 4):
        return not _country_or_place(word)
    # a plain capitalised word is a name only as a subject ("Marlin was trained", "Marlin (1.6M) ran"),
    # not as a modifier ("Hausdorff distances", "Dice scores")
    after = view.lower[k + 1] if k + 1 < view.n else ""
    return (
        word in view.proper
        and not _country_or_place(word)
        and (after in _set("owner_next_words") or after in _set("copulas"))
    )


def _anchors(patterns: list[list[dict]]) -> dict[str, tuple[int, int]] | None:
    """Where the matches of *patterns* can be: around a word each of them requires.

    For each pattern, the token it requires that allows the fewest words
    (``LOWER``, ``ORTH`` or ``TEXT``, a word or a list) is its anchor. Gives
    each anchor word (in lower case) with how many tokens a match may reach
    before and after it; None, so that whole sentences are read, when a
    pattern has no anchor or repeats a token ("+", "*", "{n,m}").
    """
    reach: dict[str, tuple[int, int]] = {}
    for pattern in patterns:
        if any(token.get("OP") not in (None, "?", "!") for token in pattern):
            return None
        choices = []
        for at, token in enumerate(pattern):
            if "OP" in token:
                continue  # optional or negated: a match need not hold it
            for attr in ("LOWER", "ORTH", "TEXT"):
                value = token.get(attr)
                if isinstance(value, str):
                    choices.append((1, at, {value.lower()}))
                elif isinstance(value, dict) and set(value) == {"IN"}:
                    choices.append((len(value["IN"]), at, {word.lower() for word in value["IN"]}))
        if not choices:
            return None
        _, at, words = min(choices, key=lambda choice: choice[:2])
        for word in words:
            before, after = reach.get(word, (0, 0))
            reach[word] = (max(before, at), max(after, len(pattern) - at - 1))
    return reach


def _pattern_numbers(patterns: list[list[dict]]) -> Callable[[str], bool]:
    """Whether a word is one that a required ``TEXT`` ``REGEX`` token of a pattern reads (a number: "7B", "2.8").

    Every match holds such a token when every pattern has one, so the
    Matcher need not read a stretch of text without one. A pattern without
    one makes every word count, and the shortcut reads everything.
    """
    regexes: dict[str, re.Pattern] = {}
    for pattern in patterns:
        required = [
            t["TEXT"]["REGEX"]
            for t in pattern
            if "OP" not in t and isinstance(t.get("TEXT"), dict) and "REGEX" in t["TEXT"]
        ]
        if not required:
            return lambda word: True
        regexes.update((r, re.compile(r)) for r in required)
    unique = list(regexes.values())
    return lambda word: any(r.search(word) for r in unique)  # as the Matcher's REGEX reads a token


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


def others(text: str, offsets: list[int], ours: list[str]) -> list[bool]:
    """For each offset of *text*: whether the figure there is another paper's or another model's.

    The finder's rules for whose fact a number is, for the other untagged
    finds (stated compute and token counts, kg.compute): cited work ("1.4
    trillion tokens, according to its report"), a sentence about another
    model, a clause whose subject the text marks as someone else's ("GPT-3
    (175B) was trained on 300 billion tokens"), a comparison opener before
    any "we" or "our" ("For comparison, the Llama 2 family was pretrained on 2
    trillion tokens, fifty times our budget"), and a paper that says it
    trains nothing. *ours* are the paper's own model names (its tags).
    """
    if not offsets:
        return []
    finder = _finder()
    view = _View(text, finder.nlp.make_doc(text), finder.flags)
    if not view.n:
        return [False] * len(offsets)
    if finder.trains_nothing(view):
        return [True] * len(offsets)
    own = {name.casefold() for name in ours}
    inside = {k for _, a, b in finder.country_matches(view) for k in range(a, b)}
    foreign = finder.foreign_sentences(view, own, set())
    firsts = _set("first_person")
    result = []
    for offset in offsets:
        i = view.token_at(offset)
        first = view.sentence(i)[0]
        compared = view.opens_with_comparison(first, i) and firsts.isdisjoint(view.lower[first:i])
        result.append(
            view.cites(offset) or view.sent_of[i] in foreign or compared or finder.anothers_fact(view, i, own, inside)
        )
    return result
