"""Running totals behind the bundled queries, kept as RDF Data Cube observations.

A question such as "accelerator-hours per country" touches every run: on a
million-paper store that is millions of index lookups and tens of seconds.
A build sees each paper's runs once anyway, so it keeps the totals as it
goes and writes them to the statistics graph as ``qb:Observation`` nodes;
``kg add`` applies only the difference a new or changed paper makes. The
bundled queries read these totals, and the test suite checks that they
equal the same questions asked of the facts themselves.

A build that dies before its totals are written leaves a marker file; the
next build then recounts every paper in the store instead of trusting the
old totals.

This module is the store side: reading papers back, applying changes,
recounting. What a paper adds, and the observations' text, are pure values
in :mod:`kg.tally`, which mapping workers use without importing the store.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from itertools import chain, groupby
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from .errors import KgError
from .reference import ReferenceWriter, label_statements, relabel_models
from .restatements import Makers, models_reported_twice, read_run, restate
from .sparql import fill
from .store import TOTALS_STALE_FILE, KnowledgeGraph
from .tally import (
    DECIMAL_MEASURES,
    NAMES,
    QB_DATASET,
    SLICES,
    PaperFacts,
    Tally,
    TotalsWriter,
    choose_names,
    chosen_names,
    derived_measures,
    fresh_statements,
    is_live,
    keep_least,
    spelling_order,
)
from .terms import Iris, header
from .vocab import MLKG, RDFS, mlkg_term, term_value


def read_paper(kg: KnowledgeGraph, iris: Iris, paper: str) -> PaperFacts:
    """The facts of a stored paper, from its own graph (before it is replaced)."""
    store, graph = kg.store, NamedNode(paper)
    facts = PaperFacts()
    maker = Makers(store)

    parameters: dict[str, set[int]] = {}
    for quad in store.quads_for_pattern(None, MLKG.parameterCount, None, graph):
        parameters.setdefault(term_value(quad.subject), set()).add(int(term_value(quad.object)))
    for reported in store.quads_for_pattern(graph, MLKG.reports, None, graph):
        run = read_run(store, graph, reported.object, maker)
        run.parameters = {(run.model, n) for n in parameters.get(run.model, ())}
        facts.runs.append(run)
    facts.mentions = sum(1 for _ in store.quads_for_pattern(None, MLKG.inPaper, graph, graph))
    models = {run.model for run in facts.runs}
    for quad in store.quads_for_pattern(None, MLKG.factValue, None, graph):
        if isinstance(quad.object, NamedNode) and quad.object.value in models:
            for text in store.quads_for_pattern(quad.subject, MLKG.mentionText, None, graph):
                facts.spellings.add((quad.object.value, " ".join(term_value(text.object).split())))
    return facts


def stored_names(
    kg: KnowledgeGraph, iris: Iris, models: Iterable[str] | None = None
) -> dict[str, tuple[str, list[str]]]:
    """The names of *models* (all models when None), from the spellings the store counts."""
    store, graph = kg.store, NamedNode(iris.statistics_graph)
    if models is None:
        observations = (q.subject for q in store.quads_for_pattern(None, QB_DATASET, MLKG.modelSpellings, graph))
    else:
        observations = (
            q.subject for m in models for q in store.quads_for_pattern(None, MLKG.forModel, NamedNode(m), graph)
        )
    entries = []
    for node in observations:
        found = {q.predicate.value: q.object for q in store.quads_for_pattern(node, None, None, graph)}
        spelling = found.get(MLKG.forSpelling.value)
        if spelling is None:
            continue  # another data set about the model
        entries.append(
            (
                term_value(found[MLKG.forModel.value]),
                term_value(spelling),
                int(term_value(found[MLKG.paperCount.value])),
                int(term_value(found[MLKG.firstSeen.value])),
            )
        )
    return choose_names(entries)


def load_fresh_names(
    kg: KnowledgeGraph, iris: Iris, tally: Tally, also: Callable[[str], None] | None = None
) -> dict[str, str]:
    """The names of a fresh build's models into the reference graph (and to *also*, the streamed exports).

    Returns each model's name, as its skos:prefLabel now says.
    """
    chosen = chosen_names(tally)
    statements = label_statements(iris, chosen)
    if statements:
        block = ReferenceWriter(iris).block(statements)
        kg.store.bulk_load((header(iris.base) + block).encode("utf-8"), RdfFormat.TRIG)
        kg.store.flush()
        if also:
            also(statements)
    return {model: name for model, (name, _) in chosen.items()}


class _FirstSeen:
    """Numbers for spellings counted for the first time, after those the store holds."""

    def __init__(self, kg: KnowledgeGraph, graph: NamedNode):
        self.kg, self.graph = kg, graph
        self.last: int | None = None

    def stored(self, quads: list[Quad]) -> int | None:
        return next((int(term_value(q.object)) for q in quads if q.predicate == MLKG.firstSeen), None)

    def next(self) -> int:
        if self.last is None:
            found = self.kg.store.quads_for_pattern(None, MLKG.firstSeen, None, self.graph)
            self.last = max((int(term_value(q.object)) for q in found), default=0)
        self.last = number = self.last + 1
        return number


# -- the store side ---------------------------------------------------------------


def _stale(kg: KnowledgeGraph) -> Path:
    return kg.out_dir / TOTALS_STALE_FILE


def begin(kg: KnowledgeGraph) -> bool:
    """Mark the totals as being changed; True if they cannot be trusted already."""
    untrusted = not trusted(kg)
    kg.mark_totals_stale()
    return untrusted


class StaleTotals(KgError):
    """The running totals do not agree with the papers: counts read from them would be wrong."""

    exit_code = 1


def require_trusted(kg: KnowledgeGraph, what: str) -> None:
    """Refuse to read totals that a build did not finish, rather than print wrong counts."""
    if not trusted(kg):
        raise StaleTotals(
            f"{what} reads the running totals in {kg.out_dir}, which are out of date (a build did not finish, "
            "or `kg serve --allow-updates` changed facts); run `kg build` or `kg add` into it again to recount them"
        )


def reads_totals(sparql: str) -> bool:
    """Whether a query reads the running totals (their observations' ``qb:dataSet``)."""
    return "qb:dataSet" in sparql or "linked-data/cube#dataSet" in sparql


def trusted(kg: KnowledgeGraph) -> bool:
    """Whether the stored totals agree with the papers in the store.

    Not after a build died before writing them (the marker file), nor in a
    store that holds papers but no ``runTotals`` observation: an mlkg that
    kept no totals, or fewer data sets than this one, built it.
    """
    if _stale(kg).exists():
        return False
    return kg.is_empty() or next(kg.store.quads_for_pattern(None, QB_DATASET, MLKG.runTotals, None), None) is not None


#: TriG per bulk load: the loader needs about 20 bytes of memory per byte
CHUNK_BYTES = 16_000_000


def load_fresh(
    kg: KnowledgeGraph, iris: Iris, statements: Iterable[str], also: Callable[[str], None] | None = None
) -> None:
    """Load totals into the store in bounded chunks and clear the marker.

    *also* receives each chunk of statements too (the streamed exports).
    """
    for chunk in _chunks(statements):
        text = "".join(chunk)
        kg.store.bulk_load(_trig(iris, text).encode("utf-8"), RdfFormat.TRIG)
        if also:
            also(text)
    kg.store.flush()
    _stale(kg).unlink(missing_ok=True)


def _chunks(statements: Iterable[str]) -> Iterator[list[str]]:
    """Statements in lists of about CHUNK_BYTES, so no step holds them all."""
    chunk: list[str] = []
    size = 0
    for statement in statements:
        chunk.append(statement)
        size += len(statement)
        if size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _trig(iris: Iris, statements: str) -> str:
    """A TriG document holding *statements* in the statistics graph."""
    return header(iris.base) + TotalsWriter(iris).block(statements)


def apply(kg: KnowledgeGraph, iris: Iris, changes: Tally) -> None:
    """Add *changes* to the stored totals (after the changed papers are loaded).

    Observations are rewritten in chunks, so a large update stays within
    bounded memory; the marker file covers a crash half-way.
    """
    store, graph = kg.store, NamedNode(iris.statistics_graph)
    writer = TotalsWriter(iris)
    named = _named_nodes(changes.values)
    before = {node: _stored_name(store, graph, node, dimension) for node, dimension in named.items()}

    # the spellings first: they decide the names of the models they count
    spellings = [(key, change) for key, change in changes.values.items() if key[0] == "model-spelling"]
    _rewrite(kg, writer, graph, spellings, {}, first_seen=_FirstSeen(kg, graph))
    relabel_models(kg, iris, stored_names(kg, iris, {key[1] for key, _ in spellings}))
    names = stored_labels(kg, named)

    counts = [(key, change) for key, change in changes.values.items() if key[0] not in ("model", "model-spelling")]
    _rewrite(kg, writer, graph, counts, names)
    # a model's largest and distinct parameter counts, from its counts as now stored
    models = [(("model", m), changes.values.get(("model", m))) for m, d in named.items() if d == "forModel"]
    _rewrite(kg, writer, graph, models, names, derive=True)

    # A new spelling renames a node in observations no paper here touched.
    for node, name in names.items():
        if before[node] not in (None, name):
            dimension = getattr(MLKG, named[node])
            attribute = getattr(MLKG, NAMES[named[node]])
            for quad in list(store.quads_for_pattern(None, dimension, NamedNode(node), graph)):
                for old in list(store.quads_for_pattern(quad.subject, attribute, None, graph)):
                    store.remove(old)
                    store.add(Quad(old.subject, attribute, Literal(name), graph))
    store.flush()
    _stale(kg).unlink(missing_ok=True)


#: observations rewritten per transaction by :func:`apply`
REWRITE_CHUNK = 10_000


def _rewrite(
    kg,
    writer: TotalsWriter,
    graph: NamedNode,
    changes: list,
    names: dict,
    derive: bool = False,
    first_seen: _FirstSeen | None = None,
) -> None:
    """Replace each observation by its stored measures plus *change* (None: unchanged)."""
    store = kg.store
    for start in range(0, len(changes), REWRITE_CHUNK):
        statements = []
        for key, change in changes[start : start + REWRITE_CHUNK]:
            node = NamedNode(writer.observation_iri(key))
            old = list(store.quads_for_pattern(node, None, None, graph))
            for quad in old:
                store.remove(quad)
            values = _measures(old, SLICES[key[0]].measures)
            if change is not None:
                values = [a + b for a, b in zip(values, change)]
            if is_live(values):
                derived = _stored_derived(store, graph, key[1]) if derive else None
                seen = None
                if first_seen is not None:  # a spelling keeps the place it was first counted at
                    seen = first_seen.stored(old) or first_seen.next()
                statements.append(writer.statements(key, values, names, derived, seen))
        if statements:
            store.load(_trig(writer.iris, "".join(statements)).encode("utf-8"), RdfFormat.TRIG)


def _stored_name(store, graph: NamedNode, node: str, dimension: str) -> str | None:
    """The name the stored observations give *node* (they all give the same one)."""
    attribute = getattr(MLKG, NAMES[dimension])
    for quad in store.quads_for_pattern(None, getattr(MLKG, dimension), NamedNode(node), graph):
        for name in store.quads_for_pattern(quad.subject, attribute, None, graph):
            return name.object.value
    return None


def stated_parameter_counts(kg: KnowledgeGraph, iris: Iris) -> Iterator[tuple[str, int]]:
    """Each (model IRI, parameter count) some paper states, as the running totals keep them."""
    store, graph = kg.store, NamedNode(iris.statistics_graph)
    for quad in store.quads_for_pattern(None, MLKG.forParameterCount, None, graph):
        model = next(store.quads_for_pattern(quad.subject, MLKG.forModel, None, graph), None)
        if model is not None:
            yield term_value(model.object), int(term_value(quad.object))


def _stored_derived(store, graph: NamedNode, model: str) -> dict:
    counts: dict[int, int] = {}
    for quad in store.quads_for_pattern(None, MLKG.forModel, NamedNode(model), graph):
        n = next(store.quads_for_pattern(quad.subject, MLKG.forParameterCount, None, graph), None)
        if n is not None:
            papers = next(store.quads_for_pattern(quad.subject, MLKG.papersWithParameterCount, None, graph))
            counts[int(n.object.value)] = int(papers.object.value)
    return derived_measures({model: counts}, model)


def _measures(quads: Iterable[Quad], measures: tuple[str, ...]) -> list:
    found = {q.predicate.value: term_value(q.object) for q in quads}
    values = []
    for measure in measures:
        text = found.get(getattr(MLKG, measure).value)
        values.append(Decimal(text or 0) if measure in DECIMAL_MEASURES else int(text or 0))
    return values


def _named_nodes(keys: Iterable[tuple]) -> dict[str, str]:
    """The models and accelerators in *keys*, each with the dimension it fills."""
    named: dict[str, str] = {}
    for key in keys:
        for dimension, value in zip(SLICES[key[0]].dimensions, key[1:]):
            if dimension in NAMES:
                named[value] = dimension
    return named


def stored_labels(kg: KnowledgeGraph, nodes: Iterable[str]) -> dict[str, str]:
    """Each node's least label in the store (all graphs), for nodes that have one."""
    names: dict[str, str] = {}
    for node in nodes:
        for quad in kg.store.quads_for_pattern(NamedNode(node), RDFS.label, None, None):
            keep_least(names, node, term_value(quad.object))
    return names


def recount(kg: KnowledgeGraph, iris: Iris) -> None:
    """Rebuild every total from the papers in the store (after an interrupted build).

    Only observations that differ from what is stored are rewritten: after
    a killed build or an upgrade that adds a data set, a few thousand of a
    million papers' 500k observations, where clearing and reloading them
    all meant millions of writes (7 minutes and 2.1 GB at that size).
    """
    tally = Tally()
    for quad in kg.store.quads_for_pattern(None, MLKG.paperId, None, None):
        paper = term_value(quad.subject)
        if isinstance(quad.graph_name, NamedNode) and quad.graph_name.value == paper:
            tally.add(read_paper(kg, iris, paper))
    tally.names = stored_labels(kg, _named_nodes(tally.values))
    merged = restate(kg, models_reported_twice(tally))
    tally.merge(merged.correction)
    graph = NamedNode(iris.statistics_graph)
    seen = _kept_order(kg, iris, tally)
    stored = _digests(kg.store.quads_for_pattern(None, None, None, graph))
    rewrite: dict = {}
    statements = chain(fresh_statements(tally, iris, seen), merged.statements(iris))
    for statement, subject, digest in _fresh_digests(statements, iris):
        if stored.pop(subject, None) != digest:
            rewrite[subject] = statement
    for subject in [*stored, *rewrite]:  # stored ones no longer counted, and changed ones
        for quad in list(kg.store.quads_for_pattern(subject, None, None, graph)):
            kg.store.remove(quad)
    load_fresh(kg, iris, rewrite.values())
    relabel_models(kg, iris, stored_names(kg, iris))


def _kept_order(kg: KnowledgeGraph, iris: Iris, tally: Tally) -> dict[tuple, int]:
    """Spelling numbers for a recount: those the store holds stay, new spellings come after.

    So a repaired build names every model as the build that was interrupted
    would have (the spellings it had counted keep their places).
    """
    graph = NamedNode(iris.statistics_graph)
    stored = {
        term_value(q.subject): int(term_value(q.object))
        for q in kg.store.quads_for_pattern(None, MLKG.firstSeen, None, graph)
    }
    writer = TotalsWriter(iris)
    last = max(stored.values(), default=0)
    seen = {}
    for key in spelling_order(tally):
        number = stored.get(writer.observation_iri(key))
        if number is None:
            last += 1
            number = last
        seen[key] = number
    return seen


def _digests(quads: Iterable[Quad]) -> dict:
    """Subject -> digest of its (predicate, object) pairs, in any order.

    A graph's quads come grouped by subject (the store's graph-first index),
    so one subject's pairs are held at a time; a subject met twice gets no
    digest, and so is never taken for unchanged.
    """
    digests: dict = {}
    for subject, group in groupby(quads, key=lambda quad: quad.subject):
        pairs = sorted(f"{quad.predicate} {quad.object}" for quad in group)
        digest = hashlib.blake2b("\n".join(pairs).encode("utf-8"), digest_size=16).digest()
        digests[subject] = None if subject in digests else digest
    return digests


def _fresh_digests(statements: Iterable[str], iris: Iris) -> Iterator[tuple[str, NamedNode, bytes]]:
    """(statement, its subject, digest) for each statement, parsed a chunk at a time."""
    for chunk in _chunks(statements):
        found = _digests(parse(_trig(iris, "".join(chunk)).encode("utf-8"), RdfFormat.TRIG))
        for statement, (subject, digest) in zip(chunk, found.items(), strict=True):
            yield statement, subject, digest


# -- reading the totals ---------------------------------------------------------------

#: class of node -> (the data set counting its runs, the dimension naming it)
RUNS_BY_CLASS = {
    "Hardware": ("runsByHardware", "forHardware"),
    "Country": ("computeByCountry", "forCountry"),
    "Year": ("runsByYear", "forYear"),
    "Organization": ("computeByManufacturer", "forManufacturer"),
    "Model": ("models", "forModel"),
}
#: pair of classes -> the data set counting runs that have both
RUNS_BY_PAIR = {
    ("Hardware", "Country"): "runsByCountryAndHardware",
    ("Hardware", "Year"): "runsByHardwareAndYear",
    ("Model", "Hardware"): "runsByHardwareAndModel",
}


#: each pattern is asked inside the statistics graph, where its quads lie together
_RUN_TOTALS = """SELECT ?measure ?value WHERE {
  GRAPH ?totals { ?o qb:dataSet mlkg:runTotals ; ?measure ?value } VALUES ?measure { $measures }
}"""
_RUNS_PER_NODE = """SELECT ?node ?n WHERE {
  GRAPH ?totals { ?o qb:dataSet $dataset ; $dimension ?node ; mlkg:runCount ?n }
}"""
_RUNS_PER_PAIR = """SELECT ?a ?b ?n WHERE {
  GRAPH ?totals { ?o qb:dataSet $dataset ; $left ?a ; $right ?b ; mlkg:runCount ?n }
}"""


def run_totals(kg: KnowledgeGraph) -> dict[str, int]:
    """The whole store's ``runTotals`` measures: runs, reports of runs, papers, mentions, ..."""
    found = dict.fromkeys(SLICES["runs"].measures, 0)
    query = fill(_RUN_TOTALS, measures=[MLKG[m] for m in found])
    for row in kg.query(query):
        found[str(mlkg_term(row["measure"].value))] = int(row["value"].value)
    return found


def runs_per_node(kg: KnowledgeGraph, cls: str) -> dict[str, int]:
    """Node IRI -> its training runs, for the nodes of *cls* that have any."""
    dataset, dimension = RUNS_BY_CLASS[cls]
    query = fill(_RUNS_PER_NODE, dataset=MLKG[dataset], dimension=MLKG[dimension])
    return {row["node"].value: int(row["n"].value) for row in kg.query(query)}


def runs_per_pair(kg: KnowledgeGraph, left: str, right: str) -> dict[tuple[str, str], int]:
    """(left node, right node) -> the training runs that have both."""
    query = fill(
        _RUNS_PER_PAIR,
        dataset=MLKG[RUNS_BY_PAIR[(left, right)]],
        left=MLKG[RUNS_BY_CLASS[left][1]],
        right=MLKG[RUNS_BY_CLASS[right][1]],
    )
    return {(row["a"].value, row["b"].value): int(row["n"].value) for row in kg.query(query)}
