"""`margin report`, `margin eval --compare/--compare-last/--from-feedback` through the real
CLI and a real log under MARGIN_HOME."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant.ask.types import Answer, AnswerUsage, GuardrailEvent
from assistant.cli import cli
from assistant.locations import resolve_locations
from assistant.log import InteractionLog
from tests.assistant.evaluation.scripted import source


@pytest.fixture
def home_log() -> Iterator[InteractionLog]:
    with InteractionLog(resolve_locations().ensure().log_db, log_text=True) as log:
        yield log


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def stored_run(log: InteractionLog, hit: float, questions: list[tuple[str, float]]) -> int:
    return log.evals.record_eval_run(
        {"retrieval_mode": "hybrid", "k": 6, "retrieval_only": True},
        {"hit@1": hit, "mrr@10": hit},
        [{"question": q, "line": n, "metrics": {"hit@1": h}} for n, (q, h) in enumerate(questions)],
    )


def test_compare_two_runs_as_json(home_log: InteractionLog) -> None:
    a = stored_run(home_log, 0.5, [("q1", 1.0), ("q2", 0.0)])
    b = stored_run(home_log, 0.25, [("q1", 0.0), ("q2", 0.5)])
    code, out, err = run("eval", "--compare", str(a), str(b), "--json")
    assert code == 0, err
    printed: dict[str, Any] = json.loads(out)
    assert printed["run_a"] == a and printed["run_b"] == b
    hit = next(d for d in printed["deltas"] if d["metric"] == "hit@1")
    assert hit == {
        "metric": "hit@1",
        "before": 0.5,
        "after": 0.25,
        "delta": -0.25,
        "verdict": "unclear",  # one question better, one worse
        "questions_better": 1,
        "questions_worse": 1,
        "p_value": 1.0,
    }
    assert [q["question"] for q in printed["worse_questions"]] == ["q1"]


def test_compare_last_shows_tables(home_log: InteractionLog) -> None:
    stored_run(home_log, 0.5, [("q1", 1.0)])
    stored_run(home_log, 0.75, [("q1", 0.0)])
    code, out, _ = run("eval", "--compare-last")
    assert code == 0
    assert "hit@1" in out and "unclear" in out and "0 better, 1 worse, p 1" in out
    assert "Questions that got worse (1)" in out
    questions = [f"q{n}" for n in range(8)]
    stored_run(home_log, 0.0, [(q, 0.0) for q in questions])
    stored_run(home_log, 1.0, [(q, 1.0) for q in questions])
    code, out, _ = run("eval", "--compare-last")
    assert code == 0
    assert "better" in out and "8 better, 0 worse, p 0.0078" in out
    assert "No question got worse." in out


def test_compare_errors_are_for_people(home_log: InteractionLog) -> None:
    code, _, err = run("eval", "--compare-last")
    assert code == 2 and "needs two stored runs" in err
    code, _, err = run("eval", "--compare", "1", "99")
    assert code == 2 and "No eval run with id 1" in err and "Traceback" not in err
    code, _, err = run("eval", "--compare", "1", "2", "--from-feedback")
    assert code == 2 and "cannot be combined" in err


def test_eval_without_a_file_lists_stored_runs(home_log: InteractionLog) -> None:
    code, _, err = run("eval")
    assert code == 0 and "No stored eval runs yet" in err
    first = stored_run(home_log, 0.5, [("q1", 1.0)])
    code, out, _ = run("eval")
    assert code == 0 and f"#{first}" in out and "hybrid," in out
    code, out, _ = run("eval", "--json")
    assert [r["id"] for r in json.loads(out)["runs"]] == [first]


def test_bad_golden_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    golden = tmp_path / "g.jsonl"
    golden.write_text('{"question": "ok?", "expected_sources": ["a.md"]}\n{"question": 3}\n')
    code, out, err = run("eval", str(golden))
    assert code == 2 and out == ""
    assert "line 2" in err and '"question" must be a non-empty string' in err


def test_from_feedback_writes_a_golden_file(home_log: InteractionLog, tmp_path: Path) -> None:
    answer = Answer(
        question="Where are keys?",
        answer="keyring [1]",
        cited=[1],
        sources=[source(1, "/docs/models.md")],
    )
    home_log.feedback(home_log.record(answer), "up")
    out_file = tmp_path / "fb.jsonl"
    code, out, err = run("eval", "--from-feedback", "--out", str(out_file))
    assert code == 0 and out == ""
    assert "1 golden lines, 0 answers to review" in err
    assert json.loads(out_file.read_text()) == {
        "question": "Where are keys?",
        "expected_sources": ["/docs/models.md"],
        "answerable": True,
    }


def test_report_writes_self_contained_html(home_log: InteractionLog, tmp_path: Path) -> None:
    answer = Answer(
        question="q",
        answer="a",
        model="local",
        guardrails=[GuardrailEvent("pii.redacted", "email")],
        latency_ms={"retrieve": 12.0, "ttft": 300.0, "total": 900.0},
        usage=AnswerUsage(prompt_tokens=100, completion_tokens=20, cost_usd=0.001),
    )
    home_log.feedback(home_log.record(answer), "up")
    stored_run(home_log, 0.5, [("q1", 1.0)])
    page = tmp_path / "report.html"
    code, out, err = run("report", "--html", str(page), "--since", "2020-01-01")
    assert code == 0, err
    assert "Interactions" in out and "pii.redacted" in out
    html = page.read_text()
    assert html.count("<svg") == 8
    assert re.search(r"https?:|<script", html) is None
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
