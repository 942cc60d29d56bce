"""The `kg` command as a user runs it (typer's CliRunner on the real app)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.query import bundled_queries

from support import EXAMPLES, FIXTURES, PAPERS

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    result = runner.invoke(app, ["build", str(PAPERS), str(EXAMPLES / "papers.jsonl"), "--out", str(out), "--no-html"])
    assert result.exit_code == 0, result.output
    return out, result


def test_build_prints_a_summary_and_writes_files(built):
    out, result = built
    assert "Build summary" in result.output and "rejected" in result.output
    assert (out / "graph.ttl").exists() and (out / "graph.trig").exists() and (out / "report.json").exists()


def test_build_exits_1_when_a_document_is_rejected(tmp_path):
    result = runner.invoke(
        app,
        [
            "build",
            str(FIXTURES / "unreadable"),
            str(PAPERS / "002_80ad1e266ef25220.txt"),
            "--out",
            str(tmp_path),
            "--no-html",
        ],
    )
    assert result.exit_code == 1
    assert "binary file" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["rejected"] == 4 and report["summary"]["ok"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["build", "does/not/exist"],
        ["build"],
        ["query", "largest-models", "--out", "no-store-here"],
        ["query", "no-such-query-name"],
        ["export", "--format", "bogus"],
    ],
)
def test_usage_errors_exit_2_without_a_traceback(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_build_from_stdin(tmp_path):
    result = runner.invoke(
        app,
        ["build", "-", "--out", str(tmp_path), "--no-html"],
        input="We trained <model>Stdin-1</model> in <year>2024</year>.",
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["documents"][0]["id"] == "stdin"


def test_query_list_names_the_bundled_queries(built):
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    for name in ("models-by-hardware", "largest-models", "conflicting-values", "facts-with-source"):
        assert name in result.output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_query_formats(built, fmt):
    out, _ = built
    result = runner.invoke(app, ["query", "runs-per-year", "--out", str(out), "--format", fmt])
    assert result.exit_code == 0, result.output
    text = result.stdout
    if fmt == "csv":
        table = list(csv.DictReader(io.StringIO(text)))
        assert {"year", "runs"} == set(table[0])
    elif fmt == "tsv":
        assert text.splitlines()[0].split("\t") == ["?year", "?runs"]
    elif fmt == "json":
        assert json.loads(text)["head"]["vars"] == ["year", "runs"]
    elif fmt == "xml":
        import xml.etree.ElementTree as ET

        assert ET.fromstring(text).tag.endswith("sparql")
    else:
        assert "year" in text and "2023" in text


@pytest.mark.parametrize(
    "fmt, parser",
    [
        ("turtle", "turtle"),
        ("ntriples", "nt"),
        ("jsonld", "json-ld"),
        ("rdfxml", "xml"),
        ("trig", "trig"),
        ("nquads", "nquads"),
    ],
)
def test_construct_in_every_rdf_format(built, fmt, parser):
    """A CONSTRUCT result is written in each RDF format of the shared table and reads back."""
    import rdflib

    out, _ = built
    sparql = "CONSTRUCT { ?p mlkg:paperId ?id } WHERE { ?p mlkg:paperId ?id }"
    result = runner.invoke(app, ["query", sparql, "--out", str(out), "-f", fmt])
    assert result.exit_code == 0, result.output
    graph = rdflib.Dataset(default_union=True).parse(data=result.stdout, format=parser)
    assert len(graph) == len([p for p in PAPERS.rglob("*") if p.suffix in (".txt", ".md")]) + 5


def test_select_in_an_rdf_format_is_refused_with_the_choices(built):
    out, _ = built
    result = runner.invoke(app, ["query", "runs-per-year", "--out", str(out), "-f", "turtle"])
    assert result.exit_code == 2, result.output
    assert "json, xml, csv or tsv" in result.output.replace("\n", " ") or "json, xml, csv, tsv" in result.output


def test_inline_sparql_and_rq_files(built, tmp_path):
    out, _ = built
    inline = runner.invoke(
        app, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a mlkg:Paper }", "--out", str(out), "-f", "csv"]
    )
    assert inline.exit_code == 0, inline.output
    documents = len([p for p in PAPERS.rglob("*") if p.suffix in (".txt", ".md")]) + 5  # + papers.jsonl
    assert inline.stdout.splitlines()[1] == str(documents)
    rq = tmp_path / "mine.rq"
    rq.write_text('PREFIX mlkg: <https://w3id.org/mlkg/ontology#>\nASK { ?c mlkg:isoCode "DE" }')
    asked = runner.invoke(app, ["query", str(rq), "--out", str(out), "-f", "json"])
    assert json.loads(asked.stdout)["boolean"] is True


def test_bad_sparql_is_a_clear_error(built):
    out, _ = built
    result = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x", "--out", str(out)])
    assert result.exit_code == 2
    assert "does not parse" in result.output


def test_export_to_file_and_stdout(built, tmp_path):
    out, _ = built
    target = tmp_path / "g.jsonld"
    result = runner.invoke(app, ["export", "--format", "jsonld", "-o", str(target), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["@context"]["mlkg"]
    streamed = runner.invoke(app, ["export", "--format", "nquads", "--out", str(out)])
    assert streamed.exit_code == 0 and streamed.stdout.count("\n") > 1000


def test_validate_command(built):
    out, _ = built
    result = runner.invoke(app, ["validate", "--out", str(out), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["conforms"] is True


def test_add_updates_a_store_without_rewriting_exports(tmp_path):
    out = tmp_path / "out"
    assert (
        runner.invoke(
            app, ["build", str(PAPERS / "002_80ad1e266ef25220.txt"), "--out", str(out), "--no-html"]
        ).exit_code
        == 0
    )
    before = (out / "graph.ttl").read_text()
    new = tmp_path / "new.txt"
    new.write_text("We trained <model>Added-1</model> on <hardware>H100 PCIe</hardware> in <year>2026</year>.")
    result = runner.invoke(app, ["add", str(new), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 papers added or replaced" in result.output
    assert (out / "graph.ttl").read_text() == before
    asked = runner.invoke(app, ["query", 'ASK { ?m rdfs:label "Added-1" }', "--out", str(out), "-f", "json"])
    assert json.loads(asked.stdout)["boolean"] is True


def test_add_needs_an_existing_store(tmp_path):
    result = runner.invoke(app, ["add", str(PAPERS), "--out", str(tmp_path / "none")])
    assert result.exit_code == 2 and "kg build" in result.output


def test_export_into_a_named_pipe_writes_through_it(built, tmp_path):
    """A special file is written to, never replaced by a renamed temporary file."""
    import os
    import subprocess
    import sys

    out, _ = built
    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [sys.executable, "-c", f"import sys; print(len(open({str(fifo)!r}).readlines()))"],
        stdout=subprocess.PIPE,
        text=True,
    )
    result = runner.invoke(app, ["export", "--format", "ntriples", "-o", str(fifo), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert int(reader.communicate(timeout=60)[0]) > 1000
    assert fifo.is_fifo() and not list(tmp_path.glob(".*.partial"))


def test_validate_reports_a_broken_running_total(tmp_path):
    """A hand-edited count in the statistics graph is caught, naming the observation."""
    from pyoxigraph import NamedNode, Quad

    from kg.store import KnowledgeGraph
    from kg.vocab import MLKG_NS

    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(PAPERS), "--out", str(out), "--no-html"]).exit_code == 0
    kg = KnowledgeGraph(out)
    observation = NamedNode("https://w3id.org/mlkg/id/stats/runTotals/all")
    (count,) = kg.store.quads_for_pattern(observation, NamedNode(MLKG_NS + "runCount"), None, None)
    kg.store.remove(count)
    kg.store.add(Quad(observation, count.predicate, NamedNode("https://example.org/many"), count.graph_name))
    kg.store.flush()
    del kg

    result = runner.invoke(app, ["validate", "--out", str(out), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert {(v["focus"], v["path"]) for v in report["violations"]} == {(observation.value, MLKG_NS + "runCount")}


def test_query_list_never_cuts_a_name_however_narrow_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    for query in bundled_queries():
        assert any(line.split("│")[1].strip() == query.name for line in result.stdout.splitlines() if "│" in line)


def test_a_misspelled_query_name_gets_did_you_mean(tmp_path):
    result = runner.invoke(app, ["query", "largest-modls", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "did you mean largest-models" in result.output


def test_an_undeclared_prefix_is_one_line_naming_the_predeclared_ones(example_build):
    out, _ = example_build
    result = runner.invoke(app, ["query", "SELECT ?n WHERE { ?x foaf:name ?n }", "--out", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "foaf:" in lines[0]
    assert all(f"{prefix}:" in lines[0] for prefix in ("mlkg", "rdfs", "xsd", "skos"))


def test_a_folder_without_documents_is_an_error_saying_what_was_looked_for(tmp_path):
    folder = tmp_path / "pdfs"
    (folder / ".hidden").mkdir(parents=True)
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".hidden" / "notes.txt").write_text("<year>2020</year>", encoding="utf-8")
    result = runner.invoke(app, ["build", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no documents in the folder" in result.output and ".txt, .md, .jsonl" in result.output
    assert not (tmp_path / "out").exists()


def test_build_and_add_show_the_first_warnings_with_where_they_are(tmp_path):
    doc = tmp_path / "paper.txt"
    doc.write_text(
        "First line.\nWe used <gpu_count>many</gpu_count> GPUs in <country>Atlantis</country>.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(doc), "--out", str(out), "--no-export", "--no-html"])
    assert built.exit_code == 0
    assert f"warning {doc}:2:9: <gpu_count>: 'many'" in built.output
    assert f"warning {doc}:2:45: <country>: 'Atlantis'" in built.output

    record = tmp_path / "more.jsonl"
    record.write_text(
        json.dumps({"id": "m", "text": "Trained on <hardware>FooChip 7</hardware>."}) + "\n", encoding="utf-8"
    )
    added = runner.invoke(app, ["add", str(record), "--out", str(out)])
    assert added.exit_code == 0
    assert (
        f"warning {record}:1 (its text, line 1, column 12): 'FooChip 7' is not in the hardware catalogue"
        in added.output
    )


def test_the_table_shows_nodes_by_their_names_and_csv_keeps_the_iris(example_build):
    out, _ = example_build
    sparql = "SELECT ?m ?hw WHERE { ?run mlkg:trainedModel ?m ; mlkg:hardware ?hw . ?m skos:prefLabel 'Corvid-13B' }"
    table = runner.invoke(app, ["query", sparql, "--out", str(out)])
    assert table.exit_code == 0
    assert "Corvid-13B" in table.stdout and "NVIDIA H100" in table.stdout and "https://" not in table.stdout
    rows_ = runner.invoke(app, ["query", sparql, "--out", str(out), "-f", "csv"]).stdout.splitlines()
    assert rows_[1] == "https://w3id.org/mlkg/id/model/corvid13b,https://w3id.org/mlkg/id/hardware/nvidia-h100"


# -- one option scheme: --out is the build folder, -o what a command writes ------------------


def test_viz_writes_into_the_build_folder_it_reads(example_build, tmp_path):
    import shutil

    other = tmp_path / "all"
    shutil.copytree(example_build[0], other)
    (other / "graph.html").unlink(missing_ok=True)
    result = runner.invoke(app, ["viz", "--out", str(other)])
    assert result.exit_code == 0, result.output
    assert (other / "graph.html").is_file()  # not output/graph.html


@pytest.mark.parametrize("command", [["export", "-f", "jsonld"], ["viz"], ["report"]])
def test_a_folder_given_as_the_file_to_write_is_one_line_and_exit_2(example_build, tmp_path, command):
    result = runner.invoke(app, [*command, "--out", str(example_build[0]), "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "is a folder" in result.output and len(result.output.strip().splitlines()) == 1
    missing = runner.invoke(app, [*command, "--out", str(example_build[0]), "-o", str(tmp_path / "no" / "x.html")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_export_says_which_store_it_read(example_build, tmp_path):
    result = runner.invoke(
        app, ["export", "-f", "jsonld", "-o", str(tmp_path / "g.jsonld"), "--out", str(example_build[0])]
    )
    assert result.exit_code == 0 and f"from the store in {example_build[0]}/" in result.output


def test_query_has_no_short_o_its_build_folder_is_out(example_build):
    result = runner.invoke(app, ["query", "runs-per-year", "-o", str(example_build[0])])
    assert result.exit_code == 2


def test_kg_add_merges_into_the_report_and_keeps_the_last_check(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(PAPERS), "--out", str(out), "-q"]).exit_code == 0
    before = json.loads((out / "report.json").read_text(encoding="utf-8"))
    extra = tmp_path / "extra.txt"
    extra.write_text(
        "<model>Added-1B</model> uses <gpu_count>8</gpu_count> <hardware>A100</hardware> and <corpus>X</corpus>.",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["add", str(extra), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "extra.txt:1:" in result.output  # its warning, where it is
    after = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ids = [d["id"] for d in after["documents"]]
    assert sorted(ids) == sorted([d["id"] for d in before["documents"]] + ["extra"])
    assert after["summary"]["documents"] == before["summary"]["documents"] + 1
    assert after["summary"]["this_build"] == {"documents": 1, "ok": 0, "warning": 1, "rejected": 0}
    validation = after["summary"]["validation"]
    assert validation["conforms"] == before["summary"]["validation"]["conforms"] and "kg validate" in validation["note"]


@pytest.mark.parametrize(
    ("option", "expected"), [([], {"papers/a.txt", "batch.jsonl:1"}), (["--source-paths", "omit"], set())]
)
def test_source_paths_are_relative_to_the_argument_or_left_out(tmp_path, option, expected):
    from kg.store import KnowledgeGraph

    folder = tmp_path / "deep" / "papers"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("<model>Rel-1</model> on <hardware>A100</hardware>.", encoding="utf-8")
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "b", "text": "<model>Rel-2</model>."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["build", str(folder.resolve()), str(batch.resolve()), "--out", str(out), "-q", *option]
    )
    assert result.exit_code == 0, result.output
    kg = KnowledgeGraph(out, read_only=True)
    paths = {row["s"].value for row in kg.query("SELECT ?s WHERE { ?p mlkg:sourcePath ?s }")}
    assert paths == expected
    assert str(tmp_path) not in (out / "graph.ttl").read_text(encoding="utf-8")
    # the report keeps the path as given, to find the file
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert any(d["source"] == str((folder / "a.txt").resolve()) for d in report["documents"])
    assert report["summary"]["validation"]["conforms"]


def test_every_error_a_user_can_act_on_is_a_kg_error_with_an_exit_code():
    from kg.build import BuildError
    from kg.errors import KgError
    from kg.push import PushError
    from kg.query import QueryError
    from kg.serve import ServeError
    from kg.sources import SourceError
    from kg.store import StoreDamaged, StoreError, StoreLocked
    from kg.viz import VizError
    from kg.workers import WorkerDied

    for cls in (
        BuildError,
        SourceError,
        StoreError,
        StoreDamaged,
        StoreLocked,
        QueryError,
        VizError,
        ServeError,
        WorkerDied,
    ):
        assert issubclass(cls, KgError) and cls.exit_code == 2, cls
    assert issubclass(PushError, KgError) and PushError.exit_code == 1  # it ran; the server refused


@pytest.mark.parametrize("command", [["export"], ["validate"], ["stats"], ["query", "models"], ["viz"], ["report"]])
def test_a_missing_store_is_one_line_and_exit_2_in_every_command(command, tmp_path):
    result = runner.invoke(app, [*command, "--out", str(tmp_path / "nowhere")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1 and "error:" in result.output


def test_python_dash_m_kg_is_the_kg_command(tmp_path: Path) -> None:
    """Where the `kg` script is not on PATH, `python -m kg` builds the same way."""
    import subprocess

    paper = tmp_path / "paper.txt"
    paper.write_text("We train <model>Wren-1</model> on <gpu_count>8</gpu_count> <hardware>A100</hardware> GPUs.\n")
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(paper), "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["summary"]["documents"] == 1 and report["summary"]["facts"] == 3
