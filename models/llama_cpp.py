"""A GGUF model run in process by llama-cpp-python, loaded on first use and kept loaded.

The prompt is rendered with the model's own chat template and tokenized here, exactly as
llama-cpp-python's chat handler does, and the token list goes to `create_completion`. So the
prompt token count is exact, and llama.cpp sees the same token prefix for the same system
prompt on every call: it keeps the previous prompt's KV cache and evaluates only the suffix
that differs (the question), which is what makes a second question answer fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.base import (
    ChatModel,
    FinishReason,
    GenerationOptions,
    Message,
    Pricing,
    StreamEnd,
    Usage,
)
from models.errors import ContextOverflowError, ModelLoadError

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

REPEAT_PENALTY = 1.1  # tiny models loop without one


class LlamaCppModel(ChatModel):
    is_remote = False

    def __init__(
        self,
        profile_name: str,
        path: Path,
        *,
        context: int = 4096,
        threads: int = 0,
        verbose: bool = False,
    ):
        self.profile = profile_name
        self.path = Path(path)
        self.model_id = self.path.stem
        self.context_tokens = context
        self.pricing = Pricing()
        self.threads = threads or os.cpu_count() or 1
        self._verbose = verbose
        self._llama: Llama | None = None
        self._formatter: Jinja2ChatFormatter | None = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()  # one generation at a time per model

    def __repr__(self) -> str:
        return f"LlamaCppModel({self.profile!r}, {str(self.path)!r}, context={self.context_tokens})"

    @property
    def llama(self) -> Llama:
        """The loaded `llama_cpp.Llama` (loading it on first use)."""
        with self._load_lock:
            if self._llama is None:
                self._llama, self._formatter = self._load()
            return self._llama

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """Exact: the messages rendered with the chat template, as the model will read them."""
        return len(self.prompt_tokens(messages)[0])

    def prompt_tokens(self, messages: Sequence[Message]) -> tuple[list[int], list[str]]:
        """The prompt's token ids and the template's stop strings."""
        llama = self.llama
        assert self._formatter is not None
        chat: Any = [{"role": m.role, "content": m.content} for m in messages]
        rendered = self._formatter(messages=chat)
        tokens = llama.tokenize(
            rendered.prompt.encode("utf-8"), add_bos=not rendered.added_special, special=True
        )
        stops = rendered.stop if isinstance(rendered.stop, list) else [rendered.stop or ""]
        return tokens, [s for s in stops if s]

    def _generate(
        self, messages: list[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | StreamEnd]:
        from llama_cpp import StoppingCriteriaList

        llama = self.llama
        with self._generate_lock:
            prompt, template_stops = self.prompt_tokens(messages)
            room = self.context_tokens - len(prompt)
            if room <= 0:
                raise ContextOverflowError(
                    f"The prompt is {len(prompt)} tokens; model profile {self.profile!r} holds "
                    f"{self.context_tokens}. Ask with fewer sources (--k), or raise `context` "
                    f"in [models.{self.profile}]."
                )
            chunks: Any = llama.create_completion(
                prompt,
                max_tokens=min(options.max_tokens, room),
                temperature=options.temperature,
                repeat_penalty=REPEAT_PENALTY,
                stop=[*options.stop, *template_stops],
                # Checked after every sampled token, even while text is held back for a stop.
                stopping_criteria=StoppingCriteriaList([lambda _ids, _logits: cancel.is_set()]),
                stream=True,
            )
            parts: list[str] = []
            finish: FinishReason = "stop"
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    if choice["text"]:
                        parts.append(choice["text"])
                        yield choice["text"]
                    if choice["finish_reason"] == "length":
                        finish = "length"
                    if cancel.is_set():
                        break
            finally:
                chunks.close()
            text = "".join(parts)
            yield StreamEnd(
                usage=Usage(
                    prompt_tokens=len(prompt),
                    completion_tokens=self.count_tokens(text) if text else 0,
                    estimated=False,
                ),
                finish_reason=finish,
            )

    def _load(self) -> tuple[Llama, Jinja2ChatFormatter]:
        where = f"[models.{self.profile}] path in config.toml"
        try:
            with self.path.open("rb") as handle:
                signature = handle.read(4)
        except FileNotFoundError:
            raise ModelLoadError(f"Model file not found: {self.path}. Check the {where}.") from None
        except OSError as exc:
            raise ModelLoadError(f"Cannot read model file {self.path}: {exc.strerror}.") from None
        if signature != b"GGUF":
            raise ModelLoadError(
                f"{self.path} is not a GGUF model file (it lacks the GGUF signature). "
                f"Point the {where} at a .gguf file."
            )
        # llama.cpp's OpenMP threads spin while they wait; when other processes want the
        # same cores that collapses throughput (64 tokens on 2 busy cores: 54 s spinning, 6 s
        # passive). Must be set before llama_cpp loads libgomp; OMP_WAIT_POLICY=ACTIVE wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise ModelLoadError(
                f"llama-cpp-python is not installed ({exc}); `pip install llama-cpp-python`."
            ) from None
        try:
            # verbose=False makes llama-cpp-python silence llama.cpp's load chatter (fd 2)
            # and log only errors afterwards.
            llama = Llama(
                model_path=str(self.path),
                n_ctx=self.context_tokens,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                verbose=self._verbose,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(
                f"Could not load the model file {self.path}: it is corrupt, truncated, or in a "
                f"GGUF variant this llama.cpp does not support ({exc}). Download it again or "
                f"choose another file in the {where}."
            ) from None
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelLoadError(
                f"{self.path} has no chat template, so margin cannot format a conversation "
                "for it. Use an instruct/chat GGUF model."
            )
        eos, bos = llama.token_eos(), llama.token_bos()
        formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=_token_text(llama, eos),
            bos_token=_token_text(llama, bos),
            stop_token_ids=[eos],
        )
        return llama, formatter

    def close(self) -> None:
        with self._load_lock, self._generate_lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


def _token_text(llama: Llama, token: int) -> str:
    if token < 0:
        return ""
    return llama.detokenize([token], special=True).decode("utf-8", errors="replace")
