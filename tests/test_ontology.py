"""The OWL ontology, the SHACL shapes and their documentation agree with kg.vocab.

The ontology is the published contract for what the pipeline writes, so these
tests pin it to the code (same terms, same kinds), to docs/terms.md (domains
and ranges), and check that the shapes accept a well-formed graph and reject
the mistakes a user would care about.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from kg import vocab

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_TTL = ROOT / "ontology" / "mlkg.ttl"
SHAPES_TTL = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_DOC = ROOT / "docs" / "ontology.md"

MLKG = Namespace(vocab.MLKG_NS)
XSD = Namespace(vocab.XSD_NS)
ONTOLOGY_IRI = URIRef("https://w3id.org/mlkg/ontology")
QB = Namespace(vocab.QB_NS)
QB_OBSERVATION = QB.Observation
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")

EXTERNAL_VOCABULARIES = {
    "schema.org": "https://schema.org/",
    "fair4ml": "https://w3id.org/fair4ml#",
    "mls": "http://www.w3.org/ns/mls#",
    "prov": "http://www.w3.org/ns/prov#",
    "wikidata": "http://www.wikidata.org/",
}
ALIGNMENT_PREDICATES = (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


def declared_terms(graph: Graph, kind: URIRef) -> set[str]:
    """Local names of mlkg terms typed `kind` in the ontology."""
    return {str(s)[len(vocab.MLKG_NS) :] for s in graph.subjects(RDF.type, kind) if str(s).startswith(vocab.MLKG_NS)}


# ---------------------------------------------------------------- ontology


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        (RDF.type, OWL.Ontology),
        (OWL.versionInfo, Literal("0.1.0")),
        (DCTERMS.license, URIRef("https://spdx.org/licenses/MIT")),
        (VANN.preferredNamespacePrefix, Literal("mlkg")),
        (VANN.preferredNamespaceUri, Literal(vocab.MLKG_NS)),
    ],
    ids=["type", "version", "license", "prefix", "namespace"],
)
def test_ontology_header(ontology: Graph, predicate: URIRef, expected) -> None:
    assert (ONTOLOGY_IRI, predicate, expected) in ontology


@pytest.mark.parametrize("predicate", [DCTERMS.title, DCTERMS.description], ids=["title", "description"])
def test_ontology_has_english_title_and_description(ontology: Graph, predicate: URIRef) -> None:
    langs = {o.language for o in ontology.objects(ONTOLOGY_IRI, predicate)}
    assert "en" in langs


def test_declared_terms_equal_vocab_terms(ontology: Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
    declared = set().union(*(declared_terms(ontology, k) for k in kinds))
    assert declared == set(vocab.TERMS)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (OWL.Class, vocab.CLASSES),
        (OWL.ObjectProperty, vocab.OBJECT_PROPERTIES),
        (OWL.DatatypeProperty, vocab.DATATYPE_PROPERTIES),
        (RDF.Property, vocab.OTHER_PROPERTIES),
    ],
    ids=["class", "object-property", "datatype-property", "rdf-property"],
)
def test_each_group_has_its_owl_kind(ontology: Graph, kind: URIRef, expected: tuple[str, ...]) -> None:
    assert declared_terms(ontology, kind) == set(expected)


@pytest.mark.parametrize("term", vocab.TERMS)
@pytest.mark.parametrize("predicate", [RDFS.label, RDFS.comment], ids=["label", "comment"])
def test_every_term_has_english_label_and_comment(ontology: Graph, term: str, predicate: URIRef) -> None:
    values = [o for o in ontology.objects(MLKG[term], predicate) if o.language == "en"]
    assert values and all(str(v).strip() for v in values)


# Domains and ranges as docs/terms.md states them (None: not restricted).
DOMAIN_RANGE = [
    ("reports", "Paper", MLKG.TrainingRun),
    ("trainedModel", "TrainingRun", MLKG.Model),
    ("hardware", "TrainingRun", MLKG.Hardware),
    ("hardwareQuantity", "TrainingRun", XSD.integer),
    ("trainingDuration", "TrainingRun", XSD.duration),
    ("trainingHours", "TrainingRun", XSD.decimal),
    ("country", "TrainingRun", MLKG.Country),
    ("year", "TrainingRun", MLKG.Year),
    ("parameterCount", "Model", XSD.integer),
    ("manufacturer", "Hardware", MLKG.Organization),
    ("variantOf", "Hardware", MLKG.Hardware),
    ("acceleratorType", "Hardware", XSD.string),
    ("memoryGB", "Hardware", XSD.decimal),
    ("releaseYear", "Hardware", XSD.integer),
    ("peakFP16Flops", "Hardware", XSD.double),
    ("isoCode", "Country", XSD.string),
    ("yearValue", "Year", XSD.integer),
    ("paperId", "Paper", XSD.string),
    ("sourcePath", "Paper", XSD.string),
    ("contentHash", "Paper", XSD.string),
    ("plainText", "Paper", XSD.string),
    ("inPaper", "Mention", MLKG.Paper),
    ("tagName", "Mention", XSD.string),
    ("mentionText", "Mention", XSD.string),
    ("startOffset", "Mention", XSD.integer),
    ("endOffset", "Mention", XSD.integer),
    ("sentenceStart", "Mention", XSD.integer),
    ("sentenceEnd", "Mention", XSD.integer),
    ("approximate", "Mention", XSD.boolean),
    ("qualifier", "Mention", XSD.string),
    ("warning", "Mention", XSD.string),
    ("factSubject", "Mention", OWL.Thing),
    ("factProperty", "Mention", RDF.Property),
    ("factValue", "Mention", None),
    ("hardwareUsage", "TrainingRun", MLKG.HardwareUsage),
    ("usedHardware", "HardwareUsage", MLKG.Hardware),
    ("usedQuantity", "HardwareUsage", XSD.integer),
    ("acceleratorHoursBasis", "TrainingRun", XSD.string),
    ("conversion", "Mention", XSD.string),
    ("extractedBy", "Mention", XSD.string),
    ("confidence", "Mention", XSD.decimal),
    ("computeEstimate", "TrainingRun", MLKG.ComputeEstimate),
    ("organization", "TrainingRun", MLKG.Organization),
    ("trainingDataset", "TrainingRun", MLKG.Dataset),
    ("computeMethod", "TrainingRun", MLKG.ComputeMethod),
    ("estimationMethod", "ComputeEstimate", MLKG.ComputeMethod),
    ("trainingCompute", "TrainingRun", XSD.double),
    ("trainingTokens", "TrainingRun", XSD.integer),
    *[(term, "ComputeEstimate", XSD.double) for term in ("flop", "flopLow", "flopHigh", "peakFlops")],
    ("utilization", "ComputeEstimate", XSD.decimal),
    ("numericalFormat", "ComputeEstimate", XSD.string),
    *[
        (term, QB_OBSERVATION, MLKG[target])
        for term, target in (
            ("forModel", "Model"),
            ("forHardware", "Hardware"),
            ("forCountry", "Country"),
            ("forYear", "Year"),
            ("forManufacturer", "Organization"),
            ("forRun", "TrainingRun"),
            ("sameRunAs", "TrainingRun"),
        )
    ],
    *[
        (term, QB_OBSERVATION, XSD.integer)
        for term in (
            "forParameterCount",
            "runCount",
            "runsWithCompute",
            "runsWithYear",
            "mentionCount",
            "acceleratorCount",
            "papersWithParameterCount",
            "maxParameterCount",
            "parameterCountValues",
            "paperCount",
            "papersWithYear",
            "firstSeen",
            "reportCount",
            "runsWithTrainingCompute",
        )
    ],
    ("totalTrainingCompute", QB_OBSERVATION, XSD.double),
    ("forSpelling", QB_OBSERVATION, XSD.string),
    # on runs, usages and observations alike
    ("acceleratorHours", None, XSD.decimal),
    ("modelName", QB_OBSERVATION, XSD.string),
    ("hardwareName", QB_OBSERVATION, XSD.string),
]


def test_domain_range_table_covers_every_property() -> None:
    properties = set(vocab.TERMS) - set(vocab.CLASSES)
    assert {row[0] for row in DOMAIN_RANGE} == properties


@pytest.mark.parametrize(("term", "domain", "range_"), DOMAIN_RANGE)
def test_property_domain_and_range(ontology: Graph, term: str, domain: str, range_) -> None:
    expected = set() if domain is None else {domain if isinstance(domain, URIRef) else MLKG[domain]}
    assert set(ontology.objects(MLKG[term], RDFS.domain)) == expected
    assert set(ontology.objects(MLKG[term], RDFS.range)) == ({range_} if range_ else set())


def external_alignments(graph: Graph, term: URIRef) -> set[str]:
    return {
        str(o) for p in ALIGNMENT_PREDICATES for o in graph.objects(term, p) if not str(o).startswith(vocab.MLKG_NS)
    }


@pytest.mark.parametrize("cls", vocab.CLASSES)
def test_every_class_is_aligned_to_an_external_vocabulary(ontology: Graph, cls: str) -> None:
    targets = external_alignments(ontology, MLKG[cls])
    assert any(t.startswith(ns) for t in targets for ns in EXTERNAL_VOCABULARIES.values())


@pytest.mark.parametrize(("name", "namespace"), EXTERNAL_VOCABULARIES.items())
def test_ontology_uses_each_external_vocabulary(ontology: Graph, name: str, namespace: str) -> None:
    targets = set().union(*(external_alignments(ontology, MLKG[t]) for t in vocab.TERMS))
    assert any(t.startswith(namespace) for t in targets), name


@pytest.mark.parametrize(
    ("term", "predicate", "target"),
    [
        ("Paper", RDFS.subClassOf, "http://www.w3.org/ns/prov#Entity"),
        ("TrainingRun", RDFS.subClassOf, "http://www.w3.org/ns/mls#Run"),
        ("TrainingRun", RDFS.subClassOf, "http://www.w3.org/ns/prov#Activity"),
        ("Model", RDFS.subClassOf, "https://w3id.org/fair4ml#MLModel"),
        ("Organization", RDFS.subClassOf, "https://schema.org/Organization"),
        ("Dataset", RDFS.subClassOf, "https://schema.org/Dataset"),
        ("trainingDataset", RDFS.subPropertyOf, "https://w3id.org/fair4ml#trainedOn"),
        ("Country", RDFS.subClassOf, "https://schema.org/Country"),
        ("Country", SKOS.closeMatch, "http://www.wikidata.org/entity/Q6256"),
        ("Year", SKOS.closeMatch, "http://www.wikidata.org/entity/Q577"),
        ("isoCode", SKOS.closeMatch, "http://www.wikidata.org/prop/direct/P297"),
        ("manufacturer", SKOS.closeMatch, "http://www.wikidata.org/prop/direct/P176"),
    ],
)
def test_key_alignments(ontology: Graph, term: str, predicate: URIRef, target: str) -> None:
    assert (MLKG[term], predicate, URIRef(target)) in ontology


# ------------------------------------------------------------------ shapes


@pytest.mark.parametrize("cls", vocab.CLASSES)
def test_every_class_has_a_node_shape(shapes: Graph, cls: str) -> None:
    targeting = set(shapes.subjects(SH.targetClass, MLKG[cls]))
    assert any((s, RDF.type, SH.NodeShape) in shapes for s in targeting)


def test_every_shape_has_a_message_or_name(shapes: Graph) -> None:
    all_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.objects(None, SH.property))
    assert all_shapes
    unnamed = [s for s in all_shapes if not any(shapes.objects(s, SH.message)) and not any(shapes.objects(s, SH.name))]
    assert unnamed == []


@pytest.mark.parametrize(
    ("cls", "path"),
    [
        ("TrainingRun", "trainedModel"),
        ("TrainingRun", "hardwareQuantity"),
        ("TrainingRun", "trainingDuration"),
        ("TrainingRun", "country"),
        ("TrainingRun", "year"),
        ("Model", "parameterCount"),
    ],
)
def test_at_most_one_rules_are_warnings(shapes: Graph, cls: str, path: str) -> None:
    node_shapes = set(shapes.subjects(SH.targetClass, MLKG[cls]))
    props = {p for n in node_shapes for p in shapes.objects(n, SH.property)}
    capped = {p for p in props if (p, SH.path, MLKG[path]) in shapes and (p, SH.maxCount, None) in shapes}
    assert capped, f"no maxCount shape for {cls}.{path}"
    assert all((p, SH.severity, SH.Warning) in shapes for p in capped)


VALID_DATA = """
@prefix mlkg: <https://w3id.org/mlkg/ontology#> .
@prefix id:   <https://w3id.org/mlkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix qb:   <http://purl.org/linked-data/cube#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://w3id.org/mlkg/id/paper/p1> a mlkg:Paper ;
    rdfs:label "p1" ;
    mlkg:paperId "p1" ;
    mlkg:sourcePath "examples/papers/p1.txt" ;
    mlkg:contentHash "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" ;
    mlkg:plainText "The model was trained in Germany." ;
    mlkg:reports <https://w3id.org/mlkg/id/paper/p1/run> .

<https://w3id.org/mlkg/id/paper/p1/run> a mlkg:TrainingRun ;
    rdfs:label "training run reported in p1" ;
    mlkg:trainedModel <https://w3id.org/mlkg/id/model/demo-7b> ;
    mlkg:hardware <https://w3id.org/mlkg/id/hardware/nvidia-a100-sxm4-80-gb> ;
    mlkg:hardwareQuantity 64 ;
    mlkg:trainingDuration "P14D"^^xsd:duration ;
    mlkg:trainingHours 336.0 ;
    mlkg:country <https://w3id.org/mlkg/id/country/DE> ;
    mlkg:year <https://w3id.org/mlkg/id/year/2023> .

<https://w3id.org/mlkg/id/model/demo-7b> a mlkg:Model ;
    rdfs:label "Demo-7B" ;
    skos:prefLabel "Demo-7B" ;
    skos:altLabel "demo 7b" ;
    mlkg:parameterCount 7000000000 .

<https://w3id.org/mlkg/id/hardware/nvidia-a100-sxm4-80-gb> a mlkg:Hardware ;
    rdfs:label "NVIDIA A100 SXM4 80 GB" ;
    mlkg:manufacturer <https://w3id.org/mlkg/id/org/nvidia> ;
    mlkg:acceleratorType "GPU" ;
    mlkg:memoryGB 80.0 ;
    mlkg:releaseYear 2020 ;
    mlkg:peakFP16Flops "3.12e14"^^xsd:double .

<https://w3id.org/mlkg/id/org/nvidia> a mlkg:Organization ;
    rdfs:label "NVIDIA" .

<https://w3id.org/mlkg/id/country/DE> a mlkg:Country ;
    rdfs:label "Germany" ;
    mlkg:isoCode "DE" ;
    owl:sameAs <http://www.wikidata.org/entity/Q183> .

<https://w3id.org/mlkg/id/year/2023> a mlkg:Year ;
    rdfs:label "2023" ;
    mlkg:yearValue 2023 .

<https://w3id.org/mlkg/id/paper/p1/mention/1> a mlkg:Mention ;
    rdfs:label "country mention 1 in p1" ;
    mlkg:inPaper <https://w3id.org/mlkg/id/paper/p1> ;
    mlkg:tagName "country" ;
    mlkg:mentionText "Germany" ;
    mlkg:startOffset 25 ;
    mlkg:endOffset 32 ;
    mlkg:sentenceStart 0 ;
    mlkg:sentenceEnd 33 ;
    mlkg:approximate false ;
    mlkg:factSubject <https://w3id.org/mlkg/id/paper/p1/run> ;
    mlkg:factProperty mlkg:country ;
    mlkg:factValue <https://w3id.org/mlkg/id/country/DE> .

<https://w3id.org/mlkg/id/stats/runsByYear/year/2023> a qb:Observation ;
    qb:dataSet mlkg:runsByYear ;
    mlkg:forYear <https://w3id.org/mlkg/id/year/2023> ;
    mlkg:runCount 1 ;
    mlkg:runsWithTrainingCompute 0 ;
    mlkg:totalTrainingCompute 0.0e0 .

<https://w3id.org/mlkg/id/stats/models/model/demo-7b> a qb:Observation ;
    qb:dataSet mlkg:models ;
    mlkg:forModel <https://w3id.org/mlkg/id/model/demo-7b> ;
    mlkg:modelName "Demo-7B" ;
    mlkg:runCount 1 ;
    mlkg:reportCount 1 ;
    mlkg:papersWithParameterCount 1 ;
    mlkg:maxParameterCount 7000000000 ;
    mlkg:parameterCountValues 1 .

<https://w3id.org/mlkg/id/stats/computeByCountry/country/DE> a qb:Observation ;
    qb:dataSet mlkg:computeByCountry ;
    mlkg:forCountry <https://w3id.org/mlkg/id/country/DE> ;
    mlkg:runCount 1 ;
    mlkg:runsWithCompute 1 ;
    mlkg:acceleratorHours 21504.0 ;
    mlkg:runsWithTrainingCompute 0 ;
    mlkg:totalTrainingCompute 0.0e0 .
"""

ID = Namespace("https://w3id.org/mlkg/id/")
RUN = ID["paper/p1/run"]
COUNTRY = ID["country/DE"]
MENTION = ID["paper/p1/mention/1"]

# Each edit breaks one hard rule; the result it must cause is (focus, path).
BREAKING_EDITS = {
    "isoCode is not alpha-2": (
        'DELETE { ?c mlkg:isoCode ?v } INSERT { ?c mlkg:isoCode "Germany" } WHERE { ?c mlkg:isoCode ?v }',
        (COUNTRY, MLKG.isoCode),
    ),
    "negative hardwareQuantity": (
        "DELETE { ?r mlkg:hardwareQuantity ?v } INSERT { ?r mlkg:hardwareQuantity -8 } "
        "WHERE { ?r mlkg:hardwareQuantity ?v }",
        (RUN, MLKG.hardwareQuantity),
    ),
    "mention without inPaper": (
        "DELETE WHERE { ?m mlkg:inPaper ?p }",
        (MENTION, MLKG.inPaper),
    ),
}


def data_graph(*updates: str) -> Graph:
    graph = Graph().parse(data=VALID_DATA, format="turtle")
    for update in updates:
        graph.update(update, initNs={"mlkg": MLKG})
    return graph


def validate(data: Graph, shapes: Graph, ontology: Graph, **kwargs) -> tuple[bool, set[tuple]]:
    """Run pyshacl and return conforms plus (severity, focus, path) per result."""
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", **kwargs)
    results = {
        (
            report.value(r, SH.resultSeverity),
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    return conforms, results


def test_valid_graph_conforms_without_any_result(shapes: Graph, ontology: Graph) -> None:
    conforms, results = validate(data_graph(), shapes, ontology)
    assert results == set()
    assert conforms


@pytest.fixture(scope="module")
def broken_results(shapes: Graph, ontology: Graph) -> tuple[bool, set[tuple]]:
    return validate(data_graph(*(u for u, _ in BREAKING_EDITS.values())), shapes, ontology)


def test_broken_graph_reports_exactly_the_broken_rules(broken_results) -> None:
    conforms, results = broken_results
    assert not conforms
    assert results == {(SH.Violation, *expected) for _, expected in BREAKING_EDITS.values()}


@pytest.mark.parametrize("case", BREAKING_EDITS)
def test_each_breaking_edit_alone_is_a_violation(shapes: Graph, ontology: Graph, case: str) -> None:
    update, (focus, path) = BREAKING_EDITS[case]
    conforms, results = validate(data_graph(update), shapes, ontology)
    assert not conforms
    assert (SH.Violation, focus, path) in results


TWO_YEARS = [
    "INSERT DATA { <https://w3id.org/mlkg/id/paper/p1/run> mlkg:year <https://w3id.org/mlkg/id/year/2024> . "
    "<https://w3id.org/mlkg/id/year/2024> a mlkg:Year ; "
    '<http://www.w3.org/2000/01/rdf-schema#label> "2024" ; mlkg:yearValue 2024 . }'
]


@pytest.mark.parametrize(("allow_warnings", "expected_conforms"), [(True, True), (False, False)])
def test_run_with_two_years_is_only_a_warning(
    shapes: Graph, ontology: Graph, allow_warnings: bool, expected_conforms: bool
) -> None:
    conforms, results = validate(data_graph(*TWO_YEARS), shapes, ontology, allow_warnings=allow_warnings)
    assert results == {(SH.Warning, RUN, MLKG.year)}
    assert conforms is expected_conforms


BY_YEAR = ID["stats/runsByYear/year/2023"]
BY_COUNTRY = ID["stats/computeByCountry/country/DE"]

# Each edit breaks one rule of the running totals' observations. Expected:
# (focus, path, value); path None where it is the inverse path from a data
# set to its observations, whose focus is the data set.
BROKEN_OBSERVATIONS = {
    "observation lacks its data set's dimension": (
        "DELETE WHERE { ?o mlkg:forYear ?y }",
        (MLKG.runsByYear, None, BY_YEAR),
    ),
    "observation has a component its data set lacks": (
        "INSERT { ?o mlkg:forCountry ?c } WHERE { ?o mlkg:forYear ?y . ?c a mlkg:Country }",
        (MLKG.runsByYear, None, BY_YEAR),
    ),
    "observation lacks a measure": (
        "DELETE WHERE { ?o mlkg:runsWithCompute ?n }",
        (MLKG.computeByCountry, None, BY_COUNTRY),
    ),
    "negative count": (
        "DELETE { ?o mlkg:runCount ?n } INSERT { ?o mlkg:runCount -1 } WHERE { ?o mlkg:forYear ?y ; mlkg:runCount ?n }",
        (BY_YEAR, MLKG.runCount, None),
    ),
    "accelerator-hours as text": (
        'DELETE { ?o mlkg:acceleratorHours ?n } INSERT { ?o mlkg:acceleratorHours "lots" } '
        "WHERE { ?o mlkg:acceleratorHours ?n }",
        (BY_COUNTRY, MLKG.acceleratorHours, None),
    ),
    "unknown data set": (
        "DELETE { ?o qb:dataSet ?d } INSERT { ?o qb:dataSet mlkg:runsByMoonPhase } WHERE { ?o mlkg:forYear ?y ; qb:dataSet ?d }",
        (BY_YEAR, QB.dataSet, None),
    ),
    "year dimension pointing at a country": (
        "DELETE { ?o mlkg:forYear ?y } INSERT { ?o mlkg:forYear ?c } WHERE { ?o mlkg:forYear ?y . ?c a mlkg:Country }",
        (BY_YEAR, MLKG.forYear, None),
    ),
}


@pytest.mark.parametrize("case", BROKEN_OBSERVATIONS)
def test_each_broken_observation_is_a_violation(shapes: Graph, ontology: Graph, case: str) -> None:
    update, (focus, path, value) = BROKEN_OBSERVATIONS[case]
    data = Graph().parse(data=VALID_DATA, format="turtle")
    data.update(update, initNs={"mlkg": MLKG, "qb": QB})
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert not conforms
    found = [
        r
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(r, SH.focusNode) == focus
        and (path is None or report.value(r, SH.resultPath) == path)
        and (value is None or report.value(r, SH.value) == value)
    ]
    assert found and all(report.value(r, SH.resultSeverity) == SH.Violation for r in found)


def test_a_model_without_parameter_counts_or_name_is_a_valid_observation(shapes: Graph, ontology: Graph) -> None:
    drop = "DELETE WHERE { ?o mlkg:maxParameterCount ?a ; mlkg:parameterCountValues ?b ; mlkg:modelName ?c }"
    conforms, results = validate(data_graph(drop), shapes, ontology)
    assert (conforms, results) == (True, set())


@pytest.mark.parametrize("name", vocab.DATASETS)
def test_each_data_set_shape_admits_exactly_its_structure(shapes: Graph, ontology: Graph, name: str) -> None:
    """The closed shape of a data set's observations lists the components its structure declares."""
    structure = ontology.value(MLKG[name], QB.structure)
    declared = {o for c in ontology.objects(structure, QB.component) for o in ontology.objects(c, None)}
    shape = shapes.value(predicate=SH.targetNode, object=MLKG[name])
    (inner,) = [shapes.value(p, SH.node) for p in shapes.objects(shape, SH.property)]
    assert shapes.value(inner, SH.closed).toPython() is True
    properties = list(shapes.objects(inner, SH.property))
    assert {shapes.value(p, SH.path) for p in properties} == declared
    required = {shapes.value(p, SH.path) for p in properties if shapes.value(p, SH.minCount) is not None}
    dimensions = {o for c in ontology.objects(structure, QB.component) for o in ontology.objects(c, QB.dimension)}
    assert dimensions <= required


# ------------------------------------------------------------ documentation


@pytest.fixture(scope="module")
def doc_rows() -> dict[str, str]:
    """Table rows of docs/ontology.md keyed by the mlkg term they describe."""
    rows = {}
    for line in ONTOLOGY_DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`mlkg:(\w+)`\s*\|", line)
        if match:
            rows[match.group(1)] = line
    return rows


def test_doc_lists_every_term_once(doc_rows: dict[str, str]) -> None:
    assert set(doc_rows) == set(vocab.TERMS + vocab.DATASETS + vocab.INDIVIDUALS)


@pytest.mark.parametrize("term", vocab.INDIVIDUALS)
def test_each_method_of_compute_is_a_declared_individual(ontology: Graph, term: str) -> None:
    assert (MLKG[term], RDF.type, MLKG.ComputeMethod) in ontology
    assert (MLKG[term], RDF.type, OWL.NamedIndividual) in ontology


@pytest.mark.parametrize("term", vocab.TERMS + vocab.DATASETS + vocab.INDIVIDUALS)
def test_doc_row_shows_the_ontology_label(ontology: Graph, doc_rows: dict[str, str], term: str) -> None:
    label = ontology.value(MLKG[term], RDFS.label)
    assert f"| {label} |" in doc_rows[term]


@pytest.mark.parametrize("name", vocab.DATASETS)
def test_every_data_set_of_totals_is_declared_with_its_structure(ontology: Graph, name: str) -> None:
    from kg.restatements import RESTATED
    from kg.tally import DERIVED, NAMES, SLICES

    spec = next((s for s in SLICES.values() if s.dataset == name), RESTATED)
    assert (MLKG[name], RDF.type, QB.DataSet) in ontology
    structure = ontology.value(MLKG[name], QB.structure)
    assert (structure, RDF.type, QB.DataStructureDefinition) in ontology
    components = {
        (str(p).rsplit("#", 1)[1], str(o)[len(vocab.MLKG_NS) :])
        for c in ontology.objects(structure, QB.component)
        for p, o in ontology.predicate_objects(c)
    }
    measures = spec.measures + (DERIVED if name == "models" else ())
    names = tuple(NAMES[d] for d in spec.dimensions if d in NAMES) + (
        ("firstSeen",) if name == "modelSpellings" else ()
    )
    names += ("sameRunAs",) if name == "restatedRuns" else ()
    assert components == (
        {("dimension", d) for d in spec.dimensions}
        | {("measure", m) for m in measures}
        | {("attribute", a) for a in names}
    )


def test_an_observation_may_belong_to_every_data_set_and_no_other(shapes: Graph) -> None:
    lists = [
        shapes.value(p, SH["in"])
        for p in shapes.objects(None, SH.property)
        if shapes.value(p, SH.path) == QB.dataSet and shapes.value(p, SH["in"]) is not None
    ]
    from rdflib.collection import Collection

    (allowed,) = [{str(item) for item in Collection(shapes, head)} for head in lists]
    assert allowed == {vocab.MLKG_NS + name for name in vocab.DATASETS}


def test_a_term_written_as_text_is_refused_when_undeclared_as_the_namespace_refuses_it() -> None:
    from kg import terms
    from kg.vocab import MLKG

    assert terms.mlkg("trainedModel") == "mlkg:trainedModel"
    with pytest.raises(AttributeError):
        MLKG.trainedmodel  # noqa: B018 - the lookup itself is what is tested
    with pytest.raises(ValueError, match="mlkg:trainedmodel is not a declared term"):
        terms.mlkg("trainedmodel")
