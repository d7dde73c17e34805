"""What a file's name adds to its title: a journal's date, a renamed note's words."""

from __future__ import annotations

import pytest

from ingest.file_names import name_context, titled


@pytest.mark.parametrize(
    "file_name", ["2026-11-03.md", "20261103.md", "2026_11_03.txt", "2026.11.03.org"]
)
def test_a_date_in_the_file_name_is_written_out_as_people_ask_for_it(file_name: str) -> None:
    assert titled("Tuesday", file_name) == "Tuesday (2026-11-03, 3 November 2026)"


def test_a_dated_name_with_words_keeps_them_and_the_date() -> None:
    assert titled("Daily", "2026-11-03-standup.md") == (
        "Daily (2026-11-03-standup, 3 November 2026)"
    )
    assert titled("Standup", "2026-11-03-standup.md") == "Standup (2026-11-03, 3 November 2026)"
    # a title that is the file name itself gets the date written out only
    assert titled("2026-11-03.txt", "2026-11-03.txt") == "2026-11-03.txt (3 November 2026)"


def test_a_name_that_adds_words_is_kept_and_one_that_adds_nothing_is_not() -> None:
    assert titled("Reading list", "books-to-buy.md") == "Reading list (books-to-buy)"
    assert titled("Asking questions", "ask.md") == "Asking questions"  # a form of its word
    assert titled("Storage format decision", "storage-decision.md") == "Storage format decision"
    assert titled("ls - list directory contents", "ls.1.txt") == "ls - list directory contents"
    assert titled("expenses-2026-10.csv", "expenses-2026-10.csv") == "expenses-2026-10.csv"


@pytest.mark.parametrize("file_name", ["notes.md", "README.md", "index.html", "Untitled.md"])
def test_a_generic_name_is_no_noise(file_name: str) -> None:
    assert name_context("Meeting with Jonas", file_name) == ""


def test_numbers_that_are_no_date_are_left_alone() -> None:
    assert name_context("Budget", "2026-13-45.md") == ""
    assert name_context("Photos", "IMG_20261103123.jpg") == "IMG_20261103123"
