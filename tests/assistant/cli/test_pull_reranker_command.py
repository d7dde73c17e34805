"""`margin models pull-reranker` through the CLI, against a loopback server serving a tiny real
CrossEncoder's folder; the line it prints is what config.toml needs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.ask.reranker import CrossEncoderReranker
from assistant.cli import cli
from assistant.config import load_config
from assistant.locations import resolve_locations
from tests.fixtures.downloads import FileServer, Route
from tests.fixtures.rerankers import weights_without

Serve = Callable[[dict[str, Route]], FileServer]
FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]
FETCHED = [FILES[0], FILES[1], FILES[2], FILES[4], FILES[3]]  # tokenizers before optional files


def margin(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def server(file_server: Serve, tiny_cross_encoder: Path) -> FileServer:
    return file_server({f"/ce/{file}": Route(tiny_cross_encoder / file) for file in FILES})


def test_pull_reranker_prints_the_config_line_that_puts_it_to_use(
    server: FileServer, margin_home: Path
) -> None:
    result = margin("models", "pull-reranker", server.url("/ce/"), "--name", "ce")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    folder = resolve_locations().rerankers_dir / "ce"
    assert folder == margin_home / "data" / "models" / "rerankers" / "ce"
    assert sorted(p.name for p in folder.iterdir()) == FILES
    config_file = margin_home / "config" / "config.toml"
    assert f"Installed the reranker ce in {folder} (5 files, " in result.stderr
    assert f"put these lines in {config_file}" in result.stderr
    lines = re.search(r"^\[retrieval\]\nreranker = .*$", result.stderr, re.MULTILINE)
    assert lines is not None, result.stderr

    config_file.write_text(lines.group() + "\n")
    setting = load_config(config_file).retrieval.reranker
    assert setting == str(folder)
    reranker = CrossEncoderReranker.from_setting(setting)
    assert reranker is not None and len(reranker.relevance("espresso", ["a shot", "a tyre"])) == 2

    again = margin("models", "pull-reranker", server.url("/ce"), "--name", "ce")
    assert again.exit_code == 1 and "already installed" in again.stderr


def test_json_is_one_object_on_stdout(server: FileServer, tiny_cross_encoder: Path) -> None:
    result = margin("models", "pull-reranker", server.url("/ce"), "--name", "ce", "--json")
    assert result.exit_code == 0, result.stderr
    folder = resolve_locations().rerankers_dir / "ce"
    assert json.loads(result.stdout) == {
        "name": "ce",
        "path": str(folder),
        "files": FETCHED,
        "bytes": sum((tiny_cross_encoder / file).stat().st_size for file in FILES),
        "source": server.url("/ce"),
    }
    assert "special_tokens_map.json: not there, skipped" in result.stderr


@pytest.mark.parametrize(
    "source",
    ["hf:owner", "hf:owner/repo/../../etc", "hf:../repo", "ftp://example.org/ce", "ce", "hf:"],
)
def test_a_malformed_source_is_a_usage_error(source: str) -> None:
    result = margin("models", "pull-reranker", source, "--name", "ce")
    assert result.exit_code == 2, result.stderr
    assert "is not a folder margin can download from: write hf:OWNER/REPO" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not resolve_locations().data_dir.exists()  # refused before anything was made


def test_a_repository_without_safetensors_weights_exits_1(
    file_server: Serve, tiny_cross_encoder: Path
) -> None:
    server = file_server({"/ce/config.json": Route(tiny_cross_encoder / "config.json")})
    result = margin("models", "pull-reranker", server.url("/ce"), "--name", "ce")
    assert result.exit_code == 1
    assert "margin only takes safetensors weights" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(resolve_locations().rerankers_dir.iterdir()) == []


def test_weights_missing_from_the_folder_exit_1_with_the_reason_alone(
    file_server: Serve, tiny_cross_encoder: Path
) -> None:
    routes = {f"/ce/{file}": Route(tiny_cross_encoder / file) for file in FILES}
    routes["/ce/model.safetensors"] = Route(weights_without(tiny_cross_encoder, "classifier."))
    server = file_server(routes)
    result = margin("models", "pull-reranker", server.url("/ce"), "--name", "ce")
    assert result.exit_code == 1
    assert "2 of the model's 25 weights are missing from " in result.stderr
    assert "(such as classifier.bias). It would rank with random numbers" in result.stderr
    assert result.stderr.rstrip().endswith("Nothing was installed.")
    assert "LOAD REPORT" not in result.stderr and "Traceback" not in result.stderr
    assert list(resolve_locations().rerankers_dir.iterdir()) == []
