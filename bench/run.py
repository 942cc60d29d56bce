"""Scale benchmark: `kg build` against a plain-rdflib script and the store's floor.

    python bench/run.py --sizes 10000,100000 [--with-million] [--jobs N] [--workdir DIR]
    python bench/run.py --sizes 1000000 --existing --workdir DIR --results FILE

For each size: generate (or reuse) the corpus, then time and measure the
peak memory of (a) `kg build` with the Turtle and TriG exports, (b) the
rdflib baseline under a memory and time cap, (c) pyoxigraph bulk-loading
the very N-Quads our build produced. On the largest store it then times an
incremental update (one new and one changed document), every bundled
query (as it is, and bound to one value as `--bind` does), `kg stats` and
the HTML overview. Prints a markdown report and
writes it to bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.generate import document, write_corpus  # noqa: E402

BIN = Path(sys.executable).parent
KG = str(BIN / "kg")
PYTHON = sys.executable
TIME = "/usr/bin/time"
POLL_SECONDS = 0.2


# -- measuring a process tree --------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float  # the whole process tree, polled
    max_process_rss_mb: float | None  # the largest single process (GNU time), if available
    status: str  # ok | out of memory | timed out | failed (rc N)
    stdout: str = ""
    stderr: str = ""
    #: user + system CPU seconds of the process and the children it waited for (GNU time), if available
    cpu_seconds: float | None = None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stream:
                stat = stream.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    """Resident memory of *root* and all its descendants, in kB."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo.extend(tree.get(pid, ()))
    return total


def measure(
    cmd: list[str],
    *,
    timeout: float | None = None,
    memory_limit_bytes: int | None = None,
    stdout_path: Path | None = None,
) -> Measured:
    """Run *cmd*, returning wall time, peak tree RSS and how it ended."""
    use_time = os.access(TIME, os.X_OK)
    full = [TIME, "-v", *cmd] if use_time else cmd

    def limit() -> None:
        if memory_limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))

    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    started = time.perf_counter()
    proc = subprocess.Popen(full, stdout=out, stderr=subprocess.PIPE, preexec_fn=limit, start_new_session=True)
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            done.wait(POLL_SECONDS)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    poller.join()
    if stdout_path:
        out.close()
    stderr_text = (stderr or b"").decode("utf-8", "replace")
    single = None
    cpu = [float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", stderr_text)]
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr_text)
    if match:
        single = int(match.group(1)) / 1024
        stderr_text = stderr_text[: stderr_text.rfind("\tCommand being timed")]
    if timed_out:
        status = "timed out"
    elif "MemoryError" in stderr_text or "memory allocation" in stderr_text or "Cannot allocate" in stderr_text:
        status = "out of memory"
    elif proc.returncode not in (0, 1) or "Command terminated by signal" in (stderr or b"").decode("utf-8", "replace"):
        status = f"failed (rc {proc.returncode})"
    else:
        status = "ok"
    return Measured(
        round(seconds, 2),
        round(peak / 1024, 1),
        None if single is None else round(single, 1),
        status,
        (stdout or b"").decode("utf-8", "replace"),
        stderr_text,
        round(sum(cpu), 1) if len(cpu) == 2 else None,
    )


def _last_error(stderr: str) -> str:
    """The last line of a traceback (e.g. ``MemoryError``), not GNU time's own lines."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith(("\t", "Command "))]
    return lines[-1] if lines else ""


def last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {}


# -- the benchmark ---------------------------------------------------------------------


@dataclass
class Row:
    size: int
    tool: str
    seconds: float
    triples: int | None
    peak_rss_mb: float
    max_process_rss_mb: float | None
    status: str
    note: str = ""
    ratio_baseline: float | None = None
    ratio_floor: float | None = None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    update: dict = field(default_factory=dict)
    queries: list[dict] = field(default_factory=list)
    views: list[dict] = field(default_factory=list)


def corpus_for(size: int, workdir: Path, seed: int) -> Path:
    path = workdir / f"corpus-{size}.jsonl"
    if not path.exists():
        print(f"generating {size} documents ...", file=sys.stderr)
        write_corpus(size, path, seed)
    return path


def bench_size(size: int, args: argparse.Namespace) -> list[Row]:
    workdir: Path = args.workdir
    corpus = corpus_for(size, workdir, args.seed)
    out = workdir / f"kg-{size}"
    rows: list[Row] = []

    print(f"[{size}] kg build ...", file=sys.stderr)
    built = measure(
        [
            KG,
            "build",
            str(corpus),
            "--out",
            str(out),
            "--fresh",
            "--no-html",
            "--no-validate",
            "--quiet",
            "--jobs",
            str(args.jobs),
        ]
    )
    summary = json.loads((out / "report.json").read_text())["summary"] if built.status == "ok" else {}
    kg_row = Row(
        size,
        "kg build",
        built.seconds,
        summary.get("triples_in_store"),
        built.peak_rss_mb,
        built.max_process_rss_mb,
        built.status,
        f"store + graph.ttl + graph.trig (written while loading) in {summary.get('load_seconds')} s, "
        + (
            f"compaction {summary['compact_seconds']} s"
            if summary.get("compact_seconds")
            else "no compaction (small build)"
        )
        + f", of {summary.get('seconds')} s"
        if summary
        else built.stderr[-300:],
    )
    rows.append(kg_row)

    nquads = workdir / f"kg-{size}.nq"
    subprocess.run(
        [KG, "export", "--format", "nquads", "--out", str(out), "-o", str(nquads)], check=True, capture_output=True
    )
    print(f"[{size}] floor ...", file=sys.stderr)
    floor_store = workdir / f"floor-{size}"
    floor = measure([PYTHON, str(HERE / "floor_oxigraph.py"), str(nquads), "--store", str(floor_store)])
    floor_info = last_json(floor.stdout)
    if kg_row.triples is None:  # large builds skip the quad count; the floor loads the same quads
        kg_row.triples = floor_info.get("quads")
    rows.append(
        Row(
            size,
            "pyoxigraph bulk_load (floor)",
            floor.seconds,
            floor_info.get("quads"),
            floor.peak_rss_mb,
            floor.max_process_rss_mb,
            floor.status,
            f"load of the build's own N-Quads ({nquads.stat().st_size / 1e6:.0f} MB)",
        )
    )
    shutil.rmtree(floor_store, ignore_errors=True)
    nquads.unlink()

    if args.skip_baseline:
        base = None
    else:
        print(f"[{size}] rdflib baseline ...", file=sys.stderr)
        base = measure(
            [PYTHON, str(HERE / "baseline_rdflib.py"), str(corpus), "--out", str(workdir / f"rdflib-{size}.ttl")],
            timeout=args.baseline_timeout,
            memory_limit_bytes=int(args.baseline_memory_gb * 2**30),
        )
        info = last_json(base.stdout)
        note = f"cap {args.baseline_memory_gb:g} GB address space, {args.baseline_timeout:g} s; " + (
            f"added in {info['load_seconds']} s" if info else _last_error(base.stderr)
        )
        rows.append(
            Row(
                size,
                "plain rdflib (baseline)",
                base.seconds,
                info.get("triples"),
                base.peak_rss_mb,
                base.max_process_rss_mb,
                base.status,
                note,
            )
        )
        (workdir / f"rdflib-{size}.ttl").unlink(missing_ok=True)

    for row in (r for r in rows if r.status == "ok"):
        if base is not None and base.status == "ok":
            row.ratio_baseline = round(row.seconds / base.seconds, 2)
        if floor.status == "ok":
            row.ratio_floor = round(row.seconds / floor.seconds, 2)
    return rows


def bench_update(size: int, args: argparse.Namespace) -> dict:
    """Add one new document and change one existing one in the built store."""
    import random

    workdir: Path = args.workdir
    out = workdir / f"kg-{size}"
    corpus = workdir / f"corpus-{size}.jsonl"
    with corpus.open(encoding="utf-8") as stream:
        first = json.loads(stream.readline())
    changed = dict(first, text=first["text"] + " We thank the anonymous reviewers.")
    new = document(size, max(1, size // 20), random.Random(args.seed + 1))
    one = workdir / "one-file.jsonl"
    one.write_text(json.dumps(new) + "\n" + json.dumps(changed) + "\n", encoding="utf-8")
    print(f"[{size}] update ...", file=sys.stderr)
    run = measure([KG, "add", str(one), "--out", str(out)])
    summary = json.loads((out / "report.json").read_text())["summary"]
    # put the original document back so the store matches its corpus again
    one.write_text(json.dumps(first) + "\n", encoding="utf-8")
    subprocess.run([KG, "add", str(one), "--out", str(out)], check=False, capture_output=True)
    return {
        "size": size,
        "seconds": run.seconds,
        "build_seconds": summary.get("seconds"),
        "papers_loaded": summary.get("papers_loaded"),
        "papers_in_store": summary.get("papers_in_store"),
        "peak_rss_mb": run.peak_rss_mb,
        "status": run.status,
    }


#: For the bound timings (`kg query NAME --bind VAR=VALUE`): how to find a
#: value worth asking about for each variable the bundled queries list,
#: read from the running totals (the busiest accelerator, model, ...).
BIND_VALUES = {
    "paperId": "SELECT ?v WHERE { GRAPH ?p { ?p mlkg:paperId ?v } } LIMIT 1",
    "hardware": "SELECT ?v WHERE { ?o qb:dataSet mlkg:runsByHardware ; mlkg:runCount ?n ; mlkg:hardwareName ?v } "
    "ORDER BY DESC(?n) LIMIT 1",
    "model": "SELECT ?v WHERE { ?o qb:dataSet mlkg:models ; mlkg:runCount ?n ; mlkg:modelName ?v } ORDER BY DESC(?n) LIMIT 1",
    "country": "SELECT ?v WHERE { ?o qb:dataSet mlkg:computeByCountry ; mlkg:runCount ?n ; mlkg:forCountry ?c . "
    "?c rdfs:label ?v } ORDER BY DESC(?n) LIMIT 1",
    "manufacturer": "SELECT ?v WHERE { ?o qb:dataSet mlkg:computeByManufacturer ; mlkg:runCount ?n ; "
    "mlkg:forManufacturer ?m . ?m rdfs:label ?v } ORDER BY DESC(?n) LIMIT 1",
    "year": "SELECT ?v WHERE { ?o qb:dataSet mlkg:runsByYear ; mlkg:runCount ?n ; mlkg:forYear ?y . "
    "?y mlkg:yearValue ?v } ORDER BY DESC(?n) LIMIT 1",
}


def binding_for(kg, text: str) -> tuple[str, str] | None:
    """(variable, value) to bind: the first listed variable of *text* that BIND_VALUES can find a value for."""
    select = re.search(r"SELECT\s+(?:DISTINCT\s+)?(.*?)\s+WHERE", text, re.S | re.I)
    for variable in re.findall(r"\?(\w+)", select.group(1)) if select else []:
        if variable in BIND_VALUES:
            found = next(iter(kg.query(BIND_VALUES[variable])), None)
            if found is not None:
                return variable, found["v"].value
    return None


def time_query(out: Path, name: str, bound: bool = False) -> dict:
    """Run one bundled query in this process: execution plus materializing every row.

    With *bound*, the query is asked about one value (see BIND_VALUES) as
    `kg query NAME --bind VAR=VALUE` would ask it.
    """
    from kg.query import named_query, rows, run_query, with_bindings
    from kg.store import KnowledgeGraph

    kg = KnowledgeGraph(out, read_only=True)
    text = named_query(name).text
    entry: dict = {"name": name}
    if bound:
        binding = binding_for(kg, text)
        if binding is None:
            return {**entry, "bound_to": None, "rows": None, "seconds": None}
        entry["bound_to"] = f"{binding[0]}={binding[1]}"
        text = with_bindings(text, {binding[0]: [binding[1]]})
    started = time.perf_counter()
    _, data = rows(run_query(kg, text))
    return {**entry, "rows": len(data), "seconds": round(time.perf_counter() - started, 3)}


def bench_queries(size: int, args: argparse.Namespace) -> list[dict]:
    """Time each bundled query in-process (in a child, so a runaway query can be capped) and via the CLI."""
    from kg.query import bundled_queries

    out = args.workdir / f"kg-{size}"
    results = []
    for query in bundled_queries():
        print(f"[{size}] query {query.name} ...", file=sys.stderr)
        timed = measure(
            [PYTHON, str(Path(__file__).resolve()), "--time-query", query.name, "--workdir", str(out)],
            timeout=args.query_timeout,
        )
        entry = last_json(timed.stdout) if timed.status == "ok" else {"name": query.name, "rows": None, "seconds": None}
        entry["status"] = timed.status
        entry["cli_seconds"] = None
        if timed.status == "ok":
            started = time.perf_counter()
            subprocess.run(
                [KG, "query", query.name, "--format", "csv", "--out", str(out)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            entry["cli_seconds"] = round(time.perf_counter() - started, 3)
        bound = measure(
            [PYTHON, str(Path(__file__).resolve()), "--time-query", query.name, "--bound", "--workdir", str(out)],
            timeout=args.query_timeout,
        )
        found = last_json(bound.stdout) if bound.status == "ok" else {}
        entry["bound_to"] = found.get("bound_to")
        entry["bound_rows"] = found.get("rows")
        entry["bound_seconds"] = found.get("seconds")
        entry["bound_status"] = bound.status
        results.append(entry)
    return results


def bench_views(size: int, args: argparse.Namespace) -> list[dict]:
    """Time whole-store commands: `kg stats`, the HTML overview and (up to --validate-up-to papers) `kg validate`."""
    out = args.workdir / f"kg-{size}"
    commands = {
        "kg stats --json": [KG, "stats", "--json", "--out", str(out)],
        "kg viz (overview)": [KG, "viz", "--out", str(out), "--output", str(args.workdir / f"overview-{size}.html")],
    }
    if size <= args.validate_up_to:
        commands["kg validate --json"] = [KG, "validate", "--json", "--jobs", str(args.jobs), "--out", str(out)]
    results = []
    for name, command in commands.items():
        print(f"[{size}] {name} ...", file=sys.stderr)
        run = measure(command, timeout=args.query_timeout * 10)
        results.append({"name": name, "seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb, "status": run.status})
    return results


# -- report --------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import pyoxigraph

    try:
        import rdflib

        rdflib_version = rdflib.__version__
    except ImportError:
        rdflib_version = "not installed"
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(ram_gb, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib_version,
        "date": dt.date.today().isoformat(),
    }


def _num(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _timed(seconds, status: str, args: argparse.Namespace) -> str:
    if status == "ok":
        return _num(seconds, 3)
    return status + (f" (> {args.query_timeout:g} s)" if status == "timed out" else "")


def render(results: Results, info: dict, args: argparse.Namespace) -> str:
    lines = [
        "# Scale benchmark results",
        "",
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram_gb']} GB RAM; "
        f"Python {info['python']}, pyoxigraph {info['pyoxigraph']}, rdflib {info['rdflib']}; {info['date']}.",
        f"`kg build --jobs {args.jobs}`. Peak RSS is the sum over the process tree (workers included), "
        'polled every 0.2 s; "max proc" is the largest single process (GNU time). Ratios are seconds '
        "divided by the baseline's / the floor's seconds.",
        "",
    ]
    if results.rows:
        lines += [
            "| size | tool | seconds | docs/s | triples/s | triples | peak RSS MB | max proc MB | × baseline | × floor | status | notes |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
    else:
        lines.append("No builds in this run (`--existing`): the store was built beforehand, e.g. by `bench/growth.py`.")
    for r in results.rows:
        ok = r.status == "ok"
        lines.append(
            f"| {r.size:,} | {r.tool} | {r.seconds:,.1f} | {_num(r.size / r.seconds if ok else None)} | "
            f"{_num(r.triples / r.seconds if ok and r.triples else None)} | {_num(r.triples)} | "
            f"{_num(r.peak_rss_mb)} | {_num(r.max_process_rss_mb)} | {_num(r.ratio_baseline, 2)} | "
            f"{_num(r.ratio_floor, 2)} | {r.status} | {r.note} |"
        )
    if results.update:
        u = results.update
        lines += [
            "",
            f"## Incremental update ({u['size']:,}-paper store)",
            "",
            "`kg add one-file.jsonl --out DIR` with one new and one changed document (target < 2 s):",
            "",
            f"- wall time {u['seconds']} s (process start included), build {u['build_seconds']} s; "
            f"papers loaded {u['papers_loaded']}, papers in store {u['papers_in_store']}; "
            f"peak RSS {u['peak_rss_mb']} MB; {u['status']}.",
        ]
    if results.queries:
        lines += [
            "",
            f"## Bundled queries ({results.update.get('size', '')} papers)",
            "",
            "In-process: `run_query` + materializing all rows (target < 1 s). CLI: wall time of "
            "`kg query NAME --format csv`, process start included. Bound: in-process, asked about "
            "one value as `kg query NAME --bind VAR=VALUE` asks (the busiest accelerator, model, "
            "country, manufacturer or year in the running totals, or the first paper).",
            "",
            "| query | rows | in-process s | CLI wall s | bound to | rows | bound s |",
            "|---|---:|---:|---:|---|---:|---:|",
        ]
        lines += [
            f"| {q['name']} | {_num(q['rows'])} | {_timed(q['seconds'], q['status'], args)} "
            f"| {_num(q['cli_seconds'], 2)} | {q.get('bound_to') or '–'} | {_num(q.get('bound_rows'))} "
            f"| {_timed(q.get('bound_seconds'), q.get('bound_status', 'not run'), args)} |"
            for q in results.queries
        ]
    if results.views:
        lines += [
            "",
            "## Whole-store commands",
            "",
            "Wall time, process start included.",
            "",
            "| command | seconds | peak RSS MB | status |",
            "|---|---:|---:|---|",
        ]
        lines += [
            f"| {v['name']} | {_num(v['seconds'], 2)} | {_num(v['peak_rss_mb'])} | {v['status']} |"
            for v in results.views
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--with-million", action="store_true", help="also run 1,000,000 documents")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=Path("bench-work"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-memory-gb", type=float, default=8.0)
    parser.add_argument("--baseline-timeout", type=float, default=1800.0)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--query-timeout", type=float, default=120.0, help="seconds before a query is stopped")
    parser.add_argument("--results", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--validate-up-to",
        type=int,
        default=100_000,
        help="run `kg validate` on stores of at most this many papers (about 4 ms per paper per core)",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="build nothing: time the update and the queries on WORKDIR/kg-SIZE as it is "
        "(for instance after bench/growth.py built the million)",
    )
    parser.add_argument("--time-query", help=argparse.SUPPRESS)
    parser.add_argument("--bound", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_query:
        print(json.dumps(time_query(args.workdir, args.time_query, bound=args.bound)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_million and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    args.workdir.mkdir(parents=True, exist_ok=True)

    results = Results()
    for size in sizes if not args.existing else ():
        results.rows.extend(bench_size(size, args))
    largest = max(sizes)
    built = any(r.size == largest and r.tool == "kg build" and r.status == "ok" for r in results.rows)
    if built or (args.existing and (args.workdir / f"kg-{largest}" / "store").is_dir()):
        results.update = bench_update(largest, args)
        results.queries = bench_queries(largest, args)
        results.views = bench_views(largest, args)
    info = machine()
    text = render(results, info, args)
    print(text)
    args.results.write_text(text, encoding="utf-8")
    (args.results.with_suffix(".json")).write_text(
        json.dumps(
            {
                "machine": info,
                "rows": [asdict(r) for r in results.rows],
                "update": results.update,
                "queries": results.queries,
                "views": results.views,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
