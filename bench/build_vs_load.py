"""A default `kg build` beside Oxigraph's `bulk_load` of that build's own output.

    python bench/build_vs_load.py 20000 100000 --workdir /tmp/bvl [--seed 0] [--jobs N]

For each size, in one run: generate (or reuse) the corpus, time a default
`kg build --fresh` (validation, exports and pages included), then time
pyoxigraph bulk-loading the `graph.trig` that build wrote into a fresh store.
The ratio is what the build costs beyond the store's own loading. CPU
seconds (user + system, workers included) are given beside the wall-clock
ones: on a machine other work shares they move less than the wall clock.
Prints one JSON object per size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import PYTHON, KG, HERE, corpus_for, last_json, measure  # noqa: E402


def bench(size: int, workdir: Path, seed: int, jobs: int | None) -> dict:
    """One size: the default build, then the floor on its TriG, side by side."""
    corpus = corpus_for(size, workdir, seed)
    out = workdir / f"kg-{size}"
    command = [KG, "build", str(corpus), "--out", str(out), "--fresh", "--quiet"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.strftime("%Y-%m-%d %H:%M")
    built = measure(command)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    summary = report.get("summary", {})
    status = built.status if summary else f"failed: no report.json ({built.status})"  # exit 1 is also a crash
    floor_store = workdir / f"floor-{size}"
    trig = out / "graph.trig"
    loaded = measure(
        [PYTHON, str(HERE / "floor_oxigraph.py"), str(trig), "--store", str(floor_store), "--format", "trig"]
    )
    floor = last_json(loaded.stdout)
    shutil.rmtree(floor_store, ignore_errors=True)
    return {
        "papers": size,
        "started": started,
        "build_seconds": round(built.seconds, 1),
        "build_status": status,
        "build_peak_rss_mb": round(built.peak_rss_mb),
        "build_stages": {k: v for k, v in summary.items() if k.endswith("_seconds")},
        "validation": {
            k: v
            for k, v in summary.get("validation", {}).items()
            if k in ("conforms", "scope", "violation_count", "warning_count", "seconds")
        },
        "quads": floor.get("quads"),
        "bulk_load_seconds": round(loaded.seconds, 1),
        "ratio": round(built.seconds / loaded.seconds, 2) if loaded.seconds else None,
        "build_cpu_seconds": built.cpu_seconds,
        "bulk_load_cpu_seconds": loaded.cpu_seconds,
        "cpu_ratio": round(built.cpu_seconds / loaded.cpu_seconds, 2)
        if built.cpu_seconds and loaded.cpu_seconds
        else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", type=int, nargs="+", help="numbers of papers")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=None, help="as kg build --jobs (default: its own)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        print(json.dumps(bench(size, args.workdir, args.seed, args.jobs)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
