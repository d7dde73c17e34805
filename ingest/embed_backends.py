"""Which backend embeds documents on this machine: measured once, then cached.

The candidates are ONNX Runtime fp32 (threads = cores), torch fp32, and torch with bfloat16
autocast where the CPU runs bfloat16 natively (emulated, it is about six times slower than
fp32, so it is not tried there). Each one embeds the same texts twice (ONNX Runtime first,
then the torch backends interleaved: `ingest.backend_setup` says why); a candidate qualifies
when every vector stays within cosine 0.9999 of torch fp32's,
and the fastest qualifying one wins. The choice is kept in the data folder under a key of the
CPU, its cores and the library versions, so the few seconds of measuring happen once per
machine; `margin doctor` shows the figures.

`MARGIN_EMBED_BACKEND=onnx|torch|torch-bf16` overrides the choice for documents and queries
alike; `auto` (the default) measures, and embeds queries with ONNX Runtime.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from durable.private_files import write_private
from ingest.errors import EmbedderError
from ingest.heap import release_free_memory
from ingest.onnx_cache import MIN_COSINE, cosines
from ingest.onnx_encoder import cpu_cores
from ingest.precision import cpu_field, cpu_flags

if TYPE_CHECKING:
    import numpy as np

Backend = Literal["onnx", "torch", "torch-bf16"]
Setting = Literal["auto", "onnx", "torch", "torch-bf16"]
ENV_VAR = "MARGIN_EMBED_BACKEND"
SETTINGS: tuple[Setting, ...] = ("auto", "onnx", "torch", "torch-bf16")
REFERENCE: Backend = "torch"  # fp32 torch: what the others must match
ROUNDS = 2
CALIBRATION_TEXTS = 48  # the first texts of the first ingest; ~3 s per backend on 2 cores
Runner = Callable[[Sequence[str]], "np.ndarray"]


@dataclass(frozen=True, slots=True)
class Trial:
    """One backend's best time over the calibration texts, and its agreement with fp32 torch."""

    backend: Backend
    texts: int
    seconds: float
    min_cosine: float

    @property
    def chunks_per_s(self) -> float:
        return self.texts / self.seconds if self.seconds > 0 else float("inf")

    @property
    def qualifies(self) -> bool:
        return self.min_cosine >= MIN_COSINE


@dataclass(frozen=True, slots=True)
class Timed:
    """A backend's best time over the calibration texts, and the vectors it gave them."""

    seconds: float
    vectors: np.ndarray


@dataclass(frozen=True, slots=True)
class Choice:
    backend: Backend
    trials: tuple[Trial, ...]
    measured_at: str

    def summary(self) -> str:
        """E.g. "onnx (41.2 chunks/s; torch 30.5)", for `margin doctor`."""
        others = [t for t in self.trials if t.backend != self.backend]
        chosen = next((t for t in self.trials if t.backend == self.backend), None)
        figures = "; ".join(f"{t.backend} {t.chunks_per_s:.1f}" for t in others)
        rate = f"{chosen.chunks_per_s:.1f} chunks/s" if chosen else "not measured"
        return f"{self.backend} ({rate}{'; ' + figures if figures else ''})"


def backend_setting(environ: Mapping[str, str] = os.environ) -> Setting:
    """$MARGIN_EMBED_BACKEND, checked (default `auto`)."""
    value = environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if value not in SETTINGS:
        raise EmbedderError(
            f"Unknown embedding backend {value!r} in {ENV_VAR}: use one of {', '.join(SETTINGS)}."
        )
    return cast(Setting, value)


def candidates(*, onnx_available: bool, native_bf16: bool) -> list[Backend]:
    """The backends worth measuring on this machine; fp32 torch always (the reference)."""
    found: list[Backend] = [REFERENCE]
    if onnx_available:
        found.append("onnx")
    if native_bf16:
        found.append("torch-bf16")
    return found


def timed(texts: Sequence[str], runners: Mapping[Backend, Runner]) -> dict[Backend, Timed]:
    """Each runner's best time over `texts` (of ROUNDS, interleaved with the others, after an
    untimed warm-up call) and the vectors it gave."""
    for run in runners.values():
        run(texts[:2])  # first calls load weights and size thread pools: not timed
    best: dict[Backend, float] = {}
    vectors: dict[Backend, np.ndarray] = {}
    for _ in range(ROUNDS):
        for backend, run in runners.items():
            started = time.perf_counter()
            vectors[backend] = run(texts)
            seconds = time.perf_counter() - started
            best[backend] = min(seconds, best.get(backend, seconds))
            release_free_memory()  # one run's freed buffers are not the next one's to keep
    return {backend: Timed(best[backend], vectors[backend]) for backend in runners}


def compare(runs: Mapping[Backend, Timed]) -> list[Trial]:
    """The trials of timed runs, each with its agreement with the reference run."""
    reference = runs[REFERENCE].vectors
    return [
        Trial(backend, len(run.vectors), run.seconds, float(cosines(run.vectors, reference).min()))
        for backend, run in runs.items()
    ]


def choose(trials: Sequence[Trial]) -> Backend:
    """The fastest backend whose vectors match fp32 torch (fp32 torch itself if none)."""
    fitting = [t for t in trials if t.qualifies or t.backend == REFERENCE]
    return min(fitting, key=lambda t: t.seconds).backend if fitting else REFERENCE


def machine_key(model: Mapping[str, Any]) -> str:
    """What a measured choice depends on: CPU, cores, libraries, and the model."""
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "absent"

    flags = " ".join(sorted(cpu_flags()))
    parts = {
        "cpu": cpu_field("model name") or platform.processor() or platform.machine(),
        "flags": hashlib.sha256(flags.encode()).hexdigest()[:16],
        "cores": cpu_cores(),
        "torch": version("torch"),
        "onnxruntime": version("onnxruntime"),
        "model": dict(model),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


class ChoiceFile:
    """The measured choice for this machine, in one JSON file in the data folder."""

    def __init__(self, path: Path):
        self.path = path

    def load(self, key: str) -> Choice | None:
        """The choice recorded under `key`; None when there is none (or it cannot be read)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("key") != key:
                return None
            trials = tuple(Trial(**trial) for trial in data["trials"])
            backend = data["backend"]
            if backend not in SETTINGS[1:]:
                return None
            return Choice(backend, trials, str(data["measured_at"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, key: str, choice: Choice) -> None:
        """Record the choice; OSError (a read-only data folder) reaches the caller."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        choice_json = {
            "key": key,
            "backend": choice.backend,
            "trials": [asdict(trial) for trial in choice.trials],
            "measured_at": choice.measured_at,
        }
        write_private(self.path, json.dumps(choice_json))


def chosen(trials: Sequence[Trial]) -> Choice:
    """The choice these trials make, stamped with the time."""
    return Choice(choose(trials), tuple(trials), datetime.now(UTC).isoformat(timespec="seconds"))
