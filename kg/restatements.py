"""One training run, however many papers report it.

A survey restates another paper's run; a follow-up repeats the setup of
the model it builds on. Each paper's graph holds its own report of the
run, as it says it, so every fact stays traceable to its words. The
running totals must still count the run once.

The rule (docs/attribution.md, "Restated runs"): two reports are of the
same run when they name the same model and none of their stated
accelerators, accelerator counts, wall-clock durations or
accelerator-hours disagree; a fact one report leaves out disagrees with
nothing. A model's reports are taken in the order of their run IRIs, and
each joins the first run all of whose reports it agrees with, or starts a
new one. The result depends only on the set of reports, not on the order
papers were built in.

A run merged from several reports counts once, with what its reports say
together: every accelerator, country and year any of them states, the
accelerator-hours they agree on, and for each manufacturer the largest
count and hours any one report gives. The totals keep each report's
contributions as they are and add a correction per merged run (the merged
run minus its reports), so a build that changes one paper corrects only
the models that paper names. Which reports were merged is written to the
statistics graph, as observations of the ``mlkg:restatedRuns`` data set.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from dataclasses import dataclass, field, replace
from heapq import heappop, heappush
from itertools import product
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import BlankNode, DefaultGraph, NamedNode

from .sparql import Fragment
from .store import KnowledgeGraph
from . import terms as t
from .terms import Iris
from .tally import PaperFacts, RunFacts, Slice, Tally, TotalsWriter
from .vocab import MLKG, term_value


#: The data set naming the reports merged into a run another paper reported first:
#: one observation per such report, with the run's first report as ``mlkg:sameRunAs``.
RESTATED = Slice("restatedRuns", ("forRun",), ())


# -- matching reports (pure) -----------------------------------------------------------


#: the settings two reports of one run must not disagree on
SETTINGS = ("accelerators", "counts", "durations", "accelerator-hours")


def settings(run: RunFacts) -> tuple:
    """A report's stated settings, in the order of :data:`SETTINGS`; None where it states none."""
    quantities = tuple(sorted(q for _, _, q, _ in run.usages if q is not None))
    return (
        frozenset(hw for hw, _ in run.hardware) or None,
        quantities or None,
        frozenset(run.durations) or None,
        run.accelerator_hours,
    )


def _agree(a: tuple, b: tuple) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b))


def same_run(a: RunFacts, b: RunFacts) -> bool:
    """Whether two reports can be of one run: same model, no stated setting in conflict."""
    return bool(a.model) and a.model == b.model and _agree(settings(a), settings(b))


#: every subset of the settings, as index tuples
_SUBSETS = tuple(tuple(i for i in range(len(SETTINGS)) if mask >> i & 1) for mask in range(1 << len(SETTINGS)))


def group(reports: Iterable[tuple[str, tuple]]) -> list[list[str]]:
    """(report IRI, its settings) of one model -> its runs, as lists of report IRIs.

    In IRI order, each report joins the first run all of whose reports it
    agrees with, or starts a new one. A run's reports agree with each
    other, so a report agrees with all of them when it agrees with what
    they state together. Runs are indexed by what they state of each subset
    of the settings; a report stating the settings T finds the runs it
    agrees with under the 2^|T| keys that give each setting in T either its
    value or none, so a model reported by 60,000 papers is grouped in
    60,000 x 16 lookups, not 60,000 squared.
    """
    runs: list[list[str]] = []
    stated_by: list[list] = []  # per run, what its reports state together
    index: dict[tuple, list[int]] = {}  # (subset, the run's values on it) -> heap of run numbers

    def key(number: int, subset: tuple) -> tuple:
        return subset, tuple(stated_by[number][i] for i in subset)

    def file(number: int, before: list | None) -> None:
        for subset in _SUBSETS:
            if before is None or any(before[i] != stated_by[number][i] for i in subset):
                heappush(index.setdefault(key(number, subset), []), number)

    for iri, mine in sorted(reports):
        given = tuple(i for i, value in enumerate(mine) if value is not None)
        first = None
        for values in product(*((None, mine[i]) for i in given)):
            wanted = (given, values)
            heap = index.get(wanted)
            while heap and key(heap[0], given) != wanted:  # a run that has since stated more
                heappop(heap)
            if heap and (first is None or heap[0] < first):
                first = heap[0]
        if first is None:
            runs.append([iri])
            stated_by.append(list(mine))
            file(len(runs) - 1, None)
            continue
        runs[first].append(iri)
        before = list(stated_by[first])
        for i in given:
            if stated_by[first][i] is None:
                stated_by[first][i] = mine[i]
        if before != stated_by[first]:
            file(first, before)
    return runs


def group_reports(reports: Iterable[RunFacts]) -> list[list[RunFacts]]:
    """A model's reports as runs (see :func:`group`); reports that name no model are never merged."""
    reports = list(reports)
    named = {r.iri: r for r in reports if r.model}
    runs = [[named[iri] for iri in members] for members in group((r.iri, settings(r)) for r in named.values())]
    return runs + [[r] for r in reports if not r.model]


def merge(members: list[RunFacts]) -> RunFacts:
    """The one run several reports describe, as the totals count it."""
    per_maker: dict[str | None, list] = {}
    for member in members:
        sums: dict[str | None, list] = {}
        for _, maker, quantity, hours in member.usages:
            held = sums.setdefault(maker, [0, Decimal(0)])
            held[0] += quantity or 0
            held[1] += hours or Decimal(0)
        for maker, (quantity, hours) in sums.items():
            best = per_maker.setdefault(maker, [0, Decimal(0)])
            best[0], best[1] = max(best[0], quantity), max(best[1], hours)
    return RunFacts(
        iri=members[0].iri,
        model=members[0].model,
        hardware=set().union(*(m.hardware for m in members)),
        countries=set().union(*(m.countries for m in members)),
        years=set().union(*(m.years for m in members)),
        usages=[(None, maker, quantity, hours) for maker, (quantity, hours) in per_maker.items()],
        accelerator_hours=next((m.accelerator_hours for m in members if m.accelerator_hours is not None), None),
        durations=set().union(*(m.durations for m in members)),
        reports=sum(m.reports for m in members),
        training_compute=max((m.training_compute for m in members if m.training_compute is not None), default=None),
    )


@dataclass
class Restated:
    """What merging a set of models' reports changes in the totals, and which reports it merged."""

    correction: Tally = field(default_factory=Tally)
    #: (report, the first report of its run) for every report after the first
    links: list[tuple[str, str]] = field(default_factory=list)

    def add(self, reports: Iterable[RunFacts], sign: int = 1) -> None:
        """Merge a model's reports, counting the correction with *sign*."""
        for members in group_reports(reports):
            if len(members) > 1:
                self.merged(members, sign)

    def merged(self, members: list[RunFacts], sign: int = 1) -> None:
        """One run's reports (in IRI order), counted once instead of each."""
        self.correction.add(merge(members), sign)
        for member in members:
            # parameter counts are counted per paper, not per run: left as they are
            self.correction.add(replace(member, parameters=set()), -sign)
        if sign > 0:
            self.links += [(m.iri, members[0].iri) for m in members[1:]]

    def statements(self, iris: Iris) -> Iterator[str]:
        """One ``restatedRuns`` observation per merged report after the first."""
        writer = TotalsWriter(iris)
        for report, first in self.links:
            yield (
                f"{writer.out.iri(observation_iri(iris, report))} a qb:Observation ;\n"
                f"    qb:dataSet {t.mlkg(RESTATED.dataset)} ;\n"
                f"    {t.mlkg('forRun')} {writer.out.iri(report)} ;\n"
                f"    {t.mlkg('sameRunAs')} {writer.out.iri(first)} .\n"
            )


def observation_iri(iris: Iris, report: str) -> str:
    """The ``restatedRuns`` observation of a report: ``stats/restatedRuns/paper/ID/run``."""
    local = report[len(iris.base) :] if report.startswith(iris.base) else t.segment(report)
    return f"{iris.base}stats/restatedRuns/{local}"


#: SPARQL: ``?r`` is the training run that a report ``?run`` stands for: its first
#: report, or the report itself. Counting ``DISTINCT ?r`` counts each run once.
AS_RUN = Fragment("OPTIONAL { ?restated mlkg:forRun ?run ; mlkg:sameRunAs ?first } BIND(COALESCE(?first, ?run) AS ?r)")


# -- the store side ----------------------------------------------------------------------


class Makers(dict):
    """Accelerator IRI -> its manufacturer's (or None), looked up once each."""

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store

    def __call__(self, hw: NamedNode) -> str | None:
        if hw.value not in self:
            org = next(self.store.quads_for_pattern(hw, MLKG.manufacturer, None, None), None)
            self[hw.value] = org.object.value if org else None
        return self[hw.value]


def read_run(
    store, graph: NamedNode | BlankNode | DefaultGraph, node, maker: Callable[[NamedNode], str | None]
) -> RunFacts:
    """One run's facts from the paper graph that holds it."""
    run = RunFacts(iri=node.value)
    for quad in store.quads_for_pattern(node, None, None, graph):
        name, value = quad.predicate.value, quad.object
        if name == MLKG.trainedModel.value:
            run.model = value.value
        elif name == MLKG.hardware.value:
            run.hardware.add((value.value, maker(value)))
        elif name == MLKG.country.value:
            run.countries.add(value.value)
        elif name == MLKG.year.value:
            run.years.add(value.value)
        elif name == MLKG.trainingCompute.value:
            run.training_compute = Decimal(value.value)
        elif name == MLKG.trainingHours.value:
            run.durations.add(Decimal(value.value))
        elif name == MLKG.acceleratorHours.value:
            run.accelerator_hours = Decimal(value.value)
        elif name == MLKG.hardwareUsage.value:
            hw = quantity = hours = None
            for part in store.quads_for_pattern(value, None, None, graph):
                if part.predicate == MLKG.usedHardware:
                    hw = part.object
                elif part.predicate == MLKG.usedQuantity:
                    quantity = int(part.object.value)
                elif part.predicate == MLKG.acceleratorHours:
                    hours = Decimal(part.object.value)
            run.usages.append((hw.value if hw else None, maker(hw) if hw else None, quantity, hours))
    return run


def stored_reports(kg: KnowledgeGraph, model: str, makers: Makers | None = None) -> list[RunFacts]:
    """Every paper's report of a run of *model*, read from the paper graphs."""
    makers = makers or Makers(kg.store)
    reports = []
    for quad in kg.store.quads_for_pattern(None, MLKG.trainedModel, NamedNode(model), None):
        if isinstance(quad.graph_name, NamedNode):
            reports.append(read_run(kg.store, quad.graph_name, quad.subject, makers))
    return reports


def read_report(kg: KnowledgeGraph, run: str, makers: Makers) -> RunFacts:
    """One report, from the paper graph that holds it."""
    node = NamedNode(run)
    quad = next(kg.store.quads_for_pattern(None, MLKG.reports, node, None))
    return read_run(kg.store, quad.graph_name, node, makers)


class Reported:
    """The settings of every report a build into an empty store loads, grouped by model.

    Only what matching needs is kept in memory (a report's IRI and a number
    standing for its settings). Each report's facts are written to a
    temporary file as it passes, so that at the end the reports that merge
    (about 4 % in the bench corpus) are read from there: reading them back
    from the store instead took 228 s at a million papers, one lookup after
    another across a store of tens of gigabytes.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        #: model -> (report IRI, its settings' number, where its facts are in the file)
        self.by_model: dict[str, list[tuple[str, int, int]]] = {}
        self.numbers: dict[tuple, int] = {}
        self.values: list[tuple] = []
        self.file = tempfile.TemporaryFile(dir=folder, prefix="reports-")

    def add(self, paper: PaperFacts, paper_id: str = "") -> None:
        """Keep the reports of a paper (*paper_id*: its mlkg:paperId, for the chart page)."""
        for run in paper.runs:
            if run.model:
                value = settings(run)
                number = self.numbers.setdefault(value, len(self.values))
                if number == len(self.values):
                    self.values.append(value)
                offset = self.file.tell()
                row = marshal.dumps(_row(run, paper_id))
                self.file.write(len(row).to_bytes(4, "little") + row)
                self.by_model.setdefault(run.model, []).append((run.iri, number, offset))

    def _read(self, offset: int) -> RunFacts:
        self.file.seek(offset)
        size = int.from_bytes(self.file.read(4), "little")
        return _from_row(marshal.loads(self.file.read(size)))

    def restate(self, also: Callable[[list[RunFacts]], None] | None = None) -> Restated:
        """The correction and links; *also* is given each merged run's reports (with their paper ids)."""
        found = Restated()
        self.file.flush()
        for reports in self.by_model.values():
            if len(reports) > 1:
                where = {iri: offset for iri, _, offset in reports}
                for members in group((iri, self.values[number]) for iri, number, _ in reports):
                    if len(members) > 1:
                        facts = [self._read(where[iri]) for iri in members]
                        found.merged(facts)
                        if also:
                            also(facts)
        self.file.seek(0, os.SEEK_END)
        return found

    def close(self) -> None:
        """Delete the file of facts."""
        self.file.close()


def _row(run: RunFacts, paper_id: str) -> tuple:
    """A report's facts as plain values that :mod:`marshal` writes (decimals as their digits)."""

    def digits(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return (
        run.iri,
        run.model,
        sorted(run.hardware, key=str),
        sorted(run.countries),
        sorted(run.years),
        [(hw, maker, quantity, digits(hours)) for hw, maker, quantity, hours in run.usages],
        digits(run.accelerator_hours),
        sorted(str(d) for d in run.durations),
        run.reports,
        digits(run.training_compute),
        run.method,
        paper_id,
    )


def _from_row(row: tuple) -> RunFacts:
    iri, model, hardware, countries, years, usages, hours, durations, reports, flop, method, paper = row

    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return RunFacts(
        iri=iri,
        model=model,
        hardware={(hw, maker) for hw, maker in hardware},
        countries=set(countries),
        years=set(years),
        usages=[(hw, maker, quantity, number(h)) for hw, maker, quantity, h in usages],
        accelerator_hours=number(hours),
        durations={Decimal(d) for d in durations},
        reports=reports,
        training_compute=number(flop),
        method=method,
        paper=paper,
    )


def models_reported_twice(tally: Tally) -> list[str]:
    """Models with two reports or more in *tally*'s counts (a fresh build's, a recount's)."""
    return sorted(key[1] for key, values in tally.values.items() if key[0] == "model" and values[0] > 1)


def restate(kg: KnowledgeGraph, models: Iterable[str]) -> Restated:
    """The correction and links for *models*, from their reports in the store."""
    found = Restated()
    makers = Makers(kg.store)
    for model in models:
        found.add(stored_reports(kg, model, makers))
    return found


def stored_links(kg: KnowledgeGraph, iris: Iris, reports: Iterable[str]) -> list:
    """The quads of the ``restatedRuns`` observations the statistics graph holds for *reports*."""
    graph = NamedNode(iris.statistics_graph)
    return [
        quad
        for report in reports
        for quad in kg.store.quads_for_pattern(NamedNode(observation_iri(iris, report)), None, None, graph)
    ]


class Tracker:
    """Keeps a store's merged runs right while a build changes some of its papers.

    Before the first paper naming a model is changed, the model's merged
    runs as stored are taken out of the totals; once the build has loaded,
    they are worked out again from the reports then stored and put back.
    """

    def __init__(self, kg: KnowledgeGraph, changes: Tally):
        self.kg, self.changes = kg, changes
        self.makers = Makers(kg.store)
        #: model -> the run IRIs it had before this build
        self.before: dict[str, list[str]] = {}

    def touch(self, models: Iterable[str]) -> None:
        """Call before a paper naming *models* is loaded or replaced."""
        for model in models:
            if model and model not in self.before:
                reports = stored_reports(self.kg, model, self.makers)
                self.before[model] = [r.iri for r in reports]
                undo = Restated()
                undo.add(reports, -1)
                self.changes.merge(undo.correction)

    def finish(self, iris: Iris) -> Restated:
        """After loading: the new corrections (already in the changes) and links; old links removed."""
        redo = restate(self.kg, self.before)
        self.changes.merge(redo.correction)
        for model, runs in self.before.items():
            current = [
                term_value(q.subject)
                for q in self.kg.store.quads_for_pattern(None, MLKG.trainedModel, NamedNode(model), None)
            ]
            for quad in stored_links(self.kg, iris, [*runs, *current]):
                self.kg.store.remove(quad)
        return redo
