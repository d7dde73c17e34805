"""`margin eval --from-feedback`: a golden set from the answers the person rated.

A thumbs-up answer becomes a golden line whose expected sources are the sources it cited; a
thumbs-up "not found" refusal becomes an unanswerable line.
Thumbs-down answers, and thumbs-up answers that cited nothing, are written as `# review:`
comment lines (the golden parser skips them) for the person to turn into lines by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.log.interactions import InteractionRecord


@dataclass(slots=True)
class FeedbackGolden:
    lines: list[dict[str, Any]] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    without_text: int = 0  # rated interactions logged with privacy.log_text = false

    def to_jsonl(self) -> str:
        out = [json.dumps(line, ensure_ascii=False) for line in self.lines]
        out += [f"# review: {note}" for note in self.review]
        return "\n".join(out) + ("\n" if out else "")


def golden_from_feedback(records: Iterable[InteractionRecord]) -> FeedbackGolden:
    """Records newest first; each question is used once, from its newest rated answer."""
    result = FeedbackGolden()
    seen: set[str] = set()
    for record in records:
        if record.feedback is None:
            continue
        if not record.text_kept:
            result.without_text += 1
            continue
        answer = record.answer
        question = answer.question.strip()
        if not question or question in seen:
            continue
        seen.add(question)
        cited = {n for n in answer.cited}
        paths = list(dict.fromkeys(s.path for s in answer.sources if s.number in cited))
        note = f" ({record.feedback.note})" if record.feedback.note else ""
        if record.feedback.rating == "down":
            result.review.append(f"#{record.id} rated down{note}: {_one_line(question)}")
        elif answer.refused and answer.refusal_reason == "not_found":
            result.lines.append({"question": question, "expected_sources": [], "answerable": False})
        elif not paths:
            result.review.append(
                f"#{record.id} rated up but cited no source: {_one_line(question)}"
            )
        else:
            result.lines.append(
                {"question": question, "expected_sources": paths, "answerable": True}
            )
    return result


def _one_line(text: str) -> str:
    return " ".join(text.split())
