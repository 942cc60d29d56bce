"""`make test-fast` leaves out the tests that drive Chromium, Virtuoso or rapper: each is marked `system`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def collected(*args: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 5), run.stdout + run.stderr
    return [line for line in run.stdout.splitlines() if "::" in line]


def test_browser_virtuoso_and_rapper_tests_are_marked_system_and_the_rest_are_not():
    files = ["tests/test_viz.py", "tests/test_push.py", "tests/test_export.py"]
    system = collected("-m", "system", *files)
    rest = collected("-m", "not system", *files)
    assert any("test_viz.py" in t for t in system)  # Chromium
    assert any("test_push.py" in t for t in system)  # Virtuoso
    assert any("rapper" in t for t in system)  # rapper re-parses the exports
    assert not any("rapper" in t for t in rest)
    assert any("test_viz.py" in t for t in rest)  # what is drawn needs no browser
    assert set(system).isdisjoint(rest)
