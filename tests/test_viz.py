"""The interactive HTML view: what it draws, and how it behaves in a real browser.

Browser tests drive Chromium through chromedriver's W3C WebDriver HTTP API
(stdlib urllib only), with every network request sent to a dead proxy.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.store import KnowledgeGraph
from kg.viz import VizError, write_html

from support.webdriver import Browser

XSS_LABEL = "<img src=x onerror=window.pwned=1>"
XSS_DOC = (
    f"<model>{XSS_LABEL}</model> is a small model with <params>7B</params> parameters. "
    "We trained it on <gpu_count>8</gpu_count> <hardware>H100 GPUs</hardware> for "
    "<training>3 days</training> in <country>France</country> in <year>2024</year>.\n"
)
MLKG = "PREFIX mlkg: <https://w3id.org/mlkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
H100 = "https://w3id.org/mlkg/id/hardware/nvidia-h100"


def count(kg: KnowledgeGraph, where: str) -> int:
    row = next(iter(kg.query(MLKG + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")))
    return int(row["n"].value)


@pytest.fixture(scope="session")
def xss_graph(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    (root / "papers").mkdir()
    (root / "papers" / "xss.txt").write_text(XSS_DOC, encoding="utf-8")
    build([str(root / "papers")], root / "out", jobs=1, exports=[])
    return KnowledgeGraph(root / "out", read_only=True)


# -- a minimal WebDriver client ------------------------------------------------------


class GraphPage(Browser):
    """The browser, opening graph.html files and waiting for their layout."""

    def open(self, path: Path) -> None:
        """Load a page and wait until its layout has settled."""
        self.logs()  # drop what earlier pages logged
        super().open(Path(path).resolve().as_uri())
        deadline = time.monotonic() + 60
        while not self.js("return window.mlkgReady === true"):
            assert time.monotonic() < deadline, "the graph never finished its layout"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def browser():
    session = GraphPage()
    yield session
    session.close()


def severe(logs: list[dict]) -> list[str]:
    return [entry["message"] for entry in logs if entry.get("level") == "SEVERE"]


# -- what is drawn (no browser) ---------------------------------------------------------


VIEWS = {
    "overview": {},
    "aggregated": {"node_budget": 10},
    "focus": {"focus": "NVIDIA H100", "depth": 2},
    "construct": {"query": MLKG + "CONSTRUCT { ?r mlkg:hardware ?h } WHERE { ?r mlkg:hardware ?h }"},
    "select": {"query": MLKG + "SELECT ?r ?h WHERE { ?r mlkg:hardware ?h }"},
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_page_references_nothing_remote(example_graph, tmp_path, name):
    page = tmp_path / "graph.html"
    write_html(example_graph, page, **VIEWS[name])
    text = page.read_text(encoding="utf-8")
    remote = re.findall(r"""(?:\bsrc|\bhref|\baction)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    remote += re.findall(r"""url\(\s*["']?\s*(?:https?:)?//|@import""", text, re.I)
    assert remote == []
    assert "vis.Network" in text and "<script src" not in text


def test_document_text_is_escaped_in_the_page(xss_graph, tmp_path):
    page = tmp_path / "graph.html"
    write_html(xss_graph, page)
    text = page.read_text(encoding="utf-8")
    assert "<img" not in text
    assert "\\u003cimg src=x onerror=window.pwned=1\\u003e" in text


@pytest.mark.parametrize(
    "depth, expected",
    [
        (0, "SELECT ?x WHERE { VALUES ?x { <%s> } }" % H100),
        (1, "SELECT ?x WHERE { { VALUES ?x { <%s> } } UNION { ?r mlkg:hardware <%s> . BIND(?r AS ?x) }"
            " UNION { <%s> mlkg:manufacturer|mlkg:variantOf ?x } UNION { ?x mlkg:variantOf <%s> } }" % (H100, H100, H100, H100)),
    ],
)
def test_focus_draws_the_neighbourhood(example_graph, tmp_path, depth, expected):
    summary = write_html(example_graph, tmp_path / "g.html", focus="nvidia h100", depth=depth)
    wanted = {row["x"].value for row in example_graph.query(MLKG + expected)}
    assert summary.nodes == len(wanted)


@pytest.mark.parametrize("focus", ["NVIDIA H100", "nvidia h100", H100, f"<{H100}>"])
def test_focus_by_label_or_iri(example_graph, tmp_path, focus):
    assert write_html(example_graph, tmp_path / "g.html", focus=focus, depth=1).nodes == \
        write_html(example_graph, tmp_path / "h.html", focus="NVIDIA H100", depth=1).nodes


def test_deeper_focus_draws_more(example_graph, tmp_path):
    sizes = [write_html(example_graph, tmp_path / f"{d}.html", focus="NVIDIA H100", depth=d).nodes for d in (0, 1, 2)]
    assert sizes[0] == 1 and sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize(
    "focus, hint",
    [("NVIDIA H10", "'NVIDIA H100'"), ("Germny", "'Germany'"), ("https://w3id.org/mlkg/id/model/nothing", "no node with IRI")],
)
def test_unknown_focus_is_explained(example_graph, tmp_path, focus, hint):
    with pytest.raises(VizError, match=re.escape(hint)):
        write_html(example_graph, tmp_path / "g.html", focus=focus)
    assert not (tmp_path / "g.html").exists()


def test_focus_respects_the_budget(example_graph, tmp_path):
    summary = write_html(example_graph, tmp_path / "g.html", focus="NVIDIA H100", depth=2, node_budget=3)
    assert summary.nodes == 3
    assert sum(summary.folded.values()) > 0


def test_construct_draws_its_triples(example_graph, tmp_path):
    triples = list(example_graph.query(VIEWS["construct"]["query"]))
    ends = {t.subject.value for t in triples} | {t.object.value for t in triples}
    summary = write_html(example_graph, tmp_path / "g.html", **VIEWS["construct"])
    assert (summary.nodes, summary.edges) == (len(ends), len({(t.subject, t.object) for t in triples}))


def test_select_draws_the_iris_of_its_rows(example_graph, tmp_path):
    rows = list(example_graph.query(VIEWS["select"]["query"]))
    iris = {row["r"].value for row in rows} | {row["h"].value for row in rows}
    summary = write_html(example_graph, tmp_path / "g.html", **VIEWS["select"])
    assert summary.nodes == len(iris)
    variants = {(r["a"].value, r["b"].value) for r in example_graph.query(MLKG + "SELECT ?a ?b WHERE { ?a mlkg:variantOf ?b }")}
    # the graph's own edges join them: each run to its hardware, and variants to their family
    assert summary.edges == len(rows) + len({(a, b) for a, b in variants if a in iris and b in iris})


@pytest.mark.parametrize(
    "query, message",
    [
        ("ASK { ?s ?p ?o }", "ASK"),
        ("SELECT ?x WHERE {", "parse"),
        ("SELECT ?label WHERE { ?m a mlkg:Model ; rdfs:label ?label }", "no IRIs"),
    ],
)
def test_unusable_queries_are_refused(example_graph, tmp_path, query, message):
    with pytest.raises(VizError, match=message):
        write_html(example_graph, tmp_path / "g.html", query=query)


def test_overview_folds_above_the_budget(example_graph, tmp_path):
    papers = count(example_graph, "?x a mlkg:Paper")
    summary = write_html(example_graph, tmp_path / "g.html", node_budget=10)
    assert summary.nodes <= 10
    assert summary.folded["Paper"] == papers
    assert summary.folded["TrainingRun"] == count(example_graph, "?x a mlkg:TrainingRun")
    text = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert f"{papers:,} papers" in text and "folded" in text


def test_overview_draws_everything_within_the_budget(example_graph, tmp_path):
    nodes = count(example_graph, "?x a ?c FILTER(STRSTARTS(STR(?c), STR(mlkg:)) && ?c NOT IN (mlkg:Mention, mlkg:HardwareUsage))")
    summary = write_html(example_graph, tmp_path / "g.html")
    assert (summary.nodes, summary.folded) == (nodes, {})


# -- in the browser ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_page_draws_offline_without_errors(example_graph, browser, tmp_path, name):
    page = tmp_path / "graph.html"
    summary = write_html(example_graph, page, **VIEWS[name])
    browser.open(page)
    assert browser.js("return window.mlkgNetwork.body.data.nodes.length") == summary.nodes
    assert browser.js("return window.mlkgNetwork.body.data.edges.length") == summary.edges
    assert browser.js("return document.querySelector('canvas') !== null")
    assert browser.js("return performance.getEntriesByType('resource').length") == 0
    assert severe(browser.logs()) == []


def test_aggregated_page_says_what_was_folded(example_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(example_graph, page, node_budget=10)
    browser.open(page)
    note = browser.js("var n = document.getElementById('note'); return n.hidden ? '' : n.textContent")
    papers = count(example_graph, "?x a mlkg:Paper")
    assert f"{papers:,} papers" in note and "training runs" in note and "folded" in note


def test_search_finds_and_selects_a_node(example_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(example_graph, page)
    browser.open(page)
    browser.js(
        "var s = document.getElementById('search'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input')); document.getElementById('search-form').requestSubmit();",
        "nvidia h100",
    )
    assert browser.js("return window.mlkgNetwork.getSelectedNodes()") == [H100]
    assert "NVIDIA H100" in browser.js("return document.getElementById('details').textContent")
    assert "NVIDIA H100" in browser.js("return document.getElementById('matches').textContent")


def test_class_filter_hides_and_shows_nodes(example_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(example_graph, page)
    browser.open(page)
    hidden = "return window.mlkgNodes.get({filter: function (n) { return n.hidden === true; }}).length"
    toggle = "document.querySelector('input[data-cls=\"Hardware\"]').click()"
    browser.js(toggle)
    assert browser.js(hidden) == count(example_graph, "?x a mlkg:Hardware")
    browser.js(toggle)
    assert browser.js(hidden) == 0


def test_document_text_runs_nothing(xss_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(xss_graph, page, title=XSS_LABEL)
    browser.open(page)
    assert browser.js("return typeof window.pwned") == "undefined"
    # the tooltip: hover the node and wait for vis-network's popup
    shown = browser.js(
        """
        var network = window.mlkgNetwork, id = window.mlkgFind(arguments[0])[0];
        var point = network.canvasToDOM(network.getPosition(id));
        var canvas = document.querySelector('#graph canvas'), box = canvas.getBoundingClientRect();
        canvas.dispatchEvent(new PointerEvent('pointermove', {clientX: box.left + point.x, clientY: box.top + point.y, bubbles: true}));
        canvas.dispatchEvent(new MouseEvent('mousemove', {clientX: box.left + point.x, clientY: box.top + point.y, bubbles: true}));
        return id;
        """,
        XSS_LABEL,
    )
    assert shown
    time.sleep(0.6)
    tooltip = browser.js("var t = document.querySelector('div.vis-tooltip'); return t ? t.textContent : ''")
    assert XSS_LABEL in tooltip
    assert browser.js("return typeof window.pwned") == "undefined"
    assert browser.js("return document.querySelectorAll('img').length") == 0
    for where in ("details", "matches"):
        assert XSS_LABEL in browser.js(f"return document.getElementById('{where}').textContent")
    assert browser.js("return document.title") == XSS_LABEL
    assert severe(browser.logs()) == []
