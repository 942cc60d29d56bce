"""Two mlkg versions building the same corpus, side by side in one run.

    python bench/versus.py --before REF [--size 100000] [--rounds 2] [--workdir DIR]

REF is a git commit of this repository (for example the last commit before a
change). Its tree is checked out into the work directory and run with this
interpreter (``PYTHONPATH`` points at it, so both use the same installed
libraries). Each round builds the corpus with one version and then the other,
alternating which goes first, so a machine that gets busier or quieter
during the run affects both alike. Prints a markdown table of wall-clock
seconds, peak memory (GNU time's largest process), papers, runs and quads.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.generate import write_corpus  # noqa: E402

TIME = "/usr/bin/time"


def checkout(ref: str, into: Path) -> Path:
    """The tree of *ref*, exported (no .git), into *into*."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def build(tree: Path, corpus: Path, out: Path) -> dict:
    """One fresh `kg build` of *corpus* by the code in *tree*: seconds, peak MB, and what it built."""
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, PYTHONPATH=str(tree))
    command = [sys.executable, "-c", "from kg.cli import app; app()", "build", str(corpus), "--out", str(out), "-q"]
    timed = [TIME, "-v", *command] if Path(TIME).exists() else command
    started = time.perf_counter()
    done = subprocess.run(timed, env=env, capture_output=True, text=True, cwd=tree)
    seconds = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]
    return {
        "seconds": seconds,
        "peak_mb": int(peak.group(1)) / 1024 if peak else None,
        "papers": report.get("papers_in_store"),
        "quads": report.get("triples_in_store"),
        "status": done.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git commit to compare against (e.g. HEAD~5)")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mlkg-versus"))
    args = parser.parse_args()

    work = args.workdir
    corpus = work / f"corpus-{args.size}.jsonl"
    if not corpus.exists():
        write_corpus(args.size, corpus, seed=7)
    trees = {"before": checkout(args.before, work / "before"), "now": ROOT}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for round_ in range(args.rounds):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            result = build(trees[name], corpus, work / f"out-{name}")
            results[name].append(result)
            print(f"round {round_ + 1}, {name}: {result}", file=sys.stderr, flush=True)

    print(f"\n`kg build` of {args.size:,} bench papers, {args.rounds} rounds, alternating (before = {args.before})\n")
    print("| version | seconds (median) | each round | peak MB | papers | quads |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        seconds = [r["seconds"] for r in runs]
        print(
            f"| {name} | {statistics.median(seconds):.1f} | {', '.join(f'{s:.1f}' for s in seconds)} | "
            f"{max((r['peak_mb'] or 0) for r in runs):.0f} | {runs[-1]['papers']} | {runs[-1]['quads']} |"
        )
    ratio = statistics.median(r["seconds"] for r in results["now"]) / statistics.median(
        r["seconds"] for r in results["before"]
    )
    print(f"\nnow / before: {ratio:.2f}")


if __name__ == "__main__":
    main()
