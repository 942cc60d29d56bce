"""Data safety with real processes: killed workers.

Nothing here is simulated: builds run as `kg` processes, workers are killed
with SIGKILL as the kernel's out-of-memory killer does, stores are damaged
by garbling their files. Whatever can hang on a regression runs in a child
process under a generous timeout, so a hang fails the test instead of the
whole run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.store import STORE_DIR, KnowledgeGraph

from conftest import ROOT

KG = str(Path(sys.executable).parent / "kg")
#: Documents in the corpus a build must still be busy with while the test acts on it:
#: several seconds of work on 2 cores.
CORPUS_DOCUMENTS = 6000
#: Generous: a hang is what these tests catch, not slowness.
TIMEOUT = 180

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills processes with POSIX signals, reads /proc")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A synthetic corpus large enough that building it takes several seconds."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import write_corpus

    return write_corpus(CORPUS_DOCUMENTS, tmp_path_factory.mktemp("corpus") / "corpus.jsonl", seed=21)


def corpus_ids(corpus: Path) -> list[str]:
    return [json.loads(line)["id"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]


def start_build(corpus: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [KG, "build", str(corpus), "--out", str(out), "-q", "--no-html", "--no-validate", "-j", "2", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def children(pid: int) -> list[int]:
    """The child processes of *pid* (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def wait_for(condition, what: str, process: subprocess.Popen):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert process.poll() is None, f"the build ended before {what}: {process.communicate()}"
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def reported_bytes(out: Path) -> int:
    """How much of report.json a running build has written (it streams to a hidden file)."""
    return sum(part.stat().st_size for part in out.glob(".report-*")) if out.is_dir() else 0


def paper_count(out: Path) -> int:
    kg = KnowledgeGraph(out, read_only=True)
    try:
        return kg.paper_count()
    finally:
        del kg


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        for child in children(process.pid):
            os.kill(child, signal.SIGKILL)
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"the build did not finish within {TIMEOUT} s (it hangs): {stderr[-2000:]}")
    return process.returncode, stdout, stderr


# -- 2. a worker that dies does not hang the build ----------------------------------


def test_a_build_whose_worker_is_killed_finishes_and_reports_every_document(corpus, tmp_path):
    out = tmp_path / "out"
    process = start_build(corpus, out)
    try:
        # once documents are being reported, mapping is in full swing: every worker holds a chunk
        wait_for(lambda: reported_bytes(out) > 100_000, "documents to be reported", process)
        os.kill(children(process.pid)[0], signal.SIGKILL)  # as the OOM killer does
    finally:
        code, _, stderr = finish(process)
    assert "Traceback" not in stderr
    report = json.loads((out / "report.json").read_text())
    assert [d["id"] for d in report["documents"]] == corpus_ids(corpus)  # every one, in order
    for doc in report["documents"]:
        if doc["status"] == "rejected":  # only if the retry's worker died too
            assert "the worker mapping this document died (killed by signal 9" in doc["problems"][0]["message"]
    built = sum(1 for d in report["documents"] if d["status"] != "rejected")
    assert code == (1 if built < CORPUS_DOCUMENTS else 0), stderr
    assert paper_count(out) == built


def run_child(script: str) -> subprocess.CompletedProcess:
    """Run *script* in a fresh interpreter (the workers it starts are its own) under a timeout."""
    try:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT
        )
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"hangs: {err.stderr}") from None


# A function that kills its own worker process for some items: the death is a
# real SIGKILL; the marker file tells the first attempt from the second.
DYING = """
    import os, signal
    from pathlib import Path
    from kg.workers import WorkerDied, windowed_map

    MARKER = None  # a file: kill only the first worker that meets 13

    def square(x):
        if x == 13 and not (MARKER and MARKER.exists()):
            if MARKER:
                MARKER.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return x * x
"""


def test_windowed_map_gives_an_item_whose_worker_died_to_a_fresh_worker(tmp_path):
    marker = tmp_path / "died-once"
    result = run_child(DYING + f"""
    MARKER = Path({str(marker)!r})
    print(list(windowed_map(square, range(40), jobs=2, window=2)))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([x * x for x in range(40)])
    assert marker.exists()


def test_windowed_map_gives_up_on_an_item_that_kills_every_worker_it_meets(tmp_path):
    result = run_child(DYING + """
    print(list(windowed_map(square, range(40), jobs=2, on_death=lambda x, reason: f"{x}: {reason}")))
    try:
        list(windowed_map(square, range(40), jobs=2))
    except WorkerDied as err:
        print("raised:", err)
    """)
    assert result.returncode == 0, result.stderr
    given_up, raised = result.stdout.strip().splitlines()
    expected = [x * x for x in range(40)]
    expected[13] = "13: killed by signal 9 (SIGKILL), perhaps out of memory"
    assert given_up == str(expected)  # in order, the others all done
    assert raised == (
        "raised: worker processes died 2 times on the same piece of work "
        "(the last one killed by signal 9 (SIGKILL), perhaps out of memory)"
    )


def test_windowed_map_raises_when_workers_cannot_start():
    # multiprocessing.Pool restarted workers whose initializer failed, forever
    result = run_child("""
    from kg.workers import windowed_map

    def start():
        raise LookupError("no shapes")

    try:
        list(windowed_map(abs, range(10), jobs=2, initializer=start))
    except RuntimeError as err:
        print(err)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "a worker process could not start: LookupError: no shapes"


def test_validation_whose_worker_is_killed_finishes(corpus, tmp_path):
    # validation shares the window of workers with the build: a killed worker must not hang it
    out = tmp_path / "out"
    subset = tmp_path / "subset.jsonl"
    subset.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(keepends=True)[:1000]), encoding="utf-8")
    build([str(subset)], out, jobs=2, exports=[], validate=False)
    # small slices, so that there are many and a worker is always busy with one
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            from kg.store import KnowledgeGraph
            from kg.validate import validate
            result = validate(KnowledgeGraph({str(out)!r}, read_only=True), jobs=2, slice_papers=10, slice_nodes=50)
            print("checked", result.violation_count, result.warning_count)
        """)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        born: dict[int, float] = {}
        def old_worker():
            now = time.monotonic()
            for child in children(process.pid):
                born.setdefault(child, now)
            # a worker a second old has read the shapes (0.2 s) and is checking a slice
            return next((child for child, since in born.items() if now - since > 1.0 and Path(f"/proc/{child}").exists()), None)
        os.kill(wait_for(old_worker, "a busy validation worker", process), signal.SIGKILL)
    finally:
        code, stdout, stderr = finish(process)
    assert code == 0, stderr
    assert stdout.startswith("checked ")
