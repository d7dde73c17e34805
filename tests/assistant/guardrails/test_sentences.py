"""Answer sentences and code spans: Markdown-aware, so no mark of margin lands inside code."""

from __future__ import annotations

import pytest

from assistant.guardrails.sentences import code_spans, split_sentences
from ingest.markdown_syntax import fenced_blocks


def units(text: str) -> list[tuple[str, str]]:
    return [(u.kind, text[u.start : u.end]) for u in split_sentences(text)]


def test_sentences_end_at_punctuation_and_line_breaks() -> None:
    text = (
        "Keys live in the keyring [1]. Budgets refuse requests!\nDone? yes. shutil.copytree copies."
    )
    assert [t for _, t in units(text)] == [
        "Keys live in the keyring [1].",
        "Budgets refuse requests!",
        "Done?",
        "yes.",
        "shutil.copytree copies.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "It copies files, e.g. documents, etc. and more.",
        "Written by J. Smith in the manual.",
        "1. Install the package first.",
        "Use shutil.copytree(src, dst) to copy.",
        "See https://docs.python.org/3.11/library/venv.html for details.",
        "Run `python -m venv env. then` activate.",
    ],
)
def test_abbreviations_initials_list_numbers_names_links_and_code_do_not_end_one(
    text: str,
) -> None:
    assert [t for _, t in units(text)] == [text]


def test_markers_after_the_full_stop_stay_with_their_sentence() -> None:
    text = "Keys live in the keyring. [1] [2] Then run it."
    assert [t for _, t in units(text)] == ["Keys live in the keyring. [1] [2]", "Then run it."]


def test_a_fenced_block_is_a_unit_of_its_own_even_unclosed() -> None:
    text = "Create it:\n```sh\npython -m venv env. Then\n```\nActivate it. Done.\n~~~\nopen. x"
    assert units(text) == [
        ("prose", "Create it:"),
        ("code", "```sh\npython -m venv env. Then\n```"),
        ("prose", "Activate it."),
        ("prose", "Done."),
        ("code", "~~~\nopen. x"),
    ]
    assert fenced_blocks("no fence here") == []


def test_code_spans_cover_inline_code_fences_and_links() -> None:
    text = "Run `a [1]` and ``b ` c`` then see https://x.org/a.html.\n```\nz [2]\n```"
    spans = [text[a:b] for a, b in code_spans(text)]
    assert spans == ["`a [1]`", "``b ` c``", "https://x.org/a.html", "```\nz [2]\n```"]
    assert [text[a:b] for a, b in code_spans(text, links=False)][2] == "```\nz [2]\n```"


def test_an_unclosed_backtick_is_code_to_the_end_of_its_paragraph() -> None:
    text = "Run `pip install x. Then go.\n\nNext one. Yes."
    assert [text[a:b] for a, b in code_spans(text)] == ["`pip install x. Then go."]
    assert [t for _, t in units(text)] == ["Run `pip install x. Then go.", "Next one.", "Yes."]


ANSWER = (
    "Create an environment with `python -m venv tutorial-env` [1]. It holds e.g. pip.\n\n"
    "```sh\nsource tutorial-env/bin/activate\n```\n"
    "1. Activate it. 2. Install packages [2].\nSee https://docs.python.org/3/. Done!"
)


@pytest.mark.parametrize("cut", range(1, len(ANSWER)))
def test_every_unit_but_the_last_is_stable_as_the_text_grows(cut: int) -> None:
    """The streaming check relies on this: a complete sentence never changes later."""
    whole = split_sentences(ANSWER)
    prefix = split_sentences(ANSWER[:cut])
    assert prefix[:-1] == whole[: len(prefix) - 1]
