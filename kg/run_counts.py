"""Training runs per node and per pair of nodes, and resources per class: trusted totals, else the facts.

`kg stats` and the aggregated graph page ask the same questions. A build
keeps running totals (:mod:`kg.totals`) that answer them in milliseconds on
a million papers; when those cannot be trusted (an interrupted build), the
same answers are counted over the facts with SPARQL aggregates (minutes at
that size). :func:`run_counts` picks one of the two, so every reader gets
the same figures whichever way they were found.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import totals
from .restatements import AS_RUN
from .sparql import fill
from .store import KnowledgeGraph
from .vocab import CLASSES, MLKG, mlkg_term

#: the run property that links a run to a node of each class
RUN_PROPERTY = {"Hardware": "hardware", "Country": "country", "Year": "year", "Model": "trainedModel"}

# Each training run counts once, however many papers report it (AS_RUN); a run
# restated by several papers has every node any of its reports names.
_RUNS_PER = "SELECT ?node (COUNT(DISTINCT ?r) AS ?n) WHERE { ?run $property ?node . $as_run } GROUP BY ?node"
_ORG_RUNS = fill(
    """SELECT ?node (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?run mlkg:hardware ?hw . ?hw mlkg:manufacturer ?node . $as_run } GROUP BY ?node""",
    as_run=AS_RUN,
)
_PAIRS = """SELECT ?a ?b (COUNT(DISTINCT ?r) AS ?n) WHERE {
  { SELECT DISTINCT ?r ?a WHERE { ?run $left ?a . $as_run } }
  { SELECT DISTINCT ?r ?b WHERE { ?run $right ?b . $as_run } }
} GROUP BY ?a ?b"""
#: a run restated by several papers has a year when any of its reports states one
_WITHOUT_YEAR = fill(
    """SELECT ?n WHERE {
  { SELECT (COUNT(DISTINCT ?r) AS ?all) WHERE { ?run a mlkg:TrainingRun . $as_run } }
  { SELECT (COUNT(DISTINCT ?r) AS ?dated) WHERE { ?run a mlkg:TrainingRun ; mlkg:year ?y . $as_run } }
  BIND(?all - ?dated AS ?n)
}""",
    as_run=AS_RUN,
)
_CLASS_COUNTS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
_CLASS_COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a $cls }"


class FactCounts:
    """The counts, asked of the facts themselves."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg

    def runs(self, cls: str) -> dict[str, int]:
        """Node IRI -> its training runs, for the nodes of *cls* that have any."""
        if cls == "Organization":
            query = _ORG_RUNS
        else:
            query = fill(_RUNS_PER, property=MLKG[RUN_PROPERTY[cls]], as_run=AS_RUN)
        return {row["node"].value: int(row["n"].value) for row in self.kg.query(query)}

    def pairs(self, left: str, right: str) -> dict[tuple[str, str], int]:
        """(left node, right node) -> the training runs that have both."""
        query = fill(_PAIRS, left=MLKG[RUN_PROPERTY[left]], right=MLKG[RUN_PROPERTY[right]], as_run=AS_RUN)
        return {(row["a"].value, row["b"].value): int(row["n"].value) for row in self.kg.query(query)}

    def count(self, cls: str) -> int:
        """Distinct resources of one mlkg class."""
        return int(next(iter(self.kg.query(fill(_CLASS_COUNT, cls=MLKG[cls]))))["n"].value)

    def classes(self) -> dict[str, int]:
        """Distinct resources per mlkg class (every class listed, zero when absent)."""
        counts = dict.fromkeys(CLASSES, 0)
        for row in self.kg.query(_CLASS_COUNTS):
            name = mlkg_term(row["class"].value)
            if name in counts:
                counts[name] = int(row["n"].value)
        return counts

    def runs_without_year(self) -> int:
        return int(next(iter(self.kg.query(_WITHOUT_YEAR)))["n"].value)

    def labels(self, nodes: Iterable[str]) -> dict[str, str]:
        """Each node's least label, for nodes that have one."""
        return totals.stored_labels(self.kg, nodes)


class TotalCounts(FactCounts):
    """The same counts, read from the running totals (classes the totals do not count are asked of the facts)."""

    #: class -> its measure in ``runTotals``; a TrainingRun node is one paper's report of a run
    COUNTED = {"Paper": "paperCount", "TrainingRun": "reportCount", "Mention": "mentionCount"}

    def runs(self, cls: str) -> dict[str, int]:
        return totals.runs_per_node(self.kg, cls)

    def pairs(self, left: str, right: str) -> dict[tuple[str, str], int]:
        return totals.runs_per_pair(self.kg, left, right)

    def count(self, cls: str) -> int:
        if cls in self.COUNTED:
            return totals.run_totals(self.kg)[self.COUNTED[cls]]
        return super().count(cls)

    def classes(self) -> dict[str, int]:
        whole = totals.run_totals(self.kg)
        return {
            name: whole[self.COUNTED[name]] if name in self.COUNTED else FactCounts.count(self, name)
            for name in CLASSES
        }

    def runs_without_year(self) -> int:
        whole = totals.run_totals(self.kg)
        return whole["runCount"] - whole["runsWithYear"]


def run_counts(kg: KnowledgeGraph) -> FactCounts:
    """The running totals when they can be trusted, else counts over the facts."""
    return TotalCounts(kg) if totals.trusted(kg) else FactCounts(kg)
