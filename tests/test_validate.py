"""SHACL validation in slices: the same results as one check of the whole graph, in bounded memory."""

from __future__ import annotations

import io
import json

import pyshacl
import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad
from rdflib import Graph, Namespace, URIRef
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.export import ExportFormat, export
from kg.store import KnowledgeGraph
from kg.validate import SH, SLICE_OF_CLASS, ontology_text, path_text, shape_groups, validate
from kg.vocab import MLKG_NS, QB_NS, RDF_NS

from support import EXAMPLES, PAPERS

MLKG = Namespace(MLKG_NS)
RDF_TYPE = NamedNode(RDF_NS + "type")


def whole_graph_results(kg: KnowledgeGraph) -> set[tuple]:
    """What pyshacl reports for the union of all graphs in one rdflib graph, with the published shapes."""
    buffer = io.BytesIO()
    export(kg, ExportFormat.ntriples, buffer)
    data = Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    shapes = Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    sh = Namespace(SH)
    return {
        (
            "violation" if report.value(node, sh.resultSeverity) == sh.Violation else "warning",
            str(report.value(node, sh.focusNode)),
            path_text(report, report.value(node, sh.resultPath)),
            text(report.value(node, sh.value)),  # a planted hardwareQuantity 0 is reported as 0
            text(report.value(node, sh.resultMessage)),
        )
        for node in report.subjects(predicate=sh.resultSeverity)
    }


def text(term) -> str:
    return "" if term is None else str(term)


def sliced_results(result) -> set[tuple]:
    return {("violation", *v.values()) for v in result.violations} | {("warning", *w.values()) for w in result.warnings}


def one(kg: KnowledgeGraph, sparql: str) -> dict:
    return next(iter(kg.query(sparql)))


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The examples built, then broken in every kind of slice, by hand as a careless edit would."""
    out = tmp_path_factory.mktemp("broken")
    build([str(PAPERS), str(EXAMPLES / "papers.jsonl")], out, jobs=1, exports=[], validate=False)
    kg = KnowledgeGraph(out)
    store = kg.store
    broken = {}
    # papers: a mention loses its paper, a run claims zero accelerators
    row = one(kg, "SELECT ?m ?p ?g WHERE { GRAPH ?g { ?m mlkg:inPaper ?p } } ORDER BY ?m LIMIT 1")
    store.remove(Quad(row["m"], NamedNode(MLKG_NS + "inPaper"), row["p"], row["g"]))
    broken["mention"] = row["m"].value
    row = one(kg, "SELECT ?r ?n ?g WHERE { GRAPH ?g { ?r mlkg:hardwareQuantity ?n } } ORDER BY ?r LIMIT 1")
    store.remove(Quad(row["r"], NamedNode(MLKG_NS + "hardwareQuantity"), row["n"], row["g"]))
    store.add(Quad(row["r"], NamedNode(MLKG_NS + "hardwareQuantity"), Literal(0), row["g"]))
    broken["run"] = row["r"].value
    # shared: an accelerator said to be a variant of a country, a country with a bad code
    row = one(kg, "SELECT ?h ?c ?g WHERE { GRAPH ?g { ?h a mlkg:Hardware } ?r mlkg:country ?c } ORDER BY ?h LIMIT 1")
    store.add(Quad(row["h"], NamedNode(MLKG_NS + "variantOf"), row["c"], row["g"]))
    broken["hardware"] = row["h"].value
    row = one(kg, "SELECT ?c ?code ?g WHERE { GRAPH ?g { ?c mlkg:isoCode ?code } } ORDER BY ?c LIMIT 1")
    store.remove(Quad(row["c"], NamedNode(MLKG_NS + "isoCode"), row["code"], row["g"]))
    store.add(Quad(row["c"], NamedNode(MLKG_NS + "isoCode"), Literal("usa"), row["g"]))
    broken["country"] = row["c"].value
    # statistics: an observation with a property its data set does not have
    row = one(kg, "SELECT ?o ?g WHERE { GRAPH ?g { ?o qb:dataSet mlkg:runsByYear } } ORDER BY ?o LIMIT 1")
    store.add(Quad(row["o"], NamedNode(MLKG_NS + "acceleratorCount"), Literal(3), row["g"]))
    broken["observation"] = row["o"].value
    # nodes where mlkg writes nothing: a graph of its own, the default graph
    stray = NamedNode("urn:example:stray-mention")
    store.add(Quad(stray, RDF_TYPE, NamedNode(MLKG_NS + "Mention"), NamedNode("urn:example:hand-made")))
    broken["graph mlkg did not write"] = stray.value
    year = NamedNode("urn:example:stray-year")
    store.add(Quad(year, RDF_TYPE, NamedNode(MLKG_NS + "Year"), DefaultGraph()))
    broken["default graph"] = year.value
    store.flush()
    del kg, store
    return out, broken


@pytest.mark.parametrize("jobs", [1, 2])
def test_slices_report_exactly_what_the_whole_graph_check_reports(broken, jobs):
    """Slices of one paper or two nodes each: every result found, none invented, in both severities."""
    out, nodes = broken
    kg = KnowledgeGraph(out, read_only=True)
    result = validate(kg, limit=10_000, jobs=jobs, slice_papers=1, slice_nodes=2)
    whole = whole_graph_results(kg)
    assert sliced_results(result) == whole
    focus = {item[1] for item in whole}
    assert set(nodes.values()) <= focus  # each edit was caught, in each kind of slice
    assert any(item[0] == "warning" and "/model/" in item[1] for item in whole)  # counts from two papers
    assert any(item[1] == MLKG_NS + "runsByYear" and item[2] == "^" + QB_NS + "dataSet" for item in whole)
    assert result.conforms is False
    assert result.violation_count == len(result.violations) == sum(1 for i in whole if i[0] == "violation")


def test_default_slices_give_the_same_results(broken):
    out, _ = broken
    kg = KnowledgeGraph(out, read_only=True)
    small = validate(kg, limit=10_000, slice_papers=1, slice_nodes=2)
    default = validate(kg, limit=10_000)
    assert (default.violations, default.warnings) == (small.violations, small.warnings)


def test_a_limit_keeps_the_first_results_by_focus_node_and_counts_them_all(broken):
    out, _ = broken
    kg = KnowledgeGraph(out, read_only=True)
    everything = validate(kg, limit=10_000, slice_papers=1, slice_nodes=2)
    first = validate(kg, limit=2, slice_papers=1, slice_nodes=2)
    assert first.violations == everything.violations[:2]
    assert first.violation_count == everything.violation_count > 2
    assert [v["focus"] for v in everything.violations] == sorted(v["focus"] for v in everything.violations)


def test_the_examples_conform(example_graph):
    result = validate(example_graph, jobs=2)
    assert result.conforms and result.violation_count == 0
    assert result.warning_count == len(result.warnings) >= 1


def test_every_targeted_shape_is_checked_in_exactly_one_kind_of_slice():
    shapes = Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    sh = Namespace(SH)
    groups = shape_groups(shapes)
    targeted = {str(s) for s in shapes.subjects(sh.targetClass, None)} | {
        str(s) for s in shapes.subjects(sh.targetNode, None)
    }
    assert sorted(n for names in groups.values() for n in names) == sorted(targeted)
    assert {str(c) for c in shapes.objects(None, sh.targetClass)} <= set(SLICE_OF_CLASS)
    assert QB_NS + "Observation" in SLICE_OF_CLASS


def test_a_shape_on_an_unplaced_class_is_refused_rather_than_skipped():
    shapes = Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    sh = Namespace(SH)
    shapes.add((URIRef("urn:x:BenchmarkShape"), sh.targetClass, MLKG.Benchmark))
    with pytest.raises(ValueError, match="BenchmarkShape"):
        shape_groups(shapes)


def test_cli_prints_counts_and_exits_1_on_violations(broken):
    out, nodes = broken
    result = CliRunner().invoke(app, ["validate", "--out", str(out), "--json", "--jobs", "2"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["violation_count"] == len(report["violations"]) >= len(nodes)
    text = CliRunner().invoke(app, ["validate", "--out", str(out)])
    assert f"{report['violation_count']} violations" in text.output


def test_build_summary_counts_every_result(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(PAPERS), "--out", str(out), "--no-html", "--no-export"])
    assert result.exit_code == 0, result.output
    validation = json.loads((out / "report.json").read_text())["summary"]["validation"]
    assert validation["conforms"] is True and validation["warning_count"] == len(validation["warnings"]) >= 1
    assert f"conforms, {validation['warning_count']} warnings" in result.output


def graph_of(kg: KnowledgeGraph, pattern: str) -> str:
    """The first paper graph holding *pattern* (SPARQL, with ?s ?p ?o free to use)."""
    return one(kg, f"SELECT ?g WHERE {{ GRAPH ?g {{ {pattern} }} ?g a mlkg:Paper }} ORDER BY ?g LIMIT 1")["g"].value


def named_in(kg: KnowledgeGraph, paper: str) -> set[str]:
    """Every IRI a paper's graph holds, as subject or object."""
    found = kg.query(
        f"SELECT DISTINCT ?n WHERE {{ GRAPH <{paper}> {{ {{ ?n ?p ?o }} UNION {{ ?s ?p ?n FILTER(isIRI(?n)) }} }} }}"
    )
    return {row["n"].value for row in found}


@pytest.mark.parametrize("jobs", [1, 2])
def test_checking_some_papers_reports_what_the_whole_check_reports_about_them(broken, jobs):
    """A check of a few papers: their nodes and the shared nodes they name, each with all its statements."""
    out, nodes = broken
    kg = KnowledgeGraph(out, read_only=True)
    whole = whole_graph_results(kg)
    # a model whose papers give it two parameter counts: one of its papers, not the other
    model = next(item[1] for item in whole if item[0] == "warning" and "/model/" in item[1])
    papers = {
        graph_of(kg, f"<{nodes['mention']}> ?p ?o"),
        graph_of(kg, f"<{nodes['run']}> ?p ?o"),
        graph_of(kg, f"?s mlkg:hardware <{nodes['hardware']}>"),
        graph_of(kg, f"?s mlkg:country <{nodes['country']}>"),
        graph_of(kg, f"?s mlkg:trainedModel <{model}>"),
    }
    result = validate(kg, papers=sorted(papers), limit=10_000, jobs=jobs, slice_papers=1, slice_nodes=2)
    scope = set().union(*(named_in(kg, paper) for paper in papers))
    assert sliced_results(result) == {item for item in whole if item[1] in scope}
    found = {v["focus"] for v in result.violations + result.warnings}
    assert {nodes[k] for k in ("mention", "run", "hardware", "country")} | {model} <= found
    assert nodes["observation"] not in found and len(papers) < kg.paper_count()
    assert result.scope == f"{len(papers)} papers and the shared nodes they name"


def test_cli_checks_the_papers_it_is_given(broken):
    out, nodes = broken
    kg = KnowledgeGraph(out, read_only=True)
    paper = graph_of(kg, f"<{nodes['run']}> ?p ?o")
    paper_id = one(kg, f"SELECT ?id WHERE {{ GRAPH <{paper}> {{ <{paper}> mlkg:paperId ?id }} }}")["id"].value
    scope = named_in(kg, paper)
    del kg
    result = CliRunner().invoke(app, ["validate", "--out", str(out), "--paper", paper_id, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["scope"] == "1 paper and the shared nodes it names"
    found = {item["focus"] for item in report["violations"] + report["warnings"]}
    assert nodes["run"] in found and found <= scope  # nothing from other papers
    assert (
        report["violation_count"]
        < json.loads(CliRunner().invoke(app, ["validate", "--out", str(out), "--json"]).stdout)["violation_count"]
    )
    missing = CliRunner().invoke(app, ["validate", "--out", str(out), "--paper", "no-such-paper"])
    assert missing.exit_code == 2 and "no paper with id 'no-such-paper'" in missing.output


def test_pyshacl_as_engine_gives_the_same_report(broken):
    """`kg validate --engine pyshacl`: the second opinion agrees with mlkg's own checker, result by result."""
    out, _ = broken
    runner = CliRunner()
    ours = runner.invoke(app, ["validate", "--out", str(out), "--json", "--jobs", "2"])
    theirs = runner.invoke(app, ["validate", "--out", str(out), "--json", "--jobs", "2", "--engine", "pyshacl"])
    assert ours.exit_code == theirs.exit_code == 1
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    unknown = runner.invoke(app, ["validate", "--out", str(out), "--engine", "rudof"])
    assert unknown.exit_code == 2 and "unknown --engine 'rudof'" in unknown.output
