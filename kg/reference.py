"""Shared nodes: catalogue hardware, manufacturers, countries, years, the
type of named models, and the type and labels of unknown accelerators.

Papers only point at these nodes; their descriptions are written once, into
the reference graph, by the build's main process. A model's name depends on
how all papers write it, so its labels are written once a build knows them
(:func:`label_statements`, :func:`relabel_models`; see :mod:`kg.totals`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad

from .kinds import KINDS
from . import terms as t
from .countries import country_by_code, display_name
from .hardware import load_catalogue, manufacturer_id
from .terms import LABEL, TYPE, Iris
from .vocab import RDFS, SKOS, WIKIDATA_ENTITY

if TYPE_CHECKING:
    from .store import KnowledgeGraph

SAME_AS = "owl:sameAs"


class ReferenceWriter:
    """Turns reference keys into Turtle statements, each key only once per writer."""

    def __init__(self, iris: Iris, known: set[tuple] | None = None):
        self.iris = iris
        self.done: set[tuple] = set(known or ())
        self.graph = t.GraphWriter(iris.reference_graph, iris.base).graph

    def statements(self, keys: set[tuple]) -> str:
        """Turtle statements for the keys not written before (assuming :func:`kg.terms.header`)."""
        out = t.GraphWriter(self.iris.reference_graph, self.iris.base)
        for key in sorted(keys - self.done, key=repr):
            self.done.add(key)
            getattr(self, f"_{key[0]}")(out, *key[1:])
        return "".join(out.others)

    def block(self, statements: str) -> str:
        """*statements* as the reference graph's TriG block."""
        return t.trig_block(self.graph, statements)

    def _hardware(self, out: t.GraphWriter, accelerator_id: str) -> None:
        catalogue = load_catalogue()
        acc = catalogue[accelerator_id]
        node = out.iri(self.iris.hardware(acc.id))
        out.add(node, TYPE, t.mlkg("Hardware"))
        out.add(node, LABEL, t.string(acc.name))
        out.add(node, t.mlkg("acceleratorType"), t.string(acc.type))
        if acc.memory_gb is not None:
            out.add(node, t.mlkg("memoryGB"), t.decimal(acc.memory_gb))
        if acc.release_year is not None:
            out.add(node, t.mlkg("releaseYear"), t.integer(acc.release_year))
        if acc.fp16_flops is not None:
            out.add(node, t.mlkg("peakFP16Flops"), t.double(acc.fp16_flops))
        org_key = ("org", acc.manufacturer)
        out.add(node, t.mlkg("manufacturer"), out.iri(self.iris.organization(manufacturer_id(acc.manufacturer))))
        if org_key not in self.done:
            self.done.add(org_key)
            self._org(out, acc.manufacturer)
        if acc.family:
            family_key = ("hardware", acc.family)
            out.add(node, t.mlkg("variantOf"), out.iri(self.iris.hardware(acc.family)))
            if family_key not in self.done:
                self.done.add(family_key)
                self._hardware(out, acc.family)

    def _model(self, out: t.GraphWriter, key: str, label: str) -> None:
        node = out.iri(self.iris.model(key))
        if ("typed", node) not in self.done:  # its labels come once all papers are counted
            self.done.add(("typed", node))
            out.add(node, TYPE, t.mlkg("Model"))

    def _unknown_hardware(self, out: t.GraphWriter, key: str, label: str) -> None:
        self._named(out, out.iri(self.iris.unknown_hardware(key)), "Hardware", label)

    def _named(self, out: t.GraphWriter, node: str, cls: str, label: str) -> None:
        """A node named by papers: its type once, each way of writing its name as a label."""
        if ("typed", node) not in self.done:
            self.done.add(("typed", node))
            out.add(node, TYPE, t.mlkg(cls))
        out.add(node, LABEL, t.string(label))

    def _named_node(self, out: t.GraphWriter, kind: str, name: str) -> None:
        entry = KINDS[kind]
        node = out.iri(self.iris.named(entry.path, manufacturer_id(name)))  # type: ignore[arg-type]
        self._named(out, node, entry.node, name)  # type: ignore[arg-type]

    def _org(self, out: t.GraphWriter, name: str) -> None:
        node = out.iri(self.iris.organization(manufacturer_id(name)))
        out.add(node, TYPE, t.mlkg("Organization"))
        out.add(node, LABEL, t.string(name))

    def _country(self, out: t.GraphWriter, iso2: str) -> None:
        country = country_by_code(iso2)
        if country is None:  # the code came from a resolved country
            raise KeyError(f"no country with the code {iso2!r}")
        node = out.iri(self.iris.country(iso2))
        out.add(node, TYPE, t.mlkg("Country"))
        out.add(node, LABEL, t.string(display_name(country)))
        out.add(node, t.mlkg("isoCode"), t.string(country.iso2))
        out.add(node, SAME_AS, out.iri(WIKIDATA_ENTITY + country.wikidata))

    def _year(self, out: t.GraphWriter, year: int) -> None:
        node = out.iri(self.iris.year(year))
        out.add(node, TYPE, t.mlkg("Year"))
        out.add(node, LABEL, t.string(str(year)))
        out.add(node, t.mlkg("yearValue"), t.integer(year))


def label_statements(iris: Iris, chosen: dict[str, tuple[str, list[str]]]) -> str:
    """Each model's name (rdfs:label and skos:prefLabel) and other spellings (skos:altLabel), as Turtle."""
    out = t.GraphWriter(iris.reference_graph, iris.base)  # for its IRIs only: each model is written once
    statements = []
    for model in sorted(chosen):
        name, others = chosen[model]
        pairs = [f"{LABEL} {t.string(name)}", f"skos:prefLabel {t.string(name)}"]
        pairs += [f"skos:altLabel {t.string(other)}" for other in others]
        statements.append(f"{out.iri(model)} " + " ;\n    ".join(pairs) + " .\n")
    return "".join(statements)


def relabel_models(kg: "KnowledgeGraph", iris: Iris, chosen: dict[str, tuple[str, list[str]]]) -> None:
    """Replace the labels of the models in *chosen* in the store's reference graph."""
    store, graph = kg.store, NamedNode(iris.reference_graph)
    for model, (name, others) in chosen.items():
        node = NamedNode(model)
        for predicate in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for quad in list(store.quads_for_pattern(node, predicate, None, graph)):
                store.remove(quad)
        store.add(Quad(node, RDFS.label, Literal(name), graph))
        store.add(Quad(node, SKOS.prefLabel, Literal(name), graph))
        for other in others:
            store.add(Quad(node, SKOS.altLabel, Literal(other), graph))
