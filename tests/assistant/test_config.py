from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_config, parse_config
from assistant.errors import ConfigError
from assistant.locations import resolve_locations

GOOD = """
[defaults]
model = "work"

[models.work]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "some-model"
key_env = "WORK_API_KEY"
input_usd_per_mtok = 0.15
output_usd_per_mtok = 1

[budget]
request_usd = 0.05
daily_usd = 2
fallback = "local"

[privacy]
log_text = false
"""


def test_no_file_means_builtin_local_profile(tmp_path: Path) -> None:
    config = load_config(tmp_path / "missing.toml")
    assert config.profile().name == "local"
    assert config.profile().kind == "llama-cpp"
    assert config.profile().path == "bundled"


def test_full_config_is_typed(tmp_path: Path) -> None:
    config = parse_config(GOOD, tmp_path / "config.toml")
    work = config.profile()
    assert work.name == "work" and work.is_remote
    assert work.output_usd_per_mtok == 1.0 and isinstance(work.output_usd_per_mtok, float)
    assert config.budget.daily_usd == 2.0 and config.budget.fallback == "local"
    assert config.privacy.log_text is False and config.privacy.redact_for_remote is True
    assert "local" in config.models


def test_unknown_key_names_key_and_line(tmp_path: Path) -> None:
    text = "[budget]\nrequest_usd = 0.05\ndayly_usd = 1.0\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, tmp_path / "config.toml")
    message = str(caught.value)
    assert "line 3" in message and "'dayly_usd'" in message and "daily_usd" in message


def test_unknown_key_in_profile_names_line(tmp_path: Path) -> None:
    text = '[models.work]\nkind = "openai"\nbase_url = "http://x/v1"\nmodel = "m"\napi_key = "x"\n'
    with pytest.raises(ConfigError, match=r"line 5.*'api_key'"):
        parse_config(text, tmp_path / "config.toml")


def test_unknown_section_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2.*'buget'"):
        parse_config("\n[buget]\nx = 1\n", tmp_path / "c.toml")
    with pytest.raises(ConfigError, match=r"invalid TOML.*line 1"):
        parse_config("[budget\n", tmp_path / "c.toml")


def test_wrong_types_and_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2.*should be a number"):
        parse_config('[budget]\nrequest_usd = "cheap"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match="names no profile"):
        parse_config('[defaults]\nmodel = "nope"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match="needs base_url and model"):
        parse_config('[models.r]\nkind = "openai"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match="kind = 'ollama'"):
        parse_config('[models.r]\nkind = "ollama"\n', tmp_path / "c.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[retrieval]\nk = "five"\n',
            'line 2: retrieval.k should be a whole number (an integer, like 5), not "five"',
        ),
        (
            "[retrieval]\nk = 5.5\n",
            "retrieval.k should be a whole number (an integer, like 5), not 5.5",
        ),
        (
            '[budget]\ndaily_usd = "lots"\n',
            'budget.daily_usd should be a number (like 0.5), not "lots"',
        ),
        (
            '[privacy]\nlog_text = "yes"\n',
            'privacy.log_text should be true or false (without quotes), not "yes"',
        ),
        (
            "[models.local]\nthreads = true\n",
            "models.local.threads should be a whole number (an integer, like 5), not true",
        ),
        ("[models.x]\nkind = 3\n", 'models.x.kind should be text in quotes (like "local"), not 3'),
        (
            "retrieval = 3\n",
            "retrieval should be a section with its settings under a [retrieval] line",
        ),
    ],
)
def test_wrong_types_are_named_in_plain_english_with_the_value_as_written(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text, tmp_path / "c.toml")
    assert message in str(raised.value)
    assert "a int" not in str(raised.value) and "a bool" not in str(raised.value)


def test_redact_for_mcp_is_on_by_default_and_checked_like_any_key(tmp_path: Path) -> None:
    assert parse_config("", tmp_path / "c.toml").privacy.redact_for_mcp is True
    off = parse_config("[privacy]\nredact_for_mcp = false\n", tmp_path / "c.toml")
    assert off.privacy.redact_for_mcp is False
    with pytest.raises(
        ConfigError, match=r"line 3.*privacy.redact_for_mcp should be true or false"
    ):
        parse_config('[privacy]\nlog_text = true\nredact_for_mcp = "yes"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match=r"'redact_for_mpc'.*redact_for_mcp"):
        parse_config("[privacy]\nredact_for_mpc = true\n", tmp_path / "c.toml")


def test_margin_home_puts_everything_under_it(tmp_path: Path) -> None:
    locations = resolve_locations({"MARGIN_HOME": str(tmp_path)}).ensure()
    assert locations.config_file == tmp_path / "config" / "config.toml"
    assert locations.store_dir.parent == tmp_path / "data"
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
