"""kg tag: plain text back out with the finder's tags, in the format kg build reads."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.kinds import KINDS
from kg.store import KnowledgeGraph
from kg.tagging import insert_tags
from kg.tags import parse_tags

EXAMPLES = Path(__file__).parents[1] / "examples"

FACTS = """
PREFIX mlkg: <https://w3id.org/mlkg/ontology#>
SELECT ?paperId ?property ?value WHERE {
  ?mention a mlkg:Mention ; mlkg:inPaper ?paper ; mlkg:factProperty ?property ; mlkg:factValue ?value .
  ?paper mlkg:paperId ?paperId .
  FILTER(?property NOT IN (%s))  # kinds the finder does not look for
}
""" % ", ".join(f"mlkg:{kind.property}" for kind in KINDS.values() if not kind.found)


def facts(out: Path) -> dict[str, set[tuple[str, str]]]:
    """Each paper's facts as (property, value), the way a reader compares two builds."""
    by_paper: dict[str, set[tuple[str, str]]] = {}
    kg = KnowledgeGraph(out, read_only=True)
    try:
        for row in kg.query(FACTS):
            by_paper.setdefault(row["paperId"].value, set()).add((row["property"].value, str(row["value"])))
    finally:
        kg.close()
    return by_paper


def strip(src: Path, dst: Path) -> Path:
    """The tagged examples with their tags removed: what analysts usually hold."""
    for path in sorted(src.glob("*.txt")):
        (dst / path.name).write_text(parse_tags(path.read_text(encoding="utf-8")).plain, encoding="utf-8")
    return dst


def tag(*args: str):
    return CliRunner().invoke(app, ["tag", *args])


def test_tags_are_inserted_around_what_the_finder_sees():
    text, count = insert_tags("Training took 21 days on 64 NVIDIA A100 GPUs in 2023.")
    assert count == 4
    assert text == (
        "Training took <training>21 days</training> on <gpu_count>64</gpu_count> "
        "<hardware>NVIDIA A100 GPUs</hardware> in <year>2023</year>."
    )


def test_with_always_a_persons_tags_stay_and_finds_go_beside_them():
    text, count = insert_tags("We train <model>Kite</model> for 21 days in 2023.", "always")
    assert (text, count) == ("We train <model>Kite</model> for <training>21 days</training> in <year>2023</year>.", 2)
    assert insert_tags("We train <model>Kite</model> for 21 days.")[1] == 0  # auto: tagged, left alone


def test_a_folder_is_written_under_its_name_and_builds_as_the_plain_text_does(tmp_path):
    (tmp_path / "plain").mkdir()
    plain = strip(EXAMPLES / "papers", tmp_path / "plain")
    result = tag(str(plain), "-o", str(tmp_path / "review"))
    assert result.exit_code == 0, result.output
    copies = sorted((tmp_path / "review" / "plain").glob("*.txt"))
    assert [p.name for p in copies] == sorted(p.name for p in plain.glob("*.txt"))
    assert "tags found" in result.output
    # the copies are tagged text: building them without finding gives what finding gives
    build([str(tmp_path / "review" / "plain")], tmp_path / "from-tags", jobs=1, extract="never", exports=[])
    build([str(plain)], tmp_path / "found", jobs=1, extract="auto", exports=[])
    assert facts(tmp_path / "from-tags") == facts(tmp_path / "found")


@pytest.mark.parametrize(
    "corpus, at_least",
    [
        (EXAMPLES / "papers", 23),  # of 25 documents with facts; docs/extraction.md says which differ
        (EXAMPLES.parent / "tests" / "fixtures" / "extraction" / "dev", 46),  # of 49
    ],
    ids=["examples", "dev corpus"],
)
def test_tag_then_build_matches_the_gold_build(tmp_path, corpus, at_least):
    (tmp_path / "plain").mkdir()
    plain = strip(corpus, tmp_path / "plain")
    assert tag(str(plain), "-o", str(tmp_path / "review")).exit_code == 0
    build([str(tmp_path / "review")], tmp_path / "tagged-build", jobs=1, extract="never", exports=[], validate=False)
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for path in corpus.glob("*.txt"):
        shutil.copy(path, gold_dir)
    build([str(gold_dir)], tmp_path / "gold-build", jobs=1, extract="never", exports=[], validate=False)
    found, gold = facts(tmp_path / "tagged-build"), facts(tmp_path / "gold-build")
    same = [paper for paper in gold if found.get(paper, set()) == gold[paper]]
    print(f"{len(same)} of {len(gold)} documents give the gold facts")
    assert len(same) >= at_least, sorted(set(gold) - set(same))
    invented = {
        paper: found[paper] - gold.get(paper, set()) for paper in found if found[paper] - gold.get(paper, set())
    }
    assert not invented  # no fact the gold lacks, in any document: precision first


def test_json_lines_stay_json_lines_with_only_the_text_changed(tmp_path):
    source = tmp_path / "in" / "papers.jsonl"
    source.parent.mkdir()
    records = [
        {"id": "a", "text": "Training took 21 days in 2023.", "venue": "x"},
        {"id": "b", "text": "Nothing to see here."},
    ]
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n\nnot json\n", encoding="utf-8")
    result = tag(str(source), "-o", str(tmp_path / "out"))
    lines = (tmp_path / "out" / "papers.jsonl").read_text(encoding="utf-8").split("\n")
    first = json.loads(lines[0])
    assert first == {**records[0], "text": "Training took <training>21 days</training> in <year>2023</year>."}
    assert json.loads(lines[1]) == records[1]
    assert lines[2:] == ["", "not json", ""]  # what could not be read is kept as it was, and named
    assert result.exit_code == 1 and "not read:" in result.output and "invalid JSON" in result.output


def test_it_never_writes_over_its_input(tmp_path):
    paper = tmp_path / "papers" / "a.txt"
    paper.parent.mkdir()
    paper.write_text("Training took 21 days.", encoding="utf-8")
    result = tag(str(paper.parent), "-o", str(tmp_path))
    assert result.exit_code == 2 and "over its input" in result.output
    assert paper.read_text(encoding="utf-8") == "Training took 21 days."


@pytest.mark.parametrize("bad", ["never", "sometimes"])
def test_tag_takes_auto_or_always(tmp_path, bad):
    (tmp_path / "a.txt").write_text("Training took 21 days.", encoding="utf-8")
    result = tag(str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--extract", bad)
    assert result.exit_code == 2 and "auto or always" in result.output


def test_the_readme_shows_what_kg_tag_writes_for_the_plain_example(tmp_path):
    assert tag(str(EXAMPLES / "plain"), "-o", str(tmp_path)).exit_code == 0
    written = (tmp_path / "plain" / "101_wren-speech.txt").read_text(encoding="utf-8").rstrip()
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    assert f"```\n{written}\n```" in readme


def test_standard_input_is_written_as_stdin_txt(tmp_path):
    result = CliRunner().invoke(app, ["tag", "-", "-o", str(tmp_path)], input="Training took 21 days in 2023.")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stdin.txt").read_text(encoding="utf-8") == (
        "Training took <training>21 days</training> in <year>2023</year>."
    )
