"""The prompt's <source> tags a model writes are taken out of its streamed answer."""

from __future__ import annotations

import pytest

from assistant.ask.echoed_tags import EchoedTagFilter, shown_prefix

OPENING = '<source n="1" path="/notes/keys.md" heading="Keys &amp; secrets">'


def shown(text: str, size: int) -> tuple[str, int]:
    """What a person sees of `text` streamed in pieces of `size`, and the tags removed."""
    tags = EchoedTagFilter()
    pieces = [tags.feed(text[i : i + size]) for i in range(0, len(text), size)]
    return "".join(pieces) + tags.flush(), tags.removed


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        (
            f"{OPENING}\nKeys live in the keyring [1].\n</source>\n",
            "Keys live in the keyring [1].\n",
            2,
        ),
        (
            "Keys live in the keyring [1].</source>\nAsk again.",
            "Keys live in the keyring [1].\nAsk again.",
            1,
        ),
        (
            f"Keys live in the keyring [1].\n\n{OPENING}\nmargin stores",
            "Keys live in the keyring [1].\n\nmargin stores",
            1,
        ),
        ("Keys live in the keyring [1]. < / SOURCE >", "Keys live in the keyring [1]. ", 1),
        (
            'Keys live in the keyring [1].\n<source n="2" path="/no',
            "Keys live in the keyring [1].\n",
            1,
        ),
    ],
)
def test_tags_are_removed_wherever_the_stream_splits_them(
    text: str, expected: str, removed: int
) -> None:
    for size in range(1, len(text) + 1):
        assert shown(text, size) == (expected, removed), size


def test_angle_brackets_and_html_that_are_not_the_prompts_tags_are_kept() -> None:
    text = (
        'Use a < b, <s>bold</s>, <sources> and x<sou; a video: <source src="a.mp4" '
        'type="video/mp4">\n<video><source src="b.webm">; the last word: <source src="c'
    )
    for size in range(1, len(text) + 1):
        assert shown(text, size) == (text, 0), size


def test_the_shown_prefix_holds_back_a_tag_that_is_not_complete() -> None:
    assert shown_prefix(f"{OPENING}\nKeys live [1].\n</sou") == "Keys live [1].\n"
