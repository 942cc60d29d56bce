"""Read input documents from files, directories, JSON Lines and stdin.

Reading never raises for a bad document: it yields a :class:`Rejected`
record saying why, so one unreadable file cannot stop a build.

What reaches the graph is text XML can carry, so every export format (RDF/XML
and SPARQL XML results included) stays well-formed:

* a control character that XML 1.0 forbids (C0 other than tab, LF and CR,
  and U+FFFE, U+FFFF) in a document's text is replaced by a space, which
  keeps every offset, with a warning naming its line and column;
* an id or a file path holding one, or a lone surrogate anywhere (a
  ``\udfff`` JSON escape, a file name that is not UTF-8), rejects the
  document: there is no faithful way to write it.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Union

from .errors import KgError
from .tags import MarkupProblem, _Positions

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")

#: Characters XML 1.0 cannot hold, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Byte order marks of the encodings read besides UTF-8 (UTF-32 first: its
#: little-endian mark begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str  # path, "path:line" for JSON Lines, or "<stdin>"
    #: what reading changed, as warnings (line and column in the text)
    problems: tuple[MarkupProblem, ...] = ()
    #: the source as the graph names it (mlkg:sourcePath): relative to the
    #: argument it was found under, or None to leave it out
    shared_as: str | None = ""

    @property
    def source_path(self) -> str | None:
        return self.source if self.shared_as == "" else self.shared_as


@dataclass(frozen=True)
class Rejected:
    id: str
    source: str
    reason: str
    line: int = 0
    column: int = 0


Item = Union[Document, Rejected]


class SourceError(KgError, ValueError):
    """A path given on the command line does not exist or is not readable."""


def _bom_encoding(data: bytes) -> str | None:
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def decode_text(data: bytes) -> tuple[str | None, str, int, int]:
    """Decode a document's bytes; return (text, reason, line, column) on failure.

    UTF-8 (with or without a byte order mark), or UTF-16/UTF-32 when the
    file starts with their byte order mark (as Windows tools write them).
    """
    encoding = _bom_encoding(data)
    if encoding is None:
        if not data.strip():
            return None, "empty document: there is no text to read", 0, 0
        if b"\x00" in data:
            return None, "binary file (contains NUL bytes), not a text excerpt", 0, 0
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        before = data[: err.start].decode(encoding, "replace")
        line, column = _Positions(before)(len(before))
        reason = f"not {encoding.upper()}: byte 0x{data[err.start]:02x} cannot be decoded; re-save the file as UTF-8"
        return None, reason, line, column
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, "empty document: there is no text to read", 0, 0
    return text, "", 0, 0


_NAMES = {"\x00": "null", "\x0b": "line tabulation", "\x0c": "form feed", "\x1b": "escape"}


def _char_name(char: str) -> str:
    """ "U+000C (form feed)": the code point, and what it is."""
    name = _NAMES.get(char) or ("control character" if char < " " else unicodedata.name(char, "").lower())
    return f"U+{ord(char):04X} ({name or 'noncharacter'})"


def clean_text(text: str) -> tuple[str, tuple[MarkupProblem, ...]]:
    """The text with each character XML cannot hold replaced by a space, and a warning.

    A space keeps every offset and column, so mentions still point at their
    words; one warning per document names the first such character.
    """
    first = _NOT_XML.search(text)
    if first is None:
        return text, ()
    count = len(_NOT_XML.findall(text))
    line, column = _Positions(text)(first.start())
    what = _char_name(first.group())
    more = f" and {count - 1} more" if count > 1 else ""
    message = (
        f"{what} at line {line}, column {column}{more} replaced by a space: "
        "XML, and so RDF/XML, cannot hold control characters"
    )
    return _NOT_XML.sub(" ", text), (MarkupProblem("control_character", line, column, message),)


def _bad_name(value: str, what: str) -> str | None:
    """Why an id or path cannot name a document, or None."""
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return f"{what} holds a lone surrogate (U+{ord(surrogate.group()):04X}), which is not a character" + (
            " (the file name is not UTF-8)" if what == "the file path" else ""
        )
    control = _NOT_XML.search(value)
    if control:
        return f"{what} holds {_char_name(control.group())}, which XML cannot hold"
    return None


def _shown(value: str) -> str:
    """A name as it can be printed and written to report.json (undecodable bytes as \\xNN)."""
    try:
        raw = value.encode("utf-8", "surrogateescape")  # a file name's bytes, as the OS gave them
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _document(doc_id: str, text: str, source: str) -> Document:
    text, problems = clean_text(text)
    return Document(doc_id, text, source, problems)


def _path_problem(path: Path) -> Rejected | None:
    """A rejection for a path whose name the graph cannot hold."""
    reason = _bad_name(str(path), "the file path")
    if reason is None:
        return None
    return Rejected(_shown(path.stem), _shown(str(path)), reason + "; rename the file")


def read_path(path: Path, doc_id: str | None = None) -> Item:
    doc_id = doc_id or path.stem
    bad_path = _path_problem(path)
    if bad_path:
        return bad_path
    try:
        data = path.read_bytes()
    except OSError as err:
        return Rejected(doc_id, str(path), f"cannot read file: {err.strerror}")
    text, reason, line, column = decode_text(data)
    if text is None:
        return Rejected(doc_id, str(path), reason, line, column)
    return _document(doc_id, text, str(path))


_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


def _lone_surrogate_column(line: str) -> int:
    """1-based column, in one JSON line, of its first lone surrogate: a
    ``\\udfff`` escape not paired with its other half, or a raw one (JSON
    is decoded with ``surrogatepass``, so encoded surrogates get through)."""
    columns = []
    raw = _SURROGATE.search(line)
    if raw:
        columns.append(raw.start() + 1)
    escapes = [(m.start(), m.end(), int(m.group(1), 16)) for m in _JSON_ESCAPE.finditer(line) if m.group(1)]
    index = 0
    while index < len(escapes):
        start, end, code = escapes[index]
        following = escapes[index + 1] if index + 1 < len(escapes) else None
        if 0xD800 <= code <= 0xDBFF and following and following[0] == end and 0xDC00 <= following[2] <= 0xDFFF:
            index += 2  # a pair: one character
            continue
        if 0xD800 <= code <= 0xDFFF:
            columns.append(start + 1)
            break
        index += 1
    return min(columns, default=1)


def read_jsonl(stream: Iterable[bytes], name: str) -> Iterator[Item]:
    """One document per line: ``{"id": ..., "text": ...}``; blank lines are skipped."""
    stem = Path(name).stem
    for number, raw in enumerate(stream, start=1):
        source = f"{name}:{number}"
        if not raw.strip():
            continue
        fallback_id = f"{stem}-line-{number}"
        try:
            record = json.loads(raw)
        # ValueError: also a number of more than 4,300 digits; RecursionError: [[[[... nested too deep
        except (ValueError, RecursionError) as err:
            column = getattr(err, "colno", 1)
            msg = getattr(err, "msg", None) or str(err) or "nested too deeply"
            yield Rejected(fallback_id, source, f"invalid JSON: {msg}", number, column)
            continue
        if not isinstance(record, dict):
            yield Rejected(fallback_id, source, "a line must be a JSON object", number, 1)
            continue
        doc_id, text = record.get("id"), record.get("text")
        # bool is an int in Python, but `true` is no id
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or str(doc_id).strip() == "":
            yield Rejected(fallback_id, source, 'missing "id" (a non-empty string or an integer)', number, 1)
            continue
        doc_id = str(doc_id)
        bad_id = _bad_name(doc_id, 'the "id"')
        if bad_id:
            column = _lone_surrogate_column(raw.decode("utf-8", "surrogatepass")) if _SURROGATE.search(doc_id) else 1
            yield Rejected(fallback_id, source, bad_id, number, column)
            continue
        if not isinstance(text, str):
            yield Rejected(doc_id, source, 'missing "text" (a string)', number, 1)
            continue
        surrogate = _SURROGATE.search(text)
        if surrogate:
            column = _lone_surrogate_column(raw.decode("utf-8", "surrogatepass"))
            reason = (
                f'the "text" holds a lone surrogate (U+{ord(surrogate.group()):04X}), which is not a '
                "character; write the whole character (a pair of \\u escapes, or UTF-8)"
            )
            yield Rejected(doc_id, source, reason, number, column)
            continue
        if not text.strip():
            yield Rejected(doc_id, source, "empty document: there is no text to read", number, 1)
            continue
        yield _document(doc_id, text, source)


def jsonl_record(source: str) -> tuple[str, int] | None:
    """The file and line of a JSON Lines record's source ("papers.jsonl:3"); None for a whole file."""
    path, _, line = source.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else None


def _jsonl_lines(stream: BinaryIO) -> Iterable[bytes]:
    """The lines of a JSON Lines file as UTF-8 bytes, decoding UTF-16/UTF-32 with a byte order mark."""
    encoding = _bom_encoding(stream.peek(4)[:4]) if hasattr(stream, "peek") else None
    if encoding is None:
        return stream
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    return (line.encode("utf-8", "surrogatepass") for line in text)


def _is_jsonl(data: bytes) -> bool:
    """Standard input is JSON Lines when its first line is a JSON object
    (text that merely starts with "{" is a document)."""
    first = data.lstrip().split(b"\n", 1)[0]
    if not first.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


def _readable(root: Path, path: Path) -> bool:
    """A document file under *root*: a known suffix, and no hidden folder or file on the way."""
    return (
        path.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if _readable(root, path):
            yield path


def check_paths(paths: Iterable[str]) -> None:
    """Fail early, before any work, on a path that does not exist or a folder that holds no document."""
    for raw in paths:
        if raw == "-":
            continue
        path = Path(raw)
        if not path.exists():
            raise SourceError(f"no such file or directory: {raw}")
        if path.is_dir() and not any(_readable(path, p) for p in path.rglob("*")):
            suffixes = ", ".join(TEXT_SUFFIXES + JSONL_SUFFIXES)
            raise SourceError(
                f"no documents in the folder {raw}: looked for files ending in {suffixes} "
                "(hidden files and folders are skipped)"
            )


#: how a paper's mlkg:sourcePath is written (kg build --source-paths)
SOURCE_PATHS = ("relative", "omit")


def _relative(file: Path, raw: str) -> str:
    """*file* as the graph names it: relative to the folder of the argument *raw* it was found under.

    ``kg build /home/me/papers`` names ``papers/a.txt``, never the absolute
    path, so exports and pushes carry no user's local folders.
    """
    return os.path.relpath(file, Path(raw).parent) if Path(raw).is_dir() else file.name


def _shared(item: Item, file: Path, relative: str, source_paths: str) -> Item:
    """*item* with the source the graph names (*relative*: its file's name, see :func:`_relative`), or none."""
    if not isinstance(item, Document):
        return item
    if source_paths == "omit":
        return replace(item, shared_as=None)
    written = str(file)
    return replace(
        item, shared_as=relative + item.source[len(written) :] if item.source.startswith(written) else relative
    )


def _items(paths: Iterable[str], stdin: BinaryIO | None, source_paths: str = "relative") -> Iterator[Item]:
    for raw in paths:
        if raw == "-":
            stream = stdin or sys.stdin.buffer
            data = stream.read()
            if _is_jsonl(data):
                yield from read_jsonl(io.BytesIO(data), "<stdin>")
            else:
                text, reason, line, column = decode_text(data)
                if text is None:
                    yield Rejected("stdin", "<stdin>", reason, line, column)
                else:
                    document = _document("stdin", text, "<stdin>")
                    yield replace(document, shared_as=None) if source_paths == "omit" else document
            continue
        path = Path(raw)
        files = _walk(path) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() in JSONL_SUFFIXES:
                bad_path = _path_problem(file)
                if bad_path:
                    yield bad_path
                    continue
                relative = _relative(file, raw)
                with file.open("rb") as stream:
                    for item in read_jsonl(_jsonl_lines(stream), str(file)):
                        yield _shared(item, file, relative, source_paths)
            else:
                yield _shared(read_path(file), file, _relative(file, raw), source_paths)


def iter_documents(
    paths: Iterable[str], stdin: BinaryIO | None = None, source_paths: str = "relative"
) -> Iterator[Item]:
    """Every document under *paths*, in a stable order, duplicates rejected.

    *source_paths* is how the graph names each paper's source ("relative"
    to the argument's folder, or "omit"); the build report keeps the path
    as given, so that problems can be found.
    """
    if source_paths not in SOURCE_PATHS:
        raise SourceError(f"--source-paths is {source_paths!r}; it takes {' or '.join(SOURCE_PATHS)}")
    seen: dict[str, str] = {}
    for item in _items(paths, stdin, source_paths):
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
