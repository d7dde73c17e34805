"""The ONNX export of the embedding model, checked against torch and cached in the data folder.

Layout: `FOLDER/<key>/model.onnx` and `FOLDER/<key>/manifest.json`. The key covers the
model's identity (its id, folder, and the names, sizes and times of its files) and the
versions that made and checked the file (torch, the ONNX opset, margin's exporter,
onnxruntime): when any of them changes the model is exported again.

An export is used only if it matched the torch model on every probe text (cosine >= 0.9999,
alone and in one padded batch) when it was built, the file is the one the manifest
describes (its size and time; after a copy that gave it a new time, a restored backup or
`cp -r`, its size and SHA-256, and the manifest takes the new time), and two probes still
give their recorded vectors when it is loaded (a few milliseconds). A mismatch is recorded,
so later runs go straight to torch and `margin doctor` can say why.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from durable.private_files import write_private
from ingest.errors import EmbedderError
from ingest.file_digest import file_sha256
from ingest.onnx_encoder import OnnxEncoder
from ingest.onnx_export import EXPORTER_VERSION, OPSET, export_onnx, exportable

if TYPE_CHECKING:
    import numpy as np

MIN_COSINE = 0.9999
MANIFEST = "manifest.json"
MODEL_FILE = "model.onnx"
FORMAT = 1
BUILD_LOCK_TIMEOUT_S = 900.0
_CLAUSE = "Clause {} lets the tenant keep bicycles, but not paint, in the shared cellar."
# Fixed texts the export must reproduce: a question, empty and blank text, accents and other
# scripts, code, a heading path, a table, and one past the model's limit (truncation).
PROBES: tuple[str, ...] = (
    "How does margin keep API keys safe?",
    "Sources > Citations\nEvery answer names the file, page and heading it came from.",
    "",
    "   spaces before and after   ",
    "Café, naïve, résumé; 東京 and Ελληνικά; an emoji 🙂 and a tab\there.",
    "def embed(texts: list[str]) -> np.ndarray:\n    return model.encode(texts)",
    "| tool | seconds |\n|---|---|\n| import lancedb | 0.8 |\n| onnxruntime | 0.07 |",
    " ".join(_CLAUSE.format(number) for number in range(60)),
)
LOAD_CHECK = PROBES[:2]  # short: checked at every load


class ExportMissing(EmbedderError):
    """No usable export for this key yet: build one (needs torch)."""


class ExportDamaged(ExportMissing):
    """An export exists but is unreadable or no longer gives its recorded vectors."""


class ExportRefused(EmbedderError):
    """Exporting this model does not give torch's vectors (recorded), or cannot work at all."""


class ExportUnsupported(ExportRefused):
    """The model is not made of the modules the exporter reproduces (e.g. CLS pooling)."""


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """What the export is made from: the model's folder and id, and the tokenizer inside it."""

    model_dir: Path
    model_id: str
    max_tokens: int
    dim: int

    @property
    def tokenizer_file(self) -> Path:
        return self.model_dir / "tokenizer.json"


@dataclass(frozen=True, slots=True)
class Verification:
    """How the export compared with torch on the probe texts."""

    min_cosine: float
    mean_cosine: float

    @property
    def matches(self) -> bool:
        return self.min_cosine >= MIN_COSINE


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-by-row cosine similarity of two stacks of vectors."""
    import numpy as np

    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.asarray(np.sum(a * b, axis=1) / np.maximum(norms, 1e-12))


class OnnxCache:
    """The cached export of one model in `folder`; `load()` for queries, `build()` with torch."""

    def __init__(self, folder: Path, model: ModelFiles):
        self.folder = folder
        self.model = model
        self._identity: dict[str, Any] | None = None

    # -- reading ---------------------------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        """What the key is made of; raises ExportRefused when onnxruntime is missing."""
        if self._identity is None:
            try:
                runtime = metadata.version("onnxruntime")
            except metadata.PackageNotFoundError:
                raise ExportRefused("onnxruntime is not installed") from None
            self._identity = {
                "model_id": self.model.model_id,
                "model_dir": str(self.model.model_dir.resolve()),
                "files": _file_stamps(self.model.model_dir),
                "torch": _version("torch"),
                "opset": OPSET,
                "exporter": EXPORTER_VERSION,
                "onnxruntime": runtime,
            }
        return self._identity

    @property
    def entry(self) -> Path:
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()
        return self.folder / digest[:20]

    def manifest(self) -> dict[str, Any]:
        """The manifest of this key's export; ExportMissing or ExportDamaged if none is usable."""
        path = self.entry / MANIFEST
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            raise ExportMissing(f"no ONNX export in {self.entry} yet") from None
        except (OSError, ValueError) as exc:
            raise ExportDamaged(f"{path} cannot be read ({exc})") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ExportDamaged(f"{path} is not a manifest margin wrote")
        return manifest

    def load(self, *, batch_size: int = 32) -> OnnxEncoder:
        """The verified export, checked again on two probes; raises ExportMissing (build it),
        ExportDamaged (build it again) or ExportRefused (use torch)."""
        reason = exportable(self.model.model_dir)
        if reason is not None:
            raise ExportUnsupported(f"this model cannot be exported to ONNX: {reason}")
        manifest = self.manifest()
        if manifest.get("status") != "verified":
            raise ExportRefused(str(manifest.get("detail", "the export did not match torch")))
        model_file = self.entry / MODEL_FILE
        try:
            stat = model_file.stat()
            check = manifest["check"]
            texts, expected = list(check["texts"]), check["vectors"]
            recorded = (manifest["model_file"]["size"], manifest["model_file"]["mtime_ns"])
        except (OSError, KeyError, TypeError) as exc:
            raise ExportDamaged(f"{model_file} or its manifest is incomplete ({exc})") from exc
        if (stat.st_size, stat.st_mtime_ns) != tuple(recorded) and not self._restamped(
            manifest, model_file, stat.st_size, stat.st_mtime_ns
        ):
            raise ExportDamaged(f"{model_file} changed after it was checked")
        encoder = self._encoder(model_file, batch_size)
        import numpy as np

        agreement = cosines(encoder.encode(texts), np.asarray(expected, dtype=np.float32))
        if float(agreement.min()) < MIN_COSINE:
            raise ExportDamaged(f"{model_file} no longer gives the vectors it was checked with")
        return encoder

    def _restamped(
        self, manifest: dict[str, Any], model_file: Path, size: int, mtime_ns: int
    ) -> bool:
        """Whether the file is the checked one under a new time (a copy); if so, the manifest
        records the new time, so that the next load compares times again."""
        recorded = manifest["model_file"]
        try:
            if size != recorded["size"] or file_sha256(model_file) != recorded.get("sha256"):
                return False
        except OSError:
            return False
        restamped = {**manifest, "model_file": {**recorded, "mtime_ns": mtime_ns}}
        with contextlib.suppress(OSError):  # read-only: the file is still the checked one
            write_private(self.entry / MANIFEST, json.dumps(restamped))
        return True

    # -- building --------------------------------------------------------------------------

    def build(
        self,
        sentence_transformer: Any,
        reference: Callable[[Sequence[str]], np.ndarray],
        *,
        batch_size: int = 32,
    ) -> OnnxEncoder:
        """Export the loaded model, compare it with `reference` (torch fp32) on the probes,
        record the outcome, and return the encoder; ExportRefused on a mismatch.

        OSError (a read-only or full data folder) reaches the caller; nothing half-written
        is left behind."""
        from filelock import FileLock, Timeout

        entry = self.entry
        entry.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            with FileLock(str(entry / "build.lock"), timeout=BUILD_LOCK_TIMEOUT_S):
                try:
                    return self.load(batch_size=batch_size)  # another process just built it
                except ExportMissing:
                    pass
                return self._build_locked(sentence_transformer, reference, batch_size)
        except Timeout:
            raise ExportRefused(
                f"another process has been exporting into {entry} too long"
            ) from None

    def _build_locked(
        self,
        sentence_transformer: Any,
        reference: Callable[[Sequence[str]], np.ndarray],
        batch_size: int,
    ) -> OnnxEncoder:
        model_file = self.entry / MODEL_FILE
        export_onnx(sentence_transformer, model_file)
        encoder = self._encoder(model_file, batch_size)
        expected = reference(PROBES)
        verification = verify(encoder, expected)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "identity": self.identity(),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "min_cosine": round(verification.min_cosine, 7),
            "mean_cosine": round(verification.mean_cosine, 7),
        }
        if not verification.matches:
            detail = (
                f"the ONNX export differs from torch (cosine {verification.min_cosine:.6f} "
                f"< {MIN_COSINE} on the probe texts)"
            )
            model_file.unlink(missing_ok=True)
            mismatch = {**manifest, "status": "mismatch", "detail": detail}
            write_private(self.entry / MANIFEST, json.dumps(mismatch))
            raise ExportRefused(detail)
        stat = model_file.stat()
        verified = {
            **manifest,
            "status": "verified",
            "detail": f"matches torch on {len(PROBES)} probe texts",
            "model_file": {
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "sha256": file_sha256(model_file),
            },
            "check": {
                "texts": list(LOAD_CHECK),
                "vectors": expected[: len(LOAD_CHECK)].astype(float).tolist(),
            },
        }
        write_private(self.entry / MANIFEST, json.dumps(verified))
        self._remove_older_exports()
        return encoder

    def _encoder(self, model_file: Path, batch_size: int) -> OnnxEncoder:
        try:
            return OnnxEncoder(
                model_file,
                self.model.tokenizer_file,
                max_tokens=self.model.max_tokens,
                dim=self.model.dim,
                batch_size=batch_size,
            )
        except EmbedderError as exc:
            raise ExportDamaged(str(exc)) from exc

    def _remove_older_exports(self) -> None:
        """Exports of this model made by other versions (each ~90 MB) are not needed again."""
        mine = self.entry
        for other in self.folder.iterdir():
            if other == mine or not other.is_dir():
                continue
            try:
                identity = json.loads((other / MANIFEST).read_text("utf-8"))["identity"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if identity.get("model_dir") == self.identity()["model_dir"]:
                shutil.rmtree(other, ignore_errors=True)


def verify(encoder: OnnxEncoder, expected: np.ndarray) -> Verification:
    """Compare the export with torch's vectors for PROBES, in one padded batch and one by one."""
    import numpy as np

    batched = encoder.encode(PROBES)
    alone = np.concatenate([encoder.encode([text]) for text in PROBES])
    agreement = np.concatenate([cosines(batched, expected), cosines(alone, expected)])
    return Verification(float(agreement.min()), float(agreement.mean()))


def _file_stamps(folder: Path) -> list[list[Any]]:
    """Name, size and modification time of each file directly in `folder` (cheap: no hashing)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise ExportRefused(f"the model folder {folder} cannot be listed ({exc})") from exc
    stamps = []
    for path in entries:
        if path.is_file():
            stat = path.stat()
            stamps.append([path.name, stat.st_size, stat.st_mtime_ns])
    return stamps


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"
