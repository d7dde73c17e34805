"""Registered models in the config: profiles like any other, and who picks the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_config, parse_config
from assistant.errors import ConfigError
from models.registry import RegisteredModel, RegistryState


def registered(*names: str, default: str | None = None) -> RegistryState:
    models = {
        name: RegisteredModel(name, Path(f"/models/{name}.gguf"), 1, "", "", True, "")
        for name in names
    }
    return RegistryState(models, default)


def test_registered_models_are_llama_cpp_profiles(tmp_path: Path) -> None:
    config = parse_config("", tmp_path / "config.toml", registered=registered("qwen"))
    profile = config.profile("qwen")
    assert (profile.kind, profile.path, profile.context) == ("llama-cpp", "/models/qwen.gguf", 4096)
    assert config.defaults.model == "local" and config.default_source == "built-in"


def test_the_default_chosen_with_use_applies_unless_config_toml_sets_one(tmp_path: Path) -> None:
    chosen = registered("qwen", default="qwen")
    config = parse_config("", tmp_path / "config.toml", registered=chosen)
    assert config.profile().name == "qwen" and config.default_source == "margin models use"
    explicit = parse_config('[defaults]\nmodel = "local"\n', tmp_path / "c.toml", registered=chosen)
    assert explicit.profile().name == "local" and explicit.default_source == "config.toml"


def test_config_toml_overrides_only_the_fields_it_sets(tmp_path: Path) -> None:
    text = "[models.qwen]\ncontext = 16384\n"
    profile = parse_config(text, tmp_path / "c.toml", registered=registered("qwen")).profile("qwen")
    assert (profile.path, profile.context) == ("/models/qwen.gguf", 16384)


def test_a_default_naming_a_vanished_profile_falls_back_to_the_built_in_model(
    tmp_path: Path,
) -> None:
    config = parse_config("", tmp_path / "c.toml", registered=registered(default="gone"))
    assert config.profile().name == "local" and config.default_source == "built-in"


def test_load_config_reads_models_json_beside_config_toml(tmp_path: Path) -> None:
    (tmp_path / "models.json").write_text("{broken")
    with pytest.raises(ConfigError, match=r"models\.json, cannot be read"):
        load_config(tmp_path / "config.toml")


def test_the_embedding_section(tmp_path: Path) -> None:
    assert parse_config("", tmp_path / "c.toml").embedding.model == "bundled"
    text = '[embedding]\nmodel = "/models/bge-small"\n'
    assert parse_config(text, tmp_path / "c.toml").embedding.model == "/models/bge-small"
    with pytest.raises(ConfigError, match="unknown key 'name' in \\[embedding\\]"):
        parse_config('[embedding]\nname = "x"\n', tmp_path / "c.toml")
