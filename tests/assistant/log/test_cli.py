"""`margin feedback`, `stats`, `egress` and `logs purge` through the real CLI and log."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from assistant.ask.types import SentenceSupport
from assistant.cli import cli
from assistant.locations import resolve_locations
from assistant.log import InteractionLog
from tests.assistant.log.helpers import ANSWER_MARK, Clock, at, make_answer


@pytest.fixture
def clock() -> Clock:
    return Clock(at("2026-11-20T10:00:00"))


@pytest.fixture
def home_log(clock: Clock) -> Iterator[InteractionLog]:
    """The log the CLI opens (under MARGIN_HOME), with a clock set by the test."""
    with InteractionLog(resolve_locations().ensure().log_db, log_text=True, clock=clock) as log:
        yield log


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_feedback(home_log: InteractionLog) -> None:
    interaction_id = home_log.record(make_answer())
    code, out, err = run("feedback", str(interaction_id), "down", "--note", "wrong file")
    assert (code, out) == (0, "")
    assert f"Rated interaction {interaction_id} down." in err
    feedback = home_log.get(interaction_id).feedback
    assert feedback is not None and (feedback.rating, feedback.note) == ("down", "wrong file")


def test_feedback_unknown_id_exits_2(home_log: InteractionLog) -> None:
    code, _, err = run("feedback", "404", "up")
    assert code == 2
    assert "No interaction with id 404" in err
    assert "Traceback" not in err


def test_feedback_bad_rating_exits_2(home_log: InteractionLog) -> None:
    interaction_id = home_log.record(make_answer())
    code, _, err = run("feedback", str(interaction_id), "sideways")
    assert code == 2
    assert "'sideways' is not one of 'up', 'down'" in err
    assert home_log.get(interaction_id).feedback is None


def test_stats_json(home_log: InteractionLog) -> None:
    ids = [home_log.record(make_answer(n)) for n in range(3)]
    home_log.feedback(ids[0], "up")
    code, out, _ = run("stats", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["interactions"] == 3
    assert figures["latency_ms"]["retrieve"]["p50"] == 23.25
    assert figures["ttft_ms"]["p95"] == 180.0
    assert figures["feedback"] == {
        "up": 1,
        "down": 0,
        "per_day": {"2026-11-20": {"up": 1, "down": 0}},
    }
    code, out, _ = run("stats", "--json", "--since", "2026-11-21")
    assert json.loads(out)["interactions"] == 0


def test_stats_table(home_log: InteractionLog) -> None:
    home_log.record(make_answer())
    code, out, _ = run("stats")
    assert code == 0
    assert "1 interactions" in out
    assert "retrieve" in out and "23.2" in out
    assert "pii.redacted" in out


def test_egress_json_and_text(home_log: InteractionLog) -> None:
    home_log.egress.record(
        interaction_id=None,
        profile="work",
        endpoint_url="https://api.example.com/v1",
        messages=[{"role": "user", "content": "mail [EMAIL_1]\x1b]52;c;evil\x07 now"}],
        redactions={"email": 1},
    )
    code, out, _ = run("egress", "--json")
    assert code == 0
    (entry,) = json.loads(out)["entries"]
    assert entry["endpoint_url"] == "https://api.example.com/v1"
    assert entry["redactions"] == {"email": 1}
    assert entry["messages"][0]["content"].startswith("mail [EMAIL_1]")
    code, out, _ = run("egress", "--limit", "5")
    assert code == 0
    assert "work -> https://api.example.com/v1" in out
    assert "email 1" in out
    assert "[user] mail [EMAIL_1]" in out
    assert "\x1b" not in out


def test_egress_when_nothing_was_sent() -> None:
    code, out, _ = run("egress")
    assert (code, out.strip()) == (0, "Nothing has been sent to a remote model.")
    code, out, _ = run("egress", "--json")
    assert json.loads(out) == {"entries": []}


def test_logs_purge_before_a_date(home_log: InteractionLog, clock: Clock) -> None:
    clock.now = at("2026-11-01T10:00:00")
    home_log.record(make_answer(1))
    clock.now = at("2026-11-20T10:00:00")
    kept = home_log.record(make_answer(2))
    code, _, err = run("logs", "purge", "--before", "2026-11-10", "--yes")
    assert code == 0
    assert "Deleted 1 interaction." in err
    assert [record.id for record in home_log.recent(10)] == [kept]


def test_logs_purge_needs_yes_when_not_interactive(home_log: InteractionLog) -> None:
    home_log.record(make_answer())
    code, _, err = run("logs", "purge")
    assert code == 2
    assert "pass --yes" in err
    assert len(home_log.recent(10)) == 1


def test_logs_purge_asks_when_interactive(
    home_log: InteractionLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.cli.log_commands._interactive", lambda: True)
    home_log.record(make_answer())
    code, _, err = run("logs", "purge", stdin="n\n")
    assert (code, len(home_log.recent(10))) == (0, 1)
    assert "Nothing deleted." in err
    code, _, err = run("logs", "purge", stdin="y\n")
    assert (code, home_log.recent(10)) == (0, [])
    assert ANSWER_MARK.encode() not in home_log.path.read_bytes()


def test_egress_without_text_when_config_says_so() -> None:
    locations = resolve_locations().ensure()
    locations.config_file.write_text("[privacy]\nlog_text = false\n", encoding="utf-8")
    with InteractionLog(locations.log_db, log_text=False) as log:
        log.egress.record(
            interaction_id=None,
            profile="work",
            endpoint_url="https://api.example.com/v1",
            messages=[{"role": "user", "content": "SECRET-PLAN"}],
            redactions={},
        )
    code, out, _ = run("egress")
    assert code == 0
    assert "text not kept" in out and "SECRET-PLAN" not in out
    code, out, _ = run("egress", "--json")
    assert json.loads(out)["entries"][0]["messages"] is None


def test_stats_says_how_well_answers_were_backed(home_log: InteractionLog) -> None:
    answer = make_answer()
    answer.sentences = [
        SentenceSupport(0, 5, "cited", cited=(1,), source=1),
        SentenceSupport(6, 9, "unsupported", source=2),
    ]
    answer.truncation = "max_tokens"
    home_log.record(answer)
    code, out, _ = run("stats")
    assert code == 0
    assert (
        "Supported sentences: 50% of 2 checked in 1 answer kept as the model wrote them; "
        "1 of these has a sentence no source supports ([?])"
    ) in " ".join(out.split())
    assert "Citations: 1 answer cited by the model, 0 only matched by margin" in out
    assert "Cut short: 1 answer (1 at the ask.max_tokens limit)" in out
    code, out, _ = run("stats", "--json")
    assert json.loads(out)["support"]["supported_share"] == 0.5


def test_stats_counts_replaced_answers_apart_and_names_each_cut(home_log: InteractionLog) -> None:
    kept, replaced, looped = make_answer(1), make_answer(2), make_answer(3)
    for answer in (kept, looped):
        answer.sentences = [SentenceSupport(0, 5, "unsupported", source=1)]
    kept.truncation, looped.truncation = "max_tokens", "repetition"
    replaced.mode, replaced.fallback = "quote", "unsupported"  # its [?] sentences streamed
    replaced.sentences = [SentenceSupport(0, 5, "cited", cited=(1,), source=1)]
    replaced.event("answer.replaced", "2 of 3 sentences the model wrote not supported")
    for answer in (kept, replaced, looped):
        home_log.record(answer)
    code, out, _ = run("stats")
    assert code == 0
    said = " ".join(out.split())
    assert "in 2 answers kept as the model wrote them; 2 of these have a sentence no" in said
    assert (
        "Cut short: 2 answers (1 at the ask.max_tokens limit, 1 stopped as the model was "
        "repeating itself)"
    ) in said
    assert (
        "ask.mode auto): 1 answer, whose [?] sentences streamed before the quote and are not "
        "counted above"
    ) in said
