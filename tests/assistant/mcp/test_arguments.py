"""Tool arguments: untrusted JSON, refused with messages a person or a model can act on."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.errors import UsageError
from assistant.mcp.arguments import Arguments

ACCEPTED = ("query", "k", "collection")


def args(**values: Any) -> Arguments:
    return Arguments("search", values, ACCEPTED)


def query(arguments: Arguments) -> str:
    return arguments.text("query", limit=50, what="query", empty="Search for something.")


def test_plain_values_pass() -> None:
    given = args(query="  meeting room  ", k=7)
    assert query(given) == "  meeting room  "
    assert given.whole_number("k", low=1, high=20, default=5) == 7
    assert args(query="x").whole_number("k", low=1, high=20, default=5) == 5
    assert args(k=3.0).whole_number("k", low=1, high=20, default=5) == 3


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "search needs 'query' as text"),
        ({"query": 42}, "'query' must be text, not a number"),
        ({"query": ["a"]}, "'query' must be text, not a list"),
        ({"query": "   "}, "Search for something."),
        ({"query": "x" * 51}, "The query is 51 characters long; the limit is 50."),
        ({"query": "a\x00b"}, "'query' holds binary data"),
        ({"query": "a\x1b[2Jb"}, "'query' holds binary data"),
        ({"query": "half \ud800 a pair"}, "'query' holds binary data"),
        ({"query": "x", "kk": 3}, "search has no argument 'kk'; it takes query, k, collection"),
    ],
)
def test_bad_text_is_refused_by_name(values: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        query(args(**values))
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("k", "message"),
    [
        (0, "Invalid value for 'k': 0 is not in the range 1<=x<=20."),
        (10**12, "Invalid value for 'k': 1000000000000 is not in the range 1<=x<=20."),
        (-3, "Invalid value for 'k': -3 is not in the range 1<=x<=20."),
        (True, "'k' must be a whole number"),
        (2.5, "'k' must be a whole number"),
        ("5", "'k' must be a whole number"),
    ],
)
def test_k_is_a_bounded_whole_number(k: object, message: str) -> None:
    with pytest.raises(UsageError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        args(query="x", k=k).whole_number("k", low=1, high=20, default=5)


def test_tabs_and_newlines_are_text() -> None:
    assert query(args(query="line one\n\tline two\r\n")) == "line one\n\tline two\r\n"


def test_arguments_that_are_not_an_object_are_refused() -> None:
    with pytest.raises(UsageError, match="search takes its arguments as a JSON object"):
        Arguments("search", ["query"], ACCEPTED)  # type: ignore[arg-type]


def test_a_huge_unknown_argument_name_is_cut_in_the_message() -> None:
    with pytest.raises(UsageError) as caught:
        args(query="x", **{"z" * 10_000: 1})
    assert len(str(caught.value)) < 200
