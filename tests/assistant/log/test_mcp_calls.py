"""The MCP tool-call log: what each call asked, how it ended, and what the policy did."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from assistant.log import InteractionLog, McpCall
from tests.assistant.log.conftest import file_bytes
from tests.assistant.log.helpers import Clock, make_answer

MARK = "MCP-ARGUMENT-MARK"


def a_call(**changes: object) -> McpCall:
    values: dict[str, object] = {
        "client": "claude-code",
        "tool": "search",
        "arguments": {"query": f"{MARK} where is the meeting", "k": 3},
        "outcome": "ok",
        "ms": 12.5,
        "results": 3,
        "withheld": 1,
        "flagged": 1,
        "redactions": {"email": 2},
    }
    values.update(changes)
    return McpCall(**values)  # type: ignore[arg-type]


def test_a_call_is_kept_with_its_figures_and_links(log: InteractionLog, clock: Clock) -> None:
    interaction_id = log.record(make_answer())
    egress_id = log.egress.record(
        interaction_id=interaction_id,
        profile="mcp",
        endpoint_url="mcp:claude-code",
        messages=[{"role": "tool", "name": "ask", "content": "{}"}],
        redactions={},
    )
    call_id = log.mcp_calls.record(
        a_call(tool="ask", interaction_id=interaction_id, egress_id=egress_id)
    )
    (logged,) = log.mcp_calls.recent(10)
    assert logged.id == call_id
    assert logged.created_at == clock.now
    assert logged.text_kept
    assert logged.call == a_call(tool="ask", interaction_id=interaction_id, egress_id=egress_id)


def test_a_failed_call_keeps_its_error(log: InteractionLog) -> None:
    log.mcp_calls.record(a_call(outcome="error", error="No collection named 'x'.", results=0))
    (logged,) = log.mcp_calls.recent(1)
    assert logged.call.outcome == "error"
    assert logged.call.error == "No collection named 'x'."


def test_without_text_the_file_holds_no_argument_or_error(
    private_log: InteractionLog, db_path: Path
) -> None:
    private_log.mcp_calls.record(a_call(outcome="error", error=f"{MARK} in the error"))
    (logged,) = private_log.mcp_calls.recent(1)
    assert logged.call.arguments == {} and logged.call.error is None
    assert not logged.text_kept
    assert logged.call.outcome == "error" and logged.call.results == 3
    assert MARK.encode() not in file_bytes(db_path)


def test_purge_deletes_calls_of_the_period(log: InteractionLog, clock: Clock) -> None:
    log.mcp_calls.record(a_call(tool="old"))
    clock.advance(days=2)
    log.mcp_calls.record(a_call(tool="new"))
    log.purge(before=clock.now - timedelta(days=1))
    assert [logged.call.tool for logged in log.mcp_calls.recent(10)] == ["new"]
