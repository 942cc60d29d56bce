"""Shared fixtures: one real build of the bundled examples per test session."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from support import EXAMPLES, PAPERS

from kg.build import build
from kg.store import KnowledgeGraph


#: what a test or one of its fixtures calls when it drives Chromium, Virtuoso or rapper
_SYSTEM_CALLS = ("require_tool(", "Browser(")


def _drives_a_system_tool(item) -> bool:
    if "browser" in item.fixturenames:  # every page test takes its Chromium session as `browser`
        return True
    functions = [getattr(item, "function", None)]
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        functions += [definition.func for definition in definitions]
    for function in functions:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if any(call in source for call in _SYSTEM_CALLS):
            return True
    return False


def pytest_collection_modifyitems(config, items):
    """`system` marks the tests that drive a system tool, found from what they call, so none is forgotten;
    `slow` marks the modules listed in tests/slow.txt. `make test-fast` leaves both out."""
    lines = (Path(__file__).parent / "slow.txt").read_text().splitlines()
    slow = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    for item in items:
        if _drives_a_system_tool(item):
            item.add_marker(pytest.mark.system)
        if item.path.stem in slow:
            item.add_marker(pytest.mark.slow)


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
