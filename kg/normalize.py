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
  compute, not wall-clock time, and are rejected;
* a superscript is an exponent: ``10⁹`` and ``10^9`` are 10^9, ``2¹⁰`` is
  1024, ``1.2 × 10⁹`` is 1.2e9; a superscript after any other number (``8²``,
  perhaps a footnote mark) is refused, and digits of different characters
  (``10₉``, ``①0``, ``1٣``) are never joined into one number;
* every value lies within the bounds in ``kg/data/units.json`` ("limits":
  at most 10^15 parameters and 10,000,000 accelerators, one second to 100
  years of training, at most 15 significant digits; years in "year_range"),
  so it fits the store's 64-bit integers and decimals.
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
    max_parameters: int
    max_accelerators: int
    duration_hours: tuple[Fraction, Fraction]  # shortest and longest
    significant_digits: int


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
        hedge_re=re.compile(r"^(?P<q>" + "|".join(_phrase_pattern(h) for h in hedges) + r")\s*", re.IGNORECASE),
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
        max_parameters=int(raw["limits"]["parameters"]["max"]),
        max_accelerators=int(raw["limits"]["accelerators"]["max"]),
        duration_hours=(
            Fraction(raw["limits"]["duration_hours"]["min"]),
            Fraction(raw["limits"]["duration_hours"]["max"]),
        ),
        significant_digits=int(raw["limits"]["significant_digits"]),
    )


# ------------------------------------------------------------------ text helpers

_OUTER_PUNCT = "()[]{}.,;:!?\"'“”‘’"


#: Superscript digits, plus and minus: an exponent ("10⁹", "2¹⁰", "×10²⁴").
_SUPERSCRIPT_RUN = re.compile("[\u2070\u00b9\u00b2\u00b3\u2074-\u207b]+")
_SUPERSCRIPTS = str.maketrans(
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b", "0123456789+-"
)


def _nfkc(text: str) -> str:
    """NFKC, except that superscripts become ``^`` exponents and other number signs stay.

    NFKC turns "10⁹" into "109", "10₉" into "109" and "①0" into "10": the
    digits of different characters would run together into a wrong number.
    A superscript run is written as "^9" instead (read as a power, or
    refused), and other "other number" characters (subscripts, circled
    digits, vulgar fractions) are kept as they are, so they never read as
    digits.
    """
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    pieces, start = [], 0
    for index, char in enumerate(text):
        if unicodedata.category(char) == "No":
            pieces += [unicodedata.normalize("NFKC", text[start:index]), char]
            start = index + 1
    pieces.append(unicodedata.normalize("NFKC", text[start:]))
    return "".join(pieces)


def _clean(text: str) -> str:
    """NFKC (see :func:`_nfkc`), single spaces, no surrounding brackets or sentence punctuation."""
    text = _nfkc(text)
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
    rest = stripped[match.end() :].strip()
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
    if not match or match.lastgroup is None:
        return None
    return phrases[int(match.lastgroup[1:])]


def _phrase_end(phrase: str, text: str) -> int:
    """Where *phrase*, found at the start of *text* by :func:`_starts_with_phrase`, ends."""
    match = re.match(_phrase_pattern(phrase), text.casefold())
    assert match, f"{phrase!r} does not start {text!r}"
    return match.end()


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
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    # 1.2e9, 10^9 (or 10⁹, see _nfkc), 1.2 × 10^24
    r"(?:(?P<exp>[eE][+-]?\d+)|\^(?P<pow>[+-]?\d+)|\s*[x×·⋅*]\s*10\^(?P<sci>[+-]?\d+))?"
    # not followed by more digits ("1,0245" is no "1,024" and a 5) or a part of one
    r"(?!\d|[,.^]\d)"
)
_LARGEST_EXPONENT = 30  # keeps "1e999999999" from building a billion-digit integer
_HALF_RE = re.compile(r"\s+and\s+a\s+half(?!\w)", re.IGNORECASE)
#: "7 billion", "7billion" and, as in compound adjectives, "7-billion"
_MAGNITUDE_RE = re.compile(r"(?:\s*-\s*|\s*)(?P<word>[A-Za-z]+)(?![A-Za-z0-9])")


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
        elif tok in w.number_words and last in (None, "mult", "and") and (tok not in ("a", "an") or last is None):
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
        return _Number(value, text[_phrase_end(phrase, low) :])
    known = set(w.number_words) | set(w.tens_words) | set(w.multiplier_words) | {"and"}
    spans: list[tuple[int, int, str]] = []
    for m in re.finditer(r"[a-z]+", low):
        gap = low[spans[-1][1] : m.start()] if spans else low[: m.start()]
        if (spans and gap.strip() not in ("", "-")) or (not spans and gap):
            break
        if m.group() not in known:
            break
        spans.append((m.start(), m.end(), m.group()))
    for n in range(len(spans), 0, -1):
        read = _word_number([s[2] for s in spans[:n]])
        if read is not None:
            return _Number(read, text[spans[n - 1][1] :])
    return None


def _numeral_value(m: re.Match, text: str) -> Decimal:
    """The value of a numeral matched by _NUMERAL_RE in *text* (as written), or NotUnderstood.

    Digits are only ever joined when they are written side by side as
    digits of one script: "1٣" (Western and Arabic-Indic) is refused, and
    an exponent is a power ("10⁹" is 10^9), never more digits.
    """
    written = m.group()
    zeros = {ord(c) - unicodedata.decimal(c) for c in written if c.isdecimal()}
    if len(zeros) > 1:
        raise NotUnderstood(f"{text!r} mixes digits of different scripts")
    num = m.group("num").replace(",", "")
    significant = num.replace(".", "").lstrip("0").rstrip("0")
    limit = _words().significant_digits
    if len(significant) > limit:
        raise NotUnderstood(f"{text!r} has more than {limit} significant digits, more than any measured value")
    exponent = m.group("exp") or m.group("pow") or m.group("sci") or ""
    if len(exponent.lstrip("eE+-")) > 3:  # int() of thousands of digits is slow or refused
        raise NotUnderstood(f"{text!r} is too large or too small to be a measured value")
    if m.group("pow") is not None:
        power = int(m.group("pow"))
        if num == "10":
            value = Decimal(f"1e{power}")
        elif num == "2" and 0 <= power <= 4 * _LARGEST_EXPONENT:
            value = Decimal(2**power)
        else:
            raise NotUnderstood(
                f"{text!r} holds a power of {num} or {num} with a footnote mark; only powers of 10 "
                "and whole powers of 2 are read as numbers"
            )
    elif m.group("sci") is not None:
        value = Decimal(f"{num}e{int(m.group('sci'))}")
    else:
        try:
            value = Decimal(num + (m.group("exp") or ""))
        except InvalidOperation:
            raise NotUnderstood(f"{text!r} is not a number") from None
    if value and abs(value.adjusted()) > _LARGEST_EXPONENT:
        raise NotUnderstood(f"{text!r} is too large or too small to be a measured value")
    return value


def _take_number(text: str, allow_magnitude: bool, written: str | None = None) -> _Number | None:
    """Read a number (digits or words, optional 'and a half', optional magnitude) from the start.

    *written* is the tag's text as written, for messages.
    """
    m = _NUMERAL_RE.match(text)
    number: _Number | None
    if m:
        number = _Number(_numeral_value(m, text if written is None else written), text[m.end() :])
    else:
        number = _take_word_number(text)
        if number is None:
            return None
    half = _HALF_RE.match(number.rest)
    if half:
        with localcontext() as ctx:
            ctx.prec = 60  # exact: the value has at most 31 integer digits
            number = _Number(number.value + Decimal("0.5"), number.rest[half.end() :])
    if allow_magnitude:
        mag = _MAGNITUDE_RE.match(number.rest)
        if mag and mag.group("word").casefold() in _words().magnitudes:
            factor = _words().magnitudes[mag.group("word").casefold()]
            with localcontext() as ctx:
                ctx.prec = 60
                number = _Number(number.value * factor, number.rest[mag.end() :])
    return number


def _require_number(text: str, body: str, what: str, allow_magnitude: bool) -> _Number:
    number = _take_number(body, allow_magnitude, text)
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


def _at_most(value: int, limit: int, text: str, noun: str) -> None:
    """Refuse a count beyond the documented plausible bound (kg/data/units.json "limits")."""
    if value > limit:
        raise NotUnderstood(
            f"{text!r} is more than {limit:,} {noun}, the most mlkg records (a bound in kg/data/units.json)"
        )


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
    _at_most(value, w.max_parameters, text, "parameters")
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
        rest = rest[times.end() :]
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
    _at_most(value, w.max_accelerators, text, "accelerators")
    return ParsedInt(value, qualifier is not None, qualifier)


_UNIT_RE = re.compile(r"^\s*-?\s*(?P<unit>[A-Za-z]+)\.?(?![A-Za-z])")
_SECONDS_PER = {"D": 86400, "H": 3600, "M": 60}


def _decimal(value: Fraction, places: int = 6) -> Decimal:
    """The value rounded to `places` decimals (half even), without trailing zeros.

    Callers pass bounded values (hours of at most 100 years, seconds of a
    minute), so 60 digits of precision hold every step exactly and no
    decimal operation here can raise or round twice.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
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
    # days whatever the unit ("36 hours" is P1DT12H): the canonical form,
    # the one the store keeps and writes back, so every export agrees
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


def _year_hours() -> Fraction:
    return next(u.hours for u in _words().duration_units.values() if u.name == "year")


def _is_compute_time(body: str) -> bool:
    """True for "GPU hours", "TPU-days", "petaflop/s-days": a device word right before a time unit."""
    w = _words()
    tokens = [t for t in _tokens(body) if t != "s"]
    return any(a in w.compute_words and b in w.duration_units for a, b in zip(tokens, tokens[1:]))


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
    rest = number.rest[match.end() :]
    half = _HALF_RE.match(rest)
    if half and amount == amount.to_integral_value():
        with localcontext() as ctx:
            ctx.prec = 60  # exact: the amount has at most 31 integer digits
            amount += Decimal("0.5")
        rest = rest[half.end() :]
    rest = rest.strip(_OUTER_PUNCT + " ")
    if rest and rest.casefold() not in w.duration_trailing_words:
        raise NotUnderstood(f"{text!r} is not {what}: unexpected words {rest!r}")
    if amount <= 0:
        raise NotUnderstood(f"{text!r} is zero; a zero-length run is not a fact worth recording")
    hours = Fraction(amount) * unit.hours
    shortest, longest = w.duration_hours
    # checked on exact fractions, before any decimal arithmetic, so what
    # follows only ever sees values that fit xsd:duration and xsd:decimal
    if hours > longest:
        raise NotUnderstood(
            f"{text!r} is longer than {_fmt(longest)} hours ({_fmt(longest / _year_hours())} years), "
            "the longest training mlkg records (a bound in kg/data/units.json)"
        )
    if hours < shortest:
        raise NotUnderstood(
            f"{text!r} is shorter than {_fmt(shortest * 3600)} second(s), "
            "the shortest training mlkg records (a bound in kg/data/units.json)"
        )
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
        body = body[_phrase_end(prefix, body) :].strip()
    if not re.fullmatch(r"\d{4}", body):
        raise NotUnderstood(f"{text!r} is not {what}: expected four digits such as 2023")
    if len({ord(c) - unicodedata.decimal(c) for c in body}) > 1:
        raise NotUnderstood(f"{text!r} mixes digits of different scripts")
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


#: Words that make "N <word> hours" accelerator time: a count of devices
#: times hours. Node-hours and petaflop/s-days are other measures.
_DEVICE_TIME_WORDS = frozenset(
    "gpu gpus tpu tpus npu npus ipu ipus chip chips accelerator accelerators device devices".split()
)
#: at most this many words (a model name: "A100 GPU hours") between number and device word
_DEVICE_TIME_GAP = 3


def parse_accelerator_hours(text: str) -> ParsedDuration:
    """Read accelerator time such as "82,432 GPU hours", "1.2M GPU-hours" or "3,000 TPU-days".

    Returns the total in ``hours`` (``iso`` is empty: this is not a
    wall-clock duration); the time unit must follow a device word.
    """
    what = "an amount of accelerator time"
    w = _words()
    body, qualifier = _prepare(text, what)
    number = _require_number(text, body, what, allow_magnitude=True)
    tokens = [t for t in _tokens(number.rest) if t != "s"]
    found = None
    for index, token in enumerate(tokens[: _DEVICE_TIME_GAP + 1]):
        if token in _DEVICE_TIME_WORDS and index + 1 < len(tokens) and tokens[index + 1] in w.duration_units:
            found = index
            break
    if found is None:
        raise NotUnderstood(
            f"{text!r} is not {what}: expected a number, a device word and a time unit, as in '82,432 GPU hours'"
        )
    rest = " ".join(tokens[found + 2 :])
    if rest and rest not in w.duration_trailing_words:
        raise NotUnderstood(f"{text!r} is not {what}: unexpected words {rest!r}")
    if number.value <= 0:
        raise NotUnderstood(f"{text!r} is zero; no accelerator time to record")
    unit = w.duration_units[tokens[found + 1]]
    hours = Fraction(number.value) * unit.hours
    return ParsedDuration(
        iso="",
        hours=_decimal(hours),
        amount=number.value,
        unit=unit.name,
        approximate=qualifier is not None,
        qualifier=qualifier,
    )


# ------------------------------------------------------- training compute and tokens


@dataclass(frozen=True)
class ParsedAmount:
    """A stated amount (FLOP of training compute, training tokens), with its hedge."""

    value: Decimal
    approximate: bool = False
    qualifier: str | None = None


@lru_cache(maxsize=1)
def compute_words() -> dict:
    """kg/data/compute.json: units, patterns and assumptions of training compute."""
    return json.loads(data_text("compute.json"))


def _unit_phrase(rest: str, phrases) -> tuple[str | None, str]:
    """The longest of *phrases* that *rest* starts with (as words), and what follows it."""
    tokens = [t for t in _tokens(rest)]
    for length in range(min(len(tokens), 5), 0, -1):
        phrase = " ".join(tokens[:length])
        if phrase in phrases:
            return phrase, " ".join(tokens[length:])
    return None, " ".join(tokens)


def parse_flop(text: str) -> ParsedAmount:
    """Read a stated training compute: "3.14e23 FLOPs", "1.2 × 10^24 FLOP", "3,640 petaflop/s-days".

    Returns FLOP. A rate ("312 TFLOP/s") is not an amount of compute and is refused.
    """
    what = "an amount of training compute"
    body, qualifier = _prepare(text, what)
    number = _require_number(text, body, what, allow_magnitude=True)
    units = {k: v for k, v in compute_words()["flop_units"].items() if not k.startswith("_")}
    unit, rest = _unit_phrase(number.rest, units)
    if unit is None:
        raise NotUnderstood(f"{text!r} is not {what}: expected a number and a unit such as FLOP or petaflop/s-days")
    if rest and rest not in compute_words()["flop_trailing_words"]:
        raise NotUnderstood(f"{text!r} is not {what}: unexpected words {rest!r}")
    if number.value <= 0:
        raise NotUnderstood(f"{text!r} is zero; no training compute to record")
    with localcontext() as ctx:
        ctx.prec = 60
        value = number.value * Decimal(units[unit])
    return ParsedAmount(value, qualifier is not None, qualifier)


def parse_token_count(text: str) -> ParsedAmount:
    """Read a number of training tokens: "1.4T tokens", "2 trillion tokens", "300B training tokens"."""
    what = "a number of training tokens"
    body, qualifier = _prepare(text, what)
    number = _require_number(text, body, what, allow_magnitude=True)
    unit, rest = _unit_phrase(number.rest, set(compute_words()["token_words"]))
    if unit is None or rest:
        raise NotUnderstood(f"{text!r} is not {what}: expected a number followed by 'tokens'")
    value = _whole(number.value, text, "tokens")
    return ParsedAmount(Decimal(value), qualifier is not None, qualifier)
