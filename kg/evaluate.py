"""Score the finder against tagged text: strip the tags, find, compare.

Tagged excerpts are the gold. Each is scored three ways per kind:

* **exact**: a find counts when its kind, start and end equal a gold span's;
* **overlap**: when it shares at least one character with a gold span of its
  kind (each gold span is matched once);
* **fact**: per document, the set of normalized values (the integer of
  "6.7 billion parameters", the catalogue id of "A100 GPUs", the ISO code of
  "the U.K."). A gold tag whose value mlkg cannot read gives no fact in a
  build, so it gives none here either; it still counts at span level.

Misses and false finds are listed at the overlap level, with the gold file's
line and column, so a person can open the file at the spot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

from .finder import KINDS, find
from .kinds import fact_key
from .sources import Document, Rejected, iter_documents, jsonl_record
from .tags import parse_tags

__all__ = ["Evaluation", "Score", "evaluate", "evaluate_documents", "fact_key"]


@dataclass(frozen=True)
class Spot:
    """One gold span or find, where it sits in its file and what it says."""

    kind: str
    text: str
    where: str  # path:line:col in the gold file
    value: str | None


@dataclass
class Score:
    gold: int = 0
    found: int = 0
    exact: int = 0  # finds whose span equals a gold span
    overlap: int = 0  # finds sharing a character with a gold span
    gold_facts: int = 0
    found_facts: int = 0
    facts: int = 0  # values found that the gold has

    @staticmethod
    def _f1(hits: int, found: int, gold: int) -> dict[str, float]:
        precision = hits / found if found else 1.0
        recall = hits / gold if gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}

    def levels(self) -> dict[str, dict[str, float]]:
        return {
            "exact": self._f1(self.exact, self.found, self.gold),
            "overlap": self._f1(self.overlap, self.found, self.gold),
            "fact": self._f1(self.facts, self.found_facts, self.gold_facts),
        }


@dataclass
class Evaluation:
    documents: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {kind: Score() for kind in KINDS})
    misses: list[Spot] = field(default_factory=list)
    false_finds: list[Spot] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def below(self, min_f1: float) -> list[str]:
        """The kinds whose fact-level F1 is under *min_f1*."""
        return [kind for kind, score in self.scores.items() if score.levels()["fact"]["f1"] < min_f1]

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "kinds": {
                kind: {
                    "gold": s.gold,
                    "found": s.found,
                    "gold_facts": s.gold_facts,
                    "found_facts": s.found_facts,
                    **s.levels(),
                }
                for kind, s in self.scores.items()
            },
            "misses": [asdict(spot) for spot in self.misses],
            "false_finds": [asdict(spot) for spot in self.false_finds],
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
        }


def _score_document(doc: Document, result: Evaluation) -> None:
    tagged = parse_tags(doc.text)
    gold = [span for span in tagged.spans if span.name in KINDS]
    finds = find(tagged.plain)
    path = doc.source

    def spot(kind: str, text: str, start: int, value: str | None, at: tuple[int, int] | None = None) -> Spot:
        line, column = at or tagged.source_position(start)
        if jsonl_record(path):  # a JSON Lines record: name the record
            return Spot(kind, text, f"{path} (text {line}:{column})", value)
        return Spot(kind, text, f"{path}:{line}:{column}", value)

    result.documents += 1
    exact = {(s.name, s.start, s.end) for s in gold}
    unmatched = list(gold)
    gold_values: dict[str, set[str]] = {kind: set() for kind in KINDS}
    found_values: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for span in gold:
        score = result.scores[span.name]
        score.gold += 1
        value = fact_key(span.name, span.text)
        if value is not None:
            gold_values[span.name].add(value)
    for item in finds:
        score = result.scores[item.kind]
        score.found += 1
        text = tagged.plain[item.start : item.end]
        value = fact_key(item.kind, text)
        if value is not None:
            found_values[item.kind].add(value)
        if (item.kind, item.start, item.end) in exact:
            score.exact += 1
        partner = next(
            (g for g in unmatched if g.name == item.kind and g.start < item.end and item.start < g.end), None
        )
        if partner is None:
            result.false_finds.append(spot(item.kind, text, item.start, value))
            continue
        unmatched.remove(partner)
        score.overlap += 1
    for span in unmatched:
        value = fact_key(span.name, span.text)
        result.misses.append(spot(span.name, span.text, span.start, value, (span.line, span.column)))  # the tag's "<"
    for kind in KINDS:
        score = result.scores[kind]
        score.gold_facts += len(gold_values[kind])
        score.found_facts += len(found_values[kind])
        score.facts += len(gold_values[kind] & found_values[kind])


def evaluate_documents(items: Iterable[Document | Rejected]) -> Evaluation:
    """Score the finder on tagged documents (a document that can't be read is listed, not scored)."""
    result = Evaluation()
    for item in items:
        if isinstance(item, Rejected):
            result.rejected.append(item)
        else:
            _score_document(item, result)
    return result


def evaluate(paths: Iterable[str]) -> Evaluation:
    """Score the finder on the tagged files, folders and JSON Lines under *paths*."""
    return evaluate_documents(iter_documents(paths))
