"""Serve the graph over the SPARQL 1.1 Protocol, with a small query page.

Read-only servers evaluate queries in a pool of worker processes, each with
its own read-only handle on the store: a query that runs past the time
limit is answered with 503 and its worker is killed and replaced, so one
runaway query never holds up other clients. pyoxigraph cannot interrupt a
query, which is why processes and not threads do the work.

With ``allow_updates`` the store must be opened writable, which only one
process may do, so queries then run in threads of the server process: the
client still gets its 503 on time, but the thread runs on until the query
ends (documented in docs/serve.md).

Nothing the server runs may make it send requests elsewhere: SERVICE (in
queries and updates) and LOAD are refused unless ``allow_service`` is given,
since pyoxigraph would fetch any URL they name, loopback included.

Updates are taken only as ``application/sparql-update`` bodies, which a web
page on another site cannot send without a CORS preflight, and never from a
browser page of another origin: a form that any site could submit must not
write to the store.

Status codes: 400 bad request, syntax error or SERVICE/LOAD refused, 403
update while read-only or from another origin, 405 wrong method, 406 no
acceptable result format, 415 unknown request body type (or a form-encoded
update), 422 more results than ``max_results``, 503 time limit exceeded or
no query worker able to open the store.
"""

from __future__ import annotations

import ipaddress
import json
import multiprocessing
import os
import queue
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QueryTriples,
    Store,
    Triple,
    parse_query_results,
    serialize,
)

from .errors import KgError
from .formats import RDF_FORMATS, RESULTS_FORMATS, Format, rdf_format, results_format
from .pages import static_text
from .query import bundled_queries
from .store import STORE_DIR, KnowledgeGraph, StoreError, has_dataset_clause, mask_sparql
from .vocab import PREFIXES, XSD

MAX_BODY_BYTES = 50_000_000
STATIC_FILES = {"query.html": "text/html", "query.js": "text/javascript", "query.css": "text/css"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}
UPDATES_DISABLED = "updates are disabled; start kg serve with --allow-updates"
UPDATES_AS_FORM = (
    "send updates as an application/sparql-update body; form-encoded updates are refused "
    "because any web page can submit a form to this server"
)
#: Seconds a client may take to send each piece of a request (request line, headers, body).
CLIENT_TIMEOUT = 30.0
#: Connections the kernel queues while every handler thread is busy accepting (the default is 5).
LISTEN_BACKLOG = 128
#: Seconds between attempts to start a query worker that cannot open the store (doubling up to the maximum).
RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 5.0
#: Errors of a client that went away; they are its business, not the server's.
DISCONNECTED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class ServeError(KgError, RuntimeError):
    """The server cannot start (no store, port in use, ...)."""


# -- content negotiation ------------------------------------------------------------


#: First entry of each list is the default when the client accepts anything.
SOLUTION_FORMATS = RESULTS_FORMATS
GRAPH_FORMATS = RDF_FORMATS
#: ``format=`` parameter values beyond the format names and file extensions:
#: one word for both kinds of result, as other SPARQL servers take it.
_PAIRED = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml")}


def format_param(word: str) -> tuple[str | None, str | None] | None:
    """(solutions format, graph format) a ``format=`` word names, or None when it names none."""
    if word in _PAIRED:
        return _PAIRED[word]
    for fmt in SOLUTION_FORMATS:
        if word in (fmt.name, fmt.extension):
            return fmt.name, None
    for fmt in GRAPH_FORMATS:
        if word in (fmt.name, fmt.extension):
            return None, fmt.name
    return None


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges and their q values; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """q of the most specific range matching *media_type* (0 when none does)."""
    major = media_type.split("/")[0]
    best, specificity = 0.0, -1
    for media_range, q in ranges:
        level = (
            2 if media_range == media_type else 1 if media_range == f"{major}/*" else 0 if media_range == "*/*" else -1
        )
        if level > specificity:
            best, specificity = q, level
    return best if specificity >= 0 else 0.0


def negotiate(ranges: list[tuple[str, float]], formats: tuple[Format, ...]) -> str | None:
    """Name of the best acceptable format, or None (406).

    Aliases (application/json, text/xml, ...) count only when named
    exactly, so ``text/*`` means CSV and not XML.
    """
    best, best_q = None, 0.0
    for fmt in formats:
        aliases = [q for media_range, q in ranges if media_range in fmt.aliases]
        q = max([_quality(fmt.media_type, ranges), *aliases])
        if q > best_q:
            best, best_q = fmt.name, q
    return best


# -- requests to other servers ------------------------------------------------------

#: SERVICE and LOAD anywhere: pyoxigraph reads them as keywords even glued to
#: what is around them (``1SERVICE:x {}``, ``LOADex:data``), so no word boundary is asked for.
_REMOTE_TEXT = re.compile(r"SERVICE|LOAD", re.IGNORECASE)
#: The same as separate words, for a quick and clear refusal of the plain cases.
_REMOTE_WORD = re.compile(r"(?<![\w?$:.\-])(SERVICE|LOAD)(?![\w:.\-])", re.IGNORECASE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ESCAPE = re.compile(r"\\.")


def _unescape_codepoints(sparql: str) -> str:
    """The text with its codepoint escapes (backslash-u) resolved, as SPARQL allows before parsing."""

    def char(match: re.Match) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group()

    return _CODEPOINT.sub(char, sparql)


def remote_refusal(sparql: str, *, update: bool) -> Answer | None:
    """A 400 answer if *sparql* may make the store fetch a URL (SERVICE, LOAD), else None.

    pyoxigraph has no switch to refuse them, so the text is examined. A
    text that never contains the letters is let through, and one with the
    word outside strings, IRIs and comments (found with them masked) is
    refused. Scanning cannot decide the rest: the parser takes keywords
    glued to names (``LOADex:data``), and a scan is fooled where the
    parser is not (``?a<?b)SERVICE#>`` looks like an IRI, ``ex:p\\#`` like
    a comment). So every occurrence is renamed (SERVIC_, LOA_: still a valid
    name, string or IRI, never a keyword) and the renamed text is parsed
    on an empty in-memory store: if one occurrence was a keyword, the
    renamed text does not parse, and the original is refused. The trial
    runs where the query would, under the same time limit.
    """
    written = _REMOTE_TEXT.findall(sparql)
    unescaped = _REMOTE_TEXT.findall(_unescape_codepoints(sparql))
    if not written and not unescaped:
        return None
    found = {word.upper() for word in written + unescaped}
    message = (
        f"{' and '.join(sorted(found))} refused: this server does not fetch data from other servers "
        "(start kg serve with --allow-service to allow SERVICE and LOAD)"
    )
    if len(unescaped) > len(written):  # a word spelt with escapes is never a harmless name or string
        return Answer.text(400, message)
    if _REMOTE_WORD.search(mask_sparql(_ESCAPE.sub("__", sparql))):
        return Answer.text(400, message)
    renamed = _REMOTE_TEXT.sub(lambda match: match.group()[:-1] + "_", sparql)
    trial = Store()
    try:
        if update:
            trial.update(renamed, prefixes=PREFIXES)
        else:
            trial.query(renamed, prefixes=PREFIXES)
    except SyntaxError as err:
        return Answer.text(400, f"{message}; or else the text does not parse: {err}")
    except (OSError, ValueError, TypeError, RuntimeError):
        pass  # it parsed; evaluating it on an empty store may fail in other ways
    return None


# -- evaluation (shared by worker processes and the in-process engine) -------------


@dataclass(frozen=True)
class Job:
    query: str
    solutions_format: str | None
    graph_format: str | None
    max_results: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    dataset_given: bool = False
    allow_service: bool = False


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> "Answer":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def query_options(job: Job) -> dict:
    options: dict = {"prefixes": PREFIXES}
    if job.dataset_given:
        options["default_graph"] = [NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    elif not has_dataset_clause(job.query):
        options["use_default_graph_as_union"] = True
    return options


def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype != XSD.string:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")},
        }
    raise TypeError(f"unexpected term {term!r}")


def solutions_json(variables: list[str], solutions: list) -> bytes:
    """SPARQL 1.1 Query Results JSON for already collected solutions."""
    bindings = [
        {name: _json_term(solution[name]) for name in variables if solution[name] is not None} for solution in solutions
    ]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()


def _too_many(limit: int) -> Answer:
    return Answer.text(
        422,
        f"the query returns more than {limit} results (the server's --max-results limit); "
        "add a LIMIT or narrow the query",
    )


def evaluate(store: Store, job: Job) -> Answer:
    """Run one query and serialize its result, refusing results over the limit."""
    if not job.allow_service and (refused := remote_refusal(job.query, update=False)):
        return refused
    try:
        result = store.query(job.query, **query_options(job))
    except SyntaxError as err:
        return Answer.text(400, f"the query does not parse: {err}")
    except (OSError, ValueError, TypeError, RuntimeError) as err:
        return Answer.text(400, f"the query cannot be evaluated: {err}")
    try:
        if isinstance(result, QueryTriples):
            if job.graph_format is None:
                return Answer.text(406, "no acceptable format for a CONSTRUCT/DESCRIBE result; try Accept: text/turtle")
            triples: list[Triple] = []
            for triple in result:
                if len(triples) >= job.max_results:
                    return _too_many(job.max_results)
                triples.append(triple)
            fmt = rdf_format(job.graph_format)
            body = serialize(triples, format=fmt.rdf, prefixes=PREFIXES)
            return Answer(200, fmt.content_type, body or b"")
        if job.solutions_format is None:
            return Answer.text(
                406, "no acceptable format for a SELECT/ASK result; try Accept: application/sparql-results+json"
            )
        fmt = results_format(job.solutions_format)
        if isinstance(result, QueryBoolean):
            data = json.dumps({"head": {}, "boolean": bool(result)}).encode()
        else:
            variables = [v.value for v in result.variables]
            solutions: list[QuerySolution] = []
            for solution in result:
                if len(solutions) >= job.max_results:
                    return _too_many(job.max_results)
                solutions.append(solution)
            data = solutions_json(variables, solutions)
        if fmt.name != "json":
            data = parse_query_results(data, QueryResultsFormat.JSON).serialize(format=fmt.results) or b""
        return Answer(200, fmt.content_type, data)
    except (OSError, ValueError) as err:
        return Answer.text(500, f"the query failed: {err}")


def _worker_main(store_path: str, conn) -> None:
    """Worker process: open the store read-only, then answer jobs until the pipe closes."""
    try:
        store = Store.read_only(store_path)
        broken = None
    except OSError as err:
        store, broken = None, f"cannot open the store: {err}"
    conn.send(broken or "ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(evaluate(store, job) if store is not None else Answer.text(500, broken or "cannot open the store"))


# -- engines ------------------------------------------------------------------------


def _log(message: str) -> None:
    sys.stderr.write(message.rstrip() + "\n")
    sys.stderr.flush()


def _timeout_answer(timeout: float) -> Answer:
    return Answer.text(503, f"query exceeded the {timeout:g} s time limit")


class _Worker:
    def __init__(self, context, store_path: str):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(store_path, child), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = 60.0) -> str:
        """Return "ready", or why the worker could not open the store."""
        if not self.conn.poll(timeout):
            return "the query worker did not start in time"
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return "the query worker exited while starting"

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class ProcessEngine:
    """A pool of read-only worker processes; a worker past the time limit is killed and replaced.

    A replacement that cannot open the store (moved, being rewritten, ...)
    is retried with backoff for as long as the server runs; while no worker
    is left, queries get 503 with the reason instead of waiting in vain.
    """

    def __init__(self, store_path: Path, *, workers: int, timeout: float, retry_delay: float = RETRY_DELAY):
        self.store_path = str(store_path)
        self.timeout = timeout
        self.retry_delay = retry_delay
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.closed = False
        self.stopping = threading.Event()
        self.all: set[_Worker] = set()
        #: why the last replacement failed, until one starts
        self.broken: str | None = None
        self.lock = threading.Lock()
        starting = [_Worker(self.context, self.store_path) for _ in range(workers)]
        for worker in starting:
            status = worker.wait_ready()
            if status != "ready":
                for other in starting:
                    other.stop()
                raise ServeError(status)
            self.all.add(worker)
            self.idle.put(worker)

    def _add(self) -> None:
        """Start one worker, retrying until it opens the store or the engine closes."""
        delay = self.retry_delay
        while True:
            worker = _Worker(self.context, self.store_path)
            status = worker.wait_ready()
            if status == "ready":
                break
            worker.stop()
            with self.lock:
                self.broken = status
            _log(f"query worker: {status}; retrying in {delay:g} s")
            if self.stopping.wait(delay):
                return
            delay = min(delay * 2, MAX_RETRY_DELAY)
        with self.lock:
            if self.closed:
                worker.stop()
                return
            self.all.add(worker)
            recovered, self.broken = self.broken is not None, None
        if recovered:
            _log("query worker: started again")
        self.idle.put(worker)

    def _unavailable(self) -> str | None:
        """Why no query can run, when no worker is left and the last replacement failed."""
        with self.lock:
            return self.broken if not self.all else None

    def _replace(self, worker: _Worker) -> None:
        with self.lock:
            self.all.discard(worker)
        worker.stop()
        if not self.closed:
            threading.Thread(target=self._add, daemon=True).start()

    def _idle_worker(self, started: float) -> _Worker | Answer:
        """An idle worker, or the 503 to answer when none comes in time or none can start."""
        while True:
            broken = self._unavailable()
            if broken:
                return Answer.text(503, f"no query worker is running: {broken}; the server keeps retrying")
            remaining = self.timeout - (time.monotonic() - started)
            if remaining <= 0:
                return Answer.text(503, f"all query workers stayed busy for {self.timeout:g} s; try again later")
            try:
                return self.idle.get(timeout=min(remaining, 0.25))
            except queue.Empty:
                continue

    def run(self, job: Job) -> Answer:
        started = time.monotonic()
        worker = self._idle_worker(started)
        if isinstance(worker, Answer):
            return worker
        try:
            worker.conn.send(job)
            remaining = max(0.0, self.timeout - (time.monotonic() - started))
            if not worker.conn.poll(remaining):
                self._replace(worker)
                return _timeout_answer(self.timeout)
            answer = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as err:
            self._replace(worker)
            return Answer.text(500, f"the query worker stopped unexpectedly: {err}")
        self.idle.put(worker)
        return answer

    def update(self, text: str) -> Answer:
        return Answer.text(403, UPDATES_DISABLED)

    def close(self) -> None:
        self.stopping.set()
        with self.lock:
            self.closed = True
            workers = list(self.all)
            self.all.clear()
        for worker in workers:
            worker.stop()


class ThreadEngine:
    """Queries and updates in threads over one writable store (``--allow-updates``)."""

    def __init__(self, kg: KnowledgeGraph, *, timeout: float, allow_service: bool = False):
        self.kg = kg
        self.timeout = timeout
        self.allow_service = allow_service
        self.update_lock = threading.Lock()

    def _timed(self, work) -> Answer | None:
        box: list[Answer] = []
        thread = threading.Thread(target=lambda: box.append(work()), daemon=True)
        thread.start()
        thread.join(self.timeout)
        return box[0] if box else None

    def run(self, job: Job) -> Answer:
        return self._timed(lambda: evaluate(self.kg.store, job)) or _timeout_answer(self.timeout)

    def update(self, text: str) -> Answer:
        def apply() -> Answer:
            if not self.allow_service and (refused := remote_refusal(text, update=True)):
                return refused
            try:
                with self.update_lock:
                    # an update may change facts the running totals count:
                    # the next `kg build`/`kg add` recounts them
                    self.kg.mark_totals_stale()
                    self.kg.store.update(text, prefixes=PREFIXES)
                    self.kg.store.flush()
            except SyntaxError as err:
                return Answer.text(400, f"the update does not parse: {err}")
            except (OSError, ValueError) as err:
                return Answer.text(500, f"the update failed: {err}")
            return Answer(204, "text/plain; charset=utf-8", b"")

        answer = self._timed(apply)
        if answer is None:
            return Answer.text(503, f"the update exceeded the {self.timeout:g} s time limit; it may still be applied")
        return answer

    def close(self) -> None:
        pass


# -- HTTP ---------------------------------------------------------------------------


def service_description(endpoint: str, allow_updates: bool) -> bytes:
    """The SPARQL 1.1 Service Description of this endpoint, as Turtle.

    The description is a Turtle file whose relative IRIs resolve against
    the endpoint's URL, so it names the endpoint as the client reached it.
    """
    parts = [f"@base <{endpoint}> .\n".encode(), static_text("service.ttl").encode("utf-8")]
    if allow_updates:
        parts.append(static_text("service-update.ttl").encode("utf-8"))
    return b"\n".join(parts)


def _endpoint_url(host: str) -> str:
    """The endpoint URL at the address the server listens on.

    Never taken from the request's Host header, which any client can set:
    the description must not repeat what a stranger wrote.
    """
    try:
        return NamedNode(f"http://{host}/sparql").value
    except ValueError:
        return "http://localhost/sparql"


def _iri(value: str) -> str:
    try:
        return NamedNode(value).value
    except ValueError as err:
        raise _BadRequest(f"not an IRI: {value!r}") from err


def _host_port(address) -> tuple[str, int]:
    """Host and port of a listening socket's address (IPv6 addresses carry two more fields)."""
    return str(address[0]), int(address[1])


class _BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Settings:
    allow_updates: bool
    timeout: float
    max_results: int
    engine: ProcessEngine | ThreadEngine = field(repr=False)
    allow_service: bool = False


class SparqlHandler(BaseHTTPRequestHandler):
    server_version = "mlkg"
    protocol_version = "HTTP/1.1"
    settings: Settings

    # logging: one line per request, written in _send
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        pass

    def _send(self, answer: Answer, extra: dict[str, str] | None = None, *, cors: bool = True) -> None:
        """Answer and log one line; *cors* False keeps other origins from reading the answer."""
        head_only = self.command == "HEAD"
        gone = ""
        try:
            self.send_response(answer.status)
            headers = {**(CORS_HEADERS if cors else {}), **(extra or {})}
            headers.setdefault("Content-Type", answer.content_type)
            headers["Content-Length"] = str(len(answer.body))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if not head_only:
                self.wfile.write(answer.body)
        except DISCONNECTED:
            # the client left mid-answer: one log line says so, no traceback
            self.close_connection = True
            gone = " (client disconnected)"
        took = (time.monotonic() - self._started) * 1000
        target = self.path if len(self.path) <= 200 else self.path[:200] + "..."
        _log(
            f"{self.client_address[0]} {time.strftime('%Y-%m-%dT%H:%M:%S')} {self.command} {target} "
            f"{answer.status} {len(answer.body)} {took:.0f}ms{gone}"
        )

    def handle_one_request(self) -> None:
        self._started = time.monotonic()
        super().handle_one_request()

    # -- methods --

    def do_OPTIONS(self) -> None:
        self._send(Answer(204, "text/plain; charset=utf-8", b""), {"Allow": "GET, POST, OPTIONS"})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._page("query.html")
        elif url.path.startswith("/static/") and url.path[len("/static/") :] in STATIC_FILES:
            self._page(url.path[len("/static/") :])
        elif url.path == "/prefixes":
            self._send(Answer(200, "application/json", json.dumps(PREFIXES).encode()))
        elif url.path == "/queries":
            listing = [q.__dict__ for q in bundled_queries()]
            self._send(Answer(200, "application/json", json.dumps(listing, ensure_ascii=False).encode()))
        elif url.path == "/sparql":
            params = parse_qs(url.query, keep_blank_values=True)
            if "update" in params:
                self._send(Answer.text(405, "send updates with POST"), {"Allow": "POST"})
            elif "query" in params:
                self._query(params["query"][0], params)
            elif not url.query:
                endpoint = _endpoint_url(self._host())
                body = service_description(endpoint, self.settings.allow_updates)
                self._send(Answer(200, "text/turtle; charset=utf-8", body))
            else:
                self._send(Answer.text(400, "missing the query parameter"))
        else:
            self._send(Answer.text(404, f"nothing at {url.path}; the SPARQL endpoint is /sparql"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._body()
        except _BadRequest as err:
            self.close_connection = True
            self._send(Answer.text(err.status, str(err)))
            return
        if url.path != "/sparql":
            self._send(Answer.text(404, f"nothing at {url.path}; the SPARQL endpoint is /sparql"))
            return
        params = parse_qs(url.query, keep_blank_values=True)
        media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._send(Answer.text(400, "the request body is not UTF-8"))
            return
        if media_type == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            if "query" in form and "update" in form:
                self._send(Answer.text(400, "send either query or update, not both"))
            elif "query" in form:
                self._query(form["query"][0], params)
            elif "update" in form:
                self._update(form["update"][0], params, form=True)
            else:
                self._send(Answer.text(400, "the form has neither a query nor an update parameter"))
        elif media_type == "application/sparql-query":
            self._query(text, params)
        elif media_type == "application/sparql-update":
            self._update(text, params)
        else:
            self._send(
                Answer.text(
                    415,
                    "POST a form (application/x-www-form-urlencoded), application/sparql-query "
                    "or application/sparql-update",
                )
            )

    def _refuse_method(self) -> None:
        self._send(Answer.text(405, f"{self.command} is not supported here"), {"Allow": "GET, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    # -- helpers --

    def _host(self) -> str:
        host, port = _host_port(self.server.server_address)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise _BadRequest("a POST needs a Content-Length header", 411)
        try:
            size = int(length)
        except ValueError:
            raise _BadRequest("the Content-Length header is not a number") from None
        if size > MAX_BODY_BYTES:
            raise _BadRequest(f"the request body is too large (over {MAX_BODY_BYTES} bytes)", 413)
        return self.rfile.read(size)

    def _page(self, name: str) -> None:
        media = STATIC_FILES[name]
        charset = "; charset=utf-8"
        self._send(
            Answer(200, media + charset, static_text(name).encode("utf-8")),
            {**SECURITY_HEADERS, "Cache-Control": "no-cache"},
        )

    def _query(self, text: str, params: dict[str, list[str]]) -> None:
        try:
            default_graphs = tuple(_iri(g) for g in params.get("default-graph-uri", []))
            named_graphs = tuple(_iri(g) for g in params.get("named-graph-uri", []))
        except _BadRequest as err:
            self._send(Answer.text(400, str(err)))
            return
        if not text.strip():
            self._send(Answer.text(400, "the query is empty"))
            return
        requested = (params.get("format") or [""])[0].strip().lower()
        if requested:
            if named := format_param(requested):
                solutions, graphs = named
            else:
                ranges = [(requested, 1.0)]
                solutions, graphs = negotiate(ranges, SOLUTION_FORMATS), negotiate(ranges, GRAPH_FORMATS)
        else:
            ranges = parse_accept(self.headers.get("Accept"))
            solutions, graphs = negotiate(ranges, SOLUTION_FORMATS), negotiate(ranges, GRAPH_FORMATS)
        if solutions is None and graphs is None:
            self._send(Answer.text(406, "none of the requested formats is supported; see GET /sparql for the list"))
            return
        job = Job(
            query=text,
            solutions_format=solutions,
            graph_format=graphs,
            max_results=self.settings.max_results,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            dataset_given=bool(default_graphs or named_graphs),
            allow_service=self.settings.allow_service,
        )
        self._send(self.settings.engine.run(job), {"Vary": "Accept"})

    def _same_origin(self, origin: str) -> bool:
        """Whether a browser's Origin is this server as the browser reached it.

        The Origin must name the host and port the request was sent to
        (the Host header, which a page cannot set), and that host must be
        an IP address or localhost: a DNS name could be rebound by another
        site to this machine, and its pages would then look same-origin.
        """
        parts = urlsplit(origin)
        host = (self.headers.get("Host") or "").strip().lower()
        if parts.scheme != "http" or not parts.hostname or parts.netloc.lower() != host:
            return False
        if parts.hostname == "localhost":
            return True
        try:
            ipaddress.ip_address(parts.hostname)
        except ValueError:
            return False
        return True

    def _update(self, text: str, params: dict[str, list[str]], *, form: bool = False) -> None:
        origin = self.headers.get("Origin")
        if not self.settings.allow_updates:
            answer = Answer.text(403, UPDATES_DISABLED)
        elif origin is not None and not self._same_origin(origin):
            # browsers send Origin with every cross-site POST; tools (curl, kg push) send none
            answer = Answer.text(403, f"updates from another origin ({origin[:100]}) are refused")
        elif form:
            answer = Answer.text(415, UPDATES_AS_FORM)
        elif params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            answer = Answer.text(400, "using-graph-uri is not supported; write USING in the update instead")
        else:
            answer = self.settings.engine.update(text)
        self._send(answer, cors=False)


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address, handler, engine):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.engine = engine
        super().__init__(address, handler)

    @property
    def url(self) -> str:
        host, port = _host_port(self.server_address)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up or stalls is routine: no traceback for it."""
        if isinstance(sys.exc_info()[1], DISCONNECTED):
            return
        super().handle_error(request, client_address)

    def shutdown(self) -> None:
        super().shutdown()
        self.engine.close()

    def server_close(self) -> None:
        super().server_close()
        self.engine.close()


def default_workers() -> int:
    return max(2, min(4, os.cpu_count() or 2))


def make_server(
    out_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    allow_updates: bool = False,
    timeout: float = 30.0,
    max_results: int = 100_000,
    workers: int | None = None,
    allow_service: bool = False,
    client_timeout: float = CLIENT_TIMEOUT,
) -> SparqlServer:
    """A ready, not yet serving, SPARQL server over the store in *out_dir*.

    *allow_service* lets queries use SERVICE and updates LOAD, which make
    the server fetch any URL they name; *client_timeout* is how long a
    client may take to send each piece of its request before it is
    disconnected.
    """
    if timeout <= 0:
        raise ServeError("--timeout must be positive")
    if client_timeout <= 0:
        raise ServeError("--client-timeout must be positive")
    if max_results < 1:
        raise ServeError("--max-results must be at least 1")
    kg = KnowledgeGraph(out_dir, read_only=not allow_updates)
    if allow_updates:
        engine: ProcessEngine | ThreadEngine = ThreadEngine(kg, timeout=timeout, allow_service=allow_service)
    else:
        engine = ProcessEngine(Path(out_dir) / STORE_DIR, workers=workers or default_workers(), timeout=timeout)
    settings = Settings(
        allow_updates=allow_updates,
        timeout=timeout,
        max_results=max_results,
        engine=engine,
        allow_service=allow_service,
    )
    # StreamRequestHandler puts `timeout` on the socket: every read and write then gives up after it
    handler = type("Handler", (SparqlHandler,), {"settings": settings, "timeout": client_timeout})
    try:
        return SparqlServer((host, port), handler, engine)
    except OSError as err:
        engine.close()
        raise ServeError(f"cannot listen on {host}:{port}: {err}") from err


def serve(out_dir: str | Path, **options) -> None:
    """Serve until interrupted; the first line on stderr is the URL."""
    server = make_server(out_dir, **options)
    sys.stderr.write(f"listening on {server.url}\n")
    sys.stderr.write(f"SPARQL endpoint: {server.url}sparql\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


__all__ = ["ServeError", "make_server", "serve", "StoreError"]
