"""A GGUF model run in process by llama-cpp-python, loaded on first use and kept loaded.

The prompt is rendered with the model's own chat template and tokenized here, exactly as
llama-cpp-python's chat handler does, and the token list goes to `create_completion`. So the
prompt token count is exact, and llama.cpp sees the same token prefix for the same system
prompt on every call: it keeps the previous prompt's KV cache and evaluates only the suffix
that differs (the question), which is what makes a second question answer fast.

Before loading, the GGUF header is read (`models.gguf_info`) and the context size, threads
and GPU layers are chosen for this machine (`models.runtime_plan`); after loading, the chat
template is probed once for known defects (`models.chat_templates`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
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
from models.chat_templates import RENDER_OPTIONS, TemplateError, TemplatePlan, check_template
from models.errors import ContextOverflowError, ModelFileError, ModelLoadError
from models.gguf_info import GGUFInfo, read_gguf_info
from models.runtime_plan import Machine, RuntimePlan, plan_runtime, probe_machine

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

REPEAT_PENALTY = 1.1  # tiny models loop without one

log = logging.getLogger("margin.models")


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
        machine: Callable[[], Machine] = probe_machine,
    ):
        """`context` is the most wanted (lowered to what the model and memory allow);
        `threads` 0 chooses one per physical core; `machine` describes where it runs."""
        self.profile = profile_name
        self.path = Path(path)
        self.model_id = self.path.stem
        self.pricing = Pricing()
        self.wanted_context = context
        self.wanted_threads = threads
        self._machine = machine
        self._verbose = verbose
        self._info: GGUFInfo | None = None
        self._plan: RuntimePlan | None = None
        self._llama: Llama | None = None
        self._formatter: Jinja2ChatFormatter | None = None
        self._template = TemplatePlan()
        self._load_lock = threading.RLock()
        self._generate_lock = threading.Lock()  # one generation at a time per model

    def __repr__(self) -> str:
        return f"LlamaCppModel({self.profile!r}, {str(self.path)!r}, context={self.wanted_context})"

    @property
    def info(self) -> GGUFInfo:
        """The GGUF header's metadata (read on first use; the weights stay on disk)."""
        with self._load_lock:
            if self._info is None:
                try:
                    self._info = read_gguf_info(self.path)
                except ModelFileError as exc:
                    raise ModelFileError(f"{exc} {self._where()}") from None
            return self._info

    @property
    def runtime(self) -> RuntimePlan:
        """Context size, threads and GPU layers chosen for this model on this machine."""
        with self._load_lock:
            if self._plan is None:
                self._plan = plan_runtime(
                    self.info,
                    self._machine(),
                    context=self.wanted_context,
                    threads=self.wanted_threads,
                )
            return self._plan

    @property
    def context_tokens(self) -> int:  # type: ignore[override]  # chosen when first read
        return self.runtime.context

    @property
    def threads(self) -> int:
        return self.runtime.threads

    @property
    def template_plan(self) -> TemplatePlan:
        """The fixes the model's chat template needed (known once the model is loaded)."""
        self.llama  # noqa: B018 - the template is probed when the model loads
        return self._template

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
        chat: Any = self._template.adapt([{"role": m.role, "content": m.content} for m in messages])
        rendered = self._formatter(messages=chat, **RENDER_OPTIONS)
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
        info = self.info
        if info.split_count > 1:
            raise ModelLoadError(
                f"{self.path} is part 1 of a GGUF split into {info.split_count} files, which "
                "margin does not load. Choose a single-file quantisation, or merge the parts "
                "with llama.cpp's `llama-gguf-split --merge`."
            )
        if not info.chat_template:
            raise ModelLoadError(
                f"{self.path} has no chat template, so margin cannot format a conversation "
                "for it. Use an instruct/chat GGUF model."
            )
        plan = self.runtime
        # llama.cpp's OpenMP threads spin while they wait; when other processes want the
        # same cores that collapses throughput (64 tokens on 2 busy cores: 54 s spinning, 6 s
        # passive). Must be set before llama_cpp loads libgomp; OMP_WAIT_POLICY=ACTIVE wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise ModelLoadError(
                f"llama-cpp-python is not installed ({exc}); `pip install llama-cpp-python`."
            ) from None
        for note in plan.notes:
            log.info("%s: %s", self.profile, note)
        llama = self._open(plan)
        eos, bos = llama.token_eos(), llama.token_bos()
        formatter = Jinja2ChatFormatter(
            template=info.chat_template,
            eos_token=_token_text(llama, eos),
            bos_token=_token_text(llama, bos),
            stop_token_ids=[eos],
        )
        try:
            self._template = check_template(
                lambda chat: formatter(messages=chat, **RENDER_OPTIONS).prompt  # type: ignore[arg-type]
            )
        except TemplateError as exc:
            llama.close()
            raise ModelLoadError(
                f"The chat template inside {self.path} cannot format margin's conversation: "
                f"{exc}. Use another build of this model, or another model."
            ) from None
        for fix in self._template.fixes:
            log.info("%s: chat template fix %r: %s", self.profile, fix.name, fix.why)
        return llama, formatter

    def _open(self, plan: RuntimePlan) -> Llama:
        """llama.cpp's model; when offloading to a GPU fails, once more on the CPU."""
        from llama_cpp import Llama

        try:
            # verbose=False makes llama-cpp-python silence llama.cpp's load chatter (fd 2)
            # and log only errors afterwards.
            return Llama(
                model_path=str(self.path),
                n_ctx=plan.context,
                n_threads=plan.threads,
                n_threads_batch=plan.threads,
                n_gpu_layers=plan.gpu_layers,
                verbose=self._verbose,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            if plan.gpu_layers != 0:
                log.warning("%s: loading on the GPU failed (%s); using the CPU", self.profile, exc)
                self._plan = replace(
                    plan, gpu_layers=0, notes=(*plan.notes, f"GPU offload failed ({exc}): CPU")
                )
                return self._open(self._plan)
            raise ModelLoadError(
                f"Could not load the model file {self.path}: it is corrupt, or in a GGUF "
                f"variant this llama.cpp does not support ({exc}). Download it again or "
                f"choose another file. {self._where()}"
            ) from None

    def _where(self) -> str:
        return (
            f"(model profile {self.profile!r}: see `margin models info {self.profile}`, "
            "or its path in config.toml)"
        )

    def close(self) -> None:
        with self._load_lock, self._generate_lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


def _token_text(llama: Llama, token: int) -> str:
    if token < 0:
        return ""
    return llama.detokenize([token], special=True).decode("utf-8", errors="replace")
