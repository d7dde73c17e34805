"""The one withholding rule: sources and earlier turns a recipient may not receive."""

from __future__ import annotations

from assistant.ask.types import PlainTurn, Source
from assistant.config_collections import CollectionPolicy
from assistant.guardrails.withholding import Recipient, withhold, withhold_turns

POLICIES = {
    "clients": CollectionPolicy("clients", models=("eu",)),
    "legal": CollectionPolicy("legal", redact=True),
}


def source(number: int, collection: str, local_only: bool = False) -> Source:
    return Source(
        number=number,
        id=f"c{number}",
        path=f"/{collection}/{number}.md",
        page=None,
        heading="",
        line=None,
        score=1.0,
        text="text",
        collection=collection,
        local_only=local_only,
    )


def test_sources_are_withheld_by_rule_and_the_rest_renumbered() -> None:
    found = [source(1, "clients"), source(2, "public"), source(3, "diary", local_only=True)]
    us = withhold(found, Recipient("us", remote=True, policies=POLICIES))
    assert [(s.id, s.number) for s in us.allowed] == [("c2", 1)]
    assert [s.id for s in us.withheld] == ["c1", "c3"]
    assert [e.kind for e in us.events] == ["policy.withheld", "local_only.withheld"]
    eu = withhold(found, Recipient("eu", remote=True, policies=POLICIES))
    assert [s.id for s in eu.allowed] == ["c1", "c2"]
    local = withhold(found, Recipient("local", remote=False, policies=POLICIES))
    assert [s.id for s in local.allowed] == ["c2", "c3"]  # clients: eu only, even for local
    assert withhold(found, None).withheld == []


def test_turns_drawing_on_a_withheld_collection_are_left_out() -> None:
    private = PlainTurn("q1", "a1", collections=("clients",))
    public = PlainTurn("q2", "a2", collections=("public",))
    kept, events = withhold_turns([private, public], Recipient("us", True, POLICIES))
    assert kept == [public]
    assert [e.kind for e in events] == ["policy.history_withheld"]
    assert "clients" in events[0].detail and "models = ['eu']" in events[0].detail
    assert withhold_turns([private], Recipient("eu", True, POLICIES)) == ([private], [])


def test_redaction_follows_the_collection_then_the_global_switch() -> None:
    us = Recipient("us", remote=True, policies=POLICIES)
    assert us.redacts("legal", default=False) and us.redacts("public", default=True)
    assert not us.redacts("public", default=False)
    assert not Recipient("local", remote=False, policies=POLICIES).redacts("legal", True)
    assert us.applied(["legal", "public", "clients"]) == {
        "clients": {"models": ["eu"]},
        "legal": {"redact": True},
    }
