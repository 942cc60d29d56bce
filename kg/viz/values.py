"""Values as a person reads them on a card: ``3.5 months (2,557 h)``, ``6.7 billion (6,700,000,000)``.

The graph keeps exact values (an xsd:duration, an integer count, a double of
FLOP); a card shows them in words a reader takes in at a glance, with the
exact figure beside the rounded one. How each property is shown is data
(``facts`` in ``kg/data/viz_style.json``). A value that cannot be read as
its kind is shown as it is written.
"""

from __future__ import annotations

import math
import re

HOURS_PER_DAY = 24
#: a mean Gregorian month and year, in days
DAYS_PER_MONTH = 365.2425 / 12
DAYS_PER_YEAR = 365.2425
#: count words by power of a thousand
SCALES = ((10**15, "quadrillion"), (10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: the xsd:duration forms mlkg writes: days and a time part (years and months are never written)
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _short(x: float) -> str:
    """One decimal at most, none when it is zero: 3.5, 27, 0.8."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _figure(x: float) -> str:
    """An exact-looking figure with separators: whole from 10 up, else one decimal."""
    return f"{round(x):,}" if abs(x) >= 10 else _short(x)


def duration_hours(text: str) -> float | None:
    """Hours in an xsd:duration of days and time (``P106DT12H41M51S``); None for any other text."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return days * HOURS_PER_DAY + hours + minutes / 60 + seconds / 3600


def readable_hours(hours: float) -> str:
    """A span in the largest unit that reads well, with the hours beside it: ``3.5 months (2,557 h)``."""
    days = hours / HOURS_PER_DAY
    if hours < 48:
        return f"{_figure(hours)} h" if hours >= 1 else f"{round(hours * 60):,} min"
    if days < 60:
        amount, unit = days, "day"
    elif days < 2 * DAYS_PER_YEAR:
        amount, unit = days / DAYS_PER_MONTH, "month"
    else:
        amount, unit = days / DAYS_PER_YEAR, "year"
    words = _short(amount)
    return f"{words} {unit}{'' if words == '1' else 's'} ({_figure(hours)} h)"


def readable_count(n: int | float) -> str:
    """A large count in words with the exact figure: ``6.7 billion (6,700,000,000)``."""
    exact = f"{round(n):,}"
    for i, (scale, word) in enumerate(SCALES):
        if abs(n) >= scale:
            if float(f"{abs(n) / scale:.3g}") >= 1000 and i:  # 999.96 billion reads as 1 trillion
                scale, word = SCALES[i - 1]
            return f"{float(f'{n / scale:.3g}'):g} {word} ({exact})"
    return exact


def readable_scientific(x: float, unit: str = "") -> str:
    """Large and tiny magnitudes in scientific notation: ``6.3 × 10²² FLOP``; others with separators."""
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        text = _figure(x)
    else:
        exponent = math.floor(math.log10(abs(x)))
        mantissa = x / 10**exponent
        if round(abs(mantissa), 2) >= 10:
            mantissa, exponent = mantissa / 10, exponent + 1
        text = f"{mantissa:.3g} × 10{str(exponent).translate(SUPERSCRIPT)}"
    return f"{text} {unit}".rstrip()


def readable_number(x: int | float, unit: str = "") -> str:
    """A figure with separators (``165,888``), decimals only for small values, and its unit."""
    text = f"{x:,}" if isinstance(x, int) else _figure(x) if abs(x) >= 10 or x.is_integer() else f"{x:.3g}"
    return f"{text} {unit}".rstrip()


def readable(value, kind: str = "", unit: str = "") -> str:
    """*value* shown as its *kind* says (``count``, ``hours``, ``duration``, ``scientific``, ``number``).

    Text, booleans and values of no known kind are shown as they are.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "duration" and isinstance(value, str):
        hours = duration_hours(value)
        return value if hours is None else readable_hours(hours)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    if kind == "count":
        return readable_count(value)
    if kind == "hours":
        return readable_hours(value)
    if kind == "scientific":
        return readable_scientific(value, unit)
    if kind == "plain":
        return str(value)
    return readable_number(value, unit)
