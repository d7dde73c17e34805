"""The embedding model as margin runs it: queries on ONNX Runtime, documents on the backend
measured fastest on this machine, and torch whenever either cannot be used.

A cold `margin search` then needs onnxruntime and tokenizers (about 0.2 s to import and load)
instead of torch and sentence-transformers (4-7 s). The ONNX file is exported from the torch
model the first time it is wanted (at the first ingest, or the first search if none ran
before), checked against torch and cached in the data folder (`ingest.onnx_cache`); that,
and measuring the backends, happen in a child process (`ingest.backend_setup`), so a process
that embeds with ONNX Runtime never loads torch at all. Whatever
goes wrong with it (no onnxruntime, a damaged or unwritable cache, an export that does not
match) costs speed, never an answer: torch takes over, a message says so on stderr, and
`margin doctor` says why. Both backends give the same vectors (cosine >= 0.9999) under the
same model id, so one store holds either.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.backend_setup import BackendSetup, Exported, SetupFailed
from ingest.embed_backends import (
    Backend,
    Choice,
    ChoiceFile,
    Setting,
    backend_setting,
    machine_key,
)
from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import EmbedderError
from ingest.onnx_cache import (
    PROBES,
    ExportDamaged,
    ExportMissing,
    ExportRefused,
    ExportUnsupported,
    ModelFiles,
    OnnxCache,
)
from ingest.onnx_encoder import OnnxEncoder, import_runtime
from ingest.onnx_export import EXPORTER_VERSION

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmbeddingStatus:
    """For `margin doctor`: what embeds queries and documents, and what is wrong, if anything."""

    queries: str
    documents: str
    problem: str = ""  # set when torch runs where ONNX Runtime should


class FastEmbedder:
    """Wraps the torch model; the same model id, dimensions and tokenizer."""

    def __init__(
        self,
        model: SentenceTransformerEmbedder,
        cache_dir: Path,
        *,
        setting: Setting | None = None,
    ):
        self.torch = model
        self.model_id = model.model_id
        self.dim = model.dim
        self.max_tokens = model.max_tokens
        self.setting = setting or backend_setting()
        files = ModelFiles(model.model_dir, model.model_id, model.max_tokens, model.dim)
        self.exports = OnnxCache(cache_dir / "onnx", files)
        self.choices = ChoiceFile(cache_dir / "backend.json")
        self._lock = threading.RLock()
        self._onnx: OnnxEncoder | None = None
        self._onnx_tried = False
        self._choice: Choice | None = None
        self.setup = BackendSetup(model, cache_dir)  # export and measuring: not in this process

    # -- the Embedder interface ------------------------------------------------------------

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        backend: Backend = "onnx" if self.setting == "auto" else self.setting
        return self._embed(texts, backend)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.torch.embed_documents([])
        return self._embed(texts, self.document_backend(texts))

    def ready_for_documents(self) -> bool:
        """The backend for documents is chosen and loaded. (Without the lock: a thread
        holding it is loading, and the answer is then no.)"""
        if self.setting != "auto":
            backend: Backend = self.setting
        elif self._choice is not None:
            backend = self._choice.backend
        else:
            return False  # the choice is read, or measured (exporting the model), first
        if backend == "onnx":
            if not self._onnx_tried:
                return False
            if self._onnx is not None:
                return True
        return self.torch.ready_for_documents()

    def count_tokens(self, text: str) -> int:
        return self.torch.count_tokens(text)

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self.torch.token_spans(text)

    # -- choosing --------------------------------------------------------------------------

    def onnx_encoder(self) -> OnnxEncoder | None:
        """The verified ONNX export, exported with torch the first time; None: use torch."""
        with self._lock:
            if not self._onnx_tried:
                self._onnx_tried = True
                self._onnx, _ = self._open_export()
            return self._onnx

    def open_query_encoder_early(self) -> None:
        """Start opening the verified ONNX export on a thread of its own, so that it loads
        while the caller opens the store (about 0.2 s of a cold `margin search`); the first query
        waits for it. Only an export already in place: exporting, falling back and saying so
        stay with the first query.

        The thread is not a daemon: a command that needs no query (an index with no documents)
        waits for it at exit. A daemon thread still inside onnxruntime when Python shuts down is
        ended by `pthread_exit` on its way back, and the unwinding aborts the process ("terminate
        called without an active exception", exit 134)."""
        if self.setting not in ("auto", "onnx"):
            return
        try:  # every import in this thread: the package versions in the key read email headers
            import_runtime()
            self.exports.identity()
        except (ImportError, ExportRefused, OSError):
            return  # the first query says what is wrong and embeds with torch
        threading.Thread(target=self._open_export_early, name="onnx-open", daemon=False).start()

    def _open_export_early(self) -> None:
        with self._lock:
            if self._onnx_tried:
                return
            try:
                encoder = self.exports.load(batch_size=self.torch.batch_size)
            except Exception:  # the first query opens it again and says what went wrong
                return
            self._onnx, self._onnx_tried = encoder, True

    def document_backend(self, texts: Sequence[str] = PROBES) -> Backend:
        """The backend for documents: the setting, or measured once per machine (on `texts`)."""
        return self.document_choice(texts).backend

    def document_choice(self, texts: Sequence[str] = PROBES) -> Choice:
        """The setting, or the choice recorded for this machine, measured on `texts` if none
        is recorded yet (in a process of its own, which exports the ONNX model if needed)."""
        if self.setting != "auto":
            return Choice(self.setting, (), "")
        with self._lock:
            if self._choice is None:
                self._choice = self._measured_choice(texts)
            return self._choice

    def status(self) -> EmbeddingStatus:
        """What runs queries and documents now, without exporting or measuring anything."""
        if self.setting != "auto":
            forced = f"{self.setting} (set by MARGIN_EMBED_BACKEND)"
            return EmbeddingStatus(forced, forced)
        problem = ""
        try:
            self.exports.load(batch_size=self.torch.batch_size)
            queries = "onnx (checked against torch)"
        except ExportUnsupported as exc:
            queries = f"torch: {exc}"
        except ExportRefused as exc:
            queries, problem = "torch", str(exc)
        except ExportDamaged as exc:
            queries = f"torch until the next search re-exports the damaged ONNX model ({exc})"
        except ExportMissing:
            queries = "torch until the first ingest or search exports the ONNX model"
        choice = self.choices.load(self._machine_key())
        documents = choice.summary() if choice else "measured at the next ingest"
        return EmbeddingStatus(queries, documents, problem)

    def _embed(self, texts: Sequence[str], backend: Backend) -> np.ndarray:
        if backend == "onnx":
            encoder = self.onnx_encoder()
            if encoder is not None:
                return encoder.encode(texts)
            backend = "torch"
        return self.torch.encode(texts, "bf16" if backend == "torch-bf16" else "fp32")

    def _open_export(
        self, measure: Sequence[str] | None = None
    ) -> tuple[OnnxEncoder | None, Exported | None]:
        """The verified export, or None (use torch); built in a child process when missing
        or damaged, which then also measures the backends on `measure` if given (the
        `Exported` it returns; None when no child ran)."""
        batch_size = self.torch.batch_size
        try:
            return self.exports.load(batch_size=batch_size), None
        except ExportRefused as exc:
            return self._fall_back(str(exc)), None
        except ExportDamaged as exc:
            log.warning("margin: exporting the embedding model to ONNX again: %s", exc)
        except ExportMissing:
            log.warning(
                "margin: exporting the embedding model to ONNX, once, so that later searches "
                "start without torch (this takes a little while)"
            )
        exported = self.setup.export(measure)
        if exported.fallback is not None:
            return self._fall_back(exported.fallback), None
        try:
            return self.exports.load(batch_size=batch_size), exported
        except EmbedderError as exc:
            return self._fall_back(str(exc)), None

    def _fall_back(self, reason: str) -> OnnxEncoder | None:
        """Say why torch embeds instead (once per process); None, as `onnx_encoder` returns."""
        log.warning(
            "margin: embedding with torch instead of ONNX Runtime (slower to start): %s. "
            "`margin doctor` shows the details.",
            reason,
        )
        return None

    def _machine_key(self) -> str:
        model = {
            "model_id": self.model_id,
            "model_dir": str(self.torch.model_dir),
            "exporter": EXPORTER_VERSION,
        }
        return machine_key(model)

    def _measured_choice(self, texts: Sequence[str]) -> Choice:
        """Called holding the lock."""
        key = self._machine_key()
        known = self.choices.load(key)
        if known is not None:
            return known
        exported = None
        loaded_here = not self._onnx_tried
        if loaded_here:  # a first ingest: one child exports and measures
            self._onnx_tried = True
            self._onnx, exported = self._open_export(measure=texts)
        if self._onnx is None:
            return Choice("torch", (), "")  # nothing to compare; measured once ONNX works
        choice = self._choose(key, exported, texts)
        if loaded_here and choice.backend != "onnx":  # documents go to torch: no ONNX
            self._onnx, self._onnx_tried = None, False  # session beside it; a query reloads it
        return choice

    def _choose(self, key: str, exported: Exported | None, texts: Sequence[str]) -> Choice:
        """The measured choice (the setup child's, or measured now), saved for `key`."""
        if exported is not None:
            if exported.choice is None:
                return _unmeasured(exported.unmeasured)
            choice = exported.choice
        else:
            try:
                choice = self.setup.choose(texts)
            except SetupFailed as exc:
                return _unmeasured(str(exc))
        log.info("embedding backend for documents on this machine: %s", choice.summary())
        try:
            self.choices.save(key, choice)
        except OSError as exc:
            log.warning("margin: the embedding backend choice cannot be saved (%s)", exc)
        return choice


def _unmeasured(reason: str) -> Choice:
    log.warning("margin: the embedding backends could not be measured (%s)", reason)
    return Choice("onnx", (), "")  # checked against torch; its speed is unmeasured
