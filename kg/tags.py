"""Find inline tags in an excerpt and return the text without them.

A tag is ``<name>`` ... ``</name>`` where *name* is a lowercase identifier.
Anything else that starts with ``<`` (``p < 0.05``, ``<img src=x>``) is
ordinary text. Broken markup never raises: each defect becomes a
:class:`MarkupProblem` with the line and column of the offending tag, and
every well-formed span is still returned.
"""

from __future__ import annotations

import bisect
import re
from typing import Callable
from dataclasses import dataclass, field

from .kinds import KNOWN_TAGS  # the registry of tag kinds

_TAG = re.compile(r"<(/?)([a-z][a-z0-9_]*)>")


@dataclass(frozen=True)
class TagSpan:
    """One well-formed tag: its name, inner text and where it sits."""

    name: str
    text: str
    start: int  # offset of the inner text in the tag-free text
    end: int
    line: int  # 1-based line of the opening tag's "<" in the source
    column: int  # 1-based column (code points) of that "<"


@dataclass(frozen=True)
class MarkupProblem:
    kind: str  # unclosed | mismatched | stray_close | nested | empty | unknown_tag
    line: int
    column: int
    message: str


@dataclass
class TaggedText:
    plain: str
    spans: list[TagSpan] = field(default_factory=list)
    problems: list[MarkupProblem] = field(default_factory=list)
    #: (plain offset, source offset) where each piece of text between tags starts
    pieces: list[tuple[int, int]] = field(default_factory=list)
    position: Callable[[int], tuple[int, int]] | None = None

    def source_position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column in the source of a plain-text offset (text found untagged)."""
        index = bisect.bisect_right(self.pieces, (offset, float("inf"))) - 1
        plain_start, source_start = self.pieces[max(index, 0)]
        return self.position(source_start + offset - plain_start)  # type: ignore[misc]


class _Positions:
    """Source offset → (line, column), both 1-based.

    A line ends at CRLF, CR or LF, as editors count them: a file saved with
    old Mac line ends (CR only) still has its problems on their own lines.
    """

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


@dataclass
class _Open:
    name: str
    plain_start: int
    source_end: int  # where the inner text starts in the source
    line: int
    column: int
    spoiled: bool = False  # another tag opened inside it


def parse_tags(text: str) -> TaggedText:
    """Strip tag markup from *text*, collecting spans and markup problems."""
    position = _Positions(text)
    pieces: list[str] = []
    plain_len = 0
    cursor = 0
    stack: list[_Open] = []
    result = TaggedText(plain="")

    def problem(kind: str, where: tuple[int, int], message: str) -> None:
        result.problems.append(MarkupProblem(kind, *where, message))

    for match in _TAG.finditer(text):
        chunk = text[cursor : match.start()]
        result.pieces.append((plain_len, cursor))
        pieces.append(chunk)
        plain_len += len(chunk)
        cursor = match.end()
        closing, name = match.group(1) == "/", match.group(2)
        if not closing:
            line, column = position(match.start())
            if stack:
                outer = stack[-1]
                outer.spoiled = True
                problem(
                    "nested",
                    (line, column),
                    f"<{name}> is inside <{outer.name}> (opened at line {outer.line}, "
                    f"column {outer.column}); tags cannot nest, so <{outer.name}> is ignored",
                )
            stack.append(_Open(name, plain_len, match.end(), line, column))
            continue
        if not stack:
            problem("stray_close", position(match.start()), f"</{name}> closes a tag that was never opened")
            continue
        opened = stack.pop()
        if opened.name != name:
            problem(
                "mismatched",
                position(match.start()),
                f"</{name}> does not match <{opened.name}> opened at line {opened.line}, "
                f"column {opened.column}; the tagged text is ignored",
            )
            continue
        if opened.spoiled:
            continue
        # no tag opened inside, so the source between the tags is the plain text
        inner = text[opened.source_end : match.start()]
        where = (opened.line, opened.column)
        if not inner.strip():
            problem("empty", where, f"<{name}> is empty; nothing to record")
            continue
        if name not in KNOWN_TAGS:
            problem("unknown_tag", where, f"<{name}> is not a tag mlkg knows; kept as a mention without a fact")
        result.spans.append(TagSpan(name, inner, opened.plain_start, plain_len, opened.line, opened.column))

    result.pieces.append((plain_len, cursor))
    result.position = position
    pieces.append(text[cursor:])
    for opened in stack:
        problem(
            "unclosed", (opened.line, opened.column), f"<{opened.name}> is never closed; the tagged text is ignored"
        )
    result.plain = "".join(pieces)
    result.spans.sort(key=lambda span: span.start)
    result.problems.sort(key=lambda p: (p.line, p.column))
    return result


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n")

#: Characters of context shown on each side of a span. A reader sees a fact
#: in its sentence's words, but a "sentence" can be a whole document (a table
#: flattened to one line): unbounded, each of thousands of tags in it would
#: show all of it.
CONTEXT_CHARS = 240
ELLIPSIS = "\u2026"


class Sentences:
    """Sentence boundaries of one text, found once and looked up per span."""

    def __init__(self, plain: str):
        self.plain = plain
        self.ends = [(m.start(), m.end(), m.group().strip() == "") for m in _SENTENCE_END.finditer(plain)]
        self.end_offsets = [end for _, end, _ in self.ends]
        self.start_offsets = [start for start, _, _ in self.ends]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Offsets of the sentence containing the span [start, end)."""
        # the last boundary that ends at or before the span starts
        index = bisect.bisect_right(self.end_offsets, start) - 1
        left = self.end_offsets[index] if index >= 0 else 0
        # the first boundary that starts at or after the span ends
        following = bisect.bisect_left(self.start_offsets, end, lo=index + 1)
        if following < len(self.ends):
            b_start, b_end, paragraph = self.ends[following]
            right = b_start if paragraph else b_end
        else:
            right = len(self.plain)
        return left, right

    def around(self, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
        """The sentence containing the span [start, end), whitespace collapsed.

        At most *context* characters are kept on each side of the span; a
        clipped side ends in an ellipsis.
        """
        return clip_sentence(self.plain, *self.bounds(start, end), start, end, context)


def clip_sentence(plain: str, left: int, right: int, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """The sentence [left, right) of *plain* around the span [start, end), as a reader is shown it.

    Whitespace is collapsed and at most *context* characters are kept on each
    side of the span; a clipped side ends in an ellipsis.
    """
    head = plain[max(left, start - context) : start]
    tail = plain[end : min(right, end + context)]
    text = " ".join((head + plain[start:end] + tail).split())
    if start - context > left:
        text = ELLIPSIS + text
    if end + context < right:
        text = text + ELLIPSIS
    return text


def sentence_around(plain: str, start: int, end: int) -> str:
    """The sentence of *plain* that contains the span [start, end)."""
    return Sentences(plain).around(start, end)
