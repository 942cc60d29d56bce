"""Map one document to RDF: its paper, its training runs, models and mentions as TriG.

A paper gets one training run per model it names (an unnamed model when it
names none); :mod:`kg.attribution` says which run each fact is about and
which count goes with which accelerator (a run's *hardware usages*).

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
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

from . import compute, finder
from . import terms as t
from .countries import resolve_country
from .hardware import Accelerator, hardware_key, load_catalogue, manufacturer_id
from .attribution import Span, attribute, counts_cores, hedge_around, pair_counts, sentence_index
from .normalize import (
    NotUnderstood,
    ParsedAmount,
    ParsedDuration,
    ParsedInt,
    model_key,
    parse_accelerator_hours,
    parse_count,
    parse_duration,
    parse_flop,
    parse_parameter_count,
    parse_year,
)
from .sources import Document
from .kinds import KINDS
from .tags import Sentences, TaggedText, TagSpan, parse_tags
from .terms import LABEL, TYPE, Iris
from .tally import PaperFacts, RunFacts

#: prov:used, written in full: the paper graphs' prefixes are mlkg's own
PROV_USED = "<http://www.w3.org/ns/prov#used>"


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
    #: what the paper's runs add to the running totals (see :mod:`kg.tally`)
    paper: PaperFacts = field(default_factory=PaperFacts)
    facts: int = 0
    mentions: int = 0
    #: mentions the finder proposed in untagged text (kg.finder)
    found: int = 0
    #: the statements as the mapper made them, for the worker's SHACL check;
    #: never sent back to the main process (see ``__getstate__``)
    written: Written | None = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> str:
        return "warning" if self.problems else "ok"

    def trig(self) -> str:
        """The paper's named graph as a TriG block (assuming :func:`kg.terms.header`)."""
        return t.trig_block(self.graph, self.turtle, self.shared)

    def statement_texts(self) -> Iterator[tuple[str, list[str]]] | None:
        """The graph's statements as (subject, ["predicate object", ...]), terms as :mod:`kg.terms` writes them.

        Read from the pieces the mapper joined into :attr:`turtle` and
        :attr:`shared`, so nothing is parsed. None when those texts are no
        longer the ones the mapper wrote (something changed them since): then
        only the text says what the graph holds.
        """
        written = self.written
        if written is None or written.turtle != self.turtle or written.shared != self.shared:
            return None
        return written.statements()

    def __getstate__(self) -> dict:
        # the workers send documents back pickled: the statements are theirs alone
        state = self.__dict__.copy()
        state["written"] = None
        return state


@dataclass(frozen=True)
class Written:
    """A graph's statements before they became text: each own subject's "predicate object" pairs, and the rest."""

    pairs: dict[str, list[str]]
    #: the text made of the pairs (:attr:`MappedDocument.turtle` as the mapper set it)
    turtle: str
    #: statements about other nodes, one ``subject predicate object .`` line each (as ``shared``)
    shared: tuple[str, ...]

    def statements(self) -> Iterator[tuple[str, list[str]]]:
        yield from self.pairs.items()
        for line in self.shared:
            subject, pair = line[: -len(" .\n")].split(" ", 1)
            yield subject, [pair]


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


#: A document longer than this is rejected: a method-section excerpt is a few
#: kilobytes, and every stage holds one document whole.
MAX_DOCUMENT_CHARS = 2_000_000
#: A document with more tags than this is rejected: each tag becomes a
#: mention of a dozen statements, so this bounds one paper's graph.
MAX_TAGS = 5_000


class DocumentRejected(ValueError):
    """A document mlkg refuses whole (too long, too many tags), with where and why."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


@dataclass
class _Count:
    parsed: ParsedInt
    span: TagSpan
    mention: str


@dataclass
class _Hardware:
    iri: str
    maker: str | None
    accelerator: Accelerator | None
    span: TagSpan


@dataclass
class _Usage:
    """One accelerator of a run (or a count with no accelerator named), with its count if known."""

    hardware: _Hardware | None
    quantity: int | None
    counts: list[_Count]

    @property
    def key(self) -> str | None:
        return self.hardware.iri if self.hardware else None


class _Run:
    """One training run of the paper: the model it trained and what is said of it."""

    def __init__(self, iri: str, term: str, model_iri: str | None):
        self.iri, self.term, self.model_iri = iri, term, model_iri
        self.facts = RunFacts(iri=iri, model=model_iri or "")
        #: single-valued facts seen so far: property -> (value, span)
        self.seen: dict[str, tuple[str, TagSpan]] = {}
        self.counts: list[_Count] = []
        self.hardware: list[_Hardware] = []
        self.hours: list[Decimal] = []
        self.stated_hours: list[tuple[Decimal, str]] = []  # (hours, mention)
        #: what a compute estimate can use, each with the mention that states it
        self.compute = compute.Inputs()
        self.model_name = ""
        self.label = ""


class _Mapper:
    """State for mapping one document; see :func:`map_document`."""

    def __init__(self, doc: Document, iris: Iris, utilization: Decimal | None = None, extract: str = "auto"):
        self.doc = doc
        self.utilization = utilization
        self.extract = extract
        self.iris = iris
        self.paper = iris.paper(doc.id)
        self.out = t.GraphWriter(self.paper, iris.base)
        self.iri = self.out.iri
        self.paper_term = self.iri(self.paper)
        self.result = MappedDocument(doc.id, doc.source, self.paper, content_hash(doc.text))
        self.runs: list[_Run] = []
        self.plain = ""

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

    def single(self, run: _Run, span: TagSpan, prop: str, shown: str) -> None:
        """Warn when a single-valued run fact is stated twice, differently."""
        earlier = run.seen.get(prop)
        if earlier is None:
            run.seen[prop] = (shown, span)
        elif earlier[0] != shown:
            first = earlier[1]
            self.warn(
                span,
                "conflicting_value",
                f"<{span.name}> says {shown!r} but line {first.line}, column {first.column} "
                f"said {earlier[0]!r}; both are kept",
            )

    def hedge(self, mention: str, span: TagSpan, parsed: ParsedInt | ParsedDuration | ParsedAmount) -> None:
        """Approximate when the value is hedged inside the tag or right next to it."""
        qualifier = parsed.qualifier or hedge_around(self.plain, span.start, span.end)
        self.out.add(mention, t.mlkg("approximate"), t.boolean(qualifier is not None))
        if qualifier:
            self.out.add(mention, t.mlkg("qualifier"), t.string(qualifier))

    # -- the runs ------------------------------------------------------------

    def make_runs(self, spans: list[TagSpan]) -> dict[int, int]:
        """One run per model the paper names (an unnamed model when it names none).

        Returns the run of each model span, by the span's index.
        """
        keys: dict[str, int] = {}
        names: list[tuple[str, str]] = []
        run_of_span: dict[int, int] = {}
        for index, span in enumerate(spans):
            if span.name == "model":
                name = " ".join(span.text.split())
                try:
                    key = model_key(name)
                except NotUnderstood:
                    continue
                if key not in keys:
                    keys[key] = len(keys)
                    names.append((key, name))
                run_of_span[index] = keys[key]
        several = len(names) > 1
        for number, (key, name) in enumerate(names, start=1):
            iri = self.iris.run(self.paper) + (f"/{number}" if several else "")
            label = f"training run of {name} reported in {self.doc.id}" if several else None
            self.add_run(iri, self.iris.model(key), label)
            self.runs[-1].model_name = name
        if not names:
            self.add_run(self.iris.run(self.paper), None, None)
            unnamed = self.iris.unnamed_model(self.paper)
            label = f"unnamed model ({self.doc.id})"
            node = self.iri(unnamed)
            self.out.add(node, TYPE, t.mlkg("Model"))
            self.out.add(node, LABEL, t.string(label))
            self.out.add(node, "skos:prefLabel", t.string(label))
            run = self.runs[0]
            run.model_iri = run.facts.model = unnamed
            self.out.add(run.term, t.mlkg("trainedModel"), node)
            self.result.paper.name(unnamed, label)
        return run_of_span

    def add_run(self, iri: str, model: str | None, label: str | None) -> None:
        run = _Run(iri, self.iri(iri), model)
        run.label = label or f"training run reported in {self.doc.id}"
        self.out.describe(
            run.term,
            (TYPE, t.mlkg("TrainingRun")),
            (LABEL, t.string(label or f"training run reported in {self.doc.id}")),
        )
        self.out.add(self.paper_term, t.mlkg("reports"), run.term)
        self.runs.append(run)
        self.result.paper.runs.append(run.facts)

    # -- per tag: each handler reads the value once and gives it to its runs ------

    def on_model(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        name = " ".join(span.text.split())
        key = model_key(name)
        iri = self.iris.model(key)
        self.result.reference_keys.add(("model", key, name))
        self.result.paper.name(iri, name)
        self.result.paper.spellings.add((iri, name))
        for run in runs:
            self.fact(mention, run.term, "trainedModel", self.iri(iri))

    def on_params(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        parsed = parse_parameter_count(span.text)
        self.hedge(mention, span, parsed)
        for run in runs:
            self.single(run, span, "parameterCount", str(parsed.value))
            self.fact(mention, self.iri(run.model_iri or ""), "parameterCount", t.integer(parsed.value))
            run.compute.parameters.append((parsed.value, mention))
            run.facts.parameters.add((run.model_iri or "", parsed.value))

    def on_gpu_count(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        parsed = parse_count(span.text)
        self.hedge(mention, span, parsed)
        for run in runs:  # written with the hardware it goes with, once all tags are read
            run.counts.append(_Count(parsed, span, mention))

    def on_training(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        try:
            parsed = parse_duration(span.text)
        except NotUnderstood as not_a_duration:
            try:  # "82,432 GPU hours": accelerator time, not wall-clock time
                parsed = parse_accelerator_hours(span.text)
            except NotUnderstood:
                try:  # "3.14e23 FLOPs": the run's training compute
                    flop = parse_flop(span.text)
                except NotUnderstood:
                    raise not_a_duration from None
                self.hedge(mention, span, flop)
                for run in runs:
                    self.stated_amount(run, mention, "compute", flop.value)
                return
            self.hedge(mention, span, parsed)
            for run in runs:
                self.single(run, span, "acceleratorHours", str(parsed.hours))
                run.stated_hours.append((parsed.hours, mention))
            return
        self.hedge(mention, span, parsed)
        for run in runs:
            self.single(run, span, "trainingDuration", parsed.iso)
            self.fact(mention, run.term, "trainingDuration", t.duration(parsed.iso))
            self.out.add(run.term, t.mlkg("trainingHours"), t.decimal(parsed.hours))
            if parsed.hours not in run.hours:
                run.hours.append(parsed.hours)
                run.facts.durations.add(parsed.hours)

    def stated_amount(self, run: _Run, mention: str, kind: str, value: Decimal) -> None:
        """A stated compute or token count: the run's fact, which the mention records."""
        prop = "trainingCompute" if kind == "compute" else "trainingTokens"
        (run.compute.stated if kind == "compute" else run.compute.tokens).append((value, mention))
        if kind == "tokens":
            self.out.add(run.term, t.mlkg(prop), t.integer(int(value)))
        self.out.add(mention, t.mlkg("factSubject"), run.term)
        self.out.add(mention, t.mlkg("factProperty"), t.mlkg(prop))
        self.out.add(mention, t.mlkg("factValue"), t.double(value) if kind == "compute" else t.integer(int(value)))
        self.result.facts += 1

    def on_hardware(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
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
        self.result.paper.name(iri, label)
        for run in runs:
            run.facts.hardware.add((iri, maker))
            run.hardware.append(_Hardware(iri, maker, accelerator, span))
            self.fact(mention, run.term, "hardware", self.iri(iri))

    def on_country(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        country = resolve_country(span.text)
        self.result.reference_keys.add(("country", country.iso2))
        iri = self.iris.country(country.iso2)
        for run in runs:
            self.single(run, span, "country", country.iso2)
            run.facts.countries.add(iri)
            self.fact(mention, run.term, "country", self.iri(iri))

    def handlers(self) -> dict[str, Callable[[TagSpan, str, list[_Run]], None]]:
        """What reads each kind of tag (kg.kinds): its own method, or on_named for a kind that names a node."""
        own = {
            "model": self.on_model,
            "params": self.on_params,
            "gpu_count": self.on_gpu_count,
            "training": self.on_training,
            "hardware": self.on_hardware,
            "country": self.on_country,
            "year": self.on_year,
        }
        return {name: self.on_named if kind.node else own[name] for name, kind in KINDS.items()}

    def on_named(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        """A node the run names (an organization, a data set), one per way of writing its name's letters."""
        kind = KINDS[span.name]
        name = " ".join(span.text.split())
        slug = manufacturer_id(name)
        if not slug:
            raise NotUnderstood(f"{span.text!r} holds no letters or digits to name a {kind.name} by")
        self.result.reference_keys.add(("named_node", kind.name, name))
        iri = self.iris.named(kind.path, slug)  # type: ignore[arg-type]
        for run in runs:
            self.fact(mention, run.term, kind.property, self.iri(iri))

    def on_year(self, span: TagSpan, mention: str, runs: list[_Run]) -> None:
        parsed = parse_year(span.text)
        self.result.reference_keys.add(("year", parsed.value))
        iri = self.iris.year(parsed.value)
        for run in runs:
            self.single(run, span, "year", str(parsed.value))
            run.facts.years.add(iri)
            self.fact(mention, run.term, "year", self.iri(iri))

    # -- usages and accelerator-hours, once every tag is read --------------------------

    def finish_run(self, run: _Run) -> None:
        """Pair counts with accelerators as usages, work out accelerator-hours, and write both."""
        usages = self.usages(run)
        hours, basis = self.accelerator_hours(run, usages)
        quantified = [u for u in usages if u.quantity is not None]
        for number, usage in enumerate(usages, start=1):
            node = self.write_usage(
                run,
                usage,
                number,
                hours if basis == "stated" and len(usages) == 1 else None,
                run.hours[0] if basis == "computed" else None,
            )
            if usage.quantity is None:  # an accelerator with no count
                continue
            for count in usage.counts:
                if len(quantified) == 1:  # one count for the whole run: the run's own quantity too
                    self.fact(count.mention, run.term, "hardwareQuantity", t.integer(usage.quantity))
                else:
                    self.fact(count.mention, node, "usedQuantity", t.integer(usage.quantity))
        if hours is not None:
            self.out.add(run.term, t.mlkg("acceleratorHours"), t.decimal(hours))
            self.out.add(run.term, t.mlkg("acceleratorHoursBasis"), t.string(basis))
            run.facts.accelerator_hours = hours
        for value, mention in run.stated_hours:
            self.out.add(mention, t.mlkg("factSubject"), run.term)
            self.out.add(mention, t.mlkg("factProperty"), t.mlkg("acceleratorHours"))
            self.out.add(mention, t.mlkg("factValue"), t.decimal(value))
            self.result.facts += 1
        self.write_compute(run)

    def write_compute(self, run: _Run) -> None:
        """The run's compute estimates (one node per method that applies) and its headline compute."""
        inputs = run.compute
        inputs.numerical_format = compute.numerical_format(self.plain)
        inputs.language_model = compute.is_language_model(run.model_name, bool(inputs.tokens))
        inputs.utilization = self.utilization
        if inputs.stated and compute.one_figure(inputs.stated) is None:
            self.warn(
                None,
                "conflicting_value",
                f"{run.label} is given several training compute figures; none is taken as stated",
            )
        found = compute.estimates(inputs)
        for estimate in found:
            node = self.iri(f"{run.iri}/compute/{compute.SLUGS[estimate.method]}")
            self.out.describe(
                node,
                (TYPE, t.mlkg("ComputeEstimate")),
                (LABEL, t.string(f"{compute.LABELS[estimate.method]} of the {run.label}")),
                (t.mlkg("estimationMethod"), t.mlkg(estimate.method)),
                (t.mlkg("flop"), t.double(estimate.flop)),
            )
            self.out.add(run.term, t.mlkg("computeEstimate"), node)
            if estimate.low is not None and estimate.high is not None:
                self.out.add(node, t.mlkg("flopLow"), t.double(estimate.low))
                self.out.add(node, t.mlkg("flopHigh"), t.double(estimate.high))
            if estimate.utilization is not None:
                self.out.add(node, t.mlkg("utilization"), t.decimal(estimate.utilization))
            if estimate.numerical_format:
                self.out.add(node, t.mlkg("numericalFormat"), t.string(estimate.numerical_format))
            for peak in sorted(set(estimate.peaks)):
                self.out.add(node, t.mlkg("peakFlops"), t.double(peak))
            for used in estimate.used:
                self.out.add(node, PROV_USED, used)
        if found:
            self.out.add(run.term, t.mlkg("trainingCompute"), t.double(found[0].flop))
            # as the store will hold it: the double's shortest digits
            run.facts.training_compute = Decimal(repr(float(found[0].flop)))
            run.facts.method = found[0].method
            self.out.add(run.term, t.mlkg("computeMethod"), t.mlkg(found[0].method))

    def usages(self, run: _Run) -> list[_Usage]:
        """One usage per accelerator and count: each count with the accelerator written next to it."""
        hardware: list[_Hardware] = []
        for hw in run.hardware:  # one per accelerator, where it is first named
            if all(h.iri != hw.iri for h in hardware):
                hardware.append(hw)
        pairs = (
            pair_counts([_span(c.span) for c in run.counts], [_span(h.span) for h in run.hardware], self.plain)
            if run.counts and run.hardware
            else {}
        )
        paired: dict[int, _Hardware] = {ci: run.hardware[hi] for ci, hi in pairs.items()}
        if len(hardware) == 1:
            # one accelerator: every count is its count, wherever written; the same count said twice is one
            # usage, two different counts conflict (warn_conflicting_counts) and give no accelerator-hours
            for ci in range(len(run.counts)):
                paired.setdefault(ci, hardware[0])
        usages: list[_Usage] = []
        for ci, count in enumerate(run.counts):
            named = paired.get(ci)
            quantity = self.chips(count, named)
            if quantity is None:
                continue
            same = next((u for u in usages if u.key == (named.iri if named else None) and u.quantity == quantity), None)
            if same:
                same.counts.append(count)
            else:
                usages.append(_Usage(named, quantity, [count]))
        counted = {u.key for u in usages}
        usages += [_Usage(hw, None, []) for hw in hardware if hw.iri not in counted]
        self.warn_conflicting_counts(run, usages)
        return usages

    def warn_conflicting_counts(self, run: _Run, usages: list[_Usage]) -> None:
        """An accelerator (or the run, with none named) given two different counts."""
        per_hardware: dict[str | None, list[int]] = {}
        for usage in usages:
            if usage.quantity is not None:
                per_hardware.setdefault(usage.key, []).append(usage.quantity)
        for key, values in per_hardware.items():
            if len(values) > 1:
                which = (
                    next(u.hardware.span.text for u in usages if u.key == key and u.hardware)
                    if key
                    else "the accelerators"
                )
                shown = [str(v) for v in sorted(values)]
                listed = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
                self.warn(
                    run.counts[-1].span,
                    "conflicting_value",
                    f"{listed} are all given as the count of {which!r}; all are kept, "
                    "and no accelerator-hours are worked out",
                )

    @staticmethod
    def accelerator_hours(run: _Run, usages: list[_Usage]) -> tuple[Decimal | None, str]:
        """The run's accelerator-hours and how they were found: "stated", "computed", or none.

        Computed only when the run has one duration and every usage one
        count: which pairing is meant is otherwise not known.
        """
        stated = {h for h, _ in run.stated_hours}
        if stated:
            return (next(iter(stated)), "stated") if len(stated) == 1 else (None, "")
        keys = [u.key for u in usages]
        quantities = [u.quantity for u in usages if u.quantity is not None]
        if len(run.hours) == 1 and usages and len(quantities) == len(usages) and len(set(keys)) == len(keys):
            return sum((Decimal(q) * run.hours[0] for q in quantities), Decimal(0)), "computed"
        return None, ""

    def write_usage(self, run: _Run, usage: _Usage, number: int, stated: Decimal | None, hours: Decimal | None) -> str:
        """The usage node; its accelerator-hours are the run's stated ones, or count x *hours*."""
        node = self.iri(f"{run.iri}/usage/{number}")
        hw = usage.hardware
        name = (hw.accelerator.name if hw.accelerator else " ".join(hw.span.text.split())) if hw else "accelerators"
        shown = f"{usage.quantity} \u00d7 {name}" if usage.quantity is not None else f"{name} (count not stated)"
        self.out.describe(node, (TYPE, t.mlkg("HardwareUsage")), (LABEL, t.string(shown)))
        self.out.add(run.term, t.mlkg("hardwareUsage"), node)
        if hw is not None:
            self.out.add(node, t.mlkg("usedHardware"), self.iri(hw.iri))
        if usage.quantity is not None:
            self.out.add(node, t.mlkg("usedQuantity"), t.integer(usage.quantity))
        usage_hours = (
            stated
            if stated is not None
            else (Decimal(usage.quantity) * hours if hours is not None and usage.quantity is not None else None)
        )
        if usage_hours is not None:
            self.out.add(node, t.mlkg("acceleratorHours"), t.decimal(usage_hours))
        run.compute.usages.append(compute.Usage(node, hw.accelerator if hw else None, usage_hours))
        run.facts.usages.append((usage.key, hw.maker if hw else None, usage.quantity, usage_hours))
        return node

    def chips(self, count: _Count, hw: _Hardware | None) -> int | None:
        """The count in chips: a count of cores is divided by the accelerator's cores per chip."""
        value = count.parsed.value
        between = ""
        if hw is not None:
            lo, hi = sorted((count.span.end, hw.span.start))
            between = self.plain[lo:hi] if hi - lo < 80 else ""
        # "512 TPU v3 cores": the noun right after the accelerator's name
        after = self.plain[hw.span.end : hw.span.end + 20] if hw else ""
        noun = after.split()[:2] if after[:1].isspace() else []
        if not counts_cores(count.span.text, hw.span.text if hw else "", between, " ".join(noun)):
            return value
        cores = hw.accelerator.cores_per_chip if hw and hw.accelerator else None
        if cores is None or value % cores:
            what = hw.accelerator.name if hw and hw.accelerator else "this accelerator"
            reason = (
                f"{value} cores is not a whole number of {what} chips ({cores} cores per chip)"
                if cores
                else f"counts cores, and the cores per chip of {what} are not in the catalogue"
            )
            self.out.add(count.mention, t.mlkg("warning"), t.string(reason + "; no count recorded"))
            self.warn(count.span, "not_understood", f"<{count.span.name}>: {reason}; no count recorded")
            return None
        chips = value // cores
        note = f"{value} cores = {chips} chips ({cores} cores per {hw.accelerator.name} chip)"  # type: ignore[union-attr]
        self.out.add(count.mention, t.mlkg("conversion"), t.string(note))
        return chips

    # -- the document ----------------------------------------------------------

    def map(self) -> MappedDocument:
        doc, out = self.doc, self.out
        if len(doc.text) > MAX_DOCUMENT_CHARS:
            raise DocumentRejected(
                f"the document has {len(doc.text):,} characters, more than the {MAX_DOCUMENT_CHARS:,} "
                "mlkg reads in one document; split it into excerpts"
            )
        tagged = parse_tags(doc.text)
        if len(tagged.spans) > MAX_TAGS:
            extra = tagged.spans[MAX_TAGS]
            raise DocumentRejected(
                f"the document has {len(tagged.spans):,} tags, more than the {MAX_TAGS:,} mlkg reads in one "
                "document; split it into excerpts",
                extra.line,
                extra.column,
            )
        for p in tagged.problems:
            self.result.problems.append(Problem(p.line, p.column, p.kind, p.message))
        found_by = self.find_untagged(tagged)
        spans = sorted([*tagged.spans, *found_by], key=lambda span: span.start) if found_by else tagged.spans
        # what reading changed (control characters blanked out), see kg.sources
        for p in doc.problems:
            self.result.problems.append(Problem(p.line, p.column, p.kind, p.message))
        self.plain = tagged.plain

        out.describe(
            self.paper_term,
            (TYPE, t.mlkg("Paper")),
            (LABEL, t.string(doc.id)),
            (t.mlkg("paperId"), t.string(doc.id)),
            (t.mlkg("contentHash"), t.string(self.result.content_hash)),
            (t.mlkg("plainText"), t.string(tagged.plain)),
        )
        if doc.source_path is not None:  # left out with --source-paths omit
            out.add(self.paper_term, t.mlkg("sourcePath"), t.string(doc.source_path))
        run_of_span = self.run_of_span = self.make_runs(spans)
        handlers = self.handlers()
        sentences = Sentences(tagged.plain)
        # one run (most papers): every fact is its, no sentence needs reading
        by_sentence = self.spans_by_sentence(spans, sentences, run_of_span) if len(self.runs) > 1 else None
        for index, span in enumerate(spans):
            mention = self.iri(self.iris.mention(self.paper, index + 1))
            self.describe_mention(mention, span, sentences)
            if span in found_by:
                out.add(mention, t.mlkg("extractedBy"), t.string(finder.FINDER))
                out.add(mention, t.mlkg("confidence"), t.decimal(Decimal(str(found_by[span].confidence))))
            handler = handlers.get(span.name)
            if handler is None:
                out.add(mention, t.mlkg("warning"), t.string(f"<{span.name}> is not a tag mlkg knows"))
                continue
            if by_sentence is None:
                runs = self.runs
            elif span.name == "model":
                runs = [self.runs[by_sentence[index][2].run or 0]]
            else:
                sentence, bounds, me = by_sentence[index]
                found = attribute(me, sentence, tagged.plain, bounds, len(self.runs))
                if not found.runs:
                    reason = f"not attributed to a training run: {found.reason}"
                    out.add(mention, t.mlkg("warning"), t.string(reason))
                    self.warn(span, "unattributed", f"<{span.name}> {' '.join(span.text.split())!r} is {reason}")
                    continue
                runs = [self.runs[i] for i in found.runs]
            try:
                handler(span, mention, runs)
            except NotUnderstood as err:
                reason = str(err)
                out.add(mention, t.mlkg("warning"), t.string(reason))
                self.warn(span, "not_understood", f"<{span.name}>: {reason}; kept as text only")
        untagged = self.read_untagged(tagged, spans, sentences) if states_own_run(spans, found_by) else 0
        for run in self.runs:
            self.finish_run(run)
        self.result.mentions = self.result.paper.mentions = len(spans) + untagged
        self.result.found = len(found_by)
        self.result.graph = out.graph
        self.result.turtle = out.statements()
        self.result.shared = tuple(out.others)
        self.result.written = Written(out.subjects, self.result.turtle, self.result.shared)
        return self.result

    def find_untagged(self, tagged: TaggedText) -> dict[TagSpan, finder.Find]:
        """What the finder proposes (kg.finder.finds_for), as spans like tagged ones."""
        found: dict[TagSpan, finder.Find] = {}
        for item in finder.finds_for(tagged, self.extract):
            line, column = tagged.source_position(item.start)
            found[TagSpan(item.kind, tagged.plain[item.start : item.end], item.start, item.end, line, column)] = item
        return found

    def read_untagged(self, tagged: TaggedText, spans: list[TagSpan], sentences: Sentences) -> int:
        """Stated compute and training tokens written outside any tag, as mentions of what found them.

        Returns how many were found. Each goes to the runs its sentence is
        about, by the same rules as a tagged fact. Called only for a text that
        reports a run of its own (:func:`states_own_run`).
        """
        found = compute.find_stated(tagged.plain, [(s.start, s.end) for s in spans])
        # "1.4 trillion tokens according to its report", "GPT-3 (175B) was trained on 300 billion tokens":
        # another paper's or model's figure, as the finder reads it
        ours = [s.text for s in spans if s.name == "model"]
        found = [
            item for item, other in zip(found, finder.others(tagged.plain, [i.start for i in found], ours)) if not other
        ]
        for number, item in enumerate(found, start=len(spans) + 1):
            mention = self.iri(self.iris.mention(self.paper, number))
            line, column = tagged.source_position(item.start)
            span = TagSpan(item.kind, tagged.plain[item.start : item.end], item.start, item.end, line, column)
            self.describe_mention(mention, span, sentences)
            self.out.add(mention, t.mlkg("extractedBy"), t.string(compute.FINDER))
            self.hedge(mention, span, item.value)
            runs = self.runs
            if len(self.runs) > 1:
                at = sentence_index(sentences.end_offsets, item.start)
                same = [
                    Span(s.name, s.start, s.end, self.run_of_span.get(i))
                    for i, s in enumerate(spans)
                    if sentence_index(sentences.end_offsets, s.start) == at
                ]
                me = Span(item.kind, item.start, item.end)
                placed = attribute(
                    me,
                    sorted(same + [me], key=lambda x: x.start),
                    tagged.plain,
                    sentences.bounds(item.start, item.end),
                    len(self.runs),
                )
                if not placed.runs:
                    reason = f"not attributed to a training run: {placed.reason}"
                    self.out.add(mention, t.mlkg("warning"), t.string(reason))
                    self.warn(span, "unattributed", f"{item.kind} {span.text!r} is {reason}")
                    continue
                runs = [self.runs[i] for i in placed.runs]
            for run in runs:
                self.stated_amount(run, mention, item.kind, item.value.value)
        return len(found)

    @staticmethod
    def spans_by_sentence(
        spans: list[TagSpan], sentences: Sentences, run_of_span: dict[int, int]
    ) -> list[tuple[list[Span], tuple[int, int], Span]]:
        """For each span: the spans of its sentence, the sentence's bounds, and itself, as attribution reads them."""
        groups: dict[int, list[Span]] = {}
        found: list[tuple[int, Span]] = []
        for index, span in enumerate(spans):
            me = Span(span.name, span.start, span.end, run_of_span.get(index))
            number = sentence_index(sentences.end_offsets, span.start)
            groups.setdefault(number, []).append(me)
            found.append((number, me))
        bounds: dict[int, tuple[int, int]] = {}
        result = []
        for number, me in found:
            if number not in bounds:
                bounds[number] = sentences.bounds(me.start, me.end)
            result.append((groups[number], bounds[number], me))
        return result

    def describe_mention(self, mention: str, span: TagSpan, sentences: Sentences) -> None:
        """What every mention has: its words, where they are, and the sentence as offsets.

        The paper keeps its text once (``mlkg:plainText``); a mention's
        sentence, line and column follow from it (see :mod:`kg.mentions`).
        """
        left, right = sentences.bounds(span.start, span.end)
        self.out.describe(
            mention,
            (TYPE, t.mlkg("Mention")),
            (LABEL, t.string(f"{span.name}: {' '.join(span.text.split())}")),
            (t.mlkg("inPaper"), self.paper_term),
            (t.mlkg("tagName"), t.string(span.name)),
            (t.mlkg("mentionText"), t.string(span.text)),
            (t.mlkg("startOffset"), t.integer(span.start)),
            (t.mlkg("endOffset"), t.integer(span.end)),
            (t.mlkg("sentenceStart"), t.integer(left)),
            (t.mlkg("sentenceEnd"), t.integer(right)),
        )


def _span(span: TagSpan) -> Span:
    return Span(span.name, span.start, span.end)


def states_own_run(spans: list[TagSpan], found: Mapping[TagSpan, finder.Find]) -> bool:
    """Whether a text reports a training run of its own, so that its untagged compute and tokens may be the run's.

    A text with no such fact (a survey's table, a related-work paragraph)
    holds other work's figures. Any tag counts: a person tagged only what the
    paper itself ran (docs/tagging.md). A fact the finder proposes (*found*)
    counts when it describes the run; a found year or country alone only
    dates or places the paper, and is easily taken from someone else's
    sentence ("the 3.14e23 FLOPs estimated for GPT-3 in 2020").
    """
    return any(span not in found or not KINDS[span.name].dates_or_places for span in spans)


def map_document(
    doc: Document, iris: Iris | None = None, utilization: Decimal | None = None, extract: str = "auto"
) -> MappedDocument:
    """Everything one document says, as TriG statements for the paper's named graph.

    *utilization*, when given, replaces the assumed utilization of every
    hardware estimate of training compute (kg/data/compute.json). *extract*
    is one of :data:`kg.finder.EXTRACT_MODES`: whether the finder reads the text too.
    """
    return _Mapper(doc, iris or Iris(), utilization, extract).map()
