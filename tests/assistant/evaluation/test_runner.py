"""run_eval with a scripted assistant: per-question records, hand-checked aggregates, and
the recomputation property (aggregates equal what the printed question list gives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.ask.types import Answer, AnswerUsage, GuardrailEvent
from assistant.errors import BudgetExceededError
from assistant.evaluation.golden import load_golden
from assistant.evaluation.runner import run_eval
from assistant.evaluation.summary import summarize
from tests.assistant.evaluation.scripted import ScriptedAssistant, source


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    lines = [
        {"question": "q1", "expected_sources": ["a.md"], "expected_answer": "50 MB"},
        {"question": "q2", "expected_sources": ["b.md", "c.md"], "expected_answer": "keyring"},
        {"question": "q3", "expected_sources": [], "answerable": False},
    ]
    path = tmp_path / "golden.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return path


def answer(question: str, text: str, *, refused: bool = False, **extra: object) -> Answer:
    result = Answer(question=question, answer=text, refused=refused, **extra)  # type: ignore[arg-type]
    result.mode = "refused" if refused else "model"
    return result


def scripted(root: Path) -> ScriptedAssistant:
    a, b, c, d = (str(root / name) for name in ("a.md", "b.md", "c.md", "d.md"))
    return ScriptedAssistant(
        rankings={"q1": [a, a, d], "q2": [d, b, d, c], "q3": [d]},
        answers={
            "q1": answer(
                "q1",
                "The limit is 50 MB [1].",
                groundedness=1.0,
                sources=[source(1, a)],
                latency_ms={"retrieve": 10.0, "total": 100.0},
                usage=AnswerUsage(prompt_tokens=100, completion_tokens=10, cost_usd=0.001),
            ),
            "q2": answer(
                "q2",
                "Keys go in a file.",
                groundedness=0.5,
                guardrails=[GuardrailEvent("citation.invalid", "removed [7]")],
                latency_ms={"retrieve": 20.0, "total": 300.0},
                usage=AnswerUsage(prompt_tokens=200, completion_tokens=20, cost_usd=0.002),
            ),
            "q3": answer(
                "q3",
                "Not found in your documents.",
                refused=True,
                latency_ms={"retrieve": 30.0, "total": 30.0},
            ),
        },
    )


def test_per_question_records_and_aggregates_by_hand(golden: Path) -> None:
    root = golden.parent
    run = run_eval(scripted(root), load_golden(golden), k=2)
    q1, q2, q3 = run.questions
    assert q1["ranked_sources"] == [str(root / "a.md"), str(root / "d.md")]
    assert q1["metrics"]["hit@1"] == 1.0 and q1["metrics"]["containment"] == 1.0
    # q2 ranks d, b, c: first relevant at rank 2; recall@2 = 1/2
    assert q2["metrics"]["mrr@10"] == 0.5
    assert q2["metrics"]["recall@k"] == 0.5
    assert q2["metrics"]["containment"] == 0.0
    assert q2["metrics"]["citation_validity"] == 0.0
    assert q3["metrics"]["hit@1"] is None and q3["metrics"]["refusal_correct"] == 1.0

    metrics = run.metrics
    assert metrics["hit@1"] == 0.5
    assert metrics["mrr@10"] == 0.75
    assert metrics["recall@k"] == 0.75
    assert metrics["containment"] == 0.5
    assert metrics["groundedness"] == 0.75
    assert metrics["citation_validity"] == 0.5
    assert metrics["refusal_accuracy"] == 1.0
    assert metrics["cost_usd"] == pytest.approx(0.003)
    assert metrics["prompt_tokens"] == 300
    assert metrics["latency_ms.ask.total.p50"] == 100.0  # nearest rank of 30, 100, 300
    assert metrics["latency_ms.ask.total.p95"] == 300.0
    assert metrics["questions"] == 3 and metrics["unanswerable"] == 1


def test_every_question_is_asked_without_the_answer_cache(golden: Path) -> None:
    assistant = scripted(golden.parent)
    run_eval(assistant, load_golden(golden), k=8)
    assert assistant.used_cache == [False, False, False]
    assert assistant.asked_k == [None, None, None]  # the model gets the assistant's default
    run_eval(assistant, load_golden(golden), k=8, ask_k=2)
    assert assistant.asked_k[3:] == [2, 2, 2]


def test_aggregates_recompute_from_the_printed_questions(golden: Path) -> None:
    run = run_eval(scripted(golden.parent), load_golden(golden), k=3)
    printed = json.loads(json.dumps(run.to_json()))
    assert summarize(printed["questions"]) == printed["metrics"]


def test_retrieval_only_asks_nothing_and_searches_ten_deep(golden: Path) -> None:
    assistant = scripted(golden.parent)
    assistant.answers.clear()  # an ask would raise KeyError
    run = run_eval(assistant, load_golden(golden), retrieval_only=True, k=3)
    assert assistant.searched_k == [1, 10, 10, 10]  # the first is the untimed warm-up
    assert run.metrics["containment"] is None
    assert run.metrics["refusal_accuracy"] is None
    assert all(q["answer"] is None for q in run.questions)
    assert set(run.questions[0]["latency_ms"]) == {"search"}


def test_a_refused_answerable_question_scores_zero_on_the_answer(golden: Path) -> None:
    assistant = scripted(golden.parent)
    assistant.answers["q1"] = answer("q1", "Not found in your documents.", refused=True)
    run = run_eval(assistant, load_golden(golden))
    q1 = run.questions[0]
    assert q1["metrics"]["containment"] == 0.0
    assert q1["metrics"]["refusal_correct"] == 0.0
    assert run.metrics["answered_when_answerable"] == 0.5


def test_an_error_on_one_question_is_recorded_and_the_run_goes_on(golden: Path) -> None:
    assistant = scripted(golden.parent)

    def over_budget(question: str, options: object = None) -> None:
        raise BudgetExceededError("over the daily budget")

    assistant.ask = over_budget  # type: ignore[method-assign]
    run = run_eval(assistant, load_golden(golden))
    assert [q["error"] for q in run.questions] == ["over the daily budget"] * 3
    assert run.metrics["errors"] == 3
    assert run.metrics["hit@1"] == 0.5  # retrieval still measured
