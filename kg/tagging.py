"""Write documents back with the finder's tags in them, for a person to review.

The output is the input with ``<kind>...</kind>`` around each find, in
exactly the syntax ``kg build`` reads, so the reviewed text builds like any
tagged excerpt. Tags a person already wrote stay as written; JSON Lines stay
JSON Lines, with only each record's ``"text"`` changed.
"""

from __future__ import annotations

import bisect
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import KgError
from .files import write_atomic
from .finder import finds_for
from .sources import Document, Rejected, iter_documents, jsonl_record
from .tags import TaggedText, parse_tags

__all__ = ["TaggedFile", "TagError", "insert_tags", "tag_paths"]


class TagError(KgError, ValueError):
    """kg tag was asked to write where it must not (over its own input)."""


def _source_offset(tagged: TaggedText, offset: int, *, end: bool) -> int:
    """Where a plain-text offset sits in the source (an end offset stays before a following tag)."""
    starts = [plain for plain, _ in tagged.pieces]
    index = bisect.bisect_right(starts, offset - 1 if end and offset else offset) - 1
    plain_start, source_start = tagged.pieces[max(index, 0)]
    return source_start + offset - plain_start


def insert_tags(text: str, extract: str = "auto") -> tuple[str, int]:
    """*text* with the finder's tags inserted, and how many it inserted."""
    tagged = parse_tags(text)
    finds = finds_for(tagged, extract)
    pieces, cursor, count = [], 0, 0
    for item in finds:
        start = _source_offset(tagged, item.start, end=False)
        stop = _source_offset(tagged, item.end, end=True)
        if text[start:stop] != tagged.plain[item.start : item.end]:
            continue  # the find runs across markup (an empty tag): leave that text alone
        pieces += [text[cursor:start], f"<{item.kind}>", text[start:stop], f"</{item.kind}>"]
        cursor, count = stop, count + 1
    pieces.append(text[cursor:])
    return "".join(pieces), count


@dataclass
class TaggedFile:
    """One file written: where, how many documents and tags, and what could not be read."""

    path: Path
    documents: int = 0
    tags: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def _target(out_dir: Path, item: Document | Rejected, source_file: Path) -> Path:
    """Where a document's tagged copy goes: under its name as mlkg:sourcePath gives it (its file's, for a record)."""
    if isinstance(item, Document) and item.source == "<stdin>":
        return out_dir / "stdin.txt"
    shared = item.shared_as if isinstance(item, Document) else None
    if not shared:
        return out_dir / source_file.name
    record = jsonl_record(shared)
    return out_dir / (record[0] if record else shared)


def tag_paths(paths: Iterable[str], out_dir: str | Path, extract: str = "auto") -> list[TaggedFile]:
    """Write every document under *paths* into *out_dir* with found tags inserted.

    A folder's files keep their place under the folder's name, as
    mlkg:sourcePath names them. Nothing is written over an input file.
    """
    out_dir = Path(out_dir)
    paths = list(paths)
    inputs = {Path(p).resolve() for p in paths if p != "-"}
    written: dict[Path, TaggedFile] = {}
    records: dict[Path, dict[int, str]] = {}  # JSON Lines: line number -> tagged text
    originals: dict[Path, Path] = {}
    for item in iter_documents(paths):
        record = jsonl_record(item.source)  # (file, line) of a JSON Lines record, else None
        source_file = Path(record[0] if record else item.source)
        target = _target(out_dir, item, source_file)
        if target.resolve() == source_file.resolve() or target.resolve() in inputs:
            raise TagError(f"kg tag would write {target} over its input; give -o another folder")
        entry = written.setdefault(target, TaggedFile(target))
        if record is not None:
            originals[target] = source_file
        if isinstance(item, Rejected):
            entry.rejected.append(item)
            continue
        if record is not None:
            text, count = insert_tags(item.text, extract)
            records.setdefault(target, {})[record[1]] = text
            entry.documents, entry.tags = entry.documents + 1, entry.tags + count
            continue
        text, count = insert_tags(item.text, extract)
        entry.documents, entry.tags = 1, count
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    for target, source_file in originals.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, _rewrite_jsonl(source_file, records.get(target, {})))
    return list(written.values())


def _rewrite_jsonl(source: Path, texts: dict[int, str]) -> str:
    """The JSON Lines file with each read record's "text" replaced; other lines as they were."""
    lines = []
    with open(source, encoding="utf-8", errors="surrogateescape", newline="") as stream:
        for number, line in enumerate(stream, start=1):
            if number in texts:
                record = json.loads(line)
                record["text"] = texts[number]
                ending = line[len(line.rstrip("\r\n")) :] or os.linesep
                line = json.dumps(record, ensure_ascii=False) + ending
            lines.append(line)
    return "".join(lines)
