"""Read input documents from files, directories, JSON Lines and stdin.

Reading never raises for a bad document: it yields a :class:`Rejected`
record saying why, so one unreadable file cannot stop a build.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Union

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str  # path, "path:line" for JSON Lines, or "<stdin>"


@dataclass(frozen=True)
class Rejected:
    id: str
    source: str
    reason: str
    line: int = 0
    column: int = 0


Item = Union[Document, Rejected]


class SourceError(ValueError):
    """A path given on the command line does not exist or is not readable."""


def decode_text(data: bytes) -> tuple[str | None, str, int, int]:
    """Decode a document's bytes; return (text, reason, line, column) on failure."""
    if not data.strip():
        return None, "empty document: there is no text to read", 0, 0
    if b"\x00" in data:
        return None, "binary file (contains NUL bytes), not a text excerpt", 0, 0
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        reason = (
            f"not UTF-8: byte 0x{data[err.start]:02x} cannot be decoded; "
            "re-save the file as UTF-8"
        )
        return None, reason, line, column
    return text.removeprefix("\ufeff"), "", 0, 0


def read_path(path: Path, doc_id: str | None = None) -> Item:
    doc_id = doc_id or path.stem
    try:
        data = path.read_bytes()
    except OSError as err:
        return Rejected(doc_id, str(path), f"cannot read file: {err.strerror}")
    text, reason, line, column = decode_text(data)
    if text is None:
        return Rejected(doc_id, str(path), reason, line, column)
    return Document(doc_id, text, str(path))


def read_jsonl(stream: BinaryIO, name: str) -> Iterator[Item]:
    """One document per line: ``{"id": ..., "text": ...}``; blank lines are skipped."""
    for number, raw in enumerate(stream, start=1):
        source = f"{name}:{number}"
        if not raw.strip():
            continue
        fallback_id = f"{Path(name).stem}-line-{number}"
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            column = getattr(err, "colno", 0)
            msg = getattr(err, "msg", str(err))
            yield Rejected(fallback_id, source, f"invalid JSON: {msg}", number, column)
            continue
        if not isinstance(record, dict):
            yield Rejected(fallback_id, source, "a line must be a JSON object", number, 1)
            continue
        doc_id, text = record.get("id"), record.get("text")
        if not isinstance(doc_id, (str, int)) or str(doc_id).strip() == "":
            yield Rejected(fallback_id, source, 'missing "id" (a non-empty string)', number, 1)
            continue
        doc_id = str(doc_id)
        if not isinstance(text, str):
            yield Rejected(doc_id, source, 'missing "text" (a string)', number, 1)
            continue
        if not text.strip():
            yield Rejected(doc_id, source, "empty document: there is no text to read", number, 1)
            continue
        yield Document(doc_id, text, source)


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES:
            if not any(part.startswith(".") for part in path.relative_to(root).parts):
                yield path


def check_paths(paths: Iterable[str]) -> None:
    """Fail early, before any work, on a path that does not exist."""
    for raw in paths:
        if raw != "-" and not Path(raw).exists():
            raise SourceError(f"no such file or directory: {raw}")


def _items(paths: Iterable[str], stdin: BinaryIO | None) -> Iterator[Item]:
    for raw in paths:
        if raw == "-":
            stream = stdin or sys.stdin.buffer
            data = stream.read()
            head = data.lstrip()[:1]
            if head == b"{":
                import io

                yield from read_jsonl(io.BytesIO(data), "<stdin>")
            else:
                text, reason, line, column = decode_text(data)
                if text is None:
                    yield Rejected("stdin", "<stdin>", reason, line, column)
                else:
                    yield Document("stdin", text, "<stdin>")
            continue
        path = Path(raw)
        files = _walk(path) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() in JSONL_SUFFIXES:
                with file.open("rb") as stream:
                    yield from read_jsonl(stream, str(file))
            else:
                yield read_path(file)


def iter_documents(paths: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Item]:
    """Every document under *paths*, in a stable order, duplicates rejected."""
    seen: dict[str, str] = {}
    for item in _items(paths, stdin):
        if isinstance(item, Document):
            first = seen.get(item.id)
            if first is not None:
                yield Rejected(
                    item.id,
                    item.source,
                    f"duplicate id {item.id!r}: already read from {first}; ids must be unique",
                )
                continue
            seen[item.id] = item.source
        yield item
