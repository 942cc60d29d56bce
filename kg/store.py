"""The persistent graph store: pyoxigraph on disk, one named graph per paper."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Iterable

from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from .errors import KgError
from .files import partial_path, write_atomic
from .vocab import MLKG, PREFIXES

STORE_DIR = "store"
PENDING_FILE = "store.pending"
#: Held (an OS file lock) by the one process that may write to a store, or wipe it.
LOCK_FILE = "store.lock"
#: present while the running totals (kg.totals) may not match the papers
TOTALS_STALE_FILE = "totals.stale"
#: Names the shape of the graph a store holds (see GRAPH_FORMAT).
FORMAT_FILE = "store.format"
#: The graph's shape, raised when it changes. A store of another shape is
#: never read as this one: each older format is refused with what changed.
GRAPH_FORMAT = 8
FORMAT_CHANGES = {
    "1": "its graph has one training run per paper",
    "2": "its totals count a training run once per paper that reports it, and its runs hold no training compute",
    "3": "its runs hold no training compute",
    "4": "its running totals hold no training compute",
    "5": "its mentions each hold a copy of their sentence, and its papers not their text",
    "6": "its runs name no data sets (<dataset> tags were read as unknown tags)",
    "7": "a count written again without its accelerator made a second usage, counted twice in accelerator-hours",
}


_DATASET_CLAUSE = re.compile(r"\bFROM\s+(?:NAMED\s+)?(?:<|[A-Za-z_][\w.-]*:|:)", re.IGNORECASE)
_IRIS_STRINGS_COMMENTS = re.compile(
    r"<[^<>\"{}|^`\\\s]*>|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*",
    re.S,
)


def mask_sparql(sparql: str) -> str:
    """*sparql* with its IRIs, strings and comments blanked out, same length.

    Keywords and braces can then be searched for without meeting one inside
    a literal, and a position found is a position in the original text.
    """

    def blank(match: re.Match) -> str:
        text = match.group()
        if text.startswith("<"):
            return "<" + " " * (len(text) - 2) + ">"
        return re.sub(r"[^\n]", " ", text)

    return _IRIS_STRINGS_COMMENTS.sub(blank, sparql)


def has_dataset_clause(sparql: str) -> bool:
    """True if the query names its own dataset with FROM / FROM NAMED.

    Such a query must not get the union default graph, which would
    silently override its FROM clause.
    """
    return bool(_DATASET_CLAUSE.search(mask_sparql(sparql)))


def owns(graph, node) -> bool:
    """Whether *node* is one of a paper graph's own nodes (the paper, its run, its mentions).

    They have IRIs under the graph's name and are described only there;
    other nodes (models, accelerators, ...) can be described in many graphs.
    """
    return (
        isinstance(graph, NamedNode)
        and isinstance(node, NamedNode)
        and (node.value == graph.value or node.value.startswith(graph.value + "/"))
    )


class StoreError(KgError, RuntimeError):
    """The store cannot be opened (missing, locked by another process, ...)."""


class StoreDamaged(StoreError):
    """The store's files are corrupt or unreadable: only a rebuild helps."""


def is_corruption(err: BaseException) -> bool:
    """Whether an error from the store (RocksDB) says its files are damaged."""
    return isinstance(err, (OSError, RuntimeError)) and (
        "Corruption" in str(err) or "MANIFEST" in str(err) or "No such file" in str(err)
    )


def damaged(out_dir: Path, err: BaseException) -> StoreError:
    """The one-line error for a store that cannot be read, and how to recover."""
    reason = " ".join(str(err).split())  # RocksDB messages can span lines
    if len(reason) > 300:
        reason = reason[:300] + "..."
    writer = StoreLock.holder(out_dir)
    if writer is not None:
        # A reader can meet files that a running build is just replacing: not damage.
        return StoreError(
            f"the store in {out_dir}/ changed while it was read: another `kg` process{writer} is writing it "
            f"({reason}); try again when it has finished"
        )
    return StoreDamaged(
        f"the store in {out_dir}/ is damaged ({reason}); rebuild it from your documents with "
        f"`kg build PATH... --out {out_dir} --fresh`"
    )


# -- the lock on an output directory --------------------------------------------------
#
# RocksDB locks the store while it is open for writing, but `--fresh` deletes
# the store before opening it, and deleting the files of a store another
# build is writing corrupts it for good. So every writer, and `--fresh`
# before it deletes anything, first takes this lock, beside the store so that
# deleting the store does not delete the lock. flock() locks belong to the
# open file, which forked workers inherit: they close their copy, so that a
# worker left behind by a killed build does not keep the lock.

_held_locks: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_held_locks):
        try:
            os.close(fd)  # closing (never unlocking) a copy leaves the parent's lock in place
        except OSError:
            pass
    _held_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


class StoreLocked(StoreError):
    """Another process is writing to (or wiping) this store."""

    def __init__(self, message: str, pid: str | None = None):
        super().__init__(message)
        self.pid = pid


class StoreLock:
    """An exclusive lock on an output directory's store, released on :meth:`release` or exit."""

    def __init__(self, out_dir: Path, *, create: bool = True):
        self.path = Path(out_dir) / LOCK_FILE
        self.fd: int | None = None
        # a probe (create=False) only reads: it may run where the user cannot write
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT if create else os.O_RDONLY, 0o644)
        try:
            if not _try_lock(fd):
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
                raise StoreLocked(
                    f"another `kg` process{f' (pid {holder})' if holder.isdigit() else ''} is writing to the store "
                    f"in {out_dir}/; wait for it to finish (a store has one writer at a time)",
                    pid=holder if holder.isdigit() else None,
                )
            if create:  # a writer: its pid, for the message above in the next process
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        _held_locks.add(fd)

    @staticmethod
    def holder(out_dir: Path) -> str | None:
        """None if no process holds the lock of *out_dir*, else " (pid N)" (or "" when the pid is unknown)."""
        try:
            lock = StoreLock(Path(out_dir), create=False)
        except StoreLocked as err:
            if err.pid == str(os.getpid()):
                return None  # we are the writer
            return f" (pid {err.pid})" if err.pid else ""
        except OSError:
            return None  # no lock file: no mlkg writer ever ran here
        lock.release()
        return None

    def release(self) -> None:
        if self.fd is not None:
            _held_locks.discard(self.fd)
            os.close(self.fd)
            self.fd = None

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # noqa: BLE001 - at interpreter exit the os module may be gone; the OS frees the lock
            pass


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open_store(out_dir: Path, path: Path, read_only: bool) -> Store:
    """Open the store, turning each way it can fail into a one-line StoreError."""
    try:
        return Store.read_only(str(path)) if read_only else Store(str(path))
    except (OSError, RuntimeError) as err:
        if "lock" in str(err).lower():
            raise StoreLocked(
                f"cannot open the store in {path} (is another `kg` process using it?): {' '.join(str(err).split())}"
            ) from err
        if is_corruption(err):
            raise damaged(out_dir, err) from err
        raise StoreError(
            f"cannot open the store in {path}: {' '.join(str(err).split())}; if it is damaged, rebuild it "
            f"with `kg build PATH... --out {out_dir} --fresh`"
        ) from err


class KnowledgeGraph:
    """A built knowledge graph under an output directory.

    Writes go through :meth:`load_papers`, which journals the graphs it is
    about to replace, so a build killed half-way is repaired on the next run.
    Opened for writing, it holds the output directory's lock (:class:`StoreLock`)
    until :meth:`close` or until it is garbage-collected; *fresh* deletes the
    store, under that lock, before opening it.
    """

    def __init__(self, out_dir: str | Path = "output", *, read_only: bool = False, fresh: bool = False):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / STORE_DIR
        self.read_only = read_only
        self._lock: StoreLock | None = None
        if read_only:
            if not self.path.is_dir():
                raise StoreError(
                    f"no knowledge graph in {self.out_dir}/: run `kg build PATH --out {self.out_dir}` first"
                )
            self.store = _open_store(self.out_dir, self.path, read_only=True)
        else:
            self._lock = self.lock(self.out_dir)
            try:
                if fresh:
                    self._remove_files(self.out_dir)
                self.store = _open_store(self.out_dir, self.path, read_only=False)
                self._repair()
            except BaseException:
                self.close()
                raise
        self._check_format()

    def _check_format(self) -> None:
        """Refuse a store whose graph has another shape (built by an older mlkg)."""
        marker = self.out_dir / FORMAT_FILE
        stated = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
        if stated == str(GRAPH_FORMAT):
            return
        if self.is_empty():
            if not self.read_only:
                write_atomic(marker, f"{GRAPH_FORMAT}\n")
            return
        change = FORMAT_CHANGES.get(stated or "1", "its graph has another shape")
        raise StoreError(
            f"the store in {self.out_dir}/ was built by an older mlkg (graph format {stated or 1}; this mlkg "
            f"writes format {GRAPH_FORMAT}): {change}. Rebuild it from your documents: "
            f"`kg build PATH... --out {self.out_dir} --fresh`"
        )

    @staticmethod
    def lock(out_dir: str | Path) -> StoreLock:
        """Take the output directory's write lock (creating the directory), or raise StoreError."""
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise StoreError(f"the output directory {out} is a file; give a directory with --out")
        try:
            out.mkdir(parents=True, exist_ok=True)
            return StoreLock(out)
        except StoreError:
            raise
        except OSError as err:
            raise StoreError(f"cannot write to the output directory {out}: {err.strerror or err}") from err

    def close(self) -> None:
        """Close the store and release the write lock (the object is unusable after)."""
        self.__dict__.pop("store", None)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @classmethod
    def wipe(cls, out_dir: str | Path) -> None:
        """Delete the store so the next build starts over (``--fresh``); refused while another process writes it."""
        lock = cls.lock(out_dir)
        try:
            cls._remove_files(Path(out_dir))
        finally:
            lock.release()

    @staticmethod
    def _remove_files(out: Path) -> None:
        shutil.rmtree(out / STORE_DIR, ignore_errors=True)
        (out / PENDING_FILE).unlink(missing_ok=True)
        partial_path(out / PENDING_FILE).unlink(missing_ok=True)
        (out / TOTALS_STALE_FILE).unlink(missing_ok=True)
        (out / FORMAT_FILE).unlink(missing_ok=True)

    # -- writing ---------------------------------------------------------------

    @property
    def _pending(self) -> Path:
        return self.out_dir / PENDING_FILE

    def _repair(self) -> None:
        """Drop the graphs of a batch that an earlier build did not finish."""
        if not self._pending.exists():
            return
        self.mark_totals_stale()  # they counted the dropped graphs, or were never written
        for graph in json.loads(self._pending.read_text(encoding="utf-8")):
            if self.store.contains_named_graph(NamedNode(graph)):
                self.store.remove_graph(NamedNode(graph))
        self.store.flush()
        self._pending.unlink()

    def content_hash(self, paper_iri: str) -> str | None:
        """The stored hash of a paper's text, or None if the paper is not stored."""
        paper = NamedNode(paper_iri)
        for quad in self.store.quads_for_pattern(paper, MLKG.contentHash, None, paper):
            if isinstance(quad.object, Literal):
                return quad.object.value
        return None

    def paper_iri(self, paper_id: str) -> str | None:
        """The IRI of the paper with this id, or None (one index lookup, whatever the base IRI)."""
        for quad in self.store.quads_for_pattern(None, MLKG.paperId, Literal(paper_id), None):
            if quad.subject == quad.graph_name and isinstance(quad.subject, NamedNode):
                return quad.subject.value
        return None

    def load_papers(self, graphs: Iterable[str], trig: str, replace: Iterable[str] = ()) -> None:
        """Bulk-load TriG for new papers, replacing the graphs listed in *replace*."""
        graphs = list(graphs)
        # written whole or not at all: a kill mid-write must not leave a torn journal
        write_atomic(self._pending, json.dumps(graphs))
        for graph in replace:
            self.store.remove_graph(NamedNode(graph))
        if trig:
            self.store.bulk_load(trig.encode("utf-8"), RdfFormat.TRIG)
        self.store.flush()
        self._pending.unlink()

    def mark_totals_stale(self) -> None:
        """Make the next build recount the running totals (see kg.totals)."""
        (self.out_dir / TOTALS_STALE_FILE).touch()

    def optimize(self) -> None:
        self.store.optimize()

    # -- reading ---------------------------------------------------------------

    def query(self, sparql: str, **options):
        """Run SPARQL over the union of all named graphs, unless it has FROM clauses.

        The mlkg prefixes (``mlkg:``, ``rdfs:``, ...) are predeclared.
        """
        options.setdefault("prefixes", PREFIXES)
        if "default_graph" not in options and not has_dataset_clause(sparql):
            options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, **options)

    def is_empty(self) -> bool:
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    def __len__(self) -> int:
        return len(self.store)

    def paper_count(self) -> int:
        row = next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a mlkg:Paper }")))
        return int(row["n"].value)
