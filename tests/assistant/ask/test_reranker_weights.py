"""Which of a reranker's weights its folder holds: read from the safetensors header, it agrees
with the report transformers gives when it loads the folder; a folder with `pytorch_model.bin`
is asked of transformers, and its message names that file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.ask.reranker import safetensors_shapes, unfit_weights, unusable_reranker
from tests.fixtures.rerankers import save_tiny_cross_encoder

Tensors = dict[str, Any]


def without_attention(tensors: Tensors) -> Tensors:
    return {name: t for name, t in tensors.items() if "layer.0.attention." not in name}


def with_unused_tensors(tensors: Tensors) -> Tensors:
    import torch

    extra = {"bert.embeddings.position_ids": torch.arange(128).unsqueeze(0)}
    return {**tensors, **extra, "cls.predictions.bias": torch.zeros(20)}


def with_old_layer_norm_names(tensors: Tensors) -> Tensors:
    """LayerNorm's weight and bias as gamma and beta, as old BERT checkpoints name them."""
    renamed = {}
    for name, tensor in tensors.items():
        name = re.sub(r"LayerNorm\.weight$", "LayerNorm.gamma", name)
        renamed[re.sub(r"LayerNorm\.bias$", "LayerNorm.beta", name)] = tensor
    return renamed


def base_model_only(tensors: Tensors) -> Tensors:
    """A bare BertModel's file: no `bert.` prefix, no classifier."""
    return {
        name.removeprefix("bert."): t for name, t in tensors.items() if name.startswith("bert.")
    }


def without_prefix(tensors: Tensors) -> Tensors:
    return {name.removeprefix("bert."): tensor for name, tensor in tensors.items()}


@pytest.fixture(scope="module")
def wider(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same architecture with hidden size 32."""
    return save_tiny_cross_encoder(tmp_path_factory.mktemp("wider"), hidden_size=32)


# A change to the tiny model's weights file, and how many weights it leaves missing and
# mismatched; "another config's weights" is the wider model's file.
CHANGES: dict[str, tuple[Callable[[Tensors], Tensors], int, int]] = {
    "its own weights": (dict, 0, 0),
    "fewer tensors": (without_attention, 10, 0),
    "unused tensors": (with_unused_tensors, 0, 0),
    "old LayerNorm names": (with_old_layer_norm_names, 0, 0),
    "a base model's weights": (base_model_only, 2, 0),
    "names without the prefix": (without_prefix, 0, 0),
    "another config's weights": (dict, 0, 24),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_header_finds_what_transformers_finds_on_loading(
    tiny_cross_encoder: Path, wider: Path, tmp_path: Path, change: str
) -> None:
    from safetensors.torch import load_file, save_file
    from transformers import AutoModelForSequenceClassification

    changed, missing, mismatched = CHANGES[change]
    source = wider if change == "another config's weights" else tiny_cross_encoder
    folder = tmp_path / "ce"
    shutil.copytree(tiny_cross_encoder, folder)
    tensors = changed(load_file(source / "model.safetensors"))
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})

    network, info = AutoModelForSequenceClassification.from_pretrained(
        str(folder), ignore_mismatched_sizes=True, output_loading_info=True
    )
    reported = (
        sorted(info["missing_keys"]),
        sorted(
            (name, tuple(there), tuple(wanted)) for name, there, wanted in info["mismatched_keys"]
        ),
    )
    assert (len(reported[0]), len(reported[1])) == (missing, mismatched)
    assert unfit_weights(network, safetensors_shapes(folder / "model.safetensors")) == reported


def test_a_pytorch_model_bin_folder_is_checked_by_transformers_and_named(
    tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import load_file

    tensors = load_file(tiny_cross_encoder / "model.safetensors")
    folder = tmp_path / "ce"
    shutil.copytree(tiny_cross_encoder, folder, ignore=shutil.ignore_patterns("*.safetensors"))
    torch.save(tensors, folder / "pytorch_model.bin")
    assert unusable_reranker(folder) is None

    torch.save(without_attention(tensors), folder / "pytorch_model.bin")
    problem = unusable_reranker(folder)
    assert problem is not None
    assert problem.startswith(
        f"10 of the model's 25 weights are missing from {folder}/pytorch_model.bin (such as "
        "bert.encoder.layer.0.attention."
    )


def test_a_tied_weight_is_found_under_the_name_the_file_keeps(tmp_path: Path) -> None:
    """A masked-LM head shares the word embeddings: the file holds that tensor once."""
    from transformers import BertConfig, BertForMaskedLM

    config = BertConfig(
        vocab_size=20,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertForMaskedLM(config).save_pretrained(tmp_path)
    shapes = safetensors_shapes(tmp_path / "model.safetensors")
    assert "cls.predictions.decoder.weight" not in shapes
    network, info = BertForMaskedLM.from_pretrained(str(tmp_path), output_loading_info=True)
    assert not info["missing_keys"] and "cls.predictions.decoder.weight" in network.state_dict()
    assert unfit_weights(network, shapes) == ([], [])


def test_a_weight_the_header_reading_cannot_place_is_asked_of_transformers(
    tiny_cross_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header is read with BERT-like renaming rules; where it finds a weight missing (an
    architecture that renames otherwise), transformers, which knows its own renaming, has the
    last word, so a good folder is never refused on the header's reading alone."""
    from assistant.ask import reranker

    def misread(network: Any, shapes: object) -> tuple[list[str], list[Any]]:
        return ["bert.pooler.dense.weight"], []

    monkeypatch.setattr(reranker, "unfit_weights", misread)
    assert unusable_reranker(tiny_cross_encoder) is None
