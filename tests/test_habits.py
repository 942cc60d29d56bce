"""Habits the code base keeps: checked, so that they stay kept."""

from __future__ import annotations

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
