"""Realistic answers and a settable clock for the log tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.ask.types import Answer, AnswerUsage, GuardrailEvent, Source

QUESTION_MARK = "QUESTIONTEXT-7f3a"
ANSWER_MARK = "ANSWERTEXT-91bc"
CHUNK_MARK = "CHUNKTEXT-44de"
DETAIL_MARK = "DETAILTEXT-0c1d"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_answer(n: int = 0, *, cost: float = 0.0021, cached: bool = False) -> Answer:
    """An answer with two sources, guardrail events, usage and per-stage timings."""
    return Answer(
        question=f"{QUESTION_MARK} How does margin keep API keys safe? #{n}",
        answer=f"{ANSWER_MARK} Keys live in the system keyring [1], or an env var [2]. #{n}",
        mode="model",
        sources=[
            Source(
                number=1,
                id=f"chunk-{n}-a",
                path="/home/ada/notes/keys.md",
                page=None,
                heading="Keyring",
                line=12,
                score=0.8312,
                text=f"{CHUNK_MARK} margin stores API keys in the system keyring.",
            ),
            Source(
                number=2,
                id=f"chunk-{n}-b",
                path="/home/ada/papers/security.pdf",
                page=3,
                heading="",
                line=None,
                score=0.5127,
                text=f"{CHUNK_MARK} The environment variable named by key_env.",
                collection="papers",
                local_only=True,
            ),
        ],
        cited=[1, 2],
        guardrails=[
            GuardrailEvent("pii.redacted", f"{DETAIL_MARK} 1 email"),
            GuardrailEvent("local_only.withheld", "1 source"),
        ],
        usage=AnswerUsage(prompt_tokens=812, completion_tokens=64, cost_usd=cost, estimated=True),
        latency_ms={"embed": 11.5, "retrieve": 23.25, "ttft": 180.0, "generate": 900.0},
        model="work",
        model_id="some-model",
        groundedness=0.92,
        cached=cached,
    )
