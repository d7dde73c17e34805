"""What a dated file's name adds to its title: the date, written out, and its words."""

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


@pytest.mark.parametrize(
    ("title", "file_name"),
    [
        ("Built-in Types", "stdtypes.html"),  # undated: see the module's note
        ("Meeting with Jonas", "notes.md"),
        ("Storage format decision", "storage-decision.md"),
        ("expenses-2026-10.csv", "expenses-2026-10.csv"),  # a month, no day
    ],
)
def test_a_name_without_a_date_adds_nothing(title: str, file_name: str) -> None:
    assert titled(title, file_name) == title


def test_numbers_that_are_no_date_are_left_alone() -> None:
    assert name_context("Budget", "2026-13-45.md") == ""
    assert name_context("Photos", "IMG_20261103123.jpg") == ""
