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


# -- SPARQL text is built one way: kg.sparql.fill --------------------------------------

#: a SPARQL keyword that opens a query, an update or a pattern
_SPARQL_WORD = re.compile(
    r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK|INSERT|DELETE|DROP|WHERE|VALUES|FILTER|BIND|GRAPH|PREFIX)\b"
)
#: a triple pattern's start: a variable, then ``a``, a prefixed name or an IRI
_TRIPLE_START = re.compile(r"(?<![\w?$])[?$][A-Za-z_]\w*\s+(?:a\b|[A-Za-z][\w.-]*:|<)")
_VARIABLE = re.compile(r"(?<![\w?$])[?$][A-Za-z_]\w*")


def _looks_like_sparql(text: str) -> bool:
    return bool(_TRIPLE_START.search(text) or (_SPARQL_WORD.search(text) and ("{" in text or _VARIABLE.search(text))))


def _text_of(node: ast.AST, constants: dict[str, str]) -> str | None:
    """The text a string node holds (a formatted part reads as ``X``), or a module constant's."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value if isinstance(node.value, str) else node.value.decode("utf-8", "replace")
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "X" for part in node.values)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def sparql_built_by_formatting(source: str) -> list[tuple[int, str]]:
    """(line, how) for each SPARQL text made with %, .format, .replace, + or an f-string with values."""
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    sparql_texts = [text for text in constants.values() if _looks_like_sparql(text)]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(isinstance(part, ast.FormattedValue) for part in node.values):
            if _looks_like_sparql(_text_of(node, constants) or ""):
                found.append((node.lineno, "an f-string"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
            sides = [_text_of(side, constants) for side in (node.left, node.right)]
            sides = sides[:1] if isinstance(node.op, ast.Mod) else sides
            if any(text is not None and _looks_like_sparql(text) for text in sides):
                found.append((node.lineno, "%" if isinstance(node.op, ast.Mod) else "+"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "replace")
        ):
            receiver = _text_of(node.func.value, constants)
            old = _text_of(node.args[0], {}) if node.args else None
            if (receiver is not None and _looks_like_sparql(receiver)) or (
                node.func.attr == "replace" and old and any(old in text for text in sparql_texts)
            ):
                found.append((node.lineno, f".{node.func.attr}"))
    return found


@pytest.mark.parametrize(
    "source, found",
    [
        ('q = f"SELECT ?s WHERE {{ ?s a mlkg:{cls} }}"', [(1, "an f-string")]),
        ('Q = "SELECT ?n WHERE { ?n a <%s> }"\nq = Q % iri', [(2, "%")]),
        ('q = "SELECT ?s WHERE { ?s ?p %s }" % value', [(1, "%")]),
        ('q = "?o qb:dataSet mlkg:runTotals ; " + rest', [(1, "+")]),
        ('q = b"INSERT DATA { GRAPH " + name', [(1, "+")]),
        ('Q = "SELECT ?n WHERE { ?n a X . AS_RUN }"\nq = [t.replace("AS_RUN", a) for t in (Q,)]', [(2, ".replace")]),
        ('q = "SELECT ?s WHERE {{ ?s a {} }}".format(cls)', [(1, ".format")]),
        ('q = fill("SELECT ?s WHERE { ?s a $cls }", cls=MLKG.Model)', []),
        ('m = f"?{name} is computed by the query (AS ?{name}); bind what it is computed from"', []),
        ('m = f"a CONSTRUCT/DESCRIBE result can be written as {names}, not {name}"', []),
        ('m = f"PREFIX {p}: <...> to the query, or use a predeclared prefix ({known})"', []),
        ('t = f"{iri} a qb:Observation ;\\n    qb:dataSet {t} ."', []),
    ],
)
def test_the_scan_finds_sparql_built_by_formatting(source, found):
    assert sparql_built_by_formatting(source) == found


@pytest.mark.parametrize("path", sorted((ROOT / "kg").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_sparql_is_built_only_by_filling_templates(path):
    """Issue 19: one way to put values into SPARQL, ``kg.sparql.fill``; kg/sparql.py is that way."""
    if path == ROOT / "kg" / "sparql.py":
        return
    assert sparql_built_by_formatting(path.read_text(encoding="utf-8")) == []


_RENAME = re.compile(r"\bos\.(replace|rename)\(|\.(rename|replace)\((?:self\.)?(?:partial|tmp|temporary)\b")


@pytest.mark.parametrize("path", sorted((ROOT / "kg").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_are_written_then_renamed_only_by_kg_files(path):
    """Issue 19: one write-then-rename helper (kg/files.py), where there were five copies."""
    if path == ROOT / "kg" / "files.py":
        assert _RENAME.search(path.read_text(encoding="utf-8"))
        return
    assert not _RENAME.search(path.read_text(encoding="utf-8"))
