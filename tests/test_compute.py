"""Training compute (kg/compute.py, docs/compute.md): stated, or estimated by a documented method.

Parsing and the estimates are pure and checked as tables; the graph and
the bundled queries are checked on real builds through the CLI.
"""

from __future__ import annotations

import csv
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from support import build_documents

from kg.cli import app
from kg.compute import (
    HARDWARE,
    PARAMETER_TOKEN,
    STATED,
    Inputs,
    Usage,
    estimates,
    find_stated,
    is_language_model,
    numerical_format,
)
from kg.hardware import load_catalogue
from kg.normalize import NotUnderstood, parse_flop, parse_token_count
from kg.store import KnowledgeGraph

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "compute"
PF_DAY = Decimal("8.64e19")


# -- reading stated figures -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flop"),
    [
        ("3.14e23 FLOPs", Decimal("3.14e23")),
        ("3.14E+23 FLOP", Decimal("3.14e23")),
        ("1.2 × 10^24 FLOP", Decimal("1.2e24")),
        ("1.2 x 10^24 FLOPs", Decimal("1.2e24")),
        ("1.2×10²⁴ FLOPs", Decimal("1.2e24")),
        ("10^24 FLOP", Decimal("1e24")),
        ("1e23 floating point operations", Decimal("1e23")),
        ("3,640 petaflop/s-days", 3640 * PF_DAY),
        ("3640 PF-days", 3640 * PF_DAY),
        ("12 pfs-days", 12 * PF_DAY),
        ("2.5 zettaFLOPs", Decimal("2.5e21")),
        ("approximately 5.76e23 FLOPs of compute", Decimal("5.76e23")),
    ],
)
def test_stated_compute_is_read_in_flop(text: str, flop: Decimal) -> None:
    assert parse_flop(text).value == flop


@pytest.mark.parametrize("text", ["312 TFLOP/s", "3e23", "21 days", "many FLOPs", "0 FLOP", "1e23 FLOPs per token"])
def test_what_is_not_an_amount_of_compute_is_refused(text: str) -> None:
    with pytest.raises(NotUnderstood):
        parse_flop(text)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("1.4T tokens", 1_400_000_000_000),
        ("2 trillion tokens", 2_000_000_000_000),
        ("300B training tokens", 300_000_000_000),
        ("about 780 billion tokens", 780_000_000_000),
    ],
)
def test_token_counts_are_read(text: str, tokens: int) -> None:
    assert parse_token_count(text).value == tokens


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The model was trained on 1.4T tokens.", [("tokens", "1.4T tokens")]),
        ("We pre-trained it for 300B tokens with AdamW.", [("tokens", "300B tokens")]),
        ("Pretraining used 2 trillion training tokens.", [("tokens", "2 trillion training tokens")]),
        ("Training took 3.14e23 FLOPs in total.", [("compute", "3.14e23 FLOPs")]),
        ("It needed about 3,640 petaflop/s-days.", [("compute", "about 3,640 petaflop/s-days")]),
        # distractors: not training tokens, not an amount of compute
        ("We use a batch size of 4M tokens and a context of 2,048 tokens.", []),
        ("The vocabulary has 32,000 tokens.", []),
        ("An A100 delivers 312 TFLOPs of peak throughput per second.", []),
        # a cost per image or token, at inference, or too small for any training run
        ("ResNet-50 requires 3.8 × 10^9 FLOPs per image.", []),
        ("Inference costs 4.1e9 FLOPs per forward pass.", []),
        ("Each token needs 2.8e11 FLOPs at inference.", []),
        ("The model has 1.2e12 FLOPs/token.", []),
        ("A forward pass is 5e14 FLOPs.", []),
        ("Each step processes 1M tokens.", []),
        ("We trained on a corpus of 2 trillion tokens.", [("tokens", "2 trillion tokens")]),
        ("The training dataset contains 300B tokens.", [("tokens", "300B tokens")]),
        # fewer than 10^8 tokens is a context, sequence or batch, even after a training verb
        ("Models are trained with 2048 tokens of context.", []),
        ("During training on 512 tokens per sequence, loss fell.", []),
        ("It was trained with a batch size of 4M tokens.", []),
    ],
)
def test_stated_figures_are_found_in_untagged_text(text: str, found: list) -> None:
    assert [(f.kind, text[f.start : f.end]) for f in find_stated(text, [])] == found


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("Training took 1e24 FLOPS.", "1e24 FLOPS"),
        ("Training took 2e22 flop.", "2e22 flop"),
        ("Training took 5e23 floating point operations.", "5e23 floating point operations"),
        ("Training took 5e23 floating-point operations.", "5e23 floating-point operations"),
        ("Training took 100 pflops-days.", "100 pflops-days"),
        ("Training took 2,000 PF-days.", "2,000 PF-days"),
        ("Training took 30 pfs-days.", "30 pfs-days"),
        ("Training took 5 exaflops.", "5 exaflops"),
        ("Training took 1 zettaflop.", "1 zettaflop"),
        ("The model was trained on 300B Tokens.", "300B Tokens"),
    ],
)
def test_every_spelling_of_a_figure_is_found(text: str, figure: str) -> None:
    """A pattern is skipped for a text without any of its words (compute.json): no spelling may lack them."""
    assert [text[f.start : f.end] for f in find_stated(text, [])] == [figure]


def test_a_tagged_figure_is_not_found_twice() -> None:
    text = "It took 3.14e23 FLOPs."
    start = text.index("3.14")
    assert find_stated(text, [(start, start + len("3.14e23 FLOPs"))]) == []


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("trained in bfloat16", "FP16"),
        ("with mixed precision", "FP16"),
        ("in FP32", "FP32"),
        ("single-precision arithmetic", "FP32"),
        ("TF32 matmuls", "TF32"),
        ("FP8 training", "FP8"),
        ("FP16 activations and FP32 master weights", None),
        ("no format named", None),
    ],
)
def test_the_numerical_format_named_in_the_text(text: str, fmt: str | None) -> None:
    assert numerical_format(text) == fmt


@pytest.mark.parametrize(
    ("name", "tokens", "language"),
    [
        ("LLaMA-65B", False, True),
        ("GPT-3", False, True),
        ("Pythia-1.4B", False, True),
        ("ResNet-50", False, False),
        ("ViT-L/16", False, False),
        ("ViT-L/16", True, True),
    ],
)
def test_which_runs_are_taken_for_language_models(name: str, tokens: bool, language: bool) -> None:
    assert is_language_model(name, tokens) is language


# -- the estimates --------------------------------------------------------------------

A100, H100, UNKNOWN_PEAK = (load_catalogue().get(i) for i in ("nvidia-a100", "nvidia-h100", "cerebras-wse-2"))


def test_the_hardware_method_sums_accelerator_hours_times_peak_and_utilization() -> None:
    inputs = Inputs(usages=[Usage("u1", A100, Decimal(80)), Usage("u2", H100, Decimal(160))], language_model=True)
    (estimate,) = estimates(inputs)
    at_peak = Decimal(80) * 3600 * Decimal("3.12e14") + Decimal(160) * 3600 * Decimal("9.894e14")
    assert estimate.method == HARDWARE and estimate.numerical_format == "FP16"
    assert (estimate.flop, estimate.utilization) == (at_peak * Decimal("0.3"), Decimal("0.3"))
    assert (estimate.low, estimate.high) == (at_peak * Decimal("0.2"), at_peak * Decimal("0.5"))
    assert estimate.used == ("u1", "u2")


def test_the_stated_numerical_format_picks_its_peak_and_others_get_their_own_utilization() -> None:
    inputs = Inputs(usages=[Usage("u", A100, Decimal(10))], numerical_format="FP32")
    (estimate,) = estimates(inputs)
    assert estimate.numerical_format == "FP32" and estimate.peaks == (A100.fp32_flops,)
    assert estimate.flop == Decimal(10) * 3600 * Decimal(repr(A100.fp32_flops)) * Decimal("0.4")


def test_a_utilization_set_by_the_user_is_used_and_stated() -> None:
    (estimate,) = estimates(Inputs(usages=[Usage("u", A100, Decimal(10))], utilization=Decimal("0.5")))
    assert estimate.utilization == Decimal("0.5")


@pytest.mark.parametrize(
    "inputs",
    [
        Inputs(usages=[Usage("u", A100, None)]),  # no duration: no accelerator-hours
        Inputs(usages=[Usage("u", None, Decimal(10))]),  # an accelerator not in the catalogue
        Inputs(usages=[Usage("u", UNKNOWN_PEAK, Decimal(10))]),  # no peak known
        Inputs(usages=[Usage("u", A100, Decimal(10)), Usage("v", A100, None)]),  # one usage without hours
        Inputs(parameters=[(7_000_000_000, "p")]),  # no tokens
        Inputs(tokens=[(Decimal(10**12), "t")]),  # no parameters
        Inputs(parameters=[(7, "p"), (8, "q")], tokens=[(Decimal(10), "t")]),  # two sizes: which one?
        Inputs(stated=[(Decimal("1e23"), "a"), (Decimal("2e23"), "b")]),  # two stated figures
    ],
)
def test_a_run_missing_an_input_gets_no_estimate_by_that_method(inputs: Inputs) -> None:
    assert estimates(inputs) == []


@pytest.mark.parametrize(
    ("stated", "figure"),
    [
        ([("3.14e23", "a"), (str(3640 * PF_DAY), "b")], "3.14e23"),  # one figure in two units
        ([("3.14e23", "a"), ("3.14e23", "b")], "3.14e23"),
        ([("3.14e23", "a"), ("3.3e23", "b")], None),  # 5 % apart: two figures, neither taken
        ([("1e23", "a"), ("2e23", "b")], None),
    ],
)
def test_the_same_figure_in_two_units_is_one_stated_figure(stated: list, figure: str | None) -> None:
    found = estimates(Inputs(stated=[(Decimal(v), n) for v, n in stated]))
    assert [(e.method, e.flop, e.used) for e in found] == ([(STATED, Decimal(figure), ("a", "b"))] if figure else [])


def test_the_headline_is_stated_then_parameters_times_tokens_then_hardware() -> None:
    inputs = Inputs(
        stated=[(Decimal("3.14e23"), "s")],
        parameters=[(175_000_000_000, "p")],
        tokens=[(Decimal(300_000_000_000), "t")],
        usages=[Usage("u", A100, Decimal(1000))],
    )
    found = estimates(inputs)
    assert [e.method for e in found] == [STATED, PARAMETER_TOKEN, HARDWARE]
    assert found[1].flop == 6 * Decimal(175_000_000_000) * 300_000_000_000 and found[1].used == ("p", "t")
    assert [
        e.method for e in estimates(Inputs(usages=inputs.usages, parameters=inputs.parameters, tokens=inputs.tokens))
    ] == [PARAMETER_TOKEN, HARDWARE]


# -- in the graph ---------------------------------------------------------------------

PAPERS = {
    "stated": "<model>GPT-3</model> (<params>175B</params>) needed <training>3.14e23 FLOPs</training>; it was "
    "trained on 300 billion tokens in <year>2020</year>.",
    "hardware": "<model>Owl-7B</model> was trained on <gpu_count>64</gpu_count> <hardware>A100</hardware> GPUs for "
    "<training>10 days</training> in bfloat16 in <country>Canada</country> in <year>2023</year>.",
    "mixed": "<model>Mix-Vision</model> used <gpu_count>8</gpu_count> <hardware>A100</hardware> and "
    "<gpu_count>16</gpu_count> <hardware>H100</hardware> GPUs for <training>10 hours</training> in "
    "<country>Germany</country> in <year>2023</year>.",
    "missing": "<model>Sparse-Net</model> was trained on <hardware>A100</hardware> GPUs in <year>2023</year>.",
    "two-models": "<model>Tern-S</model> and <model>Tern-L</model> have <params>1B</params> and <params>7B</params> "
    "parameters, respectively. Tern-L was trained on 2T tokens; <model>Tern-L</model> needed 8.4e22 FLOPs.",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out, result = build_documents(tmp_path_factory.mktemp("compute"), PAPERS)
    assert result.exit_code == 0 and result.validation["conforms"], result.validation
    return out


def table(out: Path, name: str) -> list[dict]:
    result = CliRunner().invoke(app, ["query", name, "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(result.stdout.splitlines()))


def test_each_run_has_its_headline_compute_and_method(built: Path) -> None:
    models = {row["model"]: row for row in table(built, "models")}
    assert float(models["GPT-3"]["trainingCompute"]) == 3.14e23
    assert models["GPT-3"]["computeMethod"] == "StatedCompute"
    owl = 64 * 240 * 3600 * 3.12e14 * 0.4  # no language model's word in "Owl-7B", no tokens: 0.4 of the FP16 peak
    assert math.isclose(float(models["Owl-7B"]["trainingCompute"]), owl)
    assert models["Owl-7B"]["computeMethod"] == "HardwareMethod"
    mixed = (8 * 10 * 3.12e14 + 16 * 10 * 9.894e14) * 3600 * 0.4
    assert math.isclose(float(models["Mix-Vision"]["trainingCompute"]), mixed)
    # a fact found untagged goes to the run its sentence names
    assert float(models["Tern-L"]["trainingCompute"]) == 8.4e22
    assert models["Tern-S"]["trainingCompute"] == "" and models["Sparse-Net"]["trainingCompute"] == ""


def test_every_estimate_has_its_method_its_inputs_and_its_bounds(built: Path) -> None:
    kg = KnowledgeGraph(built, read_only=True)
    rows = list(
        kg.query("""
        SELECT ?e ?method ?flop ?low ?high ?used WHERE {
          ?run mlkg:computeEstimate ?e . ?e mlkg:estimationMethod ?method ; mlkg:flop ?flop .
          OPTIONAL { ?e mlkg:flopLow ?low ; mlkg:flopHigh ?high }
          OPTIONAL { ?e <http://www.w3.org/ns/prov#used> ?used }
        }""")
    )
    assert rows and all(row["used"] is not None for row in rows)
    for row in rows:
        if row["method"].value.endswith("HardwareMethod"):
            assert float(row["low"].value) < float(row["flop"].value) < float(row["high"].value)
    no_method = list(
        kg.query("SELECT ?e WHERE { ?e a mlkg:ComputeEstimate FILTER NOT EXISTS { ?e mlkg:estimationMethod ?m } }")
    )
    assert no_method == []
    # GPT-3: stated, and 6 x 175e9 x 300e9 from the tokens found untagged
    gpt = {row["method"].value.rsplit("#")[1]: float(row["flop"].value) for row in rows if "/stated/" in row["e"].value}
    assert gpt == {"StatedCompute": 3.14e23, "ParameterTokenMethod": 6 * 175e9 * 300e9}


def test_the_compute_queries_count_each_run_once(built: Path) -> None:
    by_year = {row["year"]: row for row in table(built, "compute-by-year")}
    assert by_year["2023"]["runs"] == "2"  # Owl-7B and Mix-Vision; Sparse-Net has no figure
    values = sorted([64 * 240 * 3600 * 3.12e14 * 0.4, (8 * 10 * 3.12e14 + 16 * 10 * 9.894e14) * 3600 * 0.4])
    assert math.isclose(float(by_year["2023"]["totalCompute"]), sum(values))
    assert math.isclose(float(by_year["2023"]["medianCompute"]), sum(values) / 2)
    assert math.isclose(float(by_year["2023"]["largestCompute"]), values[-1])
    largest = table(built, "largest-compute-runs")
    assert [row["model"] for row in largest] == ["GPT-3", "Tern-L", "Owl-7B", "Mix-Vision"]
    assert [row["method"] for row in largest] == ["StatedCompute", "StatedCompute", "HardwareMethod", "HardwareMethod"]
    assert {row["country"] for row in table(built, "compute-by-country")} == {"Canada", "Germany"}


def test_the_utilization_option_is_used_and_stated(tmp_path: Path) -> None:
    paper = tmp_path / "owl.txt"
    paper.write_text(PAPERS["hardware"], encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", str(paper), "--out", str(tmp_path / "out"), "--utilization", "0.5", "-q"]
    )
    assert result.exit_code == 0, result.output
    (row,) = table(tmp_path / "out", "models")
    assert math.isclose(float(row["trainingCompute"]), 64 * 240 * 3600 * 3.12e14 * 0.5)


# -- the README ------------------------------------------------------------------------


def test_the_readme_compute_example_prints_what_it_shows(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```text\n(.*?)```", readme, re.S) if b.startswith("$ cat gpt3.txt"))
    lines = block.splitlines()
    (tmp_path / "gpt3.txt").write_text(lines[1] + "\n", encoding="utf-8")
    kg = str(Path(sys.executable).parent / "kg")
    query_line = next(i for i, line in enumerate(lines) if line.startswith("$ kg query"))
    import shlex

    for line in lines[2:query_line]:
        assert subprocess.run([kg, *shlex.split(line[2:])[1:]], cwd=tmp_path).returncode == 0
    done = subprocess.run(
        [kg, *shlex.split(lines[query_line][2:])[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout + done.stderr == "\n".join(lines[query_line + 1 :]) + "\n"


def test_a_figure_stated_in_two_units_is_the_runs_stated_compute_without_a_warning(tmp_path: Path) -> None:
    paper = tmp_path / "gpt3.txt"
    paper.write_text(
        "<model>GPT-3</model> took 3.14e23 FLOPs (3,640 petaflop/s-days) on <hardware>V100</hardware> GPUs.",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(paper), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    (row,) = table(out, "models")
    assert (float(row["trainingCompute"]), row["computeMethod"]) == (3.14e23, "StatedCompute")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    kinds = [p["kind"] for d in report["documents"] for p in d.get("problems", [])]
    assert "conflicting_value" not in kinds


def test_compute_by_organization_counts_each_run_under_who_trained_it(tmp_path: Path) -> None:
    papers = {
        # a sentence that names both models: the organization is theirs; each has its own figure
        "o1": "<model>Orca-A</model> and <model>Orca-B</model> were trained by <organization>Google DeepMind</organization>. "
        "<model>Orca-A</model> needed 3e23 FLOPs; <model>Orca-B</model> needed 1e23 FLOPs. Both in <year>2024</year>.",
        # named in a sentence of its own: the paper's, so every run of it
        "o2": "<organization>Meta AI</organization> trained it. <model>Lama-X</model> used 2e22 FLOPs in <year>2023</year>.",
        "o3": "<model>No-Figure</model> was trained by <organization>Meta AI</organization>.",
    }
    out, result = build_documents(tmp_path, papers)
    assert result.exit_code == 0 and result.validation["conforms"], result.validation
    rows = {row["organization"]: row for row in table(out, "compute-by-organization")}
    assert set(rows) == {"Google DeepMind", "Meta AI"}
    assert rows["Google DeepMind"]["runs"] == "2" and float(rows["Google DeepMind"]["totalCompute"]) == 4e23
    assert float(rows["Google DeepMind"]["largestCompute"]) == 3e23
    assert rows["Meta AI"]["runs"] == "1" and float(rows["Meta AI"]["totalCompute"]) == 2e22  # No-Figure has none


def test_another_papers_stated_figures_are_left_alone() -> None:
    """Untagged compute and token counts follow the finder's rule for cited work."""
    from kg.mapping import map_document
    from kg.sources import Document

    text = (
        "We train <model>Kite-1B</model> on 20 billion tokens. "
        "Our data follow LLaMA-65B, which was trained on 1.4 trillion tokens, according to its report."
    )
    mapped = map_document(Document("p", text, "p.txt"))
    assert "20000000000" in mapped.turtle and "1400000000000" not in mapped.turtle


@pytest.mark.parametrize(
    "other",
    [
        "For reference, GPT-3 (175B) was trained on 300 billion tokens, far fewer per parameter than our run.",
        "For comparison, the Llama 2 family was pretrained on 300 billion tokens, fifty times our budget.",
        "Our data follow Orca-65B, which was trained on 300 billion tokens and is our baseline.",
    ],
)
def test_another_models_stated_figures_are_left_alone(other: str) -> None:
    """Untagged token counts follow the finder's rules for whose fact a figure is, not only for citations."""
    from kg.mapping import map_document
    from kg.sources import Document

    mapped = map_document(Document("p", f"We train <model>Kite-1B</model> on 20 billion tokens. {other}", "p.txt"))
    assert "20000000000" in mapped.turtle and "300000000000" not in mapped.turtle


@pytest.mark.parametrize("extract", ["never", "auto"])
def test_a_text_with_no_fact_of_its_own_gives_no_stated_figure(extract: str) -> None:
    """A survey's figures are other work's: with nothing tagged (or found), its run gets none."""
    from kg.mapping import map_document
    from kg.sources import Document

    text = (
        "Published reports differ in what they disclose. Some give only compute, such as the 3.14e23 FLOPs "
        "estimated for GPT-3 in 2020; others give the tokens, as the 1.4 trillion tokens that "
        "LLaMA-65B was trained on."
    )
    mapped = map_document(Document("survey", text, "survey.txt"), extract=extract)
    assert "trainingCompute" not in mapped.turtle and "trainingTokens" not in mapped.turtle
    assert mapped.mentions == 0


@pytest.mark.parametrize(
    "case, text, kept",
    [
        (
            "a year restated from another paper",
            "Others report only compute, such as the 3.14e23 FLOPs estimated for GPT-3 in 2020.",
            False,
        ),
        ("a found year alone", "This survey was done in 2024. One report gives only compute: 3.14e23 FLOPs.", False),
        (
            "a found country and year",
            "This work was done in France in 2024. One report gives only compute: 3.14e23 FLOPs.",
            False,
        ),
        ("nothing found", "One report gives only compute: 3.14e23 FLOPs.", False),
        ("a found fact of the run", "We train on 64 A100 GPUs; the run took 3.14e23 FLOPs.", True),
        (
            "a tagged year: a person read it as the paper's run",
            "The run ended in <year>2024</year>; it took 3.14e23 FLOPs.",
            True,
        ),
    ],
)
def test_an_untagged_figure_needs_a_fact_of_the_run_itself(case: str, text: str, kept: bool) -> None:
    """A found year or country dates or places a paper; alone, it does not make the text's figures its run's."""
    from kg.mapping import map_document
    from kg.sources import Document

    mapped = map_document(Document("p", text, "p.txt"), extract="auto")
    assert ("mlkg:trainingCompute" in mapped.turtle) is kept, case


def test_a_surveys_restated_figures_give_its_run_no_compute(tmp_path: Path) -> None:
    """kg build --extract auto on surveys written like heldout5/320: only the paper with a run of its own has compute."""
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "survey.txt").write_text(
        "Published training runs differ in what they disclose. Some reports give accelerator time only; "
        "others report only compute, such as the 3.14e23 FLOPs estimated for GPT-3 in 2020. "
        "We use these figures as published.\n",
        encoding="utf-8",
    )
    (papers / "dated-survey.txt").write_text(
        "This work was done in France in 2024. Among the reports we gathered, one frontier run states 6.3e24 FLOPs.\n",
        encoding="utf-8",
    )
    (papers / "own.txt").write_text(
        "We train Kestrel-2B on 64 A100 GPUs; the run took 2.1e22 FLOPs.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(papers), "--out", str(out), "--fresh", "-q", "--extract", "auto"])
    assert result.exit_code == 0, result.output
    kg = KnowledgeGraph(out, read_only=True)
    rows = kg.query(
        "SELECT ?id ?flop WHERE { ?p mlkg:paperId ?id ; mlkg:reports ?run . OPTIONAL { ?run mlkg:trainingCompute ?flop } }"
    )
    compute = {row["id"].value: row["flop"] and float(row["flop"].value) for row in rows}
    kg.close()
    assert compute == {"survey": None, "dated-survey": None, "own": 2.1e22}


def test_a_surveys_table_and_cited_runs_give_no_compute(tmp_path: Path) -> None:
    """kg build --extract auto: heldout5/320 (a table of others' runs) reports no run of its own, so no compute.

    And in a paper with a run of its own, a figure in a row of other models, or
    in a sentence with an author-year citation, is not that run's.
    """
    papers = tmp_path / "papers"
    papers.mkdir()
    survey = Path(__file__).parent / "fixtures" / "extraction" / "heldout5" / "320_llm-compute-survey-no-tags.txt"
    (papers / "survey.txt").write_text(survey.read_text(encoding="utf-8"), encoding="utf-8")
    (papers / "own.txt").write_text(
        "We train Wren-2B on 32 H100 GPUs for 5 days.\n\n"
        "Falcon-40B | 40B parameters | 384 A100 GPUs | 2.4e23 FLOPs\n"
        "MPT-30B | 30B parameters | 512 H100 GPUs | 1.9e23 FLOPs\n\n"
        "Okonkwo and Sato (2022) needed 6.1e22 FLOPs for theirs.\n",
        encoding="utf-8",
    )
    (papers / "own-stated.txt").write_text(
        "We train Wren-1B on 8 H100 GPUs; the run took 1.1e21 FLOPs.\n\n"
        "Falcon-40B | 40B parameters | 384 A100 GPUs | 2.4e23 FLOPs\n"
        "MPT-30B | 30B parameters | 512 H100 GPUs | 1.9e23 FLOPs\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(papers), "--out", str(out), "--fresh", "-q", "--extract", "auto"])
    assert result.exit_code == 0, result.output
    kg = KnowledgeGraph(out, read_only=True)
    got: dict[str, set] = {}
    for row in kg.query(
        "SELECT ?id ?flop ?method ?params WHERE { ?p mlkg:paperId ?id ; mlkg:reports ?run . "
        "OPTIONAL { ?run mlkg:trainingCompute ?flop ; mlkg:computeMethod ?method } "
        "OPTIONAL { ?run mlkg:trainedModel ?m . ?m mlkg:parameterCount ?params } }"
    ):
        got.setdefault(row["id"].value, set()).add(
            (
                row["flop"] and float(row["flop"].value),
                row["method"] and row["method"].value.split("#")[-1],
                row["params"] and int(row["params"].value),
            )
        )
    kg.close()
    assert got["survey"] == {(None, None, None)}
    assert got["own-stated"] == {(1.1e21, "StatedCompute", None)}
    # its own run's compute is estimated from its hardware and time, never one of the figures the text restates
    [(flop, method, params)] = got["own"]
    assert flop and method != "StatedCompute" and flop not in (2.4e23, 1.9e23, 6.1e22) and params is None
