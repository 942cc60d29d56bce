"""Reading documents: files, folders, JSON Lines, stdin, and what gets rejected."""

from __future__ import annotations

import io

import pytest

from kg.sources import Document, Rejected, SourceError, check_paths, iter_documents

from conftest import EXAMPLES, FIXTURES, PAPERS


def test_folders_are_read_recursively_txt_and_md():
    items = list(iter_documents([str(PAPERS)]))
    ids = {item.id for item in items}
    assert all(isinstance(item, Document) for item in items)
    on_disk = {p.stem for p in PAPERS.rglob("*") if p.suffix in (".txt", ".md")}
    assert ids == on_disk
    assert any(p.suffix == ".md" for p in PAPERS.rglob("*"))
    assert any(len(p.relative_to(PAPERS).parts) > 1 for p in PAPERS.rglob("*.txt"))


def test_jsonl_ids_come_from_the_records():
    items = list(iter_documents([str(EXAMPLES / "papers.jsonl")]))
    assert [i.id for i in items] == [f"jsonl-00{n}" for n in range(1, 6)]
    assert items[0].source.endswith("papers.jsonl:1")


def test_bad_jsonl_lines_are_rejected_with_line_numbers_and_good_ones_kept():
    items = list(iter_documents([str(FIXTURES / "jsonl" / "mixed.jsonl")]))
    good = [i for i in items if isinstance(i, Document)]
    bad = {i.source.rsplit(":", 1)[1]: i for i in items if isinstance(i, Rejected)}
    assert len(good) == 2
    assert set(bad) == {"3", "4", "6"}  # line 5 is blank and skipped
    assert "invalid JSON" in bad["3"].reason and bad["3"].line == 3
    assert '"text"' in bad["4"].reason
    assert "duplicate id" in bad["6"].reason


@pytest.mark.parametrize(
    "name, reason",
    [
        ("binary.txt", "binary"),
        ("latin1.txt", "not UTF-8"),
        ("empty.txt", "empty"),
        ("whitespace.txt", "empty"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(name, reason):
    (item,) = iter_documents([str(FIXTURES / "unreadable" / name)])
    assert isinstance(item, Rejected)
    assert reason in item.reason


def test_latin1_rejection_points_at_the_bad_byte():
    (item,) = iter_documents([str(FIXTURES / "unreadable" / "latin1.txt")])
    assert item.line >= 1 and item.column >= 1


def test_stdin_plain_text_and_jsonl():
    (doc,) = iter_documents(["-"], stdin=io.BytesIO("We used <year>2022</year>.".encode()))
    assert (doc.id, doc.source) == ("stdin", "<stdin>")
    docs = list(iter_documents(["-"], stdin=io.BytesIO(b'{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n')))
    assert [d.id for d in docs] == ["a", "b"]


def test_duplicate_ids_across_sources_are_rejected(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text("one <year>2020</year>")
    (tmp_path / "b" / "same.txt").write_text("two <year>2021</year>")
    first, second = iter_documents([str(tmp_path)])
    assert isinstance(first, Document) and isinstance(second, Rejected)
    assert "duplicate id 'same'" in second.reason


def test_missing_path_fails_before_any_work(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        check_paths([str(tmp_path / "nope")])


def test_byte_order_mark_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff<year>2020</year>".encode("utf-8"))
    (doc,) = iter_documents([str(path)])
    assert doc.text.startswith("<year>")
