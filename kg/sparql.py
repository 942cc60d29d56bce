"""Building SPARQL text with values in it, one way: ``$name`` placeholders filled with escaped terms.

A value from a user or a paper (a label, a ``--bind`` value, a literal
pushed to a server) becomes SPARQL only through :func:`term`, which writes
it as one RDF term the way pyoxigraph writes N-Triples: quotes, backslashes
and line ends escaped, IRIs checked when the ``NamedNode`` is made. Query
text written in the code (a shared pattern such as the restatement join) is
inserted with :class:`Fragment`, which says that it is trusted. Whatever a
value holds (``"``, ``}``, a newline, ``>``) it stays one term and cannot
change the query around it.

Every query the code writes is a template filled here (``tests/test_habits.py``
scans kg/ for SPARQL made with ``%``, ``.format``, ``.replace``, ``+`` or
f-strings), vocabulary IRIs included: ``MLKG["hardware"]`` is a checked
term, ``mlkg:%s`` was not.

When the query runs in our own store, pyoxigraph's ``substitutions`` bind
values without any text at all; this module is for text that leaves the
process (SPARQL Update sent by ``kg push``) or is shown to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Union

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, Variable

from .errors import KgError

#: ``$name``: a placeholder in a template (our templates write variables as ``?name``)
_PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class SparqlTemplateError(KgError, ValueError):
    """A template and its values do not match (a bug in the code that fills it)."""


@dataclass(frozen=True)
class Fragment:
    """SPARQL text written in the code, inserted as it is."""

    text: str


Term = Union[NamedNode, BlankNode, Literal, Triple, Variable, Fragment, str, bool, int]
#: a term, or several (a list or tuple: the terms of a ``VALUES`` block, space-separated)
Value = Union[Term, Sequence[Term]]


def term(value: Value) -> str:
    """*value* as SPARQL text: one term, whatever characters it holds (or several, for a list)."""
    if isinstance(value, Fragment):
        return value.text
    if isinstance(value, (list, tuple)):
        return " ".join(term(item) for item in value)
    if isinstance(value, (NamedNode, BlankNode, Literal, Triple, Variable)):
        return str(value)
    if isinstance(value, bool):  # before int: True is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return str(Literal(value))
    raise SparqlTemplateError(f"cannot write a {type(value).__name__} as a SPARQL term")


def fill(template: str, **values: Value) -> str:
    """*template* with each ``$name`` replaced by ``term(values[name])``; every value must be used."""
    used = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise SparqlTemplateError(f"the template's ${name} has no value")
        used.add(name)
        return term(values[name])

    text = _PLACEHOLDER.sub(replace, template)
    if unused := set(values) - used:
        raise SparqlTemplateError(f"the template has no place for {', '.join(sorted(unused))}")
    return text
