"""The README's example outputs are what `kg` prints on the demo build.

Each ```text block in README.md that starts with ``$ kg ...`` is run again
against a build of the bundled examples (what `make demo` builds), and its
output must match the block, line for line (a block ending in ``...`` shows
only its first lines).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).parent / "kg")
#: commands that read files, not the build (run in the repository, paths as the README writes them)
NO_STORE = {"eval"}


def examples() -> list[tuple[str, str]]:
    """(command, shown output) for every `$ kg ...` line of the README's text blocks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        if not block.startswith("$ kg "):
            continue
        parts = re.split(r"^(\$ kg .*)$", block, flags=re.M)
        found += [(parts[i][2:], parts[i + 1]) for i in range(1, len(parts), 2)]
    return found


def test_the_readme_shows_examples() -> None:
    assert len(examples()) >= 6


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_a_readme_example_prints_what_it_shows(example_build, command: str, shown: str) -> None:
    out, _ = example_build
    args = shlex.split(command)[1:]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    store = [] if args[0] in NO_STORE else ["--out", str(out)]
    done = subprocess.run([KG, *args, *store], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    printed = (done.stdout + done.stderr).splitlines()
    expected = shown.strip("\n").splitlines()
    if expected[-1] == "...":
        expected = expected[:-1]
        printed = printed[: len(expected)]
    assert printed == expected


def test_the_readme_puts_kg_on_the_path_before_it_uses_it(tmp_path) -> None:
    """After `make demo`, the README's next line activates the environment, so its bare `kg` lines work."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index(". .venv/bin/activate") < text.index("\nkg ")
    activate = Path(sys.executable).parent / "activate"
    done = subprocess.run(
        ["sh", "-c", '. "$1" && command -v kg && kg --help', "sh", str(activate)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == KG
    assert "build" in done.stdout


def usage_commands() -> list[str]:
    """The `kg ...` lines of the README's "Using it" block, without their comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Using it\n.*?```sh\n(.*?)```", text, re.S)
    assert block, "the README has a ## Using it section with a sh block"
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line.startswith("kg ")]


def test_every_command_of_the_usage_block_works_on_the_demo_build(tmp_path, monkeypatch) -> None:
    """Issue 19: each line, run as written in a folder that has the examples (as after `make demo`),
    succeeds, and a query with a --bind finds rows. The user's own files it names are made first."""
    from typer.testing import CliRunner

    from kg.cli import app

    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "more-papers.jsonl").write_text(
        '{"id": "more-1", "text": "We trained <model>Wren-2B</model> on <gpu_count>8</gpu_count> GPUs."}\n',
        encoding="utf-8",
    )
    (tmp_path / "my-question.rq").write_text("SELECT ?p WHERE { ?p a mlkg:Paper }\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    commands = usage_commands()
    assert commands[0][:2] == ["kg", "build"] and len(commands) >= 10
    for command in commands:
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, f"{shlex.join(command)}: {result.output}"
        if command[1] == "query" and "--list" not in command:
            assert not re.search(r"^0 rows$", result.output, re.M), shlex.join(command)


def test_the_readme_names_every_predeclared_prefix() -> None:
    from kg.vocab import PREFIXES

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"\(((?:[a-z]+: )+)predeclared\)", text)
    assert listed and listed.group(1).split() == [f"{prefix}:" for prefix in PREFIXES]
