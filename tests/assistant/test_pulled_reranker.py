"""`pull_reranker` against a loopback server serving a tiny real CrossEncoder's folder, checked
with the real `unusable_reranker`: installed only when complete and usable, resumed after a
failure, and refused before any request when the name cannot be used."""

from __future__ import annotations

import re
import shutil
import stat
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.ask.reranker import CrossEncoderReranker, unusable_reranker
from assistant.errors import ConfigError
from models.download import Downloader, Progress
from models.errors import (
    DownloadError,
    DownloadNotFoundError,
    DownloadRefusedError,
    NetworkError,
)
from models.reranker_pull import PulledReranker, pull_reranker
from tests.fixtures.downloads import FileServer, Route
from tests.fixtures.rerankers import save_tiny_cross_encoder, weights_without

Serve = Callable[[dict[str, Route]], FileServer]
SERVED = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def routes(folder: Path, files: tuple[str, ...] = SERVED) -> dict[str, Route]:
    """The folder's files at /ce/FILE; special_tokens_map.json and vocab.txt are not there."""
    return {f"/ce/{file}": Route(folder / file) for file in files}


def pull(
    server: FileServer,
    rerankers: Path,
    name: str = "ce",
    *,
    attempts: int = 3,
    progress: Callable[[Progress], None] | None = None,
) -> PulledReranker:
    downloader = Downloader(attempts=attempts, backoff_s=0.0)
    return pull_reranker(
        server.url("/ce"), name, rerankers, downloader, check=unusable_reranker, progress=progress
    )


def requests_per_path(server: FileServer) -> Counter[str]:
    return Counter(request.path.removeprefix("/ce/") for request in server.requests)


def test_a_pulled_folder_re_ranks_and_missing_optional_files_are_skipped(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    server = file_server(routes(tiny_cross_encoder))
    events: list[Progress] = []
    pulled = pull(server, tmp_path, progress=events.append)
    folder = tmp_path / "ce"
    assert pulled.path == folder.resolve() and pulled.source == server.url("/ce")
    assert pulled.files == SERVED
    assert sorted(p.name for p in folder.iterdir()) == sorted(pulled.files)
    assert pulled.size == sum((tiny_cross_encoder / f).stat().st_size for f in pulled.files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ce"]  # no partial folder, no state
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "special_tokens_map.json: not there, skipped" in [e.note for e in events]

    reranker = CrossEncoderReranker.from_setting(str(folder))
    assert reranker is not None
    scores = reranker.relevance("espresso shot seconds", ["a shot of espresso", "tyre pressure"])
    assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("model.safetensors", "margin only takes safetensors weights"),
        ("config.json", "is the address a cross-encoder's"),
        ("tokenizer.json", "has neither tokenizer.json nor vocab.txt"),
    ],
)
def test_a_missing_required_file_installs_nothing(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path, missing: str, message: str
) -> None:
    served = tuple(file for file in SERVED if file != missing)
    server = file_server(routes(tiny_cross_encoder, served))
    with pytest.raises(DownloadNotFoundError, match=message) as caught:
        pull(server, tmp_path)
    assert "Nothing was installed" in str(caught.value)
    if missing != "tokenizer.json":
        assert f"/ce/{missing} was not found (HTTP 404)" in str(caught.value)
    assert "pytorch_model.bin" not in requests_per_path(server)
    assert list(tmp_path.iterdir()) == []


def test_a_refused_file_says_how_to_fetch_the_folder_by_hand(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    served = routes(tiny_cross_encoder)
    served["/ce/model.safetensors"] = Route(
        tiny_cross_encoder / "model.safetensors", statuses=[403]
    )
    server = file_server(served)
    with pytest.raises(DownloadRefusedError, match=r"refused the download \(HTTP 403\)") as e:
        pull(server, tmp_path)
    assert "point `[retrieval] reranker` in config.toml at it" in str(e.value)
    assert "margin models add" not in str(e.value)  # that advice is for GGUF chat models
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def two_labels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_cross_encoder(tmp_path_factory.mktemp("two-labels"), labels=2)


@pytest.fixture(scope="module")
def wider(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same architecture with hidden size 32: its weights do not fit a size-16 model."""
    return save_tiny_cross_encoder(tmp_path_factory.mktemp("wider"), hidden_size=32)


FEWER_TENSORS = "10 of the model's 25 weights are missing from "
OTHER_SHAPES = "24 of the model's 25 weights have another shape in "


def broken_weights(broken: str, good: Path, wider: Path) -> bytes:
    """A model.safetensors that does not hold `good`'s model."""
    if broken == "fewer tensors":
        return weights_without(good, "layer.0.attention.")
    if broken == "another config's weights":
        return (wider / "model.safetensors").read_bytes()
    return b"<html>Sign in to continue</html>" * 50


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("two labels", "scores 2 labels; a reranker gives one relevance score per passage"),
        ("garbage weights", "cannot load a CrossEncoder from"),
        ("fewer tensors", FEWER_TENSORS),
        ("another config's weights", OTHER_SHAPES),
    ],
)
def test_a_folder_that_is_not_a_one_label_cross_encoder_installs_nothing(
    file_server: Serve,
    tiny_cross_encoder: Path,
    two_labels: Path,
    wider: Path,
    tmp_path: Path,
    broken: str,
    message: str,
) -> None:
    if broken == "two labels":
        served = routes(two_labels)
    else:
        served = routes(tiny_cross_encoder)
        weights = broken_weights(broken, tiny_cross_encoder, wider)
        served["/ce/model.safetensors"] = Route(weights)
    server = file_server(served)
    with pytest.raises(DownloadError, match=re.escape(message)) as caught:
        pull(server, tmp_path / "rerankers")
    text = str(caught.value)
    assert text.startswith(f"{server.url('/ce')} is not a usable reranker: ")
    assert text.endswith("Nothing was installed.") and "retrieval.reranker" not in text
    assert list((tmp_path / "rerankers").iterdir()) == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            "fewer tensors",
            FEWER_TENSORS + "{folder}/model.safetensors (such as bert.encoder.layer.0.attention.",
        ),
        (
            "another config's weights",
            OTHER_SHAPES + "{folder}/model.safetensors than its config.json gives (such as "
            "bert.embeddings.LayerNorm.bias: 32 in the file, 16 in the model).",
        ),
    ],
)
def test_weights_that_do_not_fit_the_model_are_refused_not_filled_with_random_numbers(
    tiny_cross_encoder: Path,
    wider: Path,
    tmp_path: Path,
    broken: str,
    message: str,
) -> None:
    folder = tmp_path / "ce"
    shutil.copytree(tiny_cross_encoder, folder)
    (folder / "model.safetensors").write_bytes(broken_weights(broken, tiny_cross_encoder, wider))
    expected = message.format(folder=folder)
    with pytest.raises(ConfigError, match=re.escape(f"retrieval.reranker: {expected}")) as e:
        CrossEncoderReranker(folder).relevance("espresso", ["a shot of espresso"])
    assert str(e.value).endswith(
        "It would rank with random numbers in their place. Fetch the folder again, or choose "
        "another reranker."
    )
    problem = unusable_reranker(folder)
    assert problem is not None and problem.startswith(expected)
    assert unusable_reranker(tiny_cross_encoder) is None  # the same model with its own weights


def test_tensors_the_model_does_not_use_are_no_reason_to_refuse(
    tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    """An older checkpoint's position ids and a pre-training head: transformers ignores them."""
    import torch
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "ce"
    shutil.copytree(tiny_cross_encoder, folder)
    tensors = load_file(folder / "model.safetensors")
    tensors["bert.embeddings.position_ids"] = torch.arange(128).unsqueeze(0)
    tensors["cls.predictions.bias"] = torch.zeros(20)
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    assert unusable_reranker(folder) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("taken", "already installed"),
        ("../up", "cannot name a reranker"),
        ("", "cannot name a reranker"),
        ("ce.partial", "not ending in .partial"),
    ],
)
def test_a_name_taken_or_invalid_is_refused_before_any_request(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "taken").mkdir()
    server = file_server(routes(tiny_cross_encoder))
    with pytest.raises(DownloadError, match=message):
        pull(server, tmp_path, name)
    assert server.requests == []
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_an_interrupted_pull_keeps_its_files_and_the_next_run_fetches_only_the_rest(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    served = routes(tiny_cross_encoder)
    served["/ce/model.safetensors"].drops = [10_000, 0]  # hangs up on both attempts
    server = file_server(served)
    with pytest.raises(NetworkError) as caught:
        pull(server, tmp_path, attempts=2)
    partial = tmp_path / "ce.partial"
    text = str(caught.value)
    assert "failed 2 times in a row" in text and "run the same command again" in text
    assert f"downloaded so far are kept in {partial / 'model.safetensors.part'}" in text
    assert f"{partial} keeps the files already complete (config.json)." in text
    assert not (tmp_path / "ce").exists()

    pulled = pull(server, tmp_path)  # the server is healthy now: no drops left
    assert requests_per_path(server) == {
        "config.json": 1, "model.safetensors": 3, "tokenizer.json": 1, "vocab.txt": 1,
        "tokenizer_config.json": 1, "special_tokens_map.json": 1,
    }  # fmt: skip
    last = [r for r in server.requests if r.path == "/ce/model.safetensors"][-1]
    assert last.range == "bytes=10000-"  # resumed where the first run stopped
    weights = pulled.path / "model.safetensors"
    assert weights.read_bytes() == (tiny_cross_encoder / "model.safetensors").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ce"]


def test_a_partial_folder_from_another_address_is_started_over(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    partial = tmp_path / "ce.partial"
    partial.mkdir()
    (partial / "config.json").write_text('{"fetched": "from another repository"}')
    (tmp_path / "ce.partial.source").write_text("https://example.org/other")
    server = file_server(routes(tiny_cross_encoder))
    pulled = pull(server, tmp_path)
    assert requests_per_path(server)["config.json"] == 1
    config = (pulled.path / "config.json").read_bytes()
    assert config == (tiny_cross_encoder / "config.json").read_bytes()


def test_a_second_pull_of_one_name_is_refused_while_the_first_writes(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    import fcntl
    import os

    server = file_server(routes(tiny_cross_encoder))
    partial = tmp_path / "ce.partial"
    partial.mkdir()
    state = tmp_path / "ce.partial.source"
    state.write_text(server.url("/ce"))
    holder = os.open(state, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a running pull-reranker holds it
    try:
        with pytest.raises(DownloadError) as caught:
            pull(server, tmp_path)
    finally:
        os.close(holder)
    assert str(caught.value) == (
        f"Another `margin models pull-reranker` is writing {partial} right now; wait for it to "
        "finish."
    )
    assert server.requests == [] and not (tmp_path / "ce").exists()


def test_a_refused_pull_leaves_the_lock_of_the_run_it_waits_for(
    file_server: Serve, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    """The first run has its lock but no folder yet: the refused run must not delete the
    file that lock is on, or a third run would lock a new file and write beside the first."""
    import fcntl
    import os

    server = file_server(routes(tiny_cross_encoder))
    state = tmp_path / "ce.partial.source"
    state.write_text(server.url("/ce"))
    holder = os.open(state, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(DownloadError, match="is writing"):
            pull(server, tmp_path)
        assert state.exists()
    finally:
        os.close(holder)
