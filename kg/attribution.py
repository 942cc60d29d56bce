"""Which training run a tagged fact is about, and which count goes with which accelerator.

A paper may report several models, each trained in its own run. The rules
(docs/attribution.md) read only the tag-free text around the tags: the
sentence a fact sits in, the models named there, list words ("X and Y"),
collective words ("both models") and "respectively". They are pure
functions of offsets and text, so they are tested alone, table by table.

The words they read are data: ``kg/data/attribution.json``.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .normalize import data_text

#: facts that describe the whole paper when their sentence names no model
PAPER_KINDS = frozenset({"country", "year", "organization"})


@dataclass(frozen=True)
class Span:
    """A tagged span as attribution sees it: its kind, where it is, and (for models) its run."""

    kind: str
    start: int
    end: int
    run: int | None = None  # index of the run a model span names


@dataclass(frozen=True)
class _Words:
    collective: re.Pattern[str]
    respectively: re.Pattern[str]
    connector: re.Pattern[str]
    hedge_before: re.Pattern[str]
    #: the hedges, casefolded, for a quick look at how a text ends
    hedge_endings: tuple[str, ...]
    hedge_after: re.Pattern[str]
    core_words: re.Pattern[str]
    count_hardware_gap: int
    hardware_count_gap: int


def _alternation(phrases: Sequence[str]) -> str:
    """Longest first; inner spaces match any whitespace; words end at a word boundary."""
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = r"\s+".join(re.escape(p) for p in phrase.split())
        if phrase[0].isalnum():
            body = r"(?<!\w)" + body
        if phrase[-1].isalnum():
            body += r"(?!\w)"
        parts.append(body)
    return "|".join(parts)


@lru_cache(maxsize=1)
def words() -> _Words:
    raw = json.loads(data_text("attribution.json"))
    units = json.loads(data_text("units.json"))
    inside_only = {h.casefold() for h in raw["hedges_not_outside_tags"]}
    hedges = [h for h in units["hedges"] if h.casefold() not in inside_only]
    connectors = "|".join(
        r"\s+".join(re.escape(p) for p in c.split()) for c in sorted(raw["list_connectors"], key=len, reverse=True)
    )
    return _Words(
        collective=re.compile(_alternation(raw["collective"]), re.IGNORECASE),
        respectively=re.compile(_alternation(raw["respectively"]), re.IGNORECASE),
        connector=re.compile(rf"^\s*(?:{connectors})\s*$", re.IGNORECASE),
        hedge_before=re.compile(rf"(?:^|(?<=[\s(\[]))(?P<q>{_alternation(hedges)})\s*$", re.IGNORECASE),
        hedge_endings=tuple({h.casefold() for h in hedges}),
        hedge_after=re.compile(rf"^\s*(?P<q>{_alternation(raw['hedges_after'])})", re.IGNORECASE),
        core_words=re.compile(_alternation(raw["core_words"]), re.IGNORECASE),
        count_hardware_gap=int(raw["count_hardware_gap"]),
        hardware_count_gap=int(raw["hardware_count_gap"]),
    )


# -- sentences -----------------------------------------------------------------------


def sentence_index(end_offsets: Sequence[int], offset: int) -> int:
    """Which sentence (0-based) holds *offset*, given the offsets where sentences end."""
    return bisect.bisect_right(end_offsets, offset)


# -- runs a fact is about ------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """The runs a fact goes to; none, with the reason, when that cannot be told."""

    runs: tuple[int, ...]
    reason: str = ""


_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _groups(models: list[Span], rivals: list[Span], text: str) -> list[list[Span]]:
    """Models next to each other, joined only by list words ("X, Y and Z"), form one group.

    Only facts of the kind being placed (*rivals*) split a list: in
    "X (6.7B) and Y (65B) were trained on A100", the sizes in parentheses do
    not keep the A100 from both models, but each size stays with its model.
    """
    groups: list[list[Span]] = []
    connector = words().connector
    for model in models:
        if groups:
            last = groups[-1][-1]
            between = _PARENTHESES.sub(" ", text[last.end : model.start])
            no_rival_between = not any(last.end <= f.start < model.start for f in rivals)
            if no_rival_between and (connector.match(between) or not between.strip()):
                groups[-1].append(model)
                continue
        groups.append([model])
    return groups


def attribute(fact: Span, sentence: list[Span], text: str, bounds: tuple[int, int], run_count: int) -> Attribution:
    """The runs *fact* is about, from the spans of its sentence.

    Offsets are into *text*, the whole tag-free text; *bounds* are the
    sentence's start and end. The rules,
    in order (docs/attribution.md):

    1. a paper with one run: that run;
    2. no model named in the sentence: country and year go to every run,
       other facts too when the sentence speaks of all models ("both models"),
       else to none (with the reason);
    3. one model named: that model;
    4. "respectively" with as many facts of the kind as models named: in order;
    5. words for all models ("both models"): every model named;
    6. else the nearest group of models before the fact, every model in the
       group (a fact before them all: the group after it, when the sentence
       has only one); a group of several models followed by more than one
       fact of the kind is ambiguous, and gets none.
    """
    if run_count <= 1:
        return Attribution((0,) if run_count else ())
    w = words()
    sentence_text = text[bounds[0] : bounds[1]]
    models = [s for s in sentence if s.kind == "model"]
    if not models:
        if fact.kind in PAPER_KINDS or w.collective.search(sentence_text):
            return Attribution(tuple(range(run_count)))
        return Attribution((), "its sentence names no model, and the paper reports several")
    named: list[int] = []
    for m in models:
        if m.run not in named:
            named.append(m.run)  # type: ignore[arg-type]
    if len(named) == 1:
        return Attribution((named[0],))
    same_kind = [s for s in sentence if s.kind == fact.kind]
    if w.respectively.search(sentence_text) and len(same_kind) == len(named):
        return Attribution((named[same_kind.index(fact)],))
    if w.collective.search(sentence_text):
        return Attribution(tuple(named))  # "X and Y ...; both models ...": every model named
    groups = _groups(models, same_kind, text)
    group = _group_of(fact, groups)
    if group is None:
        return Attribution((), "it comes before the several models its sentence names")
    runs = tuple(dict.fromkeys(m.run for m in group))
    if len(runs) > 1:
        # several models and several facts of one kind: which is whose cannot be told
        rivals = [s for s in same_kind if _group_of(s, groups) is group]
        if len(rivals) > 1:
            return Attribution(
                (), f"{len(rivals)} <{fact.kind}> facts follow {len(runs)} models with no 'respectively'"
            )
    return Attribution(runs)  # type: ignore[arg-type]


def _group_of(fact: Span, groups: list[list[Span]]) -> list[Span] | None:
    """The nearest group before the fact; before them all, the only group (None when there are several)."""
    before = [g for g in groups if g[-1].end <= fact.start]
    if before:
        return before[-1]
    return groups[0] if len(groups) == 1 else None


# -- hedges just outside a tag ---------------------------------------------------------


def hedge_around(text: str, start: int, end: int) -> str | None:
    """A hedge word written right before or right after the span [start, end), as written."""
    w = words()
    window = text[max(0, start - 40) : start]
    # most text before a tag ends in no hedge at all: one quick look before the regex
    if " ".join(window.split()).casefold().endswith(w.hedge_endings):
        before = w.hedge_before.search(window)
        if before:
            return before.group("q")
    after = w.hedge_after.match(text[end : end + 40])
    return after.group("q") if after else None


# -- counts with their accelerators ----------------------------------------------------


def pair_counts(counts: list[Span], hardware: list[Span], text: str) -> dict[int, int]:
    """Count index -> hardware index, for each count written next to an accelerator.

    "8 A100 and 16 H100": each count takes the accelerator right after it
    (within a few words, no other number between); "A100 x 8" takes the one
    right before it. Each accelerator takes at most one count.
    """
    w = words()
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for ci, count in enumerate(counts):
        best = None
        for hi, hw in enumerate(hardware):
            if hi in taken:
                continue
            if hw.start >= count.end:
                gap = text[count.end : hw.start]
                if len(gap) <= w.count_hardware_gap and not re.search(r"[\d;.,]", gap):
                    distance = len(gap)
                else:
                    continue
            elif hw.end <= count.start:
                gap = text[hw.end : count.start]
                if len(gap) <= w.hardware_count_gap and not re.search(r"[\d;.,]", gap):
                    distance = len(gap) + 1000  # an accelerator after the count is preferred
                else:
                    continue
            else:
                continue
            if best is None or distance < best[0]:
                best = (distance, hi)
        if best is not None:
            pairs[ci] = best[1]
            taken.add(best[1])
    return pairs


def counts_cores(*texts: str) -> bool:
    """Whether a count is of cores ("512 TPU v3 cores"), not of chips."""
    return any(words().core_words.search(t) for t in texts)
