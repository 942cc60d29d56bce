"""What the tests share besides fixtures: where the example files are, and system tools.

pytest puts ``tests/`` and the repository root on the import path
(``pythonpath`` in pyproject.toml), so tests write ``from support import
PAPERS`` and ``from bench.generate import write_corpus``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PAPERS = EXAMPLES / "papers"
FIXTURES = ROOT / "tests" / "fixtures"


def require_tool(name: str) -> str:
    """Path of a system tool; skip without it, fail in CI (MLKG_REQUIRE_SYSTEM_TOOLS=1)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: see .ci/run)"
        if os.environ.get("MLKG_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def write_jsonl(path: Path, documents) -> Path:
    """*documents* (a dict or pairs of id and text) as a JSON Lines file, one document a line, as `kg build` reads it."""
    pairs = documents.items() if isinstance(documents, dict) else documents
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in pairs), encoding="utf-8")
    return path


def build_documents(folder: Path, documents, **options):
    """(out folder, build result) of *documents* written to folder/papers.jsonl and built into folder/out.

    One job and no exports unless *options* say otherwise: the store is what these tests ask.
    """
    from kg.build import build

    out = folder / "out"
    return out, build(
        [str(write_jsonl(folder / "papers.jsonl", documents))], out, **{"jobs": 1, "exports": [], **options}
    )
