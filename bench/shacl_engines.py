"""mlkg's own SHACL checker against pyshacl (and pyrudof) on one paper-sized slice of a built graph.

    python bench/shacl_engines.py OUT_DIR [--papers 1] [--repeat 20]

Takes the first papers slice of the store under OUT_DIR (as ``kg validate``
cuts it, with the reference nodes it names) and checks it with the shapes
its kind is checked against, by mlkg's checker (kg/shapes.py, as the build
does: from the parsed statements, no rdflib graph), by pyshacl (the rdflib
graph built from the slice's N-Triples, then checked) and by pyrudof when it
can be imported (it is not a dependency: install it beside the project to
measure). Prints each engine's time per check and whether they agree on
conformance and the number of results. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from kg import validate
from kg.store import KnowledgeGraph


def timed(check, repeat: int) -> tuple[float, object]:
    """The median seconds of *repeat* calls of *check*, and its last answer."""
    seconds, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = check()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--papers", type=int, default=1, help="papers in the slice")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plant", action="store_true", help="drop every mentionText, so each mention breaks a shape")
    args = parser.parse_args(argv)
    kg = KnowledgeGraph(args.out, read_only=True)
    piece = next(s for s in validate.slices(kg, papers=args.papers) if s.kind == "papers")
    if args.plant:
        kept = [line for line in piece.ntriples.splitlines(keepends=True) if b"#mentionText>" not in line]
        piece = validate.Slice(piece.kind, b"".join(kept), piece.pointed, piece.limit)
    validate.init_checks()
    shapes = validate._shapes[piece.kind]

    import pyshacl
    from pyoxigraph import RdfFormat, parse
    from rdflib import RDF, URIRef

    from kg.shapes import Checker

    checker = Checker(shapes)  # once, as a worker does

    def by_mlkg():
        results = checker.check(list(parse(piece.ntriples, RdfFormat.N_TRIPLES)))
        return not any(r.severity == validate.SH + "Violation" for r in results), len(results)

    def by_pyshacl():
        conforms, report, _ = pyshacl.validate(
            validate.to_rdflib(piece.ntriples), shacl_graph=shapes, inference="none", allow_warnings=True
        )
        return conforms, sum(1 for _ in report.subjects(RDF.type, URIRef(validate.SH + "ValidationResult")))

    found: dict = {"papers": args.papers, "statements": piece.ntriples.count(b"\n")}
    for name, check in (("mlkg", by_mlkg), ("pyshacl", by_pyshacl)):
        seconds, (conforms, results) = timed(check, args.repeat)
        found[name] = {"seconds": round(seconds, 5), "conforms": conforms, "results": results}
    try:
        import pyrudof
    except ImportError:
        found["pyrudof"] = "not installed"
    else:
        shapes_text = shapes.serialize(format="turtle")
        data_text = piece.ntriples.decode()

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_shacl(shapes_text)  # once, as a worker would

        def by_pyrudof():
            rudof.read_data(data_text, format=pyrudof.RDFFormat.NTriples, merge=False)
            report = rudof.validate_shacl()
            return report.conforms, len(report)

        seconds, (conforms, results) = timed(by_pyrudof, args.repeat)
        found["pyrudof"] = {"seconds": round(seconds, 4), "conforms": conforms, "results": results}
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
