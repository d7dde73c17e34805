"""The ingest commands through click, and once through the installed `margin` script."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from ingest.embedder import SentenceTransformerEmbedder
from ingest.fakes import HashingEmbedder
from ingest.fast_embedder import FastEmbedder
from ingest.store import ChunkStore
from tests.fixtures.cli import margin_command
from tests.fixtures.ingest import write_files, write_pdf, write_pdf_drawing

REPO = Path(__file__).resolve().parents[2]
GPL = Path("/usr/share/common-licenses/GPL-3")  # real text, in every Debian install


@pytest.fixture(autouse=True)
def shared_model(monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder) -> None:
    """Commands use the session's already-loaded bundled model instead of loading another."""
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _docs(root: Path) -> Path:
    write_files(
        root,
        {
            "notes/otters.md": "# Otters\n\nSea otters hold hands while they sleep.",
            "notes/kiln.txt": "The kiln fires stoneware at 1240 degrees.",
            "notes/junk.bin": b"\x00\x00\x00",
        },
    )
    write_pdf(root / "notes" / "locked.pdf", ["x"], user_password="pw", algorithm="AES-256")
    return root / "notes"


def test_ingest_search_sources_forget(tmp_path: Path) -> None:
    notes = _docs(tmp_path)
    result = _run("ingest", str(notes), "--json")
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)
    assert sorted(Path(p).name for p in report["added"]) == ["kiln.txt", "otters.md"]
    assert report["failed"][0]["path"] == str((notes / "locked.pdf").resolve())
    assert "password" in report["failed"][0]["error"]
    assert report["skipped"][0]["reason"]
    assert report["chunks"] == 2 and report["seconds"] >= 0

    (notes / "locked.pdf").unlink()
    again = _run("ingest", str(notes))
    assert again.exit_code == 0 and again.stdout == ""
    assert "2 unchanged" in again.stderr

    found = json.loads(_run("search", "what do otters do at night", "--json").stdout)
    top = found["results"][0]
    assert top["number"] == 1 and top["path"] == str((notes / "otters.md").resolve())
    assert top["heading"] == "Otters" and 0 < top["score"] <= 1

    listed = json.loads(_run("sources", "--json").stdout)["sources"]
    assert {Path(s["path"]).name for s in listed} == {"kiln.txt", "otters.md"}
    assert all(s["collection"] == "default" and s["chunks"] == 1 for s in listed)

    forgotten = _run("forget", str(notes / "kiln.txt"))
    assert forgotten.exit_code == 0 and "Removed 1 document" in forgotten.stderr
    assert [
        Path(s["path"]).name for s in json.loads(_run("sources", "--json").stdout)["sources"]
    ] == ["otters.md"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("ingest", str(tmp_path / "missing")).exit_code == 2
    assert _run("ingest", str(tmp_path), "--collection", "bad name!").exit_code == 2


def test_a_store_built_with_another_model_says_to_reindex(
    tmp_path: Path, margin_home: Path, embedder: SentenceTransformerEmbedder
) -> None:
    other = HashingEmbedder(dim=embedder.dim, model_id="someone/else")
    store = ChunkStore(
        margin_home / "data" / "lancedb",
        model_id=other.model_id,
        dim=other.dim,
        lock_path=margin_home / "data" / "run" / "ingest.lock",
    )
    write_files(tmp_path / "d", {"a.md": "hello"})
    from ingest.pipeline import IngestOptions, Ingestor

    Ingestor(store, other, IngestOptions()).run([tmp_path / "d"])
    result = _run("search", "hello")
    assert result.exit_code == 1
    assert "someone/else" in result.stderr and "margin reindex" in result.stderr
    reindexed = _run("reindex", "--json")
    assert reindexed.exit_code == 0, reindexed.stderr
    assert json.loads(reindexed.stdout)["chunks"] == 1
    searched = _run("search", "hello", "--json")
    assert searched.exit_code == 0, searched.stderr


def test_real_process_prints_only_json_on_stdout(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "odd", {"evil\x1b]0;pwned\x07.bin": b"\x00", "c.dat": b"\x00"})
    write_pdf(folder / "broken.PDF", ["x"], user_password="pw", algorithm="AES-256")
    command = margin_command()
    done = subprocess.run(
        [*command, "ingest", str(folder), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    assert [Path(p["path"]).name for p in report["failed"]] == ["broken.PDF"]
    assert len(report["skipped"]) == 2
    assert report["interruption"] is None and report["cancelled"] is False
    assert "\x1b" not in done.stderr

    human = subprocess.run(
        [*command, "ingest", str(folder)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert human.returncode == 3 and human.stdout == ""
    assert (
        "broken.PDF" in human.stderr and "\x1b" not in human.stderr and "\x07" not in human.stderr
    )


def progress_line(files: int, reading: str) -> re.Pattern[str]:
    """A plain progress line of a run over `files` files whose names match `reading`."""
    chunks = r"[\d,]+ chunks?"
    return re.compile(
        r"^Ingesting: [\d.,]+ (bytes|KB|MB) of [\d.,]+ (bytes|KB|MB) \(\d+%\) · "
        rf"\d+ of {files} files · \d+ chunks · (\d+\.\d chunks/s · )?"
        r"(\d+:\d\d:\d\d left|estimating time) · "
        rf"(opening the index|reading {reading}|loading the embedding model \({chunks} to embed\)"
        rf"|embedding {chunks}|writing {chunks} to the index|updating the search index)$"
    )


def test_without_a_terminal_progress_is_plain_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stderr is not a terminal under CliRunner: lines (here at most every 50 ms instead of
    10 s) with done/total, rate, time left and what the run does; stdout still holds only
    the JSON object."""
    monkeypatch.setattr("assistant.cli.ingest_display.LINE_EVERY_S", 0.05)
    folder = write_files(
        tmp_path / "many", {f"note{n}.md": f"# Note {n}\n\n" + "words " * 400 for n in range(6)}
    )
    licence = [line for line in GPL.read_text().splitlines() if line.strip()]
    write_pdf(folder / "paper.pdf", ["\n".join(licence[n * 20 : n * 20 + 20]) for n in range(30)])
    result = _run("ingest", str(folder), "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["chunks"] > 6
    lines = [line for line in result.stderr.splitlines() if line.startswith("Ingesting")]
    assert lines, result.stderr
    pattern = progress_line(7, r"(note\d\.md|paper\.pdf(, page \d+ of 30)?)")
    assert [line for line in lines if not pattern.match(line)] == []


def test_a_log_gets_a_new_line_only_when_the_run_moved_on_and_what_it_is_doing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_embedder: FastEmbedder
) -> None:
    """Debian package docs, ingested with the embedder margin builds (its model not loaded
    yet), ticked every 20 ms: no line repeats the one before (they did, every 10 s, while
    the model loaded), each ends with what the run is doing, and the JSON object and the
    summary are as before."""
    monkeypatch.setattr("assistant.cli.ingest_display.LINE_EVERY_S", 0.02)
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: fast_embedder)
    folder = shutil.copytree(REPO / "tests" / "data" / "package_docs", tmp_path / "docs")
    result = _run("ingest", str(folder), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["added"]) == 5 and report["chunks"] > 5 and report["failed"] == []
    lines = [line for line in result.stderr.splitlines() if line.startswith("Ingesting")]
    assert lines, result.stderr
    assert [a for a, b in itertools.pairwise(lines) if a == b] == []
    pattern = progress_line(5, r"(README|ENVIRONMENT|bugs)\.(md|systemd)")
    assert [line for line in lines if not pattern.match(line)] == []
    human = _run("ingest", str(folder))
    assert human.exit_code == 0 and human.stdout == ""
    assert human.stderr.splitlines()[-1].startswith(
        "0 added, 0 updated, 5 unchanged, 0 removed, 0 skipped, 0 failed; 0 chunks in "
    )


HOSTILE_NAMES = {
    "real.md\n/home/victim/passwords.md  [default]  9 chunks  2026-01-01.md": "# A\n\nalpha",
    "invoice\u202edm.exe.md": "# B\n\nbeta",
    "c1\x9b31m.md": "# C\n\ngamma",
}


def test_file_names_cannot_fake_lines_or_reorder_text(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "hostile", HOSTILE_NAMES)
    assert _run("ingest", str(folder)).exit_code == 0
    listed = _run("sources")
    lines = listed.stdout.splitlines()
    assert len(lines) == 3, listed.stdout
    assert any("real.md\\n/home/victim/passwords.md" in line for line in lines)
    assert any("invoice\\u202edm.exe.md" in line for line in lines)
    assert any("c1\\x9b31m.md" in line for line in lines)
    shown = listed.stdout + _run("search", "alpha beta gamma").stdout
    assert not any(char in shown for char in "\u202e\x9b")


def test_json_escapes_c1_and_bidi_controls_and_round_trips(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "hostile", HOSTILE_NAMES)
    assert _run("ingest", str(folder), "--json").exit_code == 0
    raw = _run("sources", "--json").stdout
    assert "\x9b" not in raw and "\u202e" not in raw
    assert "\\u009b" in raw and "\\u202e" in raw
    paths = {str(Path(s["path"]).relative_to(folder.resolve())) for s in json.loads(raw)["sources"]}
    assert paths == set(HOSTILE_NAMES)


def test_ingest_keeps_privacy_says_so_and_move_changes_it(tmp_path: Path) -> None:
    home = write_files(
        tmp_path / "home",
        {
            "private/vault.md": "# Vault\n\nThe gannet vault code is bluefin-4471.",
            "public/otters.md": "# Otters\n\nSea otters hold hands while they sleep.",
        },
    )
    first = _run("ingest", str(home / "private"), "--collection", "secret", "--local-only")
    assert first.exit_code == 0, first.stderr
    parent = _run("ingest", str(home), "--json")
    assert parent.exit_code == 0, parent.stderr
    report = json.loads(parent.stdout)
    assert [Path(p).name for p in report["added"]] == ["otters.md"]
    [kept] = report["kept"]
    assert Path(kept["path"]).name == "vault.md"
    assert (kept["collection"], kept["local_only"]) == ("secret", True) and kept["reason"]
    assert "1 document stays where it was" in parent.stderr and "margin move" in parent.stderr
    human = _run("ingest", str(home / "private"))
    assert human.exit_code == 0 and "kept: " in human.stderr and "vault.md" in human.stderr
    listed = {
        Path(s["path"]).name: s for s in json.loads(_run("sources", "--json").stdout)["sources"]
    }
    assert (listed["vault.md"]["collection"], listed["vault.md"]["local_only"]) == ("secret", True)

    assert _run("move", str(home / "private")).exit_code == 2  # says what changes
    moved = _run("move", str(home / "private"), "--no-local-only", "--json")
    assert moved.exit_code == 0, moved.stderr
    assert [Path(p).name for p in json.loads(moved.stdout)["moved"]] == ["vault.md"]
    listed = {
        Path(s["path"]).name: s for s in json.loads(_run("sources", "--json").stdout)["sources"]
    }
    assert (listed["vault.md"]["collection"], listed["vault.md"]["local_only"]) == ("secret", False)
    assert "move" in _run("--help").stdout


def test_a_papers_figures_are_skipped_and_the_ingest_succeeds(tmp_path: Path) -> None:
    # a LaTeX paper's folder: its text, and its figures as PDFs drawn without words; each
    # figure counted as a failure, and `margin ingest ~/papers` ended with exit code 3
    paper = write_files(tmp_path / "paper", {"main.md": "# Results\n\nOtters sleep afloat."})
    write_pdf_drawing(paper / "figure-1.pdf", [b"2 w 72 72 m 300 400 l 500 120 l S"])
    result = _run("ingest", str(paper), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [Path(p).name for p in report["added"]] == ["main.md"] and report["failed"] == []
    [figure] = report["skipped"]
    assert Path(figure["path"]).name == "figure-1.pdf"
    assert "draws pictures without words" in figure["reason"]


def test_a_long_list_of_skipped_files_is_cut_short_and_json_holds_it_all(tmp_path: Path) -> None:
    """A manual in Texinfo's HTML brings a pointer page per node, skipped at every run."""
    pointer = (
        '<html><head><meta http-equiv="Refresh" content="0; url=Options.html#{n}"></head></html>'
    )
    files = {f"node-{n:02}.html": pointer.format(n=n) for n in range(23)}
    docs = write_files(
        tmp_path / "manual", {**files, "Options.html": "<h1>Options</h1><p>AUTO_CD."}
    )
    human = _run("ingest", str(docs))
    assert human.exit_code == 0, human.stderr
    listed = [line for line in human.stderr.splitlines() if line.startswith("  skipped: ")]
    assert len(listed) == 20 and "node-00.html" in listed[0]
    assert "  and 3 more skipped (`--json` lists them all)." in human.stderr.splitlines()
    report = json.loads(_run("ingest", str(docs), "--json").stdout)
    assert len(report["skipped"]) == 23
