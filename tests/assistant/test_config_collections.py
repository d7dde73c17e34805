"""[collections.NAME] policies and profile regions in config.toml: parsed, and refused with a
message naming the key, the line and the allowed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import parse_config
from assistant.config_collections import CollectionPolicy
from assistant.errors import ConfigError

PROFILES = """
[models.eu]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "m"
region = "eu"

[models.us]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "m"
"""


def parse(tmp_path: Path, collections: str) -> dict[str, CollectionPolicy]:
    return parse_config(PROFILES + collections, tmp_path / "config.toml").collections


def refused(tmp_path: Path, collections: str) -> str:
    with pytest.raises(ConfigError) as raised:
        parse(tmp_path, collections)
    return str(raised.value)


def test_policies_are_typed_and_default_to_every_profile(tmp_path: Path) -> None:
    policies = parse(
        tmp_path,
        '[collections.clients]\nmodels = ["eu", "local"]\nredact = false\n'
        '[collections.legal]\nanswer = "quote"\n[collections.diary]\nlocal_only = true\n',
    )
    assert policies["clients"] == CollectionPolicy("clients", models=("eu", "local"), redact=False)
    assert policies["legal"].answer == "quote" and policies["legal"].models is None
    assert policies["diary"].refusal("us", remote=True) == "[collections.diary] local_only = true"
    assert policies["diary"].refusal("local", remote=False) is None
    assert policies["clients"].refusal("us", remote=True) == (
        "[collections.clients] models = ['eu', 'local']"
    )
    assert policies["clients"].refusal("eu", remote=True) is None
    assert parse(tmp_path, "") == {}


def test_a_profile_region_is_shown_with_its_name(tmp_path: Path) -> None:
    config = parse_config(PROFILES, tmp_path / "config.toml")
    assert config.models["eu"].label == "eu (region eu)"
    assert config.models["us"].label == "us"


def test_an_unknown_profile_name_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    message = refused(tmp_path, '[collections.clients]\nmodels = ["eu", "asia"]\n')
    assert "line 13" in message and "collections.clients.models" in message
    assert "'asia'" in message and "eu, local, us" in message


def test_an_unknown_answer_mode_names_the_allowed_ones(tmp_path: Path) -> None:
    message = refused(tmp_path, '[collections.legal]\nanswer = "summarise"\n')
    assert "collections.legal.answer = 'summarise'" in message
    assert "'generate' or 'quote'" in message and "line 13" in message


def test_unknown_keys_and_wrong_types_are_refused(tmp_path: Path) -> None:
    assert "unknown key 'model' in [collections.x]; known keys: answer, local_only, models" in (
        refused(tmp_path, '[collections.x]\nmodel = ["eu"]\n')
    )
    assert "should be a list of profile names" in refused(
        tmp_path, '[collections.x]\nmodels = "eu"\n'
    )
    assert "collections.x.redact should be true or false" in refused(
        tmp_path, '[collections.x]\nredact = "yes"\n'
    )
    assert "must be a table" in refused(tmp_path, "[collections]\nx = 1\n")


def test_a_bad_region_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"models\.eu\.region"):
        parse_config(
            PROFILES.replace('region = "eu"', 'region = "eu west!"'), tmp_path / "config.toml"
        )
