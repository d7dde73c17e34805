"""The one-line place of a source that `margin ask` prints and the chat's panel shows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.ask.places import on_disk, place
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


def test_a_file_titled_by_its_name_is_not_named_twice() -> None:
    notes = replace(SOURCE, path="/notes/garden.txt", heading="garden.txt", line=1)
    assert place(notes) == "/notes/garden.txt:1"
    cells = replace(notes, path="/nb/Equations.ipynb.gz", heading="Equations.ipynb.gz > Cell 2")
    assert place(replace(cells, line=None)) == "/nb/Equations.ipynb.gz > Cell 2"
    attached = replace(notes, path="/mail/offer.eml#attachment-1/terms.txt", heading="terms.txt")
    assert place(attached) == "/mail/offer.eml#attachment-1/terms.txt:1"
    titled = replace(notes, heading="garden.txt notes > Beds")  # a title that only starts so
    assert place(titled) == "/notes/garden.txt:1 > garden.txt notes > Beds"


def test_the_name_is_escaped_unless_it_is_given() -> None:
    odd = replace(SOURCE, path="/docs/evil\u202egpj.exe", heading="")
    assert place(odd) == "/docs/evil\\u202egpj.exe:320"
    assert place(odd, "shown.exe") == "shown.exe:320"


def test_on_disk_while_the_file_or_the_mail_holding_it_is_there(tmp_path: Path) -> None:
    note, mail = tmp_path / "note.md", tmp_path / "offer.eml"
    note.write_text("# Note\n", encoding="utf-8")
    mail.write_text("Subject: offer\n", encoding="utf-8")
    attachment = replace(SOURCE, path=f"{mail}#attachment-2/report.pdf")
    assert on_disk(replace(SOURCE, path=str(note))) and on_disk(attachment)
    note.unlink()
    mail.unlink()
    assert not on_disk(replace(SOURCE, path=str(note))) and not on_disk(attachment)
