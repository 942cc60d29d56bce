"""`kg push` against a real, throwaway Virtuoso, and the bundled queries on both stores."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from decimal import Decimal, InvalidOperation

import pytest
from support import PAPERS, require_tool
from pyoxigraph import Literal, NamedNode
from SPARQLWrapper import JSON, SPARQLWrapper
from test_serve import copy_store
from support.virtuoso import PASSWORD, USER, running_virtuoso

import kg.push as push_module
from kg.build import build
from kg.push import PushError, chunks, local_graphs, push, update_requests
from kg.query import bundled_queries, run_query, with_bindings
from kg.store import KnowledgeGraph
from kg.vocab import MLKG, XSD, XSD_NS

NUMERIC = {XSD_NS + name for name in ("integer", "decimal", "double", "float", "int", "long", "short")}
DOUBLES = {XSD_NS + "double", XSD_NS + "float"}
DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$")
CHANGED_BASE = "https://example.org/push-test/"


@pytest.fixture(scope="module")
def virtuoso():
    require_tool("virtuoso-t")
    with running_virtuoso() as server:
        yield server


@pytest.fixture(scope="module")
def local(example_build, tmp_path_factory) -> KnowledgeGraph:
    """A copy of the example build, so the push state file lands in our own folder."""
    out = tmp_path_factory.mktemp("push-source")
    copy_store(example_build[0], out)
    return KnowledgeGraph(out, read_only=True)


def remote_select(server, query: str) -> list[dict]:
    client = SPARQLWrapper(server.sparql)
    # comment lines hold prose ("... add 0") that SPARQLWrapper would take for an update keyword
    client.setQuery("\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#")))
    client.setReturnFormat(JSON)
    return client.query().convert()["results"]["bindings"]


def remote_count(server, base: str = "https://w3id.org/mlkg/") -> int:
    rows = remote_select(
        server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{base}')) }}"
    )
    return int(rows[0]["n"]["value"])


@pytest.fixture(scope="module")
def pushed(virtuoso, local):
    return push(local, virtuoso.sparql_auth, user=USER, password=PASSWORD, resume=False)


# -- comparing answers ----------------------------------------------------------------------


def seconds(duration: str) -> Decimal | None:
    match = DURATION.match(duration)
    if not match:
        return None
    days, hours, minutes, secs = (Decimal(x or 0) for x in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + secs


def normal(kind: str, value: str, datatype: str | None, lang: str | None):
    """A comparable form of a value: numbers by value, IRIs and strings exactly.

    Virtuoso 7 keeps an xsd:duration as a number of seconds (and a
    duration with years or months as a month count that drops the rest),
    so day-time durations are compared in seconds and others only by type.
    """
    if kind == "uri":
        return ("iri", value)
    if datatype == XSD.iri("duration"):
        if value.startswith("P"):
            exact = seconds(value)
            return ("duration", exact) if exact is not None else ("duration", "years-months")
        number = Decimal(value)
        return ("duration", number.normalize() if number >= 100 or number == 0 else "years-months")
    if datatype in DOUBLES:
        # Virtuoso writes a double with 6 significant digits (6.79311E+20): compare at that precision
        return ("num", _six_digits(value))
    if datatype in NUMERIC:
        try:
            return ("num", Decimal(value).quantize(Decimal("1e-6")).normalize())
        except InvalidOperation:
            return ("text", value)
    if datatype == XSD.iri("boolean"):
        return ("bool", value in ("true", "1"))
    return ("text", value, lang or "")


def local_rows(kg: KnowledgeGraph, text: str) -> tuple[list[str], list[dict]]:
    result = run_query(kg, text)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if term is None:
                continue
            if isinstance(term, NamedNode):
                row[name] = normal("uri", term.value, None, None)
            else:
                assert isinstance(term, Literal)
                row[name] = normal("literal", term.value, term.datatype.value, term.language)
        rows.append(row)
    return names, rows


def remote_rows(server, text: str) -> list[dict]:
    return [
        {name: normal(b["type"], b["value"], b.get("datatype"), b.get("xml:lang")) for name, b in binding.items()}
        for binding in remote_select(server, text)
    ]


def without_text_positions(text: str, rows: list[dict]) -> list[dict]:
    """Rows without what a query derives from a paper's text by position.

    Virtuoso 7 counts UTF-8 bytes, not characters, in SUBSTR and STRLEN, so
    a line, column or sentence cut from a text with non-ASCII characters
    differs there; the stored columns must still agree.
    """
    if "mlkg:plainText" not in text:
        return rows
    derived = set(re.findall(r"AS \?(\w+)", text))
    return [{k: v for k, v in row.items() if k not in derived} for row in rows]


def order_keys(text: str) -> list[str]:
    clause = re.search(r"ORDER\s+BY\s+(.+?)(?:LIMIT|OFFSET|$)", text, re.S | re.I)
    return re.findall(r"\?(\w+)", clause.group(1)) if clause else []


def frozen(row: dict) -> tuple:
    return tuple(sorted((name, _unordered(value)) for name, value in row.items()))


def _unordered(value):
    """A GROUP_CONCAT cell (the model table's "a | b", "x; y") as the set it lists:
    SPARQL leaves the order of concatenated values to the engine."""
    if value and value[0] == "text":
        for separator in (" | ", "; "):
            if separator in value[1]:
                return ("text", tuple(sorted(_number_or_text(v) for v in value[1].split(separator))), *value[2:])
    return value


def _six_digits(value: str):
    try:
        return Decimal(f"{float(value):.6g}").normalize()
    except ValueError:
        return value


def _number_or_text(item: str) -> str:
    """A listed value; a large number (a FLOP figure, which engines write differently) to 6 digits."""
    number = _six_digits(item)
    return str(number) if isinstance(number, Decimal) and abs(number) >= 10**15 else item


# -- tests ------------------------------------------------------------------------------------


def test_push_sends_every_graph(virtuoso, local, pushed):
    graphs = local_graphs(local)
    assert pushed.pushed == len(graphs) and pushed.skipped == 0 and pushed.failed == []
    assert remote_count(virtuoso) == len(local)
    state = json.loads((local.out_dir / "push-state.json").read_text())
    assert state[virtuoso.sparql_auth] == {g.iri: g.digest for g in graphs}


@pytest.mark.parametrize("name", [q.name for q in bundled_queries()])
def test_bundled_query_gives_the_same_answer_on_virtuoso(virtuoso, local, pushed, name):
    text = next(q.text for q in bundled_queries() if q.name == name)
    names, expected = local_rows(local, text)
    assert expected, "the example build should answer every bundled query"
    actual = without_text_positions(text, remote_rows(virtuoso, text))
    expected = without_text_positions(text, expected)
    assert Counter(map(frozen, actual)) == Counter(map(frozen, expected))
    keys = [k for k in order_keys(text) if k in names]
    assert [[row.get(k) for k in keys] for row in actual] == [[row.get(k) for k in keys] for row in expected]


@pytest.mark.parametrize("name", [q.name for q in bundled_queries()])
def test_bound_query_gives_the_same_answer_on_virtuoso(virtuoso, local, pushed, name):
    # `kg query --bind` writes standard SPARQL (VALUES): any engine answers it the same
    text = next(q.text for q in bundled_queries() if q.name == name)
    names, full = local_rows(local, text)
    column = names[0]
    value = full[-1][column]
    kind, shown = value[0], value[1]
    term = f"<{shown}>" if kind == "iri" else format(shown, "f") if kind == "num" else shown
    bound = with_bindings(text, {column: [term]})
    names, expected = local_rows(local, bound)
    assert expected and all(row[column] == value for row in expected)
    actual = without_text_positions(text, remote_rows(virtuoso, bound))
    assert Counter(map(frozen, actual)) == Counter(map(frozen, without_text_positions(text, expected)))


@pytest.mark.parametrize("mode", ["update", "graph-store", "update-in-small-requests"])
def test_repush_never_duplicates(virtuoso, local, pushed, monkeypatch, mode):
    if mode == "update-in-small-requests":
        monkeypatch.setattr(push_module, "MAX_REQUEST_BYTES", 4000)
    graph_store = virtuoso.graph_store if mode == "graph-store" else None
    result = push(local, virtuoso.sparql_auth, graph_store=graph_store, user=USER, password=PASSWORD, resume=False)
    assert result.pushed == len(local_graphs(local))
    assert remote_count(virtuoso) == len(local)
    again = push(local, virtuoso.sparql_auth, graph_store=graph_store, user=USER, password=PASSWORD)
    assert (again.pushed, again.skipped) == (0, len(local_graphs(local)))
    assert remote_count(virtuoso) == len(local)


def example_papers(folder, count: int):
    """A folder holding the first *count* example papers, to build from and change."""
    folder.mkdir()
    for source in sorted(PAPERS.glob("*.txt"))[:count]:
        shutil.copy(source, folder / source.name)
    return folder


def test_changed_paper_is_the_only_graph_sent(virtuoso, tmp_path):
    papers = example_papers(tmp_path / "papers", 4)
    out = tmp_path / "out"
    build([str(papers)], out, jobs=1, base=CHANGED_BASE, exports=[])
    first = push(KnowledgeGraph(out, read_only=True), virtuoso.sparql_auth, user=USER, password=PASSWORD)
    assert (first.pushed, first.skipped) == (6, 0)  # four papers, the reference graph, the totals

    target = papers / "003_llama-style-decoder.txt"
    target.write_text(target.read_text().replace("<params>13B-parameter</params>", "<params>14B-parameter</params>"))
    build([str(papers)], out, jobs=1, base=CHANGED_BASE, exports=[])
    messages: list[str] = []
    second = push(
        KnowledgeGraph(out, read_only=True),
        virtuoso.sparql_auth,
        user=USER,
        password=PASSWORD,
        progress=messages.append,
    )
    assert (second.pushed, second.skipped) == (2, 4)  # the paper and the totals it changed
    assert any("2 of 6 graphs" in m for m in messages)
    graph = f"{CHANGED_BASE}paper/003_llama-style-decoder"
    rows = remote_select(virtuoso, f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?m <{MLKG.iri('parameterCount')}> ?n }} }}")
    assert [int(r["n"]["value"]) for r in rows] == [14_000_000_000]
    largest = remote_select(
        virtuoso,
        f"SELECT ?n WHERE {{ GRAPH <{CHANGED_BASE}graph/statistics> {{ ?o <{MLKG.iri('maxParameterCount')}> ?n }} }}",
    )
    assert 14_000_000_000 in [int(r["n"]["value"]) for r in largest]
    assert 13_000_000_000 not in [int(r["n"]["value"]) for r in largest]


def test_wrong_password_raises_push_error_naming_the_graph(virtuoso, local, tmp_path):
    copy = tmp_path / "copy"
    copy_store(local.out_dir, copy)
    kg = KnowledgeGraph(copy, read_only=True)
    with pytest.raises(PushError) as caught:
        push(kg, virtuoso.sparql_auth, user=USER, password="wrong", resume=False)
    message = str(caught.value)
    assert "401" in message
    assert local_graphs(kg)[0].iri in message
    assert caught.value.result.pushed == 0 and caught.value.result.failed
    assert json.loads((copy / "push-state.json").read_text())[virtuoso.sparql_auth] == {}


# -- request planning (no server needed) ----------------------------------------------------------


@pytest.mark.parametrize("limit", [500, 4000, 1_000_000])
def test_update_requests_stay_small_and_drop_first(local, limit):
    graphs = local_graphs(local)
    longest = max(len(line) for g in graphs for line in push_module.graph_ntriples(local, g.iri).splitlines())
    requests = list(update_requests(local, graphs, limit))
    dropped: set[str] = set()
    for request in requests:
        text = request.body.decode()
        assert len(request.body) <= max(limit, longest + 200) + 600
        for iri in re.findall(r"(DROP SILENT GRAPH|GRAPH) <([^>]+)>", text):
            if iri[0] == "DROP SILENT GRAPH":
                dropped.add(iri[1])
            else:
                assert iri[1] in dropped, "a graph's DROP must come before its data"
    assert sorted(iri for r in requests for iri in r.completes) == sorted(g.iri for g in graphs)


@pytest.mark.parametrize("limit", [1, 100, 10_000])
def test_chunks_keep_whole_lines(local, limit):
    data = push_module.graph_ntriples(local, local_graphs(local)[0].iri)
    pieces = list(chunks(data, limit))
    assert b"".join(pieces) == data
    assert all(piece.endswith(b"\n") for piece in pieces)


@pytest.mark.parametrize("mode", ["update", "graph-store"])
def test_paper_removed_by_a_fresh_build_is_dropped_from_the_target(virtuoso, tmp_path, mode):
    base = f"https://example.org/push-removed-{mode}/"
    graph_store = virtuoso.graph_store if mode == "graph-store" else None
    papers = example_papers(tmp_path / "papers", 3)
    out = tmp_path / "out"
    build([str(papers)], out, jobs=1, base=base, exports=[])
    first = push(
        KnowledgeGraph(out, read_only=True), virtuoso.sparql_auth, graph_store=graph_store, user=USER, password=PASSWORD
    )
    assert first.pushed == 5  # three papers, the reference graph, the totals

    removed = sorted(papers.glob("*.txt"))[0]
    removed.unlink()
    build([str(papers)], out, jobs=1, base=base, exports=[], fresh=True)
    kg = KnowledgeGraph(out, read_only=True)
    push(kg, virtuoso.sparql_auth, graph_store=graph_store, user=USER, password=PASSWORD)

    graphs = {
        r["g"]["value"]
        for r in remote_select(
            virtuoso, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{base}')) }}"
        )
    }
    assert graphs == {g.iri for g in local_graphs(kg)}
    assert f"{base}paper/{removed.stem}" not in graphs
    assert remote_count(virtuoso, base) == len(kg)


def test_a_changed_graph_with_unchanged_text_is_pushed_again(virtuoso, tmp_path):
    # the text is the same, the graph is not: a moved file changes the paper's mlkg:sourcePath
    base = "https://example.org/push-moved/"
    papers = example_papers(tmp_path / "papers", 2)
    out = tmp_path / "out"
    build([str(papers)], out, jobs=1, base=base, exports=[])
    push(KnowledgeGraph(out, read_only=True), virtuoso.sparql_auth, user=USER, password=PASSWORD)

    moved = sorted(papers.glob("*.txt"))[0]
    (papers / "moved").mkdir()
    moved.rename(papers / "moved" / moved.name)
    build([str(papers)], out, jobs=1, base=base, exports=[], fresh=True)
    kg = KnowledgeGraph(out, read_only=True)
    again = push(kg, virtuoso.sparql_auth, user=USER, password=PASSWORD)
    assert again.pushed >= 1

    graph = f"{base}paper/{moved.stem}"
    source = MLKG.iri("sourcePath")
    local_paths = [q.object.value for q in kg.store.quads_for_pattern(None, NamedNode(source), None, NamedNode(graph))]
    assert local_paths and "moved" in local_paths[0]
    rows = remote_select(virtuoso, f"SELECT ?path WHERE {{ GRAPH <{graph}> {{ ?paper <{source}> ?path }} }}")
    assert [r["path"]["value"] for r in rows] == local_paths
    assert remote_count(virtuoso, base) == len(kg)
