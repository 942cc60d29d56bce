"""A throwaway Virtuoso server for tests: temp database, free ports, gone afterwards.

Only the ``virtuoso-opensource-7-bin`` package is needed (``virtuoso-t``);
the dba account (password ``dba``) writes through the digest-protected
``/sparql-auth`` and ``/sparql-graph-crud-auth`` endpoints, so no grants
are changed.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

USER = "dba"
PASSWORD = "dba"
STARTUP_SECONDS = 60.0

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ServerThreads = 10
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class Virtuoso:
    directory: Path
    http_port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """Public, read-only query endpoint."""
        return f"{self.base}/sparql"

    @property
    def sparql_auth(self) -> str:
        """Query and update endpoint behind digest authentication."""
        return f"{self.base}/sparql-auth"

    @property
    def graph_store(self) -> str:
        """Graph Store HTTP Protocol endpoint behind digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"

    def log(self) -> str:
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(f"{url}?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def running_virtuoso(binary: str = "virtuoso-t") -> Iterator[Virtuoso]:
    """Start Virtuoso in a temp dir, yield once its SPARQL endpoint answers, then stop and delete it."""
    directory = Path(tempfile.mkdtemp(prefix="mlkg-virtuoso-"))
    server = Virtuoso(directory, free_port())
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=free_port(), http_port=server.http_port))
    output = open(directory / "stdout.log", "wb")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(server.sparql):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Virtuoso did not start (exit {process.poll()}):\n{server.log()}")
            time.sleep(0.3)
        yield server
    finally:
        _stop(process)
        output.close()
        shutil.rmtree(directory, ignore_errors=True)
