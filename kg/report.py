"""The build report: every input document, its status, problems and facts."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .files import replacing
from .mapping import MappedDocument
from .sources import Rejected


def entry_for(item: MappedDocument | Rejected, *, unchanged: bool = False) -> dict:
    if isinstance(item, Rejected):
        return {
            "id": item.id,
            "source": item.source,
            "status": "rejected",
            "problems": [
                {
                    "line": item.line,
                    "column": item.column,
                    "kind": "rejected",
                    "severity": "error",
                    "message": item.reason,
                }
            ],
            "facts": 0,
            "mentions": 0,
        }
    return {
        "id": item.id,
        "source": item.source,
        "iri": item.iri,
        "status": item.status,
        "unchanged": unchanged,
        "problems": [p.as_dict() for p in item.problems],
        "facts": item.facts,
        "mentions": item.mentions,
        "found": item.found,
    }


@dataclass
class ReportWriter:
    """Streams document entries to disk so a huge build keeps little in memory."""

    path: Path
    counts: Counter = field(default_factory=Counter)
    facts: int = 0
    #: mentions the finder proposed in plain text (their facts are among *facts*)
    found: int = 0
    problems: int = 0
    #: the ids of this build's documents (a merge keeps the earlier entries of all others)
    ids: set = field(default_factory=set)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob(".report-*"):  # left by a killed build
            stale.unlink(missing_ok=True)
        fd, name = tempfile.mkstemp(prefix=".report-", dir=self.path.parent)
        self._tmp_path = Path(name)
        self._tmp = os.fdopen(fd, "w", encoding="utf-8")
        self._first = True

    def add(self, entry: dict) -> None:
        self.ids.add(entry["id"])
        self.counts[entry["status"]] += 1
        self.facts += entry["facts"]
        self.found += entry.get("found", 0)  # reports written before the finder have none
        self.problems += len(entry["problems"])
        self._tmp.write(("" if self._first else ",\n") + "    " + json.dumps(entry, ensure_ascii=False))
        self._first = False

    def summary(self, **extra) -> dict:
        return {
            "documents": sum(self.counts.values()),
            "ok": self.counts["ok"],
            "warning": self.counts["warning"],
            "rejected": self.counts["rejected"],
            "facts": self.facts,
            "found": self.found,
            "problems": self.problems,
            **extra,
        }

    def finish(self, **extra) -> dict:
        """Write the final report.json, summary first, and return the summary."""
        self._tmp.close()
        summary = self.summary(**extra)
        # write-then-rename: a build killed here leaves the previous report.json whole, never half of one
        with replacing(self.path) as out, open(self._tmp_path, encoding="utf-8") as body:
            out.write('{\n  "summary": ' + json.dumps(summary, ensure_ascii=False) + ',\n  "documents": [\n')
            while chunk := body.read(1 << 20):
                out.write(chunk)
            out.write("\n  ]\n}\n")
        self._tmp_path.unlink()
        return summary

    def merge_earlier(self) -> dict | None:
        """Keep the entries of the report.json already here for documents this build did not read.

        For ``kg add``: the report then still lists every document built into
        the store. Returns the earlier summary (None when there was no report).
        Entries are read a line at a time, as :meth:`finish` writes them.
        """
        if not self.path.is_file():
            return None
        earlier = None
        with open(self.path, encoding="utf-8") as old:
            for line in old:
                if line.startswith('  "summary": '):
                    earlier = json.loads(line[len('  "summary": ') :].rstrip().rstrip(","))
                elif line.startswith("    {"):
                    entry = json.loads(line.strip().rstrip(","))
                    if entry["id"] not in self.ids:
                        self.add(entry)
        return earlier

    def abort(self) -> None:
        self._tmp.close()
        self._tmp_path.unlink(missing_ok=True)
