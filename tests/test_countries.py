from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from kg.countries import Country, all_countries, country_by_code, resolve_country
from kg.normalize import NotUnderstood

DATA = Path(__file__).resolve().parents[1] / "kg" / "data"
ALIASES = list(csv.DictReader((DATA / "country_aliases.csv").open(encoding="utf-8")))
COUNTRY_ROWS = list(csv.DictReader((DATA / "countries.csv").open(encoding="utf-8")))


@pytest.mark.parametrize(
    "text, iso2",
    [
        ("Germany", "DE"),
        ("the United States", "US"),
        ("The United States", "US"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("U.S.A.", "US"),
        ("us", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("the UK.", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("Great Britain", "GB"),
        ("South Korea", "KR"),
        ("Republic of Korea", "KR"),
        ("Korea", "KR"),
        ("North Korea", "KP"),
        ("the Netherlands", "NL"),
        ("Holland", "NL"),
        ("Singapore", "SG"),
        ("China", "CN"),
        ("People's Republic of China", "CN"),
        ("People’s Republic of China", "CN"),
        ("PRC", "CN"),
        ("Hong Kong", "HK"),
        ("Taiwan", "TW"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Iran", "IR"),
        ("Czech Republic", "CZ"),
        ("UAE", "AE"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Deutschland", "DE"),
        ("France", "FR"),
        ("Japan", "JP"),
        ("India", "IN"),
        ("Canada", "CA"),
        ("Switzerland", "CH"),
        ("Israel", "IL"),
        ("  Germany  ", "DE"),
        ("(Germany)", "DE"),
        ("GERMANY", "DE"),
        ("DE", "DE"),
        ("DEU", "DE"),
        ("GBR", "GB"),
        ("Kingdom of the Netherlands", "NL"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo", "CG"),
        ("Macau", "MO"),
    ],
)
def test_resolves(text, iso2):
    assert resolve_country(text).iso2 == iso2


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Atlantis", "'Atlantis' is not a known country"),
        ("", "empty"),
        ("   ", "empty"),
        ("Europe", "a region, not a country"),
        ("Asia", "a region, not a country"),
        ("the Middle East", "a region, not a country"),
        ("EU", "not a country"),
        ("worldwide", "not a single country"),
        ("in", "not a known country"),  # lowercase words are not ISO codes
        ("it", "not a known country"),
        ("deu", "not a known country"),
        ("Berlin", "not a known country"),
        ("Germany and France", "not a known country"),
    ],
)
def test_rejects(text, reason):
    with pytest.raises(NotUnderstood, match=re.escape(reason)):
        resolve_country(text)


@pytest.mark.parametrize("country", all_countries(), ids=lambda c: c.iso2)
def test_every_country_resolves_by_name_and_iso3(country):
    assert resolve_country(country.name) == country
    assert resolve_country(country.iso3) == country
    assert resolve_country(country.iso2) == country


def test_all_countries_is_every_row_of_the_catalogue():
    assert [c.iso2 for c in all_countries()] == [r["iso2"] for r in COUNTRY_ROWS]
    assert len({c.iso2 for c in all_countries()}) == len(COUNTRY_ROWS)
    assert all(re.fullmatch(r"Q\d+", c.wikidata) for c in all_countries())


@pytest.mark.parametrize("iso2, wikidata", [("DE", "Q183"), ("US", "Q30"), ("GB", "Q145"), ("SG", "Q334")])
def test_wikidata_ids(iso2, wikidata):
    assert country_by_code(iso2).wikidata == wikidata


@pytest.mark.parametrize("code, iso2", [("DE", "DE"), ("de", "DE"), (" us ", "US"), ("XX", None), ("DEU", None)])
def test_country_by_code(code, iso2):
    country = country_by_code(code)
    assert (country.iso2 if country else None) == iso2


def test_country_is_a_frozen_value():
    germany = country_by_code("DE")
    assert germany == Country("DE", "DEU", "Germany", "Q183")
    with pytest.raises(AttributeError):
        germany.name = "Prussia"


def test_alias_file_has_enough_aliases():
    assert sum(1 for row in ALIASES if row["iso2"]) >= 40


@pytest.mark.parametrize("row", ALIASES, ids=lambda r: r["alias"])
def test_every_alias_resolves_as_written(row):
    if row["iso2"]:
        assert country_by_code(row["iso2"]) is not None, f"{row['iso2']} is not in countries.csv"
        assert resolve_country(row["alias"]).iso2 == row["iso2"]
    else:
        assert row["note"], "a region row must say why it is not a country"
        with pytest.raises(NotUnderstood, match=re.escape(row["note"])):
            resolve_country(row["alias"])


@pytest.mark.parametrize(
    ("written", "iso2"),
    [
        ("Bolivia (Plurinational State of)", "BO"),
        ("Micronesia (Federated States of)", "FM"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Venezuela (Bolivarian Republic of)", "VE"),
        ("Netherlands (Kingdom of the)", "NL"),
        ("Korea (Democratic People's Republic of)", "KP"),
        ("Congo (Democratic Republic of the)", "CD"),
        ("Tanzania (United Republic of)", "TZ"),
        ("Taiwan (Province of China)", "TW"),
        ("Virgin Islands (British)", "VG"),
    ],
)
def test_names_as_the_un_writes_them(written, iso2):
    assert resolve_country(written).iso2 == iso2


def test_every_name_with_a_qualifier_reads_in_brackets_too():
    """Not one alias at a time: each "X, Y" name of the catalogue or pycountry, written "X (Y)"."""
    import pycountry

    checked = 0
    for country in all_countries():
        record = pycountry.countries.get(alpha_2=country.iso2)
        for name in {country.name, getattr(record, "name", ""), getattr(record, "official_name", "")}:
            head, comma, tail = (name or "").partition(",")
            if comma and "," not in tail:
                assert resolve_country(f"{head.strip()} ({tail.strip()})").iso2 == country.iso2, name
                checked += 1
    assert checked >= 15  # 17 with the catalogue and pycountry of today


def test_a_bracketed_qualifier_does_not_make_an_unknown_place_known():
    with pytest.raises(NotUnderstood):
        resolve_country("Atlantis (Lost City of)")
