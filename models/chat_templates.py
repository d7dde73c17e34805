"""The model's own chat template, with fixes for templates known to mishandle margin's prompt.

margin always sends one system message (its rules), then turns of user and assistant, ending
with a user turn. Some templates shipped inside GGUF files do not take that:

- **system role rejected** (Gemma 1-2, Mistral Instruct v0.1-v0.3): the template raises
  "System role not supported" or "roles must alternate". margin's rules open the first user
  turn instead.
- **system role dropped** (the first Phi-3-mini releases): the system turn is silently left
  out of the prompt. The same remedy.
- **thinking by default** (Qwen3 and other hybrid reasoning models): a long `<think>` block
  comes before any answer and spends the token budget. Every render gets
  `enable_thinking=False`; templates that do not know the variable ignore it.

The first two are found by rendering a probe conversation once, when the model loads, so a
new model with the same defect is handled without a new table entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Variables every template render receives; templates that do not know them ignore them.
RENDER_OPTIONS: dict[str, Any] = {"enable_thinking": False}

_PROBE_SYSTEM = "margin-probe-system-7f3a"
_PROBE_USER = "margin-probe-user-1c9d"

Chat = list[dict[str, str]]
Render = Callable[[Chat], str]


class TemplateError(Exception):
    """The template cannot render margin's conversation even with the fixes."""


@dataclass(frozen=True, slots=True)
class TemplateFix:
    name: str
    why: str


SYSTEM_REJECTED = TemplateFix(
    "system role rejected", "the template refuses a system message; margin's rules open the "
    "first user message instead"
)  # fmt: skip
SYSTEM_DROPPED = TemplateFix(
    "system role dropped", "the template leaves system messages out; margin's rules open the "
    "first user message instead"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TemplatePlan:
    """How to hand messages to a template: as they are, or with the system turn folded in."""

    fixes: tuple[TemplateFix, ...] = ()

    @property
    def fold_system(self) -> bool:
        return bool(self.fixes)

    def adapt(self, chat: Chat) -> Chat:
        return fold_system(chat) if self.fold_system else chat


def check_template(render: Render) -> TemplatePlan:
    """Render a probe conversation and decide which fixes the template needs."""
    probe = [
        {"role": "system", "content": _PROBE_SYSTEM},
        {"role": "user", "content": _PROBE_USER},
    ]
    try:
        prompt = render(probe)
    except Exception:  # templates raise anything (ValueError, jinja errors); a retry tells
        plan = TemplatePlan((SYSTEM_REJECTED,))
    else:
        if _PROBE_SYSTEM in prompt and _PROBE_USER in prompt:
            return TemplatePlan()
        if _PROBE_USER not in prompt:
            raise TemplateError("the template leaves the question out of the prompt")
        plan = TemplatePlan((SYSTEM_DROPPED,))
    try:
        prompt = render(plan.adapt(probe))
    except Exception as exc:
        raise TemplateError(f"the template fails to render a conversation ({exc})") from None
    if _PROBE_SYSTEM not in prompt or _PROBE_USER not in prompt:
        raise TemplateError("the template leaves part of the conversation out of the prompt")
    return plan


def fold_system(chat: Sequence[dict[str, str]]) -> Chat:
    """System messages joined onto the start of the first user message."""
    system = "\n\n".join(m["content"] for m in chat if m["role"] == "system")
    rest = [dict(m) for m in chat if m["role"] != "system"]
    if not system:
        return rest
    for message in rest:
        if message["role"] == "user":
            message["content"] = f"{system}\n\n{message['content']}"
            return rest
    return [{"role": "user", "content": system}, *rest]


def template_fixes(template: str | None) -> list[str]:
    """The fixes `template` needs, found without loading the model (special tokens blank)."""
    if not template:
        return []
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    try:
        formatter = Jinja2ChatFormatter(template=template, eos_token="", bos_token="")
        plan = check_template(lambda chat: formatter(messages=chat, **RENDER_OPTIONS).prompt)  # type: ignore[arg-type]
    except Exception as exc:  # a template that does not even parse
        return [f"unusable: {exc}"]
    return [fix.name for fix in plan.fixes]
