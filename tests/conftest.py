"""Shared fixtures: one real build of the bundled examples per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.store import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAPERS = EXAMPLES / "papers"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def require_tool(name: str) -> str:
    """Path of a system tool; skip without it, fail in CI (MLKG_REQUIRE_SYSTEM_TOOLS=1)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: see .ci/run)"
        if os.environ.get("MLKG_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def example_build(tmp_path_factory):
    """The bundled examples (text files and JSON Lines) built once, read-only afterwards."""
    out = tmp_path_factory.mktemp("example-build")
    result = build([str(PAPERS), str(EXAMPLES / "papers.jsonl")], out, jobs=1)
    return out, result


@pytest.fixture(scope="session")
def example_graph(example_build):
    out, _ = example_build
    return KnowledgeGraph(out, read_only=True)
