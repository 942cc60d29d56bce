"""`kg push` keeps credentials to itself, waits only as long as told, and talks to `kg serve`.

The targets are real: a small HTTP server on 127.0.0.1 that asks for Basic
authentication and records what it gets, a socket that never answers, and
a `kg serve --allow-updates` process.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_serve import ask, copy_store, select_values, start_server, stop_server

from kg.push import PushError, local_graphs, push
from kg.store import KnowledgeGraph

KG = Path(sys.executable).parent / "kg"


class UpdateEndpoint:
    """Takes SPARQL updates from bob (password "secret", HTTP Basic); *failing* paths answer 500."""

    def __init__(self):
        self.requests: list[dict] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization")
                requests.append(
                    {
                        "path": self.path,
                        "authorization": auth,
                        "content_type": self.headers.get("Content-Type"),
                        "body": body,
                    }
                )
                if auth is None:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="test"')
                elif auth != "Basic " + base64.b64encode(b"bob:secret").decode():
                    self.send_response(403)
                elif self.path.startswith("/failing"):
                    self.send_response(500)
                else:
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    running = UpdateEndpoint()
    yield running
    running.close()


@pytest.fixture
def out(example_build, tmp_path) -> Path:
    target = tmp_path / "out"
    copy_store(example_build[0], target)
    return target


def kg_push(out: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG), "push", "--out", str(out), *args], capture_output=True, text=True, timeout=timeout)


# -- credentials in the URL (#14) ------------------------------------------------------------------


def test_credentials_in_the_url_are_used_and_never_shown_or_stored(endpoint, out):
    state_file = out / "push-state.json"
    # a state file written by an older mlkg: world-readable, keyed by the URL with its password
    state_file.write_text(json.dumps({f"http://bob:secret@127.0.0.1:{endpoint.port}/old": {}}))
    os.chmod(state_file, 0o644)
    url = f"http://bob:secret@127.0.0.1:{endpoint.port}/update"
    done = kg_push(out, "--endpoint", url)
    assert done.returncode == 0, done.stderr
    assert "secret" not in done.stdout + done.stderr
    assert f"http://127.0.0.1:{endpoint.port}/update" in done.stderr

    graphs = local_graphs(KnowledgeGraph(out, read_only=True))
    expected = "Basic " + base64.b64encode(b"bob:secret").decode()
    accepted = [r for r in endpoint.requests if r["authorization"] == expected]
    assert accepted and all(r["authorization"] in (None, expected) for r in endpoint.requests)
    assert all(r["content_type"].startswith("application/sparql-update") for r in accepted)
    assert sum(r["body"].count(b"DROP SILENT GRAPH") for r in accepted) == len(graphs)

    text = state_file.read_text()
    assert "secret" not in text and "bob" not in text
    assert set(json.loads(text)) == {
        f"http://127.0.0.1:{endpoint.port}/update",
        f"http://127.0.0.1:{endpoint.port}/old",
    }
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600


def test_a_failing_push_does_not_show_the_password(endpoint, out):
    failed = kg_push(out, "--endpoint", f"http://bob:secret@127.0.0.1:{endpoint.port}/failing")
    assert failed.returncode == 1
    assert "HTTP 500" in failed.stderr
    assert "secret" not in failed.stdout + failed.stderr
    assert "secret" not in (out / "push-state.json").read_text()
    assert stat.S_IMODE((out / "push-state.json").stat().st_mode) == 0o600
    # unreachable: the message names the server, not the password
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    unreachable = kg_push(out, "--endpoint", f"http://bob:secret@127.0.0.1:{closed}/update")
    assert unreachable.returncode == 1
    assert f"127.0.0.1:{closed}" in unreachable.stderr and "secret" not in unreachable.stderr


def test_user_and_password_options_win_over_the_url(endpoint, out):
    result = push(
        KnowledgeGraph(out, read_only=True),
        f"http://eve:wrong@127.0.0.1:{endpoint.port}/update",
        user="bob",
        password="secret",
    )
    assert result.pushed == len(local_graphs(KnowledgeGraph(out, read_only=True)))


# -- --timeout (#16) -------------------------------------------------------------------------------


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(16)
    yield listening.getsockname()[1]
    listening.close()


def test_timeout_is_an_option(out, silent_port):
    kg = KnowledgeGraph(out, read_only=True)
    started = time.monotonic()
    with pytest.raises(PushError) as caught:
        push(kg, f"http://127.0.0.1:{silent_port}/update", timeout=1)
    assert time.monotonic() - started < 60
    assert "did not answer within 1 s" in str(caught.value)

    done = kg_push(out, "--endpoint", f"http://127.0.0.1:{silent_port}/update", "--timeout", "1.5")
    assert done.returncode == 1
    assert "did not answer within 1.5 s" in done.stderr


# -- kg push into kg serve -------------------------------------------------------------------------


def test_push_into_kg_serve(out, tmp_path):
    # kg serve takes updates only as application/sparql-update bodies, which is what push sends
    target = tmp_path / "target"
    target.mkdir()
    running = start_server(target, "--allow-updates")
    try:
        done = kg_push(out, "--endpoint", running.sparql)
        assert done.returncode == 0, done.stderr
        kg = KnowledgeGraph(out, read_only=True)
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        assert select_values(ask(running, count)) == [{"n": str(len(kg))}]
    finally:
        stop_server(running)
