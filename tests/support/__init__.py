"""What the tests share besides fixtures: where the example files are, and system tools.

pytest puts ``tests/`` and the repository root on the import path
(``pythonpath`` in pyproject.toml), so tests write ``from support import
PAPERS`` and ``from bench.generate import write_corpus``.
"""

from __future__ import annotations

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
