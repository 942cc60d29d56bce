"""The interactive HTML view: what it draws, and how it behaves in a real browser.

Browser tests drive Chromium through chromedriver's W3C WebDriver HTTP API
(stdlib urllib only), with every network request sent to a dead proxy.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.run_counts import FactCounts, TotalCounts, run_counts
from kg.stats import compute_stats
from kg.store import KnowledgeGraph
from kg.totals import TOTALS_STALE_FILE
from kg.viz import VizError, write_html
from kg.viz.values import readable

from support.webdriver import Browser

XSS_LABEL = "<img src=x onerror=window.pwned=1>"
XSS_DOC = (
    f"<model>{XSS_LABEL}</model> is a small model with <params>7B</params> parameters. "
    "We trained it on <gpu_count>8</gpu_count> <hardware>H100 GPUs</hardware> for "
    "<training>3 days</training> in <country>France</country> in <year>2024</year>.\n"
)
MLKG = "PREFIX mlkg: <https://w3id.org/mlkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
H100 = "https://w3id.org/mlkg/id/hardware/nvidia-h100"
CARD_DOC = (
    "We present <model>Kite-7B</model>, a model with <params>6.7B</params> parameters. "
    "It was trained on <gpu_count>512</gpu_count> <hardware>A100 GPUs</hardware> for <training>3.5 months</training>. "
    "The work was done in <country>Germany</country> in <year>2023</year>.\n"
)


def count(kg: KnowledgeGraph, where: str) -> int:
    row = next(iter(kg.query(MLKG + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")))
    return int(row["n"].value)


def one_paper(tmp_path_factory, name: str, text: str) -> KnowledgeGraph:
    """A store built from one paper."""
    root = tmp_path_factory.mktemp(name)
    (root / "papers").mkdir()
    (root / "papers" / f"{name}.txt").write_text(text, encoding="utf-8")
    build([str(root / "papers")], root / "out", jobs=1, exports=[])
    return KnowledgeGraph(root / "out", read_only=True)


@pytest.fixture(scope="session")
def xss_graph(tmp_path_factory):
    return one_paper(tmp_path_factory, "xss", XSS_DOC)


@pytest.fixture(scope="session")
def card_graph(tmp_path_factory):
    return one_paper(tmp_path_factory, "kite", CARD_DOC)


@pytest.fixture(scope="session")
def papers_graph(tmp_path_factory):
    """About 150 nodes: 28 generated papers with their runs, models and shared catalogue nodes."""
    root = tmp_path_factory.mktemp("papers28")
    corpus = root / "corpus.jsonl"
    generator = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
    subprocess.run(
        [sys.executable, str(generator), "28", "--out", str(corpus), "--seed", "3"], check=True, capture_output=True
    )
    build([str(corpus)], root / "out", jobs=1, exports=[])
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
        (
            1,
            "SELECT ?x WHERE { { VALUES ?x { <%s> } } UNION { ?r mlkg:hardware <%s> . BIND(?r AS ?x) }"
            " UNION { <%s> mlkg:manufacturer|mlkg:variantOf ?x } UNION { ?x mlkg:variantOf <%s> } }"
            % (H100, H100, H100, H100),
        ),
    ],
)
def test_focus_draws_the_neighbourhood(example_graph, tmp_path, depth, expected):
    summary = write_html(example_graph, tmp_path / "g.html", focus="nvidia h100", depth=depth)
    wanted = {row["x"].value for row in example_graph.query(MLKG + expected)}
    assert summary.nodes == len(wanted)


@pytest.mark.parametrize("focus", ["NVIDIA H100", "nvidia h100", H100, f"<{H100}>"])
def test_focus_by_label_or_iri(example_graph, tmp_path, focus):
    assert (
        write_html(example_graph, tmp_path / "g.html", focus=focus, depth=1).nodes
        == write_html(example_graph, tmp_path / "h.html", focus="NVIDIA H100", depth=1).nodes
    )


def test_deeper_focus_draws_more(example_graph, tmp_path):
    sizes = [write_html(example_graph, tmp_path / f"{d}.html", focus="NVIDIA H100", depth=d).nodes for d in (0, 1, 2)]
    assert sizes[0] == 1 and sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize(
    "focus, hint",
    [
        ("NVIDIA H10", "'NVIDIA H100'"),
        ("Germny", "'Germany'"),
        ("https://w3id.org/mlkg/id/model/nothing", "no node with IRI"),
    ],
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
    variants = {
        (r["a"].value, r["b"].value) for r in example_graph.query(MLKG + "SELECT ?a ?b WHERE { ?a mlkg:variantOf ?b }")
    }
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
    nodes = count(
        example_graph, "?x a ?c FILTER(STRSTARTS(STR(?c), STR(mlkg:)) && ?c NOT IN (mlkg:Mention, mlkg:HardwareUsage))"
    )
    summary = write_html(example_graph, tmp_path / "g.html")
    assert (summary.nodes, summary.folded) == (nodes, {})


@pytest.mark.parametrize(
    "value, kind, unit, shown",
    [
        ("P106DT12H41M51S", "duration", "", "3.5 months (2,557 h)"),
        ("P27D", "duration", "", "27 days (648 h)"),
        ("PT1H30M", "duration", "", "1.5 h"),
        ("PT30M", "duration", "", "30 min"),
        ("P800D", "duration", "", "2.2 years (19,200 h)"),
        ("P1M", "duration", "", "P1M"),  # months are never written: shown as it is
        ("soon", "duration", "", "soon"),
        (36.0, "hours", "", "36 h"),
        (24 * 30.436875, "hours", "", "30.4 days (730 h)"),
        (24 * 3 * 30.436875, "hours", "", "3 months (2,191 h)"),
        (6_700_000_000, "count", "", "6.7 billion (6,700,000,000)"),
        (175_000_000_000, "count", "", "175 billion (175,000,000,000)"),
        (1_500_000_000_000, "count", "", "1.5 trillion (1,500,000,000,000)"),
        (999_960_000_000, "count", "", "1 trillion (999,960,000,000)"),
        (125_000_000, "count", "", "125 million (125,000,000)"),
        (950, "count", "", "950"),
        (6.3e22, "scientific", "FLOP", "6.3 × 10²² FLOP"),
        (9.999e22, "scientific", "FLOP", "1 × 10²³ FLOP"),
        (9.89e14, "scientific", "FLOP/s", "9.89 × 10¹⁴ FLOP/s"),
        (5000.0, "scientific", "FLOP", "5,000 FLOP"),
        (165888.0, "number", "", "165,888"),
        (1309029.12, "number", "", "1,309,029"),
        (80.0, "number", "GB", "80 GB"),
        (0.4, "number", "", "0.4"),
        (2023, "plain", "", "2023"),
        (True, "", "", "yes"),
        ("GPU", "text", "", "GPU"),
    ],
)
def test_values_read_as_a_person_reads_them(value, kind, unit, shown):
    assert readable(value, kind, unit) == shown


def test_stats_and_the_page_count_through_one_provider(example_build, tmp_path):
    out, _ = example_build
    kg = KnowledgeGraph(out, read_only=True)
    assert type(run_counts(kg)) is TotalCounts
    trusted_stats, trusted_page = compute_stats(kg), write_html(kg, tmp_path / "a.html", node_budget=10)
    (out / TOTALS_STALE_FILE).touch()
    try:
        assert type(run_counts(kg)) is FactCounts
        assert compute_stats(kg) == trusted_stats
        assert write_html(kg, tmp_path / "b.html", node_budget=10) == trusted_page
    finally:
        (out / TOTALS_STALE_FILE).unlink()


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


def open_card(browser, page: Path, label: str) -> dict:
    """Select the node with *label* and read its card in the side panel."""
    browser.open(page)
    assert browser.js("return window.mlkgFind(arguments[0]).length", label) >= 1
    return browser.js(
        """
        var box = document.getElementById('details');
        var named = {}, facts = {};
        box.querySelectorAll('dl').forEach(function (dl) {
          var into = dl.classList.contains('tip-named') ? named : facts;
          dl.querySelectorAll('dt').forEach(function (dt) {
            into[dt.textContent] = (into[dt.textContent] ? into[dt.textContent] + '; ' : '') + dt.nextElementSibling.textContent;
          });
        });
        return {
          text: box.textContent, named: named, facts: facts,
          marks: Array.from(box.querySelectorAll('mark')).map(function (m) { return [m.title, m.textContent]; }),
          sentences: Array.from(box.querySelectorAll('blockquote')).map(function (q) {
            return Array.from(q.childNodes).filter(function (c) { return c.nodeName !== 'SUB'; })
              .map(function (c) { return c.textContent; }).join('');
          })
        };
        """
    )


def test_run_card_names_its_nodes_and_shows_each_fact_in_its_own_words(card_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(card_graph, page)
    card = open_card(browser, page, "training run reported in kite")
    assert card["named"] == {"model": "Kite-7B", "hardware": "512 × NVIDIA A100", "country": "Germany", "year": "2023"}
    assert card["facts"]["training time"] == "3.5 months (2,557 h)"
    assert card["facts"]["accelerators"] == "512"
    assert re.fullmatch(r"[\d.]+ × 10²³ FLOP", card["facts"]["training compute"])
    assert re.fullmatch(r"\d{1,3}(,\d{3})+ \(computed\)", card["facts"]["accelerator-hours"])
    assert "P106D" not in card["text"] and "E+" not in card["text"]
    # each fact marked in its own sentence, and each sentence shown once
    assert card["marks"] == [
        ["model", "Kite-7B"],
        ["accelerators", "512"],
        ["hardware", "A100 GPUs"],
        ["training time", "3.5 months"],
        ["country", "Germany"],
        ["year", "2023"],
    ]
    assert card["sentences"] == [
        "We present Kite-7B, a model with 6.7B parameters.",
        "It was trained on 512 A100 GPUs for 3.5 months.",
        "The work was done in Germany in 2023.",
    ]
    assert severe(browser.logs()) == []


def test_model_card_reads_its_size(card_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(card_graph, page)
    card = open_card(browser, page, "Kite-7B")
    assert card["facts"] == {"parameters": "6.7 billion (6,700,000,000)"}
    assert card["marks"] == [["parameters", "6.7B"]]


LABELS = """
var net = window.mlkgNetwork;
return window.mlkgNodes.get().map(function (n) { return [n.id, n.cls, n.label, n.shortLabel, n.labelZoom]; });
"""


def test_labels_show_by_zoom_and_importance(papers_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    summary = write_html(papers_graph, page)
    assert 120 <= summary.nodes <= 180
    browser.open(page)
    scale = browser.js("return window.mlkgNetwork.getScale()")
    nodes = browser.js(LABELS)
    local = [n for n in nodes if n[1] in ("Paper", "TrainingRun")]
    always = [n for n in nodes if n[4] == 0]
    assert scale < 0.9 and local and 0 < len(always) <= 40
    # the whole graph in view: papers' and runs' labels hidden, the most shared nodes' shown
    assert all(n[2] == "" for n in local)
    assert all(n[2] == n[3] != "" for n in always)
    assert {n[1] for n in always} >= {"Hardware", "Country", "Year"}
    # zoomed in on a paper with the mouse wheel, as a reader does: its label shows
    paper = next(n for n in local if n[1] == "Paper")
    browser.js(
        """
        var net = window.mlkgNetwork, point = net.canvasToDOM(net.getPosition(arguments[0]));
        var canvas = document.querySelector('#graph canvas'), box = canvas.getBoundingClientRect();
        for (var k = 0; k < 25; k++) {
          canvas.dispatchEvent(new WheelEvent('wheel', {clientX: box.left + point.x, clientY: box.top + point.y,
                                                         deltaY: -120, bubbles: true, cancelable: true}));
        }
        """,
        paper[0],
    )
    assert browser.js("return window.mlkgNetwork.getScale()") >= 0.9
    labels = {n[0]: n[2] for n in browser.js(LABELS)}
    assert labels[paper[0]] == paper[3]
    assert severe(browser.logs()) == []


def test_layout_keeps_papers_apart_from_shared_nodes(papers_graph, browser, tmp_path):
    page = tmp_path / "graph.html"
    write_html(papers_graph, page)
    browser.open(page)
    placed = browser.js(
        """
        var net = window.mlkgNetwork, ns = window.mlkgNodes.get(), pos = net.getPositions();
        var boxes = ns.filter(function (n) { return n.label !== ''; }).map(function (n) { return net.getBoundingBox(n.id); });
        var overlaps = 0;
        for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
          var p = boxes[i], q = boxes[j];
          if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) { overlaps++; }
        }
        return {overlaps: overlaps, labelled: boxes.length,
                nodes: ns.map(function (n) { return [n.cls, n.labelZoom, pos[n.id].x, pos[n.id].y]; })};
        """
    )
    # no two nodes on top of each other, and labels shown at the first view barely touch
    points = placed["nodes"]
    closest = min(math.dist(a[2:], b[2:]) for i, a in enumerate(points) for b in points[i + 1 :])
    assert closest >= 30
    assert placed["overlaps"] <= placed["labelled"] // 10
    # papers sit in their own groups, away from every shared node
    papers = [p for p in points if p[0] == "Paper"]
    shared = [p for p in points if p[1] < 0.9 and p[0] not in ("Paper", "TrainingRun")]
    assert min(math.dist(p[2:], s[2:]) for p in papers for s in shared) >= 60
    assert browser.js("return window.mlkgNetwork.physics.physicsEnabled") is False
