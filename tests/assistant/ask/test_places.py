"""The one-line place of a source that `margin ask` prints and the chat's panel shows."""

from __future__ import annotations

from dataclasses import replace

from assistant.ask.places import place
from assistant.ask.types import Source

SOURCE = Source(1, "id-1", "/docs/venv.html", None, "venv > How\nvenvs work", 320, 0.8, "")


def test_the_file_its_line_and_its_heading_on_one_line() -> None:
    assert place(SOURCE) == "/docs/venv.html:320 > venv > How venvs work"


def test_the_line_the_answer_cites_once_it_is_known() -> None:
    assert place(replace(SOURCE, cited_line=334)) == "/docs/venv.html:334 > venv > How venvs work"


def test_a_page_rather_than_a_line() -> None:
    assert place(replace(SOURCE, path="/docs/guide.pdf", page=12, heading="")) == (
        "/docs/guide.pdf p. 12"
    )


def test_no_line_and_no_heading_leave_the_name() -> None:
    assert place(replace(SOURCE, line=None, heading="")) == "/docs/venv.html"


def test_the_name_is_escaped_unless_it_is_given() -> None:
    odd = replace(SOURCE, path="/docs/evil\u202egpj.exe", heading="")
    assert place(odd) == "/docs/evil\\u202egpj.exe:320"
    assert place(odd, "shown.exe") == "shown.exe:320"
