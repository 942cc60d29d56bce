"""Publish the local graph to an external SPARQL server, named graph by named graph.

Each named graph (one per paper, plus the reference graph) replaces its
copy on the server, so pushing twice never duplicates triples. Two ways:

* SPARQL 1.1 Graph Store HTTP Protocol (``graph_store``): ``PUT`` the
  graph, then ``POST`` the rest when a graph is too large for one request;
* SPARQL 1.1 Update (``endpoint``): ``DROP SILENT GRAPH`` and
  ``INSERT DATA``, several graphs per request, each request kept under
  :data:`MAX_REQUEST_BYTES` (servers such as Virtuoso cap request size),
  sent as ``application/sparql-update`` bodies (``kg serve`` takes updates
  in no other form).

``OUT/push-state.json`` remembers, per target, the hash of every graph's
statements as last sent, so an interrupted or repeated push only sends what
changed. Credentials written into a URL (``http://user:password@host/``)
are taken out of it: they are sent as credentials, and never printed,
raised or written to the state file (which only its owner may read).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, Variable, serialize

from .errors import KgError
from .files import write_atomic
from .sparql import Fragment, fill
from .store import KnowledgeGraph
from .vocab import XSD

STATE_FILE = "push-state.json"
MAX_REQUEST_BYTES = 1_000_000
REQUEST_TIMEOUT = 300.0
#: Literal datatypes sent through STRDT rather than INSERT DATA (see split_graph).
COMPUTED_DATATYPES = frozenset({XSD.iri("duration")})


class PushError(KgError, RuntimeError):
    """The server refused a request; the message names the graphs that were not pushed."""

    exit_code = 1  # the command ran; the server said no

    def __init__(self, message: str, result: "PushResult | None" = None):
        super().__init__(message)
        self.result = result


@dataclass
class PushResult:
    pushed: int
    skipped: int
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Graph:
    iri: str
    digest: str


@dataclass(frozen=True)
class Request:
    """One HTTP request: its body, and the graphs whose last part it carries."""

    body: bytes
    graphs: tuple[str, ...]
    completes: tuple[str, ...]
    method: str = "POST"
    graph: str | None = None


# -- the local side -----------------------------------------------------------------


def _triples(kg: KnowledgeGraph, iri: str):
    return (q.triple for q in kg.store.quads_for_pattern(None, None, None, NamedNode(iri)))


def graph_ntriples(kg: KnowledgeGraph, iri: str) -> bytes:
    return serialize(_triples(kg, iri), format=RdfFormat.N_TRIPLES) or b""


def _computed(triple) -> bool:
    return isinstance(triple.object, Literal) and triple.object.datatype.value in COMPUTED_DATATYPES


def split_graph(kg: KnowledgeGraph, iri: str) -> tuple[bytes, list]:
    """N-Triples for INSERT DATA, and the triples whose literals must be computed instead.

    Virtuoso 7 rejects some typed literals (xsd:duration) in INSERT DATA
    but accepts the same value built with STRDT in INSERT ... WHERE, which
    is standard SPARQL and means the same on any server.
    """
    plain: list[Triple] = []
    computed: list[Triple] = []
    for triple in _triples(kg, iri):
        (computed if _computed(triple) else plain).append(triple)
    return serialize(plain, format=RdfFormat.N_TRIPLES) or b"", computed


def computed_insert(graph: str, triples: list) -> bytes:
    """INSERT ... WHERE { BIND(STRDT(...)) } for literals INSERT DATA cannot carry everywhere."""
    patterns, binds = [], []
    for index, triple in enumerate(triples):
        literal, variable = triple.object, Variable(f"v{index}")
        patterns.append(fill("$s $p $v .", s=triple.subject, p=triple.predicate, v=variable))
        binds.append(
            fill("BIND(STRDT($text, $datatype) AS $v)", text=literal.value, datatype=literal.datatype, v=variable)
        )
    text = fill(
        "INSERT { GRAPH $graph { $patterns } } WHERE { $binds }",
        graph=NamedNode(graph),
        patterns=Fragment(" ".join(patterns)),
        binds=Fragment(" ".join(binds)),
    )
    return text.encode("utf-8")


def graph_digest(kg: KnowledgeGraph, iri: str) -> str:
    """A hash of the graph's statements (its sorted N-Triples), as the server will hold them.

    Not a paper's stored text hash: the same text can give another graph
    (the file moved, so its mlkg:sourcePath changed; a rebuild by a newer
    mlkg), and the server must then get the new one.
    """
    lines = sorted(graph_ntriples(kg, iri).splitlines())
    return "sha256:" + hashlib.sha256(b"\n".join(lines)).hexdigest()


def local_graphs(kg: KnowledgeGraph) -> list[Graph]:
    iris = sorted(g.value for g in kg.store.named_graphs() if isinstance(g, NamedNode))
    return [Graph(iri, graph_digest(kg, iri)) for iri in iris]


def chunks(ntriples: bytes, limit: int) -> Iterator[bytes]:
    """Split N-Triples into whole-line pieces of at most about *limit* bytes."""
    piece: list[bytes] = []
    size = 0
    for line in ntriples.splitlines(keepends=True):
        if piece and size + len(line) > limit:
            yield b"".join(piece)
            piece, size = [], 0
        piece.append(line)
        size += len(line)
    if piece:
        yield b"".join(piece)


# -- request planning ---------------------------------------------------------------


def insert_data(graph: NamedNode, ntriples: bytes) -> bytes:
    """INSERT DATA of N-Triples that pyoxigraph wrote (each line one checked triple) into *graph*."""
    return fill(
        "INSERT DATA { GRAPH $graph {\n$triples} }", graph=graph, triples=Fragment(ntriples.decode("utf-8"))
    ).encode("utf-8")


def update_requests(kg: KnowledgeGraph, graphs: list[Graph], limit: int | None = None) -> Iterator[Request]:
    """SPARQL Update requests for a batch of graphs, each under about *limit* bytes."""
    limit = limit or MAX_REQUEST_BYTES
    parts: list[bytes] = []
    members: list[str] = []
    completes: list[str] = []
    size = 0

    def flush() -> Request:
        nonlocal parts, members, completes, size
        request = Request(b" ;\n".join(parts), tuple(members), tuple(completes))
        parts, members, completes, size = [], [], [], 0
        return request

    for graph in graphs:
        name = NamedNode(graph.iri)
        ntriples, computed = split_graph(kg, graph.iri)
        statements = [insert_data(name, piece) for piece in chunks(ntriples, limit)]
        statements += [computed_insert(graph.iri, computed[i : i + 200]) for i in range(0, len(computed), 200)]
        statements = statements or [insert_data(name, b"")]
        for index, statement in enumerate(statements):
            if index == 0:
                statement = fill("DROP SILENT GRAPH $graph ;\n", graph=name).encode("utf-8") + statement
            if parts and size + len(statement) > limit:
                yield flush()
            parts.append(statement)
            size += len(statement)
            if graph.iri not in members:
                members.append(graph.iri)
            if index == len(statements) - 1:
                completes.append(graph.iri)
    if parts:
        yield flush()


def graph_store_requests(kg: KnowledgeGraph, graphs: list[Graph], limit: int | None = None) -> Iterator[Request]:
    """Graph Store Protocol requests: PUT each graph, POST the parts beyond the first."""
    limit = limit or MAX_REQUEST_BYTES
    for graph in graphs:
        pieces = list(chunks(graph_ntriples(kg, graph.iri), limit)) or [b""]
        for index, piece in enumerate(pieces):
            last = (graph.iri,) if index == len(pieces) - 1 else ()
            yield Request(piece, (graph.iri,), last, method="PUT" if index == 0 else "POST", graph=graph.iri)


# -- HTTP ---------------------------------------------------------------------------


def opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    """An opener answering both Basic and Digest challenges (Virtuoso uses Digest)."""
    if user is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password or "")
    return urllib.request.build_opener(
        urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)
    )


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """*url* without its user:password@ part, and the user and password it held."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, has_password, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=hostport))
    return clean, unquote(user), unquote(password) if has_password else None


def _send(open_url: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float) -> None:
    try:
        with open_url.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace")[:500] if err.fp else ""
        raise PushError(f"HTTP {err.code} {err.reason}: {detail}".strip()) from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, TimeoutError) or isinstance(err, TimeoutError):
            raise PushError(f"the server did not answer within {timeout:g} s (see --timeout)") from err
        raise PushError(f"cannot reach the server: {reason}") from err


def http_request(target: str, request: Request, *, graph_store: bool) -> urllib.request.Request:
    if graph_store:
        separator = "&" if "?" in target else "?"
        url = f"{target}{separator}graph={quote(request.graph or '', safe='')}"
        headers = {"Content-Type": "text/turtle; charset=utf-8"}
        return urllib.request.Request(url, data=request.body, method=request.method, headers=headers)
    # "update via POST directly": every SPARQL 1.1 server takes it, and it is the only form
    # kg serve takes (a browser cannot send it from another site without asking first)
    headers = {"Content-Type": "application/sparql-update; charset=utf-8", "Accept": "*/*"}
    return urllib.request.Request(target, data=request.body, method="POST", headers=headers)


def delete_request(target: str, iri: str, *, graph_store: bool) -> urllib.request.Request:
    if graph_store:
        separator = "&" if "?" in target else "?"
        return urllib.request.Request(f"{target}{separator}graph={quote(iri, safe='')}", method="DELETE")
    body = fill("DROP SILENT GRAPH $graph", graph=NamedNode(iri)).encode("utf-8")
    return urllib.request.Request(
        target, data=body, method="POST", headers={"Content-Type": "application/sparql-update; charset=utf-8"}
    )


# -- state --------------------------------------------------------------------------


def load_state(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    # an older mlkg keyed targets by the URL as given, credentials included
    state: dict[str, dict[str, str]] = {}
    for url, graphs in data.items():
        state.setdefault(split_credentials(url)[0], {}).update(graphs if isinstance(graphs, dict) else {})
    return state


def save_state(path: Path, state: dict[str, dict[str, str]]) -> None:
    """Write atomically so an interrupted push never leaves a torn file.

    The file names the servers pushed to, so only its owner may read it:
    the new file is created with mode 0600 and renamed over the old one.
    """
    write_atomic(path, json.dumps(state, indent=1, sort_keys=True), private=True)


# -- push ---------------------------------------------------------------------------


def _names(graphs) -> str:
    graphs = list(graphs)
    shown = ", ".join(graphs[:5])
    return shown + (f" and {len(graphs) - 5} more" if len(graphs) > 5 else "")


def push(
    kg: KnowledgeGraph,
    endpoint: str,
    *,
    graph_store: str | None = None,
    user: str | None = None,
    password: str | None = None,
    batch_size: int = 200,
    resume: bool = True,
    progress: Callable[[str], None] | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> PushResult:
    """Send every named graph that the target does not already hold unchanged.

    Graphs pushed earlier to the same target but since removed locally are
    dropped there too. State is saved after each batch and before raising.
    Credentials in the URL are used (unless *user* / *password* are given)
    and never shown; each request may take *timeout* seconds.
    """
    if timeout <= 0:
        raise PushError("--timeout must be positive")
    endpoint, url_user, url_password = split_credentials(endpoint)
    if graph_store is not None:
        graph_store, store_user, store_password = split_credentials(graph_store)
        url_user, url_password = store_user or url_user, store_password or url_password
    user = user if user is not None else url_user
    password = password if password is not None else url_password
    secrets = [value for value in (password, url_password) if value]

    def hide(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    say = (lambda message: progress(hide(message))) if progress else (lambda message: None)
    target = graph_store or endpoint
    use_graph_store = graph_store is not None
    state_path = kg.out_dir / STATE_FILE
    state = load_state(state_path)
    sent = dict(state.get(target, {})) if resume else {}
    state[target] = sent
    open_url = opener(target, user, password)

    def send(request: urllib.request.Request) -> None:
        try:
            _send(open_url, request, timeout)
        except PushError as err:
            raise PushError(hide(str(err))) from err

    graphs = local_graphs(kg)
    todo = [g for g in graphs if sent.get(g.iri) != g.digest]
    local = {g.iri for g in graphs}
    stale = sorted(iri for iri in sent if iri not in local)
    result = PushResult(pushed=0, skipped=len(graphs) - len(todo))
    say(f"{len(todo)} of {len(graphs)} graphs to push to {target} ({result.skipped} unchanged)")

    def fail(err: PushError, graphs_failed: list[str]) -> PushError:
        save_state(state_path, state)
        result.failed = graphs_failed
        return PushError(hide(f"push to {target} failed for graph(s) {_names(graphs_failed)}: {err}"), result)

    for iri in stale:
        try:
            send(delete_request(target, iri, graph_store=use_graph_store))
        except PushError as err:
            if "HTTP 404" not in str(err):
                raise fail(err, [iri]) from err
        del sent[iri]

    plan = graph_store_requests if use_graph_store else update_requests
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        digests = {g.iri: g.digest for g in batch}
        for request in plan(kg, batch):
            try:
                send(http_request(target, request, graph_store=use_graph_store))
            except PushError as err:
                raise fail(err, list(request.graphs)) from err
            for iri in request.completes:
                sent[iri] = digests[iri]
                result.pushed += 1
        save_state(state_path, state)
        say(f"pushed {result.pushed} of {len(todo)} graphs")
    save_state(state_path, state)
    return result
