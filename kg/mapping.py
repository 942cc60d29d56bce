"""Map one document to RDF: its paper, run, model and mentions as TriG.

This is the work a build does per document, so it is a pure function of the
document (plus the catalogues) and runs in worker processes. Facts from
catalogues (hardware, manufacturers, countries, years) are not written here:
the document only names them by *reference key*, and :mod:`kg.reference`
writes each reference node once into the reference graph. Named models and
unknown accelerators are shared nodes too: their type and label go to the
reference graph (once, not once per paper, so joins over the union of all
graphs do not multiply), while what a paper says of them (its parameter
count, the name exactly as written on the mention) stays in its own graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

from . import terms as t
from .countries import resolve_country
from .hardware import Accelerator, hardware_key, load_catalogue, manufacturer_id
from .normalize import (
    NotUnderstood,
    ParsedDuration,
    ParsedInt,
    model_key,
    parse_count,
    parse_duration,
    parse_parameter_count,
    parse_year,
)
from .sources import Document
from .tags import KNOWN_TAGS, Sentences, TagSpan, parse_tags
from .terms import LABEL, TYPE, Iris
from .totals import RunFacts


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    kind: str
    message: str
    severity: str = "warning"  # "warning" or "error"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass
class MappedDocument:
    id: str
    source: str
    iri: str
    content_hash: str
    #: the paper's graph name as written in TriG (relative to the base)
    graph: str = ""
    #: Turtle statements about the paper's own nodes (paper, run, mentions)
    turtle: str = ""
    #: statements about shared nodes (a named model's size), one per string
    shared: tuple[str, ...] = ()
    reference_keys: set[tuple] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    #: what the run adds to the running totals (see :mod:`kg.totals`)
    run: RunFacts = field(default_factory=RunFacts)
    facts: int = 0
    mentions: int = 0

    @property
    def status(self) -> str:
        return "warning" if self.problems else "ok"

    def trig(self) -> str:
        """The paper's named graph as a TriG block (assuming :func:`kg.terms.header`)."""
        return t.trig_block(self.graph, self.turtle, self.shared)


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Mapper:
    """State for mapping one document; see :func:`map_document`."""

    def __init__(self, doc: Document, iris: Iris):
        self.doc = doc
        self.iris = iris
        self.paper = iris.paper(doc.id)
        self.run = iris.run(self.paper)
        self.out = t.GraphWriter(self.paper, iris.base)
        self.iri = self.out.iri
        self.paper_term = self.iri(self.paper)
        self.run_term = self.iri(self.run)
        self.result = MappedDocument(doc.id, doc.source, self.paper, content_hash(doc.text))
        self.models: list[str] = []  # absolute IRIs, the first named (or unnamed) first
        # single-valued run facts seen so far: property -> (value, span)
        self.seen: dict[str, tuple[str, TagSpan]] = {}

    def warn(self, span: TagSpan | None, kind: str, message: str) -> None:
        line, column = (span.line, span.column) if span else (1, 1)
        self.result.problems.append(Problem(line, column, kind, message))

    # -- the statement helpers ------------------------------------------------

    def fact(self, mention: str, subject: str, prop: str, value: str) -> None:
        self.out.add(subject, t.mlkg(prop), value)
        self.out.add(mention, t.mlkg("factSubject"), subject)
        self.out.add(mention, t.mlkg("factProperty"), t.mlkg(prop))
        self.out.add(mention, t.mlkg("factValue"), value)
        self.result.facts += 1

    def single(self, span: TagSpan, prop: str, shown: str) -> None:
        """Warn when a single-valued run fact is stated twice, differently."""
        earlier = self.seen.get(prop)
        if earlier is None:
            self.seen[prop] = (shown, span)
        elif earlier[0] != shown:
            first = earlier[1]
            self.warn(
                span,
                "conflicting_value",
                f"<{span.name}> says {shown!r} but line {first.line}, column {first.column} "
                f"said {earlier[0]!r}; both are kept",
            )

    def hedge(self, mention: str, parsed: ParsedInt | ParsedDuration) -> None:
        self.out.add(mention, t.mlkg("approximate"), t.boolean(parsed.approximate))
        if parsed.qualifier:
            self.out.add(mention, t.mlkg("qualifier"), t.string(parsed.qualifier))

    # -- per tag -------------------------------------------------------------

    def model_node(self) -> str:
        if not self.models:
            iri = self.iris.unnamed_model(self.paper)
            label = f"unnamed model ({self.doc.id})"
            node = self.iri(iri)
            self.out.add(node, TYPE, t.mlkg("Model"))
            self.out.add(node, LABEL, t.string(label))
            self.out.add(self.run_term, t.mlkg("trainedModel"), node)
            self.models.append(iri)
            self.result.run.models.add(iri)
            self.result.run.name(iri, label)
        return self.iri(self.models[0])

    def on_model(self, span: TagSpan, mention: str) -> None:
        name = " ".join(span.text.split())
        key = model_key(name)
        iri = self.iris.model(key)
        node = self.iri(iri)
        self.result.reference_keys.add(("model", key, name))
        self.result.run.models.add(iri)
        self.result.run.name(iri, name)
        if iri in self.models:
            self.fact(mention, self.run_term, "trainedModel", node)
            return
        if self.models:
            self.warn(
                span,
                "several_models",
                f"a second model {name!r} is named; parameter counts attach to the first",
            )
        self.models.append(iri)
        self.fact(mention, self.run_term, "trainedModel", node)

    def on_params(self, span: TagSpan, mention: str) -> None:
        parsed = parse_parameter_count(span.text)
        self.hedge(mention, parsed)
        self.fact(mention, self.model_node(), "parameterCount", t.integer(parsed.value))
        self.result.run.parameters.add((self.models[0], parsed.value))

    def on_gpu_count(self, span: TagSpan, mention: str) -> None:
        parsed = parse_count(span.text)
        self.hedge(mention, parsed)
        self.single(span, "hardwareQuantity", str(parsed.value))
        self.fact(mention, self.run_term, "hardwareQuantity", t.integer(parsed.value))
        self.result.run.quantities.add(parsed.value)

    def on_training(self, span: TagSpan, mention: str) -> None:
        parsed = parse_duration(span.text)
        self.hedge(mention, parsed)
        self.single(span, "trainingDuration", parsed.iso)
        run = self.run_term
        self.fact(mention, run, "trainingDuration", t.duration(parsed.iso))
        self.out.add(run, t.mlkg("trainingHours"), t.decimal(parsed.hours))
        self.result.run.hours.add(parsed.hours)

    def on_hardware(self, span: TagSpan, mention: str) -> None:
        accelerator: Accelerator | None = load_catalogue().resolve(span.text)
        if accelerator is None:
            key = hardware_key(span.text)
            if not key:
                raise NotUnderstood(f"{span.text!r} does not name an accelerator")
            iri, label, maker = self.iris.unknown_hardware(key), " ".join(span.text.split()), None
            self.result.reference_keys.add(("unknown_hardware", key, label))
            self.warn(
                span,
                "unknown_hardware",
                f"{span.text!r} is not in the hardware catalogue; added as its own node "
                "(add it to kg/data/hardware.csv to merge it with other papers)",
            )
        else:
            iri, label = self.iris.hardware(accelerator.id), accelerator.name
            maker = self.iris.organization(manufacturer_id(accelerator.manufacturer))
            self.result.reference_keys.add(("hardware", accelerator.id))
        self.result.run.hardware.add((iri, maker))
        self.result.run.name(iri, label)
        self.fact(mention, self.run_term, "hardware", self.iri(iri))

    def on_country(self, span: TagSpan, mention: str) -> None:
        country = resolve_country(span.text)
        self.single(span, "country", country.iso2)
        self.result.reference_keys.add(("country", country.iso2))
        iri = self.iris.country(country.iso2)
        self.result.run.countries.add(iri)
        self.fact(mention, self.run_term, "country", self.iri(iri))

    def on_year(self, span: TagSpan, mention: str) -> None:
        parsed = parse_year(span.text)
        self.single(span, "year", str(parsed.value))
        self.result.reference_keys.add(("year", parsed.value))
        iri = self.iris.year(parsed.value)
        self.result.run.years.add(iri)
        self.fact(mention, self.run_term, "year", self.iri(iri))

    # -- the document ----------------------------------------------------------

    def map(self) -> MappedDocument:
        doc, out = self.doc, self.out
        tagged = parse_tags(doc.text)
        for p in tagged.problems:
            self.result.problems.append(Problem(p.line, p.column, p.kind, p.message))

        paper, run = self.paper_term, self.run_term
        out.describe(
            paper,
            (TYPE, t.mlkg("Paper")),
            (LABEL, t.string(doc.id)),
            (t.mlkg("paperId"), t.string(doc.id)),
            (t.mlkg("sourcePath"), t.string(doc.source)),
            (t.mlkg("contentHash"), t.string(self.result.content_hash)),
            (t.mlkg("reports"), run),
        )
        out.describe(run, (TYPE, t.mlkg("TrainingRun")), (LABEL, t.string(f"training run reported in {doc.id}")))

        # Models first, so parameter counts attach to the named model
        # wherever the <params> tag sits in the text.
        order = sorted(
            enumerate(tagged.spans), key=lambda item: (item[1].name != "model", item[0])
        )
        handlers: dict[str, Callable[[TagSpan, str], None]] = {
            name: getattr(self, f"on_{name}") for name in KNOWN_TAGS
        }
        sentences = Sentences(tagged.plain)
        for index, span in order:
            mention = self.iri(self.iris.mention(self.paper, index + 1))
            self.describe_mention(mention, span, sentences)
            handler = handlers.get(span.name)
            if handler is None:
                out.add(mention, t.mlkg("warning"), t.string(f"<{span.name}> is not a tag mlkg knows"))
                continue
            try:
                handler(span, mention)
            except NotUnderstood as err:
                reason = str(err)
                out.add(mention, t.mlkg("warning"), t.string(reason))
                self.warn(span, "not_understood", f"<{span.name}>: {reason}; kept as text only")
        self.model_node()  # every run has a model, named or not
        self.result.mentions = self.result.run.mentions = len(tagged.spans)
        self.result.graph = out.graph
        self.result.turtle = out.statements()
        self.result.shared = tuple(out.others)
        return self.result

    def describe_mention(self, mention: str, span: TagSpan, sentences: Sentences) -> None:
        self.out.describe(
            mention,
            (TYPE, t.mlkg("Mention")),
            (LABEL, t.string(f"{span.name}: {' '.join(span.text.split())}")),
            (t.mlkg("inPaper"), self.paper_term),
            (t.mlkg("tagName"), t.string(span.name)),
            (t.mlkg("mentionText"), t.string(span.text)),
            (t.mlkg("startOffset"), t.integer(span.start)),
            (t.mlkg("endOffset"), t.integer(span.end)),
            (t.mlkg("line"), t.integer(span.line)),
            (t.mlkg("column"), t.integer(span.column)),
            (t.mlkg("sourceSentence"), t.string(sentences.around(span.start, span.end))),
        )


def map_document(doc: Document, iris: Iris | None = None) -> MappedDocument:
    """Everything one document says, as TriG statements for the paper's named graph."""
    return _Mapper(doc, iris or Iris()).map()
