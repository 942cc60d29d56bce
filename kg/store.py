"""The persistent graph store: pyoxigraph on disk, one named graph per paper."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Iterable

from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from .vocab import MLKG, PREFIXES

STORE_DIR = "store"
PENDING_FILE = "store.pending"
#: present while the running totals (kg.totals) may not match the papers
TOTALS_STALE_FILE = "totals.stale"


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


class StoreError(RuntimeError):
    """The store cannot be opened (missing, locked by another process, ...)."""


class KnowledgeGraph:
    """A built knowledge graph under an output directory.

    Writes go through :meth:`load_papers`, which journals the graphs it is
    about to replace, so a build killed half-way is repaired on the next run.
    """

    def __init__(self, out_dir: str | Path = "output", *, read_only: bool = False):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / STORE_DIR
        self.read_only = read_only
        if read_only:
            if not self.path.is_dir():
                raise StoreError(
                    f"no knowledge graph in {self.out_dir}/: run `kg build PATH --out {self.out_dir}` first"
                )
            try:
                self.store = Store.read_only(str(self.path))
            except OSError as err:
                raise StoreError(f"cannot open the store in {self.path}: {err}") from err
        else:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            try:
                self.store = Store(str(self.path))
            except OSError as err:
                raise StoreError(
                    f"cannot open the store in {self.path} (is another `kg` process using it?): {err}"
                ) from err
            self._repair()

    @classmethod
    def wipe(cls, out_dir: str | Path) -> None:
        """Delete the store so the next build starts over (``--fresh``)."""
        out = Path(out_dir)
        shutil.rmtree(out / STORE_DIR, ignore_errors=True)
        (out / PENDING_FILE).unlink(missing_ok=True)
        (out / PENDING_FILE).with_suffix(".partial").unlink(missing_ok=True)
        (out / TOTALS_STALE_FILE).unlink(missing_ok=True)

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
            return quad.object.value
        return None

    def paper_iri(self, paper_id: str) -> str | None:
        """The IRI of the paper with this id, or None (one index lookup, whatever the base IRI)."""
        for quad in self.store.quads_for_pattern(None, MLKG.paperId, Literal(paper_id), None):
            if quad.subject == quad.graph_name:
                return quad.subject.value
        return None

    def load_papers(self, graphs: Iterable[str], trig: str, replace: Iterable[str] = ()) -> None:
        """Bulk-load TriG for new papers, replacing the graphs listed in *replace*."""
        graphs = list(graphs)
        # written whole or not at all: a kill mid-write must not leave a torn journal
        partial = self._pending.with_suffix(".partial")
        partial.write_text(json.dumps(graphs), encoding="utf-8")
        os.replace(partial, self._pending)
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
        row = next(iter(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p a <{MLKG.Paper.value}> }}")))
        return int(row["n"].value)
