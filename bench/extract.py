"""Extraction benchmark: what finding facts in plain text costs a build.

    python bench/extract.py --sizes 10000,100000 [--jobs N] [--workdir DIR]
    python bench/extract.py --sizes 100000 --finder-only     # the finder alone, no builds

For each size it writes the bench corpus (bench/generate.py) twice, tagged
and with its tags stripped, then times side by side, in one run:
(a) `kg build` of the tagged corpus with `--extract never` (today's build),
(b) `kg build` of the stripped corpus with `--extract auto` (the finder reads
every document). Both write the default exports and pages. It also times the
finder alone on one core, and scores it on the stripped corpus against the
tags (`kg eval`, fact level). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.run import KG, measure  # noqa: E402
from kg.evaluate import evaluate  # noqa: E402
from kg.finder import find  # noqa: E402
from kg.tags import parse_tags  # noqa: E402


def write_corpora(n: int, workdir: Path) -> tuple[Path, Path]:
    tagged, plain = workdir / f"tagged-{n}.jsonl", workdir / f"plain-{n}.jsonl"
    if not (tagged.exists() and plain.exists()):
        with tagged.open("w", encoding="utf-8") as t, plain.open("w", encoding="utf-8") as p:
            for record in generate(n):
                t.write(json.dumps(record, ensure_ascii=False) + "\n")
                stripped = {**record, "text": parse_tags(record["text"]).plain}
                p.write(json.dumps(stripped, ensure_ascii=False) + "\n")
    return tagged, plain


def finder_alone(plain: Path, limit: int = 5000) -> tuple[float, float]:
    """Documents and characters per second of kg.finder.find on one core."""
    texts = []
    with plain.open(encoding="utf-8") as stream:
        for line in stream:
            texts.append(json.loads(line)["text"])
            if len(texts) >= limit:
                break
    find("warm up the pipeline")
    started = time.perf_counter()
    for text in texts:
        find(text)
    seconds = time.perf_counter() - started
    return len(texts) / seconds, sum(map(len, texts)) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mlkg-bench-extract"))
    parser.add_argument("--eval-limit", type=int, default=2000, help="documents scored against their tags")
    parser.add_argument("--finder-only", action="store_true", help="time the finder alone (best of three passes)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        tagged, plain = write_corpora(n, args.workdir)
        if args.finder_only:
            passes = [finder_alone(plain) for _ in range(3)]
            docs_per_s, chars_per_s = max(passes)
            print(
                f"{n:,} papers: the finder alone, one core: {docs_per_s:,.0f} documents/s "
                f"({chars_per_s / 1e6:.2f} M characters/s; passes {', '.join(f'{d:,.0f}' for d, _ in passes)}); "
                f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            )
            continue
        docs_per_s, chars_per_s = finder_alone(plain)
        runs = {}
        for name, corpus, mode in (("tagged", tagged, "never"), ("plain", plain, "auto")):
            out = args.workdir / f"out-{name}-{n}"
            cmd = [
                KG,
                "build",
                str(corpus),
                "--out",
                str(out),
                "--fresh",
                "-q",
                "-j",
                str(args.jobs),
                "--extract",
                mode,
            ]
            runs[name] = measure(cmd)
            if runs[name].status != "ok":
                print(f"{name} build {runs[name].status}: {runs[name].stderr[-2000:]}", file=sys.stderr)
        sample = args.workdir / f"sample-{n}.jsonl"
        with tagged.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
            for _, line in zip(range(args.eval_limit), src):
                dst.write(line)
        scores = evaluate([str(sample)]).as_dict()["kinds"]
        fact_f1 = min(k["fact"]["f1"] for k in scores.values())
        rows.append((n, runs["tagged"], runs["plain"], docs_per_s, chars_per_s, fact_f1))
    if args.finder_only:
        return 0
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{dt.date.today().isoformat()}; jobs {args.jobs}; "
        f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    print(
        "| papers | tagged build, --extract never | stripped build, --extract auto | extra | finder alone (1 core) | lowest fact F1 (bench corpus) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n, a, b, dps, cps, f1 in rows:
        extra = (b.seconds / a.seconds - 1) * 100
        print(
            f"| {n:,} | {a.seconds:.1f} s, {a.peak_rss_mb:.0f} MB | {b.seconds:.1f} s, {b.peak_rss_mb:.0f} MB | "
            f"{extra:+.0f} % | {dps:,.0f} docs/s ({cps / 1e6:.2f} M chars/s) | {f1:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
