"""Quads per paper, and how many of them describe mentions, by predicate.

    python bench/quads_per_paper.py 2000 --workdir /tmp/quads [--seed 0]

Builds a generated corpus of N papers (no page, no validation) and reads the
store: total quads per paper, the share spent on mentions, and each mention
predicate's quads per paper. The figures say where a smaller graph would come
from (a fact derivable from another one need not be stored). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write_corpus  # noqa: E402
from kg.store import STORE_DIR  # noqa: E402
from kg.vocab import MLKG_NS as MLKG  # noqa: E402

#: Quads whose subject is a mention, by predicate.
MENTION_QUADS = f"""
SELECT ?p (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?m a <{MLKG}Mention> ; ?p ?o }}
}} GROUP BY ?p ORDER BY DESC(?n)
"""


def measure(store: Store, papers: int) -> dict:
    """Quads per paper in all and for mentions, with each mention predicate's share."""
    total = len(store)
    by_predicate = {str(row["p"].value).removeprefix(MLKG): int(row["n"].value) for row in store.query(MENTION_QUADS)}
    mentions = sum(by_predicate.values())
    return {
        "papers": papers,
        "quads": total,
        "quads_per_paper": round(total / papers, 1),
        "mention_quads_per_paper": round(mentions / papers, 1),
        "mention_share": round(mentions / total, 3) if total else 0.0,
        "mention_quads_per_paper_by_predicate": {p: round(n / papers, 1) for p, n in by_predicate.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of papers")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(args.n, work / f"corpus-{args.n}.jsonl", args.seed)
    out = work / f"kg-{args.n}"
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg), "build", str(corpus), "--out", str(out), "--fresh", "--no-html", "--no-validate", "--quiet"]
    subprocess.run(command, check=True)
    store = Store.read_only(str(out / STORE_DIR))
    print(json.dumps(measure(store, args.n), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
