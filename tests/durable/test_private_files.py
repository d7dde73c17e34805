"""write_private / replace_private on a real folder: whole or not at all, 0600 from the start,
file and folder synced; and no writer in margin goes around them."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from durable import private_files
from durable.private_files import replace_private, write_private

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_and_bytes_land_whole_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    previous = os.umask(0o022)  # the usual umask would give 0644 to a plain open()
    try:
        write_private(target, '{"a": "é"}')
    finally:
        os.umask(previous)
    assert target.read_text(encoding="utf-8") == '{"a": "é"}' and _mode(target) == 0o600
    target.chmod(0o644)  # an older, too open file is replaced by a private one
    write_private(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01" and _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_the_file_is_private_before_the_first_byte(tmp_path: Path) -> None:
    seen: list[int] = []

    def write(temporary: Path) -> None:
        seen.append(_mode(temporary))
        assert temporary.parent == tmp_path  # same folder: the rename cannot cross filesystems
        temporary.write_text("secret")

    replace_private(tmp_path / "report.html", write)
    assert seen == [0o600]
    assert (tmp_path / "report.html").read_text() == "secret"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "models.json"
    write_private(target, "old")

    def half_then_crash(temporary: Path) -> None:
        temporary.write_text("half of the ne")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        replace_private(target, half_then_crash)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["models.json"]


def test_the_file_then_the_folder_are_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[tuple[str, bool]] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        where = Path(os.readlink(f"/proc/self/fd/{descriptor}"))
        synced.append((where.name if where != tmp_path else "<folder>", (tmp_path / "x").exists()))
        real_fsync(descriptor)

    monkeypatch.setattr(private_files.os, "fsync", recording_fsync)
    write_private(tmp_path / "x", "data")
    (file_name, renamed_yet), folder = synced
    assert file_name.startswith(".x.") and not renamed_yet  # the content, before the rename
    assert folder == ("<folder>", True)  # the rename, after it


def test_a_missing_folder_is_an_os_error_for_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_private(tmp_path / "missing" / "x.json", "{}")
    assert list(tmp_path.iterdir()) == []


# Writes that are not "replace a small file": each is allowed for the reason given.
ALLOWED = {
    ("assistant/log/database.py", "create"): "creates the SQLite file 0600 before SQLite opens it",
    ("assistant/service/client.py", "create"): "the service's log, appended to",
    ("assistant/service/daemon.py", "create"): "the service's lock file",
    ("models/download.py", "create"): "the partial download, appended to and synced by its owner",
    ("models/pull.py", "rename"): "moves a verified download into place, then syncs the folder",
    ("models/reranker_pull.py", "rename"): "each complete file, then the checked folder, into "
    "place (the folder synced after)",
    ("models/reranker_pull.py", "create"): "the partial folder's lock file, naming its source",
    ("ingest/store_recovery.py", "rename"): "sets an unreadable manifest aside",
    ("assistant/log/database.py", "rename"): "sets a damaged log and its WAL aside",
    ("ingest/loaders/__init__.py", "write"): "a file found inside another, into a 0700 temp dir",
}
WRITES = {
    "rename": re.compile(r"os\.replace\(|os\.rename\(|\.rename\("),
    "create": re.compile(r"O_CREAT|mkstemp\("),
    "write": re.compile(r"\.write_text\(|\.write_bytes\(|\bopen\([^()]*[\"'][wax]b?[\"']"),
}


def test_every_file_writer_in_margin_goes_through_durable() -> None:
    unexplained = []
    for package in ("assistant", "ingest", "models", "tui"):
        for source in sorted((ROOT / package).rglob("*.py")):
            relative = source.relative_to(ROOT).as_posix()
            text = source.read_text(encoding="utf-8")
            for kind, pattern in WRITES.items():
                if pattern.search(text) and (relative, kind) not in ALLOWED:
                    unexplained.append((relative, kind))
    assert not unexplained, f"write through durable.private_files: {unexplained}"
