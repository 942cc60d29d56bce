"""report.json is replaced whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.report import ReportWriter


def test_a_report_that_fails_while_written_leaves_the_previous_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text('{"summary": {"documents": 1}, "documents": []}\n', encoding="utf-8")
    writer = ReportWriter(target)
    writer.add({"id": "a", "source": "a.txt", "status": "ok", "problems": [], "facts": 1, "mentions": 1})
    with pytest.raises(TypeError):
        writer.finish(unwritable=object())  # fails half-way through, after the file was opened
    assert json.loads(target.read_text(encoding="utf-8")) == {"summary": {"documents": 1}, "documents": []}
    assert not (tmp_path / ".report.json.partial").exists()
    ReportWriter(target).abort()  # the next build clears what the failed one left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_finished_report_holds_the_summary_and_every_entry(tmp_path: Path) -> None:
    writer = ReportWriter(tmp_path / "report.json")
    writer.add({"id": "a", "source": "a.txt", "status": "ok", "problems": [], "facts": 2, "mentions": 3})
    summary = writer.finish()
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == summary and summary["facts"] == 2
    assert [d["id"] for d in report["documents"]] == ["a"]
