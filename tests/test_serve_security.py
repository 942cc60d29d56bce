"""What `kg serve` refuses: fetching other URLs, cross-site writes, slow or vanishing clients.

Everything here is real: `kg serve` processes (or a server object) on
loopback ports, small listeners on 127.0.0.1 that count what reaches them,
and headless Chromium for the cross-site pages.
"""

from __future__ import annotations

import http.server
import json
import socket
import struct
import threading
import time
import urllib.parse

import pytest
from support.webdriver import Browser
from test_serve import ADDED, INSERT, ask, call, copy_store, select_values, start_server, stop_server

from kg.serve import make_server

# -- helpers ----------------------------------------------------------------------------------


class Listener:
    """An HTTP server on 127.0.0.1 that records every request and answers with *page* (or 404)."""

    def __init__(self, page: bytes | None = None):
        self.requests: list[tuple[str, str, dict]] = []
        requests, body = self.requests, page

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                requests.append((self.command, self.path, dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = _any

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    running = Listener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def server(example_build):
    running = start_server(example_build[0])
    yield running
    stop_server(running)


@pytest.fixture
def writable(example_build, tmp_path):
    out = tmp_path / "out"
    copy_store(example_build[0], out)
    running = start_server(out, "--allow-updates")
    running.out = out
    yield running
    stop_server(running)


def update(server, text: str, headers: dict | None = None):
    return call(
        server.sparql,
        method="POST",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", **(headers or {})},
    )


def wait_for_log(server, needle: str, seconds: float = 60) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lines = [line for line in server.log if needle in line]
        if lines:
            return lines
        time.sleep(0.1)
    raise AssertionError(f"the server never logged {needle!r}: {server.log[-5:]}")


# -- SERVICE and LOAD (#10) ------------------------------------------------------------------------

SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}plain> {{ ?s ?p ?o }} }}",
    "select * {{ service<{url}lower>{{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}variable> AS ?g) SERVICE SILENT ?g {{ ?s ?p ?o }} }}",
    # a mask of strings, IRIs and comments sees an IRI from '<' to '>' and hides the keyword
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?o<?o)SERVICE#>\n<{url}comparison>{{ }} }}",
    # ...and a comment or string opened by an escaped character of a prefixed name
    "PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ?p ?o . ?s ex:p\\# ?o . SERVICE <{url}escaped> {{ }} }}",
    "PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ex:a\\' ?o . SERVICE <{url}quote> {{ }} FILTER(?o != 'x') }}",
    # the parser takes the keyword glued to what surrounds it
    "PREFIX : <{url}> SELECT * WHERE {{ ?s ?p ?o . SERVICE:glued {{ }} }}",
    "PREFIX ex: <{url}> SELECT * WHERE {{ ?s ?p ?o . ?s ?p 1SERVICEex:number {{ }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_service_is_refused_and_nothing_is_fetched(server, listener, template, how):
    reply = ask(server, template.format(url=listener.url), how=how)
    assert reply.status == 400, reply.body
    assert b"SERVICE refused" in reply.body and b"--allow-service" in reply.body
    time.sleep(0.2)
    assert listener.requests == []


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}data.ttl>",
        "load<{url}data.ttl> INTO GRAPH <https://example.org/g>",
        "PREFIX ex: <{url}> LOADex:glued",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}insert> {{ ?s ?p ?o }} }}",
    ],
)
def test_load_and_service_in_updates_are_refused(writable, listener, template):
    reply = update(writable, template.format(url=listener.url))
    assert reply.status == 400, reply.body
    assert b"refused" in reply.body and b"--allow-service" in reply.body
    time.sleep(0.2)
    assert listener.requests == []


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service ?p 'LOAD the SERVICE' } LIMIT 1  # SERVICE <http://127.0.0.1:9/>",
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> ASK { ?s sd:endpoint ?e }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o } LIMIT 1",
        "SELECT ?download WHERE { ?download ?p ?o } LIMIT 1",
    ],
)
def test_the_words_elsewhere_are_not_refused(server, query):
    assert ask(server, query).status == 200


def test_allow_service_lets_the_server_fetch(example_build, listener):
    # the listener does see a SERVICE call when it is allowed: the tests above would notice one
    running = start_server(example_build[0], "--allow-service")
    try:
        ask(running, f"SELECT * WHERE {{ SERVICE <{listener.url}allowed> {{ ?s ?p ?o }} }}")
    finally:
        stop_server(running)
    assert [path for _, path, _ in listener.requests][:1] == ["/allowed"]


# -- cross-site writes (#11) -----------------------------------------------------------------------


def test_form_encoded_update_is_refused_even_without_origin(writable):
    reply = call(
        writable.sparql,
        method="POST",
        data=urllib.parse.urlencode({"update": INSERT}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 415
    assert b"application/sparql-update" in reply.body
    assert select_values(ask(writable, ADDED)) == []


def test_update_from_another_origin_is_refused(writable):
    reply = update(writable, INSERT, {"Origin": "http://evil.example"})
    assert reply.status == 403
    assert b"another origin" in reply.body
    assert "access-control-allow-origin" not in reply.headers
    assert select_values(ask(writable, ADDED)) == []
    # a page from another port of the same host is another origin too
    port = int(writable.url.rsplit(":", 1)[1].strip("/"))
    assert update(writable, INSERT, {"Origin": f"http://127.0.0.1:{port + 1}"}).status == 403
    # so is a name that points here (DNS rebinding makes Host and Origin agree)
    rebound = update(writable, INSERT, {"Origin": "http://evil.example", "Host": "evil.example"})
    assert rebound.status == 403
    assert select_values(ask(writable, ADDED)) == []


def test_update_from_tools_and_from_the_same_origin_is_applied(writable):
    assert update(writable, INSERT).status == 204  # curl, kg push: no Origin
    assert select_values(ask(writable, ADDED)) == [{"o": "added"}]
    origin = writable.url.rstrip("/")
    second = INSERT.replace("'added'", "'again'")
    reply = update(writable, second, {"Origin": origin})
    assert reply.status == 204, reply.body
    assert "access-control-allow-origin" not in reply.headers
    assert sorted(r["o"] for r in select_values(ask(writable, ADDED))) == ["added", "again"]


@pytest.fixture(scope="module")
def browser():
    session = Browser(loopback=True)
    yield session
    session.close()


def cross_site_form(target: str) -> bytes:
    return f"""<!doctype html><html><body>
<form id="f" method="POST" action="{target}" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="update" value="{INSERT.replace("'", "&#39;")}">
</form>
<script>document.getElementById("f").submit();</script>
</body></html>""".encode()


def cross_site_fetch(target: str) -> bytes:
    # a script may send a non-simple request: the browser then asks first (preflight)
    return f"""<!doctype html><html><body><script>
fetch("{target}", {{method: "POST", headers: {{"Content-Type": "application/sparql-update"}},
                    body: {json.dumps(INSERT)}}}).catch(() => {{}});
fetch("{target}", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                    body: {json.dumps("update=" + INSERT)}}}).catch(() => {{}});
</script></body></html>""".encode()


@pytest.mark.parametrize("page", [cross_site_form, cross_site_fetch])
def test_a_page_on_another_site_cannot_write_in_chromium(writable, browser, page):
    evil = Listener(page(writable.sparql))
    try:
        browser.open(evil.url)
        lines = wait_for_log(writable, "POST /sparql")
        if page is cross_site_fetch:
            time.sleep(1)  # both requests
    finally:
        evil.close()
    assert lines and all(" 204 " not in line for line in writable.log if "POST /sparql" in line)
    assert select_values(ask(writable, ADDED)) == []


def test_the_query_page_still_works_on_a_writable_server(writable, browser):
    # the page posts its queries to its own origin: the update rules must not get in its way
    browser.open(writable.url)
    deadline = time.monotonic() + 60
    while not browser.js("return document.readyState === 'complete' && !!document.getElementById('run')"):
        assert time.monotonic() < deadline, "the query page did not load"
        time.sleep(0.1)
    browser.js(
        "document.getElementById('query').value = arguments[0];document.getElementById('run').click();",
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3",
    )
    deadline = time.monotonic() + 60
    while "result" not in (status := browser.js("return document.getElementById('status').textContent")):
        assert time.monotonic() < deadline and not status.startswith("HTTP"), status
        time.sleep(0.1)
    assert status.startswith("3 results")
    assert browser.js("return document.querySelectorAll('#results tbody tr').length") == 3


# -- the worker pool recovers (#12) ---------------------------------------------------------------

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_workers_that_cannot_open_the_store_are_retried(example_build, tmp_path, capfd):
    out = tmp_path / "out"
    copy_store(example_build[0], out)
    server = make_server(out, port=0, workers=1, timeout=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = server.url + "sparql"

    def query(text: str):
        return call(
            f"{endpoint}?{urllib.parse.urlencode({'query': text})}",
            headers={"Accept": "application/sparql-results+json"},
        )

    try:
        assert query("ASK { ?s ?p ?o }").status == 200
        (out / "store").rename(out / "store.away")
        assert query(HEAVY).status == 503  # its worker is killed; the replacement cannot open the store
        deadline = time.monotonic() + 60
        while (reply := query("ASK { ?s ?p ?o }")).status != 503 or b"cannot open the store" not in reply.body:
            assert time.monotonic() < deadline, reply.body
            time.sleep(0.2)
        assert b"no query worker is running" in reply.body
        (out / "store.away").rename(out / "store")
        deadline = time.monotonic() + 60
        while (reply := query("ASK { ?s ?p ?o }")).status != 200:
            assert time.monotonic() < deadline, reply.body
            time.sleep(0.2)
        assert json.loads(reply.body)["boolean"] is True
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "cannot open the store" in err and "retrying in" in err
    assert "started again" in err


# -- slow, lying and vanishing clients (#13) -------------------------------------------------------


def port_of(server) -> int:
    return int(server.url.rsplit(":", 1)[1].strip("/"))


@pytest.fixture(scope="module")
def impatient(example_build):
    running = start_server(example_build[0], "--client-timeout", "1")
    yield running
    stop_server(running)


@pytest.mark.parametrize(
    "sent",
    [
        b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # half a header
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nSELECT",  # a tenth of the body
    ],
)
def test_a_slow_client_is_disconnected(impatient, sent):
    with socket.create_connection(("127.0.0.1", port_of(impatient)), timeout=30) as client:
        client.sendall(sent)
        started = time.monotonic()
        try:
            rest = client.recv(65536)
        except TimeoutError:
            pytest.fail("the server kept the connection of a client that stopped sending")
        assert rest == b""  # closed without an answer
        assert time.monotonic() - started < 25
    # and it still serves others
    assert ask(impatient, "ASK { ?s ?p ?o }").status == 200


def test_the_listen_backlog_holds_many_waiting_connections(example_build):
    # the server is made but not serving: connections wait in the kernel's queue
    server = make_server(example_build[0], port=0, workers=1)
    clients = []
    try:
        for _ in range(100):
            client = socket.socket()
            client.settimeout(10)
            client.connect(server.server_address)  # blocks once the queue is full
            clients.append(client)
    except TimeoutError:
        pytest.fail(f"only {len(clients)} connections were queued")
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert len(clients) == 100


def test_the_host_header_is_not_echoed(server):
    reply = call(server.sparql, headers={"Host": "evil.example"})
    assert reply.status == 200
    assert b"evil.example" not in reply.body
    assert server.sparql.encode() in reply.body


def test_a_client_leaving_mid_answer_leaves_no_traceback(example_build):
    running = start_server(example_build[0])
    try:
        query = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 100000"
        request = (
            f"GET /sparql?{urllib.parse.urlencode({'query': query, 'marker': 'leaving'})} HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n\r\n"
        ).encode()
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.settimeout(60)
        client.connect(("127.0.0.1", port_of(running)))
        client.sendall(request)
        assert client.recv(1024).startswith(b"HTTP/1.1 200")
        # hang up with a reset while the server still has megabytes to write
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        lines = wait_for_log(running, "marker=leaving")
        assert "client disconnected" in lines[0]
        assert ask(running, "ASK { ?s ?p ?o }").status == 200
    finally:
        stop_server(running)
    log = "".join(running.log)
    assert "Traceback" not in log and "BrokenPipe" not in log and "ConnectionReset" not in log
