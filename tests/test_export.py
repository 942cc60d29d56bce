"""Every export format re-parsed by independent parsers gives the same graph."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import NamedNode

from kg.export import ExportFormat, export
from kg.jsonld import json_number
from kg.vocab import DEFAULT_BASE, MLKG, XSD_NS

from support import require_tool

RAPPER_SYNTAX = {
    "turtle": "turtle",
    "ntriples": "ntriples",
    "rdfxml": "rdfxml",
    "trig": "trig",
    "nquads": "nquads",
}
RDFLIB_SYNTAX = {
    "turtle": "turtle",
    "ntriples": "nt",
    "rdfxml": "xml",
    "trig": "trig",
    "nquads": "nquads",
    "jsonld": "json-ld",
}


@pytest.fixture(scope="module")
def exported(example_graph, example_build, tmp_path_factory):
    """Every format read back from the store, plus the Turtle and TriG a
    fresh build wrote while loading (``built-turtle``, ``built-trig``)."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in ExportFormat:
        if fmt.is_network or fmt.is_table:
            continue
        path = folder / f"graph.{fmt.extension}"
        export(example_graph, fmt, path, base=DEFAULT_BASE)
        files[fmt.value] = path
    out, result = example_build
    assert {out / "graph.ttl", out / "graph.trig"} <= {Path(p) for p in result.outputs}
    files["built-turtle"] = out / "graph.ttl"
    files["built-trig"] = out / "graph.trig"
    return files


def _format(name: str) -> str:
    return name.removeprefix("built-")


@pytest.fixture(scope="module")
def expected(example_graph):
    """Quads in the store, and distinct triples of their union, counted by SPARQL."""
    quads = int(next(iter(example_graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    triples = int(
        next(
            iter(
                example_graph.query(
                    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
                )
            )
        )["n"].value
    )
    assert quads > triples > 1000  # models and unknown hardware repeat across papers
    return {"quads": quads, "triples": triples}


def _rdflib_quads(path, syntax) -> set:
    dataset = rdflib.Dataset()
    dataset.parse(str(path), format=syntax)
    return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None)) if g is not None}


def _expected_count(fmt: str, expected: dict) -> int:
    return expected["quads"] if ExportFormat(_format(fmt)).has_graphs else expected["triples"]


@pytest.mark.parametrize("fmt", sorted(RAPPER_SYNTAX) + ["built-turtle", "built-trig"])
def test_rapper_reads_every_statement(fmt, exported, expected):
    rapper = require_tool("rapper")
    run = subprocess.run(
        [rapper, "-i", RAPPER_SYNTAX[_format(fmt)], "-c", str(exported[fmt])], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr.lower(), run.stderr
    count = int(run.stderr.split("returned ")[1].split()[0])
    assert count == _expected_count(fmt, expected)


@pytest.mark.parametrize("fmt", sorted(RDFLIB_SYNTAX) + ["built-turtle", "built-trig"])
def test_rdflib_reads_the_same_graph(fmt, exported, expected):
    syntax = RDFLIB_SYNTAX[_format(fmt)]
    if ExportFormat(_format(fmt)).has_graphs:
        got = _rdflib_quads(exported[fmt], syntax)
        reference = _rdflib_quads(exported["nquads"], "nquads")
        assert len(got) == expected["quads"]
        assert got == reference
    else:
        graph = rdflib.Graph().parse(str(exported[fmt]), format=syntax)
        union = {(s, p, o) for s, p, o, _ in _rdflib_quads(exported["nquads"], "nquads")}
        assert len(graph) == expected["triples"]
        assert set(graph) == union


def test_pyld_expands_jsonld_to_every_quad(exported, expected):
    from pyld import jsonld

    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    lines = {line for line in nquads.splitlines() if line.strip()}
    assert len(lines) == expected["quads"]
    back = rdflib.Dataset()
    back.parse(data=nquads, format="nquads")
    reference = _rdflib_quads(exported["nquads"], "nquads")
    assert {q for q in back.quads((None, None, None, None)) if q[3] is not None} == reference


def test_jsonld_has_a_compact_context(exported):
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    context = document["@context"]
    assert context["mlkg"] == "https://w3id.org/mlkg/ontology#"
    assert context["@base"] == DEFAULT_BASE
    assert context["parameterCount"] == {"@id": "mlkg:parameterCount", "@type": "xsd:integer"}
    assert context["trainedModel"] == {"@id": "mlkg:trainedModel", "@type": "@id"}
    first_graph = document["@graph"][0]
    node = first_graph["@graph"][0]
    assert not node["@id"].startswith("https://")  # relative to @base
    assert not any(key.startswith("mlkg:") for key in node)  # plain term names


def _jsonld_nodes(document: dict):
    for item in document["@graph"]:
        yield from item.get("@graph", [item])


@pytest.mark.parametrize(
    "term, kind",
    [
        ("parameterCount", int),
        ("hardwareQuantity", int),
        ("memoryGB", int),
        ("flop", float),
        ("peakFlops", float),
        ("approximate", bool),
    ],
)
def test_jsonld_numbers_are_json_numbers_and_expand_to_typed_literals(exported, example_graph, term, kind):
    """A user reading the JSON sees numbers; pyld turns each back into the literal the store holds."""
    from pyld import jsonld

    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    found = [(node["@id"], value) for node in _jsonld_nodes(document) for value in node.get(term, [])]
    assert found
    assert all(type(value) is kind for _, value in found)
    node_id, value = found[0]
    nquads = jsonld.to_rdf(
        {"@context": document["@context"], "@id": node_id, term: value}, {"format": "application/n-quads"}
    )
    ((subject, _, literal),) = rdflib.Graph().parse(data=nquads, format="nt")
    stored = next(
        example_graph.store.quads_for_pattern(NamedNode(str(subject)), getattr(MLKG, term), None, None)
    ).object
    assert str(literal.datatype) == stored.datatype.value
    assert literal.eq(rdflib.Literal(stored.value, datatype=stored.datatype.value))


def test_jsonld_decimals_are_numbers_unless_they_have_a_fraction(exported):
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    hours = [value for node in _jsonld_nodes(document) for value in node.get("trainingHours", [])]
    assert any(type(value) is int for value in hours)
    assert all(type(value) is int or "." in value for value in hours)


@pytest.mark.parametrize(
    "lexical, datatype, number",
    [
        ("175000000000", "integer", 175000000000),
        ("-3", "integer", -3),
        ("007", "integer", None),  # not canonical: JSON-LD would write it back as 7
        ("1000000000000000000000", "integer", None),  # 10^21: JSON-LD would read a double
        ("60", "decimal", 60),
        ("0.4", "decimal", None),  # JSON-LD would write 4.0E-1, no xsd:decimal
        ("1807349760000000000000", "double", 1.80734976e21),
        ("1.5E3", "double", 1500.0),
        ("INF", "double", None),
        ("NaN", "double", None),
        ("12", "string", None),
    ],
)
def test_json_number(lexical, datatype, number):
    assert json_number(lexical, XSD_NS + datatype) == number
    assert type(json_number(lexical, XSD_NS + datatype)) is type(number)


def test_turtle_uses_prefixes(exported):
    head = exported["turtle"].read_text(encoding="utf-8")[:2000]
    assert "@prefix mlkg: <https://w3id.org/mlkg/ontology#>" in head


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_formats_through_the_cli(fmt, example_build, tmp_path):
    import networkx as nx
    from typer.testing import CliRunner

    from kg.cli import app

    out, _ = example_build
    target = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(app, ["export", "--format", fmt, "-o", str(target), "--out", str(out)])
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    classes = {data.get("cls") for _, data in graph.nodes(data=True)}
    assert {"Paper", "TrainingRun", "Model", "Hardware", "Country", "Year"} <= classes
    assert all(data.get("label") for _, data in graph.nodes(data=True))


# --------------------------------------- characters XML cannot hold (issue 21, #9)

#: every C0 character (tab, LF and CR are legal XML, the rest are not) and the two non-characters
HOSTILE = [chr(c) for c in range(32)] + ["\ufffe", "\uffff"]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """One document per hostile character, in its text, a model name, a tag's value and a warning."""
    folder = tmp_path_factory.mktemp("hostile")
    lines = []
    for char in HOSTILE:
        text = (
            f"Model{char}one <model>Net{char}X</model> on <gpu_count>8{char}</gpu_count> "
            f"<hardware>A100{char}GPUs</hardware> in <country>Ger{char}many</country>{char}, "
            f"<year>20{char}23</year>; <training>3{char}days</training>.{char}"
        )
        lines.append(json.dumps({"id": f"c{ord(char):04x}", "text": text}))
    source = folder / "hostile.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "out"
    from kg.build import build

    result = build([str(source)], out, jobs=1, validate=False)
    assert result.exit_code == 0
    return out


def _cli(*args):
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("fmt", [f.value for f in ExportFormat] + ["built-turtle", "built-trig"])
def test_every_export_is_well_formed_whatever_control_characters_the_text_held(fmt, hostile_build, tmp_path):
    if fmt.startswith("built-"):
        target = hostile_build / ("graph.ttl" if fmt == "built-turtle" else "graph.trig")
    else:
        target = tmp_path / f"graph.{ExportFormat(fmt).extension}"
        _cli("export", "--format", fmt, "-o", str(target), "--out", str(hostile_build))
    kind = _format(fmt)
    if kind in RAPPER_SYNTAX:
        rapper = require_tool("rapper")
        run = subprocess.run([rapper, "-i", RAPPER_SYNTAX[kind], "-c", str(target)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert "error" not in run.stderr.lower() and "warning" not in run.stderr.lower(), run.stderr
    elif kind == "jsonld":
        from pyld import jsonld

        nquads = jsonld.to_rdf(json.loads(target.read_text("utf-8")), {"format": "application/n-quads"})
        assert nquads.count("\n") > 100
    elif kind == "csv":
        import csv

        table = list(csv.reader(target.read_text("utf-8").splitlines()))
        assert table[0][0] == "model" and len({len(row) for row in table}) == 1
    else:  # graphml, gexf: XML too
        import xml.etree.ElementTree as ET

        ET.parse(target)
    assert not any(char in target.read_bytes().decode("utf-8") for char in HOSTILE if char not in "\t\n\r")


def test_sparql_xml_results_are_well_formed_whatever_control_characters_the_text_held(hostile_build):
    import xml.etree.ElementTree as ET

    result = _cli(
        "query",
        "SELECT ?id ?text ?plain ?warning WHERE { ?m mlkg:inPaper ?p ; mlkg:mentionText ?text . "
        "?p mlkg:paperId ?id ; mlkg:plainText ?plain . OPTIONAL { ?m mlkg:warning ?warning } }",
        "--format",
        "xml",
        "--out",
        str(hostile_build),
    )
    root = ET.fromstring(result.stdout_bytes)
    results = root.findall(".//{http://www.w3.org/2005/sparql-results#}result")
    assert len({r.find("*[@name='id']/*").text for r in results}) == len(HOSTILE)


def test_every_hostile_document_is_built_and_its_characters_blanked_at_read_time(hostile_build):
    import io

    from kg.sources import Document, iter_documents

    report = {e["id"]: e for e in json.loads((hostile_build / "report.json").read_text("utf-8"))["documents"]}
    assert {report[f"c{ord(char):04x}"]["status"] for char in HOSTILE} <= {"ok", "warning"}
    text = "Trained on <gpu_count>8</gpu_count> GPUs,\x0c in <year>2023</year>."
    (doc,) = iter_documents(["-"], stdin=io.BytesIO(json.dumps({"id": "ff", "text": text}).encode()))
    assert isinstance(doc, Document) and doc.text == text.replace("\x0c", " ")
    assert [(p.kind, p.line, p.column) for p in doc.problems] == [("control_character", 1, 42)]


def test_the_build_report_names_the_control_character(hostile_build):
    report = {e["id"]: e for e in json.loads((hostile_build / "report.json").read_text("utf-8"))["documents"]}
    problems = report["c000c"]["problems"]
    assert any(p["kind"] == "control_character" and "U+000C (form feed)" in p["message"] for p in problems)


def _lexical_quads(path, fmt):
    """Quads with every term as written (a literal's lexical form, not its value)."""
    from pyoxigraph import RdfFormat, parse

    syntax = {"trig": RdfFormat.TRIG, "turtle": RdfFormat.TURTLE}[fmt]
    return {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in parse(path=str(path), format=syntax)
    }


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_streamed_and_stored_exports_write_the_same_literals(tmp_path, fmt):
    """A fresh build streams graph.ttl/graph.trig from the text it loads; `kg export`
    reads the store. Literals must match as written (PT36H vs P1DT12H, 3.12e14 vs
    312000000000000), not only as values."""
    from kg.build import build

    source = tmp_path / "in.jsonl"
    texts = [
        "<model>A</model>: <params>6.7B</params> on <gpu_count>32</gpu_count> <hardware>NVIDIA A100 80GB</hardware>"
        " for <training>36 hours</training> in <year>2023</year>, <country>USA</country>.",
        "<model>B</model> on <hardware>TPU v5e</hardware> for <training>1,000 hours</training>.",
        "<model>C</model> on <hardware>H100</hardware> for <training>1.5 months</training>.",
        "<model>D</model> on <hardware>MI250X</hardware> for <training>90 minutes</training>.",
        "<model>E</model> for <training>0.02 minutes</training>, <training>2.5 weeks</training>.",
    ]
    source.write_text("".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(texts)), "utf-8")
    out = tmp_path / "out"
    build([str(source)], out, jobs=1, validate=False)
    streamed = out / ("graph.ttl" if fmt == "turtle" else "graph.trig")
    stored = tmp_path / f"stored.{fmt}"
    _cli("export", "--format", fmt, "-o", str(stored), "--out", str(out))
    a, b = _lexical_quads(streamed, fmt), _lexical_quads(stored, fmt)
    assert a - b == set() and b - a == set()
    assert any("P1DT12H" in q[2] for q in a) and any("^^<http://www.w3.org/2001/XMLSchema#double>" in q[2] for q in a)
