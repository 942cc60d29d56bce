"""The running totals as pure values: what each run and paper adds, summed, and written as observations.

Mapping workers count what a paper contributes (:class:`PaperFacts`) while
they map it, so this module holds nothing that reads or writes the store;
keeping the stored totals current is :mod:`kg.totals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from sys import intern
from typing import Iterable, Iterator

from pyoxigraph import NamedNode

from . import terms as t
from .terms import Iris
from .vocab import QB_NS

QB = "qb:"
QB_DATASET = NamedNode(QB_NS + "dataSet")


@dataclass(frozen=True)
class Slice:
    """One data set: which nodes it counts by, and what it counts."""

    dataset: str
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]


#: key kind -> data set. The first measure is the one that is zero when
#: nothing is left to count, and the observation is then dropped.
SLICES = {
    "runs": Slice(
        "runTotals",
        (),
        (
            "runCount",
            "runsWithYear",
            "mentionCount",
            "paperCount",
            "papersWithYear",
            "reportCount",
            "runsWithTrainingCompute",
            "totalTrainingCompute",
        ),
    ),
    "year": Slice("runsByYear", ("forYear",), ("runCount", "runsWithTrainingCompute", "totalTrainingCompute")),
    "hardware": Slice("runsByHardware", ("forHardware",), ("runCount",)),
    "hardware-year": Slice("runsByHardwareAndYear", ("forHardware", "forYear"), ("runCount",)),
    "country": Slice(
        "computeByCountry",
        ("forCountry",),
        ("runCount", "runsWithCompute", "acceleratorHours", "runsWithTrainingCompute", "totalTrainingCompute"),
    ),
    "country-hardware": Slice("runsByCountryAndHardware", ("forCountry", "forHardware"), ("runCount",)),
    "manufacturer": Slice(
        "computeByManufacturer", ("forManufacturer",), ("runCount", "acceleratorCount", "acceleratorHours")
    ),
    "model": Slice("models", ("forModel",), ("runCount", "papersWithParameterCount", "reportCount")),
    "model-parameters": Slice("modelParameterCounts", ("forModel", "forParameterCount"), ("papersWithParameterCount",)),
    "hardware-model": Slice("runsByHardwareAndModel", ("forHardware", "forModel"), ("runCount",)),
    "model-spelling": Slice("modelSpellings", ("forModel", "forSpelling"), ("paperCount",)),
}
#: measures of a model worked out from its parameter-count observations
DERIVED = ("maxParameterCount", "parameterCountValues")
#: measures written as xsd:decimal (the others are integers)
DECIMAL_MEASURES = {"acceleratorHours", "totalTrainingCompute"}
#: measures written as xsd:double: sums of FLOP pass 10^20, beyond the store's decimals
DOUBLE_MEASURES = {"totalTrainingCompute"}
#: dimension -> the attribute that names its node in each observation
NAMES = {"forModel": "modelName", "forHardware": "hardwareName"}


class Spelling(str):
    """A dimension value that is a literal (a way of writing a model's name), not a node."""

    __slots__ = ()


@dataclass
class RunFacts:
    """What one training run says, as far as the totals need it (absolute IRIs)."""

    #: the run node; the order of a model's reports when they are matched up
    iri: str = ""
    model: str = ""
    #: (hardware, its manufacturer or None)
    hardware: set[tuple[str, str | None]] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    #: (hardware or None, its manufacturer or None, quantity or None, accelerator-hours or None)
    usages: list[tuple[str | None, str | None, int | None, Decimal | None]] = field(default_factory=list)
    #: stated, or worked out from the usages; None when neither can be
    accelerator_hours: Decimal | None = None
    #: (model, parameter count) as this run's paper states them
    parameters: set[tuple[str, int]] = field(default_factory=set)
    #: wall-clock durations stated for the run, in hours
    durations: set[Decimal] = field(default_factory=set)
    #: reports of the run these facts stand for (several once restatements are merged)
    reports: int = 1
    #: the run's training compute in FLOP (stated or estimated), if its text gives one
    training_compute: Decimal | None = None
    #: how that compute was found (the local name of its mlkg:computeMethod); the chart page draws it
    method: str = ""
    #: the mlkg:paperId of the paper reporting it, where it was kept (the chart page's hover text)
    paper: str = ""

    def contributions(self) -> Iterator[tuple[tuple, tuple]]:
        """(key, measures) pairs; each run counts once, under each node it names.

        Accelerator-hours count once per run: by country the run's own
        figure, by manufacturer each usage's share (a stated figure for a
        run with several accelerators cannot be split, so it is counted by
        country only).
        """
        flop = self.training_compute
        computed = (0, Decimal(0)) if flop is None else (1, flop)
        yield ("runs",), (1, 1 if self.years else 0, 0, 0, 0, self.reports, *computed)
        for year in self.years:
            yield ("year", year), (1, *computed)
        hardware = sorted(hw for hw, _ in self.hardware)
        for hw in hardware:
            yield ("hardware", hw), (1,)
            for year in self.years:
                yield ("hardware-year", hw, year), (1,)
        hours = self.accelerator_hours
        for country in self.countries:
            yield ("country", country), (1, 0 if hours is None else 1, hours or Decimal(0), *computed)
            for hw in hardware:
                yield ("country-hardware", country, hw), (1,)
        per_org: dict[str, list] = {}
        for _, org in self.hardware:
            if org:
                per_org.setdefault(org, [1, 0, Decimal(0)])
        for _, org, quantity, usage_hours in self.usages:
            if org:
                per_org[org][1] += quantity or 0
                per_org[org][2] += usage_hours or Decimal(0)
        for org, measures in per_org.items():
            yield ("manufacturer", org), tuple(measures)
        if self.model:
            stated = any(m == self.model for m, _ in self.parameters)
            yield ("model", self.model), (1, 1 if stated else 0, self.reports)
            for hw in hardware:
                yield ("hardware-model", hw, self.model), (1,)
        for model, count in self.parameters:
            yield ("model-parameters", model, count), (1,)


@dataclass
class PaperFacts:
    """A paper's runs, and what the paper adds to the totals beyond them."""

    runs: list[RunFacts] = field(default_factory=list)
    #: model or hardware -> the least label this paper gives it
    names: dict[str, str] = field(default_factory=dict)
    #: (model, its name as this paper writes it): counted once per paper
    spellings: set[tuple[str, str]] = field(default_factory=set)
    #: tagged spans in the paper, understood or not
    mentions: int = 0

    def name(self, node: str, label: str) -> None:
        keep_least(self.names, node, label)

    def contributions(self) -> Iterator[tuple[tuple, tuple]]:
        with_year = any(run.years for run in self.runs)
        yield ("runs",), (0, 0, self.mentions, 1, 1 if with_year else 0, 0, 0, Decimal(0))
        for run in self.runs:
            yield from run.contributions()
        for model, spelling in sorted(self.spellings):
            yield ("model-spelling", model, Spelling(spelling)), (1,)


class Tally:
    """Totals (or changes to totals) by key."""

    def __init__(self) -> None:
        self.values: dict[tuple, list] = {}
        self.names: dict[str, str] = {}

    def add(self, facts: PaperFacts | RunFacts, sign: int = 1) -> None:
        """Count what a paper (or a single run) contributes, or take it away with ``sign=-1``."""
        values = self.values
        for key, measures in facts.contributions():
            held = values.get(key)
            if held is None:
                # keys share their IRIs: a million papers name far fewer nodes
                key = tuple(intern(k) if type(k) is str else k for k in key)
                values[key] = [sign * m for m in measures]
            else:
                for i, m in enumerate(measures):
                    held[i] += sign * m
        if sign > 0 and isinstance(facts, PaperFacts):
            for node, label in facts.names.items():
                keep_least(self.names, node, label)

    def merge(self, other: Tally) -> None:
        """Add *other*'s values to these."""
        for key, measures in other.values.items():
            held = self.values.setdefault(key, [0] * len(measures))
            for i, m in enumerate(measures):
                held[i] += m


def keep_least(names: dict[str, str], node: str, label: str) -> None:
    """A node's name is its least label, as ``MIN(STR(?label))`` picks."""
    if node not in names or label < names[node]:
        names[node] = label


class TotalsWriter:
    """Observations as Turtle statements for the statistics graph."""

    def __init__(self, iris: Iris):
        self.iris = iris
        self.out = t.GraphWriter(iris.statistics_graph, iris.base)
        self.cut = len(iris.base)

    def local(self, iri: str) -> str:
        return iri[self.cut :] if iri.startswith(self.iris.base) else t.segment(iri)

    def observation_iri(self, key: tuple) -> str:
        parts = [
            t.segment(k) if isinstance(k, Spelling) else self.local(k) if isinstance(k, str) else str(k)
            for k in key[1:]
        ]
        return f"{self.iris.base}stats/{SLICES[key[0]].dataset}/" + ("/".join(parts) or "all")

    def statements(
        self,
        key: tuple,
        values: list,
        names: dict[str, str],
        derived: dict | None = None,
        first_seen: int | None = None,
    ) -> str:
        spec = SLICES[key[0]]
        pairs = [(t.TYPE, QB + "Observation"), (QB + "dataSet", t.mlkg(spec.dataset))]
        for dimension, value in zip(spec.dimensions, key[1:]):
            if isinstance(value, Spelling):
                pairs.append((t.mlkg(dimension), t.string(value)))
                continue
            pairs.append((t.mlkg(dimension), self.out.iri(value) if isinstance(value, str) else t.integer(value)))
            if dimension in NAMES and value in names:
                pairs.append((t.mlkg(NAMES[dimension]), t.string(names[value])))
        for measure, value in zip(spec.measures, values):
            pairs.append((t.mlkg(measure), _number(measure, value)))
        for measure, value in (derived or {}).items():
            pairs.append((t.mlkg(measure), t.integer(value)))
        if first_seen is not None:
            pairs.append((t.mlkg("firstSeen"), t.integer(first_seen)))
        subject = self.out.iri(self.observation_iri(key))
        return f"{subject} " + " ;\n    ".join(f"{p} {o}" for p, o in pairs) + " .\n"

    def block(self, statements: str) -> str:
        return t.trig_block(self.out.graph, statements)


def _number(measure: str, value) -> str:
    if measure in DOUBLE_MEASURES:
        return t.double(float(value))
    return t.decimal(value) if measure in DECIMAL_MEASURES else t.integer(value)


def derived_measures(parameter_counts: dict[str, dict[int, int]], model: str) -> dict:
    counts = [n for n, papers in parameter_counts.get(model, {}).items() if papers > 0]
    if not counts:
        return {}
    return {"maxParameterCount": max(counts), "parameterCountValues": len(counts)}


def is_live(values: list) -> bool:
    return values[0] > 0


def fresh_statements(tally: Tally, iris: Iris, seen: dict[tuple, int] | None = None) -> Iterator[str]:
    """All observations of a store that held nothing before this build.

    *seen* numbers the spellings (default: in the order the tally met them).
    """
    writer = TotalsWriter(iris)
    parameter_counts: dict[str, dict[int, int]] = {}
    for key, values in tally.values.items():
        if key[0] == "model-parameters":
            parameter_counts.setdefault(key[1], {})[key[2]] = values[0]
    seen = seen if seen is not None else spelling_order(tally)
    names = dict(tally.names)
    names.update({model: preferred for model, (preferred, _) in chosen_names(tally, seen).items()})
    for key in sorted(tally.values, key=key_order):
        values = tally.values[key]
        if is_live(values):
            derived = derived_measures(parameter_counts, key[1]) if key[0] == "model" else None
            yield writer.statements(key, values, names, derived, seen.get(key))


# -- one name per model ------------------------------------------------------------------
#
# Every way a paper writes a model's name is counted (modelSpellings: papers
# per spelling, and when the spelling was first counted). The model's name,
# its one rdfs:label and skos:prefLabel, is the spelling most papers use; a
# tie goes to the spelling counted first, that is the one of the
# earliest-built paper. The other spellings are its skos:altLabel.


def spelling_order(tally: Tally) -> dict[tuple, int]:
    """Each spelling key of *tally* -> its place (1, 2, ...) in the order papers were added."""
    keys = (key for key in tally.values if key[0] == "model-spelling")
    return {key: number for number, key in enumerate(keys, start=1)}


def choose_names(entries: Iterable[tuple[str, str, int, int]]) -> dict[str, tuple[str, list[str]]]:
    """(model, spelling, papers, first seen) -> model: (its name, its other spellings in code-point order)."""
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    for model, spelling, papers, first in entries:
        if papers > 0:
            ranked.setdefault(model, []).append((-papers, first, spelling))
    chosen = {}
    for model, spellings in ranked.items():
        name = min(spellings)[2]
        chosen[model] = (name, sorted(s for _, _, s in spellings if s != name))
    return chosen


def chosen_names(tally: Tally, seen: dict[tuple, int] | None = None) -> dict[str, tuple[str, list[str]]]:
    """The models' names from a tally that holds all their spellings (a fresh build, a recount)."""
    seen = seen if seen is not None else spelling_order(tally)
    return choose_names(
        (key[1], str(key[2]), values[0], seen[key]) for key, values in tally.values.items() if key in seen
    )


def key_order(key: tuple) -> tuple:
    return tuple(str(k) for k in key)
