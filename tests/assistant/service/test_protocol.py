"""The wire format: sources and answers survive the trip exactly; errors keep exit codes."""

from __future__ import annotations

import os
import re
from dataclasses import fields
from pathlib import Path

import pytest

from assistant.ask.types import (
    Answer,
    AnswerDone,
    AskOptions,
    Found,
    GuardrailEvent,
    PlainTurn,
    SourcesFound,
    TextDelta,
)
from assistant.errors import BudgetExceededError, ConfigError, UsageError
from assistant.locations import Locations
from assistant.service.protocol import (
    AF_UNIX_PATH_MAX,
    ProtocolError,
    ServiceError,
    answer_from_json,
    decode_line,
    encode_line,
    env_fingerprint,
    error_to_wire,
    event_from_wire,
    event_to_wire,
    options_from_wire,
    options_to_wire,
    results_from_wire,
    results_to_wire,
    socket_path,
    source_from_json,
    source_to_wire,
)
from tests.assistant.service.stub import source


def full_answer() -> Answer:
    answer = Answer(question="Where are keys kept?", answer="In the keyring [1].", cited=[1])
    answer.sources = [source(1, "keys"), source(2, "keys")]
    answer.guardrails = [GuardrailEvent("pii.redacted", "1 email")]
    answer.usage.prompt_tokens, answer.usage.completion_tokens = 812, 40
    answer.usage.cost_usd = 0.000123456789
    answer.latency_ms = {"retrieve": 12.3456789, "ttft": 80.123456, "total": 912.5}
    answer.model, answer.model_id, answer.groundedness = "local", "smollm2", 0.875
    answer.interaction_id, answer.conversation_id = 7, "c-1"
    return answer


def through_the_wire(message: dict) -> dict:  # type: ignore[type-arg]
    return decode_line(encode_line(message))


def test_search_results_keep_whether_any_is_close_and_why_not() -> None:
    far = Found([source(1, "far")], close=False, why="none of the passages found mentions “pyenv”")
    back = results_from_wire(through_the_wire(results_to_wire(far)))
    assert back == far and back.close is False and back.why == far.why
    near = results_from_wire(through_the_wire(results_to_wire(Found([source(1, "near")]))))
    assert near.close and near.why == "" and near.searched is None
    respelt = Found([source(1, "near")], searched="compression level")
    assert results_from_wire(through_the_wire(results_to_wire(respelt))).searched == (
        "compression level"
    )
    older = {"event": "results", "results": [source_to_wire(source(1, "older service"))]}
    assert results_from_wire(older).close  # a service from before `close` was sent


def test_a_source_survives_with_its_exact_score() -> None:
    original = source(3, "exact scores")
    assert source_from_json(through_the_wire(source_to_wire(original))) == original


def test_an_answer_survives_whole() -> None:
    original = full_answer()
    decoded = event_from_wire(through_the_wire(event_to_wire(AnswerDone(original))))
    assert isinstance(decoded, AnswerDone)
    assert decoded.answer == original


def test_decoding_also_reads_the_cli_json_shape() -> None:
    original = full_answer()
    decoded = answer_from_json(original.to_json())
    assert decoded.sources[0].score == round(original.sources[0].score, 4)
    assert decoded.usage == original.usage and decoded.guardrails == original.guardrails


def test_sources_and_deltas_round_trip() -> None:
    found = SourcesFound([source(1, "q")])
    assert event_from_wire(through_the_wire(event_to_wire(found))) == found
    delta = TextDelta("naïve \x1b[2J text")
    assert event_from_wire(through_the_wire(event_to_wire(delta))) == delta


# Every AskOptions field with a value other than its default: a new field must be added here.
EVERY_OPTION = AskOptions(
    model="work",
    k=4,
    collection="papers",
    history=(PlainTurn("How are keys kept?", "In the keyring [1]."), PlainTurn("q2", "a2")),
    conversation_id="c-7",
    use_cache=False,
    include_local_only=False,
    excluded_collections=("mail", "diary"),
    mode="quote",
)


def test_every_ask_option_survives_the_wire() -> None:
    defaults = AskOptions()
    unset = [
        f.name
        for f in fields(AskOptions)
        if getattr(EVERY_OPTION, f.name) == getattr(defaults, f.name)
    ]
    assert unset == [], "give EVERY_OPTION a non-default value for each new field"
    assert options_from_wire(through_the_wire(options_to_wire(EVERY_OPTION))) == EVERY_OPTION


def test_options_left_out_keep_their_defaults() -> None:
    assert options_from_wire({}) == AskOptions()
    assert options_from_wire({"k": 3, "model": None}) == AskOptions(k=3)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": "six"}, "'k' should be a whole number or null, not 'six'"),
        ({"k": True}, "'k' should be a whole number or null"),
        ({"use_cache": "yes"}, "'use_cache' should be true or false"),
        ({"history": [{"question": "q"}]}, "'history[0]' should be an object with 'question'"),
        ({"history": [{"question": 1, "answer": "a"}]}, "'history[0].question' should be text"),
        ({"temperature": 2}, "unknown ask options: 'temperature'"),
        ([], "needs 'options' as an object"),
    ],
)
def test_a_malformed_option_is_a_usage_error_naming_it(options: object, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        options_from_wire(options)


@pytest.mark.parametrize(
    ("error", "code"), [(BudgetExceededError("over"), 4), (ConfigError("bad"), 1), (OSError(), 1)]
)
def test_an_error_event_raises_with_the_same_exit_code(error: Exception, code: int) -> None:
    with pytest.raises(ServiceError) as raised:
        event_from_wire(through_the_wire(error_to_wire(error)))
    assert raised.value.exit_code == code
    assert raised.value.kind == type(error).__name__


def test_lines_that_are_not_json_objects_are_refused() -> None:
    for line in (b"not json", b"[1, 2]", b"\xff\xfe"):
        with pytest.raises(ProtocolError):
            decode_line(line)


def test_the_socket_sits_in_run_dir_when_the_path_is_short(tmp_path: Path) -> None:
    locations = Locations(config_dir=tmp_path / "c", data_dir=tmp_path / "d")
    assert socket_path(locations) == tmp_path / "d" / "run" / "service.sock"


def test_a_long_data_folder_gets_a_short_socket_path_under_tmp(tmp_path: Path) -> None:
    deep = tmp_path / ("long-folder-name-" * 8)
    first = socket_path(Locations(config_dir=deep / "c", data_dir=deep / "d"))
    other = socket_path(Locations(config_dir=deep / "c", data_dir=deep / "e"))
    assert first.parent == Path("/tmp") / f"margin-{os.getuid()}"
    assert len(os.fsencode(first)) <= AF_UNIX_PATH_MAX
    assert first != other


def test_the_environment_fingerprint_follows_only_variables_that_matter() -> None:
    base = {"PATH": "/bin", "MARGIN_HOME": "/m", "WORK_API_KEY": "sk-1"}
    same = env_fingerprint(base)
    assert env_fingerprint({**base, "PWD": "/elsewhere", "MARGIN_NO_SERVICE": "0"}) == same
    assert env_fingerprint({**base, "MARGIN_SERVICE_IDLE_S": "5"}) == same
    assert env_fingerprint({**base, "WORK_API_KEY": "sk-2"}) != same
    assert env_fingerprint({**base, "HTTPS_PROXY": "http://p"}) != same
