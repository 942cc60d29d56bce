from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.normalize import (
    NotUnderstood,
    ParsedDuration,
    ParsedInt,
    model_key,
    parse_count,
    parse_duration,
    parse_parameter_count,
    parse_year,
    split_qualifier,
)

UNITS = json.loads((Path(__file__).resolve().parents[1] / "kg" / "data" / "units.json").read_text("utf-8"))


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    "text, value, qualifier",
    [
        ("2.8 billion parameters", 2_800_000_000, None),
        ("6.7 billion parameters", 6_700_000_000, None),
        ("6.7B", 6_700_000_000, None),
        ("340M parameters", 340_000_000, None),
        ("1.6 trillion parameters", 1_600_000_000_000, None),
        ("66.5M", 66_500_000, None),
        ("13B-parameter", 13_000_000_000, None),
        ("7B-parameter model", 7_000_000_000, None),
        ("3-billion-parameter", 3_000_000_000, None),
        ("1.3-billion-parameter model", 1_300_000_000, None),
        ("1.5-B", 1_500_000_000, None),
        ("approximately 7 billion", 7_000_000_000, "approximately"),
        ("Approximately 7B.", 7_000_000_000, "Approximately"),
        ("175,000,000", 175_000_000, None),
        ("~7B", 7_000_000_000, "~"),
        ("≈ 7B", 7_000_000_000, "≈"),
        ("1.2e9 parameters", 1_200_000_000, None),
        ("110 million", 110_000_000, None),
        ("350K", 350_000, None),
        ("350k", 350_000, None),
        ("7B params", 7_000_000_000, None),
        ("7 bn parameters", 7_000_000_000, None),
        ("over 100 billion", 100_000_000_000, "over"),
        ("more than 100 billion parameters", 100_000_000_000, "more than"),
        ("about 1.5B trainable parameters", 1_500_000_000, "about"),
        ("(7B)", 7_000_000_000, None),
        ("seven billion", 7_000_000_000, None),
        ("1,024", 1024, None),
    ],
)
def test_parameter_counts(text, value, qualifier):
    assert parse_parameter_count(text) == ParsedInt(value, qualifier is not None, qualifier)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("several billion", "'several billion' is not a number of parameters"),
        ("billions", "not an exact amount"),
        ("many", "not an exact amount"),
        ("a few", "not an exact amount"),
        ("dozens of", "not an exact amount"),
        ("-5", "negative"),
        ("", "empty"),
        ("   ", "empty"),
        ("1.23456789123 billion", "not a whole number"),
        ("7 billion tokens", "counts tokens, not parameters"),
        ("1.2 million images", "counts images"),
        ("100k steps", "counts steps"),
        ("7B parameters and 2T tokens", "tokens"),
        ("0 parameters", "zero"),
        ("7B (estimated by us)", "unexpected words"),
        ("about", "does not start with a number"),
        ("GPT-3", "does not start with a number"),
        ("1,02 billion", "does not start with a number"),
        ("1e999999999 parameters", "too large"),
    ],
)
def test_parameter_counts_rejected(text, reason):
    with pytest.raises(NotUnderstood, match=re.escape(reason)):
        parse_parameter_count(text)


def test_not_understood_is_a_value_error():
    with pytest.raises(ValueError):
        parse_parameter_count("several billion")


# ---------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "text, value, qualifier",
    [
        ("32", 32, None),
        ("1,024", 1024, None),
        ("eight", 8, None),
        ("Eight", 8, None),
        ("twelve", 12, None),
        ("twenty-four", 24, None),
        ("twenty four", 24, None),
        ("two hundred fifty-six", 256, None),
        ("a dozen", 12, None),
        ("two dozen", 24, None),
        ("8x", 8, None),
        ("8×", 8, None),
        ("8x A100", 8, None),
        ("1024 GPUs", 1024, None),
        ("64 TPU v4 chips", 64, None),
        ("8 NVIDIA A100 GPUs", 8, None),
        ("2048 TPU v3 cores", 2048, None),
        ("a single GPU", 1, None),
        ("about 1,000 GPUs", 1000, "about"),
        ("up to 512", 512, "up to"),
        ("32.", 32, None),
    ],
)
def test_accelerator_counts(text, value, qualifier):
    assert parse_count(text) == ParsedInt(value, qualifier is not None, qualifier)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("0 GPUs", "zero"),
        ("zero", "zero"),
        ("2.5 GPUs", "not a whole number of accelerators"),
        ("4 nodes", "counts nodes, not accelerators"),
        ("16 machines", "counts machines"),
        ("1024 GPUs across 128 nodes", "nodes"),
        ("8 GPUs per node", "per"),
        ("8 x 8", "more than one number"),
        ("256 x", "unfinished"),
        ("8 A100s", "accelerator noun"),
        ("many", "not an exact amount"),
        ("several", "not an exact amount"),
        ("dozens of", "not an exact amount"),
        ("hundreds of GPUs", "not an exact amount"),
        ("-5", "negative"),
        ("", "empty"),
        ("GPUs", "does not start with a number"),
        ("1000 GPU hours", "counts hours"),
    ],
)
def test_accelerator_counts_rejected(text, reason):
    with pytest.raises(NotUnderstood, match=re.escape(reason)):
        parse_count(text)


# ------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    "text, iso, hours, amount, unit, qualifier",
    [
        ("approximately 4 weeks", "P28D", "672", "4", "week", "approximately"),
        ("4 weeks", "P28D", "672", "4", "week", None),
        ("18 days", "P18D", "432", "18", "day", None),
        # whole days are days whatever the unit: the canonical form the store keeps
        ("36 hours", "P1DT12H", "36", "36", "hour", None),
        ("36h", "P1DT12H", "36", "36", "hour", None),
        ("36 hrs", "P1DT12H", "36", "36", "hour", None),
        ("12 hours", "PT12H", "12", "12", "hour", None),
        ("1440 minutes", "P1D", "24", "1440", "minute", None),
        ("1.5 days", "P1DT12H", "36", "1.5", "day", None),
        ("1.5-day", "P1DT12H", "36", "1.5", "day", None),
        ("one week", "P7D", "168", "1", "week", None),
        ("a week", "P7D", "168", "1", "week", None),
        ("about six months", "P6M", "4382.910", "6", "month", "about"),
        ("2 months", "P2M", "1460.970", "2", "month", None),
        ("90 minutes", "PT1H30M", "1.5", "90", "minute", None),
        ("3 years", "P3Y", "26297.46", "3", "year", None),
        ("1.5 years", "P1Y6M", "13148.73", "1.5", "year", None),
        ("2.5 weeks", "P17DT12H", "420", "2.5", "week", None),
        ("1.5 months", "P45DT15H43M39S", "1095.7275", "1.5", "month", None),
        ("1.1 months", "P33DT11H32M0.6S", "803.5335", "1.1", "month", None),
        ("two and a half weeks", "P17DT12H", "420", "2.5", "week", None),
        ("a week and a half", "P10DT12H", "252", "1.5", "week", None),
        ("half a day", "PT12H", "12", "0.5", "day", None),
        ("roughly 10 days", "P10D", "240", "10", "day", "roughly"),
        ("nearly 3 weeks", "P21D", "504", "3", "week", "nearly"),
        ("0.5 hours", "PT30M", "0.5", "0.5", "hour", None),
        ("4 weeks of training", "P28D", "672", "4", "week", None),
        ("1,000 hours", "P41DT16H", "1000", "1000", "hour", None),
        ("2⁴ hours", "PT16H", "16", "16", "hour", None),
        ("100 years", "P100Y", "876582", "100", "year", None),
    ],
)
def test_durations(text, iso, hours, amount, unit, qualifier):
    expected = ParsedDuration(iso, Decimal(hours), Decimal(amount), unit, qualifier is not None, qualifier)
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("a while", "not an exact amount"),
        ("several weeks", "not an exact amount"),
        ("many days", "not an exact amount"),
        ("a few days", "not an exact amount"),
        ("1,000 GPU hours", "compute"),
        ("8 GPU-days", "compute"),
        ("20,000 TPU-hours", "compute"),
        ("3 petaflop/s-days", "compute"),
        ("4 weeks on 8 GPUs", "unexpected words"),
        ("5 fortnights", "'fortnights' is not a unit of time"),
        ("12", "no time unit"),
        ("0 days", "zero"),
        ("-3 days", "negative"),
        ("", "empty"),
        ("weeks", "does not start with a number"),
        ("1e-999999999 days", "too large or too small"),
    ],
)
def test_durations_rejected(text, reason):
    with pytest.raises(NotUnderstood, match=re.escape(reason)):
        parse_duration(text)


# xsd:duration lexical space: designators in order, a fraction only in seconds, "T" only before time parts.
_XSD_DURATION = re.compile(
    r"^-?P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


@pytest.mark.parametrize(
    "text",
    [
        "1.5 days",
        "2.5 weeks",
        "1.5 months",
        "1.1 months",
        "90 minutes",
        "0.02 minutes",
        "2.25 hours",
        "1.234 days",
        "7.3 weeks",
        "0.1 years",
        "3.7 months",
    ],
)
def test_fractional_durations_are_valid_xsd_and_match_hours(text):
    parsed = parse_duration(text)
    match = _XSD_DURATION.match(parsed.iso)
    assert match, parsed.iso
    years, months, days, hours, minutes, seconds = (Decimal(g) if g else Decimal(0) for g in match.groups())
    if years or months:
        return  # calendar units: hours use the mean month/year, checked in test_durations
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    assert abs(total - parsed.hours * 3600) < Decimal("0.01")


def test_minutes_that_are_not_whole_hours_round_to_six_places():
    assert parse_duration("1 minute").hours == Decimal("0.016667")


# ----------------------------------------------------------------------- years


@pytest.mark.parametrize(
    "text, value, qualifier",
    [
        ("2023", 2023, None),
        ("in 2023", 2023, None),
        ("2023.", 2023, None),
        ("(2019)", 2019, None),
        ("during 2021", 2021, None),
        ("1940", 1940, None),
        ("2100", 2100, None),
        ("circa 2020", 2020, "circa"),
    ],
)
def test_years(text, value, qualifier):
    assert parse_year(text) == ParsedInt(value, qualifier is not None, qualifier)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("1939", "outside"),
        ("2101", "outside"),
        ("'23", "four digits"),
        ("2023a", "four digits"),
        ("2022-2023", "four digits"),
        ("20230", "four digits"),
        ("last year", "four digits"),
        ("", "empty"),
    ],
)
def test_years_rejected(text, reason):
    with pytest.raises(NotUnderstood, match=re.escape(reason)):
        parse_year(text)


# ------------------------------------------------------------------ model keys


@pytest.mark.parametrize(
    "names",
    [
        ("Llama 2 70B", "llama-2-70b", "LLaMA 2 70 B", "llama_2_70b", "Llama‑2‑70B"),
        ("GPT-3", "gpt3", "GPT 3", "ＧＰＴ-3"),
        ("BERT-Large", "bert large", "BERTlarge"),
    ],
)
def test_model_key_merges_spellings(names):
    assert len({model_key(n) for n in names}) == 1


@pytest.mark.parametrize(
    "name, key",
    [
        ("ViT-L/16", "vitl/16"),
        ("Llama 2 70B", "llama270b"),
        ("T5-XXL (11B)", "t5xxl(11b)"),
        ("---", "---"),
    ],
)
def test_model_key_values(name, key):
    assert model_key(name) == key


@pytest.mark.parametrize("a, b", [("ViT-L/16", "ViT-L/14"), ("GPT-3", "GPT-J"), ("Llama 2 7B", "Llama 2 70B")])
def test_model_key_keeps_different_models_apart(a, b):
    assert model_key(a) != model_key(b)


def test_blank_model_name_has_no_key():
    with pytest.raises(NotUnderstood):
        model_key("  ")


# --------------------------------------------------------------- qualifiers


@pytest.mark.parametrize(
    "text, rest, qualifier",
    [
        ("approximately 4 weeks", "4 weeks", "approximately"),
        ("About 7B", "7B", "About"),
        ("~7B", "7B", "~"),
        ("more than 100 billion", "100 billion", "more than"),
        ("just over 2 weeks", "2 weeks", "just over"),
        ("approx. 7B", "7B", "approx."),
        ("4 weeks", "4 weeks", None),
        ("overall 7B", "overall 7B", None),
        ("about", "about", None),
    ],
)
def test_split_qualifier(text, rest, qualifier):
    assert split_qualifier(text) == (rest, qualifier)


@pytest.mark.parametrize("hedge", UNITS["hedges"])
def test_every_hedge_in_the_data_file_is_recognised(hedge):
    assert split_qualifier(f"{hedge} 7B") == ("7B", hedge)
    assert parse_parameter_count(f"{hedge} 7B").approximate


@pytest.mark.parametrize("unit, spec", UNITS["duration_units"].items())
def test_every_duration_alias_reads_as_its_unit(unit, spec):
    for alias in spec["aliases"]:
        assert parse_duration(f"3 {alias}").unit == unit


# ------------------------------------- superscripts, other number signs, bounds
# (issue 21: "10⁹" read as 109, "8²" GPUs as 82, 1e30 GPUs accepted)

LIMITS = UNITS["limits"]


@pytest.mark.parametrize(
    "parse, text, value",
    [
        (parse_parameter_count, "10⁹ parameters", 10**9),
        (parse_parameter_count, "10¹²", 10**12),
        (parse_parameter_count, "2¹⁰", 1024),
        (parse_parameter_count, "1.2 × 10⁹ parameters", 1_200_000_000),
        (parse_parameter_count, "1.2×10⁹", 1_200_000_000),
        (parse_parameter_count, "1.2 x 10^9", 1_200_000_000),
        (parse_parameter_count, "10^9 parameters", 10**9),
        (parse_parameter_count, "1,000,000,000,000,000", LIMITS["parameters"]["max"]),
        (parse_parameter_count, "1000T", LIMITS["parameters"]["max"]),
        (parse_count, "2¹⁰ GPUs", 1024),
        (parse_count, "10³", 1000),
        (parse_count, "10,000,000", LIMITS["accelerators"]["max"]),
        (parse_count, "٣٢", 32),  # Arabic-Indic digits
        (parse_count, "３２", 32),  # fullwidth digits
        (parse_year, "٢٠٢٣", 2023),
    ],
)
def test_exponents_and_other_digits_are_read_as_written(parse, text, value):
    assert parse(text).value == value


@pytest.mark.parametrize(
    "parse, text, reason",
    [
        # never more digits: a superscript is a power, or refused
        (parse_count, "8²", "'8²' holds a power of 8 or 8 with a footnote mark"),
        (parse_count, "8² GPUs", "power of 8"),
        (parse_parameter_count, "7¹ parameters", "power of 7"),
        (parse_count, "2⁻³", "power of 2"),
        (parse_parameter_count, "10₉ parameters", "unexpected words"),  # a subscript is no digit
        (parse_count, "①0 GPUs", "does not start with a number"),
        (parse_duration, "3½ days", "no time unit"),
        (parse_count, "1٣ GPUs", "mixes digits of different scripts"),
        (parse_year, "2٠23", "mixes digits of different scripts"),
        (parse_year, "20²³", "four digits"),
        (parse_count, "10^-3 GPUs", "not a whole number"),
        (parse_count, "1,0245 GPUs", "does not start with a number"),  # not 1,024 and a 5
        # documented bounds (kg/data/units.json "limits")
        (parse_parameter_count, "10000000000000000000 parameters", "is more than 1,000,000,000,000,000 parameters"),
        (parse_parameter_count, "1.2 × 10²⁴ parameters", "more than 1,000,000,000,000,000 parameters"),
        (parse_parameter_count, "1001T", "more than 1,000,000,000,000,000 parameters"),
        (parse_count, "1e30 GPUs", "is more than 10,000,000 accelerators"),
        (parse_count, "10,000,001", "more than 10,000,000 accelerators"),
        (parse_duration, "1e30 years", "is longer than 876582 hours (100 years)"),
        (parse_duration, "101 years", "longer than 876582 hours"),
        (parse_duration, "876583 hours", "longer than 876582 hours"),
        (parse_duration, "0.01 minutes", "is shorter than 1 second(s)"),
        (parse_duration, "1e-20 hours", "shorter than 1 second"),
        (parse_duration, "1.0000000000000001 hours", "more than 15 significant digits"),
        (parse_parameter_count, "1e9999 parameters", "too large or too small"),
        (parse_count, "1" + "0" * 5000, "too large or too small"),
        (parse_count, "10^99999", "too large or too small"),
    ],
)
def test_exponents_and_out_of_bounds_values_are_refused(parse, text, reason):
    with pytest.raises(NotUnderstood, match=re.escape(reason)):
        parse(text)


def test_every_bound_is_in_the_data_file_and_fits_the_store():
    assert LIMITS["parameters"]["max"] < 2**63 and LIMITS["accelerators"]["max"] < 2**63  # xsd:long
    assert parse_duration("100 years").hours == Decimal(LIMITS["duration_hours"]["max"])
    low, high = UNITS["year_range"]
    assert parse_year(str(low)).value == low and parse_year(str(high)).value == high


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**6), st.integers(0, 40))
def test_a_superscript_is_a_power_or_refused_never_more_digits(base, power):
    text = f"{base}{str(power).translate(_SUPERSCRIPT)}"
    for parse in (parse_parameter_count, parse_count):
        try:
            value = parse(text).value
        except NotUnderstood:
            continue
        assert value == base**power, text


# Text the parsers may meet: digits of several kinds, superscripts, magnitudes, units, noise.
_PIECES = st.sampled_from(
    [
        "1",
        "0",
        "9",
        "10",
        "2",
        ".",
        ",",
        "e",
        "E",
        "-",
        "+",
        "^",
        "x",
        "×",
        " ",
        "⁹",
        "²",
        "¹⁰",
        "⁻",
        "₉",
        "½",
        "٣",
        "３",
        "①",
        "B",
        "M",
        "T",
        "k",
        "billion",
        "hundred",
        "and a half",
        "hours",
        "days",
        "years",
        "months",
        "minutes",
        "weeks",
        "GPUs",
        "params",
        "approximately",
        "~",
        "in",
        "\x0c",
        "\u00a0",
    ]
)
_SOUP = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(_SOUP)
def test_parsers_return_a_bounded_value_or_a_reason_and_nothing_else(text):
    """No other exception, and every value fits the store and its documented bound."""
    from kg import terms

    for parse, limit in (
        (parse_parameter_count, LIMITS["parameters"]["max"]),
        (parse_count, LIMITS["accelerators"]["max"]),
    ):
        try:
            assert 1 <= parse(text).value <= limit
        except NotUnderstood:
            pass
    try:
        parsed = parse_duration(text)
    except NotUnderstood:
        pass
    else:
        assert _XSD_DURATION.match(parsed.iso), parsed.iso
        assert Decimal(0) < parsed.hours <= Decimal(LIMITS["duration_hours"]["max"])
        terms.decimal(parsed.hours)  # writing it cannot raise either
    try:
        low, high = UNITS["year_range"]
        assert low <= parse_year(text).value <= high
    except NotUnderstood:
        pass
