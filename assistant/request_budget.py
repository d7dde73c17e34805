"""The budget check for one prompt: estimate its cost, refuse, fall back, or cap max_tokens."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.budget import Budget
from assistant.dependencies import RequestDecision
from models.base import ChatModel, Message

# An answer shorter than this is not worth sending the prompt for.
MIN_ANSWER_TOKENS = 32


class RequestBudgetGate:
    """Applies `Budget` to a concrete prompt for a concrete model."""

    def __init__(self, budget: Budget, *, fallback_profile: str = "local"):
        self._budget = budget
        self._fallback_profile = fallback_profile

    def check_request(
        self, model: ChatModel, messages: Sequence[Message], max_tokens: int
    ) -> RequestDecision:
        if not model.is_remote:
            return RequestDecision(allowed=True, reason="", max_tokens=max_tokens)
        prompt_tokens = model.count_message_tokens(messages)
        prompt_cost = model.pricing.cost(prompt_tokens, 0)
        estimate = model.pricing.cost(prompt_tokens, MIN_ANSWER_TOKENS)
        decision = self._budget.check(estimate, is_remote=True)
        if decision.fallback_to_local:
            return RequestDecision(
                allowed=False,
                reason=decision.reason,
                max_tokens=max_tokens,
                fallback_model=self._fallback_profile,
            )
        if not decision.allowed:
            return RequestDecision(allowed=False, reason=decision.reason, max_tokens=0)
        capped = Budget.max_tokens_within(
            decision.remaining_usd - prompt_cost, model.pricing.output_usd_per_mtok, max_tokens
        )
        reason = (
            f"max_tokens lowered from {max_tokens} to {capped} to stay within the budget"
            if capped < max_tokens
            else ""
        )
        return RequestDecision(allowed=True, reason=reason, max_tokens=capped)
