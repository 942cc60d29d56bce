"""Imports in kg/ flow one way, through the stages docs/architecture.md lists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kg"


def stages() -> dict[str, int]:
    """Module -> stage number, from the table in docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^\| (\d) \w+ \| `([\w.]+)` \|", text, re.M)}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The kg modules a file imports, at its top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & MODULES
            found.update(submodules or {target})  # "from . import tags" imports kg.tags, not kg
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}


def test_every_module_has_a_stage() -> None:
    assert MODULES - set(stages()) == set()
    assert set(stages()) - MODULES == set()  # and the table names no module that is gone


def test_no_module_imports_from_a_later_stage() -> None:
    stage = stages()
    backwards = sorted(
        f"{module_name(p)} (stage {stage[module_name(p)]}) imports {m} (stage {stage[m]})"
        for p in PACKAGE.rglob("*.py")
        for m in imports(p)
        if stage[m] > stage[module_name(p)]
    )
    assert backwards == []


def test_imports_have_no_cycle() -> None:
    graph = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " -> ".join([*path, node])
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, (*path, node))
        done.add(node)

    for module in sorted(graph):
        visit(module, ())
