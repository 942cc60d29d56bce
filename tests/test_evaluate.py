"""kg eval on a small fixed corpus whose scores were worked out by hand (tests/fixtures/finder).

a.txt: all seven kinds, each found exactly as tagged.
b.txt: a tagged "about a fortnight" the finder misses (and no fact: mlkg reads no
fortnight), and "8 V100 GPUs" it finds though nobody tagged them.
c.txt: "<params>7B parameters</params>", found as "7B": overlapping, not exact; same fact.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.evaluate import evaluate, fact_key

CORPUS = Path(__file__).parent / "fixtures" / "finder"


def run(*args: str):
    return CliRunner().invoke(app, ["eval", *args])


def test_scores_per_kind_are_the_hand_worked_ones():
    result = json.loads(run(str(CORPUS), "--format", "json").stdout)
    kinds = result["kinds"]
    assert result["documents"] == 3
    # (gold, found, exact F1, overlap P, overlap R, fact P, fact R)
    expected = {
        "model": (1, 1, 1.0, 1.0, 1.0, 1.0, 1.0),
        "params": (2, 2, 0.5, 1.0, 1.0, 1.0, 1.0),
        "hardware": (1, 2, 0.6667, 0.5, 1.0, 0.5, 1.0),
        "gpu_count": (1, 2, 0.6667, 0.5, 1.0, 0.5, 1.0),
        "training": (2, 1, 0.6667, 1.0, 0.5, 1.0, 1.0),
        "country": (1, 1, 1.0, 1.0, 1.0, 1.0, 1.0),
        "year": (1, 1, 1.0, 1.0, 1.0, 1.0, 1.0),
    }
    for kind, (gold, found, exact_f1, p, r, fact_p, fact_r) in expected.items():
        k = kinds[kind]
        got = (
            k["gold"],
            k["found"],
            k["exact"]["f1"],
            k["overlap"]["precision"],
            k["overlap"]["recall"],
            k["fact"]["precision"],
            k["fact"]["recall"],
        )
        assert got == (gold, found, exact_f1, p, r, fact_p, fact_r), kind
    assert kinds["training"]["gold_facts"] == 1  # "about a fortnight" is no fact


def test_misses_and_false_finds_name_file_line_and_column():
    result = evaluate([str(CORPUS)])
    assert [(m.kind, m.text, m.where) for m in result.misses] == [
        ("training", "about a fortnight", f"{CORPUS / 'b.txt'}:1:51")
    ]
    assert sorted((f.kind, f.text, f.where) for f in result.false_finds) == [
        ("gpu_count", "8", f"{CORPUS / 'b.txt'}:1:93"),
        ("hardware", "V100 GPUs", f"{CORPUS / 'b.txt'}:1:95"),
    ]


def test_the_table_lists_kinds_and_where_to_look():
    result = run(str(CORPUS))
    assert result.exit_code == 0
    assert "gpu_count" in result.stdout and "fact" in result.stdout
    assert "b.txt:1:51  training  'about a fortnight'" in result.stdout


@pytest.mark.parametrize("threshold, code", [("0.6", 0), ("0.7", 1)])
def test_min_f1_fails_below_the_threshold(threshold, code):
    result = run(str(CORPUS), "--min-f1", threshold)
    assert result.exit_code == code
    if code:
        assert "hardware, gpu_count" in result.output


def test_nothing_to_read_is_an_error(tmp_path):
    result = run(str(tmp_path))
    assert result.exit_code == 2 and "no documents" in result.output


@pytest.mark.parametrize(
    "kind, text, key",
    [
        ("params", "6.7 billion parameters", "6700000000"),
        ("params", "several billion", None),
        ("hardware", "NVIDIA A100 80GB GPUs", "nvidia-a100-80gb"),
        ("country", "the U.K.", "GB"),
        ("training", "3.5 months", "2556.6975 h"),
        ("year", "2023", "2023"),
        ("model", "Llama 2 70B", "llama270b"),
        ("gpu_count", "eight", "8"),
    ],
)
def test_a_fact_is_the_value_a_build_records(kind, text, key):
    assert fact_key(kind, text) == key
