"""Read the values inside tags (parameter counts, accelerator counts, durations, years).

Every parser either returns an exact value or raises `NotUnderstood` with a
plain-English reason: a wrong fact in the graph is worse than a missing one,
so nothing vague ("several billion", "a while") is ever rounded into a number.

The words the parsers know (magnitudes, number words, hedges, units) live in
``kg/data/units.json`` so they can be extended without touching code.

What is understood:

* a number: digits (``1024``, ``1,024``, ``6.7``, ``1.2e9``) or words
  (``eight``, ``twenty-four``, ``a dozen``, ``two hundred``), optionally
  followed by ``and a half``;
* parameter counts and accelerator counts may add a magnitude (``7B``,
  ``340M``, ``1.6 trillion``); the value must come out as a whole number;
* a leading hedge (``approximately``, ``about``, ``~``, ``over``...) marks the
  value approximate and is kept as written in ``qualifier``;
* accelerator counts may be followed by ``x``/``×`` (``8x``, ``8x A100``) or
  by words that end in an accelerator noun (``64 TPU v4 chips``); text that
  counts something else (``4 nodes``) or says more than one number is
  rejected;
* durations are a number and one time unit (``36 hours``, ``1.5 days``,
  ``about six months``); accelerator-time units such as ``GPU-hours`` are
  compute, not wall-clock time, and are rejected.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "NotUnderstood",
    "ParsedInt",
    "ParsedDuration",
    "parse_parameter_count",
    "parse_count",
    "parse_duration",
    "parse_year",
    "model_key",
    "split_qualifier",
]


class NotUnderstood(ValueError):
    """Raised with a plain-English reason, e.g. "'several billion' is not a number of parameters"."""


@dataclass(frozen=True)
class ParsedInt:
    """A whole number read from text, with the hedging words that came with it."""

    value: int
    approximate: bool = False
    qualifier: str | None = None


@dataclass(frozen=True)
class ParsedDuration:
    """A wall-clock duration: an xsd:duration lexical form plus the same span in hours.

    Months and years are converted to hours with the mean Gregorian month
    (730.485 h) and year (8765.82 h). Integer months and years keep their own
    designators (``P6M``, ``P2Y``); a fractional number of months is written as
    days and time computed from the hours, because xsd:duration only allows a
    fraction in the seconds field.
    """

    iso: str
    hours: Decimal
    amount: Decimal
    unit: str
    approximate: bool = False
    qualifier: str | None = None


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _DurationUnit:
    name: str
    hours: Fraction


@dataclass(frozen=True)
class _Words:
    """units.json, loaded once and arranged for lookup."""

    magnitudes: dict[str, int]
    number_words: dict[str, int]
    tens_words: dict[str, int]
    multiplier_words: dict[str, int]
    number_phrases: tuple[tuple[str, Decimal], ...]
    vague_words: tuple[str, ...]
    hedge_re: re.Pattern[str]
    parameter_words: frozenset[str]
    parameter_noise_words: frozenset[str]
    wrong_units_for_parameters: frozenset[str]
    accelerator_words: frozenset[str]
    wrong_units_for_accelerators: frozenset[str]
    count_connector_words: frozenset[str]
    duration_units: dict[str, _DurationUnit]
    compute_words: frozenset[str]
    duration_trailing_words: tuple[str, ...]
    year_prefixes: tuple[str, ...]
    year_range: tuple[int, int]


def _phrase_pattern(phrase: str) -> str:
    """Regex for a phrase: flexible inner whitespace, whole words at the end."""
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    return body + (r"(?!\w)" if phrase[-1].isalnum() else "")


def _by_length(items) -> list[str]:
    return sorted((s.casefold() for s in items), key=len, reverse=True)


def data_text(name: str) -> str:
    """Text of a file in kg/data, found through importlib.resources.

    Falls back to the directory next to this module while ``kg`` is a
    namespace package (no ``__init__.py``), where resources cannot list it.
    """
    try:
        return resources.files("kg").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    except (NotADirectoryError, TypeError, ModuleNotFoundError):
        return (Path(__file__).resolve().parent / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _words() -> _Words:
    raw = json.loads(data_text("units.json"))
    hedges = _by_length(raw["hedges"])
    units: dict[str, _DurationUnit] = {}
    for name, spec in raw["duration_units"].items():
        unit = _DurationUnit(name, Fraction(spec["hours"]))
        for alias in spec["aliases"]:
            units[alias.casefold()] = unit
    return _Words(
        magnitudes={k.casefold(): int(v) for k, v in raw["magnitudes"].items()},
        number_words={k.casefold(): int(v) for k, v in raw["number_words"].items()},
        tens_words={k.casefold(): int(v) for k, v in raw["tens_words"].items()},
        multiplier_words={k.casefold(): int(v) for k, v in raw["multiplier_words"].items()},
        number_phrases=tuple(
            (p, Decimal(raw["number_phrases"][k]))
            for k in sorted(raw["number_phrases"], key=len, reverse=True)
            for p in [k.casefold()]
        ),
        vague_words=tuple(_by_length(raw["vague_words"])),
        hedge_re=re.compile(
            r"^(?P<q>" + "|".join(_phrase_pattern(h) for h in hedges) + r")\s*", re.IGNORECASE
        ),
        parameter_words=frozenset(_by_length(raw["parameter_words"])),
        parameter_noise_words=frozenset(_by_length(raw["parameter_noise_words"])),
        wrong_units_for_parameters=frozenset(_by_length(raw["wrong_units_for_parameters"])),
        accelerator_words=frozenset(_by_length(raw["accelerator_words"])),
        wrong_units_for_accelerators=frozenset(_by_length(raw["wrong_units_for_accelerators"])),
        count_connector_words=frozenset(_by_length(raw["count_connector_words"])),
        duration_units=units,
        compute_words=frozenset(_by_length(raw["compute_words"])),
        duration_trailing_words=tuple(_by_length(raw["duration_trailing_words"])),
        year_prefixes=tuple(_by_length(raw["year_prefixes"])),
        year_range=(int(raw["year_range"][0]), int(raw["year_range"][1])),
    )


# ------------------------------------------------------------------ text helpers

_OUTER_PUNCT = "()[]{}.,;:!?\"'“”‘’"


def _clean(text: str) -> str:
    """NFKC, single spaces, no surrounding brackets or sentence punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = " ".join(text.split())
    return text.strip(_OUTER_PUNCT + " ")


def split_qualifier(text: str) -> tuple[str, str | None]:
    """Split leading hedging words from the value: "approximately 4 weeks" -> ("4 weeks", "approximately").

    The qualifier is returned exactly as written. Text that is nothing but a
    hedge ("about") is returned unchanged with no qualifier.
    """
    stripped = text.strip()
    match = _words().hedge_re.match(stripped)
    if not match:
        return stripped, None
    rest = stripped[match.end():].strip()
    if not rest:
        return stripped, None
    return rest, match.group("q")


@lru_cache(maxsize=None)
def _phrases_re(phrases: tuple[str, ...]) -> re.Pattern:
    """One compiled alternation per phrase list, longest phrases first."""
    alternatives = "|".join(f"(?P<p{i}>{_phrase_pattern(p)})" for i, p in enumerate(phrases))
    return re.compile(alternatives)


def _starts_with_phrase(text: str, phrases) -> str | None:
    phrases = tuple(phrases)
    if not phrases:
        return None
    match = _phrases_re(phrases).match(text.casefold())
    if not match:
        return None
    return phrases[int(match.lastgroup[1:])]


def _prepare(text: str, what: str) -> tuple[str, str | None]:
    """Common first steps: clean, split the hedge, reject empty, negative and vague text."""
    if not isinstance(text, str):
        raise NotUnderstood(f"{text!r} is not text, so it is not {what}")
    cleaned = _clean(text)
    if not cleaned:
        raise NotUnderstood(f"empty text is not {what}")
    body, qualifier = split_qualifier(cleaned)
    body = body.strip(_OUTER_PUNCT + " ")
    if re.match(r"^[-−–—]\s*\.?\d", body):
        raise NotUnderstood(f"{text!r} is negative, so it is not {what}")
    vague = _starts_with_phrase(body, _words().vague_words)
    if vague:
        raise NotUnderstood(f"{text!r} is not {what}: {vague!r} is not an exact amount")
    return body, qualifier


# ---------------------------------------------------------------- number reading

_NUMERAL_RE = re.compile(
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<exp>[eE][+-]?\d+)?(?![\d,.]\d)"
)
_LARGEST_EXPONENT = 30  # keeps "1e999999999" from building a billion-digit integer
_HALF_RE = re.compile(r"\s+and\s+a\s+half(?!\w)", re.IGNORECASE)
_MAGNITUDE_RE = re.compile(r"\s*(?P<word>[A-Za-z]+)(?![A-Za-z0-9])")


@dataclass(frozen=True)
class _Number:
    value: Decimal
    rest: str


def _word_number(tokens: list[str]) -> Decimal | None:
    """Value of a run of number words ("twenty four", "two hundred and six", "a dozen")."""
    w = _words()
    total = 0
    last = None  # kind of the previous token: unit, tens, mult
    for tok in tokens:
        if tok == "and":
            if last != "mult":
                return None
            last = "and"
            continue
        if tok in w.tens_words and last in (None, "mult", "and"):
            total += w.tens_words[tok]
            last = "tens"
        elif tok in w.number_words and last in (None, "mult", "and") and (
            tok not in ("a", "an") or last is None
        ):
            total += w.number_words[tok]
            last = "unit"
        elif tok in w.number_words and last == "tens" and 1 <= w.number_words[tok] <= 9 and tok not in ("a", "an"):
            total += w.number_words[tok]
            last = "unit"
        elif tok in w.multiplier_words and last in ("unit", "tens"):
            total *= w.multiplier_words[tok]
            last = "mult"
        else:
            return None
    if last in (None, "and"):
        return None
    return Decimal(total)


def _take_word_number(text: str) -> _Number | None:
    """Longest run of number words at the start of text that reads as a number."""
    w = _words()
    low = text.casefold()
    phrase = _starts_with_phrase(low, [p for p, _ in w.number_phrases])
    if phrase:
        value = dict(w.number_phrases)[phrase]
        end = re.match(_phrase_pattern(phrase), low).end()
        return _Number(value, text[end:])
    known = set(w.number_words) | set(w.tens_words) | set(w.multiplier_words) | {"and"}
    spans = []
    for m in re.finditer(r"[a-z]+", low):
        gap = low[spans[-1][1]:m.start()] if spans else low[: m.start()]
        if (spans and gap.strip() not in ("", "-")) or (not spans and gap):
            break
        if m.group() not in known:
            break
        spans.append((m.start(), m.end(), m.group()))
    for n in range(len(spans), 0, -1):
        value = _word_number([s[2] for s in spans[:n]])
        if value is not None:
            return _Number(value, text[spans[n - 1][1]:])
    return None


def _take_number(text: str, allow_magnitude: bool) -> _Number | None:
    """Read a number (digits or words, optional 'and a half', optional magnitude) from the start."""
    m = _NUMERAL_RE.match(text)
    if m:
        digits = m.group("num").replace(",", "") + (m.group("exp") or "")
        try:
            number = _Number(Decimal(digits), text[m.end():])
        except InvalidOperation:
            return None
        if abs(number.value.adjusted()) > _LARGEST_EXPONENT:
            raise NotUnderstood(f"{m.group()!r} is too large or too small to be a measured value")
    else:
        number = _take_word_number(text)
        if number is None:
            return None
    half = _HALF_RE.match(number.rest)
    if half:
        number = _Number(number.value + Decimal("0.5"), number.rest[half.end():])
    if allow_magnitude:
        mag = _MAGNITUDE_RE.match(number.rest)
        if mag and mag.group("word").casefold() in _words().magnitudes:
            factor = _words().magnitudes[mag.group("word").casefold()]
            with localcontext() as ctx:
                ctx.prec = 60
                number = _Number(number.value * factor, number.rest[mag.end():])
    return number


def _require_number(text: str, body: str, what: str, allow_magnitude: bool) -> _Number:
    number = _take_number(body, allow_magnitude)
    if number is None:
        raise NotUnderstood(f"{text!r} is not {what}: it does not start with a number")
    return number


def _whole(value: Decimal, text: str, noun: str) -> int:
    """An exact positive integer, or a reason why not."""
    if value != value.to_integral_value():
        raise NotUnderstood(f"{text!r} is not a whole number of {noun}")
    number = int(value)
    if number <= 0:
        raise NotUnderstood(f"{text!r} is zero; zero {noun} is not a fact worth recording")
    return number


def _tokens(rest: str) -> list[str]:
    return [t.strip(_OUTER_PUNCT).casefold() for t in re.split(r"[\s\-/]+", rest) if t.strip(_OUTER_PUNCT)]


# ------------------------------------------------------------------ public parsers


def parse_parameter_count(text: str) -> ParsedInt:
    """Read a parameter count such as "6.7B", "2.8 billion parameters" or "~7B params"."""
    what = "a number of parameters"
    w = _words()
    body, qualifier = _prepare(text, what)
    number = _require_number(text, body, what, allow_magnitude=True)
    tokens = _tokens(number.rest)
    for tok in tokens:
        if tok in w.wrong_units_for_parameters:
            raise NotUnderstood(f"{text!r} counts {tok}, not parameters")
    extra = [t for t in tokens if t not in w.parameter_words and t not in w.parameter_noise_words]
    if extra:
        raise NotUnderstood(f"{text!r} is not {what}: unexpected words {' '.join(extra)!r}")
    value = _whole(number.value, text, "parameters")
    return ParsedInt(value, qualifier is not None, qualifier)


_TIMES_RE = re.compile(r"^(?P<space>\s*)[x×](?![a-z])")


def parse_count(text: str) -> ParsedInt:
    """Read a number of accelerators such as "32", "1,024", "eight", "8x" or "64 TPU v4 chips"."""
    what = "a number of accelerators"
    w = _words()
    body, qualifier = _prepare(text, what)
    number = _require_number(text, body, what, allow_magnitude=True)
    rest = number.rest
    times = _TIMES_RE.match(rest)
    if times:
        rest = rest[times.end():]
        if times.group("space") and not rest.strip():
            raise NotUnderstood(f"{text!r} looks like an unfinished product, not {what}")
    tokens = _tokens(rest)
    for tok in tokens:
        if tok.replace(",", "").replace(".", "").isdigit():
            raise NotUnderstood(f"{text!r} holds more than one number, so it is not {what}")
        if tok in w.wrong_units_for_accelerators:
            raise NotUnderstood(f"{text!r} counts {tok}, not accelerators")
        if tok in w.count_connector_words:
            raise NotUnderstood(f"{text!r} says more than {what} (found {tok!r})")
    if tokens and not times and tokens[-1] not in w.accelerator_words:
        raise NotUnderstood(
            f"{text!r} is not {what}: the words after the number do not end in an accelerator noun "
            "such as GPUs, TPUs or chips"
        )
    value = _whole(number.value, text, "accelerators")
    return ParsedInt(value, qualifier is not None, qualifier)


_UNIT_RE = re.compile(r"^\s*-?\s*(?P<unit>[A-Za-z]+)\.?(?![A-Za-z])")
_SECONDS_PER = {"D": 86400, "H": 3600, "M": 60}


def _decimal(value: Fraction, places: int = 6) -> Decimal:
    """Exact decimal for a terminating fraction, otherwise rounded to `places` decimals."""
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        den = value.denominator
        for p in (2, 5):
            while den % p == 0:
                den //= p
        if den != 1:
            exact = exact.quantize(Decimal(1).scaleb(-places))
        if exact == exact.to_integral_value():
            return exact.quantize(Decimal(1))
        return exact.normalize()


def _fmt(value: Fraction) -> str:
    return format(_decimal(value), "f")


def _iso_duration(amount: Decimal, unit: str, hours: Fraction) -> str:
    """xsd:duration for the amount; only the seconds field ever carries a fraction."""
    exact_amount = Fraction(amount)
    if unit == "year" and (exact_amount * 12).denominator == 1:
        years, months = divmod(int(exact_amount * 12), 12)
        return "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    if unit == "month" and exact_amount.denominator == 1:
        return f"P{int(exact_amount)}M"
    seconds = hours * 3600
    days = 0
    if unit in ("day", "week", "month", "year"):
        days, seconds = divmod(seconds, 86400)
    whole_hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    date = f"{days}D" if days else ""
    time = (
        (f"{whole_hours}H" if whole_hours else "")
        + (f"{minutes}M" if minutes else "")
        + (f"{_fmt(seconds)}S" if seconds else "")
    )
    return "P" + date + ("T" + time if time else "")


def _is_compute_time(body: str) -> bool:
    """True for "GPU hours", "TPU-days", "petaflop/s-days": a device word right before a time unit."""
    w = _words()
    tokens = [t for t in _tokens(body) if t != "s"]
    return any(
        a in w.compute_words and b in w.duration_units for a, b in zip(tokens, tokens[1:])
    )


def parse_duration(text: str) -> ParsedDuration:
    """Read a wall-clock training duration such as "approximately 4 weeks", "36h" or "1.5 days"."""
    what = "a wall-clock duration"
    w = _words()
    body, qualifier = _prepare(text, what)
    if _is_compute_time(body):
        raise NotUnderstood(
            f"{text!r} measures compute (accelerator time such as GPU-hours), not wall-clock training time"
        )
    number = _require_number(text, body, what, allow_magnitude=False)
    match = _UNIT_RE.match(number.rest)
    if not match:
        raise NotUnderstood(f"{text!r} is not {what}: no time unit follows the number")
    unit = w.duration_units.get(match.group("unit").casefold())
    if unit is None:
        raise NotUnderstood(f"{text!r} is not {what}: {match.group('unit')!r} is not a unit of time")
    amount = number.value
    rest = number.rest[match.end():]
    half = _HALF_RE.match(rest)
    if half and amount == amount.to_integral_value():
        amount += Decimal("0.5")
        rest = rest[half.end():]
    rest = rest.strip(_OUTER_PUNCT + " ")
    if rest and rest.casefold() not in w.duration_trailing_words:
        raise NotUnderstood(f"{text!r} is not {what}: unexpected words {rest!r}")
    if amount <= 0:
        raise NotUnderstood(f"{text!r} is zero; a zero-length run is not a fact worth recording")
    hours = Fraction(amount) * unit.hours
    return ParsedDuration(
        iso=_iso_duration(amount, unit.name, hours),
        hours=_decimal(hours),
        amount=amount,
        unit=unit.name,
        approximate=qualifier is not None,
        qualifier=qualifier,
    )


def parse_year(text: str) -> ParsedInt:
    """Read a four-digit calendar year such as "2023", "in 2023" or "2023."."""
    what = "a year"
    w = _words()
    body, qualifier = _prepare(text, what)
    prefix = _starts_with_phrase(body, w.year_prefixes)
    if prefix:
        body = body[re.match(_phrase_pattern(prefix), body.casefold()).end():].strip()
    if not re.fullmatch(r"\d{4}", body):
        raise NotUnderstood(f"{text!r} is not {what}: expected four digits such as 2023")
    year = int(body)
    low, high = w.year_range
    if not low <= year <= high:
        raise NotUnderstood(f"{text!r} is outside the years {low}-{high}")
    return ParsedInt(year, qualifier is not None, qualifier)


def model_key(name: str) -> str:
    """Merge key for model names, so "Llama 2 70B", "llama-2-70b" and "LLaMA 2 70 B" meet.

    NFKC, casefold, and drop whitespace, dashes and underscores; other
    punctuation is kept ("ViT-L/16" -> "vitl/16"). A name made only of dashes
    or underscores keeps them, so the key is never empty for a visible name.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    folded = "".join(ch for ch in folded if not ch.isspace())
    if not folded:
        raise NotUnderstood("a blank model name has no key")
    key = "".join(ch for ch in folded if ch != "_" and unicodedata.category(ch) != "Pd")
    return key or folded
