"""How close mlkg's training compute comes to published figures, on real models written as excerpts.

    python bench/compute_accuracy.py [published.json]

The file (default tests/fixtures/compute/published.json) lists real runs:
an excerpt written for mlkg, the compute figure published for the run, on
what basis (stated by the paper, or 6·N·D from the N and D it states) and
the source. The excerpts are built into a scratch folder; one line per run
shows the ratio estimate / published of the headline ``trainingCompute``
and of the hardware method alone, then the distribution of both.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build import build  # noqa: E402
from kg.query import rows, run_query  # noqa: E402
from kg.store import KnowledgeGraph  # noqa: E402

PUBLISHED = ROOT / "tests" / "fixtures" / "compute" / "published.json"

PER_PAPER = """SELECT ?paper ?compute ?method ?hardware WHERE {
  ?p mlkg:paperId ?paper ; mlkg:reports ?run .
  OPTIONAL { ?run mlkg:trainingCompute ?compute ; mlkg:computeMethod ?m }
  OPTIONAL { ?run mlkg:computeEstimate ?e . ?e mlkg:estimationMethod mlkg:HardwareMethod ; mlkg:flop ?hardware }
  BIND(STRAFTER(STR(?m), "#") AS ?method)
}"""


@dataclass(frozen=True)
class Row:
    id: str
    published: float
    headline: float | None
    method: str | None
    hardware: float | None

    @property
    def ratio(self) -> float | None:
        return self.headline / self.published if self.headline else None

    @property
    def hardware_ratio(self) -> float | None:
        return self.hardware / self.published if self.hardware else None


def within(ratio: float | None, factor: float = 2.0) -> bool:
    return ratio is not None and 1 / factor <= ratio <= factor


def accuracy(published: Path = PUBLISHED) -> list[Row]:
    """Build the excerpts and pair each run's figures with the published one."""
    cases = json.loads(published.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "real.jsonl"
        corpus.write_text(
            "".join(json.dumps({"id": c["id"], "text": c["text"]}) + "\n" for c in cases), encoding="utf-8"
        )
        build([str(corpus)], Path(scratch) / "out", jobs=1, exports=[], validate=False)
        kg = KnowledgeGraph(Path(scratch) / "out", read_only=True)
        found = {str(r[0]): r for r in rows(run_query(kg, PER_PAPER))[1]}
    result = []
    for case in cases:
        _, compute, method, hardware = found.get(case["id"], (case["id"], None, None, None))
        result.append(
            Row(
                case["id"],
                float(case["published_flop"]),
                float(compute) if compute else None,
                method or None,
                float(hardware) if hardware else None,
            )
        )
    return result


def _shown(ratio: float | None) -> str:
    return f"{ratio:.2f}" if ratio is not None else "-"


def report(result: list[Row]) -> str:
    lines = [f"{'run':<18} {'published':>10} {'headline':>10} {'method':<21} {'ratio':>6} {'hardware':>9}"]
    for r in result:
        headline = f"{r.headline:.3g}" if r.headline else "-"
        lines.append(
            f"{r.id:<18} {r.published:>10.3g} {headline:>10} {r.method or '-':<21} "
            f"{_shown(r.ratio):>6} {_shown(r.hardware_ratio):>9}"
        )
    for name, ratios in (
        ("headline", [r.ratio for r in result]),
        ("hardware method", [r.hardware_ratio for r in result]),
    ):
        known = sorted(x for x in ratios if x is not None)
        if not known:
            continue
        close = sum(within(x) for x in known)
        lines.append(
            f"{name}: {len(known)} of {len(ratios)} runs have a figure, {close} within 2x ({close / len(known):.0%}); "
            f"ratio median {statistics.median(known):.2f}, quartiles "
            f"{known[len(known) // 4]:.2f}-{known[(3 * len(known)) // 4]:.2f}, range {known[0]:.2f}-{known[-1]:.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(accuracy(Path(sys.argv[1]) if len(sys.argv) > 1 else PUBLISHED)))
