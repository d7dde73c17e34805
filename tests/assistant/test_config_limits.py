"""Every config.toml value has a range: a table built from the dataclass fields themselves, so a
new setting without a declared limit fails here."""

from __future__ import annotations

import json
import math
from dataclasses import Field, fields
from pathlib import Path
from typing import Any

import pytest

from assistant.config import _SECTIONS, ModelProfile, parse_config
from assistant.config_limits import Range, TableLimit, TextLimit, limit_of
from assistant.errors import ConfigError

CONFIG = Path("/home/person/.config/margin/config.toml")
# An OpenAI profile needs these; the tested key replaces its own entry.
PROFILE_BASE = {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"}
# Settings checked against each other: the partner is set so the edge of the range holds.
PARTNERS = {"chunk_tokens": {"overlap_tokens": 0}, "overlap_tokens": {"chunk_tokens": 2048}}
OWNERS: list[tuple[str, type]] = [*_SECTIONS.items(), ("models.work", ModelProfile)]
SETTINGS = [
    pytest.param(section, owner, setting, id=f"{section}.{setting.name}")
    for section, owner in OWNERS
    for setting in fields(owner)
    if setting.name != "name"
]


def toml_value(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
        )
    return json.dumps(value)


def config_text(section: str, key: str, value: Any) -> tuple[str, int]:
    """TOML with `key = value` in `section`, and the line that key is on."""
    table = dict(PROFILE_BASE) if section.startswith("models.") else {}
    table.update(PARTNERS.get(key, {}))
    table[key] = value
    lines = [f"[{section}]"] + [f"{k} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n", 1 + list(table).index(key) + 1


def bad_values(owner: type, setting: Field[Any]) -> list[Any]:
    limit = limit_of(owner, setting)
    if isinstance(limit, Range):
        whole = isinstance(setting.default, int)
        outside = [limit.low - 1, limit.high + 1, 10**12]
        if whole:
            return [int(v) for v in outside]
        return [math.nan, math.inf, -math.inf, -1.0, *map(float, outside)]
    if isinstance(limit, TextLimit):
        values = ["x" * (limit.max_chars + 1)]
        return [*values, "bad value with spaces\n"] if limit.pattern else values
    if isinstance(limit, tuple):
        return ["banana"]
    if isinstance(limit, TableLimit):
        too_many = {f"k{i}": "v" for i in range(limit.max_entries + 1)}
        return [{"Bad Key!": "v"}, {"k": "x" * (limit.max_chars + 1)}, too_many]
    raise AssertionError("unreachable")


@pytest.mark.parametrize(("section", "owner", "setting"), SETTINGS)
def test_every_setting_declares_its_allowed_values(
    section: str, owner: type, setting: Field[Any]
) -> None:
    limit = limit_of(owner, setting)
    if isinstance(setting.default, bool):
        assert limit is None
        return
    assert limit is not None, f"{section}.{setting.name} has no range: declare one"
    default = setting.default
    if isinstance(limit, Range):
        assert limit.low <= default <= limit.high
    elif isinstance(limit, TextLimit):
        assert len(default) <= limit.max_chars
    elif isinstance(limit, TableLimit):
        assert setting.default_factory() == {}  # type: ignore[misc]
    else:
        assert default in limit


@pytest.mark.parametrize(("section", "owner", "setting"), SETTINGS)
def test_values_outside_the_range_are_refused_by_name_and_line(
    section: str, owner: type, setting: Field[Any]
) -> None:
    if isinstance(setting.default, bool):
        return
    key = setting.name
    for value in bad_values(owner, setting):
        text, line = config_text(section, key, value)
        with pytest.raises(ConfigError) as caught:
            parse_config(text, CONFIG)
        message = str(caught.value)
        assert f"{CONFIG}, line {line}: {section}.{key} = " in message, message
        assert "allowed:" in message or "use " in message, message


@pytest.mark.parametrize(("section", "owner", "setting"), SETTINGS)
def test_values_at_the_edges_of_the_range_are_accepted(
    section: str, owner: type, setting: Field[Any]
) -> None:
    limit = limit_of(owner, setting)
    if not isinstance(limit, Range):
        return
    for value in (limit.low, limit.high):
        typed = int(value) if isinstance(setting.default, int) else float(value)
        text, _line = config_text(section, setting.name, typed)
        parsed = parse_config(text, CONFIG)
        holder = parsed.models["work"] if owner is ModelProfile else getattr(parsed, section)
        assert getattr(holder, setting.name) == typed


REPORTED = {
    "[budget]\ndaily_usd = nan\n": "budget.daily_usd = nan is not a number; "
    "allowed: a number from 0 to 10,000",
    "[budget]\nrequest_usd = -1\n": "budget.request_usd = -1.0 is out of range",
    "[ask]\nmax_tokens = -5\n": "ask.max_tokens = -5 is out of range; "
    "allowed: a whole number from 0 to 1,048,576",
    "[ask]\ntemperature = -3\n": "ask.temperature = -3.0 is out of range; "
    "allowed: a number from 0 to 2",
    "[ask]\nk = -1\n": "ask.k = -1 is out of range",
    "[ask]\nmax_question_chars = -1\n": "ask.max_question_chars = -1 is out of range",
    "[models.local]\ncontext = 1000000000000\n": "models.local.context = 1,000,000,000,000 is "
    "out of range",
    "[budget]\ndaily_usd = inf\n": "budget.daily_usd = inf is infinite",
    "[budget]\nfallback = 'later'\n": "budget.fallback = 'later' is not allowed; "
    "use 'refuse' or 'local'",
    "[ingest]\nchunk_tokens = 64\noverlap_tokens = 64\n": "line 3: ingest.overlap_tokens = 64 "
    "must be less than ingest.chunk_tokens = 64",
    '[models."my model"]\ncontext = 512\n': "profile name = 'my model' is not allowed",
}


@pytest.mark.parametrize(("text", "expected"), REPORTED.items())
def test_the_reported_absurd_values_get_plain_english_errors(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, CONFIG)
    assert expected in str(caught.value)
