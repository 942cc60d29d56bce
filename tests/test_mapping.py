"""One document → RDF: facts, provenance, IRIs and what happens to bad values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyoxigraph import RdfFormat, Store

from kg.mapping import map_document
from kg.mentions import line_column
from kg.reference import ReferenceWriter, label_statements
from kg.tally import Tally, chosen_names
from kg.sources import Document
from kg.tags import parse_tags
from kg.terms import Iris, header
from kg.vocab import MLKG, PREFIXES, RDFS

SEED = (
    "Our model, <model>MedSegFormer-XL</model>, has <params>6.7 billion parameters</params>.\n"
    "Training used <gpu_count>32</gpu_count> <hardware>NVIDIA A100 80GB GPUs</hardware> in "
    "<country>Germany</country> for approximately <training>4 weeks</training> in <year>2023</year>."
)


def load(doc: Document) -> tuple[Store, object]:
    """The paper's graph plus the shared nodes it refers to, in a fresh store."""
    mapped = map_document(doc)
    writer = ReferenceWriter(Iris())
    tally = Tally()
    tally.add(mapped.paper)  # the model names, as a build of this paper alone chooses them
    reference = writer.block(writer.statements(mapped.reference_keys) + label_statements(Iris(), chosen_names(tally)))
    store = Store()
    text = header(Iris().base) + mapped.trig() + reference
    store.load(text.encode(), RdfFormat.TRIG)  # strict: rejects invalid IRIs
    return store, mapped


def select(store: Store, sparql: str) -> list[dict]:
    """Rows of a SELECT as plain {variable: value} dicts."""
    result = store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def test_seed_document_gives_every_fact_in_its_own_graph():
    store, mapped = load(Document("002_seed", SEED, "papers/002_seed.txt"))
    (row,) = select(
        store,
        """SELECT ?g ?model ?label ?n ?q ?hw ?c ?y ?d ?h WHERE { GRAPH ?g {
             ?paper mlkg:reports ?run . ?run mlkg:trainedModel ?model ; mlkg:hardwareQuantity ?q ;
             mlkg:hardware ?hw ; mlkg:country ?c ; mlkg:year ?y ; mlkg:trainingDuration ?d ;
             mlkg:trainingHours ?h . ?model mlkg:parameterCount ?n }
             GRAPH <https://w3id.org/mlkg/id/graph/reference> { ?model rdfs:label ?label } }""",
    )
    base = Iris().base
    assert row["g"] == mapped.iri == f"{base}paper/002_seed"
    assert row["model"] == f"{base}model/medsegformerxl"
    assert row["label"] == "MedSegFormer-XL"
    assert row["n"] == "6700000000"
    assert row["q"] == "32"
    assert row["hw"] == f"{base}hardware/nvidia-a100-80gb"
    assert row["c"] == f"{base}country/DE"
    assert row["y"] == f"{base}year/2023"
    assert row["d"] == "P28D" and Decimal(row["h"]) == 672
    assert mapped.facts == 7 and mapped.mentions == 7 and mapped.status == "ok"
    assert mapped.reference_keys == {
        ("hardware", "nvidia-a100-80gb"),
        ("country", "DE"),
        ("year", 2023),
        ("model", "medsegformerxl", "MedSegFormer-XL"),
    }


def test_every_mention_points_back_to_its_exact_words():
    store, mapped = load(Document("p", SEED, "p.txt"))
    plain = parse_tags(SEED).plain
    rows = select(
        store,
        """SELECT ?tag ?text ?start ?end ?from ?to ?plain ?paper WHERE {
             ?m a mlkg:Mention ; mlkg:tagName ?tag ; mlkg:mentionText ?text ; mlkg:startOffset ?start ;
                mlkg:endOffset ?end ; mlkg:sentenceStart ?from ; mlkg:sentenceEnd ?to ; mlkg:inPaper ?paper .
             ?paper mlkg:plainText ?plain }""",
    )
    assert len(rows) == 7
    lines, plain_lines = SEED.split("\n"), plain.split("\n")
    for row in rows:
        assert row["paper"] == mapped.iri and row["plain"] == plain
        start, end = int(row["start"]), int(row["end"])
        assert plain[start:end] == row["text"]
        sentence = plain[int(row["from"]) : int(row["to"])]
        assert row["text"] in sentence and sentence.strip()[-1] in ".!?"
        # the line is the source's; the column counts the text without tags
        line, column = line_column(plain, start)
        assert plain_lines[line - 1][column - 1 :].startswith(row["text"])
        assert f"<{row['tag']}>{row['text']}" in lines[line - 1]


def test_paper_records_source_and_hash():
    import hashlib

    store, mapped = load(Document("p", SEED, "somewhere/p.txt"))
    (row,) = select(
        store, "SELECT ?src ?hash ?id WHERE { ?p mlkg:sourcePath ?src ; mlkg:contentHash ?hash ; mlkg:paperId ?id }"
    )
    assert row == {
        "src": "somewhere/p.txt",
        "hash": "sha256:" + hashlib.sha256(SEED.encode()).hexdigest(),
        "id": "p",
    }


@pytest.mark.parametrize(
    "tag, text, warning",
    [
        ("params", "several billion", "several"),
        ("gpu_count", "many", "many"),
        ("training", "a while", "while"),
        ("country", "Atlantis", "Atlantis"),
    ],
)
def test_values_not_understood_keep_their_text_and_get_no_fact(tag, text, warning):
    store, mapped = load(Document("p", f"Value: <{tag}>{text}</{tag}>.", "p.txt"))
    (row,) = select(store, "SELECT ?text ?warning WHERE { ?m mlkg:mentionText ?text ; mlkg:warning ?warning }")
    assert row["text"] == text and warning in row["warning"]
    assert not select(store, "SELECT ?s WHERE { ?m mlkg:factSubject ?s }")
    facts = select(
        store, "SELECT ?p WHERE { ?run a mlkg:TrainingRun ; ?p ?o FILTER(?p != rdf:type && ?p != rdfs:label) }"
    )
    assert [f["p"] for f in facts] == [MLKG.trainedModel.value]  # only the unnamed model
    (problem,) = mapped.problems
    assert (problem.line, problem.column, problem.kind) == (1, 8, "not_understood")
    assert mapped.status == "warning" and mapped.facts == 0


def test_unknown_tags_are_kept_as_mentions_with_a_warning():
    store, mapped = load(Document("p", "Data: <corpus>ImageNet-21k</corpus>.", "p.txt"))
    (row,) = select(
        store, "SELECT ?tag ?text ?w WHERE { ?m mlkg:tagName ?tag ; mlkg:mentionText ?text ; mlkg:warning ?w }"
    )
    assert (row["tag"], row["text"]) == ("corpus", "ImageNet-21k")
    assert [p.kind for p in mapped.problems] == ["unknown_tag"]


def test_unknown_hardware_becomes_its_own_node_with_a_warning():
    store, mapped = load(Document("p", "On <hardware>Zephyr-9 inference cards</hardware>.", "p.txt"))
    (row,) = select(
        store, "SELECT ?hw ?label WHERE { ?run mlkg:hardware ?hw . ?hw a mlkg:Hardware ; rdfs:label ?label }"
    )
    assert row["hw"].startswith(Iris().base + "hardware/unknown/")
    assert row["label"] == "Zephyr-9 inference cards"
    assert [p.kind for p in mapped.problems] == ["unknown_hardware"]


def test_parameters_attach_to_the_named_model_wherever_the_tag_is():
    text = "It has <params>7B</params> parameters; we call it <model>Tiny</model>."
    store, _ = load(Document("p", text, "p.txt"))
    (row,) = select(store, "SELECT ?label ?n WHERE { ?m mlkg:parameterCount ?n ; rdfs:label ?label }")
    assert row == {"label": "Tiny", "n": "7000000000"}


def test_a_paper_without_a_model_tag_gets_its_own_unnamed_model():
    store, mapped = load(Document("x/y", "We trained <params>340M parameters</params>.", "p.txt"))
    (row,) = select(store, "SELECT ?m ?n WHERE { ?run mlkg:trainedModel ?m . ?m mlkg:parameterCount ?n }")
    assert row["m"] == mapped.iri + "/model" and row["n"] == "340000000"


def test_conflicting_single_values_are_both_kept_and_warned():
    store, mapped = load(Document("p", "In <year>2021</year> or maybe <year>2022</year>.", "p.txt"))
    years = select(store, "SELECT ?y WHERE { ?run mlkg:year ?y }")
    assert len(years) == 2
    assert [p.kind for p in mapped.problems] == ["conflicting_value"]


@pytest.mark.parametrize(
    "name",
    ['"Orca" Mini', "ViT-L/16", "清华-GLM", "<img src=x onerror=alert(1)>", "a b\tc", "..", "100%", "Étoile 7B"],
)
def test_any_model_name_gives_a_valid_deterministic_iri_and_exact_label(name):
    text = f"<model>{name}</model>"
    doc = Document(f"id with spaces/{name}", text, "p.txt")
    store, mapped = load(doc)
    again = map_document(doc)
    assert again.trig() == mapped.trig()
    (row,) = select(store, "SELECT ?m ?label WHERE { ?run mlkg:trainedModel ?m . ?m rdfs:label ?label }")
    assert row["label"] == " ".join(name.split())
    assert not any(ch in row["m"] for ch in ' <>"{}|\\^`')


@pytest.mark.parametrize("a, b", [("Llama 2 70B", "llama-2-70b"), ("MedSegFormer-XL", "medsegformer XL")])
def test_case_and_spacing_variants_are_one_model(a, b):
    first = map_document(Document("a", f"<model>{a}</model>", "a"))
    second = map_document(Document("b", f"<model>{b}</model>", "b"))
    model = lambda m: next(line.split()[1] for line in m.turtle.splitlines() if "trainedModel" in line)  # noqa: E731
    assert model(first).startswith("<model/")
    assert model(first) == model(second)


def test_labels_everywhere():
    store, _ = load(Document("p", SEED, "p.txt"))
    unlabeled = select(store, "SELECT ?s WHERE { ?s a ?c FILTER NOT EXISTS { ?s rdfs:label ?l } }")
    assert unlabeled == []
    assert RDFS.label.value == "http://www.w3.org/2000/01/rdf-schema#label"


def test_a_fact_stated_twice_is_written_once():
    text = "<model>Foo-1</model> was trained in <year>2021</year>. Yes, <model>Foo-1</model> in <year>2021</year>."
    mapped = map_document(Document("twice", text, "t.txt"))
    statements = [line.strip() for line in mapped.trig().splitlines()]
    assert sum("mlkg:year <year/2021>" in line for line in statements) == 1
    assert sum("mlkg:trainedModel <model/foo1>" in line for line in statements) == 1


def test_thousands_of_tags_in_one_sentence_stay_small():
    """Each mention keeps a window of its sentence, not the whole of it (issue 21 #3)."""
    text = "<model>Big</model> used " + ", ".join(f"<gpu_count>{n}</gpu_count> GPUs" for n in range(1, 4001)) + "."
    mapped = map_document(Document("many", text, "many.txt"))
    assert mapped.mentions == 4001
    # 4,000 copies of the 60 KB sentence would be 240 MB; windows keep each mention near 1 KB
    assert len(mapped.trig()) < 4001 * 1_500
    assert max(len(p.message) for p in mapped.problems) < 300


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 2_000_001, "more than the 2,000,000"),
        ("<year>2020</year> " * 5_001, "5,001 tags, more than the 5,000"),
    ],
)
def test_a_document_past_the_limits_is_rejected_whole(text, message):
    from kg.build import map_item

    rejected = map_item(Document("huge", text, "huge.txt"))
    assert type(rejected).__name__ == "Rejected"
    assert message in rejected.reason and "split it" in rejected.reason
