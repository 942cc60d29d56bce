"""Hostile values through a real build: refused with a warning, and the store stays usable (issue 21)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.store import KnowledgeGraph

runner = CliRunner()


def _entries(out):
    return {entry["id"]: entry for entry in json.loads((out / "report.json").read_text("utf-8"))["documents"]}


@pytest.mark.parametrize(
    "tagged, reason",
    [
        ("<training>1e30 years</training>", "longer than 876582 hours"),
        ("<params>10000000000000000000 parameters</params>", "more than 1,000,000,000,000,000 parameters"),
        ("<gpu_count>1e30</gpu_count>", "more than 10,000,000 accelerators"),
        ("<params>10⁹ parameters</params>", None),  # read as 10^9, not 109
        ("<gpu_count>8²</gpu_count>", "power of 8"),
    ],
)
def test_out_of_bounds_values_warn_and_leave_a_store_that_validates(tmp_path, tagged, reason):
    source = tmp_path / "paper.txt"
    source.write_text(f"We trained <model>Big</model> on <hardware>A100</hardware> GPUs; {tagged}.", "utf-8")
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(source), "--out", str(out), "--no-html", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    assert "Traceback" not in built.output
    entry = _entries(out)["paper"]
    messages = [p["message"] for p in entry["problems"]]
    if reason:
        assert entry["status"] == "warning" and any(reason in m for m in messages), messages
    else:
        (row,) = KnowledgeGraph(out, read_only=True).query("SELECT ?n WHERE { ?m mlkg:parameterCount ?n }")
        assert row["n"].value == "1000000000"
    checked = runner.invoke(app, ["validate", "--out", str(out), "--jobs", "1"])
    # it runs to its verdict (before, every later validation crashed), and
    # nothing of this paper violates the shapes
    assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.output
    assert checked.exit_code in (0, 1), checked.output
    assert "conforms" in checked.output or "violations" in checked.output
    assert "/paper/paper" not in checked.output, checked.output
    # a later build into the same store works too
    again = runner.invoke(app, ["build", str(source), "--out", str(out), "--no-html", "--jobs", "1"])
    assert again.exit_code == 0, again.output


def test_a_rejected_json_line_is_printed_as_path_line_column_once(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "ok", "text": "x"}\n{"id": "b", "text": "y \\udfff"}\n', encoding="utf-8")
    result = runner.invoke(app, ["build", str(source), "--out", str(tmp_path / "out"), "--no-html", "--jobs", "1"])
    assert result.exit_code == 1
    printed = " ".join(result.output.split())  # rich wraps long lines
    assert f"{source.name}:2:24:" in printed and f"{source.name}:2:2:" not in printed


def test_a_rejected_file_is_printed_as_path_line_column(tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes(b"one\rtwo caf\xe9")
    result = runner.invoke(app, ["build", str(source), "--out", str(tmp_path / "out"), "--no-html", "--jobs", "1"])
    assert result.exit_code == 1
    assert "latin1.txt:2:8:" in " ".join(result.output.split())
