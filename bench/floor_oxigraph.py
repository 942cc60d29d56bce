"""The floor: bulk-load already-made N-Quads into a fresh pyoxigraph store.

    python bench/floor_oxigraph.py graph.nq --store DIR [--format trig]

No reading, tagging, normalizing or mapping: only the store's own loading
cost, which no build of the same quads can beat. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time

from pyoxigraph import RdfFormat, Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nquads")
    parser.add_argument("--store", required=True)
    parser.add_argument("--format", choices=["nquads", "trig"], default="nquads")
    args = parser.parse_args(argv)
    shutil.rmtree(args.store, ignore_errors=True)
    started = time.perf_counter()
    store = Store(args.store)
    rdf_format = RdfFormat.TRIG if args.format == "trig" else RdfFormat.N_QUADS
    store.bulk_load(path=args.nquads, format=rdf_format)
    store.flush()
    seconds = time.perf_counter() - started
    print(json.dumps({"quads": len(store), "seconds": round(seconds, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
