"""The tag kinds mlkg reads, one entry each.

An entry says what a tag's fact is: the property it is written with, what
it is about (the training run, or the run's model), whether a run holds one
value of it, whether the plain-text finder looks for it, and how its text is
read into the value `kg eval` compares. A kind that names a node (an
organization, a data set) needs no code of its own: :mod:`kg.mapping` links
the run to a node named from the text, under ``{base}{path}/{slug}``.

Adding a kind is an entry here plus its vocabulary (kg/vocab.py), ontology,
shapes and docs/terms.md lines; tests/test_kinds.py checks they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .countries import resolve_country
from .hardware import hardware_key, load_catalogue
from .normalize import (
    NotUnderstood,
    model_key,
    parse_accelerator_hours,
    parse_count,
    parse_duration,
    parse_parameter_count,
    parse_year,
)

__all__ = ["FOUND", "KINDS", "KNOWN_TAGS", "TagKind", "fact_key"]


@dataclass(frozen=True)
class TagKind:
    name: str  # the tag: <name>...</name>
    property: str  # the mlkg property its fact is written with
    about: str = "run"  # "run" (the training run) or "model" (the run's model)
    single: bool = False  # a run holds one value; a second different one is a conflict
    found: bool = False  # the plain-text finder (kg.finder) looks for it
    #: the fact's value as a string, as kg eval compares them; raises NotUnderstood
    key: Callable[[str], str] | None = None
    #: for a kind that names a node: its class, and the IRI path its nodes live under
    node: str | None = None
    path: str | None = None
    #: the fact says when or where the paper's work was done, not what its run was: found in plain text
    #: with nothing else, it does not show the text reports a run of its own (kg.mapping.states_own_run)
    dates_or_places: bool = False


def _hours(text: str) -> str:
    try:
        return f"{parse_duration(text).hours.normalize()} h"
    except NotUnderstood:
        return f"{parse_accelerator_hours(text).hours.normalize()} accelerator-h"


def _hardware(text: str) -> str:
    accelerator = load_catalogue().resolve(text)
    if accelerator is not None:
        return accelerator.id
    key = hardware_key(text)
    if not key:
        raise NotUnderstood(f"{text!r} names no accelerator")
    return key


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise NotUnderstood("a blank name")
    return name.casefold()


KINDS: dict[str, TagKind] = {
    kind.name: kind
    for kind in (
        TagKind("model", "trainedModel", found=True, key=model_key),
        TagKind(
            "params",
            "parameterCount",
            about="model",
            single=True,
            found=True,
            key=lambda text: str(parse_parameter_count(text).value),
        ),
        TagKind("hardware", "hardware", found=True, key=_hardware),
        TagKind("gpu_count", "hardwareQuantity", found=True, key=lambda text: str(parse_count(text).value)),
        TagKind("training", "trainingDuration", single=True, found=True, key=_hours),
        TagKind(
            "country",
            "country",
            single=True,
            found=True,
            key=lambda text: resolve_country(text).iso2,
            dates_or_places=True,
        ),
        TagKind(
            "year", "year", single=True, found=True, key=lambda text: str(parse_year(text).value), dates_or_places=True
        ),
        TagKind("organization", "organization", key=_name, node="Organization", path="org"),
        TagKind("dataset", "trainingDataset", key=_name, node="Dataset", path="dataset"),
    )
}

#: every tag mlkg reads as a fact
KNOWN_TAGS = frozenset(KINDS)
#: the kinds the plain-text finder looks for, in the order tags are usually written
FOUND = tuple(name for name, kind in KINDS.items() if kind.found)


def fact_key(kind: str, text: str) -> str | None:
    """The value a build records for a *kind* tag holding *text*, as a string; None when it records none."""
    entry = KINDS.get(kind)
    if entry is None or entry.key is None:
        return None
    try:
        return entry.key(text)
    except (NotUnderstood, ValueError, ArithmeticError):
        return None
