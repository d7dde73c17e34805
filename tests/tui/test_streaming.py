"""StreamingMarkdown: feeds are cheap and coalesced; the final text always wins."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from tui.markup import answer_markdown
from tui.widgets.streaming import StreamingMarkdown

pytestmark = pytest.mark.anyio


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield StreamingMarkdown(answer_markdown)


async def test_finish_renders_the_final_text_and_later_feeds_are_ignored() -> None:
    app = Host()
    async with app.run_test() as pilot:
        markdown = app.query_one(StreamingMarkdown)
        for end in range(1, 40):
            markdown.feed("Keys live in the keyring [1] and \x1b[31mnowhere else"[:end])
        assert markdown.text.startswith("Keys live")
        await markdown.finish("Keys live in the keyring [1].")
        markdown.feed("late text")
        await pilot.pause()
        assert markdown.text == "Keys live in the keyring [1]."
        assert markdown.source == "Keys live in the keyring `[1]`."


async def test_frames_append_while_the_text_only_grows() -> None:
    app = Host()
    async with app.run_test() as pilot:
        markdown = app.query_one(StreamingMarkdown)
        markdown.feed("First words")
        await markdown._render_frame()
        markdown.feed("First words and more [2")
        await markdown._render_frame()
        assert markdown.source == "First words and more [2"
        markdown.feed("First words and more [2] done")
        await markdown._render_frame()  # the citation changed earlier text: re-rendered
        await pilot.pause()
        assert markdown.source == "First words and more `[2]` done"
