"""The ``kg`` command: a thin layer over the library, one call per command."""

from __future__ import annotations


import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, List, NoReturn, Optional

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from .build import COMPACT_AFTER, DEFAULT_EXPORTS, build as build_graph, check_base
from .errors import KgError
from .export import ExportFormat, export as export_graph
from .query import (
    ResultFormat,
    bundled_queries,
    labeller,
    model_bindings,
    parse_bindings,
    resolve_query,
    run_query,
    table_rows,
    with_bindings,
    write_result,
)
from .store import KnowledgeGraph, damaged, is_corruption
from .totals import reads_totals, require_trusted
from .validate import WHOLE_STORE
from .vocab import DEFAULT_BASE
from .workers import WorkerDied

if TYPE_CHECKING:
    from .charts import ChartData

#: The output directory the running command works on, for the message about a damaged store.
_store_in_use: list[Path] = []


class _Commands(TyperGroup):
    """Every command: a store that cannot be opened, or turns out damaged while in use, is one line, not a traceback.

    Opening a damaged store raises StoreError; damage met later (a corrupt
    block read by a query, an export, a push) comes straight from the
    store's engine, in any command, so it is caught here, once.
    """

    # typer types ctx as its private vendored click's Context; what it passes is this typer.Context
    def invoke(self, ctx: typer.Context):  # type: ignore[override]
        _store_in_use.clear()
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except KgError as err:  # every error a user can act on, from any command: one line and its exit code
            fail(str(err), err.exit_code)
        except (OSError, RuntimeError) as err:
            if not is_corruption(err):
                raise
            fail(str(damaged(_store_in_use[-1], err)) if _store_in_use else f"the store is damaged: {err}")


app = typer.Typer(
    cls=_Commands,
    help="Build, query and publish a knowledge graph of machine-learning training facts.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(stderr=True, soft_wrap=True)
OUT_HELP = "Output directory holding the store and the build's files."


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def output_file(target: Path) -> Path:
    """The file a command writes (its -o/--output): not a folder, in a folder that exists."""
    if target.is_dir():
        fail(
            f"{target} is a folder; -o names the file to write (for example {target / 'graph.html'}), "
            "and --out the build folder to read"
        )
    if not target.parent.is_dir():
        fail(f"cannot write {target}: the folder {target.parent} does not exist")
    return target


def open_graph(out: Path) -> KnowledgeGraph:
    _store_in_use.append(out)
    return KnowledgeGraph(out, read_only=True)


def _summary_table(summary: dict) -> Table:
    table = Table(title="Build summary", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    for key, label in [
        ("documents", "documents read"),
        ("ok", "built"),
        ("warning", "built with warnings"),
        ("rejected", "rejected"),
        ("facts", "facts"),
        ("found", "found in plain text"),
        ("papers_loaded", "papers loaded"),
        ("papers_unchanged", "papers unchanged"),
        ("papers_in_store", "papers in store"),
        ("triples_in_store", "quads in store"),
        ("seconds", "seconds"),
    ]:
        table.add_row(label, str(summary.get(key, "")))
    validation = summary.get("validation") or {}
    if validation.get("skipped"):
        shacl = f"skipped: {validation['skipped']}"
    elif validation:
        shacl = "conforms" if validation["conforms"] else f"{validation['violation_count']} violations"
        if validation["warning_count"]:
            shacl += f", {validation['warning_count']} warnings"
        if validation.get("scope") not in (None, WHOLE_STORE):
            shacl += " (the papers this build read)"
    else:
        shacl = "not run"
    table.add_row("SHACL", shacl)
    return table


#: documents with problems shown in the terminal, rejected and with warnings each
SHOWN_PROBLEMS = 10


def note(noted: list[dict], entry: dict) -> None:
    """Keep the first few rejected documents and the first few built with warnings."""
    status = entry["status"]
    if status in ("rejected", "warning") and sum(e["status"] == status for e in noted) < SHOWN_PROBLEMS:
        noted.append(entry)


def where(entry: dict, problem: dict) -> str:
    """`path:LINE:COL` of a problem; in a JSON Lines record, the line and column in its text."""
    source = entry["source"]
    if not problem.get("line"):
        return source
    record = re.search(r":(\d+)$", source)
    if record is None:
        return f"{source}:{problem['line']}:{problem['column']}"
    if record.group(1) == str(problem["line"]) and entry["status"] == "rejected":
        return f"{source}:{problem['column']}"  # the record itself could not be read
    return f"{source} (its text, line {problem['line']}, column {problem['column']})"


def print_problems(noted: list[dict], summary: dict, out: Path) -> None:
    """The first problems of the first rejected documents and documents built with warnings."""
    for status, colour in (("rejected", "red"), ("warning", "yellow")):
        entries = [e for e in noted if e["status"] == status]
        for entry in entries:
            problems = entry["problems"]
            for problem in problems[:3]:
                console.print(f"[{colour}]{status}[/] {where(entry, problem)}: {problem['message']}", highlight=False)
            if len(problems) > 3:
                console.print(f"  ... and {len(problems) - 3} more in this document", highlight=False)
        total = summary.get("this_build", summary).get(status) or 0  # kg add: its own documents
        if total > len(entries):
            console.print(
                f"... {total - len(entries)} more documents {status}; all are in {out / 'report.json'}", highlight=False
            )


def _write_html(kg: KnowledgeGraph, out_dir: Path, charts: ChartData | None = None) -> list[Path]:
    """The build's pages: the interactive graph and the chart page (from *charts* if the build kept them)."""
    from .charts import write_report
    from .viz import write_html

    target = out_dir / "graph.html"
    write_html(kg, target)
    return [target, write_report(kg, out_dir / "report.html", charts)]


#: options build and add share: how papers are named, and compute's assumption
SOURCE_PATHS_OPTION = typer.Option(
    "relative",
    "--source-paths",
    help="How mlkg:sourcePath names each paper's file: 'relative' to the argument's folder, or 'omit'.",
)
UTILIZATION_OPTION = typer.Option(
    None,
    "--utilization",
    min=0.01,
    max=1.0,
    help="Assume this share of peak FLOP/s for every hardware estimate of training compute "
    "(default: 0.3 for language models, 0.4 for others).",
)

EXTRACT_OPTION = typer.Option(
    "auto",
    "--extract",
    help="Find facts in plain text: 'auto' in documents with no fact tags, 'always' in every document "
    "(a tag you wrote wins over a find it overlaps), 'never'. See docs/extraction.md.",
)


def _share(value: float | None) -> Decimal | None:
    """A utilization given on the command line, as the exact decimal written in the graph."""
    return None if value is None else Decimal(repr(value))


@app.command()
def build(
    paths: List[str] = typer.Argument(
        ..., help="Files, folders (searched recursively for .txt/.md/.jsonl) or - for stdin."
    ),
    out: Path = typer.Option(Path("output"), "--out", "-o", help=OUT_HELP),
    fresh: bool = typer.Option(False, "--fresh", help="Delete the existing store and start over."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    base: str = typer.Option(DEFAULT_BASE, "--base", help="Base IRI for the graph's resources."),
    export_formats: List[ExportFormat] = typer.Option(
        list(DEFAULT_EXPORTS), "--export", help="Formats written after the build (repeatable)."
    ),
    no_export: bool = typer.Option(False, "--no-export", help="Write no export files, only the store and report."),
    validate: Optional[bool] = typer.Option(
        None,
        "--validate/--no-validate",
        help="SHACL-validate the whole store in one pass after loading (default: each paper as it is mapped, then the shared nodes and totals).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary table."),
    html: bool = typer.Option(
        True, "--html/--no-html", help="Also write graph.html, the interactive view, and report.html, the charts."
    ),
    batch_size: int = typer.Option(2000, "--batch-size", min=1, hidden=True, help="Papers per store batch."),
    compact: bool = typer.Option(
        True,
        "--compact/--no-compact",
        help=f"Compact the store after loading {COMPACT_AFTER:,} papers or more (faster queries, smaller store).",
    ),
    source_paths: str = SOURCE_PATHS_OPTION,
    utilization: Optional[float] = UTILIZATION_OPTION,
    extract: str = EXTRACT_OPTION,
) -> None:
    """Build or update the knowledge graph from tagged excerpts (plain text too: see --extract).

    Example: kg build examples/papers --out output
    """
    show = not quiet and console.is_terminal
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} documents"),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
    )
    noted: list[dict] = []  # documents rejected or built with warnings, the first few of each

    def on_document(entry: dict) -> None:
        progress.advance(task)
        note(noted, entry)

    _store_in_use.append(out)
    with progress:
        task = progress.add_task("building", total=None)
        result = build_graph(
            paths,
            out,
            jobs=jobs,
            fresh=fresh,
            base=base,
            exports=[] if no_export else [f.value for f in export_formats],
            validate=validate,
            progress=on_document,
            after_store=_write_html if html else None,
            batch_size=batch_size,
            compact_after=COMPACT_AFTER if compact else sys.maxsize,
            utilization=_share(utilization),
            extract=extract,
            source_paths=source_paths,
        )
    if not quiet:
        console.print(_summary_table(result.summary))
        print_problems(noted, result.summary, out)
        console.print(f"report: {out / 'report.json'}", highlight=False)
        for path in result.outputs:
            console.print(f"wrote {path}", highlight=False)
    raise typer.Exit(result.exit_code)


@app.command()
def add(
    paths: List[str] = typer.Argument(..., help="Files, folders or - for stdin, as for build."),
    out: Path = typer.Option(Path("output"), "--out", "-o", help=OUT_HELP),
    base: str = typer.Option(DEFAULT_BASE, "--base", help="Base IRI for the graph's resources."),
    source_paths: str = SOURCE_PATHS_OPTION,
    utilization: Optional[float] = UTILIZATION_OPTION,
    extract: str = EXTRACT_OPTION,
) -> None:
    """Add or replace a few papers in an existing store, quickly.

    Unlike build, it rewrites no export files, view or validation report
    (run `kg export`, `kg viz`, `kg validate --paper ID` when you need
    them), so an update to a store of a million papers takes about a second.

    Example: kg add new-papers.jsonl --out output
    """
    if not (out / "store").is_dir():
        fail(f"no knowledge graph in {out}/: run `kg build PATH --out {out}` first")
    _store_in_use.append(out)
    noted: list[dict] = []
    result = build_graph(
        paths,
        out,
        jobs=1,
        base=base,
        exports=[],
        validate=False,
        progress=lambda entry: note(noted, entry),
        utilization=_share(utilization),
        extract=extract,
        merge_report=True,
        source_paths=source_paths,
    )
    summary = result.summary
    print_problems(noted, summary, out)
    console.print(
        f"{summary['papers_loaded']} papers added or replaced, {summary['papers_unchanged']} unchanged, "
        f"{summary['this_build']['rejected']} rejected ({summary['seconds']} s); report: {out / 'report.json'} "
        f"(all {summary['documents']} documents built into it)",
        highlight=False,
    )
    raise typer.Exit(result.exit_code)


@app.command()
def tag(
    paths: List[str] = typer.Argument(..., help="Files, folders or - for stdin, as for build."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Folder to write the tagged copies into (never over the inputs)."
    ),
    extract: str = typer.Option(
        "auto",
        "--extract",
        help="'auto': tag documents that have no tags yet; 'always': add finds beside a person's tags too.",
    ),
) -> None:
    """Write each document back with the facts the finder sees tagged, for a person to review.

    The copies use exactly the tags kg build reads: correct them, then build
    from them. JSON Lines stay JSON Lines.

    Example: kg tag plain/ -o review/ && kg build review/ --out output
    """
    from .tagging import tag_paths

    if output.exists() and not output.is_dir():
        fail(f"{output} is a file; -o names the folder kg tag writes into")
    if extract not in ("auto", "always"):
        fail(f"--extract is {extract!r}; kg tag takes auto or always")
    files = tag_paths(paths, output, extract)
    if not files:
        fail(f"no documents (.txt, .md, .jsonl) under {', '.join(paths)}")
    for written in files:
        for rejected in written.rejected:
            console.print(f"not read: {rejected.source}: {rejected.reason}", highlight=False, markup=False)
        if written.documents:
            console.print(
                f"wrote {written.path} ({written.documents} documents, {written.tags} tags found)"
                if written.documents > 1
                else f"wrote {written.path} ({written.tags} tags found)",
                highlight=False,
                markup=False,
            )
    raise typer.Exit(1 if any(f.rejected for f in files) else 0)


@app.command(name="eval")
def evaluate_finder(
    paths: List[str] = typer.Argument(..., help="Tagged excerpts (files, folders, JSON Lines): the gold."),
    output_format: str = typer.Option("table", "--format", "-f", help="table or json."),
    min_f1: Optional[float] = typer.Option(
        None, "--min-f1", min=0.0, max=1.0, help="Exit 1 when a kind's fact-level F1 is below this."
    ),
    show: int = typer.Option(20, "--show", min=0, help="How many misses and false finds to list (table format)."),
) -> None:
    """Score the finder: strip the tags, find, and compare with what the tags say.

    Precision, recall and F1 per kind: span level (exact, and overlapping)
    and fact level (the normalized value). Misses and false finds are
    listed as file:line:col.

    Example: kg eval examples/papers --min-f1 0.9
    """
    from .evaluate import evaluate

    if output_format not in ("table", "json"):
        fail(f"--format is {output_format!r}; kg eval writes table or json")
    result = evaluate(paths)
    if not result.documents and not result.rejected:
        fail(f"no documents (.txt, .md, .jsonl) under {', '.join(paths)}")
    if output_format == "json":
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print_evaluation(result, show)
    below = result.below(min_f1) if min_f1 is not None else []
    if below:
        console.print(f"fact-level F1 below {min_f1} for: {', '.join(below)}", highlight=False)
        raise typer.Exit(1)


def _print_evaluation(result, show: int) -> None:
    out = Console(soft_wrap=True)
    table = Table(
        title=f"Finder against the tags of {result.documents} documents",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    table.add_column("kind", no_wrap=True, min_width=9)
    for name in ("gold", "found", "exact F1", "span P", "span R", "span F1", "fact P", "fact R", "fact F1"):
        table.add_column(name, justify="right")
    for kind, score in result.scores.items():
        levels = score.levels()
        cells = [levels["exact"]["f1"]] + [
            levels[level][key] for level in ("overlap", "fact") for key in ("precision", "recall", "f1")
        ]
        table.add_row(kind, str(score.gold), str(score.found), *(f"{value:.2f}" for value in cells))
    out.print(table)
    for title, spots in (("missed", result.misses), ("found but not tagged", result.false_finds)):
        if not spots or not show:
            continue
        out.print(f"{title} ({len(spots)}):", highlight=False)
        for spot in spots[:show]:
            out.print(f"  {spot.where}  {spot.kind}  {spot.text!r}", highlight=False, markup=False)
        if len(spots) > show:
            out.print(f"  ... {len(spots) - show} more (--show N, or --format json for all)", highlight=False)
    for rejected in result.rejected:
        out.print(f"not read: {rejected.source}: {rejected.reason}", highlight=False, markup=False)


@app.command()
def query(
    sparql: Optional[str] = typer.Argument(None, help="SPARQL text, a .rq file, or a bundled query's name."),
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    fmt: ResultFormat = typer.Option(ResultFormat.table, "--format", "-f", help="Result format."),
    list_queries: bool = typer.Option(False, "--list", help="List the bundled queries."),
    bind: Optional[list[str]] = typer.Option(
        None,
        "--bind",
        "-b",
        metavar="VAR=VALUE",
        help="Only answers where ?VAR is VALUE (repeat for several values or variables); "
        "VALUE is text, a number, <iri>, mlkg:name or a quoted SPARQL literal.",
    ),
) -> None:
    """Ask a SPARQL question of the built graph (all named graphs are visible).

    Example: kg query facts-with-source --bind paperId=2301.00001
    """
    if list_queries:
        table = Table()
        table.add_column("name", no_wrap=True)  # a name is what you type: never cut or wrapped
        table.add_column("title")
        table.add_column("description")
        for q in bundled_queries():
            table.add_row(q.name, q.title, q.description)
        Console().print(table)
        return
    if not sparql:
        fail("give a query (SPARQL, a .rq file, or a name from `kg query --list`)")
    text, bindings = resolve_query(sparql), parse_bindings(bind or [])  # the user's mistakes first
    kg = open_graph(out)
    if reads_totals(text):
        require_trusted(kg, "this query")
    text = with_bindings(text, model_bindings(kg, bindings))
    result = run_query(kg, text)
    if fmt is ResultFormat.table:
        names, data, numeric = table_rows(result, labeller(kg))
        table = Table()
        for index, name in enumerate(names):
            table.add_column(name, justify="right" if index in numeric else "left", no_wrap=index in numeric)
        for row in data:
            table.add_row(*row)
        # wide enough that no cell is cut: a wide table is wider than the terminal, not truncated
        natural = sum(max([len(n), *(len(r[i]) for r in data)]) + 3 for i, n in enumerate(names)) + 1
        Console(width=max(120, Console().width, natural)).print(table)
        console.print(f"{len(data)} rows", highlight=False)
    else:
        write_result(result, fmt, sys.stdout.buffer)
        sys.stdout.flush()


@app.command()
def export(
    fmt: ExportFormat = typer.Option(
        ExportFormat.turtle,
        "--format",
        "-f",
        help="RDF format, graphml/gexf for Gephi and Cytoscape, or csv for the one-row-per-model table.",
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    base: str = typer.Option(DEFAULT_BASE, "--base", help="Base IRI used for compact names."),
) -> None:
    """Export the whole graph; dataset formats keep one named graph per paper.

    Example: kg export --format jsonld -o output/graph.jsonld
    """
    check_base(base)
    kg = open_graph(out)
    if output is None:
        export_graph(kg, fmt, sys.stdout.buffer, base=base)
        sys.stdout.flush()
    else:
        export_graph(kg, fmt, output_file(output), base=base)
        # which store it came from: --out (default output/) is read, -o written
        console.print(f"wrote {output} from the store in {out}/", highlight=False)


@app.command()
def validate(
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    paper: Optional[list[str]] = typer.Option(
        None, "--paper", "-p", metavar="ID", help="Check only this paper and the shared nodes it names (repeatable)."
    ),
    engine: str = typer.Option(
        "mlkg", "--engine", help="mlkg (its own SHACL checker) or pyshacl (a second opinion, several times slower)."
    ),
) -> None:
    """Check the built graph against the SHACL shapes; exit 1 on violations.

    Example: kg validate --out output --engine pyshacl
    """
    from .validate import ENGINES
    from .validate import validate as run_validation

    if engine not in ENGINES:
        fail(f"unknown --engine {engine!r}: one of {', '.join(ENGINES)}")
    kg = open_graph(out)
    papers = None
    if paper:
        papers = []
        for paper_id in dict.fromkeys(paper):
            iri = kg.paper_iri(paper_id)
            if iri is None:
                fail(f"no paper with id {paper_id!r} in {out}")
            papers.append(iri)
    try:
        result = run_validation(kg, jobs=jobs or os.cpu_count() or 1, papers=papers, engine=engine)
    except WorkerDied as err:
        fail(f"{err}; nothing was checked", code=1)
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        for kind, items in (("violation", result.violations), ("warning", result.warnings)):
            for item in items:
                console.print(f"{kind}: {item['focus']} {item['path']}: {item['message']}", highlight=False)
        shown = len(result.violations) + len(result.warnings)
        if shown < (result.violation_count or 0) + (result.warning_count or 0):
            console.print(f"(the first {shown} results by focus node are shown)", highlight=False)
        if papers is not None:
            console.print(f"checked {result.scope}", highlight=False)
        console.print("conforms" if result.conforms else f"{result.violation_count} violations", highlight=False)
        if result.warning_count:
            console.print(f"{result.warning_count} warnings", highlight=False)
    raise typer.Exit(0 if result.conforms else 1)


@app.command()
def viz(
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="HTML file to write (default: graph.html in --out)."
    ),
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    focus: Optional[str] = typer.Option(None, "--focus", help="Label or IRI of the node to centre on."),
    depth: int = typer.Option(1, "--depth", min=0, help="Hops around --focus to include."),
    sparql: Optional[str] = typer.Option(
        None, "--query", help="CONSTRUCT or SELECT (text, .rq file or bundled name) whose result to draw."
    ),
    budget: int = typer.Option(2000, "--budget", min=10, help="Most nodes drawn before the view aggregates."),
) -> None:
    """Write a self-contained interactive HTML view (works offline).

    Example: kg viz --focus "NVIDIA H100" --depth 2 -o output/h100.html
    """
    from .viz import write_html

    kg = open_graph(out)
    output = output_file(output or out / "graph.html")
    text = resolve_query(sparql) if sparql else None
    summary = write_html(kg, output, focus=focus, depth=depth, query=text, node_budget=budget)
    console.print(f"wrote {output} ({summary.nodes} nodes, {summary.edges} edges)", highlight=False)


@app.command()
def report(
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="HTML file to write (default: report.html in --out)."
    ),
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
) -> None:
    """Write the chart page: training compute over time, accelerator-hours by country,
    accelerators' share by year and model size over time (one offline HTML file).

    Example: kg report -o report.html
    """
    from .charts import write_report

    kg = open_graph(out)
    target = output_file(output or out / "report.html")
    try:
        write_report(kg, target)
    except OSError as err:
        fail(f"cannot write {target}: {err.strerror or err}")
    console.print(f"wrote {target}", highlight=False)


@app.command()
def stats(
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    top: int = typer.Option(10, "--top", min=1, help="How many hardware/countries to list."),
) -> None:
    """Counts, top hardware and countries, components and centrality.

    Example: kg stats --json
    """
    from .stats import compute_stats, render_stats

    result = compute_stats(open_graph(out), top=top)
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        render_stats(result, Console())


@app.command()
def serve(
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (default: loopback only)."),
    port: int = typer.Option(7878, "--port", help="TCP port."),
    allow_updates: bool = typer.Option(False, "--allow-updates", help="Accept SPARQL Update requests."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run."),
    max_results: int = typer.Option(100_000, "--max-results", help="Most rows or triples a query may return."),
    allow_service: bool = typer.Option(
        False, "--allow-service", help="Let SERVICE and LOAD make the server fetch other URLs (refused by default)."
    ),
    client_timeout: float = typer.Option(
        30.0, "--client-timeout", help="Seconds a client may take to send each part of a request."
    ),
) -> None:
    """Serve the graph over the SPARQL 1.1 Protocol, with a query page at /.

    Example: kg serve --port 7878   (then open http://127.0.0.1:7878/)
    """
    from .serve import serve as run_server

    run_server(
        out,
        host=host,
        port=port,
        allow_updates=allow_updates,
        timeout=timeout,
        max_results=max_results,
        allow_service=allow_service,
        client_timeout=client_timeout,
    )


@app.command()
def push(
    endpoint: str = typer.Option(..., "--endpoint", help="SPARQL Update endpoint URL."),
    graph_store: Optional[str] = typer.Option(
        None, "--graph-store", help="Graph Store HTTP Protocol URL (preferred when given)."
    ),
    user: Optional[str] = typer.Option(None, "--user", help="User name (HTTP basic or digest auth)."),
    password: Optional[str] = typer.Option(
        None, "--password", envvar="KG_PUSH_PASSWORD", help="Password (or set KG_PUSH_PASSWORD)."
    ),
    out: Path = typer.Option(Path("output"), "--out", help=OUT_HELP),
    batch_size: int = typer.Option(200, "--batch-size", min=1, help="Graphs per request batch."),
    resume: bool = typer.Option(True, "--resume/--restart", help="Skip graphs a previous push already sent unchanged."),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds to wait for the server's answer to each request."),
) -> None:
    """Publish the graph, named graph by named graph, to a SPARQL server.

    Example: kg push --endpoint http://127.0.0.1:8890/sparql-auth --user dba --password dba
    """
    from .push import push as run_push

    result = run_push(
        open_graph(out),
        endpoint,
        graph_store=graph_store,
        user=user,
        password=password,
        batch_size=batch_size,
        resume=resume,
        progress=lambda message: console.print(message, highlight=False),
        timeout=timeout,
    )
    console.print(f"pushed {result.pushed} graphs, skipped {result.skipped} unchanged", highlight=False)


def main() -> None:  # pragma: no cover - entry point
    app()
