"""The registry of local models (models.json) and the sources `pull` accepts."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from models.download import Downloader
from models.errors import DownloadError, RegistryError
from models.gguf_info import read_gguf_info
from models.pull import add_model, pull_model, resolve_folder, resolve_source
from models.registry import LocalModels, RegisteredModel, read_registry
from tests.fixtures.downloads import FileServer, Route

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def registry(tmp_path: Path) -> LocalModels:
    return LocalModels(tmp_path / "config" / "models.json", tmp_path / "data" / "models")


def test_added_models_survive_a_reread_and_the_file_is_private(
    registry: LocalModels, bundled_gguf: Path
) -> None:
    model = add_model(bundled_gguf, "smol", registry)
    assert model.managed is False and model.quantization == "Q4_1"
    assert read_registry(registry.path).models == {"smol": model}
    assert stat.S_IMODE(registry.path.stat().st_mode) == 0o600
    registry.set_default("smol")
    assert registry.read().default == "smol"
    assert sorted(p.name for p in registry.path.parent.iterdir()) == [
        "models.json", "models.json.lock",
    ]  # fmt: skip
    assert stat.S_IMODE(registry.path.with_name("models.json.lock").stat().st_mode) == 0o600


def test_removing_a_pulled_model_deletes_its_file_and_resets_the_default(
    registry: LocalModels, bundled_gguf: Path
) -> None:
    registry.models_dir.mkdir(parents=True)
    file = registry.models_dir / "smol.gguf"
    file.write_bytes(bundled_gguf.read_bytes())
    registry.add(RegisteredModel.from_info("smol", read_gguf_info(file), managed=True))
    registry.set_default("smol")
    removed = registry.remove("smol")
    assert removed.model.path == file.resolve() and not file.exists()
    assert removed.was_default and removed.file_deleted
    assert registry.read().default is None


def test_remove_never_deletes_a_file_outside_the_models_folder(
    registry: LocalModels, bundled_gguf: Path, tmp_path: Path
) -> None:
    precious = tmp_path / "precious.gguf"
    precious.write_bytes(bundled_gguf.read_bytes())
    forged = RegisteredModel.from_info("x", read_gguf_info(precious), managed=True)
    registry.add(forged)  # as a hand-edited models.json could say
    assert registry.remove("x").file_deleted is False
    assert precious.exists()


@pytest.mark.parametrize("name", ["", "local", "-x", "a/b", "x" * 65, "name with space"])
def test_bad_names_are_refused(registry: LocalModels, bundled_gguf: Path, name: str) -> None:
    with pytest.raises(RegistryError):
        add_model(bundled_gguf, name, registry)


def test_a_damaged_registry_is_named_with_a_way_out(registry: LocalModels) -> None:
    registry.path.parent.mkdir(parents=True)
    for text in ("{not json", '{"version": 1, "models": {"x": {"name": "y"}}}', "[]"):
        registry.path.write_text(text)
        with pytest.raises(RegistryError, match=r"models.json, cannot be read .* models add"):
            registry.read()


def test_parallel_commands_do_not_lose_each_others_models(
    registry: LocalModels, bundled_gguf: Path
) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from models.registry import LocalModels\n"
        "from models.pull import add_model\n"
        "add_model(Path(sys.argv[1]), sys.argv[2], LocalModels(Path(sys.argv[3]), Path('.')))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(bundled_gguf), f"m{i}", str(registry.path)], cwd=ROOT
        )
        for i in range(6)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0] * 6
    assert sorted(registry.read().models) == [f"m{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("source", "url"),
    [
        (
            "hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf",
            "https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/"
            "qwen2.5-1.5b-instruct-q4_k_m.gguf",
        ),
        (
            "hf:owner/repo@v1.0/sub/m#1.gguf",
            "https://huggingface.co/owner/repo/resolve/v1.0/sub/m%231.gguf",
        ),
        ("https://example.org/m.gguf?x=1", "https://example.org/m.gguf?x=1"),
    ],
)
def test_sources_resolve_to_download_addresses(source: str, url: str) -> None:
    assert resolve_source(source) == url


@pytest.mark.parametrize(
    "source",
    [
        "hf:owner/repo",
        "hf:owner/repo/../../etc/passwd",
        "hf:../repo/m.gguf",
        "ftp://x/m.gguf",
        "m.gguf",
    ],
)
def test_other_sources_are_refused(source: str) -> None:
    with pytest.raises(DownloadError, match=r"hf:OWNER/REPO/FILE\.gguf"):
        resolve_source(source)


@pytest.mark.parametrize(
    ("source", "address"),
    [
        (
            "hf:cross-encoder/ms-marco-MiniLM-L6-v2",
            "https://huggingface.co/cross-encoder/ms-marco-MiniLM-L6-v2/resolve/main",
        ),
        ("hf:owner/repo@v1.0/", "https://huggingface.co/owner/repo/resolve/v1.0"),
        ("hf:owner/repo@v1#2", "https://huggingface.co/owner/repo/resolve/v1%232"),
        ("http://127.0.0.1:8000/models/ce/", "http://127.0.0.1:8000/models/ce"),
    ],
)
def test_folder_sources_resolve_to_the_address_files_are_appended_to(
    source: str, address: str
) -> None:
    assert resolve_folder(source) == address


@pytest.mark.parametrize(
    "source",
    [
        "hf:owner",
        "hf:owner/repo/config.json",
        "hf:../repo",
        "hf:owner/..",
        "hf:owner/repo@..",
        "https://example.org/a/../b",
        "https://example.org/ce?token=1",
        "ftp://example.org/ce",
        "ce",
    ],
)
def test_other_folder_sources_are_refused(source: str) -> None:
    with pytest.raises(DownloadError, match=r"write hf:OWNER/REPO \(a Hugging Face repository"):
        resolve_folder(source)


def test_a_download_with_a_gguf_signature_but_a_broken_header_registers_nothing(
    registry: LocalModels,
    file_server,
    bundled_gguf: Path,  # type: ignore[no-untyped-def]
) -> None:
    server: FileServer = file_server({"/m.gguf": Route(bundled_gguf.read_bytes()[:1_000_000])})
    with pytest.raises(DownloadError, match=r"is not a usable GGUF model: .* is truncated"):
        pull_model(server.url("/m.gguf"), "cut", registry, Downloader())
    assert registry.read().models == {}
    assert list(registry.models_dir.iterdir()) == []


def test_an_unfinished_download_is_discarded_unless_a_pull_is_writing_it(
    registry: LocalModels,
) -> None:
    import fcntl
    import os

    registry.models_dir.mkdir(parents=True)
    partial = registry.models_dir / "qwen.gguf.partial"
    partial.write_bytes(b"GGUF" + bytes(996))
    (registry.models_dir / "qwen.gguf.partial.json").write_text("{}")
    writer = os.open(partial, os.O_RDWR)
    fcntl.flock(writer, fcntl.LOCK_EX)
    try:
        with pytest.raises(RegistryError, match="is downloading qwen right now"):
            registry.discard_partial("qwen")
    finally:
        os.close(writer)
    assert registry.discard_partial("qwen") == 1002
    assert registry.partial_files("qwen") == []


def test_a_symlink_where_an_unfinished_download_goes_is_removed_not_followed(
    registry: LocalModels, tmp_path: Path
) -> None:
    registry.models_dir.mkdir(parents=True)
    kept = tmp_path / "elsewhere.bin"
    kept.write_bytes(b"not margin's")
    (registry.models_dir / "qwen.gguf.partial").symlink_to(kept)
    (registry.models_dir / "gone.gguf.partial").symlink_to(tmp_path / "missing")
    registry.discard_partial("qwen")
    registry.discard_partial("gone")
    assert list(registry.models_dir.iterdir()) == [] and kept.read_bytes() == b"not margin's"
