"""The baseline: what a first plain-rdflib script for the same job looks like.

    python bench/baseline_rdflib.py corpus.jsonl --out graph.ttl

Reads the JSONL, finds tags with a regex, adds a comparable set of triples
(paper, run, model, parameter count, hardware, count, country, year and
mention-like provenance) to one in-memory ``rdflib.Graph`` and serializes it
to Turtle. Values are read naively (first number times a magnitude word), as
a first script would. Prints one JSON line: documents, triples, seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, RDF, RDFS, URIRef
from rdflib.namespace import XSD

MLKG = Namespace("https://w3id.org/mlkg/ontology#")
ID = "https://w3id.org/mlkg/id/"
TAG = re.compile(r"<([a-z_]+)>(.*?)</\1>", re.S)
NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|million|[TBMK])?", re.I)
SCALE = {"t": 10**12, "trillion": 10**12, "b": 10**9, "billion": 10**9, "m": 10**6, "million": 10**6, "k": 10**3}
RUN_PROPERTY = {
    "gpu_count": MLKG.hardwareQuantity,
    "training": MLKG.trainingDuration,
    "hardware": MLKG.hardware,
    "country": MLKG.country,
    "year": MLKG.year,
}


def node(*parts: str) -> URIRef:
    return URIRef(ID + "/".join(quote(p, safe="") for p in parts))


def number(text: str) -> int | None:
    match = NUMBER.search(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    return int(value * SCALE.get((match.group(2) or "").lower(), 1))


def add_document(graph: Graph, doc_id: str, text: str, source: str) -> None:
    paper = node("paper", doc_id)
    run = URIRef(paper + "/run")
    add = graph.add
    add((paper, RDF.type, MLKG.Paper))
    add((paper, RDFS.label, Literal(doc_id)))
    add((paper, MLKG.paperId, Literal(doc_id)))
    add((paper, MLKG.sourcePath, Literal(source)))
    add((paper, MLKG.contentHash, Literal("sha256:" + hashlib.sha256(text.encode()).hexdigest())))
    add((paper, MLKG.reports, run))
    add((run, RDF.type, MLKG.TrainingRun))
    add((run, RDFS.label, Literal(f"training run reported in {doc_id}")))
    model = URIRef(paper + "/model")
    for index, match in enumerate(TAG.finditer(text), start=1):
        name, value = match.group(1), " ".join(match.group(2).split())
        mention = URIRef(f"{paper}/mention/{index}")
        add((mention, RDF.type, MLKG.Mention))
        add((mention, RDFS.label, Literal(f"{name}: {value}")))
        add((mention, MLKG.inPaper, paper))
        add((mention, MLKG.tagName, Literal(name)))
        add((mention, MLKG.mentionText, Literal(value)))
        add((mention, MLKG.startOffset, Literal(match.start(2))))
        add((mention, MLKG.endOffset, Literal(match.end(2))))
        start = text.rfind(". ", 0, match.start()) + 1
        end = text.find(". ", match.end())
        add((mention, MLKG.sourceSentence, Literal(text[start : end if end > 0 else None].strip())))
        if name == "model":
            model = node("model", value.lower())
            add((model, RDF.type, MLKG.Model))
            add((model, RDFS.label, Literal(value)))
            subject, prop, obj = run, MLKG.trainedModel, model
        elif name == "params":
            subject, prop, obj = model, MLKG.parameterCount, Literal(number(value))
        elif name in ("hardware", "country"):
            obj = node(name, value.lower())
            add((obj, RDF.type, MLKG.Hardware if name == "hardware" else MLKG.Country))
            add((obj, RDFS.label, Literal(value)))
            subject, prop = run, RUN_PROPERTY[name]
        elif name == "year":
            obj = node("year", value)
            add((obj, RDF.type, MLKG.Year))
            subject, prop = run, MLKG.year
        elif name == "training":
            subject, prop, obj = run, MLKG.trainingDuration, Literal(value, datatype=XSD.string)
        else:
            subject, prop, obj = run, RUN_PROPERTY.get(name, MLKG.note), Literal(number(value))
        add((subject, prop, obj))
        add((mention, MLKG.factSubject, subject))
        add((mention, MLKG.factProperty, prop))
        add((mention, MLKG.factValue, obj))
    add((run, MLKG.trainedModel, model))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    graph = Graph()
    documents = 0
    with open(args.corpus, encoding="utf-8") as stream:
        for number_, line in enumerate(stream, start=1):
            record = json.loads(line)
            add_document(graph, str(record["id"]), record["text"], f"{args.corpus}:{number_}")
            documents += 1
    loaded = time.perf_counter() - started
    graph.serialize(args.out, format="turtle")
    print(
        json.dumps(
            {
                "documents": documents,
                "triples": len(graph),
                "load_seconds": round(loaded, 3),
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
    )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
