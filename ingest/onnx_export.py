"""Export a loaded sentence-transformers model to one ONNX file (needs torch; runs once).

The graph takes token ids and returns the sentence vector: the transformer, mean pooling
over the attention mask and L2 normalisation, so ONNX Runtime alone reproduces what
`SentenceTransformer.encode(..., normalize_embeddings=True)` returns. Only models made of
exactly those modules (a Transformer, mean Pooling, Normalize) can be exported this way.
"""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path
from typing import Any

from durable.private_files import replace_private
from ingest.errors import EmbedderError

OPSET = 17
# Bump when the exported graph changes (inputs, pooling, export options): old files rebuild.
EXPORTER_VERSION = 1
_EXPECTED_MODULES = (
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
)


def exportable(model_dir: Path) -> str | None:
    """None when `model_dir` is a mean-pooled, normalised model; otherwise why it is not."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = tuple(module["type"] for module in modules)
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as exc:
        return f"its module list cannot be read ({exc})"
    if kinds != _EXPECTED_MODULES:
        return f"it is built from {', '.join(k.rsplit('.', 1)[-1] for k in kinds)}"
    modes = [key for key, value in pooling.items() if key.startswith("pooling_mode_") and value]
    if modes != ["pooling_mode_mean_tokens"]:
        return f"it pools with {', '.join(modes) or 'nothing'}, not the mean of its tokens"
    return None


def export_onnx(sentence_transformer: Any, target: Path) -> None:
    """Write the model's ONNX graph to `target` atomically (a temporary file, then a rename)."""
    import torch

    transformer = sentence_transformer[0].auto_model
    accepted = inspect.signature(transformer.forward).parameters
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in accepted]
    wrapper = _pooled_encoder(transformer, names).eval()  # eval: no dropout in the graph
    example = _padded_example(names)
    axes = {name: {0: "batch", 1: "tokens"} for name in names}

    def write(path: Path) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shapes, meant for developers
            torch.onnx.export(
                wrapper,
                example,
                str(path),
                dynamo=False,
                opset_version=OPSET,
                input_names=names,
                output_names=["sentence_embedding"],
                dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            )

    try:
        replace_private(target, write)
    except OSError:
        raise
    except Exception as exc:  # the exporter raises many kinds for graphs it cannot trace
        raise EmbedderError(f"The embedding model could not be exported to ONNX: {exc}") from exc


def _pooled_encoder(transformer: Any, names: list[str]) -> Any:
    import torch

    class PooledEncoder(torch.nn.Module):
        """Transformer, mean over unmasked tokens, unit length: one vector per text."""

        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            features = dict(zip(names, inputs, strict=True))
            hidden = self.transformer(**features).last_hidden_state
            mask = features["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            mean = summed / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    return PooledEncoder()


def _padded_example(names: list[str]) -> tuple[Any, ...]:
    """Two texts of different lengths, so the trace keeps the attention mask's effect (token
    values only need to exist in any vocabulary: the trace records shapes and operations)."""
    import torch

    ids = torch.tensor([[5, 6, 7, 8, 9, 10], [5, 6, 10, 0, 0, 0]])
    mask = (ids != 0).long()
    values = {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)}
    return tuple(values[name] for name in names)
