"""Pulled rerankers in `margin models list` and `margin models remove`, through the CLI: real
folders of a tiny real CrossEncoder, pulled from a loopback server, and config.toml naming
one of them."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from assistant.locations import resolve_locations
from tests.fixtures.downloads import FileServer, Route

Serve = Callable[[dict[str, Route]], FileServer]
FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]


def margin(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def listed() -> dict:
    result = margin("models", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def use_reranker(margin_home: Path, folder: Path) -> None:
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[retrieval]\nreranker = {json.dumps(str(folder))}\n")


@pytest.fixture
def server(file_server: Serve, tiny_cross_encoder: Path) -> FileServer:
    return file_server({f"/ce/{file}": Route(tiny_cross_encoder / file) for file in FILES})


@pytest.fixture
def rerankers(server: FileServer) -> Path:
    """The rerankers folder, holding `ce` pulled from the server and `spare`, a copy of it."""
    result = margin("models", "pull-reranker", server.url("/ce"), "--name", "ce")
    assert result.exit_code == 0, result.stderr
    folder = resolve_locations().rerankers_dir
    shutil.copytree(folder / "ce", folder / "spare")
    return folder


def unfinished(rerankers: Path, server: FileServer, tiny_cross_encoder: Path) -> Path:
    """What an interrupted `pull-reranker … --name half` leaves: config.json fetched."""
    partial = rerankers / "half.partial"
    partial.mkdir()
    shutil.copy(tiny_cross_encoder / "config.json", partial)
    (rerankers / "half.partial.source").write_text(server.url("/ce"))
    return partial


def test_list_shows_the_pulled_rerankers_and_stars_the_configured_one(
    rerankers: Path, margin_home: Path, tiny_cross_encoder: Path
) -> None:
    size = sum((tiny_cross_encoder / file).stat().st_size for file in FILES)
    use_reranker(margin_home, rerankers / "ce")
    data = listed()
    assert [row["name"] for row in data["models"]] == ["local"]  # chat models as before
    assert data["rerankers"] == [
        {"name": "ce", "path": str(rerankers / "ce"), "bytes": size, "configured": True},
        {"name": "spare", "path": str(rerankers / "spare"), "bytes": size, "configured": False},
    ]
    assert data["unfinished_rerankers"] == []
    assert data["reranker"] == str(rerankers / "ce")

    text = margin("models", "list")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    start = lines.index("rerankers (* is the one [retrieval] reranker uses):")
    assert lines[start + 1].startswith("* ce ") and lines[start + 1].endswith(str(rerankers / "ce"))
    assert lines[start + 2].startswith("  spare ")
    assert len(lines) == start + 3


def test_a_configured_folder_margin_did_not_pull_is_starred_on_a_line_of_its_own(
    margin_home: Path, tiny_cross_encoder: Path
) -> None:
    use_reranker(margin_home, tiny_cross_encoder)
    assert listed()["rerankers"] == [] and listed()["reranker"] == str(tiny_cross_encoder)
    text = margin("models", "list").stdout.splitlines()
    assert text[-1].startswith("* ") and text[-1].endswith(
        f"{tiny_cross_encoder} (not pulled with margin)"
    )


def test_without_rerankers_list_says_nothing_of_them(margin_home: Path) -> None:
    assert "reranker" not in margin("models", "list").stdout
    data = listed()
    assert (data["rerankers"], data["unfinished_rerankers"], data["reranker"]) == ([], [], None)


def test_an_unfinished_pull_is_listed_with_the_command_that_resumes_it(
    rerankers: Path, server: FileServer, tiny_cross_encoder: Path
) -> None:
    partial = unfinished(rerankers, server, tiny_cross_encoder)
    data = listed()
    assert [row["name"] for row in data["rerankers"]] == ["ce", "spare"]  # not installed
    (row,) = data["unfinished_rerankers"]
    resume = f"margin models pull-reranker {server.url('/ce')} --name half"
    assert row == {
        "name": "half",
        "path": str(partial),
        "bytes": (tiny_cross_encoder / "config.json").stat().st_size,
        "source": server.url("/ce"),
        "resume": resume,
    }
    line = margin("models", "list").stdout.splitlines()[-1]
    assert line.startswith("  half ") and "unfinished" in line and f"`{resume}`" in line
    assert "`margin models remove half`" in line

    before = len(server.requests)
    resumed = margin(*shlex.split(resume)[1:])
    assert resumed.exit_code == 0, resumed.stderr
    fetched = [r.path for r in server.requests[before:]]
    assert "/ce/config.json" not in fetched and "/ce/model.safetensors" in fetched
    assert [row["name"] for row in listed()["rerankers"]] == ["ce", "half", "spare"]


def test_remove_deletes_a_reranker_but_not_the_one_config_toml_uses(
    rerankers: Path, margin_home: Path
) -> None:
    use_reranker(margin_home, rerankers / "ce")
    refused = margin("models", "remove", "ce")
    assert refused.exit_code == 1
    config_file = margin_home / "config" / "config.toml"
    assert f"is the one `[retrieval] reranker` in {config_file} uses; nothing was removed" in (
        refused.stderr
    )
    assert (rerankers / "ce" / "model.safetensors").is_file()

    removed = margin("models", "remove", "spare")
    assert removed.exit_code == 0, removed.stderr
    assert f"Removed the reranker spare and deleted {rerankers / 'spare'} (" in removed.stderr
    assert sorted(p.name for p in rerankers.iterdir()) == ["ce"]

    use_reranker(margin_home, Path("/elsewhere"))
    as_json = margin("models", "remove", "ce", "--json")
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout) == {"removed": "ce", "kind": "reranker", "file_deleted": True}
    assert list(rerankers.iterdir()) == []
    again = margin("models", "remove", "ce")
    assert again.exit_code == 1 and "No registered model or pulled reranker named 'ce'" in (
        again.stderr
    )


def test_remove_discards_an_unfinished_pull_unless_it_is_running(
    rerankers: Path, server: FileServer, tiny_cross_encoder: Path
) -> None:
    partial = unfinished(rerankers, server, tiny_cross_encoder)
    source = rerankers / "half.partial.source"
    fd = os.open(source, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running pull-reranker holds it
        busy = margin("models", "remove", "half")
    finally:
        os.close(fd)
    assert busy.exit_code == 1 and "is downloading half right now" in busy.stderr
    assert partial.is_dir()

    removed = margin("models", "remove", "half", "--json")
    assert removed.exit_code == 0, removed.stderr
    assert json.loads(removed.stdout) == {
        "removed": "half", "kind": "reranker", "file_deleted": False,
    }  # fmt: skip
    assert sorted(p.name for p in rerankers.iterdir()) == ["ce", "spare"]


def test_a_chat_model_and_a_reranker_sharing_a_name_are_removed_one_at_a_time(
    rerankers: Path, bundled_gguf: Path
) -> None:
    assert margin("models", "add", str(bundled_gguf), "--name", "ce").exit_code == 0
    first = margin("models", "remove", "ce")
    assert first.exit_code == 0, first.stderr
    assert "Unregistered ce" in first.stderr
    assert "A reranker is named ce too; it is still there: the same command removes it." in (
        first.stderr
    )
    data = listed()
    assert "ce" not in [row["name"] for row in data["models"]]
    assert "ce" in [row["name"] for row in data["rerankers"]]
    second = margin("models", "remove", "ce")
    assert second.exit_code == 0 and "Removed the reranker ce" in second.stderr
    assert bundled_gguf.is_file()


@pytest.mark.parametrize("name", ["spare", "ce-chat", "nothing"])
def test_remove_lists_the_rerankers_folder_once(
    rerankers: Path, bundled_gguf: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A reranker, a chat model, or neither: one listing says what is there to remove."""
    assert margin("models", "add", str(bundled_gguf), "--name", "ce-chat").exit_code == 0
    listings: list[Path] = []
    iterdir = Path.iterdir

    def counted(folder: Path) -> Iterator[Path]:
        if folder == rerankers:
            listings.append(folder)
        return iterdir(folder)

    monkeypatch.setattr(Path, "iterdir", counted)
    result = margin("models", "remove", name)
    assert result.exit_code == (1 if name == "nothing" else 0), result.stderr
    assert len(listings) == 1
