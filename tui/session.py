"""What the screens share: the Assistant once it is built, and the person's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.config import ModelProfile
from tui.jobs import RunningWork

if TYPE_CHECKING:
    from assistant.core import Assistant


@dataclass(slots=True)
class Session:
    assistant: Assistant | None = None
    warm: bool = False
    profile: str | None = None  # None: the config's default profile
    collection: str | None = None  # None: every collection
    load_error: str | None = None  # the Assistant could not be built: nothing works
    warm_error: str | None = None  # the models did not load: asking may still work
    work: RunningWork = field(default_factory=RunningWork)  # threads using the Assistant

    @property
    def ready(self) -> bool:
        return self.assistant is not None

    def model_profile(self) -> ModelProfile | None:
        if self.assistant is None:
            return None
        config = self.assistant.config
        return config.models.get(self.profile or config.defaults.model)

    @property
    def daily_budget_usd(self) -> float:
        return 0.0 if self.assistant is None else self.assistant.config.budget.daily_usd

    @property
    def max_question_chars(self) -> int:
        return 0 if self.assistant is None else self.assistant.config.ask.max_question_chars

    @property
    def history_turns(self) -> int:
        return 0 if self.assistant is None else self.assistant.config.ask.history_turns
