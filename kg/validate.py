"""Check a built graph against the SHACL shapes in ``ontology/shapes.ttl``."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from importlib import resources

from .export import ExportFormat, export
from .store import KnowledgeGraph

SH = "http://www.w3.org/ns/shacl#"


def ontology_text(name: str) -> str:
    """Read a bundled ontology file (``mlkg.ttl`` or ``shapes.ttl``)."""
    return resources.files(__package__).joinpath("ontology", name).read_text(encoding="utf-8")


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    skipped: str | None = None

    def as_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "skipped": self.skipped,
            "violations": self.violations,
            "warnings": self.warnings,
        }


def validate(kg: KnowledgeGraph, *, limit: int = 200) -> ValidationResult:
    """Validate the union graph; at most *limit* results of each severity are kept."""
    import pyshacl
    from rdflib import Graph, Namespace

    buffer = io.BytesIO()
    export(kg, ExportFormat.ntriples, buffer)
    data = Graph()
    data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    shapes = Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    sh = Namespace(SH)
    result = ValidationResult(conforms=True)
    for node in report.subjects(predicate=sh.resultSeverity):
        severity = report.value(node, sh.resultSeverity)
        item = {
            "focus": str(report.value(node, sh.focusNode)),
            "path": str(report.value(node, sh.resultPath) or ""),
            "value": str(report.value(node, sh.value) or ""),
            "message": str(report.value(node, sh.resultMessage) or ""),
        }
        bucket = result.violations if severity == sh.Violation else result.warnings
        if severity == sh.Violation:
            result.conforms = False
        if len(bucket) < limit:
            bucket.append(item)
    result.violations.sort(key=lambda v: (v["focus"], v["path"]))
    result.warnings.sort(key=lambda v: (v["focus"], v["path"]))
    return result
