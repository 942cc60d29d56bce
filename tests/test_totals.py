"""The running totals (kg/totals.py): counted as the facts count, kept current.

The bundled queries read totals that builds keep; `tests/queries_from_facts/`
asks the same questions of the facts themselves. Both must give the same
answers on a varied corpus after a fresh build, after updates that change,
add and re-spell, and after the totals were lost.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from bench.generate import write_corpus
from kg.build import build
from kg.query import named_query, rows, run_query
from kg.restatements import AS_RUN
from kg.sparql import fill
from kg.stats import compute_stats
from kg.store import TOTALS_STALE_FILE, KnowledgeGraph
from kg.terms import Iris
from kg.tally import DERIVED, SLICES, PaperFacts, RunFacts, Tally
from kg.totals import trusted
from kg.viz import aggregated_view
from kg.vocab import RDFS, SKOS_NS

FROM_FACTS = Path(__file__).resolve().parent / "queries_from_facts"
QUERIES = sorted(p.stem for p in FROM_FACTS.glob("*.rq"))
KG = str(Path(sys.executable).parent / "kg")
IRIS = Iris()

A100, H100, V100 = (IRIS.hardware(h) for h in ("nvidia-a100", "nvidia-h100", "nvidia-v100"))
TPU = IRIS.hardware("google-tpu-v4")
NVIDIA, GOOGLE = IRIS.organization("nvidia"), IRIS.organization("google")
DE, FR = IRIS.country("DE"), IRIS.country("FR")
GPT, BERT = IRIS.model("gpt"), IRIS.model("bert")


# -- what one run adds (pure) -----------------------------------------------------------


def run(model: str = GPT, usages=(), hours=None, **fields) -> RunFacts:
    return RunFacts(
        model=model,
        usages=list(usages),
        accelerator_hours=hours,
        **{name: set(value) for name, value in fields.items()},
    )


@pytest.mark.parametrize(
    ("paper", "expected"),
    [
        pytest.param(
            PaperFacts(
                [
                    run(
                        hardware=[(A100, NVIDIA)],
                        countries=[DE],
                        usages=[(A100, NVIDIA, 8, Decimal(80))],
                        hours=Decimal(80),
                    )
                ],
                mentions=6,
            ),
            {
                ("runs",): (1, 0, 6, 1, 0, 1, 0, Decimal(0)),
                ("hardware", A100): (1,),
                ("country", DE): (1, 1, Decimal(80), 0, Decimal(0)),
                ("country-hardware", DE, A100): (1,),
                ("manufacturer", NVIDIA): (1, 8, Decimal(80)),
                ("model", GPT): (1, 0, 1),
                ("hardware-model", A100, GPT): (1,),
            },
            id="one of everything",
        ),
        pytest.param(
            PaperFacts(
                [
                    run(
                        hardware=[(A100, NVIDIA), (H100, NVIDIA), (TPU, GOOGLE)],
                        countries=[DE],
                        usages=[
                            (A100, NVIDIA, 8, Decimal(80)),
                            (H100, NVIDIA, 16, Decimal(160)),
                            (TPU, GOOGLE, 4, Decimal(40)),
                        ],
                        hours=Decimal(280),
                    )
                ]
            ),
            {
                ("runs",): (1, 0, 0, 1, 0, 1, 0, Decimal(0)),
                ("hardware", A100): (1,),
                ("hardware", H100): (1,),
                ("hardware", TPU): (1,),
                # the hours count once: by country the run's, by maker each usage's share
                ("country", DE): (1, 1, Decimal(280), 0, Decimal(0)),
                ("country-hardware", DE, A100): (1,),
                ("country-hardware", DE, H100): (1,),
                ("country-hardware", DE, TPU): (1,),
                ("manufacturer", NVIDIA): (1, 24, Decimal(240)),
                ("manufacturer", GOOGLE): (1, 4, Decimal(40)),
                ("model", GPT): (1, 0, 1),
                ("hardware-model", A100, GPT): (1,),
                ("hardware-model", H100, GPT): (1,),
                ("hardware-model", TPU, GPT): (1,),
            },
            id="8 A100 and 16 H100 and 4 TPU for 10 hours",
        ),
        pytest.param(
            PaperFacts([run(hardware=[(A100, NVIDIA)], countries=[DE, FR], usages=[(A100, NVIDIA, 8, None)])]),
            {
                ("runs",): (1, 0, 0, 1, 0, 1, 0, Decimal(0)),
                ("hardware", A100): (1,),
                # no duration: no compute for the country, but the count still adds to the maker
                ("country", DE): (1, 0, Decimal(0), 0, Decimal(0)),
                ("country", FR): (1, 0, Decimal(0), 0, Decimal(0)),
                ("country-hardware", DE, A100): (1,),
                ("country-hardware", FR, A100): (1,),
                ("manufacturer", NVIDIA): (1, 8, Decimal(0)),
                ("model", GPT): (1, 0, 1),
                ("hardware-model", A100, GPT): (1,),
            },
            id="no duration, two countries",
        ),
        pytest.param(
            PaperFacts(
                [
                    run(
                        GPT,
                        parameters=[(GPT, 7)],
                        hardware=[(IRIS.unknown_hardware("x"), None)],
                        years=[IRIS.year(2024)],
                    ),
                    run(BERT, hardware=[(IRIS.unknown_hardware("x"), None)], years=[IRIS.year(2024)]),
                ],
                mentions=3,
            ),
            {
                # two runs of one paper: each counts, the paper once
                ("runs",): (2, 2, 3, 1, 1, 2, 0, Decimal(0)),
                ("year", IRIS.year(2024)): (2, 0, Decimal(0)),
                ("hardware", IRIS.unknown_hardware("x")): (2,),
                ("hardware-year", IRIS.unknown_hardware("x"), IRIS.year(2024)): (2,),
                ("model", GPT): (1, 1, 1),
                ("model", BERT): (1, 0, 1),
                ("model-parameters", GPT, 7): (1,),
                ("hardware-model", IRIS.unknown_hardware("x"), GPT): (1,),
                ("hardware-model", IRIS.unknown_hardware("x"), BERT): (1,),
            },
            id="two models, two runs, unknown hardware has no maker",
        ),
    ],
)
def test_what_one_paper_adds(paper: PaperFacts, expected: dict) -> None:
    tally = Tally()
    tally.add(paper)
    assert {key: tuple(values) for key, values in tally.values.items()} == expected


# -- totals against the facts -------------------------------------------------------------

EDGE_CASES = [
    # two accelerators of one maker, two counts, two durations
    (
        "multi",
        "<model>Gamma-7B</model> has <params>7B</params>. We used <gpu_count>64</gpu_count> "
        "<hardware>A100</hardware> and <gpu_count>32</gpu_count> <hardware>H100</hardware> for "
        "<training>3 days</training>, then <training>12 hours</training>, in <country>Germany</country>, "
        "<year>2023</year>.",
    ),
    (
        "other-size",
        "<model>gamma-7b</model> has <params>6.9 billion parameters</params> on "
        "<hardware>TPU v4</hardware> in <country>France</country>, <year>2024</year>.",
    ),
    # untouched by the update below, whose new spelling must still rename it
    ("gamma-again", "<model>Gamma-7B</model> was trained on <hardware>V100</hardware>."),
    (
        "unnamed",
        "A network of <params>125M</params> trained on <gpu_count>8</gpu_count> <hardware>V100</hardware> "
        "for <training>2 days</training> in <country>Deutschland</country>.",
    ),
    (
        "unknown-hw",
        "<model>Zeta</model> ran on <gpu_count>4</gpu_count> <hardware>FooChip 9000</hardware> for "
        "<training>1 week</training> in <country>Japan</country>.",
    ),
    ("unknown-hw-2", "<model>Zeta</model> ran on <hardware>foochip-9000</hardware> in <year>2022</year>."),
    (
        "unreadable",
        "<model>Eta</model> used <gpu_count>many</gpu_count> <hardware>A100</hardware> for "
        "<training>a while</training> in <country>Atlantis</country>.",
    ),
    ("nothing", "No tags here at all."),
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def normalized(result) -> list[tuple]:
    """Rows with numbers compared as numbers (an integer 0 equals a decimal 0)."""
    _, data = rows(result)

    def cell(value: str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        if number == number.to_integral_value() and abs(number) < 10**15:
            return number
        # a sum of FLOP: kept exactly as a decimal, summed as doubles over the facts
        return Decimal(f"{float(number):.12g}")

    return [tuple(cell(v) for v in row) for row in data]


def overview_and_stats(out: Path) -> list:
    """What the aggregated HTML view and `kg stats` show, at two node budgets."""
    kg = KnowledgeGraph(out, read_only=True)
    shown = [compute_stats(kg, top=100)]
    for budget in (40, 5000):  # models folded / models drawn
        view = aggregated_view(kg, budget)
        shown.append(
            (
                {iri: node.runs for iri, node in view.nodes.items()},
                sorted((e.source, e.target, e.prop, e.weight or 0) for e in view.edges),
                view.folded,
                view.note,
            )
        )
    return shown


def assert_totals_match_the_facts(out: Path) -> None:
    # the view and stats read the totals when they are trusted, else count the facts
    assert trusted(KnowledgeGraph(out, read_only=True))
    from_totals = overview_and_stats(out)
    (out / TOTALS_STALE_FILE).touch()
    from_facts = overview_and_stats(out)
    (out / TOTALS_STALE_FILE).unlink()
    assert from_totals == from_facts
    assert from_totals[0]["runs_without_year"] > 0 and from_totals[1][2]["Model"] > 0

    kg = KnowledgeGraph(out, read_only=True)
    for name in QUERIES:
        from_totals = normalized(run_query(kg, named_query(name).text))
        from_facts = normalized(run_query(kg, (FROM_FACTS / f"{name}.rq").read_text(encoding="utf-8")))
        assert from_facts, f"{name}: the corpus should give rows"
        if name == "largest-models":  # LIMIT 20: the order decides which rows
            assert from_totals == from_facts, name
        else:
            assert sorted(from_totals, key=repr) == sorted(from_facts, key=repr), name
    assert not (out / TOTALS_STALE_FILE).exists()


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> list[dict]:
    corpus = write_corpus(400, tmp_path_factory.mktemp("corpus") / "corpus.jsonl", seed=5)
    generated = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    return generated + [{"id": i, "text": text} for i, text in EDGE_CASES]


@pytest.fixture(scope="module")
def built(records, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("totals")
    corpus = write_jsonl(folder / "corpus.jsonl", records)
    out = folder / "out"
    result = build([str(corpus)], out, jobs=2, exports=[], validate=False, batch_size=50)
    assert result.summary["papers_loaded"] == len(records)
    return out


def test_every_question_with_totals_has_its_from_facts_twin() -> None:
    for name in QUERIES:
        reads = {f"mlkg:{m}" for spec in SLICES.values() for m in spec.measures} | {f"mlkg:{m}" for m in DERIVED}
        assert any(term in named_query(name).text for term in reads), name
        # mlkg:acceleratorHours is a fact of runs and usages as well as a measure
        facts_only = reads - {"mlkg:acceleratorHours"}
        text = (FROM_FACTS / f"{name}.rq").read_text(encoding="utf-8")
        assert not any(term in text for term in facts_only) and "qb:" not in text, name


def test_fresh_build_totals_match_the_facts(built) -> None:
    assert_totals_match_the_facts(built)


def changed(records: list[dict]) -> list[dict]:
    """Edits that move totals: other hardware, a size, a lost model tag, a lower-sorting name."""
    by_id = {r["id"]: r["text"] for r in records}
    edits = [
        {"id": "multi", "text": by_id["multi"].replace("<hardware>H100</hardware>", "<hardware>TPU v4</hardware>")},
        {"id": "other-size", "text": by_id["other-size"].replace("6.9 billion", "8 billion")},
        {"id": "unknown-hw", "text": by_id["unknown-hw"].replace("<model>Zeta</model>", "Zeta")},
        {
            "id": "respelled",
            "text": "<model>GAMMA-7B</model> of <params>7B</params> on <gpu_count>2</gpu_count> "
            "<hardware>A100</hardware> for <training>5 hours</training> in "
            "<country>Germany</country>, <year>2023</year>.",
        },
        {"id": "unknown-hw-3", "text": "<model>Theta</model> ran on <hardware>FOOCHIP 9000</hardware>."},
        # with "respelled", three papers now write GAMMA-7B, two Gamma-7B: the model is renamed
        {"id": "respelled-2", "text": "We fine-tune <model>GAMMA-7B</model> in <country>France</country>."},
        {"id": "respelled-3", "text": "<model>GAMMA-7B</model> was evaluated in <year>2024</year>."},
    ]
    generated = [r for r in records if r["id"].startswith("doc-")]
    for record in generated[:12]:
        text = record["text"].replace("<model>", "<model>Renamed ", 1)
        if "<year>" in text:
            text = text.replace("<year>", "<year>2019</year> (was <year>", 1)
        edits.append({"id": record["id"], "text": text})
    edits.append(dict(generated[20]))  # unchanged: skipped
    return edits


def test_added_and_changed_papers_keep_the_totals_right(built, records, tmp_path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    update = write_jsonl(tmp_path / "update.jsonl", changed(records))
    result = subprocess.run([KG, "add", str(update), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]
    assert (report["papers_loaded"], report["papers_unchanged"]) == (len(changed(records)) - 1, 1)
    assert_totals_match_the_facts(out)

    names = {
        row[0]
        for row in rows(run_query(KnowledgeGraph(out, read_only=True), named_query("models-in-several-papers").text))[1]
    }
    assert "GAMMA-7B" in names and "Gamma-7B" not in names  # the spelling most papers use
    kg = KnowledgeGraph(out, read_only=True)
    labels = {
        p.rsplit("#", 1)[1]: sorted(
            row["l"].value for row in kg.query(f"SELECT ?l WHERE {{ <{IRIS.model('gamma7b')}> <{p}> ?l }}")
        )
        for p in (RDFS.label.value, SKOS_NS + "prefLabel", SKOS_NS + "altLabel")
    }
    assert labels == {"label": ["GAMMA-7B"], "prefLabel": ["GAMMA-7B"], "altLabel": ["Gamma-7B", "gamma-7b"]}


def test_totals_lost_or_marked_stale_are_recounted(built, tmp_path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    kg = KnowledgeGraph(out)
    kg.store.remove_graph(NamedNode(IRIS.statistics_graph))  # as a store built before totals existed
    kg.store.flush()
    del kg
    extra = write_jsonl(
        tmp_path / "extra.jsonl", [{"id": "extra", "text": "<model>Iota</model> on <hardware>A100</hardware>."}]
    )
    build([str(extra)], out, jobs=1, exports=[], validate=False)
    assert_totals_match_the_facts(out)

    (out / TOTALS_STALE_FILE).touch()  # as a build killed before writing its totals leaves
    kg = KnowledgeGraph(out)
    year = next(kg.store.quads_for_pattern(None, None, NamedNode(IRIS.year(2023)), NamedNode(IRIS.statistics_graph)))
    kg.store.remove(year)  # a total that no longer matches
    kg.store.flush()
    del kg
    result = build([str(extra)], out, jobs=1, exports=[], validate=False)
    assert result.summary["papers_unchanged"] == 1
    assert_totals_match_the_facts(out)


def test_out_of_date_totals_are_refused_not_printed_until_a_build_recounts_them(built, tmp_path) -> None:
    """Counts from totals that a killed build left behind would be wrong with exit 0: the commands refuse them."""
    from typer.testing import CliRunner

    from kg.cli import app

    out = tmp_path / "out"
    shutil.copytree(built, out)
    (out / TOTALS_STALE_FILE).touch()  # as a build killed before writing its totals leaves
    runner = CliRunner()
    for command in (["query", "runs-per-year"], ["report", "-o", str(tmp_path / "report.html")]):
        refused = runner.invoke(app, [*command, "--out", str(out)])
        assert refused.exit_code == 1, refused.output
        assert "out of date" in refused.output and "kg build" in refused.output
    assert not (tmp_path / "report.html").exists()
    # a question that does not read the totals is answered
    papers = runner.invoke(app, ["query", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a mlkg:Paper }", "--out", str(out)])
    assert papers.exit_code == 0, papers.output

    extra = write_jsonl(
        tmp_path / "extra.jsonl", [{"id": "extra", "text": "<model>Iota</model> in <year>2023</year>."}]
    )
    build([str(extra)], out, jobs=1, exports=[], validate=False)
    answered = runner.invoke(app, ["query", "runs-per-year", "--format", "csv", "--out", str(out)])
    assert answered.exit_code == 0 and "2023" in answered.output, answered.output


def test_a_store_whose_totals_lack_a_data_set_is_recounted(built, tmp_path) -> None:
    """As a store built by an mlkg that kept fewer data sets than this one."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    kg = KnowledgeGraph(out)
    graph = NamedNode(IRIS.statistics_graph)
    for dataset in ("runTotals", "runsByHardware", "runsByHardwareAndYear"):
        iri = NamedNode(f"https://w3id.org/mlkg/ontology#{dataset}")
        for observation in [q.subject for q in kg.store.quads_for_pattern(None, None, iri, graph)]:
            for quad in list(kg.store.quads_for_pattern(observation, None, None, graph)):
                kg.store.remove(quad)
    kg.store.flush()
    assert not trusted(kg)
    del kg
    extra = write_jsonl(
        tmp_path / "extra.jsonl", [{"id": "extra", "text": "<model>Iota</model> on <hardware>A100</hardware>."}]
    )
    build([str(extra)], out, jobs=1, exports=[], validate=False)
    assert_totals_match_the_facts(out)


def test_recount_rewrites_what_differs_and_removes_what_it_does_not_count(built, tmp_path) -> None:
    """Observations edited by hand, and statements that are no observation, do not survive a recount."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    statistics = NamedNode(IRIS.statistics_graph)
    whole = NamedNode(f"{IRIS.base}stats/runTotals/all")
    run_count = NamedNode("https://w3id.org/mlkg/ontology#runCount")
    junk = NamedNode("urn:example:junk")
    kg = KnowledgeGraph(out)
    kg.store.add(
        Quad(
            whole, run_count, Literal("999", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")), statistics
        )
    )
    kg.store.add(Quad(junk, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("junk"), statistics))
    kg.store.flush()
    (out / TOTALS_STALE_FILE).touch()
    del kg

    extra = write_jsonl(
        tmp_path / "extra.jsonl", [{"id": "extra", "text": "<model>Kappa</model> on <hardware>H100</hardware>."}]
    )
    build([str(extra)], out, jobs=1, exports=[], validate=False)
    kg = KnowledgeGraph(out, read_only=True)
    assert list(kg.store.quads_for_pattern(junk, None, None, None)) == []
    counts = [q.object.value for q in kg.store.quads_for_pattern(whole, run_count, None, statistics)]
    runs = next(
        iter(
            kg.query(
                fill("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?run a mlkg:TrainingRun . $as_run }", as_run=AS_RUN)
            )
        )
    )
    assert counts == [runs["n"].value]
    del kg
    assert_totals_match_the_facts(out)
