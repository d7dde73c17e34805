from __future__ import annotations

import math

import pytest

from assistant.ask.budget import Budget, BudgetDecision
from assistant.config import BudgetConfig

LIMITS = BudgetConfig(request_usd=0.05, daily_usd=1.00)


def budget(spent: float, config: BudgetConfig = LIMITS) -> Budget:
    return Budget(config, lambda: spent)


@pytest.mark.parametrize(
    ("estimate", "spent", "is_remote", "allowed", "remaining"),
    [
        (0.01, 0.00, True, True, 0.05),
        (0.05, 0.00, True, True, 0.05),  # at the limit is within it
        (0.0501, 0.00, True, False, 0.05),
        (0.02, 0.97, True, True, 0.03),
        (0.04, 0.97, True, False, 0.03),
        (0.01, 1.00, True, False, 0.0),
        (0.00, 1.50, True, False, 0.0),  # the day is spent already
        (0.03, 0.97, True, True, 0.03),  # exactly reaching the daily limit
        (9.99, 5.00, False, True, math.inf),  # local models are never refused
    ],
)
def test_decisions(
    estimate: float, spent: float, is_remote: bool, allowed: bool, remaining: float
) -> None:
    decision = budget(spent).check(estimate, is_remote=is_remote)
    assert decision.allowed is allowed
    assert decision.fallback_to_local is False
    assert decision.remaining_usd == pytest.approx(remaining)
    assert (decision.reason == "") is allowed


def test_reaching_a_limit_exactly_is_allowed_despite_float_sums() -> None:
    config = BudgetConfig(request_usd=0.1, daily_usd=0.3)
    assert 0.2 + 0.1 > 0.3  # 0.30000000000000004
    assert budget(0.2, config).check(0.1, is_remote=True).allowed


def test_request_refusal_names_limit_estimate_and_key() -> None:
    decision = budget(0.0).check(0.0712, is_remote=True)
    assert decision == BudgetDecision(
        allowed=False,
        reason="This request is estimated at $0.07, over the per-request budget of $0.05 "
        "(budget.request_usd = 0.05 in config.toml); nothing was sent. To answer anyway, "
        'raise that limit or use a local model (budget.fallback = "local" does this '
        "automatically).",
        remaining_usd=0.05,
    )


def test_daily_refusal_names_spend_limit_and_key() -> None:
    reason = budget(0.98).check(0.03, is_remote=True).reason
    assert "Today's remote spend is $0.98" in reason
    assert "estimated at $0.03" in reason
    assert "daily budget of $1.00 (budget.daily_usd = 1.0 in config.toml)" in reason


def test_small_estimates_show_four_decimals() -> None:
    tight = BudgetConfig(request_usd=0.001, daily_usd=1.0)
    reason = budget(0.0, tight).check(0.0023, is_remote=True).reason
    assert "estimated at $0.0023, over the per-request budget of $0.0010" in reason


def test_fallback_to_local() -> None:
    config = BudgetConfig(request_usd=0.05, daily_usd=1.0, fallback="local")
    decision = budget(0.0, config).check(0.2, is_remote=True)
    assert (decision.allowed, decision.fallback_to_local) == (False, True)
    assert "Answered with the local model instead" in decision.reason
    assert budget(0.0, config).check(0.01, is_remote=True).fallback_to_local is False


@pytest.mark.parametrize(
    ("remaining", "price", "requested", "expected"),
    [
        (0.0006, 0.60, 384, 384),  # pays for 1000 tokens
        (0.0006, 0.60, 2000, 1000),
        (0.0003, 0.30, 5000, 1000),  # 0.0003 * 1e6 / 0.3 is 999.999... in floats
        (0.00001, 0.60, 384, 16),  # 16.67 tokens
        (0.0, 0.60, 384, 0),
        (-0.01, 0.60, 384, 0),
        (0.01, 0.0, 384, 384),  # free model
        (math.inf, 0.60, 384, 384),
    ],
)
def test_max_tokens_within(remaining: float, price: float, requested: int, expected: int) -> None:
    assert Budget.max_tokens_within(remaining, price, requested) == expected
