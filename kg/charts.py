"""The analyst's charts: one self-contained, offline HTML page drawn with Plotly.

Four charts read from the store (each run counted once, docs/attribution.md):
training compute of each run over time, accelerator-hours by country,
accelerators' share of runs by year, and model size over time. The page
carries plotly.js inline and a strict Content-Security-Policy (the scripts
by hash, no network at all); the data is JSON inside a script element that
no value can close, and every value that Plotly shows is entity-escaped
first, because Plotly reads a few HTML tags (``<b>``, ``<a href>``) in text.
"""

from __future__ import annotations

import heapq
import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .files import write_atomic
from .pages import render, static_text
from .query import named_query
from .restatements import AS_RUN
from .sparql import fill
from .store import KnowledgeGraph
from .totals import require_trusted

#: accelerators drawn by name in the share chart; the rest are "other"
TOP_ACCELERATORS = 8
#: points drawn in a scatter chart at most (the page stays a few MB on a million papers)
MAX_POINTS = 20_000

RUNS_WITH_COMPUTE = fill(
    """
SELECT ?r (MAX(?f) AS ?flop) (SAMPLE(?name) AS ?model) (MIN(?id) AS ?paper) (MIN(?yearValue) AS ?year)
       (SAMPLE(?methodNode) AS ?method)
WHERE {
  ?run mlkg:trainingCompute ?f ; mlkg:computeMethod ?methodNode ; mlkg:trainedModel ?m ; mlkg:year ?y .
  ?y mlkg:yearValue ?yearValue .
  ?m skos:prefLabel ?name .
  ?p mlkg:reports ?run ; mlkg:paperId ?id .
  $as_run
}
GROUP BY ?r""",
    as_run=AS_RUN,
)

#: read from the running totals (each run counted once per accelerator it used)
RUNS_BY_YEAR_AND_ACCELERATOR = """
SELECT ?year ?hardware ?runs
WHERE {
  GRAPH ?totals {
    ?o qb:dataSet mlkg:runsByHardwareAndYear ; mlkg:forHardware ?hw ; mlkg:forYear ?y ; mlkg:runCount ?runs .
    FILTER(?runs > 0)
  }
  ?y mlkg:yearValue ?year .
  { SELECT ?hw (MIN(STR(?l)) AS ?hardware) WHERE { ?hw a mlkg:Hardware ; rdfs:label ?l } GROUP BY ?hw }
}
ORDER BY ?year ?hardware"""

#: each part aggregated per model first: a model named by thousands of papers
#: would otherwise join each paper's size with each run's year
SIZES_OVER_TIME = """
SELECT ?model ?parameters ?year
WHERE {
  { SELECT ?m (MAX(?n) AS ?parameters) WHERE { ?m mlkg:parameterCount ?n } GROUP BY ?m }
  { SELECT ?m (MIN(?yearValue) AS ?year) WHERE { ?run mlkg:trainedModel ?m ; mlkg:year ?y . ?y mlkg:yearValue ?yearValue }
    GROUP BY ?m }
  ?m skos:prefLabel ?model .
}
ORDER BY ?year ?model"""


def _text(value: str) -> str:
    """A value as Plotly should show it: its characters, never markup."""
    return html.escape(value, quote=True)


@dataclass
class ChartData:
    """What the four charts draw, read from a store."""

    runs: list[dict]
    countries: list[dict]
    shares: list[dict]
    sizes: list[dict]
    #: how many runs and models there were before the scatter charts kept the largest
    run_count: int = 0
    size_count: int = 0


def chart_data(kg: KnowledgeGraph) -> ChartData:
    require_trusted(kg, "the chart page")  # two of its charts are running totals
    # sorted here: the store's ORDER BY took half the query's time (9.7 -> 5.4 s at 100,000 papers)
    found = sorted(kg.query(RUNS_WITH_COMPUTE), key=lambda r: (int(r["year"].value), r["r"].value))
    runs = [
        {
            "year": int(r["year"].value),
            "flop": float(r["flop"].value),
            "model": r["model"].value,
            "paper": r["paper"].value,
            "method": r["method"].value.rsplit("#", 1)[-1],
        }
        for r in found
    ]
    countries = [
        {"country": r["country"].value, "hours": float(r["acceleratorHours"].value), "runs": int(r["runs"].value)}
        for r in kg.query(named_query("gpu-hours-by-country").text)
    ]
    shares = [
        {"year": int(r["year"].value), "hardware": r["hardware"].value, "runs": int(r["runs"].value)}
        for r in kg.query(RUNS_BY_YEAR_AND_ACCELERATOR)
    ]
    sizes = [
        {"year": int(r["year"].value), "parameters": int(r["parameters"].value), "model": r["model"].value}
        for r in kg.query(SIZES_OVER_TIME)
    ]
    return ChartData(_largest(runs, "flop"), countries, shares, _largest(sizes, "parameters"), len(runs), len(sizes))


def _largest(points: list[dict], key: str) -> list[dict]:
    """At most MAX_POINTS points, the largest by *key*, in their order."""
    if len(points) <= MAX_POINTS:
        return points
    kept = {id(p) for p in heapq.nlargest(MAX_POINTS, points, key=lambda p: p[key])}
    return [p for p in points if id(p) in kept]


def _empty(title: str, what: str) -> dict:
    return {"title": title, "empty": f"No {what} yet."}


def figures(data: ChartData) -> list[dict]:
    """The four charts as Plotly figures (data and layout), or a note where there is nothing to draw."""
    font = {"family": "system-ui, sans-serif", "size": 13}
    charts: list[dict[str, Any]] = []

    title = "Training compute of each run"
    if data.run_count > len(data.runs):
        title += f" (the {len(data.runs):,} largest of {data.run_count:,})"
    if data.runs:
        methods = sorted({r["method"] for r in data.runs})
        traces = []
        for method in methods:
            runs = [r for r in data.runs if r["method"] == method]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": _text(method),
                    "x": [r["year"] for r in runs],
                    "y": [r["flop"] for r in runs],
                    "customdata": [[_text(r["model"]), _text(r["paper"])] for r in runs],
                    "hovertemplate": "%{customdata[0]}<br>paper %{customdata[1]}<br>%{y:.3g} FLOP, %{x}<extra></extra>",
                    "marker": {"size": 9, "opacity": 0.75},
                }
            )
        charts.append(
            {
                "title": title,
                "data": traces,
                "layout": {
                    "xaxis": {"title": {"text": "year"}, "dtick": 1},
                    "yaxis": {"title": {"text": "training compute (FLOP)"}, "type": "log", "exponentformat": "power"},
                    "legend": {"title": {"text": "method"}},
                },
            }
        )
    else:
        charts.append(_empty(title, "runs with a training compute figure and a year"))

    title = "Accelerator-hours by country"
    if data.countries:
        shown = data.countries[:25]
        charts.append(
            {
                "title": title,
                "data": [
                    {
                        "type": "bar",
                        "orientation": "h",
                        "y": [_text(c["country"]) for c in shown][::-1],
                        "x": [c["hours"] for c in shown][::-1],
                        "customdata": [c["runs"] for c in shown][::-1],
                        "hovertemplate": "%{y}: %{x:,.0f} accelerator-hours (%{customdata} runs)<extra></extra>",
                    }
                ],
                "layout": {"xaxis": {"title": {"text": "accelerator-hours"}}, "margin": {"l": 160}},
            }
        )
    else:
        charts.append(_empty(title, "runs with accelerator-hours and a country"))

    title = "Accelerators' share of training runs, by year"
    if data.shares:
        totals: dict[str, int] = {}
        for s in data.shares:
            totals[s["hardware"]] = totals.get(s["hardware"], 0) + s["runs"]
        top = sorted(totals, key=lambda h: (-totals[h], h))[:TOP_ACCELERATORS]
        years = sorted({s["year"] for s in data.shares})
        counts: dict[tuple[str, int], int] = {}
        for s in data.shares:
            name = s["hardware"] if s["hardware"] in top else "other"
            counts[(name, s["year"])] = counts.get((name, s["year"]), 0) + s["runs"]
        traces = [
            {
                "type": "bar",
                "name": _text(name),
                "x": years,
                "y": [counts.get((name, y), 0) for y in years],
                "hovertemplate": f"{_text(name)}: %{{y}} runs in %{{x}}<extra></extra>",
            }
            for name in top + (["other"] if len(totals) > len(top) else [])
        ]
        charts.append(
            {
                "title": title,
                "data": traces,
                "layout": {
                    "barmode": "stack",
                    "barnorm": "percent",
                    "xaxis": {"title": {"text": "year"}, "dtick": 1},
                    "yaxis": {"title": {"text": "share of runs (%)"}},
                },
            }
        )
    else:
        charts.append(_empty(title, "runs with an accelerator and a year"))

    title = "Model size over time"
    if data.size_count > len(data.sizes):
        title += f" (the {len(data.sizes):,} largest models of {data.size_count:,})"
    if data.sizes:
        charts.append(
            {
                "title": title,
                "data": [
                    {
                        "type": "scatter",
                        "mode": "markers",
                        "x": [s["year"] for s in data.sizes],
                        "y": [s["parameters"] for s in data.sizes],
                        "customdata": [_text(s["model"]) for s in data.sizes],
                        "hovertemplate": "%{customdata}: %{y:.3s} parameters (%{x})<extra></extra>",
                        "marker": {"size": 9, "opacity": 0.75},
                    }
                ],
                "layout": {
                    "xaxis": {"title": {"text": "year"}, "dtick": 1},
                    "yaxis": {"title": {"text": "parameters"}, "type": "log", "exponentformat": "power"},
                },
            }
        )
    else:
        charts.append(_empty(title, "models with a parameter count and a year"))

    for chart in charts:
        if "layout" in chart:
            chart["layout"].update(
                {"font": font, "height": 420, "margin": {"t": 20, **chart["layout"].get("margin", {})}}
            )
    return charts


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_report(data: ChartData, title: str = "mlkg: training compute and hardware") -> str:
    """The page: our template, plotly.js inline, the figures as JSON."""
    plotly_js, app_js = _plotly_js(), static_text("report.js")
    summary = f"{len(data.runs):,} runs with training compute · {len(data.sizes):,} models with a size"
    return render("report.html", title, figures(data), plotly_js, app_js, {"SUMMARY": html.escape(summary)})


def write_report(kg: KnowledgeGraph, path: str | Path) -> Path:
    """Write the chart page to *path* (atomically); returns the path."""
    path = Path(path)
    write_atomic(path, render_report(chart_data(kg)))
    return path
