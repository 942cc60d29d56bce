"""Resolve the text of a <country> tag to an ISO 3166-1 country.

A name is accepted when it matches, after folding (NFKC, casefold, surrounding
punctuation and a leading "the" dropped, dots removed so "U.S." reads "us"):

* the country's name in ``kg/data/countries.csv``, or pycountry's ``name``,
  ``official_name`` and ``common_name``, each also turned round at its comma
  ("Korea, Republic of" -> "Republic of Korea") and with the part after the
  comma in brackets, as the UN writes it ("Korea (Republic of)");
* a name with a bracketed qualifier, read turned round
  ("Bolivia (Plurinational State of)" -> "Plurinational State of Bolivia");
* an alias in ``kg/data/country_aliases.csv`` (columns ``alias,iso2,note``).
  Rows with an empty ``iso2`` name regions such as "Europe"; they are rejected
  with the reason in ``note`` rather than reported as unknown.

ISO alpha-2 and alpha-3 codes match only as the whole text and only when
written in capitals, so running words such as "in" or "it" are never taken
for India or Italy. Accents are optional ("Turkiye", "Cote d'Ivoire").
Anything else raises ``NotUnderstood``: an unknown place is never guessed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kg.normalize import NotUnderstood, data_text

__all__ = ["Country", "all_countries", "country_by_code", "resolve_country"]


@dataclass(frozen=True)
class Country:
    """One row of kg/data/countries.csv; ``wikidata`` is an item id such as "Q183"."""

    iso2: str
    iso3: str
    name: str
    wikidata: str


@dataclass(frozen=True)
class _Index:
    names: dict[str, str]  # folded name -> iso2
    regions: dict[str, str]  # folded name -> reason it is not a country
    ambiguous: frozenset[str]  # folded names that point at more than one country


_STRIP = " \t\r\n.,;:!?()[]{}\"'«»“”‘’"


def _fold(text: str) -> str:
    """Comparable form of a place name: "  The U.S. " -> "us"."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = " ".join(text.casefold().split()).strip(_STRIP)
    if text.startswith("the "):
        text = text[4:]
    text = text.replace(".", "").replace(" & ", " and ")
    return " ".join(text.split()).strip(_STRIP)


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _keys(name: str) -> tuple[str, ...]:
    """The folded name, then the same without accents (when different)."""
    folded = _fold(name)
    plain = _unaccented(folded)
    return tuple(dict.fromkeys(k for k in (folded, plain) if k))


def _turned_round(name: str) -> str | None:
    """ "Korea, Republic of" -> "Republic of Korea"; names without one comma give None."""
    head, sep, tail = name.partition(",")
    if not sep or "," in tail:
        return None
    return f"{tail.strip()} {head.strip()}"


def _bracketed(name: str) -> str | None:
    """ "Korea, Republic of" -> "Korea (Republic of)", as the UN writes such names."""
    head, sep, tail = name.partition(",")
    if not sep or "," in tail:
        return None
    return f"{head.strip()} ({tail.strip()})"


_QUALIFIED = re.compile(r"^\s*([^()]+?)\s*\(([^()]+)\)\s*$")


def _unbracketed(text: str) -> str | None:
    """ "Bolivia (Plurinational State of)" -> "Plurinational State of Bolivia"; else None."""
    match = _QUALIFIED.match(text)
    return f"{match.group(2)} {match.group(1)}" if match else None


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data_text(name))))


@lru_cache(maxsize=1)
def all_countries() -> tuple[Country, ...]:
    """Every country in kg/data/countries.csv, in file order."""
    return tuple(
        Country(r["iso2"].strip(), r["iso3"].strip(), r["name"].strip(), r["wikidata"].strip())
        for r in _rows("countries.csv")
    )


@lru_cache(maxsize=1)
def _by_iso2() -> dict[str, Country]:
    return {country.iso2: country for country in all_countries()}


@lru_cache(maxsize=1)
def _by_iso3() -> dict[str, Country]:
    return {country.iso3: country for country in all_countries()}


def country_by_code(iso2: str) -> Country | None:
    """The country with this alpha-2 code (any case), or None."""
    return _by_iso2().get(iso2.strip().upper())


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Names from the catalogue and pycountry, then the hand-written aliases on top.

    Catalogue names that would point at two countries are kept out and
    reported as ambiguous; an alias is a deliberate choice and wins.
    """
    names: dict[str, str] = {}
    ambiguous: set[str] = set()

    def add(name: str | None, iso2: str) -> None:
        if not name:
            return
        for key in _keys(name):
            if key in ambiguous:
                continue
            if names.setdefault(key, iso2) != iso2:
                del names[key]
                ambiguous.add(key)

    for country in all_countries():
        record = pycountry.countries.get(alpha_2=country.iso2)
        for name in (country.name, *(getattr(record, a, None) for a in ("name", "official_name", "common_name"))):
            if name:
                add(name, country.iso2)
                add(_turned_round(name), country.iso2)
                add(_bracketed(name), country.iso2)

    regions: dict[str, str] = {}
    for row in _rows("country_aliases.csv"):
        iso2 = (row.get("iso2") or "").strip()
        for key in _keys(row["alias"]):
            if iso2:
                names[key] = iso2
                ambiguous.discard(key)
            else:
                regions[key] = (row.get("note") or "").strip() or "not a country"
    return _Index(names, regions, frozenset(ambiguous))


def resolve_country(text: str) -> Country:
    """The country a <country> tag names, or NotUnderstood with the reason."""
    if not isinstance(text, str) or not text.strip(_STRIP):
        raise NotUnderstood("empty text is not a country")
    code = unicodedata.normalize("NFKC", text).strip(_STRIP).replace(".", "")
    if code.isascii() and code.isalpha() and code.isupper() and len(code) in (2, 3):
        country = _by_iso2().get(code) if len(code) == 2 else _by_iso3().get(code)
        if country is not None:
            return country
    index = _index()
    # "Bolivia (Plurinational State of)": the UN's qualifier in brackets, read turned round too
    turned = _unbracketed(text)
    for key in (*_keys(text), *(_keys(turned) if turned else ())):
        if key in index.names:
            country = country_by_code(index.names[key])
            if country is not None:
                return country
    for key in _keys(text):
        if key in index.regions:
            raise NotUnderstood(f"{text!r} is {index.regions[key]}")
        if key in index.ambiguous:
            raise NotUnderstood(f"{text!r} could name more than one country")
    raise NotUnderstood(f"{text!r} is not a known country")


def display_name(country: Country) -> str:
    """The short English name people use ("South Korea", not "Korea, Republic of")."""
    record = pycountry.countries.get(alpha_2=country.iso2)
    if record is None:
        return country.name
    return getattr(record, "common_name", None) or record.name
