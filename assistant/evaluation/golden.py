"""Golden sets: one JSON object per line, checked with errors that name the line.

A line reads `{"question": "...", "expected_sources": ["path"], "expected_answer": "...",
"answerable": true}`. Expected sources may be absolute or relative to the golden file's
folder; they are resolved here so they compare equal to the absolute paths search returns.
Blank lines and lines starting with `#` are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import UsageError
from assistant.evaluation.metrics import normalize

KEYS = ("question", "expected_sources", "expected_answer", "answerable")
MAX_REPORTED = 20


class GoldenSetError(UsageError):
    """The golden file cannot be used; the message lists each bad line and what is wrong."""


@dataclass(frozen=True, slots=True)
class GoldenQuestion:
    line: int
    question: str
    expected_sources: tuple[str, ...]  # absolute, resolved
    expected_answer: str | None
    answerable: bool


@dataclass(frozen=True, slots=True)
class GoldenSet:
    path: Path
    questions: tuple[GoldenQuestion, ...]


def load_golden(path: Path) -> GoldenSet:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldenSetError(f"No golden file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldenSetError(f"Cannot read the golden file {path}: {exc}") from exc
    base = path.resolve().parent
    return GoldenSet(path=path.resolve(), questions=parse_golden(text, base, str(path)))


def parse_golden(text: str, base: Path, name: str) -> tuple[GoldenQuestion, ...]:
    """Every line checked; all problems reported together, so one fix round is enough."""
    questions: list[GoldenQuestion] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            questions.append(_parse_line(line, number, base))
        except ValueError as exc:
            problems.append(f"{name}, line {number}: {exc}")
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(f"... and {len(problems) - MAX_REPORTED} more bad lines")
        raise GoldenSetError("The golden file has problems:\n  " + "\n  ".join(shown))
    if not questions:
        raise GoldenSetError(f"{name} holds no questions (one JSON object per line).")
    return tuple(questions)


def _parse_line(line: str, number: int, base: Path) -> GoldenQuestion:
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(KEYS)}")
    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError('"question" must be a non-empty string')
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError(f'"answerable" must be true or false, got {answerable!r}')
    sources = data.get("expected_sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        raise ValueError('"expected_sources" must be a list of non-empty path strings')
    if answerable and not sources:
        raise ValueError("an answerable question needs at least one expected source")
    if not answerable and sources:
        raise ValueError('an unanswerable question ("answerable": false) has no expected sources')
    expected = data.get("expected_answer")
    if expected is not None and (not isinstance(expected, str) or not expected.strip()):
        raise ValueError('"expected_answer" must be a non-empty string when given')
    if expected is not None and not normalize(expected):
        raise ValueError(
            f'"expected_answer" {expected.strip()!r} has no letter or digit to look for in an '
            "answer (punctuation is ignored when answers are compared)"
        )
    if expected is not None and not answerable:
        raise ValueError('an unanswerable question ("answerable": false) has no expected answer')
    return GoldenQuestion(
        line=number,
        question=question.strip(),
        expected_sources=tuple(_resolve(s, base) for s in sources),
        expected_answer=expected.strip() if expected is not None else None,
        answerable=answerable,
    )


def _resolve(source: str, base: Path) -> str:
    path = Path(source).expanduser()
    return str((path if path.is_absolute() else base / path).resolve())
