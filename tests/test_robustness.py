"""Data safety with real processes: a second build beside a running one, killed workers, damaged stores.

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
from support import PAPERS, ROOT
from typer.testing import CliRunner

from kg.build import BuildError, build
from kg.cli import app
from kg.store import LOCK_FILE, STORE_DIR, KnowledgeGraph, StoreError

KG = str(Path(sys.executable).parent / "kg")
#: Documents in the corpus a build must still be busy with while the test acts on it:
#: several seconds of work on 2 cores.
CORPUS_DOCUMENTS = 6000
#: Generous: a hang is what these tests catch, not slowness.
TIMEOUT = 180
runner = CliRunner()

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills processes with POSIX signals, reads /proc")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A synthetic corpus large enough that building it takes several seconds."""
    from bench.generate import write_corpus

    return write_corpus(CORPUS_DOCUMENTS, tmp_path_factory.mktemp("corpus") / "corpus.jsonl", seed=21)


def corpus_ids(corpus: Path) -> list[str]:
    return [json.loads(line)["id"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]


def start_build(corpus: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [KG, "build", str(corpus), "--out", str(out), "-q", "--no-html", "--no-validate", "-j", "2", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
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
        raise AssertionError(f"the build did not finish within {TIMEOUT} s (it hangs): {stderr[-2000:]}") from None
    return process.returncode, stdout, stderr


# -- 1. one writer at a time; --fresh never deletes a store in use ---------------------


def test_fresh_build_is_refused_while_another_build_writes_the_store(corpus, tmp_path):
    out = tmp_path / "out"
    first = start_build(corpus, out)
    try:
        # the store directory exists once the first build holds the lock and has opened it
        wait_for(lambda: (out / STORE_DIR / "CURRENT").exists(), "the first build opened its store", first)
        second = subprocess.run(
            [KG, "build", str(corpus), "--out", str(out), "--fresh", "-q", "--no-html", "--no-validate"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        adding = subprocess.run(
            [KG, "add", str(PAPERS), "--out", str(out)], capture_output=True, text=True, timeout=TIMEOUT
        )
        with pytest.raises(StoreError, match="another `kg` process"):
            KnowledgeGraph.wipe(out)  # the library's --fresh, too
        assert (out / STORE_DIR / "CURRENT").exists()  # ... deleted nothing
        still_running = first.poll() is None
    finally:
        code, _, stderr = finish(first)
    for refused in (second, adding):
        assert refused.returncode == 2, refused.stderr
        assert "another `kg` process" in refused.stderr and "is writing to the store" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert still_running  # the refusals were met while the first build ran
    assert code == 0, stderr
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["documents"] == CORPUS_DOCUMENTS and report["summary"]["rejected"] == 0
    assert paper_count(out) == CORPUS_DOCUMENTS
    # and the lock goes with the process: a fresh build now starts over
    again = subprocess.run(
        [KG, "build", str(PAPERS), "--out", str(out), "--fresh", "-q", "--no-html", "--no-validate", "--no-export"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert again.returncode == 0, again.stderr
    assert paper_count(out) == len([p for p in PAPERS.rglob("*") if p.suffix in (".txt", ".md")])


def test_a_store_is_opened_for_writing_by_one_kg_object_at_a_time(tmp_path):
    build([str(PAPERS / "002_80ad1e266ef25220.txt")], tmp_path, jobs=1, exports=[], validate=False)
    writer = KnowledgeGraph(tmp_path)
    with pytest.raises(StoreError, match="another `kg` process"):
        KnowledgeGraph(tmp_path)
    with pytest.raises(StoreError, match="another `kg` process"):
        build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False, fresh=True)
    writer.close()
    assert build([str(PAPERS)], tmp_path, jobs=1, exports=[], validate=False, fresh=True).exit_code == 0
    assert (tmp_path / LOCK_FILE).exists()


def _damage(out: Path, how: str) -> None:
    store = out / STORE_DIR
    if how == "CURRENT":
        (store / "CURRENT").write_text("MANIFEST-999999\n")  # names a manifest that is not there
    else:
        manifest = next(store.glob("MANIFEST-*"))
        with manifest.open("r+b") as stream:
            stream.seek(64)
            stream.write(b"\xff" * 256)


@pytest.mark.parametrize("how", ["MANIFEST", "CURRENT"])
def test_a_damaged_store_is_a_one_line_error_that_says_how_to_recover(tmp_path, how):
    out = tmp_path / "out"
    assert build([str(PAPERS)], out, jobs=1, exports=[], validate=False).exit_code == 0
    _damage(out, how)

    query = subprocess.run(
        [KG, "query", "ASK { ?s ?p ?o }", "--out", str(out)], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert query.returncode == 2
    assert "Traceback" not in query.stderr
    assert len(query.stderr.strip().splitlines()) == 1, query.stderr
    assert "is damaged" in query.stderr and f"--out {out} --fresh" in query.stderr

    serve = subprocess.run(
        [KG, "serve", "--out", str(out), "--port", "0"], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert serve.returncode == 2 and "is damaged" in serve.stderr and "Traceback" not in serve.stderr

    for args in (
        ["build", str(PAPERS), "--out", str(out), "-q", "--no-html"],
        ["add", str(PAPERS), "--out", str(out)],
        ["export", "--out", str(out)],
        ["validate", "--out", str(out)],
        ["stats", "--out", str(out)],
        ["viz", "--out", str(out), "--output", str(tmp_path / "view.html")],
        ["push", "--endpoint", "http://127.0.0.1:9/sparql", "--out", str(out)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output, result.exception)
        assert isinstance(result.exception, SystemExit), (args, result.exception)  # not a crash
        assert "is damaged" in result.output and "--fresh" in result.output, (args, result.output)

    # the advice works
    fresh = runner.invoke(app, ["build", str(PAPERS), "--out", str(out), "--fresh", "-q", "--no-html"])
    assert fresh.exit_code == 0, fresh.output
    assert runner.invoke(app, ["query", "ASK { ?s ?p ?o }", "--out", str(out), "--format", "json"]).exit_code == 0


def test_a_reader_that_meets_a_store_being_written_is_told_to_try_again(tmp_path):
    # files a running build replaces can vanish under a reader: that is not damage, and no reason to rebuild
    out = tmp_path / "out"
    build([str(PAPERS)], out, jobs=1, exports=[], validate=False)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from kg.store import StoreLock; lock = StoreLock(sys.argv[1]); "
            "print('locked', flush=True); sys.stdin.read()",
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        _damage(out, "CURRENT")
        query = subprocess.run(
            [KG, "query", "ASK { ?s ?p ?o }", "--out", str(out)], capture_output=True, text=True, timeout=TIMEOUT
        )
    finally:
        writer.communicate("", timeout=TIMEOUT)
    assert query.returncode == 2 and "Traceback" not in query.stderr
    assert f"another `kg` process (pid {writer.pid}) is writing it" in query.stderr
    assert "try again when it has finished" in query.stderr and "--fresh" not in query.stderr


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
    result = run_child(
        DYING
        + f"""
    MARKER = Path({str(marker)!r})
    print(list(windowed_map(square, range(40), jobs=2, window=2)))
    """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([x * x for x in range(40)])
    assert marker.exists()


def test_windowed_map_gives_up_on_an_item_that_kills_every_worker_it_meets(tmp_path):
    result = run_child(
        DYING
        + """
    print(list(windowed_map(square, range(40), jobs=2, on_death=lambda x, reason: f"{x}: {reason}")))
    try:
        list(windowed_map(square, range(40), jobs=2))
    except WorkerDied as err:
        print("raised:", err)
    """
    )
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
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            from kg.store import KnowledgeGraph
            from kg.validate import validate
            result = validate(KnowledgeGraph({str(out)!r}, read_only=True), jobs=2, slice_papers=10, slice_nodes=50)
            print("checked", result.violation_count, result.warning_count)
        """),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        born: dict[int, float] = {}

        def old_worker():
            now = time.monotonic()
            for child in children(process.pid):
                born.setdefault(child, now)
            # a worker a second old has read the shapes (0.2 s) and is checking a slice
            return next(
                (child for child, since in born.items() if now - since > 1.0 and Path(f"/proc/{child}").exists()), None
            )

        os.kill(wait_for(old_worker, "a busy validation worker", process), signal.SIGKILL)
    finally:
        code, stdout, stderr = finish(process)
    assert code == 0, stderr
    assert stdout.startswith("checked ")


# -- 8. a bad --base touches nothing; user mistakes are one line -----------------------


@pytest.mark.parametrize(
    "base", ["not a base", "relative/path/", "https://example.org/a b/", "https://example.org/kg#x#"]
)
def test_a_bad_base_iri_is_refused_before_anything_is_written(tmp_path, base):
    out = tmp_path / "new"
    result = runner.invoke(app, ["build", str(PAPERS), "--out", str(out), "--base", base])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "--base" in result.output and "not an absolute IRI" in result.output
    assert not out.exists()

    existing = tmp_path / "existing"
    build([str(PAPERS / "002_80ad1e266ef25220.txt")], existing, jobs=1, exports=[], validate=False)
    before = {p.name: p.stat().st_mtime_ns for p in existing.iterdir()}
    for command in (["build", "--fresh"], ["add"]):
        result = runner.invoke(app, [command[0], str(PAPERS), "--out", str(existing), "--base", base, *command[1:]])
        assert result.exit_code == 2 and "not an absolute IRI" in result.output, result.output
    export = runner.invoke(app, ["export", "--out", str(existing), "--base", base, "-o", str(tmp_path / "graph.ttl")])
    assert export.exit_code == 2 and "not an absolute IRI" in export.output, export.output
    assert not (tmp_path / "graph.ttl").exists()
    assert {p.name: p.stat().st_mtime_ns for p in existing.iterdir()} == before  # no store.pending, no totals.stale
    with pytest.raises(BuildError):
        build([str(PAPERS)], tmp_path / "library", base=base)
    assert not (tmp_path / "library").exists()


def test_an_output_directory_that_cannot_be_one_is_a_one_line_error(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    for out in (a_file, a_file / "out"):
        result = runner.invoke(app, ["build", str(PAPERS), "--out", str(out), "-q"])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
        assert "output directory" in result.output
    # a parent that does not exist yet is made
    result = runner.invoke(app, ["build", str(PAPERS), "--out", str(tmp_path / "new" / "deeper"), "-q", "--no-html"])
    assert result.exit_code == 0, result.output
