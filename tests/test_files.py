"""Files are replaced whole: a reader sees the old version or the new one, never half of one."""

from __future__ import annotations

import stat

import pytest

from kg.files import PartialFile, partial_path, replacing, write_atomic


def test_write_atomic_replaces_text_and_bytes(tmp_path):
    target = tmp_path / "sub" / "graph.ttl"
    write_atomic(target, "old\r\n")
    write_atomic(target, "néw\r\n")
    assert target.read_bytes() == "néw\r\n".encode("utf-8")  # no newline translation
    write_atomic(target, b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"
    assert list(target.parent.iterdir()) == [target]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with replacing(target) as stream:
            stream.write("half of the new")
            assert partial_path(target).exists() and target.read_text() == "old"
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_private_files_are_owner_only_even_over_a_left_over_partial(tmp_path):
    target = tmp_path / "push-state.json"
    left_over = partial_path(target)
    left_over.write_text("from a killed run")
    left_over.chmod(0o644)
    write_atomic(target, "{}", private=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == "{}" and not left_over.exists()


def test_a_discarded_partial_file_leaves_the_target_alone(tmp_path):
    target = tmp_path / "graph.trig"
    target.write_text("previous build")
    file = PartialFile(target)
    file.stream.write("@prefix")
    file.discard()
    assert target.read_text() == "previous build" and not partial_path(target).exists()
