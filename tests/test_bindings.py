"""`kg query --bind`: a question asked of some values of its variables only.

The bound answer must be exactly the full answer's rows with those values:
checked for every bundled query and every column it lists, on the real
example build.
"""

from __future__ import annotations

import csv
import json
import io
import re

import pytest
from pyoxigraph import Literal, NamedNode, QueryTriples
from typer.testing import CliRunner

from support import write_jsonl

from kg.cli import app
from kg.query import QueryError, binding_terms, bundled_queries, parse_bindings, run_query, with_bindings
from kg.vocab import MLKG_NS, XSD_NS

runner = CliRunner()
STRING = XSD_NS + "string"


@pytest.mark.parametrize(
    "value, terms",
    [
        ("doc-1", ['"doc-1"']),
        ("NVIDIA H100 SXM5", ['"NVIDIA H100 SXM5"']),
        ("", ['""']),
        ('say "hi" \\ back\nslash', ['"say \\"hi\\" \\\\ back\\nslash"']),
        ("2023", ['"2023"', "2023", f'"2023"^^<{XSD_NS}decimal>']),
        ("-4", ['"-4"', "-4", f'"-4"^^<{XSD_NS}decimal>']),
        ("672.5", ['"672.5"', "672.5"]),
        ("2301.00001", ['"2301.00001"', "2301.00001"]),
        ("1e9", ['"1e9"']),
        ("mlkg:hardware", ['"mlkg:hardware"', f"<{MLKG_NS}hardware>"]),
        ("arXiv:2301.00001", ['"arXiv:2301.00001"']),  # not a known prefix: text only
        ("<https://example.org/a>", ["<https://example.org/a>"]),
        (
            '"P28D"^^<http://www.w3.org/2001/XMLSchema#duration>',
            ['"P28D"^^<http://www.w3.org/2001/XMLSchema#duration>'],
        ),
        ('"Deutschland"@de', ['"Deutschland"@de']),
        ("'single'", ["'single'"]),
    ],
)
def test_binding_terms(value, terms):
    assert binding_terms(value) == terms


@pytest.mark.parametrize(
    "value", ["<not an iri>", "<dataset> is not a tag", '"a" "b"', '"open', '"x"@', '"x" } ?s ?p ?o {']
)
def test_what_is_not_quite_a_term_is_text(value):
    escaped = value.replace('"', '\\"')
    assert binding_terms(value) == [f'"{escaped}"']


def test_parse_bindings_groups_values_by_variable():
    assert parse_bindings(["paperId=a", "?year=2023", "paperId=b=c", "text="]) == {
        "paperId": ["a", "b=c"],
        "year": ["2023"],
        "text": [""],
    }
    with pytest.raises(QueryError):
        parse_bindings(["paperId"])


def as_value(term) -> str:
    """How a user would write *term* on the command line."""
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if term.datatype.value in (STRING, XSD_NS + "integer", XSD_NS + "decimal") and not term.language:
        return term.value  # plain text: read as the string or the number
    return '"{}"^^<{}>'.format(term.value.replace("\\", "\\\\").replace('"', '\\"'), term.datatype.value)


def solutions(graph, sparql: str) -> list[dict]:
    result = run_query(graph, sparql)
    names = [v.value for v in result.variables]
    return [{name: s[name] for name in names} for s in result]


#: bundled queries whose columns are aggregates of many facts, all but the key computed
AGGREGATE_TABLES = {
    "models",
    "compute-by-year",
    "compute-by-country",
    "compute-by-organization",
    "largest-compute-runs",
}


@pytest.mark.parametrize("query", bundled_queries(), ids=lambda q: q.name)
def test_a_bound_listing_is_the_full_listing_filtered(example_graph, query):
    full = solutions(example_graph, query.text)
    assert full, query.name
    columns = list(full[0])
    checked = 0
    for column in columns:
        values = [row[column] for row in full if row[column] is not None]
        picked = list(dict.fromkeys([values[0], values[-1]]))  # two values where there are two
        bindings = {column: [as_value(v) for v in picked]}
        if re.search(rf"AS \?{column}\b", query.text):
            with pytest.raises(QueryError, match="computed by the query"):
                with_bindings(query.text, bindings)
            continue
        bound = solutions(example_graph, with_bindings(query.text, bindings))
        expected = [row for row in full if row[column] in picked]
        if "LIMIT" in query.text.rsplit("}", 1)[-1]:
            # a top-N question bound to some values ranks only those: the full top-N rows
            # with them are still there, and every row has a picked value
            assert all(row in bound for row in expected) and all(row[column] in picked for row in bound)
        else:
            assert bound == expected, (query.name, column)  # same rows, same order
        checked += 1
    # a listing shows stored values; the model table computes all but its key
    computed = sum(1 for column in columns if re.search(rf"AS \?{column}\b", query.text))
    assert checked >= (1 if query.name in AGGREGATE_TABLES else len(columns) - 1 - computed)


def test_bindings_fit_construct_ask_and_queries_without_where(example_graph):
    name = "Corvid-13B"
    construct = """CONSTRUCT { ?m rdfs:label ?name } WHERE { ?m a mlkg:Model ; rdfs:label ?name }"""
    triples = list(run_query(example_graph, with_bindings(construct, {"name": [name]})))
    assert isinstance(run_query(example_graph, construct), QueryTriples)
    assert [t.object for t in triples] == [Literal(name)]
    ask = "ASK { ?m a mlkg:Model ; rdfs:label ?name }"
    assert bool(run_query(example_graph, with_bindings(ask, {"name": [name]})))
    assert not bool(run_query(example_graph, with_bindings(ask, {"name": ["No-such-model"]})))
    # no WHERE keyword, a sub-select's WHERE inside, braces and "AS ?n" in a comment and a string
    tricky = """# a comment with { braces } and AS ?name
    SELECT ?name (EXISTS { ?m a mlkg:Hardware } AS ?isHardware) {
      { SELECT ?m ?name WHERE { ?m a mlkg:Model ; rdfs:label ?name FILTER(?name != "{ not a pattern }") } }
    }"""
    got = solutions(example_graph, with_bindings(tricky, {"name": [name, "Helix-MoE"]}))
    assert sorted(row["name"].value for row in got) == ["Corvid-13B", "Helix-MoE"]
    assert all(row["isHardware"].value == "false" for row in got)


@pytest.mark.parametrize(
    "sparql, variable, message",
    [
        ("SELECT ?m WHERE { ?m a mlkg:Model }", "x", "no variable \\?x"),
        ("SELECT ?y (COUNT(*) AS ?n) WHERE { ?r mlkg:year ?y } GROUP BY ?y", "n", "computed by the query"),
        ("DESCRIBE <https://example.org/a>", "a", "no pattern"),
        ("DESCRIBE ?a", "a", "no pattern"),
        ("SELECT ?m WHERE { ?m a mlkg:Model }", "m m", "not a variable name"),
        # set in some answers only: a binding would hand the others its value
        (
            "SELECT ?r ?c WHERE { ?r a mlkg:TrainingRun OPTIONAL { ?r mlkg:country ?c } }",
            "c",
            "not set in every answer",
        ),
        ("SELECT ?p WHERE { ?p a mlkg:Paper MINUS { ?p mlkg:paperId ?id } }", "id", "not set in every answer"),
        ("SELECT ?x ?l WHERE { { ?x a mlkg:Model } UNION { ?x a mlkg:Hardware ; rdfs:label ?l } }", "l", "not set"),
        ("SELECT ?m WHERE { { SELECT ?m WHERE { ?m rdfs:label ?l } } }", "l", "not set in every answer"),
    ],
)
def test_bindings_the_query_cannot_take_are_refused(sparql, variable, message):
    with pytest.raises(QueryError, match=message):
        with_bindings(sparql, {variable: ["1"]})


@pytest.mark.parametrize(
    "query, variable",
    [
        ("models-in-several-papers", "counted"),  # OPTIONAL
        ("papers-missing-facts", "mention"),  # MINUS
        ("models-by-hardware", "totals"),  # inside sub-selects that do not return it
        ("conflicting-values", "values"),
    ],
)
def test_a_bundled_query_refuses_bindings_of_its_inner_variables(query, variable):
    text = next(q.text for q in bundled_queries() if q.name == query)
    with pytest.raises(QueryError, match="not set in every answer"):
        with_bindings(text, {variable: ["1"]})


@pytest.mark.parametrize(
    "sparql, variable, expected",
    [
        (
            "SELECT ?x ?l WHERE { { ?x a mlkg:Model ; rdfs:label ?l } UNION { ?x a mlkg:Hardware ; rdfs:label ?l } }",
            "l",
            {"Corvid-13B"},
        ),
        ("SELECT ?l (COUNT(*) AS ?n) WHERE { ?x a mlkg:Model ; rdfs:label ?l } GROUP BY ?l", "l", {"Corvid-13B"}),
        ("SELECT ?l WHERE { GRAPH ?g { ?x a mlkg:Model ; rdfs:label ?l } VALUES ?k { 1 } }", "l", {"Corvid-13B"}),
    ],
)
def test_variables_set_in_every_answer_can_be_bound(example_graph, sparql, variable, expected):
    got = solutions(example_graph, with_bindings(sparql, {variable: ["Corvid-13B"]}))
    assert {row[variable].value for row in got} == expected


def test_cli_bind(example_build):
    out, _ = example_build
    paper = "003_llama-style-decoder"
    result = runner.invoke(
        app, ["query", "facts-with-source", "--out", str(out), "-f", "csv", "--bind", f"paperId={paper}"]
    )
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.output)))
    assert {row["paperId"] for row in got} == {paper}
    assert {row["tag"] for row in got} >= {"model", "hardware", "year"}

    both = runner.invoke(
        app,
        [
            "query",
            "papers-missing-facts",
            "--out",
            str(out),
            "-f",
            "csv",
            "-b",
            "missing=year",
            "-b",
            "missing=country",
        ],
    )
    assert both.exit_code == 0, both.output
    assert {row["missing"] for row in csv.DictReader(io.StringIO(both.output))} == {"year", "country"}

    refused = runner.invoke(app, ["query", "runs-per-year", "--out", str(out), "--bind", "decade=1990"])
    assert refused.exit_code == 2 and "no variable ?decade" in refused.output


HOSTILE_IDS = [
    'say "hi" } ; DROP ALL ; {',
    "a > <http://evil/> <",
    "two\nlines",
    "back\\slash\\",
    "'single' and $dollar ?var",
]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """One store whose papers have the hostile ids, each beside a paper whose id is its first four characters."""
    folder = tmp_path_factory.mktemp("hostile-ids")
    text = "We trained <model>Orca-7B</model> on <hardware>NVIDIA A100</hardware> GPUs in <year>2023</year>."
    ids = dict.fromkeys([*HOSTILE_IDS, *(i[:4] for i in HOSTILE_IDS), "other"])
    papers = write_jsonl(folder / "papers.jsonl", [(i, text) for i in ids])
    done = runner.invoke(app, ["build", str(papers), "--out", str(folder / "out")])
    assert done.exit_code == 0, done.output
    return folder / "out"


@pytest.mark.parametrize("paper_id", HOSTILE_IDS)
def test_cli_bind_takes_a_value_with_quotes_brackets_and_line_ends_as_itself(hostile_build, paper_id):
    """A --bind value reaches SPARQL as one term: it matches its own paper and no other."""
    result = runner.invoke(
        app, ["query", "facts-with-source", "--out", str(hostile_build), "-f", "json", "--bind", f"paperId={paper_id}"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    assert rows and {row["paperId"]["value"] for row in rows} == {paper_id}
