"""How a build's pace changes as the store grows.

    python bench/growth.py corpus-1000000.jsonl --out DIR [--every 50000] [--jobs 2]

Builds the corpus fresh (Turtle and TriG exports included, no view, no
validation) and prints, every ``--every`` documents, the seconds those
documents took, the elapsed total and the peak RSS so far of the whole
process tree (workers included, sampled every second). A flat column of
seconds means the build scales linearly; a rising one shows the store
slowing down as it fills (see README.md, "1,000,000 documents").
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

from kg.build import build


def tree_rss_mb(root: int) -> int:
    """Resident memory of *root* and its direct children, in MB."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if int(entry) != root and parent != root:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return total // 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", required=True)
    parser.add_argument("--every", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    peak = 0

    def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, tree_rss_mb(os.getpid()))
            time.sleep(1)

    threading.Thread(target=sample, daemon=True).start()
    started = last = time.perf_counter()
    seen = 0

    def progress(_entry: dict) -> None:
        nonlocal seen, last
        seen += 1
        if seen % args.every == 0:
            now = time.perf_counter()
            print(f"{seen:>9,} docs  {now - last:7.1f} s  total {now - started:8.1f} s  peak {peak:,} MB", flush=True)
            last = now

    result = build(
        [args.corpus],
        args.out,
        jobs=args.jobs,
        fresh=True,
        validate=False,
        exports=["turtle", "trig"],
        progress=progress,
    )
    summary = result.summary
    print(
        f"done: {summary['documents']:,} documents in {time.perf_counter() - started:.1f} s "
        f"(compaction {summary['compact_seconds']} s), peak {peak:,} MB; "
        f"{summary['papers_in_store']:,} papers in the store",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
