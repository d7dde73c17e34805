"""Which lines open an option's entry in manuals without a heading for each option."""

from __future__ import annotations

import pytest

from assistant.ask.written_entries import defines, opens_option_entry


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("-u Treat unset variables and parameters", "-u"),  # bash's PDF: flush left
        ("       -u, --update\n              copy only when", "-u"),  # a manual page
        ("-u, --unit=U\n\nspecify a time unit", "--unit"),  # after another name of it
        ("       -x, --extract, --get\n", "-x"),
        ("       -L [bind_address:]port:host:hostport", "-L"),  # its argument
        ("-e      Exit immediately", "-e"),  # a column's gap
        ("BASH_XTRACEFD If set to an integer", "BASH_XTRACEFD"),
        ("notes\n  --dry-run\n", "--dry-run"),  # alone on its line
    ],
)
def test_a_line_opening_with_the_option_and_what_follows_a_term_defines_it(
    text: str, token: str
) -> None:
    assert defines(text, token)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("a command failed while\n-e was being ignored", "-e"),  # a sentence wrapped there
        ("-e file True if file exists.", "-e"),  # test's -e: its argument reads as prose
        ("-uv foo", "-u"),  # another option
        ("-unit Seconds", "-u"),
        ("$ find -L /tmp", "-L"),  # a prompt's command
        ("-s, --size\n", "-S"),  # case counts
        ("See -u Treat", "-u"),  # not the line's start
    ],
)
def test_other_lines_define_nothing(text: str, token: str) -> None:
    assert not defines(text, token)


def test_an_option_line_with_its_description_opens_an_entry() -> None:
    text = "prompt.\n-e Exit immediately if a pipeline fails.\n-e was ignored.\n- Item\n"
    assert opens_option_entry(text, text.index("-e Exit"))
    assert not opens_option_entry(text, text.index("-e was"))
    assert not opens_option_entry(text, text.index("- Item"))  # a list item
    assert not opens_option_entry(text, text.index("Exit"))  # inside its line
    assert opens_option_entry("  --force  Overwrite", 2)
