"""The first-use work that needs torch, done in a process of its own.

Exporting the model to ONNX (and checking the export against torch) and measuring which
backend embeds documents fastest both load torch and the sentence-transformers model: some
400-600 MB that a process keeps once it has had them (freed heap is rarely all handed back).
Run inside `margin ingest`, that would set the run's peak memory, and the run would carry
torch to the end though ONNX Runtime does the embedding. So the ingest (or search) process
starts `python -m ingest.backend_setup`, which does the work, writes the export into the
cache folder as before, and prints its outcome as one JSON line; torch never enters the
caller. The caller reads the export from the cache as any later run does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ingest.embed_backends import (
    CALIBRATION_TEXTS,
    Backend,
    Choice,
    Runner,
    Trial,
    measure_and_choose,
)
from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import EmbedderError
from ingest.extraction import child_pythonpath
from ingest.onnx_cache import PROBES, ExportMissing, ModelFiles, OnnxCache
from ingest.precision import cpu_supports_bf16


class SetupFailed(EmbedderError):
    """The setup process ended without an outcome (it crashed or was killed)."""


class BackendSetup:
    """Runs the export and the measurement for `model` in a child process."""

    def __init__(self, model: SentenceTransformerEmbedder, cache_dir: Path):
        self.model = model
        self.cache_dir = cache_dir

    def export(self) -> str | None:
        """Export, check and cache the ONNX model; None when done, else why torch must do."""
        try:
            outcome = self._run({"task": "export"})
        except SetupFailed as exc:
            return str(exc)
        reason = outcome.get("fallback")
        return str(reason) if reason else None

    def choose(self, texts: Sequence[str]) -> Choice:
        """The measured choice on `texts` (the export must be cached already); SetupFailed
        when the measuring process fails."""
        outcome = self._run({"task": "choose", "texts": list(texts)})
        try:
            data = outcome["choice"]
            trials = tuple(Trial(**trial) for trial in data["trials"])
            return Choice(data["backend"], trials, str(data["measured_at"]))
        except (KeyError, TypeError) as exc:
            raise SetupFailed(f"the backend measurement gave no choice ({exc})") from exc

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        request = {
            **request,
            "model_dir": str(self.model.model_dir),
            "model_id": self.model.model_id,
            "batch_size": self.model.batch_size,
            "cache_dir": str(self.cache_dir),
        }
        env = {**os.environ, "PYTHONPATH": child_pythonpath()}
        try:
            done = subprocess.run(
                [sys.executable, "-m", "ingest.backend_setup"],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
        except OSError as exc:
            raise SetupFailed(f"the embedding setup process could not start ({exc})") from exc
        for line in reversed(done.stdout.splitlines()):
            if line.startswith("{"):
                outcome: dict[str, Any] = json.loads(line)
                return outcome
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise SetupFailed(f"the embedding setup process ended with code {done.returncode} ({last})")


# -- the child process ---------------------------------------------------------------------


def build_export(model: SentenceTransformerEmbedder, exports: OnnxCache) -> str | None:
    """Export and check with torch in this process; None when verified, else the reason."""
    try:
        exports.build(
            model.loaded_model(),
            lambda texts: model.encode(texts, "fp32"),
            batch_size=model.batch_size,
        )
    except OSError as exc:
        return f"the ONNX model cannot be saved in {exports.folder} ({exc})"
    except EmbedderError as exc:
        return str(exc)
    return None


def measure_choice(
    model: SentenceTransformerEmbedder, exports: OnnxCache, texts: Sequence[str]
) -> Choice:
    """Time the backends on the first texts (topped up with the probes) and choose."""
    runners: dict[Backend, Runner] = {"torch": lambda t: model.encode(t, "fp32")}
    try:
        runners["onnx"] = exports.load(batch_size=model.batch_size).encode
    except (ExportMissing, EmbedderError):
        return Choice("torch", (), "")  # nothing to compare; measured once ONNX works
    if cpu_supports_bf16():
        runners["torch-bf16"] = lambda t: model.encode(t, "bf16")
    calibration = (list(texts) + list(PROBES))[:CALIBRATION_TEXTS]
    return measure_and_choose(calibration, runners)


def child_main() -> None:
    request = json.loads(sys.stdin.read())
    model = SentenceTransformerEmbedder(
        Path(request["model_dir"]),
        model_id=request["model_id"],
        batch_size=int(request["batch_size"]),
    )
    files = ModelFiles(model.model_dir, model.model_id, model.max_tokens, model.dim)
    exports = OnnxCache(Path(request["cache_dir"]) / "onnx", files)
    if request["task"] == "export":
        outcome: dict[str, Any] = {"fallback": build_export(model, exports)}
    else:
        outcome = {"choice": asdict(measure_choice(model, exports, request["texts"]))}
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    child_main()
