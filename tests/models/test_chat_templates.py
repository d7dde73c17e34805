"""Chat templates that mishandle margin's prompt are found by a probe and fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.base import GenerationOptions, Message
from models.chat_templates import (
    RENDER_OPTIONS,
    SYSTEM_DROPPED,
    SYSTEM_REJECTED,
    TemplateError,
    check_template,
    fold_system,
    template_fixes,
)
from models.llama_cpp import LlamaCppModel

TURN = "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
OPEN = "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
CHATML = "{% for message in messages %}" + TURN + "{% endfor %}" + OPEN
REJECTS_SYSTEM = (  # as Gemma 2 does
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
    "{% endif %}" + CHATML
)
ALTERNATES = (  # as Mistral Instruct v0.1-v0.3 do
    "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant') }}"
    "{% endif %}" + TURN + "{% endfor %}" + OPEN
)
DROPS_SYSTEM = (  # as the first Phi-3-mini releases did
    "{% for message in messages %}{% if message['role'] != 'system' %}" + TURN
    + "{% endif %}{% endfor %}" + OPEN
)  # fmt: skip
THINKS = CHATML.replace(  # as Qwen3 does: thinking unless told otherwise
    OPEN,
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
    "{% if enable_thinking is defined and enable_thinking is false %}"
    "{{ '<think>\\n\\n</think>\\n\\n' }}{% endif %}{% endif %}",
)


def renderer(template: str):  # type: ignore[no-untyped-def]
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template=template, eos_token="</s>", bos_token="<s>")
    return lambda chat: formatter(messages=chat, **RENDER_OPTIONS).prompt


@pytest.mark.parametrize(
    ("template", "fixes"),
    [
        (CHATML, ()),
        (REJECTS_SYSTEM, (SYSTEM_REJECTED,)),
        (ALTERNATES, (SYSTEM_REJECTED,)),
        (DROPS_SYSTEM, (SYSTEM_DROPPED,)),
    ],
)
def test_the_probe_finds_what_each_template_needs(template: str, fixes: tuple) -> None:
    plan = check_template(renderer(template))
    assert plan.fixes == fixes
    chat = [
        {"role": "system", "content": "RULES"},
        {"role": "user", "content": "Q1"},
        {"role": "assistant", "content": "A1"},
        {"role": "user", "content": "Q2"},
    ]
    prompt = renderer(template)(plan.adapt(chat))
    assert "RULES" in prompt and prompt.index("RULES") < prompt.index("Q1") < prompt.index("Q2")


def test_thinking_templates_are_asked_to_answer_directly() -> None:
    prompt = renderer(THINKS)([{"role": "user", "content": "Q"}])
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


def test_a_template_that_loses_the_question_is_refused() -> None:
    with pytest.raises(TemplateError, match="leaves the question out"):
        check_template(renderer("{{ messages[0]['content'] }}"))


def test_fold_system_joins_the_rules_onto_the_first_question() -> None:
    folded = fold_system([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}])
    assert folded == [{"role": "user", "content": "S\n\nQ"}]
    assert fold_system([{"role": "system", "content": "S"}]) == [{"role": "user", "content": "S"}]


def test_fixes_are_reported_without_loading_a_model() -> None:
    assert template_fixes(REJECTS_SYSTEM) == ["system role rejected"]
    assert template_fixes(CHATML) == []
    assert template_fixes("{% if %}")[0].startswith("unusable:")


def test_a_model_whose_template_rejects_the_system_role_still_answers(
    bundled_gguf: Path, tmp_path: Path
) -> None:
    """The bundled GGUF with its chat template swapped, in place, for one that raises on a
    system message (same length, so the header stays valid): llama.cpp loads it, the probe
    finds the defect, and margin's rules reach the model inside the first user turn."""
    data = bundled_gguf.read_bytes()
    original = read_template(bundled_gguf)
    broken = REJECTS_SYSTEM + "{#" + "x" * (len(original) - len(REJECTS_SYSTEM) - 4) + "#}"
    assert len(broken) == len(original)
    path = tmp_path / "gemma-like.gguf"
    path.write_bytes(data.replace(original.encode(), broken.encode(), 1))

    model = LlamaCppModel("gemma-like", path, context=1024, threads=1)
    messages = [Message("system", "Answer in French."), Message("user", "Say hello.")]
    completion = model.stream(messages, GenerationOptions(max_tokens=8, temperature=0)).complete()
    assert model.template_plan.fixes == (SYSTEM_REJECTED,)
    assert completion.text.strip() and completion.usage.completion_tokens > 0
    tokens, _ = model.prompt_tokens(messages)
    prompt = model.llama.detokenize(tokens, special=True).decode()
    assert "<|im_start|>user\nAnswer in French.\n\nSay hello.<|im_end|>" in prompt
    assert "<|im_start|>system" not in prompt
    model.close()


def read_template(path: Path) -> str:
    from models.gguf_info import read_gguf_info

    template = read_gguf_info(path).chat_template
    assert template is not None
    return template
