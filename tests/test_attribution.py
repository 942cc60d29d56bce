"""Runs, not papers: which run each fact goes to, counts with their accelerators, accelerator-hours.

The rules are in docs/attribution.md; each case here is one row of them.
The end-to-end tests build real stores and ask the bundled queries, as an
analyst would.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store
from typer.testing import CliRunner

from support import build_documents

from kg.build import build
from kg.cli import app
from kg.mapping import map_document
from kg.query import named_query, rows, run_query
from kg.reference import ReferenceWriter, label_statements
from kg.tally import Tally, chosen_names
from kg.sources import Document
from kg.store import FORMAT_FILE, KnowledgeGraph, StoreError
from kg.totals import run_totals
from kg.terms import Iris, header
from kg.vocab import PREFIXES

#: 22 excerpts of multi-model papers, mixed accelerators, TPU cores, stated
#: accelerator time and restated runs, with every run's facts worked out by
#: hand from docs/attribution.md (expected.json)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "runs"
#: the facts the rules leave unplaced in that corpus, and why
UNPLACED = {
    ("r08-unnamed-fact", "512"),
    ("r08-unnamed-fact", "TPU v5e"),
    ("r15-after-model", "128"),
    ("r15-after-model", "H100"),
    ("r16-ambiguous", "1B"),
    ("r16-ambiguous", "3B"),
    ("r19-paragraphs", "4"),
    ("r19-paragraphs", "A100"),
    ("r19-paragraphs", "12 hours"),
}


def store_of(text: str, paper_id: str = "p") -> Store:
    mapped = map_document(Document(paper_id, text, f"{paper_id}.txt"))
    writer = ReferenceWriter(Iris())
    tally = Tally()
    tally.add(mapped.paper)  # the model names, as a build of this paper alone chooses them
    reference = writer.statements(mapped.reference_keys) + label_statements(Iris(), chosen_names(tally))
    store = Store()
    store.load((header(Iris().base) + mapped.trig() + writer.block(reference)).encode(), RdfFormat.TRIG)
    return store


def runs_of(text: str) -> dict[str, dict[str, set[str]]]:
    """Model label -> {property: values} for each run of the one paper in *text*."""
    store = store_of(text)
    result = store.query(
        """SELECT ?model ?p ?v WHERE {
             ?run a mlkg:TrainingRun ; mlkg:trainedModel ?m .
             ?m rdfs:label ?model .
             { ?run ?p ?v FILTER(?p IN (mlkg:hardwareQuantity, mlkg:trainingHours, mlkg:acceleratorHours)) }
             UNION { ?run ?p ?x FILTER(?p IN (mlkg:country, mlkg:year, mlkg:hardware)) ?x rdfs:label ?v }
             UNION { ?m mlkg:parameterCount ?v BIND(mlkg:parameterCount AS ?p) }
             UNION { ?run mlkg:hardwareUsage ?u . ?u rdfs:label ?v BIND(mlkg:hardwareUsage AS ?p) }
           }""",
        use_default_graph_as_union=True,
        prefixes=PREFIXES,
    )
    found: dict[str, dict[str, set[str]]] = {}
    for row in result:
        prop = row["p"].value.rsplit("#", 1)[1]
        found.setdefault(row["model"].value, {}).setdefault(prop, set()).add(row["v"].value)
    return found


# -- which run a fact goes to -----------------------------------------------------------------

ATTRIBUTION = [
    pytest.param(
        "<model>LLaMA-7B</model> (<params>6.7B parameters</params>) and <model>LLaMA-65B</model> "
        "(<params>65.2B parameters</params>) were released.",
        {"LLaMA-7B": {"parameterCount": {"6700000000"}}, "LLaMA-65B": {"parameterCount": {"65200000000"}}},
        id="each size goes to the model written before it",
    ),
    pytest.param(
        "For <model>X</model> we used <gpu_count>1,024</gpu_count> GPUs for <training>30 days</training>; "
        "<model>Y</model> needed <gpu_count>256</gpu_count> GPUs and <training>9 days</training>.",
        {
            "X": {
                "hardwareQuantity": {"1024"},
                "trainingHours": {"720"},
                "hardwareUsage": {"1024 × accelerators"},
                "acceleratorHours": {"737280"},
            },
            "Y": {
                "hardwareQuantity": {"256"},
                "trainingHours": {"216"},
                "hardwareUsage": {"256 × accelerators"},
                "acceleratorHours": {"55296"},
            },
        },
        id="interleaved: each fact goes to the nearest model before it",
    ),
    pytest.param(
        "<model>X</model>, <model>Y</model> and <model>Z</model> have <params>350M</params>, "
        "<params>1.4B</params> and <params>6.9B</params> parameters, respectively.",
        {
            "X": {"parameterCount": {"350000000"}},
            "Y": {"parameterCount": {"1400000000"}},
            "Z": {"parameterCount": {"6900000000"}},
        },
        id="respectively pairs in order",
    ),
    pytest.param(
        "<model>X</model> and <model>Y</model> were trained on <hardware>A100</hardware> GPUs.",
        {
            "X": {"hardware": {"NVIDIA A100"}, "hardwareUsage": {"NVIDIA A100 (count not stated)"}},
            "Y": {"hardware": {"NVIDIA A100"}, "hardwareUsage": {"NVIDIA A100 (count not stated)"}},
        },
        id="a list of models shares what follows",
    ),
    pytest.param(
        "We release <model>X</model> and <model>Y</model>. Both models were trained on "
        "<gpu_count>64</gpu_count> <hardware>V100</hardware> GPUs.",
        {
            "X": {
                "hardware": {"NVIDIA Tesla V100"},
                "hardwareQuantity": {"64"},
                "hardwareUsage": {"64 × NVIDIA Tesla V100"},
            },
            "Y": {
                "hardware": {"NVIDIA Tesla V100"},
                "hardwareQuantity": {"64"},
                "hardwareUsage": {"64 × NVIDIA Tesla V100"},
            },
        },
        id="both models: every run",
    ),
    pytest.param(
        "We release <model>X</model> and <model>Y</model>. The work was done in <country>France</country> "
        "in <year>2022</year>.",
        {"X": {"country": {"France"}, "year": {"2022"}}, "Y": {"country": {"France"}, "year": {"2022"}}},
        id="country and year with no model named are the paper's",
    ),
    pytest.param(
        "We release <model>X</model> and <model>Y</model>. Training used <gpu_count>64</gpu_count> GPUs.",
        {},
        id="any other fact with no model named, in a paper with several: no run",
    ),
    pytest.param(
        "<model>X</model> and <model>Y</model> have <params>350M</params> and <params>1.4B</params> parameters.",
        {},
        id="two values after two models without respectively: no run",
    ),
    pytest.param(
        "Table 1 lists <model>GPT-3</model> (<params>175B</params>, <gpu_count>10,000</gpu_count> "
        "<hardware>V100</hardware>s) and <model>PaLM</model> (<params>540B</params>, "
        "<gpu_count>6,144</gpu_count> <hardware>TPU v4</hardware> chips).",
        {
            "GPT-3": {
                "parameterCount": {"175000000000"},
                "hardware": {"NVIDIA Tesla V100"},
                "hardwareQuantity": {"10000"},
                "hardwareUsage": {"10000 × NVIDIA Tesla V100"},
            },
            "PaLM": {
                "parameterCount": {"540000000000"},
                "hardware": {"Google TPU v4"},
                "hardwareQuantity": {"6144"},
                "hardwareUsage": {"6144 × Google TPU v4"},
            },
        },
        id="a survey's table in one sentence: each model's own parentheses",
    ),
    pytest.param(
        "Both <model>Wren-S</model> and <model>Wren-L</model> (<params>7B</params> and <params>13B</params> "
        "parameters, respectively) were trained for <training>21 days</training> in <country>Canada</country>.",
        {
            "Wren-S": {"parameterCount": {"7000000000"}, "trainingHours": {"504"}, "country": {"Canada"}},
            "Wren-L": {"parameterCount": {"13000000000"}, "trainingHours": {"504"}, "country": {"Canada"}},
        },
        id="a list with its sizes in parentheses shares the rest",
    ),
    pytest.param(
        "Our model has <params>7B</params> parameters. <model>Falcon</model> was trained in "
        "<country>UAE</country> on <gpu_count>384</gpu_count> <hardware>A100</hardware> GPUs.",
        {
            "Falcon": {
                "parameterCount": {"7000000000"},
                "country": {"United Arab Emirates"},
                "hardwareQuantity": {"384"},
                "hardware": {"NVIDIA A100"},
                "hardwareUsage": {"384 × NVIDIA A100"},
            }
        },
        id="one model: every fact is its run's, wherever written",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ATTRIBUTION)
def test_facts_go_to_the_runs_their_text_is_about(text: str, expected: dict) -> None:
    assert runs_of(text) == {model: facts for model, facts in expected.items()} | {
        model: {} for model in runs_of(text) if model not in expected and not runs_of(text)[model]
    }


def test_a_fact_no_run_can_take_is_a_warning_with_its_place() -> None:
    text = "We release <model>X</model> and <model>Y</model>.\nTraining used <gpu_count>64</gpu_count> GPUs."
    mapped = map_document(Document("p", text, "p.txt"))
    (problem,) = mapped.problems
    assert (problem.kind, problem.line, problem.column) == ("unattributed", 2, 15)
    assert "names no model" in problem.message
    assert "mlkg:warning" in mapped.turtle and "mlkg:hardwareQuantity" not in mapped.turtle


def test_each_model_gets_a_run_and_the_paper_reports_them_all() -> None:
    store = store_of("<model>A</model> and <model>B</model> and <model>a</model>.")
    runs = [
        r["run"].value
        for r in store.query(
            "SELECT ?run WHERE { ?p mlkg:reports ?run } ORDER BY ?run",
            use_default_graph_as_union=True,
            prefixes=PREFIXES,
        )
    ]
    assert runs == [Iris().paper("p") + "/run/1", Iris().paper("p") + "/run/2"]  # "a" is A


# -- hardware with its own count --------------------------------------------------------------


def test_each_count_goes_with_the_accelerator_next_to_it() -> None:
    runs = runs_of(
        "<model>M</model> used <gpu_count>8</gpu_count> <hardware>A100</hardware> and "
        "<gpu_count>16</gpu_count> <hardware>H100</hardware> GPUs for <training>10 hours</training>."
    )
    assert runs["M"]["hardwareUsage"] == {"8 × NVIDIA A100", "16 × NVIDIA H100"}
    assert runs["M"]["acceleratorHours"] == {"240"}
    assert "hardwareQuantity" not in runs["M"]  # two counts: none applies to the whole run


def test_the_same_count_of_two_accelerators_is_not_the_runs_count() -> None:
    runs = runs_of(
        "<model>M</model> used <gpu_count>8</gpu_count> <hardware>A100</hardware> and "
        "<gpu_count>8</gpu_count> <hardware>H100</hardware> GPUs for <training>2 hours</training>."
    )
    assert runs["M"]["hardwareUsage"] == {"8 × NVIDIA A100", "8 × NVIDIA H100"}
    assert "hardwareQuantity" not in runs["M"]  # 16 accelerators, not 8
    assert runs["M"]["acceleratorHours"] == {"32"}


def test_one_count_for_two_accelerators_is_the_runs_and_gives_no_hours() -> None:
    runs = runs_of(
        "<model>M</model> used <gpu_count>32</gpu_count> GPUs, <hardware>A100</hardware> and "
        "<hardware>V100</hardware>, for <training>2 hours</training>."
    )
    assert runs["M"]["hardwareQuantity"] == {"32"}
    assert runs["M"]["hardwareUsage"] == {
        "32 × accelerators",
        "NVIDIA A100 (count not stated)",
        "NVIDIA Tesla V100 (count not stated)",
    }
    assert "acceleratorHours" not in runs["M"]  # which accelerator had how many is not said


@pytest.mark.parametrize(
    ("text", "usages", "hours"),
    [
        pytest.param(
            "<model>M</model> used <gpu_count>4</gpu_count> <hardware>A100</hardware> GPUs for "
            "<training>10 hours</training>. In short: <gpu_count>4</gpu_count> GPUs, half a day.",
            {"4 × NVIDIA A100"},
            {"40"},
            id="a count said again without its accelerator is the same usage",
        ),
        pytest.param(
            "<model>M</model> used <gpu_count>four</gpu_count> GPUs for <training>10 hours</training>; "
            "they were <hardware>A100</hardware> cards, all <gpu_count>4</gpu_count> of them.",
            {"4 × NVIDIA A100"},
            {"40"},
            id="one accelerator and one count, written apart and twice",
        ),
        pytest.param(
            "<model>M</model> used <gpu_count>4</gpu_count> <hardware>A100</hardware> GPUs for "
            "<training>10 hours</training>, then <gpu_count>8</gpu_count> GPUs.",
            {"4 × NVIDIA A100", "8 × NVIDIA A100"},
            None,
            id="two different counts of the one accelerator conflict: no hours",
        ),
        pytest.param(
            "<model>M</model> used <gpu_count>4</gpu_count> <hardware>A100</hardware> and "
            "<gpu_count>2</gpu_count> <hardware>H100</hardware> GPUs for <training>10 hours</training>.",
            {"4 × NVIDIA A100", "2 × NVIDIA H100"},
            {"60"},
            id="distractor: two accelerators keep their own counts",
        ),
    ],
)
def test_a_run_with_one_accelerator_counts_it_once(text: str, usages: set[str], hours: set[str] | None) -> None:
    """A count restated without its accelerator must not become a second, anonymous usage (hours twice)."""
    runs = runs_of(text)
    assert runs["M"]["hardwareUsage"] == usages
    assert runs["M"].get("acceleratorHours") == hours


@pytest.mark.parametrize(
    ("text", "usage", "note"),
    [
        (
            "<gpu_count>512</gpu_count> <hardware>TPU v3</hardware> cores",
            "256 × Google TPU v3",
            "512 cores = 256 chips (2 cores per Google TPU v3 chip)",
        ),
        (
            "<gpu_count>512 cores</gpu_count> of <hardware>TPU v3</hardware>",
            "256 × Google TPU v3",
            "512 cores = 256 chips (2 cores per Google TPU v3 chip)",
        ),
        (
            "<gpu_count>128</gpu_count> <hardware>TPU v5e</hardware> cores",
            "128 × Google TPU v5e",
            "128 cores = 128 chips (1 cores per Google TPU v5e chip)",
        ),
        ("<gpu_count>64</gpu_count> <hardware>TPU v3</hardware> chips", "64 × Google TPU v3", None),
    ],
)
def test_tpu_cores_become_chips_and_the_mention_says_so(text: str, usage: str, note: str | None) -> None:
    store = store_of(f"<model>T5</model> trained on {text}.")
    assert runs_of(f"<model>T5</model> trained on {text}.")["T5"]["hardwareUsage"] == {usage}
    notes = [
        r["n"].value
        for r in store.query(
            "SELECT ?n WHERE { ?m mlkg:conversion ?n }", use_default_graph_as_union=True, prefixes=PREFIXES
        )
    ]
    assert notes == ([note] if note else [])
    texts = {
        r["t"].value
        for r in store.query(
            "SELECT ?t WHERE { ?m mlkg:tagName 'gpu_count' ; mlkg:mentionText ?t }",
            use_default_graph_as_union=True,
            prefixes=PREFIXES,
        )
    }
    assert texts == {text.split("<gpu_count>")[1].split("</gpu_count>")[0]}  # as written


def test_cores_of_an_odd_count_give_no_count() -> None:
    mapped = map_document(
        Document("p", "<model>T</model> on <gpu_count>5</gpu_count> <hardware>TPU v3</hardware> cores.", "p")
    )
    assert [p.kind for p in mapped.problems] == ["not_understood"]
    assert "not a whole number" in mapped.problems[0].message
    assert "usedQuantity" not in mapped.turtle


# -- accelerator-hours and hedges ------------------------------------------------------------


@pytest.mark.parametrize(
    ("tagged", "hours"),
    [
        ("82,432 GPU hours", "82432"),
        ("1.2M GPU-hours", "1200000"),
        ("3,000 TPU-days", "72000"),
        ("about 5,000 A100 GPU hours", "5000"),
    ],
)
def test_stated_accelerator_hours_are_kept(tagged: str, hours: str) -> None:
    store = store_of(f"<model>M</model> took <training>{tagged}</training>.")
    (row,) = store.query(
        "SELECT ?h ?b WHERE { ?r mlkg:acceleratorHours ?h ; mlkg:acceleratorHoursBasis ?b }",
        use_default_graph_as_union=True,
        prefixes=PREFIXES,
    )
    assert (row["h"].value, row["b"].value) == (hours, "stated")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("for approximately <training>21 days</training>.", "approximately"),
        ("for ~<training>21 days</training>.", "~"),
        ("for <training>21 days</training> or so.", "or so"),
        ("over <training>21 days</training>.", None),  # "over" outside a tag is a preposition
        ("for <training>21 days</training>.", None),
    ],
)
def test_a_hedge_next_to_a_tag_is_the_tags(text: str, qualifier: str | None) -> None:
    store = store_of(f"<model>M</model> trained {text}")
    (row,) = store.query(
        "SELECT ?a ?q WHERE { ?m mlkg:approximate ?a OPTIONAL { ?m mlkg:qualifier ?q } }",
        use_default_graph_as_union=True,
        prefixes=PREFIXES,
    )
    assert row["a"].value == ("true" if qualifier else "false")
    assert (row["q"].value if row["q"] else None) == qualifier


# -- end to end: the measurements that were wrong -----------------------------------------------

MEASURED = {
    "family": "We release <model>LLaMA-7B</model> (<params>6.7B parameters</params>) and <model>LLaMA-65B</model> "
    "(<params>65.2B parameters</params>). <model>LLaMA-7B</model> was trained on <gpu_count>8</gpu_count> "
    "<hardware>A100</hardware> GPUs; <model>LLaMA-65B</model> on <gpu_count>2048</gpu_count> "
    "<hardware>A100</hardware> GPUs. Both models were trained in <country>USA</country>.",
    "mixed": "<model>Mix</model> used <gpu_count>8</gpu_count> <hardware>A100</hardware> and "
    "<gpu_count>16</gpu_count> <hardware>H100</hardware> GPUs for <training>10 hours</training> in "
    "<country>Germany</country> in <year>2024</year>.",
    "gpu-hours": "<model>Stated</model> took <training>82,432 GPU hours</training> in <country>France</country>.",
    # one run, reported by its paper and restated by a survey: counted once
    "original": "<model>Owl-13B</model> was trained on <gpu_count>64</gpu_count> <hardware>A100</hardware> GPUs "
    "for <training>10 days</training> in <country>Canada</country> in <year>2023</year>.",
    "survey": "Surveys list <model>Owl-13B</model> as trained on <gpu_count>64</gpu_count> <hardware>A100</hardware> "
    "GPUs in <country>Canada</country> (<year>2023</year>).",
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> Path:
    out, result = build_documents(tmp_path_factory.mktemp("measured"), MEASURED)
    assert result.exit_code == 0
    return out


def query(out: Path, name: str) -> list[list[str]]:
    return rows(run_query(KnowledgeGraph(out, read_only=True), named_query(name).text))[1]


def test_a_family_of_sizes_keeps_each_size_on_its_model(measured: Path) -> None:
    sizes = {row[0]: row[1] for row in query(measured, "largest-models")}
    assert sizes["LLaMA-7B"] == "6700000000" and sizes["LLaMA-65B"] == "65200000000"


def test_mixed_accelerators_count_their_hours_once(measured: Path) -> None:
    by_country = {row[0]: Decimal(row[1]) for row in query(measured, "gpu-hours-by-country")}
    by_maker = {row[0]: (Decimal(row[2]), Decimal(row[3])) for row in query(measured, "compute-by-manufacturer")}
    assert by_country["Germany"] == 240  # 8 x 10 + 16 x 10, once
    assert by_country["France"] == 82432  # stated
    # NVIDIA: the mixed run's 24 GPUs and 240 h, the family's 8 + 2048 GPUs (no duration, no hours),
    # and the restated run's 64 GPUs for 240 h, once
    assert by_maker["NVIDIA"] == (Decimal(24 + 8 + 2048 + 64), Decimal(240 + 64 * 240))


def test_a_run_a_survey_restates_counts_once(measured: Path) -> None:
    by_country = {row[0]: (Decimal(row[1]), int(row[2])) for row in query(measured, "gpu-hours-by-country")}
    assert by_country["Canada"] == (Decimal(64 * 240), 1)
    by_pair = {(row[0], row[1]): int(row[2]) for row in query(measured, "hardware-by-country")}
    assert by_pair[("Canada", "NVIDIA A100")] == 1


def test_runs_per_year_and_hardware_by_country_count_runs(measured: Path) -> None:
    assert query(measured, "runs-per-year") == [["2023", "1"], ["2024", "1"]]
    by_country = {(row[0], row[1]): int(row[2]) for row in query(measured, "hardware-by-country")}
    assert by_country[("United States", "NVIDIA A100")] == 2  # two runs, one paper


def test_a_store_of_the_older_shape_is_refused_with_how_to_rebuild(measured: Path, tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old"
    shutil.copytree(measured, old)
    (old / FORMAT_FILE).unlink()  # as an mlkg before runs per model left it
    with pytest.raises(StoreError, match="--fresh"):
        KnowledgeGraph(old, read_only=True)
    result = CliRunner().invoke(app, ["query", "runs-per-year", "--out", str(old)])
    assert result.exit_code != 0
    assert "older mlkg" in result.output and "Traceback" not in result.output


# -- the development corpus ------------------------------------------------------------------

RUN_FACTS = """SELECT ?pid ?model ?p ?v WHERE {
  ?paper mlkg:paperId ?pid ; mlkg:reports ?run . ?run mlkg:trainedModel ?m .
  GRAPH ?paper { ?named mlkg:factValue ?m ; mlkg:mentionText ?model }
  { ?run ?p ?v FILTER(?p IN (mlkg:hardwareQuantity, mlkg:trainingHours, mlkg:acceleratorHours,
                              mlkg:acceleratorHoursBasis)) }
  UNION { ?run ?p ?x FILTER(?p IN (mlkg:country, mlkg:year)) ?x rdfs:label ?v }
  UNION { GRAPH ?paper { ?m mlkg:parameterCount ?v } BIND(mlkg:parameterCount AS ?p) }
  UNION { ?run mlkg:hardwareUsage ?u . ?u rdfs:label ?v BIND(mlkg:hardwareUsage AS ?p) }
}"""


def test_every_run_of_the_development_corpus(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build([str(FIXTURES / "corpus.jsonl")], out, jobs=1, exports=[])
    assert result.exit_code == 0
    kg = KnowledgeGraph(out, read_only=True)
    found: dict = {}
    for row in kg.query(RUN_FACTS):
        facts = found.setdefault(row["pid"].value, {}).setdefault(row["model"].value, {})
        facts.setdefault(row["p"].value.rsplit("#", 1)[1], set()).add(row["v"].value)
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    assert {pid: {m: {p: sorted(v) for p, v in f.items()} for m, f in ms.items()} for pid, ms in found.items()} == {
        pid: {m: f for m, f in ms.items() if f} for pid, ms in expected.items()
    }
    runs = {
        row["pid"].value: int(row["n"].value)
        for row in kg.query(
            "SELECT ?pid (COUNT(?run) AS ?n) WHERE { ?p mlkg:paperId ?pid ; mlkg:reports ?run } GROUP BY ?pid"
        )
    }
    assert runs == {pid: len(models) for pid, models in expected.items()}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    unplaced = set()
    for document in report["documents"]:
        for problem in document.get("problems", []):
            if problem["kind"] == "unattributed":
                unplaced.add((document["id"], problem["message"].split("'")[1]))
    assert unplaced == UNPLACED
    # a survey restating a run merges with it; a report that disagrees (r11, r26) stays a run of its own
    merged = {
        row["report"].value: row["first"].value
        for row in kg.query(
            "SELECT ?report ?first WHERE { ?o mlkg:forRun/^mlkg:reports/mlkg:paperId ?report ; "
            "mlkg:sameRunAs/^mlkg:reports/mlkg:paperId ?first }"
        )
    }
    restated = json.loads((FIXTURES / "restated.json").read_text(encoding="utf-8"))
    assert merged == {k: v for k, v in restated.items() if not k.startswith("_")}
    assert run_totals(kg)["reportCount"] - run_totals(kg)["runCount"] == len(merged)


# -- the model table -------------------------------------------------------------------------

MODEL_COLUMNS = (
    "model,otherNames,parameters,hardware,quantity,hours,acceleratorHours,country,year,papers,conflicts,"
    "trainingCompute,computeMethod"
)


@pytest.fixture(scope="module")
def runs_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "out"
    corpus = FIXTURES / "corpus.jsonl"
    extra = tmp_path_factory.mktemp("respelled") / "respelled.jsonl"
    extra.write_text(
        json.dumps({"id": "r23-respelled", "text": "<model>llama 7b</model> has <params>7B</params> parameters."})
        + "\n",
        encoding="utf-8",
    )
    assert build([str(corpus), str(extra)], out, jobs=1, exports=[]).exit_code == 0
    return out


def test_the_model_table_has_one_row_per_model_and_shows_conflicts(runs_build: Path, tmp_path: Path) -> None:
    import csv

    result = CliRunner().invoke(app, ["query", "models", "--out", str(runs_build), "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == MODEL_COLUMNS
    table = {row["model"]: row for row in csv.DictReader(lines)}
    kg = KnowledgeGraph(runs_build, read_only=True)
    assert len(table) == len(list(kg.query("SELECT DISTINCT ?m WHERE { ?m a mlkg:Model }")))
    # two papers agree on Alpha-S: its values once, no conflict
    assert (table["Alpha-S"]["quantity"], table["Alpha-S"]["papers"], table["Alpha-S"]["conflicts"]) == (
        "1024",
        "2",
        "",
    )
    # two papers disagree on Alpha-L's accelerators: both values, and the conflict named
    assert set(table["Alpha-L"]["quantity"].split(" | ")) == {"512", "256"}
    assert table["Alpha-L"]["conflicts"] == "quantity"
    # the family keeps each size on its model; a second spelling is another name, and a conflict
    assert table["LLaMA-65B"]["parameters"] == "65200000000"
    assert set(table["LLaMA-7B"]["parameters"].split(" | ")) == {"6700000000", "7000000000"}
    assert table["LLaMA-7B"]["otherNames"] == "llama 7b" and table["LLaMA-7B"]["conflicts"] == "parameters"
    assert table["Mixtral-Lab"]["hardware"].split("; ") in (
        ["NVIDIA A100", "NVIDIA H100"],
        ["NVIDIA H100", "NVIDIA A100"],
    )
    assert (table["Mixtral-Lab"]["quantity"], table["Mixtral-Lab"]["acceleratorHours"]) == ("24", "240")

    exported = tmp_path / "models.csv"
    done = CliRunner().invoke(app, ["export", "--format", "csv", "-o", str(exported), "--out", str(runs_build)])
    assert done.exit_code == 0, done.output
    assert exported.read_text(encoding="utf-8").splitlines() == lines


def test_the_model_table_gives_numbers_as_numbers(runs_build: Path) -> None:
    result = CliRunner().invoke(app, ["query", "models", "--out", str(runs_build), "--format", "json"])
    rows_ = {b["model"]["value"]: b for b in json.loads(result.stdout)["results"]["bindings"]}
    llama = rows_["LLaMA-65B"]
    assert llama["parameters"]["datatype"].endswith("#integer") and llama["quantity"]["datatype"].endswith("#integer")
    assert llama["acceleratorHours"]["datatype"].endswith("#decimal")
    assert rows_["LLaMA-7B"]["parameters"].get("datatype") is None  # two values: text
    table = CliRunner().invoke(app, ["query", "models", "--out", str(runs_build)])
    assert "65,200,000,000" in table.stdout and "1,032,192" in table.stdout
    assert " 2018 " in table.stdout  # years and four-digit counts as written


# -- one name per model ----------------------------------------------------------------------


def names_of(out: Path, model: str) -> tuple[list[str], list[str], list[str]]:
    kg = KnowledgeGraph(out, read_only=True)
    node = Iris().model(model)
    return tuple(
        sorted(row["l"].value for row in kg.query(f"SELECT ?l WHERE {{ <{node}> {p} ?l }}"))
        for p in ("rdfs:label", "skos:prefLabel", "skos:altLabel")
    )


def test_a_model_is_named_as_most_papers_write_it_ties_to_the_earliest_built(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "a", "text": "<model>zeta x</model> was trained."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    build([str(first)], out, jobs=1, exports=[])
    assert names_of(out, "zetax") == (["zeta x"], ["zeta x"], [])

    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "b", "text": "<model>Zeta-X</model> was trained."}) + "\n", encoding="utf-8")
    CliRunner().invoke(app, ["add", str(later), "--out", str(out)])
    assert names_of(out, "zetax") == (["zeta x"], ["zeta x"], ["Zeta-X"])  # one paper each: the earlier

    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "c", "text": "We reuse <model>Zeta-X</model>."}) + "\n", encoding="utf-8")
    CliRunner().invoke(app, ["add", str(more), "--out", str(out)])
    assert names_of(out, "zetax") == (["Zeta-X"], ["Zeta-X"], ["zeta x"])  # two papers to one
    table = CliRunner().invoke(app, ["query", "models", "--out", str(out), "-f", "csv"]).stdout.splitlines()
    assert table[1].startswith("Zeta-X,zeta x,")

    # a fresh build of the same papers names it the same way
    fresh = tmp_path / "fresh"
    build([str(first), str(later), str(more)], fresh, jobs=1)
    assert names_of(fresh, "zetax") == (["Zeta-X"], ["Zeta-X"], ["zeta x"])
    graph = (fresh / "graph.ttl").read_text(encoding="utf-8")
    assert graph.count('skos:prefLabel "Zeta-X"') == 1 and 'rdfs:label "zeta x"' not in graph


@pytest.mark.parametrize("spelling", ["LLaMA-65B", "llama 65b", "Llama_65B"])
def test_bind_model_takes_any_spelling(runs_build: Path, spelling: str) -> None:
    for query_name in ("models", "largest-models"):
        result = CliRunner().invoke(
            app, ["query", query_name, "--out", str(runs_build), "-f", "csv", "--bind", f"model={spelling}"]
        )
        assert result.exit_code == 0, result.output
        assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["LLaMA-65B"], query_name
