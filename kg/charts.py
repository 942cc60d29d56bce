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
from .tally import PaperFacts, RunFacts, Tally
from .totals import require_trusted

#: accelerators drawn by name in the share chart; the rest are "other"
TOP_ACCELERATORS = 8
#: points drawn in a scatter chart at most (the page stays a few MB on a million papers)
MAX_POINTS = 20_000

RUNS_WITH_COMPUTE = fill(
    """
SELECT ?r (MAX(?f) AS ?flop) (SAMPLE(?name) AS ?model) (MIN(?id) AS ?paper) (MIN(?yearValue) AS ?year)
       (MIN(STR(?methodNode)) AS ?method)
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
ORDER BY ?year ?model ?m"""


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
    """The four charts' data, read from the store (``kg report``, a build into a store that held papers)."""
    require_trusted(kg, "the chart page")  # two of its charts are running totals
    # sorted here: the store's ORDER BY took half the query's time (9.7 -> 5.4 s at 100,000 papers)
    found = sorted(kg.query(RUNS_WITH_COMPUTE), key=lambda r: (int(r["year"].value), r["r"].value))
    runs = [
        _point(
            int(r["year"].value),
            float(r["flop"].value),
            r["model"].value,
            r["paper"].value,
            r["method"].value.rsplit("#", 1)[-1],
        )
        for r in found
    ]
    sizes = [
        {"year": int(r["year"].value), "parameters": int(r["parameters"].value), "model": r["model"].value}
        for r in kg.query(SIZES_OVER_TIME)
    ]
    return ChartData(
        _largest(runs, "flop"), _countries(kg), _shares(kg), _largest(sizes, "parameters"), len(runs), len(sizes)
    )


def _point(year: int, flop: float, model: str, paper: str, method: str) -> dict:
    return {"year": year, "flop": flop, "model": model, "paper": paper, "method": method}


def _countries(kg: KnowledgeGraph) -> list[dict]:
    """Accelerator-hours by country, from the running totals (a few hundred observations)."""
    return [
        {"country": r["country"].value, "hours": float(r["acceleratorHours"].value), "runs": int(r["runs"].value)}
        for r in kg.query(named_query("gpu-hours-by-country").text)
    ]


def _shares(kg: KnowledgeGraph) -> list[dict]:
    """Runs by year and accelerator, from the running totals."""
    return [
        {"year": int(r["year"].value), "hardware": r["hardware"].value, "runs": int(r["runs"].value)}
        for r in kg.query(RUNS_BY_YEAR_AND_ACCELERATOR)
    ]


def year_value(iri: str) -> int:
    """The year a year node stands for (``.../year/2021`` -> 2021, see :meth:`kg.terms.Iris.year`)."""
    return int(iri.rsplit("/", 1)[1])


def _entry(run: RunFacts, paper_id: str) -> tuple | None:
    """(flop, run IRI, year, method, paper id, model) of a report the runs chart can draw, else None."""
    if not run.model or not run.years or run.training_compute is None or not run.method:
        return None
    return (
        float(run.training_compute),
        run.iri,
        min(year_value(y) for y in run.years),
        run.method,
        paper_id,
        run.model,
    )


class KeptCharts:
    """The two scatter charts' data, kept from a build's papers as they pass the loader.

    Read from the store, the runs and the model sizes take two queries
    across every paper's graph: 218 s of a million-paper build. A build into
    an empty store sees every run anyway, so it keeps the largest runs (a
    bounded heap of reports, by training compute), how many there are, and
    each model's first year; the charts then equal :func:`chart_data`'s,
    which the tests check on real builds. The other two charts read the
    running totals, a few hundred observations, and are still queried.
    """

    def __init__(self, limit: int | None = None) -> None:
        #: reports kept: twice the points drawn, so that reports merged into one run leave enough others
        self.limit = limit if limit is not None else 2 * MAX_POINTS
        #: (flop, run IRI, year, method, paper id, model) of the reports with the most compute
        self.heap: list[tuple] = []
        #: model -> reports with compute and a year
        self.reports: dict[str, int] = {}
        #: model -> the earliest year of any of its runs
        self.first_year: dict[str, int] = {}
        #: run IRI (its first report's) -> the point of a run several reports merged into, and the reports
        self.merged: dict[str, tuple[tuple | None, list[str]]] = {}

    def add(self, paper: PaperFacts, paper_id: str) -> None:
        for run in paper.runs:
            if run.model and run.years:
                year = min(year_value(y) for y in run.years)
                if year < self.first_year.get(run.model, year + 1):
                    self.first_year[run.model] = year
            entry = _entry(run, paper_id)
            if entry is None:
                continue
            self.reports[run.model] = self.reports.get(run.model, 0) + 1
            if len(self.heap) < self.limit:
                heapq.heappush(self.heap, entry)
            elif entry[0] > self.heap[0][0]:
                heapq.heapreplace(self.heap, entry)

    def merge(self, members: list[RunFacts]) -> None:
        """One run several reports describe (in IRI order, as :meth:`Reported.restate` gives them)."""
        first = members[0].iri
        entries = [e for e in (_entry(m, m.paper) for m in members) if e is not None]
        point = None
        if entries:
            # as RUNS_WITH_COMPUTE aggregates: the most compute, the earliest year and paper, the least method
            point = (
                max(e[0] for e in entries),
                first,
                min(e[2] for e in entries),
                min(e[3] for e in entries),
                min(e[4] for e in entries),
                entries[0][5],
            )
            self.reports[point[5]] -= len(entries) - 1
        self.merged[first] = (point, [m.iri for m in members])

    def data(self, kg: KnowledgeGraph, tally: Tally, names: dict[str, str]) -> ChartData | None:
        """The charts' data, or None when the heap cannot tell the largest runs apart (then query the store).

        *names*: each named model's name; *tally*: the build's totals, whose
        parameter counts give each model's largest size and whose labels
        name the unnamed models (their paper's label is their skos:prefLabel).
        """
        names = {**tally.names, **names}
        in_merged = {iri for _, members in self.merged.values() for iri in members}
        candidates = [e for e in self.heap if e[1] not in in_merged]
        candidates += [point for point, _ in self.merged.values() if point is not None]
        candidates = [e for e in candidates if e[5] in names]
        run_count = sum(n for model, n in self.reports.items() if model in names)
        if len(self.heap) == self.limit:
            # every report with more compute than the heap's least is in it: the points are
            # exact when at least MAX_POINTS runs have more than that
            floor = self.heap[0][0]
            if sum(1 for e in candidates if e[0] > floor) < min(MAX_POINTS, run_count):
                return None
        candidates.sort(key=lambda e: (e[2], e[1]))
        runs = [_point(e[2], e[0], names[e[5]], e[4], e[3]) for e in candidates]
        largest: dict[str, int] = {}
        for key, values in tally.values.items():
            if key[0] == "model-parameters" and values[0] > 0 and key[2] > largest.get(key[1], -1):
                largest[key[1]] = key[2]
        found = sorted(
            (self.first_year[m], names[m], m, n) for m, n in largest.items() if m in self.first_year and m in names
        )
        sizes = [{"year": year, "parameters": n, "model": name} for year, name, _, n in found]
        return ChartData(
            _largest(runs, "flop"), _countries(kg), _shares(kg), _largest(sizes, "parameters"), run_count, len(sizes)
        )


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


def write_report(kg: KnowledgeGraph, path: str | Path, data: ChartData | None = None) -> Path:
    """Write the chart page to *path* (atomically), from *data* if the build kept it; returns the path."""
    path = Path(path)
    write_atomic(path, render_report(data or chart_data(kg)))
    return path
