"""Habits the code base keeps: checked, so that they stay kept."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: a conftest import or a sys.path edit: helpers come from the `support` package instead
_OLD_WAYS = re.compile(r"^\s*(from conftest import|import conftest|sys\.path\.(insert|append))", re.M)


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.py")), ids=lambda p: str(p.relative_to(TESTS)))
def test_tests_import_their_helpers_from_the_support_package(path):
    assert not _OLD_WAYS.search(path.read_text(encoding="utf-8"))


def _imported_at_load(module: str) -> set[str]:
    """The kg modules *module* imports when it is loaded (not inside functions, not for type checking)."""
    tree = ast.parse((ROOT / "kg" / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {alias.name for alias in node.names}
    return found


def test_mapping_workers_never_import_the_store():
    """A worker maps and counts a paper (kg.mapping, kg.tally) without loading the store's module."""
    reached, todo = set(), ["mapping"]
    while todo:
        module = todo.pop()
        if module not in reached and (ROOT / "kg" / f"{module}.py").exists():
            reached.add(module)
            todo += sorted(_imported_at_load(module))
    assert "tally" in reached
    assert not reached & {"store", "totals", "restatements"}
