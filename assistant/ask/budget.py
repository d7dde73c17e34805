"""Cost budgets: per request (estimated before the call) and per UTC day (from the log).

`Budget.check` decides on an estimated cost; it raises nothing. `RequestBudgetGate` applies it
to a concrete prompt for a concrete model before any remote call: it refuses (the answer is a
refusal with reason "budget", exit 4), falls back to the local model when
`budget.fallback = "local"`, or lowers max_tokens to what the budget still pays for. Local
models cost nothing and are never refused. Given a `SpendLedger` (the log's), the gate decides
and holds the most the call can cost in one step no other process can interleave with, so
parallel asks share the daily budget; the decision carries the hold (`reservation`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from assistant.config import BudgetConfig
from models.base import ChatModel, Message

CONFIG_FILE = "config.toml"
CENT_FRACTION = 1e-9  # sums of float dollars may miss a limit they reach by 1e-16
# An answer shorter than this is not worth sending the prompt for.
MIN_ANSWER_TOKENS = 32


@dataclass(frozen=True, slots=True)
class BudgetDecision:
    allowed: bool  # the remote call may go ahead
    fallback_to_local: bool = False  # answer with the local model instead
    reason: str = ""  # for people: why not, and which config key to change
    remaining_usd: float = math.inf  # what this request may spend, by both budgets


class Budget:
    def __init__(self, config: BudgetConfig, spend_today: Callable[[], float]) -> None:
        self._config = config
        self._spend_today = spend_today

    def check(
        self, estimated_usd: float, *, is_remote: bool, spent: float | None = None
    ) -> BudgetDecision:
        """`spent`: today's spend if the caller has just read it (else it is read here)."""
        if not is_remote:
            return BudgetDecision(allowed=True)
        estimate = max(estimated_usd, 0.0)
        spent = self._spend_today() if spent is None else spent
        left_today = max(self._config.daily_usd - spent, 0.0)
        remaining = min(self._config.request_usd, left_today)
        problem = self._problem(estimate, spent)
        if problem is None:
            return BudgetDecision(allowed=True, remaining_usd=remaining)
        if self._config.fallback == "local":
            return BudgetDecision(
                allowed=False,
                fallback_to_local=True,
                reason=f"{problem} Answered with the local model instead (budget.fallback).",
                remaining_usd=remaining,
            )
        return BudgetDecision(
            allowed=False,
            reason=f"{problem} To answer anyway, raise that limit or use a local model "
            '(budget.fallback = "local" does this automatically).',
            remaining_usd=remaining,
        )

    def _problem(self, estimate: float, spent: float) -> str | None:
        limits = self._config
        if estimate > limits.request_usd + CENT_FRACTION:
            return (
                f"This request is estimated at {_usd(estimate)}, over the per-request budget "
                f"of {_usd(limits.request_usd)} (budget.request_usd = {limits.request_usd} in "
                f"{CONFIG_FILE}); nothing was sent."
            )
        if spent + estimate > limits.daily_usd + CENT_FRACTION:
            return (
                f"Today's remote spend is {_usd(spent)} and this request is estimated at "
                f"{_usd(estimate)}, over the daily budget of {_usd(limits.daily_usd)} "
                f"(budget.daily_usd = {limits.daily_usd} in {CONFIG_FILE}); nothing was sent."
            )
        return None

    @staticmethod
    def max_tokens_within(
        remaining_usd: float, pricing_output_usd_per_mtok: float, requested: int
    ) -> int:
        """`requested`, lowered to what `remaining_usd` pays for at the output price.

        Pass what is left once the prompt's cost is taken from `BudgetDecision.remaining_usd`.
        A free model gets `requested`; nothing left gives 0.
        """
        if pricing_output_usd_per_mtok <= 0 or math.isinf(remaining_usd):
            return requested
        tokens = max(remaining_usd, 0.0) * 1_000_000 / pricing_output_usd_per_mtok
        affordable = math.floor(round(tokens, 6))  # 0.0006 USD at $0.60/Mtok is 1000, not 999
        return max(0, min(requested, affordable))


def _usd(amount: float) -> str:
    return f"${amount:.4f}" if 0 < amount < 0.01 else f"${amount:.2f}"


@dataclass(frozen=True, slots=True)
class RequestDecision:
    allowed: bool
    reason: str
    max_tokens: int
    fallback_model: str | None = None
    reservation: int | None = None  # the ledger's hold for this call, settled when it is logged


class SpendLedger(Protocol):
    """Where the gate holds money for calls in flight (`assistant.log.budget_ledger`)."""

    def reserve(self, profile: str, hold: Callable[[float], float]) -> int | None: ...


class RequestBudget(Protocol):
    """What the pipeline asks before a model call; `RequestBudgetGate` is the real one."""

    def check_request(
        self, model: ChatModel, messages: Sequence[Message], max_tokens: int
    ) -> RequestDecision: ...


class RequestBudgetGate:
    """Applies `Budget` to a concrete prompt for a concrete model."""

    def __init__(
        self,
        budget: Budget,
        *,
        fallback_profile: str = "local",
        ledger: SpendLedger | None = None,
    ):
        self._budget = budget
        self._fallback_profile = fallback_profile
        self._ledger = ledger

    def check_request(
        self, model: ChatModel, messages: Sequence[Message], max_tokens: int
    ) -> RequestDecision:
        if not model.is_remote:
            return RequestDecision(allowed=True, reason="", max_tokens=max_tokens)
        prompt_tokens = model.count_message_tokens(messages)
        if self._ledger is None:
            return self._decide(model, prompt_tokens, max_tokens, spent=None)
        decided: list[RequestDecision] = []

        def hold(spent: float) -> float:
            decision = self._decide(model, prompt_tokens, max_tokens, spent=spent)
            decided.append(decision)
            if not decision.allowed:
                return 0.0
            return model.pricing.cost(prompt_tokens, decision.max_tokens)

        reservation = self._ledger.reserve(model.profile, hold)
        return replace(decided[0], reservation=reservation)

    def _decide(
        self, model: ChatModel, prompt_tokens: int, max_tokens: int, *, spent: float | None
    ) -> RequestDecision:
        prompt_cost = model.pricing.cost(prompt_tokens, 0)
        estimate = model.pricing.cost(prompt_tokens, MIN_ANSWER_TOKENS)
        decision = self._budget.check(estimate, is_remote=True, spent=spent)
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
