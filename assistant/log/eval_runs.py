"""Stored eval runs: the config that produced each, its aggregate metrics, and per-question
results, so runs can be compared later.

With `log_text=False`, question, answer, expected-answer and text fields in the per-question
records are replaced by `<field>_sha256`: the same question still matches across runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.log.database import LogDatabase, from_db_time, to_db_time
from assistant.log.errors import UnknownEvalRunError
from assistant.log.privacy import without_text


@dataclass(frozen=True, slots=True)
class EvalRun:
    id: int
    created_at: datetime
    config: dict[str, Any]
    metrics: dict[str, Any]
    questions: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "config": self.config,
            "metrics": self.metrics,
            "questions": self.questions,
        }


class EvalRuns:
    def __init__(self, db: LogDatabase, *, log_text: bool, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._log_text = log_text
        self._clock = clock

    def record_eval_run(
        self, config: dict[str, Any], metrics: dict[str, Any], questions: list[dict[str, Any]]
    ) -> int:
        kept = questions if self._log_text else without_text(questions)
        with self._db.write() as connection:
            cursor = connection.execute(
                "INSERT INTO eval_runs (created_at, config, metrics, questions) "
                "VALUES (?, ?, ?, ?)",
                (
                    to_db_time(self._clock()),
                    json.dumps(config, default=str),
                    json.dumps(metrics, default=str),
                    json.dumps(kept, default=str),
                ),
            )
        run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def eval_run(self, run_id: int) -> EvalRun:
        rows = self._db.query("SELECT * FROM eval_runs WHERE id = ?", (run_id,))
        if not rows:
            raise UnknownEvalRunError(run_id)
        return _run(rows[0])

    def eval_runs(self, limit: int = 20) -> list[EvalRun]:
        """The newest runs first."""
        rows = self._db.query("SELECT * FROM eval_runs ORDER BY id DESC LIMIT ?", (limit,))
        return [_run(row) for row in rows]

    def last_eval_run(self) -> EvalRun | None:
        runs = self.eval_runs(1)
        return runs[0] if runs else None


def _run(row: Any) -> EvalRun:
    return EvalRun(
        id=row["id"],
        created_at=from_db_time(row["created_at"]),
        config=json.loads(row["config"]),
        metrics=json.loads(row["metrics"]),
        questions=json.loads(row["questions"]),
    )
