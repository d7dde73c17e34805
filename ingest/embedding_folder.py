"""An embedding model of the person's choosing: a sentence-transformers model in a local
folder (`[embedding] model = "/path/to/folder"` in config.toml). Nothing is downloaded.

The store records the id of the model that built it and refuses another one (`margin
reindex` re-embeds everything). A folder's id is its name plus a fingerprint of what decides
its vectors: the configuration files, the tokenizer, and the size, head and tail of each
weights file. So a copied or moved folder keeps its id (no needless re-index), while another
model, a fine-tuned one, or a changed pooling gets a new id. A copy of the bundled
all-MiniLM-L6-v2 keeps the bundled model's id.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.embedder import (
    BUNDLED_MODEL_ID,
    SentenceTransformerEmbedder,
    bundled_model_dir,
)
from ingest.errors import EmbedderError

SUPPORTED_MODULES = frozenset(
    {
        "sentence_transformers.models.Transformer",
        "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize",
    }
)
REQUIRED_FILES = ("modules.json", "sentence_bert_config.json", "1_Pooling/config.json")
FINGERPRINT_FILES = (
    "modules.json",
    "config.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer.json",
)
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
SAMPLE_BYTES = 1 << 20  # read from each end of a weights file


def load_folder_embedder(folder: Path, *, batch_size: int = 32) -> SentenceTransformerEmbedder:
    """The sentence-transformers model in `folder` (its weights load on first use)."""
    checked = check_folder(folder)
    return SentenceTransformerEmbedder(
        checked, model_id=folder_model_id(checked), batch_size=batch_size
    )


def check_folder(folder: Path) -> Path:
    """`folder` resolved, if it holds a model margin can run; EmbedderError says what is off."""
    where = f'[embedding] model = "{folder}" in config.toml'
    if not folder.is_absolute():
        raise EmbedderError(f"Give the embedding model folder as an absolute path: {where}.")
    if not folder.is_dir():
        raise EmbedderError(f"No embedding model folder at {folder} ({where}).")
    missing = [
        name for name in (*REQUIRED_FILES, "tokenizer.json") if not (folder / name).is_file()
    ]
    if missing:
        raise EmbedderError(
            f"{folder} is not a sentence-transformers model folder: it lacks "
            f"{', '.join(missing)} ({where}). Save one with SentenceTransformer.save(PATH)."
        )
    if not any((folder / name).is_file() for name in WEIGHT_FILES):
        raise EmbedderError(f"{folder} holds no weights ({' or '.join(WEIGHT_FILES)}).")
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = {str(module["type"]) for module in modules}
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise EmbedderError(f"{folder}/modules.json cannot be read: {exc}") from None
    unsupported = sorted(kinds - SUPPORTED_MODULES)
    if unsupported:
        raise EmbedderError(
            f"The model in {folder} has modules margin does not run ({', '.join(unsupported)}); "
            "use a model made of a Transformer, Pooling and Normalize."
        )
    return folder.resolve()


def folder_model_id(folder: Path) -> str:
    """The id the store records for the model in `folder`."""
    fingerprint = _fingerprint(folder)
    try:
        if fingerprint == _fingerprint(bundled_model_dir()):
            return BUNDLED_MODEL_ID
    except (EmbedderError, OSError):
        pass
    return f"local:{folder.name}@{fingerprint[:16]}"


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in FINGERPRINT_FILES:
        path = folder / name
        if path.is_file():
            digest.update(f"{name}\0".encode())
            digest.update(path.read_bytes())
    for name in WEIGHT_FILES:
        path = folder / name
        if not path.is_file():
            continue
        size = path.stat().st_size
        digest.update(f"{name}\0{size}\0".encode())
        with path.open("rb") as weights:
            digest.update(weights.read(SAMPLE_BYTES))
            weights.seek(max(0, size - SAMPLE_BYTES))
            digest.update(weights.read(SAMPLE_BYTES))
    return digest.hexdigest()
