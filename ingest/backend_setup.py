"""The first-use work that needs torch, done in a process of its own.

Exporting the model to ONNX (and checking the export against torch) and measuring which
backend embeds documents fastest both load torch and the sentence-transformers model: some
400-600 MB that a process keeps once it has had them (freed heap is rarely all handed back).
Run inside `margin ingest`, that would set the run's peak memory, and the run would carry
torch to the end though ONNX Runtime does the embedding. So the ingest (or search) process
starts `python -m ingest.backend_setup`, which does the work, writes the export into the
cache folder as before, and prints its outcome as JSON lines; torch never enters the
caller. The caller reads the export from the cache as any later run does.

A first ingest needs both: then one process exports, checks and measures (torch loaded
once), printing the export's outcome before it measures, so a process that dies while
measuring still leaves a verified export the caller uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.embed_backends import (
    CALIBRATION_TEXTS,
    Backend,
    Choice,
    Runner,
    Trial,
    chosen,
    compare,
    timed,
)
from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import EmbedderError
from ingest.extraction import child_pythonpath
from ingest.heap import release_free_memory
from ingest.onnx_cache import PROBES, ExportMissing, ModelFiles, OnnxCache
from ingest.precision import cpu_supports_bf16


class SetupFailed(EmbedderError):
    """The setup process ended without an outcome (it crashed or was killed)."""


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export asked for with `measure` texts gave: `fallback` is why torch must do
    (None: the export is verified and cached); then `choice` is the measured backend, or
    `unmeasured` says why there is none."""

    fallback: str | None
    choice: Choice | None = None
    unmeasured: str = ""


class BackendSetup:
    """Runs the export and the measurement for `model` in a child process (`command`)."""

    def __init__(
        self,
        model: SentenceTransformerEmbedder,
        cache_dir: Path,
        *,
        command: Sequence[str] = (sys.executable, "-m", "ingest.backend_setup"),
    ):
        self.model = model
        self.cache_dir = cache_dir
        self.command = list(command)

    def export(self, measure: Sequence[str] | None = None) -> Exported:
        """Export, check and cache the ONNX model; with `measure`, the same process then
        measures the backends on those texts (one torch load for both)."""
        request: dict[str, Any] = {"task": "export"}
        if measure is not None:
            request["texts"] = list(measure)
        outcome, failure = self._run(request)
        if "fallback" not in outcome:
            return Exported(failure or "the embedding setup process gave no outcome")
        reason = outcome["fallback"]
        if reason:
            return Exported(str(reason))
        if measure is None:
            return Exported(None)
        try:
            return Exported(None, _choice(outcome))
        except SetupFailed as exc:
            return Exported(None, unmeasured=failure or str(exc))

    def choose(self, texts: Sequence[str]) -> Choice:
        """The measured choice on `texts` (the export must be cached already); SetupFailed
        when the measuring process fails."""
        outcome, failure = self._run({"task": "choose", "texts": list(texts)})
        if failure and "choice" not in outcome:
            raise SetupFailed(failure)
        return _choice(outcome)

    def _run(self, request: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Every JSON line the process printed, merged, and why it failed ("" if it ended
        well)."""
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
                self.command,
                input=json.dumps(request),
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
        except OSError as exc:
            return {}, f"the embedding setup process could not start ({exc})"
        outcome: dict[str, Any] = {}
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                outcome.update(json.loads(line))
        if done.returncode == 0 and outcome:
            return outcome, ""
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return outcome, f"the embedding setup process ended with code {done.returncode} ({last})"


def _choice(outcome: dict[str, Any]) -> Choice:
    try:
        data = outcome["choice"]
        trials = tuple(Trial(**trial) for trial in data["trials"])
        return Choice(data["backend"], trials, str(data["measured_at"]))
    except (KeyError, TypeError) as exc:
        raise SetupFailed(f"the backend measurement gave no choice ({exc})") from exc


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
    """Time the backends on the first texts (topped up with the probes) and choose.

    ONNX Runtime is timed first and closed before torch is: its memory arena keeps the
    buffers of the largest batch it ran, and kept beside torch's working set it took this
    process from 0.86 to 1.2 GB on long texts. The two torch backends, one model, are
    interleaved with each other."""
    calibration = (list(texts) + list(PROBES))[:CALIBRATION_TEXTS]
    try:
        runs = timed(calibration, {"onnx": exports.load(batch_size=model.batch_size).encode})
    except (ExportMissing, EmbedderError):
        return Choice("torch", (), "")  # nothing to compare; measured once ONNX works
    release_free_memory()  # the session and its arena are gone: hand their pages back
    runners: dict[Backend, Runner] = {"torch": lambda t: model.encode(t, "fp32")}
    if cpu_supports_bf16():
        runners["torch-bf16"] = lambda t: model.encode(t, "bf16")
    return chosen(compare(timed(calibration, runners) | runs))


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
        fallback = build_export(model, exports)
        print(json.dumps({"fallback": fallback}), flush=True)  # before measuring: see above
        if fallback is not None or "texts" not in request:
            return
    choice = measure_choice(model, exports, request["texts"])
    print(json.dumps({"choice": asdict(choice)}), flush=True)


if __name__ == "__main__":
    child_main()
