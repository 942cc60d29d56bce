"""The chart page (kg/charts.py, `kg report`), opened in headless Chromium with no network.

Checks that it loads from a file, draws its four charts with their marks,
logs no errors, reaches for nothing outside, runs nothing a model's name
carries, and that its numbers are the store's, each run counted once.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.charts import chart_data
from kg.cli import app
from kg.query import named_query, rows, run_query
from kg.restatements import AS_RUN
from kg.sparql import fill
from kg.store import KnowledgeGraph
from support.webdriver import Browser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# (no bare <word> in it: that would be read as a tag, and spoil the <model> tag around it)
HOSTILE = '<img src=x onerror="window.injected=1">Evil</script ><a href="javascript:window.injected=2">x</a >'


@pytest.fixture(scope="module")
def browser():
    b = Browser(window="1400,1000")
    yield b
    b.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    extra = folder / "extra.jsonl"
    extra.write_text(
        json.dumps(
            {
                "id": "hostile",
                "text": f"<model>{HOSTILE}</model> (<params>7B</params>) needed "
                "<training>3e22 FLOPs</training> in <country>France</country> in <year>2024</year>.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = folder / "out"
    result = CliRunner().invoke(
        app, ["build", str(EXAMPLES / "papers"), str(EXAMPLES / "papers.jsonl"), str(extra), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


def drawn(browser: Browser, page: Path) -> dict:
    browser.open(page.as_uri())
    for _ in range(100):
        if browser.js("return document.body && document.body.getAttribute('data-drawn')"):
            break
        time.sleep(0.1)
    return browser.js("""
        const charts = [...document.querySelectorAll('section')].map(s => ({
          title: s.querySelector('h2').textContent,
          marks: s.querySelectorAll('.point, .bars path').length,
          empty: s.querySelector('.empty') ? s.querySelector('.empty').textContent : null}));
        return {charts, injected: window.injected || null,
                images: document.querySelectorAll('img').length,
                resources: performance.getEntriesByType('resource').map(r => r.name)};""")


def test_the_build_writes_the_chart_page_beside_the_graph(built: Path) -> None:
    assert (built / "report.html").is_file() and (built / "graph.html").is_file()


def test_the_page_draws_four_charts_offline_with_no_errors(browser: Browser, built: Path) -> None:
    page = drawn(browser, built / "report.html")
    assert [c["title"] for c in page["charts"]] == [
        "Training compute of each run",
        "Accelerator-hours by country",
        "Accelerators' share of training runs, by year",
        "Model size over time",
    ]
    assert all(c["marks"] > 0 and c["empty"] is None for c in page["charts"]), page["charts"]
    assert page["resources"] == []  # nothing fetched: plotly.js and the data are in the page
    errors = [entry for entry in browser.logs() if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_a_model_name_with_markup_is_shown_as_text_and_runs_nothing(browser: Browser, built: Path) -> None:
    page = drawn(browser, built / "report.html")
    assert page["injected"] is None and page["images"] == 0
    # its point is drawn; hovering it would show the name as written
    data = json.loads(
        (built / "report.html")
        .read_text(encoding="utf-8")
        .split('<script type="application/json" id="mlkg-data">')[1]
        .split("</script>")[0]
    )
    names = [cell[0] for trace in data[0]["data"] for cell in trace["customdata"]]
    assert any("&lt;img src=x" in name for name in names) and not any("<img" in name for name in names)


def test_the_charts_show_the_store_s_numbers_each_run_once(built: Path) -> None:
    kg = KnowledgeGraph(built, read_only=True)
    data = chart_data(kg)
    by_year = rows(run_query(kg, named_query("compute-by-year").text))[1]
    assert len(data.runs) == sum(int(row[1]) for row in by_year)
    hours = {row[0]: float(row[1]) for row in rows(run_query(kg, named_query("gpu-hours-by-country").text))[1]}
    assert {c["country"]: c["hours"] for c in data.countries} == pytest.approx(hours)
    per_year = {int(row[0]): int(row[1]) for row in rows(run_query(kg, named_query("runs-per-year").text))[1]}
    assert {s["year"] for s in data.shares} <= set(per_year)
    # every run with an accelerator and a year is in the share chart once per accelerator it used,
    # counted here from the runs themselves (the chart reads the running totals)
    counted = {
        (int(r["year"].value), r["hardware"].value): int(r["runs"].value)
        for r in kg.query(
            fill(
                """SELECT ?year ?hardware (COUNT(DISTINCT ?r) AS ?runs) WHERE {
                  { SELECT DISTINCT ?r ?year WHERE { ?run mlkg:year ?y . ?y mlkg:yearValue ?year . $as_run } }
                  { SELECT DISTINCT ?r ?hw WHERE { ?run mlkg:hardware ?hw . $as_run } }
                  { SELECT ?hw (MIN(STR(?l)) AS ?hardware) WHERE { ?hw a mlkg:Hardware ; rdfs:label ?l } GROUP BY ?hw }
                } GROUP BY ?year ?hardware""",
                as_run=AS_RUN,
            )
        )
    }
    assert counted and {(s["year"], s["hardware"]): s["runs"] for s in data.shares} == counted


def test_a_store_with_nothing_to_chart_says_so(browser: Browser, tmp_path: Path) -> None:
    paper = tmp_path / "bare.txt"
    paper.write_text("<model>Bare</model> was trained.", encoding="utf-8")
    assert build([str(paper)], tmp_path / "out", jobs=1, exports=[]).exit_code == 0
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    page = drawn(browser, tmp_path / "r.html")
    assert all(c["empty"] and c["empty"].startswith("No ") for c in page["charts"])


def test_report_refuses_a_folder_as_its_file(built: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--out", str(built), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder" in result.output and "Traceback" not in result.output


def test_a_scatter_keeps_the_largest_points_and_says_how_many_it_left_out(built: Path, monkeypatch) -> None:
    import kg.charts as charts

    everything = chart_data(KnowledgeGraph(built, read_only=True))
    monkeypatch.setattr(charts, "MAX_POINTS", 5)
    capped = chart_data(KnowledgeGraph(built, read_only=True))
    assert len(capped.runs) == 5 and capped.run_count == len(everything.runs) > 5
    assert sorted(r["flop"] for r in capped.runs) == sorted(r["flop"] for r in everything.runs)[-5:]
    title = charts.figures(capped)[0]["title"]
    assert title == f"Training compute of each run (the 5 largest of {len(everything.runs):,})"
