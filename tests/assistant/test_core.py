"""build_model (assistant.core): profiles from config.toml to ready models, keys resolved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backends import fail, null

from assistant.config import ModelProfile, builtin_local_profile, parse_config
from assistant.core import build_model
from assistant.locations import Locations
from models.base import Message
from models.bundled import bundled_gguf_path
from models.errors import MissingKeyError
from models.keys import KeyStore
from models.llama_cpp import LlamaCppModel
from models.openai_compat import OpenAICompatibleModel
from models.runtime_plan import probe_machine
from tests.fixtures.models import FlakyServer, Step

Start = Callable[..., FlakyServer]


def test_builtin_local_profile_is_the_bundled_model_on_every_physical_core() -> None:
    model = build_model(builtin_local_profile())
    assert isinstance(model, LlamaCppModel)
    assert model.path == bundled_gguf_path()
    machine = probe_machine()
    assert (model.context_tokens, model.threads) == (4096, machine.physical_cores)
    assert model.pricing.cost(1_000_000, 1_000_000) == 0.0
    assert not model.is_remote


def test_a_gguf_path_in_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bundled_gguf: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "x.gguf").symlink_to(bundled_gguf)
    model = build_model(ModelProfile("mine", path="~/models/x.gguf", context=2048, threads=1))
    assert isinstance(model, LlamaCppModel)
    assert (model.path, model.context_tokens, model.threads) == (
        tmp_path / "models" / "x.gguf",
        2048,
        1,
    )


def remote_profile(base_url: str, key_env: str = "WORK_API_KEY") -> ModelProfile:
    return ModelProfile(
        "work",
        kind="openai",
        base_url=base_url,
        model="m-1",
        key_env=key_env,
        input_usd_per_mtok=0.15,
        output_usd_per_mtok=0.60,
        max_retries=1,
        retry_budget_s=5.0,
    )


def test_remote_profile_uses_its_key_prices_and_retry_settings(flaky_server: Start) -> None:
    server = flaky_server(Step.status(500), Step.stream(["Hi"], usage=(1000, 100)))
    keys = KeyStore(backend=fail.Keyring(), environ={"WORK_API_KEY": "sk-factory"})
    model = build_model(remote_profile(server.base_url), keys=keys)
    assert isinstance(model, OpenAICompatibleModel) and model.is_remote
    # 1,000 prompt tokens are possible for 1,200 bytes (not for "Hello": usage.rejected)
    completion = model.stream([Message("user", "Hello " * 200)]).complete()
    assert len(server.requests) == 2  # max_retries = 1
    assert server.requests[1]["model"] == "m-1"
    assert server.headers[1]["Authorization"] == "Bearer sk-factory"
    assert completion.cost_usd == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1e6)


def test_missing_key_for_a_profile_with_key_env_is_an_error() -> None:
    keys = KeyStore(backend=null.Keyring(), environ={})
    with pytest.raises(MissingKeyError, match=r"`export WORK_API_KEY=\.\.\.`"):
        build_model(remote_profile("https://api.example.com/v1"), keys=keys)


def test_profile_without_key_env_or_key_talks_to_a_keyless_server(flaky_server: Start) -> None:
    server = flaky_server(Step.stream(["Hi"]))
    keys = KeyStore(backend=fail.Keyring(), environ={})
    model = build_model(remote_profile(server.base_url, key_env=""), keys=keys)
    assert model.stream([Message("user", "Hello")]).complete().text == "Hi"
    assert "Authorization" not in server.headers[0]


def test_warming_up_loads_the_chat_model_only_when_answers_need_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedder: object
) -> None:
    import assistant.core as core
    from models.fake import ScriptedModel

    built: list[str] = []

    def build(profile: ModelProfile, **_: object) -> ScriptedModel:
        built.append(profile.name)
        return ScriptedModel([], profile=profile.name)

    monkeypatch.setattr(core, "build_model", build)
    locations = Locations(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    for mode, expected in (("auto", []), ("quote", []), ("generate", ["local"])):
        built.clear()
        config = parse_config(f'[ask]\nmode = "{mode}"\n', tmp_path / "config.toml")
        assistant = core.build_assistant(locations=locations, config=config, embedder=embedder)  # type: ignore[arg-type]
        assistant.warm_up()
        assistant.close()
        assert built == expected, mode  # auto quotes with the bundled model: no need to load it
