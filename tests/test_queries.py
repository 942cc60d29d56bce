"""The bundled SPARQL questions, answered on the example build and checked
against what the example texts say (read independently with a regex)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from kg.countries import display_name, resolve_country
from kg.normalize import NotUnderstood, parse_count, parse_duration, parse_parameter_count
from kg.query import bundled_queries, named_query, rows, run_query
from kg.store import KnowledgeGraph

from support import EXAMPLES, PAPERS, build_documents

TAG = re.compile(r"<([a-z_]+)>(.*?)</\1>", re.S)


def example_texts() -> dict[str, str]:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in PAPERS.rglob("*") if p.suffix in (".txt", ".md")}
    for line in (EXAMPLES / "papers.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    return texts


def tags_of(text: str) -> dict[str, list[str]]:
    found = defaultdict(list)
    for name, value in TAG.findall(text):
        found[name].append(value)
    return found


def answer(graph, name: str) -> list[dict[str, str]]:
    names, data = rows(run_query(graph, named_query(name).text))
    return [dict(zip(names, row)) for row in data]


def test_at_least_eight_documented_queries():
    queries = bundled_queries()
    assert len(queries) >= 8
    for q in queries:
        assert q.title and q.description, q.name


@pytest.mark.parametrize("query", [q.name for q in bundled_queries()])
def test_every_bundled_query_answers_on_the_examples(example_graph, query):
    assert answer(example_graph, query), f"{query} returned no rows"


def test_runs_per_year(example_graph):
    expected = Counter()
    for text in example_texts().values():
        years = set(tags_of(text)["year"])
        for year in years:
            expected[year] += 1
    got = {row["year"]: int(row["runs"]) for row in answer(example_graph, "runs-per-year")}
    assert got == dict(expected)


def test_largest_model_is_the_trillion_parameter_one(example_graph):
    best = max(
        (parse_parameter_count(v).value, tags_of(t)["model"][0])
        for t in example_texts().values()
        for v in tags_of(t)["params"]
        if tags_of(t)["model"] and _readable(v)
    )
    top = answer(example_graph, "largest-models")[0]
    assert (int(top["parameters"]), top["model"]) == best


def _readable(value: str) -> bool:
    try:
        parse_parameter_count(value)
    except NotUnderstood:
        return False
    return True


def test_conflicting_parameter_counts(example_graph):
    got = [row for row in answer(example_graph, "conflicting-values") if row["fact"] == "parameters"]
    assert {row["paperId"] for row in got} == {"002_80ad1e266ef25220", "013_medsegformer-followup"}
    assert {int(row["value"]) for row in got} == {6_700_000_000, 6_500_000_000}
    assert {row["model"] for row in got} == {"MedSegFormer-XL"}  # the model's one name


def test_reports_that_disagree_on_settings_are_listed_as_separate_runs(example_graph):
    got = answer(example_graph, "conflicting-values")
    settings = {(row["model"], row["paperId"], row["fact"], row["value"]) for row in got if row["fact"] != "parameters"}
    # a fine-tune on 2 RTX 4090 for 6 hours is not the pretraining run on 64 A100 for 216 hours
    assert ("BioLM-1.3B", "018_biolm-pretraining", "quantity", "64") in settings
    assert ("BioLM-1.3B", "019_biolm-ner-finetune", "quantity", "2") in settings
    assert ("BioLM-1.3B", "019_biolm-ner-finetune", "hours", "6") in settings
    assert {model for model, *_ in settings} == {"BioLM-1.3B", "MedSegFormer-XL"}


def test_models_in_several_papers(example_graph):
    got = {row["model"].casefold(): row for row in answer(example_graph, "models-in-several-papers")}
    assert got["biolm-1.3b"]["papers"] == "2" and got["biolm-1.3b"]["parameterCounts"] == "1"
    assert got["medsegformer-xl"]["parameterCounts"] == "2"


def test_accelerator_hours_by_country(example_graph):
    expected = Counter()
    for text in example_texts().values():
        tags = tags_of(text)
        if tags["gpu_count"] and tags["training"] and tags["country"]:
            try:
                count = parse_count(tags["gpu_count"][0]).value
                hours = parse_duration(tags["training"][0]).hours
                country = display_name(resolve_country(tags["country"][0]))
            except NotUnderstood:
                continue
            expected[country] += count * hours
    got = {row["country"]: Decimal(row["acceleratorHours"]) for row in answer(example_graph, "gpu-hours-by-country")}
    assert got == {k: Decimal(v) for k, v in expected.items()}


def test_papers_missing_facts(example_graph):
    missing = defaultdict(set)
    for row in answer(example_graph, "papers-missing-facts"):
        missing[row["paperId"]].add(row["missing"])
    assert len(missing["023_no-tags-traffic-gnn"]) == 7
    assert missing["022_only-year-cnn-pruning"] == {
        "model",
        "parameters",
        "hardware",
        "accelerator count",
        "training duration",
        "country",
    }
    assert "002_80ad1e266ef25220" not in missing  # the fully tagged seed


def test_facts_with_source_text(example_graph, example_build):
    _, result = example_build
    got = answer(example_graph, "facts-with-source")
    assert len(got) == result.summary["facts"]
    for row in got:
        assert " ".join(row["text"].split()) in row["sentence"]


def test_unrecognized_values_are_listed_with_their_text(example_graph):
    texts = {row["text"] for row in answer(example_graph, "unrecognized-values")}
    assert {"several billion", "many", "a while", "Atlantis"} <= texts


def test_hardware_by_country_from_the_seed(example_graph):
    got = {(row["country"], row["hardware"]) for row in answer(example_graph, "hardware-by-country")}
    assert ("Singapore", "NVIDIA H100") in got
    assert ("Germany", "NVIDIA A100 80GB") in got


def test_year_filter_works_numerically(example_graph):
    result = run_query(
        example_graph,
        "SELECT (COUNT(DISTINCT ?run) AS ?n) WHERE { ?run mlkg:year/mlkg:yearValue ?y FILTER(?y >= 2023) }",
    )
    expected = sum(1 for t in example_texts().values() if any(int(y) >= 2023 for y in set(tags_of(t)["year"])))
    assert int(next(iter(result))["n"].value) == expected


def test_same_hardware_from_any_paper_is_one_node(example_graph):
    result = run_query(
        example_graph,
        """SELECT (COUNT(DISTINCT ?hw) AS ?nodes) (COUNT(DISTINCT ?run) AS ?runs) WHERE {
             ?run mlkg:hardware ?hw . ?hw rdfs:label "NVIDIA H100" }""",
    )
    row = next(iter(result))
    assert row["nodes"].value == "1" and int(row["runs"].value) >= 2


def test_from_clause_restricts_the_dataset(example_graph):
    paper = "https://w3id.org/mlkg/id/paper/002_80ad1e266ef25220"

    def count(sparql: str) -> int:
        return int(next(iter(run_query(example_graph, sparql)))["n"].value)

    one = count(f"SELECT (COUNT(*) AS ?n) FROM <{paper}> WHERE {{ ?s ?p ?o }}")
    union = count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    mine = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{paper}> {{ ?s ?p ?o }} }}")
    assert one == mine < union


# Names where one is the start of another ("FooChip" / "FooChip v2"), in both
# cases: some listing queries sort on a key they build per row, and that key
# must sort exactly as their columns do (code point by code point).
ORDERING_CASES = [
    ("a", "<model>zeta</model> on <hardware>FooChip</hardware>, <params>1B</params>."),
    ("b", "<model>alpha</model> on <hardware>FooChip v2</hardware>, <params>1B</params>."),
    ("c", "<model>Zeta</model> on <hardware>FooChip</hardware>, <params>2B</params>."),
    ("d", "<model>Net</model> on <hardware>FooChip v2</hardware>, <params>3B</params>."),
    ("e", "<model>Net-2</model> on <hardware>FooChip v2</hardware>."),
    ("f", "<model>Net</model> on <hardware>BarChip</hardware>, <params>4B</params>."),
    ("g", "<model>Net-2</model> on <hardware>BarChip</hardware>."),
    ("h", "<model>alpha</model> on <hardware>barchip</hardware>."),
    ("i", "<model>xenon</model> on <hardware>FooChip</hardware>."),
]


@pytest.fixture(scope="module")
def ordering_graph(tmp_path_factory):
    out, _ = build_documents(tmp_path_factory.mktemp("ordering"), ORDERING_CASES, validate=False)
    return KnowledgeGraph(out, read_only=True)


@pytest.mark.parametrize(
    "name, order",
    [
        ("models-by-hardware", lambda r: (r["hardware"], r["model"])),
        ("models-in-several-papers", lambda r: (-int(r["papers"]), r["model"])),
        ("conflicting-values", lambda r: (r["model"], r["paperId"], r["fact"])),
    ],
)
def test_listing_queries_come_in_their_stated_order(ordering_graph, name, order):
    got = answer(ordering_graph, name)
    assert len(got) >= 3, f"{name}: the cases should give several rows"
    assert got == sorted(got, key=order)


def test_only_model_mentions_have_a_model_as_their_value(example_graph, ordering_graph):
    # conflicting-values finds the name a paper used for a model by the
    # mention whose value is that model, without checking the fact's kind
    query = """SELECT ?property (COUNT(*) AS ?n) WHERE {
      ?mention mlkg:factValue ?m ; mlkg:factProperty ?property . ?m a mlkg:Model }
      GROUP BY ?property"""
    for graph in (example_graph, ordering_graph):
        found = {prop: int(n) for prop, n in rows(run_query(graph, query))[1]}
        assert set(found) == {"mlkg:trainedModel"} and found["mlkg:trainedModel"] > 0
