"""Reading documents: files, folders, JSON Lines, stdin, and what gets rejected."""

from __future__ import annotations

import io
import json
import os

import pytest

from kg.build import build
from kg.sources import Document, Rejected, SourceError, check_paths, iter_documents

from support import EXAMPLES, FIXTURES, PAPERS


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


# ------------------------------------------------- hostile input (issue 21)


def _report(out):
    return {e["id"]: e for e in json.loads((out / "report.json").read_text("utf-8"))["documents"]}


@pytest.mark.parametrize(
    "line, field, column",
    [
        ('{"id": "a\\udfff", "text": "We used <year>2022</year>."}', '"id"', 10),
        ('{"id": "b", "text": "We used \\udfff <year>2022</year>."}', '"text"', 30),
        ('{"id": "c", "text": "half a pair \\ud83d <year>2022</year>."}', '"text"', 34),
    ],
)
def test_a_lone_surrogate_in_jsonl_rejects_that_line_with_its_column(tmp_path, line, field, column):
    source = tmp_path / "in.jsonl"
    good = '{"id": "fine", "text": "We used <year>2021</year>, and a real pair \\ud83d\\ude00."}'
    source.write_text(good + "\n" + line + "\n", encoding="utf-8")
    (first, second) = iter_documents([str(source)])
    assert isinstance(first, Document) and first.text.endswith("\U0001f600.")
    assert isinstance(second, Rejected)
    assert f"the {field} holds a lone surrogate" in second.reason
    assert (second.line, second.column) == (2, column)
    # a real build: the other document is built, report.json says why
    result = build([str(source)], tmp_path / "out", jobs=1, validate=False)
    assert result.exit_code == 1
    entries = _report(tmp_path / "out")
    assert entries["fine"]["status"] == "ok"
    (rejected,) = [e for e in entries.values() if e["status"] == "rejected"]
    assert "lone surrogate" in rejected["problems"][0]["message"]
    assert (rejected["problems"][0]["line"], rejected["problems"][0]["column"]) == (2, column)


def test_raw_encoded_surrogates_in_jsonl_are_rejected_too(tmp_path):
    # CESU-8 style bytes: the json module decodes them with surrogatepass
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "d", "text": "x ' + "\udfff".encode("utf-8", "surrogatepass") + b'"}\n')
    (item,) = iter_documents([str(source)])
    assert isinstance(item, Rejected) and "lone surrogate" in item.reason and item.column == 24


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"id": True, "text": "x"}, 'missing "id"'),
        ({"id": False, "text": "x"}, 'missing "id"'),
        ({"id": "a\x0cb", "text": "x"}, "U+000C (form feed), which XML cannot hold"),
        ({"id": "a\uffffb", "text": "x"}, "U+FFFF"),
    ],
)
def test_ids_that_cannot_be_written_are_rejected(tmp_path, record, reason):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (item,) = iter_documents([str(source)])
    assert isinstance(item, Rejected) and reason in item.reason


def test_integer_ids_are_still_ids(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 42, "text": "x"}\n', encoding="utf-8")
    (item,) = iter_documents([str(source)])
    assert isinstance(item, Document) and item.id == "42"


@pytest.mark.parametrize(
    "line, reason",
    [
        ('{"id": 1' + "0" * 5000 + ', "text": "x"}', "invalid JSON"),  # more digits than int() reads
        ("[" * 100_000 + "]" * 100_000, "invalid JSON"),  # nested deeper than the parser recurses
    ],
)
def test_jsonl_lines_that_break_the_json_parser_are_rejected(tmp_path, line, reason):
    source = tmp_path / "in.jsonl"
    source.write_text(line + "\n" + '{"id": "ok", "text": "x"}\n', encoding="utf-8")
    bad, good = iter_documents([str(source)])
    assert isinstance(bad, Rejected) and reason in bad.reason and bad.line == 1
    assert isinstance(good, Document)


def test_control_characters_in_text_become_spaces_with_a_warning():
    text = "".join(chr(c) for c in range(32)) + "\r\nsecond line\x0c<year>2022</year>\ufffe\uffff"
    (doc,) = iter_documents(["-"], stdin=io.BytesIO(json.dumps({"id": "c0", "text": text}).encode() + b"\n"))
    assert isinstance(doc, Document)
    assert len(doc.text) == len(text)  # offsets kept
    assert doc.text[:32] == " " * 9 + "\t\n" + "  " + "\r" + " " * 18
    assert doc.text.endswith("second line <year>2022</year>  ")
    (problem,) = doc.problems
    assert problem.kind == "control_character" and (problem.line, problem.column) == (1, 1)
    assert "U+0000" in problem.message and "and 31 more replaced by a space" in problem.message


def test_a_control_character_warning_names_its_line_and_column(tmp_path):
    path = tmp_path / "ff.txt"
    path.write_bytes(b"page one\r\npage\x0ctwo <year>2022</year>\n")
    (doc,) = iter_documents([str(path)])
    (problem,) = doc.problems
    assert (problem.line, problem.column) == (2, 5)
    assert "U+000C (form feed) at line 2, column 5" in problem.message


@pytest.mark.parametrize("name", ["bad\x0cname.txt", "bad\x01.jsonl"])
def test_file_names_with_control_characters_are_rejected(tmp_path, name):
    (tmp_path / name).write_text('{"id": "x", "text": "y"}\n' if name.endswith(".jsonl") else "y", encoding="utf-8")
    (item,) = iter_documents([str(tmp_path)])
    assert isinstance(item, Rejected) and "the file path holds U+00" in item.reason


def test_a_file_name_that_is_not_utf8_is_rejected_and_the_build_reports_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        (folder / os.fsdecode(b"caf\xe9.txt")).write_text("We used <year>2022</year>.", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    (folder / "fine.txt").write_text("We used <year>2021</year>.", encoding="utf-8")
    items = list(iter_documents([str(folder)]))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(rejected) == 1 and "not UTF-8" in rejected[0].reason and "\\xe9" in rejected[0].source
    result = build([str(folder)], tmp_path / "out", jobs=1, validate=False)
    assert result.exit_code == 1
    assert _report(tmp_path / "out")["fine"]["status"] == "ok"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(tmp_path, encoding):
    text = "Trained in <country>Deutschland</country> in <year>2022</year>, «ok» 😀."
    bom = "" if encoding in ("utf-16", "utf-32") else "\ufeff"  # the plain codecs write their own
    (tmp_path / "wide.txt").write_bytes((bom + text).encode(encoding))
    (tmp_path / "wide.jsonl").write_bytes(
        (bom + json.dumps({"id": "j", "text": text}, ensure_ascii=False) + "\r\n").encode(encoding)
    )
    items = {i.id: i for i in iter_documents([str(tmp_path)])}
    assert isinstance(items["wide"], Document) and items["wide"].text == text
    assert isinstance(items["j"], Document) and items["j"].text == text


def test_utf16_that_does_not_decode_is_rejected_with_a_position(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes("ab\ncd".encode("utf-16-le").join([b"\xff\xfe", b""]) + b"\x00\xd8")  # a lone high surrogate
    (item,) = iter_documents([str(path)])
    assert isinstance(item, Rejected) and "not UTF-16" in item.reason and (item.line, item.column) == (2, 3)


def test_decode_errors_count_cr_only_line_ends(tmp_path):
    path = tmp_path / "mac.txt"
    path.write_bytes(b"one\rtwo\r\nthree\rfo\xffur")
    (item,) = iter_documents([str(path)])
    assert isinstance(item, Rejected) and (item.line, item.column) == (4, 3)


@pytest.mark.parametrize(
    "data",
    [b"{\\rtf1 We used <year>2022</year>.}", b"{not json}\nWe used <year>2022</year>.", b"{}}\n", b"[1, 2]\n"],
)
def test_stdin_is_json_lines_only_when_its_first_line_is_a_json_object(data):
    (doc,) = iter_documents(["-"], stdin=io.BytesIO(data))
    assert isinstance(doc, Document) and (doc.id, doc.text) == ("stdin", data.decode())
