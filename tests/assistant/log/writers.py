"""Writer processes for the concurrency tests (importable by spawned children)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.log import InteractionLog
from tests.assistant.log.helpers import make_answer


def write_many(path: Path, writer: str, count: int, start: Any) -> None:
    """Wait for the other writers, then record `count` interactions one by one."""
    start.wait()
    with InteractionLog(path, log_text=True) as log:
        for n in range(count):
            log.record(replace(make_answer(n), model=writer))


def write_forever(path: Path) -> None:
    with InteractionLog(path, log_text=True) as log:
        n = 0
        while True:
            answer = make_answer(n)
            answer.answer *= 50  # larger rows: several pages per transaction
            log.record(answer)
            n += 1
