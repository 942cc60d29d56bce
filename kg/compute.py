"""A training run's compute in FLOP: stated by its paper, or estimated by a documented method.

Two estimates follow Epoch AI's published methods (docs/compute.md):

* hardware: accelerator-hours x 3600 x peak FLOP/s x utilization, summed
  over the run's accelerators, with the peak of the numerical format the
  text names (else FP16/BF16 tensor, else FP32);
* parameters x tokens: 6 x N x D, when the text states the training tokens.

A run missing an input gets no estimate by that method: no count, duration
or peak is ever guessed. The headline figure (``mlkg:trainingCompute``) is
the stated one, else parameters x tokens, else hardware.

Everything here is a pure function of what the mapping read; the words and
assumptions are data (``kg/data/compute.json``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import lru_cache

from .hardware import Accelerator
from .normalize import NotUnderstood, ParsedAmount, compute_words, parse_flop, parse_token_count

STATED, PARAMETER_TOKEN, HARDWARE = "StatedCompute", "ParameterTokenMethod", "HardwareMethod"
#: the order in which a run's headline compute is chosen
CHOICE = (STATED, PARAMETER_TOKEN, HARDWARE)
SECONDS_PER_HOUR = 3600
#: an estimate's node is ``{run}/compute/{slug}``
SLUGS = {STATED: "stated", PARAMETER_TOKEN: "parameters-tokens", HARDWARE: "hardware"}
LABELS = {
    STATED: "stated training compute",
    PARAMETER_TOKEN: "6 x parameters x tokens estimate",
    HARDWARE: "hardware estimate",
}
#: names what found a stated compute or token count in untagged text (mlkg:extractedBy)
FINDER = "mlkg compute patterns 1"


# -- found in the text --------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A stated compute or token count found in untagged text."""

    kind: str  # "compute" or "tokens"
    start: int
    end: int
    value: ParsedAmount


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    words = compute_words()
    number = words["number_pattern"]
    flop = re.compile(words["flop_pattern"].replace("NUM", number), re.IGNORECASE)
    tokens = re.compile(words["token_pattern"].replace("NUM", number), re.IGNORECASE)
    formats = {k: v for k, v in words["numerical_formats"].items() if not k.startswith("_")}
    names = "|".join(re.escape(k).replace(r"\ ", r"[\s-]+") for k in sorted(formats, key=len, reverse=True))
    return flop, tokens, re.compile(rf"(?<![\w-])(?:{names})(?![\w])", re.IGNORECASE)


def _per_item(text: str, end: int) -> bool:
    """Whether the words after a FLOP amount make it a cost per item or a rate ("per image", "at inference")."""
    after = " ".join(text[end : end + 40].casefold().split())
    return any(after.startswith(w) for w in compute_words()["flop_per_item_words"])


def _may_match(lowered: str, words: str) -> bool:
    """Whether a lowercased text holds one of the words without which a pattern cannot match."""
    return any(word in lowered for word in compute_words()[words])


def find_stated(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """Stated compute and training tokens in *text*, outside the spans already tagged (*taken*)."""
    flop, tokens, _ = _patterns()
    least = Decimal(compute_words()["min_training_tokens"])
    least_flop = Decimal(compute_words()["min_training_flop"])
    found: list[Found] = []
    lowered = text.lower()

    def free(start: int, end: int) -> bool:
        return not any(start < b and a < end for a, b in taken) and not any(
            start < f.end and f.start < end for f in found
        )

    for m in flop.finditer(text) if _may_match(lowered, "flop_pattern_words") else ():
        if free(m.start(), m.end()) and not _per_item(text, m.end()):
            try:
                amount = parse_flop(m.group())
            except NotUnderstood:
                continue
            if amount.value >= least_flop:  # less is the cost of one image or token, not of training
                found.append(Found("compute", m.start(), m.end(), amount))
    for m in tokens.finditer(text) if _may_match(lowered, "token_pattern_words") else ():
        group = "value" if m.group("value") else "value2"
        start, end = m.span(group)
        if free(start, end):
            try:
                count = parse_token_count(m.group(group))
            except NotUnderstood:
                continue
            if count.value >= least:  # fewer is a context, sequence or batch, not a training set
                found.append(Found("tokens", start, end, count))
    return sorted(found, key=lambda f: f.start)


def _phrase(text: str) -> str:
    return " ".join(re.split(r"[\s-]+", text.casefold()))


@lru_cache(maxsize=1)
def _formats() -> dict[str, str]:
    return {_phrase(k): v for k, v in compute_words()["numerical_formats"].items() if not k.startswith("_")}


def numerical_format(text: str) -> str | None:
    """The one numerical format *text* names ("FP32", "TF32", "FP16" for FP16/BF16, "FP8"), or None."""
    formats = _formats()
    named = {formats[_phrase(m.group())] for m in _patterns()[2].finditer(text)}
    return named.pop() if len(named) == 1 else None


def is_language_model(model_name: str, states_tokens: bool) -> bool:
    """Whether a run is taken for a language model's (the utilization it is given depends on it)."""
    if states_tokens:
        return True
    words = set(compute_words()["language_model_words"]["words"])
    parts = [p for p in re.split(r"[-_\s./]+", model_name.casefold()) if p]
    return any(p in words or p.rstrip("0123456789") in words for p in parts)


# -- the estimates ------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """One accelerator of a run, as the hardware method needs it."""

    node: str
    accelerator: Accelerator | None
    hours: Decimal | None


@dataclass
class Inputs:
    """What a run's text says that an estimate can use; each value with the node it came from."""

    stated: list[tuple[Decimal, str]] = field(default_factory=list)
    tokens: list[tuple[Decimal, str]] = field(default_factory=list)
    parameters: list[tuple[int, str]] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)
    numerical_format: str | None = None
    language_model: bool = False
    #: a utilization the user set for every run (else the defaults of compute.json)
    utilization: Decimal | None = None


@dataclass(frozen=True)
class Estimate:
    method: str
    flop: Decimal
    used: tuple[str, ...]
    low: Decimal | None = None
    high: Decimal | None = None
    utilization: Decimal | None = None
    numerical_format: str | None = None
    peaks: tuple[float, ...] = ()


def _one(values: list[tuple]) -> tuple | None:
    """The value when every statement gives the same one (with all their nodes), else None."""
    distinct = {v for v, _ in values}
    return (values[0][0], tuple(n for _, n in values)) if len(distinct) == 1 else None


def _peaks(usages: list[Usage], numerical_format: str) -> tuple[float, ...] | None:
    """Each usage's peak FLOP/s in *numerical_format*, or None when one of them is unknown."""
    peaks = []
    for usage in usages:
        peak = usage.accelerator.peak(numerical_format) if usage.accelerator else None
        if not peak:
            return None
        peaks.append(peak)
    return tuple(peaks)


def hardware_estimate(inputs: Inputs) -> Estimate | None:
    """accelerator-hours x 3600 x peak x utilization, summed over usages; None when an input is missing."""
    if not inputs.usages:
        return None
    fallback = compute_words()["format_fallback"]
    chosen = [inputs.numerical_format] if inputs.numerical_format else fallback
    fmt: str | None = None
    peaks: tuple[float, ...] = ()
    for candidate in chosen + [f for f in fallback if f not in chosen]:
        if found := _peaks(inputs.usages, candidate):
            fmt, peaks = candidate, found
            break
    hours = [u.hours for u in inputs.usages if u.hours is not None]
    if fmt is None or len(hours) < len(inputs.usages):
        return None
    kind = "language" if inputs.language_model else "other"
    assumed = compute_words()["utilization"][kind]
    utilization = inputs.utilization if inputs.utilization is not None else Decimal(assumed["default"])
    with localcontext() as ctx:
        ctx.prec = 40
        at_peak = sum((h * SECONDS_PER_HOUR * Decimal(repr(p)) for h, p in zip(hours, peaks)), Decimal(0))
        return Estimate(
            HARDWARE,
            flop=at_peak * utilization,
            used=tuple(u.node for u in inputs.usages),
            low=at_peak * Decimal(assumed["low"]),
            high=at_peak * Decimal(assumed["high"]),
            utilization=utilization,
            numerical_format=fmt,
            peaks=peaks,
        )


def parameter_token_estimate(inputs: Inputs) -> Estimate | None:
    """6 x N x D, when one parameter count and one token count are stated."""
    parameters, tokens = _one(inputs.parameters), _one(inputs.tokens)
    if parameters is None or tokens is None:
        return None
    factor = Decimal(compute_words()["flop_per_parameter_token"])
    with localcontext() as ctx:
        ctx.prec = 40
        flop = factor * Decimal(parameters[0]) * tokens[0]
    return Estimate(PARAMETER_TOKEN, flop=flop, used=parameters[1] + tokens[1])


def one_figure(stated: list[tuple[Decimal, str]]) -> tuple[Decimal, tuple[str, ...]] | None:
    """The stated compute when every statement gives the same figure, else None.

    Figures within ``same_stated_figure`` (compute.json) of the first are
    one figure written in two units ("3.14e23 FLOPs (3,640 petaflop/s-days)"
    is 3.14e23 and 3.145e23); the first stated is kept.
    """
    if not stated:
        return None
    first = stated[0][0]
    tolerance = Decimal(compute_words()["same_stated_figure"])
    if any(abs(value - first) > tolerance * first for value, _ in stated):
        return None
    return first, tuple(node for _, node in stated)


def stated_estimate(inputs: Inputs) -> Estimate | None:
    stated = one_figure(inputs.stated)
    return Estimate(STATED, flop=stated[0], used=stated[1]) if stated else None


def estimates(inputs: Inputs) -> list[Estimate]:
    """Every estimate whose inputs the run has, in the order the headline is chosen."""
    found = {
        STATED: stated_estimate(inputs),
        PARAMETER_TOKEN: parameter_token_estimate(inputs),
        HARDWARE: hardware_estimate(inputs),
    }
    return [found[m] for m in CHOICE if found[m] is not None]  # type: ignore[misc]
