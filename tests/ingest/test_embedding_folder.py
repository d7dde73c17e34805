"""An embedding model from a local folder: its id, its checks, and an index that refuses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from ingest.embedder import BUNDLED_MODEL_ID, bundled_model_dir
from ingest.embedding_folder import check_folder, folder_model_id, load_folder_embedder
from ingest.errors import EmbedderError
from tests.fixtures.ingest import write_files


def copy_model(target: Path, *, pooling: str | None = None) -> Path:
    """The bundled MiniLM's folder, its weights linked; `pooling` changes the model."""
    source = bundled_model_dir()
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    if pooling:
        config_path = target / "1_Pooling" / "config.json"
        config = json.loads(config_path.read_text())
        for key in list(config):
            if key.startswith("pooling_mode_"):
                config[key] = key == f"pooling_mode_{pooling}_token"
        config_path.write_text(json.dumps(config))
    return target


def test_a_copy_of_the_bundled_model_keeps_its_id(tmp_path: Path) -> None:
    assert folder_model_id(copy_model(tmp_path / "minilm")) == BUNDLED_MODEL_ID


def test_another_model_gets_its_own_stable_id(tmp_path: Path) -> None:
    first = folder_model_id(copy_model(tmp_path / "cls-minilm", pooling="cls"))
    moved = folder_model_id(copy_model(tmp_path / "elsewhere" / "cls-minilm", pooling="cls"))
    assert first == moved and first.startswith("local:cls-minilm@")
    assert first != BUNDLED_MODEL_ID


def test_folders_margin_cannot_run_are_named(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="absolute path"):
        check_folder(Path("models/minilm"))
    with pytest.raises(EmbedderError, match="No embedding model folder at"):
        check_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmbedderError, match=r"lacks modules\.json"):
        check_folder(tmp_path / "empty")
    dense = copy_model(tmp_path / "dense")
    modules = json.loads((dense / "modules.json").read_text())
    modules.append(
        {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}
    )
    (dense / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(EmbedderError, match=r"models\.Dense"):
        check_folder(dense)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.slow
def test_an_index_built_with_one_model_refuses_another_until_reindexed(
    tmp_path: Path,
    margin_home: Path,
    seeded_embedding_cache: Path,  # the bundled model's export in place: no torch child process
) -> None:
    notes = tmp_path / "notes"
    write_files(notes, {"otters.md": "# Otters\n\nSea otters hold hands while they sleep."})
    assert run("ingest", str(notes)).exit_code == 0

    other = copy_model(tmp_path / "cls-minilm", pooling="cls")
    config = margin_home / "config" / "config.toml"
    config.write_text(f'[embedding]\nmodel = "{other}"\n')
    for command in (("search", "otters"), ("ingest", str(notes))):
        refused = run(*command)
        assert refused.exit_code == 1, refused.stderr
        assert BUNDLED_MODEL_ID in refused.stderr and "local:cls-minilm@" in refused.stderr
        assert "Run `margin reindex`" in refused.stderr

    assert run("reindex").exit_code == 0
    found = json.loads(run("search", "what do otters do at night", "--json").stdout)
    assert Path(found["results"][0]["path"]).name == "otters.md"
    doctor = {c["name"]: c for c in json.loads(run("doctor", "--json").stdout)["checks"]}
    assert (
        doctor["embedding folder"]["ok"]
        and "local:cls-minilm@" in doctor["embedding folder"]["detail"]
    )


@pytest.mark.slow
def test_the_folder_embedder_embeds_with_its_own_pooling(tmp_path: Path) -> None:
    mean = load_folder_embedder(copy_model(tmp_path / "mean"))
    cls = load_folder_embedder(copy_model(tmp_path / "cls", pooling="cls"))
    a, b = mean.embed_query("sea otters"), cls.embed_query("sea otters")
    assert a.shape == b.shape == (384,) and float(a @ b) < 0.99
