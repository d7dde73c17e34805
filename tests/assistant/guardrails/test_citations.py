from __future__ import annotations

import pytest

from assistant.guardrails.citations import check_citations

SOURCES = {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    ("answer", "text", "cited", "invalid"),
    [
        ("Paris is the capital [1].", "Paris is the capital [1].", [1], []),
        ("Both say so [2, 1].", "Both say so [2, 1].", [2, 1], []),
        ("Both say so [1][3].", "Both say so [1][3].", [1, 3], []),
        ("As stated [Source 4].", "As stated [Source 4].", [4], []),
        ("As stated (source 2).", "As stated (source 2).", [2], []),
        ("As stated (Sources 2, 3).", "As stated (Sources 2, 3).", [2, 3], []),
        ("Range [1-3].", "Range [1-3].", [1, 2, 3], []),
        ("Made up [9].", "Made up.", [], [9]),
        ("Mixed [1, 9].", "Mixed [1].", [1], [9]),
        ("Mixed [Source 2, 7].", "Mixed [Source 2].", [2], [7]),
        ("Mixed (source 3, 8).", "Mixed (source 3).", [3], [8]),
        ("Chain [2][6][3].", "Chain [2][3].", [2, 3], [6]),
        ("Zero [0] is no source.", "Zero is no source.", [], [0]),
        ("Glued to a word[12].", "Glued to a word.", [], [12]),
        ("No markers at all.", "No markers at all.", [], []),
    ],
)
def test_markers(answer: str, text: str, cited: list[int], invalid: list[int]) -> None:
    check = check_citations(answer, SOURCES)
    assert (check.text, check.cited, check.invalid) == (text, cited, invalid)


def test_order_of_first_use_across_marker_forms() -> None:
    check = check_citations("A [3]. B (source 1). C [9] [3]. D (source 7) [8] [2].", SOURCES)
    assert check.cited == [3, 1, 2]
    assert check.invalid == [9, 7, 8]
    assert check.text == "A [3]. B (source 1). C [3]. D [2]."


@pytest.mark.parametrize(
    "answer",
    [
        "Use `items[9]` to get the tenth item.",
        "```python\nrow = table[7]\n```",
        "See [the guide](https://example.com/[8]).",
        "A footnote[^1] and a list (1) and a year (2019).",
        "Markdown link [7](https://example.com).",
    ],
)
def test_code_links_and_other_brackets_are_not_citations(answer: str) -> None:
    check = check_citations(answer, SOURCES)
    assert check.text == answer
    assert check.invalid == []


def test_no_sources_makes_every_marker_invalid() -> None:
    check = check_citations("Claim [1]. Another [2].", set())
    assert check.text == "Claim. Another."
    assert check.invalid == [1, 2]
