"""A sentence-transformers model exported to ONNX, run with ONNX Runtime and `tokenizers`.

No torch: importing onnxruntime and tokenizers takes about 0.07 s and a session about 0.15 s,
against 4-7 s for torch and sentence-transformers. Texts are tokenised exactly as
sentence-transformers does for this model (its `tokenizer.json`, truncated at the model's
`max_seq_length`, with its special tokens), and mean pooling and L2 normalisation run inside
the graph, so the vectors match the torch model's (checked by `ingest.onnx_cache`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.batching import embed_in_length_order
from ingest.errors import EmbedderError

if TYPE_CHECKING:
    import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# ONNX Runtime's memory arena keeps the largest buffers a run ever needed, and a batch's
# attention tensors grow with batch x tokens^2: 32 texts of 256 tokens left a process at
# ~800 MB, 16 at ~510 MB, with no measurable loss of speed (same texts, interleaved). Turning the
# arena off is worse: glibc keeps the freed blocks fragmented (peak ~1.3 GB at 32).
MAX_BATCH = 16


def model_tokenizer(tokenizer_file: Path, max_tokens: int) -> Any:
    """The model's tokenizer as sentence-transformers runs it: its special tokens, truncated
    at `max_tokens` (`tokenizer.json` itself may say 128), no padding (batches pad later)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.no_padding()
    return tokenizer


def import_runtime() -> None:
    """Import what an encoder needs (numpy, onnxruntime, tokenizers) in the calling thread, so
    that one can then open on another thread without importing anything: two threads importing
    numpy at once can each see it half initialised. ImportError when one is missing."""
    import numpy  # noqa: F401
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401


def cpu_cores() -> int:
    """The cores this process may run on (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class OnnxEncoder:
    """Embeds texts with an exported model file; loads the session in the constructor."""

    def __init__(
        self,
        model_file: Path,
        tokenizer_file: Path,
        *,
        max_tokens: int,
        dim: int,
        batch_size: int = 32,
        threads: int | None = None,
    ):
        try:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads or cpu_cores()
            options.inter_op_num_threads = 1
            # Idle threads sleep instead of spinning: a question's few short texts leave them
            # idle between operators, and on a busy laptop the spinning takes the cores the
            # work needs (query embedding at load 8: 25 -> 14 ms, half the CPU time).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3  # errors only: nothing on the person's terminal
            self._session = ort.InferenceSession(
                str(model_file), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = model_tokenizer(tokenizer_file, max_tokens)
        except Exception as exc:  # onnxruntime raises its own types for unreadable files
            raise EmbedderError(f"The ONNX model {model_file} cannot be loaded: {exc}") from exc
        self._inputs = [i.name for i in self._session.get_inputs()]
        unknown = set(self._inputs) - set(INPUTS)
        if unknown:
            raise EmbedderError(f"The ONNX model {model_file} wants unknown inputs {unknown}.")
        self.dim = dim
        self.batch_size = min(batch_size, MAX_BATCH)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in order."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(encoding.ids) for encoding in encodings]
        return embed_in_length_order(
            lengths,
            self.batch_size,
            self.dim,
            lambda batch: self._run([encodings[i] for i in batch]),
        )

    def _run(self, encodings: list[Any]) -> np.ndarray:
        import numpy as np

        width = max(len(encoding.ids) for encoding in encodings)
        feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in self._inputs}
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            for name, values in (
                ("input_ids", encoding.ids),
                ("attention_mask", encoding.attention_mask),
                ("token_type_ids", encoding.type_ids),
            ):
                if name in feeds:
                    feeds[name][row, :length] = values
        output = self._session.run(None, feeds)[0]
        return np.asarray(output, dtype=np.float32)
