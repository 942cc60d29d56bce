"""Where a mention sits in its paper, read back from the graph.

A mention stores offsets only: of its words (``mlkg:startOffset``,
``mlkg:endOffset``) and of its sentence (``mlkg:sentenceStart``,
``mlkg:sentenceEnd``), all into the paper's text with tags removed, which
the paper keeps once (``mlkg:plainText``). The sentence a reader is shown
and the line and column follow from them; this module derives them, so every
reader (the page, a script) shows the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import NamedNode, Store

from .tags import clip_sentence
from .vocab import MLKG, term_value

_LINE_BREAK = re.compile("\r\n|\r|\n")


def line_column(plain: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of *offset* in *plain*.

    Tags hold no line break, so the line is the line of the source too; the
    column counts the text without tags.
    """
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(plain, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


@dataclass(frozen=True)
class MentionSource:
    """A mention's words and the sentence they are in, as a reader is shown them."""

    text: str
    sentence: str
    line: int
    column: int


def _integer(store: Store, subject: NamedNode, predicate: NamedNode) -> int | None:
    quad = next(store.quads_for_pattern(subject, predicate, None, None), None)
    return int(term_value(quad.object)) if quad is not None else None


def mention_source(store: Store, mention: NamedNode, plain: str | None = None) -> MentionSource | None:
    """The words, sentence, line and column of *mention*, or None when it has no offsets.

    *plain*, the paper's text, saves reading it again for each mention of one paper.
    """
    start, end = _integer(store, mention, MLKG.startOffset), _integer(store, mention, MLKG.endOffset)
    left, right = _integer(store, mention, MLKG.sentenceStart), _integer(store, mention, MLKG.sentenceEnd)
    if start is None or end is None or left is None or right is None:
        return None
    if plain is None:
        paper = next(store.quads_for_pattern(mention, MLKG.inPaper, None, None), None)
        if paper is None or not isinstance(paper.object, NamedNode):
            return None
        found = next(store.quads_for_pattern(paper.object, MLKG.plainText, None, None), None)
        if found is None:
            return None
        plain = term_value(found.object)
    line, column = line_column(plain, start)
    return MentionSource(plain[start:end], clip_sentence(plain, left, right, start, end), line, column)
