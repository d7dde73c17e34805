"""What reaches a terminal from untrusted strings: text, labels, file names and JSON."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from assistant.terminal import counted, display_path, json_safe, one_line, sanitize

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
C1 = "".join(chr(code) for code in range(0x80, 0xA0))


def test_sanitize_removes_controls_and_bidi_but_keeps_lines() -> None:
    text = f"line one\x1b[2J\n\tline \u202etwo\x9b31m{BIDI}\x07"
    assert sanitize(text) == "line one\n\tline two31m"


def test_one_line_cannot_start_a_new_line() -> None:
    assert one_line("Title\n[2] /etc/passwd > fake\r\nentry\u2028") == (
        "Title [2] /etc/passwd > fake entry"
    )


def test_file_names_keep_every_character_but_show_the_invisible_ones() -> None:
    name = "/notes/a\nb\t\x1b[31m\x9b\u202egpj.exe\u200b\udcff.md"
    shown = display_path(name)
    assert shown == "/notes/a\\nb\\t\\x1b[31m\\x9b\\u202egpj.exe\\u200b\\udcff.md"
    assert shown.isprintable()
    assert display_path("/notes/ordinary café.md") == "/notes/ordinary café.md"


@given(st.text(st.characters(exclude_categories=())))
def test_json_stays_valid_and_round_trips_with_nothing_a_terminal_acts_on(value: str) -> None:
    text = json_safe(json.dumps({"v": value}, ensure_ascii=False))
    assert json.loads(text) == {"v": value}
    assert not any(char in text for char in C1 + BIDI + "\x7f\u2028\u2029")
    text.encode("utf-8")  # lone surrogates are escaped too


def test_a_count_says_its_noun_in_the_plural_unless_it_is_one() -> None:
    assert [counted(n, "answer") for n in (0, 1, 2, 1204)] == [
        "0 answers",
        "1 answer",
        "2 answers",
        "1,204 answers",
    ]
