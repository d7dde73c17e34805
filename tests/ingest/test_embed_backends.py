"""Choosing the backend that embeds documents: the rule, the setting, and the cached choice."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.embed_backends import (
    ENV_VAR,
    Choice,
    ChoiceFile,
    Trial,
    backend_setting,
    candidates,
    choose,
    compare,
    timed,
)
from ingest.errors import EmbedderError


def trial(backend: str, seconds: float, cosine: float = 1.0) -> Trial:
    return Trial(backend, 48, seconds, cosine)  # type: ignore[arg-type]


def test_the_fastest_backend_that_matches_torch_wins() -> None:
    trials = [trial("torch", 2.0), trial("onnx", 1.5), trial("torch-bf16", 1.2, 0.99995)]
    assert choose(trials) == "torch-bf16"
    assert choose([trial("torch", 2.0), trial("onnx", 1.5)]) == "onnx"
    assert choose([trial("torch", 1.0), trial("onnx", 1.5)]) == "torch"


def test_a_faster_backend_that_drifts_from_torch_loses() -> None:
    trials = [trial("torch", 2.0), trial("onnx", 1.8), trial("torch-bf16", 0.5, 0.9990)]
    assert choose(trials) == "onnx"
    assert not trials[2].qualifies and trials[1].qualifies
    assert choose([trial("torch", 2.0, 0.0)]) == "torch"  # the reference never disqualifies


def test_bf16_is_only_tried_where_the_cpu_runs_it_natively() -> None:
    assert candidates(onnx_available=True, native_bf16=False) == ["torch", "onnx"]
    assert candidates(onnx_available=False, native_bf16=True) == ["torch", "torch-bf16"]


def test_the_setting_comes_from_the_environment_and_is_checked() -> None:
    assert backend_setting({}) == "auto"
    assert backend_setting({ENV_VAR: " Torch-BF16 "}) == "torch-bf16"
    with pytest.raises(EmbedderError, match=r"'int8'.*auto, onnx, torch, torch-bf16"):
        backend_setting({ENV_VAR: "int8"})


def test_measuring_times_every_backend_and_compares_it_with_torch() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(size=(6, 8)).astype(np.float32)
    calls: dict[str, list[int]] = {"torch": [], "onnx": [], "torch-bf16": []}

    def runner(name: str, noise: float):
        def run(texts: Sequence[str]) -> np.ndarray:
            calls[name].append(len(texts))
            return base[: len(texts)] + noise * rng.normal(size=(len(texts), 8)).astype(np.float32)

        return run

    texts = [f"text {i}" for i in range(6)]
    trials = compare(
        timed(
            texts,
            {
                "torch": runner("torch", 0.0),
                "onnx": runner("onnx", 0.0),
                "torch-bf16": runner("torch-bf16", 0.5),
            },
        )
    )
    assert {t.backend for t in trials} == {"torch", "onnx", "torch-bf16"}
    assert calls["onnx"] == [2, 6, 6]  # a warm-up call, then two timed rounds
    by_name = {t.backend: t for t in trials}
    assert by_name["onnx"].min_cosine == pytest.approx(1.0)
    assert by_name["torch-bf16"].min_cosine < 0.99
    assert all(t.seconds > 0 and t.texts == 6 for t in trials)


def test_a_choice_is_kept_per_machine_key(tmp_path: Path) -> None:
    saved = ChoiceFile(tmp_path / "cache" / "backend.json")
    choice = Choice("onnx", (trial("torch", 2.0), trial("onnx", 1.0)), "2026-11-30T00:00:00+00:00")
    assert saved.load("key-a") is None
    saved.save("key-a", choice)
    assert saved.load("key-a") == choice
    assert saved.load("key-b") is None  # another CPU, or other library versions
    assert choice.summary() == "onnx (48.0 chunks/s; torch 24.0)"


def test_a_damaged_choice_file_is_measured_again(tmp_path: Path) -> None:
    path = tmp_path / "backend.json"
    for damage in (
        "{not json",
        '{"key": "k", "backend": "tpu", "trials": [], "measured_at": ""}',
        "[]",
    ):
        path.write_text(damage)
        assert ChoiceFile(path).load("k") is None


def test_an_unwritable_folder_is_reported_to_the_caller(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        ChoiceFile(blocker / "backend.json").save("k", Choice("torch", (), ""))
