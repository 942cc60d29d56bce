"""A training run several papers report is one run (kg/restatements.py).

The matching rule is checked as a table; the totals it corrects are
checked end to end, through fresh builds and `kg add`, against counts over
the facts themselves (tests/queries_from_facts).
"""

from __future__ import annotations

import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import write_jsonl

from kg.build import build
from kg.query import named_query, rows, run_query
from kg.restatements import AS_RUN, group_reports, merge, same_run
from kg.sparql import fill
from kg.store import KnowledgeGraph
from kg.terms import Iris
from kg.tally import RunFacts, Tally
from kg.totals import run_totals

IRIS = Iris()
KG = str(Path(sys.executable).parent / "kg")
A100, H100 = IRIS.hardware("nvidia-a100"), IRIS.hardware("nvidia-h100")
NVIDIA = IRIS.organization("nvidia")
US, FR = IRIS.country("US"), IRIS.country("FR")
OWL = IRIS.model("owl")


def report(paper: str, *, hw=(), quantity=None, hours=None, acc=None, countries=(), years=(), model=OWL) -> RunFacts:
    """One paper's report of a run of *model*."""
    usages = [(h, NVIDIA, quantity, None if acc is None or len(hw) > 1 else acc) for h in hw] or (
        [(None, None, quantity, None)] if quantity is not None else []
    )
    return RunFacts(
        iri=IRIS.paper(paper) + "/run",
        model=model,
        hardware={(h, NVIDIA) for h in hw},
        usages=usages,
        durations={Decimal(hours)} if hours is not None else set(),
        accelerator_hours=acc,
        countries=set(countries),
        years=set(years),
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (report("a", hw=[A100], quantity=64, hours=240), report("b", hw=[A100], quantity=64, hours=240), True),
        # a fact one report leaves out disagrees with nothing
        (report("a", hw=[A100], quantity=64, hours=240), report("b", hw=[A100]), True),
        (report("a", hw=[A100], quantity=64), report("b", countries=[US], years=["2023"]), True),
        (report("a", countries=[US]), report("b", countries=[FR]), True),  # countries are not run settings
        # any stated setting in conflict: two runs
        (report("a", hw=[A100], quantity=64), report("b", hw=[H100], quantity=64), False),
        (report("a", hw=[A100], quantity=64), report("b", hw=[A100], quantity=128), False),
        (report("a", hw=[A100], hours=240), report("b", hw=[A100], hours=72), False),
        (report("a", acc=Decimal(82432)), report("b", acc=Decimal(80000)), False),
        (report("a", hw=[A100, H100], quantity=8), report("b", hw=[A100]), False),
        # another model is another run, whatever the settings
        (report("a", hw=[A100]), report("b", hw=[A100], model=IRIS.model("other")), False),
        (report("a", model=""), report("b", model=""), False),  # no model named: nothing to match on
    ],
)
def test_two_reports_are_one_run_when_no_stated_setting_disagrees(a: RunFacts, b: RunFacts, same: bool) -> None:
    assert same_run(a, b) is same and same_run(b, a) is same


def test_reports_are_grouped_in_iri_order_whatever_order_they_come_in() -> None:
    reports = [
        report("c", hw=[A100], quantity=128),
        report("a", hw=[A100]),  # agrees with both runs: joins the first, in IRI order
        report("b", hw=[A100], quantity=64),
        report("d", hw=[A100], quantity=64, hours=10),
    ]
    for order in (reports, reports[::-1], reports[1:] + reports[:1]):
        runs = [[r.iri.split("/")[-2] for r in members] for members in group_reports(order)]
        assert runs == [["a", "b", "d"], ["c"]]


def first_agreeing_run(reports: list[RunFacts]) -> list[list[str]]:
    """The rule as written (docs/attribution.md), checked report by report against every member."""
    runs: list[list[RunFacts]] = []
    for r in sorted(reports, key=lambda r: r.iri):
        home = next((members for members in runs if all(same_run(r, m) for m in members)), None)
        if home is None:
            runs.append([r])
        else:
            home.append(r)
    return [[r.iri for r in members] for members in runs]


@given(
    st.lists(
        st.tuples(
            st.sampled_from([(), (A100,), (H100,), (A100, H100)]),
            st.sampled_from([None, 8, 16]),
            st.sampled_from([None, 10, 20]),
            st.sampled_from([None, Decimal(80), Decimal(160)]),
        ),
        max_size=40,
    )
)
@settings(max_examples=300, deadline=None)
def test_the_indexed_grouping_is_the_rule_as_written(described) -> None:
    reports = [
        report(f"p{number:03d}", hw=hw, quantity=quantity, hours=hours, acc=acc)
        for number, (hw, quantity, hours, acc) in enumerate(described)
    ]
    random.Random(len(reports)).shuffle(reports)
    assert [[r.iri for r in members] for members in group_reports(reports)] == first_agreeing_run(reports)


def test_a_report_joins_a_run_only_if_it_agrees_with_every_report_of_it() -> None:
    # b agrees with a (no count) but not with c (another count); c agrees with a alone
    runs = group_reports(
        [report("a", hw=[A100]), report("b", hw=[A100], quantity=8), report("c", hw=[A100], quantity=16)]
    )
    assert [[r.iri.split("/")[-2] for r in members] for members in runs] == [["a", "b"], ["c"]]


def test_a_merged_run_counts_once_with_what_its_reports_say_together() -> None:
    first = report("a", hw=[A100], quantity=64, hours=240, acc=Decimal(15360), countries=[US])
    first.training_compute = Decimal("1e23")
    second = report("b", hw=[A100], years=["2023"], countries=[US, FR])
    merged = merge([first, second])
    assert (merged.iri, merged.reports, merged.countries, merged.years) == (first.iri, 2, {US, FR}, {"2023"})
    assert merged.accelerator_hours == Decimal(15360)
    tally = Tally()
    tally.add(merged)
    # one run, two reports; its compute counted once
    assert tally.values[("runs",)] == [1, 1, 0, 0, 0, 2, 1, Decimal("1e23")]
    assert tally.values[("manufacturer", NVIDIA)] == [1, 64, Decimal(15360)]
    assert tally.values[("country", FR)] == [1, 1, Decimal(15360), 1, Decimal("1e23")]


# -- end to end ---------------------------------------------------------------------------

ORIGINAL = (
    "<model>Owl-13B</model> was trained on <gpu_count>64</gpu_count> <hardware>A100</hardware> GPUs for "
    "<training>10 days</training> in <country>Canada</country> in <year>2023</year>."
)
SURVEY = "Surveys list <model>Owl-13B</model> on <gpu_count>64</gpu_count> <hardware>A100</hardware> GPUs."
RETRAINED = (
    "We retrain <model>Owl-13B</model> on <gpu_count>16</gpu_count> <hardware>H100</hardware> GPUs for "
    "<training>2 days</training> in <country>France</country> in <year>2024</year>."
)


def jsonl(path: Path, **texts: str) -> Path:
    write_jsonl(path, texts)
    return path


def answers(out: Path) -> dict:
    kg = KnowledgeGraph(out, read_only=True)

    def table(name: str) -> list:
        return rows(run_query(kg, named_query(name).text))[1]

    merged = sorted(
        (row["run"].value.split("/")[-2], row["first"].value.split("/")[-2])
        for row in kg.query("SELECT ?run ?first WHERE { ?o mlkg:forRun ?run ; mlkg:sameRunAs ?first }")
    )
    whole = run_totals(kg)
    counted = next(
        iter(
            kg.query(
                fill("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?run a mlkg:TrainingRun . $as_run }", as_run=AS_RUN)
            )
        )
    )
    return {
        "runs": whole["runCount"],
        "reports": whole["reportCount"],
        "counted": int(counted["n"].value),
        "merged": merged,
        "years": table("runs-per-year"),
        "hours": table("gpu-hours-by-country"),
    }


def kg_add(out: Path, path: Path) -> None:
    done = subprocess.run([KG, "add", str(path), "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_restatement_added_later_is_merged_and_a_changed_one_split_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build([str(jsonl(tmp_path / "a.jsonl", original=ORIGINAL))], out, jobs=1, exports=[]).exit_code == 0
    alone = answers(out)
    assert (alone["runs"], alone["reports"], alone["merged"]) == (1, 1, [])

    kg_add(out, jsonl(tmp_path / "b.jsonl", survey=SURVEY))
    restated = answers(out)
    assert (restated["runs"], restated["reports"], restated["counted"]) == (1, 2, 1)
    assert restated["merged"] == [("survey", "original")]
    assert restated["years"] == alone["years"] and restated["hours"] == alone["hours"]

    # the survey now gives another count: two runs, and the merge is gone
    kg_add(out, jsonl(tmp_path / "c.jsonl", survey=SURVEY.replace(">64<", ">32<")))
    split = answers(out)
    assert (split["runs"], split["reports"], split["counted"], split["merged"]) == (2, 2, 2, [])

    # a third paper's own run of the model: another run; the survey agrees with the first again
    kg_add(out, jsonl(tmp_path / "d.jsonl", survey=SURVEY, retrained=RETRAINED))
    three = answers(out)
    assert (three["runs"], three["reports"], three["counted"]) == (2, 3, 2)
    assert three["merged"] == [("survey", "original")]
    assert three["years"] == [["2023", "1"], ["2024", "1"]]


def test_a_fresh_build_and_a_build_in_steps_agree(tmp_path: Path) -> None:
    texts = {
        "original": ORIGINAL,
        "survey": SURVEY,
        "retrained": RETRAINED,
        "again": SURVEY.replace("Surveys list", "Another survey lists"),
    }
    fresh = tmp_path / "fresh"
    result = build([str(jsonl(tmp_path / "all.jsonl", **texts))], fresh, jobs=2, exports=[])
    assert result.exit_code == 0 and result.validation["conforms"], result.validation
    steps = tmp_path / "steps"
    for number, (key, text) in enumerate(reversed(texts.items())):
        path = jsonl(tmp_path / f"step{number}.jsonl", **{key: text})
        assert build([str(path)], steps, jobs=1, exports=[]).exit_code == 0
    assert answers(fresh) == answers(steps)
    assert answers(fresh)["merged"] == [("original", "again"), ("survey", "again")]  # first in IRI order


def test_a_store_of_an_older_format_is_refused_until_rebuilt(tmp_path: Path) -> None:
    from kg.store import FORMAT_FILE, StoreError

    out = tmp_path / "out"
    corpus = jsonl(tmp_path / "a.jsonl", original=ORIGINAL, survey=SURVEY)
    assert build([str(corpus)], out, jobs=1, exports=[]).exit_code == 0
    expected = answers(out)
    for older in ("2", "3", "4"):  # restated runs counted twice; no training compute; none in the totals
        (out / FORMAT_FILE).write_text(f"{older}\n", encoding="utf-8")
        with pytest.raises(StoreError, match=f"older mlkg \\(graph format {older}.*--fresh"):
            KnowledgeGraph(out, read_only=True)
        refused = subprocess.run([KG, "query", "runs-per-year", "--out", str(out)], capture_output=True, text=True)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr and "--fresh" in refused.stderr
    again = subprocess.run([KG, "build", str(corpus), "--out", str(out), "--fresh"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert answers(out) == expected
