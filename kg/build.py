"""Build a knowledge graph: read → tag → normalize → map (in workers) → store.

Documents stream through a bounded window of worker processes and reach the
store in batches, so memory stays flat however large the corpus is.
"""

from __future__ import annotations

import itertools
from itertools import chain
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from .errors import KgError
from . import restatements, tally, totals
from .charts import ChartData, KeptCharts
from .export import ExportFormat, StreamedExports, export
from .finder import EXTRACT_MODES
from .mapping import DocumentRejected, MappedDocument, map_document
from .reference import ReferenceWriter
from .report import ReportWriter, entry_for
from .sources import Item, Rejected, check_paths, iter_documents
from .store import KnowledgeGraph
from .terms import Iris, header
from .validate import WHOLE_STORE, SliceResult, ValidationResult, check_papers, finish_checks, init_checks
from .validate import finish_fresh_checks
from .validate import validate as run_validation
from .vocab import DEFAULT_BASE
from .workers import WorkerDied, windowed_map

DEFAULT_EXPORTS = ("turtle", "trig")
#: Up to this many papers the report counts the store's quads (seconds on a large store).
QUAD_COUNT_LIMIT = 20_000
#: Results of each severity a build's SHACL check keeps (the counts cover all).
VALIDATION_RESULTS = 200
#: Documents per store batch at first: small, so loading starts early.
BATCH_DOCUMENTS = 2_000
#: Batches grow with the store up to this many documents or this much TriG.
#: Every batch is ingested as new files that the store then merges with what
#: it holds, so small batches into a large store cost more and more
#: (measured: 2,000-paper batches take twice as long per paper past 400k
#: papers). The store's bulk loader needs about 20 bytes of memory per byte
#: of TriG it is given (measured: 880 MB more for 10,000 papers, 42 MB of
#: TriG; 450 MB for 5,000), the largest single part of a build's memory, so
#: the byte cap is what bounds it: 24 MB keeps a million-paper build's peak
#: well under 2 GB and, measured at 1M, costs no time against 48 MB.
MAX_BATCH_DOCUMENTS = 10_000
MAX_BATCH_BYTES = 24_000_000
#: A build that loads at least this many papers compacts the store after:
#: batches leave overlapping files that every lookup has to search, and one
#: full compaction (17 s for 100k papers) made the bundled queries 2-4x
#: faster and the store a fifth smaller. Small updates skip it.
COMPACT_AFTER = 20_000
CHUNK = 64

Progress = Callable[[dict], None]
#: what a build writes once the store is loaded (the pages), given the chart data it kept, if any
AfterStore = Callable[[KnowledgeGraph, Path, "ChartData | None"], list[Path]]


class BuildError(KgError, ValueError):
    """A build asked for something it cannot do (a usage error: nothing was touched)."""


def check_data(extract: str = "never") -> None:
    """Read every data file the mapping needs, here and now, so a broken one stops the build at once.

    Otherwise each worker would meet it on its own and every document would
    be rejected for it. Forked workers then start with the files read.
    """
    from .attribution import words as attribution_words
    from .countries import resolve_country
    from .hardware import load_catalogue
    from .normalize import NotUnderstood, parse_count

    steps: list[tuple[str, Callable[[], object]]] = [
        ("hardware.csv", load_catalogue),
        ("units.json", lambda: parse_count("1")),
        ("countries.csv and country_aliases.csv", lambda: resolve_country("Germany")),
        ("attribution.json", attribution_words),
    ]
    if extract != "never":
        # the finder's word lists and patterns are read here; its spaCy pipeline is built by the first
        # process that meets an untagged document, so a build of tagged text never pays for it
        from .finder import read_patterns

        steps.append(("patterns/finder.json and patterns/token_patterns.json", read_patterns))
    for name, load in steps:
        try:
            load()
        except NotUnderstood:
            pass  # the file was read; the sample value is beside the point
        except (ValueError, KeyError, TypeError, LookupError) as err:
            raise BuildError(f"the data file kg/data/{name} cannot be read: {err}") from err


def check_base(base: str) -> None:
    """Refuse a base IRI that would make invalid IRIs, before the store is touched.

    It must be an absolute IRI (with a scheme, such as ``https:``) without
    spaces or characters IRIs may not hold; a paper IRI is built from it to
    catch a base that is valid alone but not as a prefix (a second ``#``).
    """
    from pyoxigraph import NamedNode

    try:
        NamedNode(base)
        NamedNode(Iris(base).paper("example"))
    except ValueError as err:
        raise BuildError(f"--base {base!r} is not an absolute IRI ({err}); give one such as {DEFAULT_BASE}") from None


@dataclass
class BuildResult:
    out_dir: Path
    summary: dict
    outputs: list[Path] = field(default_factory=list)
    validation: dict | None = None

    @property
    def exit_code(self) -> int:
        """0 when every document this build read was built, 1 when any was rejected."""
        return 1 if self.summary.get("this_build", self.summary)["rejected"] else 0


# -- worker side ------------------------------------------------------------------

_iris: Iris | None = None
_utilization: Decimal | None = None
_extract = "auto"
_check = False


def _init_worker(base: str, utilization: Decimal | None = None, extract: str = "auto", check: bool = False) -> None:
    global _iris, _utilization, _extract, _check
    _iris, _utilization, _extract, _check = Iris(base), utilization, extract, check
    if check:
        init_checks()


def map_item(item: Item) -> MappedDocument | Rejected:
    """Map one document; an unexpected failure rejects that document only."""
    if isinstance(item, Rejected):
        return item
    try:
        return map_document(item, _iris or Iris(), _utilization, _extract)
    except DocumentRejected as err:
        return Rejected(item.id, item.source, str(err), err.line, err.column)
    except Exception as err:  # noqa: BLE001 - one bad document must not stop the build
        return Rejected(item.id, item.source, f"internal error while mapping: {err!r}")


def _map_chunk(chunk: list[Item]) -> tuple[list[MappedDocument | Rejected], SliceResult | None]:
    """Map a chunk of documents and, when the build validates, check their graphs here, in the worker."""
    mapped = [map_item(item) for item in chunk]
    if not _check:
        return mapped, None
    papers = [doc for doc in mapped if isinstance(doc, MappedDocument)]
    if not papers:
        return mapped, SliceResult()
    keys = set().union(*(doc.reference_keys for doc in papers))
    found = check_papers(papers, keys, _iris or Iris(), VALIDATION_RESULTS)
    return mapped, found


def _lost_chunk(chunk: list[Item], reason: str) -> tuple[list[MappedDocument | Rejected], None]:
    """The documents of a chunk whose worker died twice: rejected, so that the build can finish."""
    return [
        item
        if isinstance(item, Rejected)
        else Rejected(item.id, item.source, f"the worker mapping this document died ({reason})")
        for item in chunk
    ], None


def map_stream(
    items: Iterable[Item],
    *,
    jobs: int,
    base: str,
    utilization: Decimal | None = None,
    extract: str = "auto",
    checked: ValidationResult | None = None,
) -> Iterator[MappedDocument | Rejected]:
    """Map documents in order, with at most a few chunks in flight per worker.

    Given *checked*, each chunk's papers are SHACL-checked in the worker
    that maps them, and the results are added to it. A chunk whose worker
    dies (the out-of-memory killer, a crash) is mapped once more by a fresh
    worker; if that one dies too, its documents are rejected with the reason.
    """
    remaining = iter(items)
    chunks = iter(lambda: list(itertools.islice(remaining, CHUNK)), [])
    initargs = (base, utilization, extract, checked is not None)
    for mapped, found in windowed_map(
        _map_chunk, chunks, jobs=jobs, initializer=_init_worker, initargs=initargs, on_death=_lost_chunk
    ):
        if checked is not None and found is not None:
            checked.add(found, VALIDATION_RESULTS)
        yield from mapped


# -- main side --------------------------------------------------------------------


class _Loader:
    """Collects mapped papers and loads them into the store in batches."""

    def __init__(self, kg: KnowledgeGraph, iris: Iris, batch_size: int = BATCH_DOCUMENTS):
        self.kg = kg
        self.iris = iris
        #: what this build changes in the running totals
        self.tally = tally.Tally()
        #: a store with papers already: the runs they report may now be restated
        self.restated = restatements.Tracker(kg, self.tally) if not kg.is_empty() else None
        #: an empty store: the settings of each report, matched up at the end
        self.reported = restatements.Reported(kg.out_dir) if self.restated is None else None
        #: an empty store: what the chart page draws, kept instead of queried across the store
        self.charts = KeptCharts() if self.restated is None else None
        self.batch_size = batch_size
        self.header = header(iris.base)
        self.reference = ReferenceWriter(iris)
        self.graphs: list[str] = []
        self.replace: list[str] = []
        self.parts: list[str] = []
        self.reference_parts: list[str] = []
        self.size = self.text_size = 0
        self.loaded = 0
        self.unchanged = 0
        # A store that starts empty holds nothing to compare against, and
        # sources already reject duplicate ids: skip one lookup per paper.
        self.check_existing = not kg.is_empty()
        self._batches: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load_batches, name="kg-loader", daemon=True)
        self._thread.start()

    def add(self, doc: MappedDocument, streamed: StreamedExports | None = None) -> bool:
        """Queue a paper; returns False when the store already has this exact text."""
        stored = self.kg.content_hash(doc.iri) if self.check_existing else None
        if stored == doc.content_hash:
            self.unchanged += 1
            return False
        old = totals.read_paper(self.kg, self.iris, doc.iri) if stored is not None else None
        if self.restated is not None:
            self.restated.touch(run.model for facts in (old, doc.paper) if facts for run in facts.runs)
        if old is not None:
            self.replace.append(doc.iri)
            self.tally.add(old, -1)
        self.tally.add(doc.paper)
        if self.reported is not None:
            self.reported.add(doc.paper, doc.id)
        if self.charts is not None:
            self.charts.add(doc.paper, doc.id)
        self.graphs.append(doc.iri)
        text = doc.trig()
        self.parts.append(text)
        self.text_size += len(text)
        reference = self.reference.statements(doc.reference_keys)
        if reference:
            self.reference_parts.append(reference)
        if streamed:
            streamed.add(doc, text, reference)
        self.size += 1
        limit = max(self.batch_size, min(MAX_BATCH_DOCUMENTS, self.loaded // 20))
        if self.size >= limit or self.text_size >= MAX_BATCH_BYTES:
            self.flush()
        return True

    def flush(self) -> None:
        """Hand the batch to the loading thread (waits while it loads the previous one)."""
        if not self.graphs:
            return
        self._raise_if_failed()
        if self.reference_parts:
            self.parts.append(self.reference.block("".join(self.reference_parts)))
        self._batches.put((self.graphs, self.header + "".join(self.parts), self.replace))
        self.loaded += len(self.graphs)
        self.graphs, self.replace, self.parts, self.reference_parts = [], [], [], []
        self.size = self.text_size = 0

    # The store's bulk loader releases the GIL, so loading one batch in a
    # thread overlaps with reading and mapping the next.

    def _load_batches(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._error is None:
                try:
                    self.kg.load_papers(*batch)
                except BaseException as err:  # noqa: BLE001 - re-raised in the main thread
                    self._error = err

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def close(self, flush: bool = True) -> None:
        """Load what is queued and wait for it; re-raise a loading failure."""
        if self._thread.is_alive():
            if flush:
                self.flush()
            self._batches.put(None)
            self._thread.join()
        if flush:
            self._raise_if_failed()


def build(
    paths: Iterable[str],
    out: str | Path = "output",
    *,
    jobs: int | None = None,
    fresh: bool = False,
    base: str = DEFAULT_BASE,
    exports: Iterable[str] = DEFAULT_EXPORTS,
    validate: bool | None = None,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    after_store: AfterStore | None = None,
    batch_size: int = BATCH_DOCUMENTS,
    compact_after: int = COMPACT_AFTER,
    utilization: Decimal | None = None,
    extract: str = "auto",
    merge_report: bool = False,
    source_paths: str = "relative",
) -> BuildResult:
    """Build (or update) the knowledge graph in *out* from documents under *paths*.

    Unchanged papers are skipped, changed ones replace their named graph.
    A build that loads *compact_after* papers or more compacts the store.
    *source_paths* is how each paper's mlkg:sourcePath is written:
    "relative" to the argument's folder, or "omit".
    *merge_report* keeps the earlier report.json entries of the documents
    this build did not read (``kg add``), and the earlier SHACL result when
    this build does not validate, marked as older than the change.
    *utilization* replaces the assumed utilization of every hardware
    estimate of training compute (docs/compute.md). *extract* says which
    documents the finder reads (docs/extraction.md): "auto" those with no
    fact tags, "always" all (a person's tag wins over a find it overlaps),
    "never" none.
    ``validate=None`` (the default) checks each document's graph in the
    worker that maps it, and at the end every graph that is not a paper's
    (shared nodes, running totals): into an empty store this is what a check
    of the whole store finds, at any size. ``validate=True`` checks the whole
    store in one pass after loading; ``False`` skips the check.
    """
    # Every argument is checked before the output directory is touched.
    check_base(base)
    paths = list(paths)
    check_paths(paths)
    if extract not in EXTRACT_MODES:
        raise BuildError(f"--extract is {extract!r}; it takes {', '.join(EXTRACT_MODES)}")
    check_data(extract)
    out_dir = Path(out)
    started = time.perf_counter()
    iris = Iris(base)
    # --fresh deletes the store only once this process holds its lock: deleting
    # the files of a store another build is writing corrupts it for good.
    kg = KnowledgeGraph(out_dir, fresh=fresh)
    report = ReportWriter(out_dir / "report.json")
    untrusted_totals = totals.begin(kg)
    loader = _Loader(kg, iris, batch_size)
    jobs = jobs or os.cpu_count() or 1
    formats = [ExportFormat(name) for name in exports]
    # Into an empty store, the exports are exactly the text being loaded:
    # write Turtle and TriG alongside instead of reading the store back.
    streamed = None
    if not loader.check_existing:
        streamed = StreamedExports(out_dir, [f for f in formats if f in StreamedExports.FORMATS], iris)
    # By default each paper is checked where it is mapped, the rest at the end;
    # --validate asks for one pass over the whole store instead.
    checked = ValidationResult(conforms=True) if validate is None else None
    was_empty = not loader.check_existing
    read = 0
    timings: dict[str, float] = {}
    charts: Callable[[], ChartData | None] | None = None
    statistics: Callable[[], Iterable[str]] | None = None
    try:
        documents = iter_documents(paths, stdin, source_paths)
        for result in map_stream(
            documents, jobs=jobs, base=iris.base, utilization=utilization, extract=extract, checked=checked
        ):
            if isinstance(result, Rejected):
                entry = entry_for(result)
            else:
                read += 1
                changed = loader.add(result, streamed)
                entry = entry_for(result, unchanged=not changed)
            report.add(entry)
            if progress:
                progress(entry)
        loader.close()
        if untrusted_totals:
            totals.recount(kg, iris)
        elif loader.reported is not None:  # into an empty store
            matching = time.perf_counter()
            merged = loader.reported.restate(loader.charts.merge if loader.charts else None)
            timings["restate_seconds"] = round(time.perf_counter() - matching, 3)
            loader.tally.merge(merged.correction)
            links = merged

            def written() -> Iterator[str]:
                """The statistics graph's statements: written again for the check rather than read back."""
                return chain(tally.fresh_statements(loader.tally, iris), links.statements(iris))

            statistics = written
            totals.load_fresh(kg, iris, written(), streamed.add_totals if streamed else None)
            names = totals.load_fresh_names(kg, iris, loader.tally, streamed.add_reference if streamed else None)
            if loader.charts is not None:
                kept = loader.charts
                charts = lambda: kept.data(kg, loader.tally, names)  # noqa: E731 - read once the totals are in
        elif loader.restated is not None:  # into a store that held papers
            merged = loader.restated.finish(iris)
            totals.apply(kg, iris, loader.tally)
            totals.load_fresh(kg, iris, merged.statements(iris))
    except BaseException:
        report.abort()
        if streamed:
            streamed.abort()
        loader.close(flush=False)  # let an in-flight batch finish; its journal covers a kill
        raise
    finally:
        if loader.reported is not None:
            loader.reported.close()
    load_seconds = time.perf_counter() - started
    # Compacting releases the GIL: the exports, pages and last checks read the store meanwhile.
    compaction = _Compaction(kg) if loader.loaded >= compact_after else None
    try:
        outputs, papers, validation, after = _after_loading(
            kg,
            iris,
            out_dir,
            formats,
            streamed,
            after_store=after_store,
            changed=loader.loaded > 0 or fresh,
            unchanged=loader.unchanged,
            validate=validate,
            checked=checked,
            scope=WHOLE_STORE if was_empty else _scope(read),
            jobs=jobs,
            charts=charts,
            statistics=statistics,
            # into an empty store every paper loaded is a new one: no count across the store
            papers=loader.loaded if was_empty else None,
        )
    finally:
        compact_seconds = compaction.wait() if compaction else None
    extra: dict = {}
    if merge_report:
        extra["this_build"] = {
            "documents": sum(report.counts.values()),
            **{status: report.counts[status] for status in ("ok", "warning", "rejected")},
        }
        earlier = report.merge_earlier()
        if validation is None and earlier and earlier.get("validation"):
            validation = dict(
                earlier["validation"],
                note=(f"from an earlier build: this `kg add` changed {loader.loaded} papers since; run `kg validate`"),
            )
    summary = report.finish(
        papers_loaded=loader.loaded,
        papers_unchanged=loader.unchanged,
        papers_in_store=papers,
        # counting every quad takes seconds on a large store; say so instead
        triples_in_store=len(kg) if papers <= QUAD_COUNT_LIMIT else None,
        seconds=round(time.perf_counter() - started, 3),
        load_seconds=round(load_seconds, 3),
        compact_seconds=compact_seconds,
        **timings,
        **after,
        validation=validation,
        outputs=[str(p) for p in outputs],
        **extra,
    )
    return BuildResult(out_dir, summary, outputs, validation)


class _Compaction:
    """The store's compaction, run in a thread (it releases the GIL) while the build writes its outputs."""

    def __init__(self, kg: KnowledgeGraph):
        self.seconds = 0.0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(kg,), name="kg-compact", daemon=True)
        self.thread.start()

    def _run(self, kg: KnowledgeGraph) -> None:
        started = time.perf_counter()
        try:
            kg.optimize()
        except BaseException as err:  # noqa: BLE001 - re-raised by wait()
            self.error = err
        self.seconds = time.perf_counter() - started

    def wait(self) -> float:
        """Its own seconds, once done; a failure is raised here."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        return round(self.seconds, 3)


def _scope(read: int) -> str:
    return f"the {read} paper{'s' if read != 1 else ''} this build read, every shared node and the running totals"


def _after_loading(
    kg: KnowledgeGraph,
    iris: Iris,
    out_dir: Path,
    formats: list[ExportFormat],
    streamed: StreamedExports | None,
    *,
    after_store: AfterStore | None,
    changed: bool,
    unchanged: int,
    validate: bool | None,
    checked: ValidationResult | None,
    scope: str,
    jobs: int,
    charts: Callable[[], ChartData | None] | None = None,
    statistics: Callable[[], Iterable[str]] | None = None,
    papers: int | None = None,
) -> tuple[list[Path], int, dict | None, dict[str, float]]:
    """The exports, the pages and the end of the SHACL check, with what each took.

    *changed*: the build loaded papers (or started fresh); an update that
    changed nothing leaves existing exports as they are. *charts* gives the
    chart page's data the build kept (None: the page reads the store);
    *statistics* the statements of the statistics graph of a build into an
    empty store, checked as written rather than read back.
    """
    exporting = time.perf_counter()
    outputs: list[Path] = streamed.finish() if streamed else []
    for fmt in formats:
        target = out_dir / f"graph.{fmt.extension}"
        if target in outputs:
            continue
        if changed or not target.exists():
            export(kg, fmt, target, base=iris.base)
        outputs.append(target)
    pages = time.perf_counter()
    if after_store and (changed or not unchanged):
        outputs.extend(after_store(kg, out_dir, charts() if charts else None))
    checking = time.perf_counter()
    papers = kg.paper_count() if papers is None else papers
    validation = None
    try:
        if validate:
            validation = run_validation(kg, jobs=jobs, limit=VALIDATION_RESULTS).as_dict()
        elif checked is not None:
            # into an empty store every paper was read, so the check covers it all
            checked.scope = scope
            if statistics is not None:
                found = finish_fresh_checks(kg, iris, checked, statistics(), jobs=jobs, limit=VALIDATION_RESULTS)
            else:
                found = finish_checks(kg, iris, checked, jobs=jobs, limit=VALIDATION_RESULTS)
            validation = found.as_dict()
    except WorkerDied as err:
        # the store is built and sound; only the check is missing, and the report says so
        validation = ValidationResult(
            None, skipped=f"{err}; run `kg validate`", violation_count=None, warning_count=None
        ).as_dict()
    timings = {
        # what each stage after loading took (the check: what is left of it after the workers' part)
        "export_seconds": round(pages - exporting, 3),
        "page_seconds": round(checking - pages, 3),
        "check_seconds": round(time.perf_counter() - checking, 3),
    }
    return outputs, papers, validation, timings
