"""guard_context: what of the sources and the chat may reach which model, masked how."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.ask.types import PlainTurn, Source
from assistant.config import PrivacyConfig
from assistant.guardrails.context import from_home, guard_context
from models.fake import ScriptedModel

CARD = "4111 1111 " + "1111 1111"
EMAIL = "erin.jones" + "@example-corp.com"
REMOTE = ScriptedModel(is_remote=True, profile="remote")
LOCAL = ScriptedModel()


def source(number: int, *, local_only: bool = False) -> Source:
    return Source(
        number,
        f"c{number}",
        f"/notes/gannet-{EMAIL}.md",
        None,
        f"Card {CARD}",
        1,
        0.8,
        "Gannets dive for fish.",
        local_only=local_only,
    )


def test_path_and_heading_are_masked_for_a_remote_model_and_restored() -> None:
    context = guard_context("How do gannets feed?", (), [source(1)], REMOTE, PrivacyConfig())
    [(shown, _)] = context.sources
    assert EMAIL not in shown.path and CARD not in shown.heading
    assert context.restore(shown.path) == source(1).path
    assert context.restore(shown.heading) == source(1).heading
    assert context.redactions == {"email": 1, "card": 1}


def test_a_path_in_the_home_folder_goes_remote_without_the_user_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "erin"
    monkeypatch.setenv("HOME", str(home))
    inside = replace(source(1), path=f"{home}/clients/acme.md")
    outside = replace(source(2), path="/srv/notes/acme.md")
    context = guard_context("Who is the client?", (), [inside, outside], REMOTE, PrivacyConfig())
    assert [shown.path for shown, _ in context.sources] == ["~/clients/acme.md", outside.path]
    assert from_home(f"{home}erin/x.md") == f"{home}erin/x.md"  # a neighbour, not inside
    local = guard_context("Who is the client?", (), [inside], LOCAL, PrivacyConfig())
    assert local.sources[0][0].path == inside.path  # nothing leaves: the path stays whole


def test_nothing_is_masked_for_the_local_model() -> None:
    context = guard_context("How do gannets feed?", (), [source(1)], LOCAL, PrivacyConfig())
    assert context.sources[0][0] == source(1) and not context.redactions


def test_turns_that_drew_on_local_only_sources_never_go_remote() -> None:
    history = (PlainTurn("q1", "public answer"), PlainTurn("q2", "vault code 4471", True))
    context = guard_context("and then?", history, [source(1)], REMOTE, PrivacyConfig())
    assert [turn.answer for turn in context.history] == ["public answer"]
    assert [e.kind for e in context.events] == ["local_only.history_withheld", "pii.redacted"]


def test_a_local_answer_from_local_only_text_is_marked() -> None:
    marked = "local_only.used"
    private = guard_context("q", (), [source(1, local_only=True)], LOCAL, PrivacyConfig())
    assert [e.kind for e in private.events] == [marked]
    tainted = guard_context("q", (PlainTurn("q", "a", True),), [source(1)], LOCAL, PrivacyConfig())
    assert [e.kind for e in tainted.events] == [marked]
    public = guard_context("q", (PlainTurn("q", "a"),), [source(1)], LOCAL, PrivacyConfig())
    assert public.events == []
