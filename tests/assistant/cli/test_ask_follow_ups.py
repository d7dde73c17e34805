"""`margin ask --continue` on real manual pages: which questions the conversation shapes.

gzip(1), sftp(1) and tar(1) come from tests/data/man_roff (Debian packages; licences in its README),
ingested through the CLI with the session's MiniLM into LanceDB (`man_pages`); turns are logged
to SQLite and read back by `--continue`. Quote mode: no chat model is needed to see what was
searched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli

pytestmark = pytest.mark.slow


def quoted(question: str, *options: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "quote", "--json", *options])
    assert result.exit_code == 0, result.output
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def found(answer: dict[str, object]) -> list[tuple[str, str, float]]:
    sources = answer["sources"]
    assert isinstance(sources, list) and sources
    return [(s["path"], s["heading"], s["score"]) for s in sources]


def test_a_question_whose_pronoun_names_its_own_subject_is_searched_as_asked(
    man_pages: Path,
) -> None:
    question = "How do I connect to a server with sftp and list the files on it?"
    fresh = quoted(question)
    quoted("How do I keep the original file with gzip?")
    after = quoted(question, "--continue")
    assert after["history_used"] is False and after["search_query"] == question
    assert found(after) == found(fresh)
    assert Path(found(after)[0][0]).name == "sftp.1"


def test_a_follow_up_is_searched_with_the_subject_before_it(man_pages: Path) -> None:
    quoted("How do I keep the original file with gzip?")
    after = quoted("And how do I make it compress harder?", "--continue")
    assert after["history_used"] is True
    assert str(after["search_query"]).endswith("(keep original file gzip)")
    assert Path(found(after)[0][0]).name == "gzip.1"


def test_a_question_about_the_default_of_nothing_named_asks_about_the_subject_before(
    man_pages: Path,
) -> None:
    quoted("How do I set the compression level of gzip?")
    after = quoted("What's the default?", "--continue")
    assert after["history_used"] is True
    assert str(after["search_query"]).startswith("What's the default? (set compression level")
    assert Path(found(after)[0][0]).name == "gzip.1"
    assert "-6" in str(after["answer"])


@pytest.mark.parametrize(
    ("first", "follow_up", "searched", "page", "quoted_option"),
    [
        # a new action on the same thing is searched without the old one
        (
            "How do I extract a tar archive?",
            "And list its contents?",
            "And list its contents? (tar archive)",
            "tar.1",
            "--list",
        ),
        # another command takes the place of the one asked about before
        ("How do I make gzip quiet?", "And sftp?", "And sftp? (quiet)", "sftp.1", "-q"),
    ],
)
def test_a_follow_up_is_searched_with_what_it_keeps_of_the_turn_before(
    man_pages: Path, first: str, follow_up: str, searched: str, page: str, quoted_option: str
) -> None:
    quoted(first)
    after = quoted(follow_up, "--continue")
    assert after["search_query"] == searched
    assert Path(found(after)[0][0]).name == page
    assert quoted_option in str(after["answer"])


def test_a_follow_up_asked_first_says_why_it_found_nothing(man_pages: Path) -> None:
    alone = quoted("And what about it?")
    assert alone["refused"] is True and alone["history_used"] is False
    assert "reads as a follow-up" in str(alone["answer"])
    assert "continue the conversation it belongs to" in str(alone["answer"])
