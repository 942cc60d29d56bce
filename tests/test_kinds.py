"""The registry of tag kinds (kg.kinds) agrees with everything else that names a kind.

Adding a kind is one entry in kg/kinds.py plus its vocabulary, ontology,
shapes and docs/terms.md lines; these checks say which line is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Namespace
from rdflib.namespace import SH

from kg import finder, tags, vocab
from kg.kinds import FOUND, KINDS, KNOWN_TAGS
from kg.mapping import _Mapper
from kg.sources import Document
from kg.terms import Iris

ROOT = Path(__file__).resolve().parents[1]
MLKG = Namespace(vocab.MLKG_NS)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "mlkg.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ROOT / "ontology" / "shapes.ttl")


def test_the_tag_parser_and_the_finder_read_the_registry() -> None:
    assert tags.KNOWN_TAGS is KNOWN_TAGS == frozenset(KINDS)
    assert finder.KINDS == FOUND == ("model", "params", "hardware", "gpu_count", "training", "country", "year")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_has_a_reader(name: str) -> None:
    handlers = _Mapper(Document("p", "", "p"), Iris()).handlers()
    assert set(handlers) == set(KINDS)
    assert callable(handlers[name])


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_s_property_is_declared_with_its_domain(name: str, ontology: Graph) -> None:
    kind = KINDS[name]
    assert kind.property in vocab.OBJECT_PROPERTIES + vocab.DATATYPE_PROPERTIES
    domain = {str(d) for d in ontology.objects(MLKG[kind.property], RDFS.domain)}
    subject = vocab.MLKG_NS + ("Model" if kind.about == "model" else "TrainingRun")
    assert subject in domain, (kind.property, domain)


@pytest.mark.parametrize("name", sorted(n for n, k in KINDS.items() if k.node))
def test_a_kind_that_names_a_node_has_its_class_range_and_shape(name: str, ontology: Graph, shapes: Graph) -> None:
    kind = KINDS[name]
    assert kind.node in vocab.CLASSES and kind.path
    assert (MLKG[kind.property], RDFS.range, MLKG[kind.node]) in ontology
    targeted = set(shapes.objects(None, SH.targetClass))
    assert MLKG[kind.node] in targeted
    assert any(shapes.triples((None, SH.path, MLKG[kind.property])))


@pytest.mark.parametrize("name", sorted(KINDS))
def test_docs_terms_and_readme_name_each_tag(name: str) -> None:
    terms = (ROOT / "docs" / "terms.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mlkg:{KINDS[name].property}" in terms
    assert f"<{name}>" in readme


def test_a_dataset_tag_names_the_data_set_a_run_learned_from(tmp_path: Path) -> None:
    """<dataset> was added as one registry entry (and its vocabulary lines): it links the run to a node."""
    from kg.build import build
    from kg.store import KnowledgeGraph

    paper = tmp_path / "p.txt"
    paper.write_text(
        "We train <model>Kite-1B</model> on <dataset>The Pile</dataset> and <dataset>the-pile</dataset>.", "utf-8"
    )
    result = build([str(paper)], tmp_path / "out", jobs=1, exports=[])
    assert result.summary["warning"] == 0 and result.summary["validation"]["conforms"]
    kg = KnowledgeGraph(tmp_path / "out", read_only=True)
    rows = list(
        kg.query(
            "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?data (GROUP_CONCAT(?label; separator='|') AS ?labels) WHERE { "
            "?run mlkg:trainingDataset ?data . ?data a mlkg:Dataset ; rdfs:label ?label } GROUP BY ?data"
        )
    )
    kg.close()
    assert [(r["data"].value.rsplit("/", 2)[-2:], sorted(r["labels"].value.split("|"))) for r in rows] == [
        (["dataset", "the-pile"], ["The Pile", "the-pile"])
    ]
