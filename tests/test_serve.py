"""`kg serve` as a real process: SPARQL 1.1 Protocol, formats, limits, concurrency, query page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
import rdflib
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from pyoxigraph import NamedNode

from kg.query import bundled_queries
from kg.serve import GRAPH_FORMATS, SOLUTION_FORMATS, has_dataset_clause, negotiate, parse_accept
from kg.store import TOTALS_STALE_FILE
from kg.vocab import MLKG, PREFIXES

KG = Path(sys.executable).parent / "kg"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
PREFIX_LINES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
PAPERS_QUERY = PREFIX_LINES + "SELECT ?paper ?id WHERE { ?paper a mlkg:Paper ; mlkg:paperId ?id } ORDER BY ?id"
PAPERS_CONSTRUCT = (
    PREFIX_LINES + "CONSTRUCT { ?paper mlkg:paperId ?id } WHERE { ?paper a mlkg:Paper ; mlkg:paperId ?id }"
)
HEAVY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# -- a real server process --------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: list[str] = field(default_factory=list)
    out: Path | None = None

    @property
    def sparql(self) -> str:
        return self.url + "sparql"


def start_server(out: Path, *args: str) -> Server:
    if not KG.exists():
        pytest.fail(f"the kg console script is missing next to {sys.executable}; install the package")
    process = subprocess.Popen(
        [str(KG), "serve", "--out", str(out), "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    first = process.stderr.readline()
    match = re.match(r"listening on (http://127\.0\.0\.1:\d+/)$", first.strip())
    if not match:
        process.kill()
        pytest.fail(f"kg serve did not start: {first}{process.stderr.read()}")
    server = Server(process, match.group(1))
    threading.Thread(target=lambda: server.log.extend(iter(process.stderr.readline, "")), daemon=True).start()
    return server


def copy_store(source: Path, target: Path) -> None:
    """Copy a built store and the files beside it that say what it holds (store.format)."""
    shutil.copytree(source / "store", target / "store")
    for name in ("store.format",):
        if (source / name).exists():
            shutil.copy(source / name, target / name)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def server(example_build):
    running = start_server(example_build[0])
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def limited_server(example_build):
    running = start_server(example_build[0], "--timeout", "1", "--max-results", "5")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def writable_server(example_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("writable")
    copy_store(example_build[0], out)
    running = start_server(out, "--allow-updates")
    running.out = out
    yield running
    stop_server(running)


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes


def call(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None) -> Reply:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def ask(
    server: Server, query: str, accept: str = "application/sparql-results+json", how: str = "get", **params
) -> Reply:
    """Send a query the three ways the protocol allows."""
    headers = {"Accept": accept}
    extra = urlencode(params, doseq=True)
    if how == "get":
        return call(f"{server.sparql}?{urlencode({'query': query, **params}, doseq=True)}", headers=headers)
    if how == "form":
        body = urlencode({"query": query, **params}, doseq=True).encode()
        return call(
            server.sparql,
            method="POST",
            data=body,
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
    return call(
        f"{server.sparql}?{extra}",
        method="POST",
        data=query.encode(),
        headers={**headers, "Content-Type": "application/sparql-query"},
    )


def select_values(reply: Reply) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(reply.body)["results"]["bindings"]]


@pytest.fixture(scope="module")
def paper_ids(example_graph) -> list[str]:
    return [s["id"].value for s in example_graph.query(PAPERS_QUERY)]


# -- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, solutions, graphs",
    [
        (None, "json", "turtle"),
        ("*/*", "json", "turtle"),
        ("application/sparql-results+xml", "xml", None),
        ("text/csv;q=0.5, text/tab-separated-values", "tsv", None),
        ("application/json", "json", "jsonld"),
        ("text/*", "csv", "turtle"),
        ("application/n-triples, */*;q=0.1", "json", "ntriples"),
        ("image/png", None, None),
        ("text/csv;q=0", None, None),
    ],
)
def test_content_negotiation_picks_the_best_format(accept, solutions, graphs):
    ranges = parse_accept(accept)
    assert negotiate(ranges, SOLUTION_FORMATS) == solutions
    assert negotiate(ranges, GRAPH_FORMATS) == graphs


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT * FROM <http://a/> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <http://a/> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT * from mlkg:g WHERE { ?s ?p ?o }", True),
        ("SELECT * WHERE { ?s ?p 'FROM <x>' }  # FROM <y>", False),
        ("SELECT * WHERE { ?s ?p ?from }", False),
    ],
)
def test_dataset_clause_detection(query, expected):
    assert has_dataset_clause(query) is expected


# -- protocol ---------------------------------------------------------------------------------


def test_sparqlwrapper_select_json_and_xml(server, paper_ids):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(PAPERS_QUERY)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["id"]["value"] for r in rows] == paper_ids
    client.setReturnFormat(XML)
    document = client.query().convert()
    ids = [lit.firstChild.data for lit in document.getElementsByTagName("literal")]
    assert ids == paper_ids


def test_sparqlwrapper_construct_turtle(server, paper_ids):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(PAPERS_CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert sorted(str(o) for o in graph.objects(None, rdflib.URIRef(MLKG.paperId.value))) == sorted(paper_ids)


def _parse_select(media_type: str, body: bytes) -> list[str]:
    """The paper ids in a SELECT answer, read with a real parser for each format."""
    text = body.decode("utf-8")
    if media_type == "application/sparql-results+json":
        return [row["id"]["value"] for row in json.loads(text)["results"]["bindings"]]
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(body)
        return [b.find(f"{RESULTS_NS}literal").text for b in root.iter(f"{RESULTS_NS}binding") if b.get("name") == "id"]
    if media_type == "text/csv":
        return [row["id"] for row in csv.DictReader(io.StringIO(text))]
    lines = text.splitlines()
    assert lines[0].split("\t") == ["?paper", "?id"]
    return [json.loads(line.split("\t")[1]) for line in lines[1:]]


GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


@pytest.mark.parametrize("how", ["get", "form", "direct"])
@pytest.mark.parametrize("media_type", [f.media_type for f in SOLUTION_FORMATS])
def test_select_in_every_format_and_method(server, paper_ids, how, media_type):
    reply = ask(server, PAPERS_QUERY, accept=media_type, how=how)
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].split(";")[0] == media_type
    assert _parse_select(media_type, reply.body) == paper_ids


@pytest.mark.parametrize("how", ["get", "form", "direct"])
@pytest.mark.parametrize("media_type", list(GRAPH_PARSERS))
def test_construct_in_every_format_and_method(server, paper_ids, how, media_type):
    reply = ask(server, PAPERS_CONSTRUCT, accept=media_type, how=how)
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].split(";")[0] == media_type
    graph = rdflib.Dataset(default_union=True).parse(data=reply.body, format=GRAPH_PARSERS[media_type])
    assert sorted(str(o) for o in graph.objects(None, rdflib.URIRef(MLKG.paperId.value))) == sorted(paper_ids)


def test_construct_is_read_back_in_every_served_format():
    """Each RDF format the server can answer in has a parser in the test above."""
    assert set(GRAPH_PARSERS) == {f.media_type for f in GRAPH_FORMATS}


@pytest.mark.parametrize(
    "fmt, query, media_type",
    [
        ("csv", PAPERS_QUERY, "text/csv"),
        ("tsv", PAPERS_QUERY, "text/tab-separated-values"),
        ("xml", PAPERS_QUERY, "application/sparql-results+xml"),
        ("ntriples", PAPERS_CONSTRUCT, "application/n-triples"),
        ("jsonld", PAPERS_CONSTRUCT, "application/ld+json"),
        ("ttl", PAPERS_CONSTRUCT, "text/turtle"),
        ("nq", PAPERS_CONSTRUCT, "application/n-quads"),
        ("trig", PAPERS_CONSTRUCT, "application/trig"),
        ("srj", PAPERS_QUERY, "application/sparql-results+json"),
    ],
)
def test_format_parameter_overrides_accept(server, fmt, query, media_type):
    reply = ask(server, query, accept="application/sparql-results+json", format=fmt)
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == media_type


def test_ask_query(server):
    reply = ask(server, PREFIX_LINES + "ASK { ?p a mlkg:Paper }")
    assert json.loads(reply.body) == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    "query, accept",
    [(PAPERS_QUERY, "image/png"), (PAPERS_CONSTRUCT, "text/csv"), (PAPERS_QUERY, "text/turtle")],
)
def test_unsupported_accept_is_406(server, query, accept):
    assert ask(server, query, accept=accept).status == 406


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_syntax_error_is_400_with_plain_message(server, how):
    reply = ask(server, "SELEKT ?x WHERE { ?x ?y ?z }", how=how)
    assert reply.status == 400
    assert reply.headers["content-type"].startswith("text/plain")
    assert b"does not parse" in reply.body


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(server, method):
    assert call(server.sparql, method=method, data=b"x").status == 405


def test_default_graph_uri_restricts_to_one_paper(server, example_graph, paper_ids):
    paper = next(iter(example_graph.query(PAPERS_QUERY)))["paper"].value
    quads = sum(1 for _ in example_graph.store.quads_for_pattern(None, None, None, NamedNode(paper)))
    count = PREFIX_LINES + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for how in ("get", "form", "direct"):
        reply = ask(server, count, how=how, **{"default-graph-uri": paper})
        assert select_values(reply) == [{"n": str(quads)}]
        reply = ask(server, PAPERS_QUERY, how=how, **{"default-graph-uri": paper})
        assert [r["paper"] for r in select_values(reply)] == [paper]
    assert len(select_values(ask(server, PAPERS_QUERY))) == len(paper_ids) > 1


def test_named_graph_uri_limits_graph_clause(server, example_graph):
    papers = [s["paper"].value for s in example_graph.query(PAPERS_QUERY)][:2]
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    reply = ask(server, query, how="form", **{"named-graph-uri": papers})
    assert sorted(r["g"] for r in select_values(reply)) == sorted(papers)


def test_from_clause_is_honoured(server, example_graph):
    paper = next(iter(example_graph.query(PAPERS_QUERY)))["paper"].value
    query = PREFIX_LINES + f"SELECT ?paper FROM <{paper}> WHERE {{ ?paper a mlkg:Paper }}"
    assert [r["paper"] for r in select_values(ask(server, query))] == [paper]


def test_bad_graph_iri_is_400(server):
    assert ask(server, PAPERS_QUERY, **{"default-graph-uri": "not an iri"}).status == 400


@pytest.mark.parametrize("fixture, updates", [("server", False), ("writable_server", True)])
def test_service_description(request, fixture, updates):
    running = request.getfixturevalue(fixture)
    reply = call(running.sparql)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=reply.body, format="turtle")
    service = graph.value(None, SD.endpoint, rdflib.URIRef(running.sparql))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert ((service, SD.supportedLanguage, SD.SPARQL11Update) in graph) is updates
    assert len(list(graph.objects(service, SD.resultFormat))) == len(SOLUTION_FORMATS) + len(GRAPH_FORMATS)


def test_cors_headers_and_preflight(server):
    assert ask(server, PAPERS_QUERY).headers["access-control-allow-origin"] == "*"
    reply = call(
        server.sparql,
        method="OPTIONS",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert reply.status == 204
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert "content-type" in reply.headers["access-control-allow-headers"].lower()


# -- updates ------------------------------------------------------------------------------------

INSERT = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> 'added' } }"
ADDED = "SELECT ?o WHERE { <https://example.org/s> <https://example.org/p> ?o }"


@pytest.mark.parametrize("how", ["form", "direct"])
def test_updates_are_refused_by_default(server, how):
    if how == "form":
        reply = call(
            server.sparql,
            method="POST",
            data=urlencode({"update": INSERT}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    else:
        reply = call(
            server.sparql, method="POST", data=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}
        )
    assert reply.status == 403
    assert b"start kg serve with --allow-updates" in reply.body
    assert select_values(ask(server, ADDED)) == []


def test_updates_are_applied_with_allow_updates(writable_server):
    reply = call(
        writable_server.sparql,
        method="POST",
        data=INSERT.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert reply.status in (200, 204), reply.body
    assert select_values(ask(writable_server, ADDED)) == [{"o": "added"}]
    # the running totals may no longer match: the next build recounts them
    assert (writable_server.out / TOTALS_STALE_FILE).exists()
    bad = call(
        writable_server.sparql,
        method="POST",
        data=b"INSERT NONSENSE",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert bad.status == 400


# -- limits and concurrency ---------------------------------------------------------------------


def test_timeout_answers_503_while_others_are_served(limited_server):
    heavy: list[Reply] = []
    thread = threading.Thread(target=lambda: heavy.append(ask(limited_server, HEAVY_QUERY)))
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    quick = ask(limited_server, "ASK { ?s ?p ?o }")
    quick_seconds = time.monotonic() - started
    thread.join(timeout=30)
    assert quick.status == 200 and json.loads(quick.body)["boolean"] is True
    assert quick_seconds < 0.9
    assert heavy[0].status == 503
    assert b"exceeded the 1 s time limit" in heavy[0].body
    # the killed worker is replaced: the server keeps answering
    assert all(ask(limited_server, "ASK { ?s ?p ?o }").status == 200 for _ in range(4))


@pytest.mark.parametrize(
    "query, status",
    [
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", 200),
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 6", 422),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5", 200),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 6", 422),
    ],
)
def test_result_limit(limited_server, query, status):
    reply = ask(limited_server, query, accept="application/sparql-results+json, text/turtle")
    assert reply.status == status
    if status == 422:
        assert b"more than 5 results" in reply.body


def test_ten_concurrent_clients(server, example_graph):
    papers = [s["paper"].value for s in example_graph.query(PAPERS_QUERY)][:10]
    expected = {
        p: sum(1 for _ in example_graph.store.quads_for_pattern(None, None, None, NamedNode(p))) for p in papers
    }
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def client(paper: str) -> int:
        reply = ask(server, query, how="form", **{"named-graph-uri": paper})
        return int(select_values(reply)[0]["n"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = dict(zip(papers, pool.map(client, papers)))
    assert answers == expected


# -- query page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/static/query.js", "/static/query.css"])
def test_query_page_is_self_contained(server, path):
    reply = call(server.url.rstrip("/") + path)
    assert reply.status == 200
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    text = reply.body.decode()
    assert not re.search(r"https?://|//[a-z0-9]", text, re.I), "the page must not load anything from elsewhere"
    if path == "/":
        assert "<textarea" in text
        assert all(ref.startswith("/") for ref in re.findall(r'(?:src|href)="([^"]*)"', text))


def test_queries_listing(server):
    reply = call(server.url + "queries")
    listing = json.loads(reply.body)
    assert [q["name"] for q in listing] == [q.name for q in bundled_queries()]
    assert all(q["title"] and "SELECT" in q["text"] for q in listing)


def test_one_log_line_per_request(server):
    call(server.url + "queries?marker=log-check")
    deadline = time.monotonic() + 5
    while not any("log-check" in line for line in server.log) and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [line for line in server.log if "log-check" in line]
    assert len(lines) == 1 and " GET " in lines[0] and " 200 " in lines[0]
