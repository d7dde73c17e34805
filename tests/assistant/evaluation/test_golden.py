"""Golden files: resolving expected sources, and errors that name the line and the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.golden import GoldenSetError, load_golden, parse_golden

DOCS = Path(__file__).resolve().parents[3] / "docs"


def line(**fields: object) -> str:
    return json.dumps(fields)


def test_relative_sources_resolve_against_the_golden_folder(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    outside = tmp_path / "other.md"
    golden = folder / "golden.jsonl"
    golden.write_text(
        "# a comment\n\n"
        + line(question="Q1?", expected_sources=["notes/a.md"], expected_answer=" 42 ")
        + "\n"
        + line(question="Q2?", expected_sources=[str(outside)], answerable=True)
        + "\n"
        + line(question="Q3?", expected_sources=[], answerable=False)
        + "\n"
    )
    parsed = load_golden(golden)
    first, second, third = parsed.questions
    assert first.expected_sources == (str(folder / "notes" / "a.md"),)
    assert first.expected_answer == "42"
    assert first.line == 3
    assert second.expected_sources == (str(outside),)
    assert not third.answerable and third.expected_answer is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"question": "x?", ', "not valid JSON"),
        ('["question"]', "expected a JSON object, got list"),
        (line(question="", expected_sources=["a"]), '"question" must be a non-empty string'),
        (line(question="x?", expected_sources="a.md"), "must be a list of non-empty path"),
        (line(question="x?", expected_sources=["a"], answerable="yes"), "true or false"),
        (line(question="x?"), "answerable question needs at least one expected source"),
        (line(question="x?", expected_sources=["a"], answerable=False), "has no expected sour"),
        (line(question="x?", answerable=False, expected_answer="no"), "has no expected answer"),
        (line(question="x?", expected_sources=["a"], expected_answer=3), "non-empty string"),
        (line(question="x?", expected_sources=["a"], expected_answer="%*"), "no letter or digit"),
        (line(question="x?", expected_sources=["a"], source="a"), "unknown key 'source'"),
    ],
)
def test_bad_line_is_reported_with_its_number(text: str, message: str) -> None:
    good = line(question="fine?", expected_sources=["a.md"])
    with pytest.raises(GoldenSetError) as caught:
        parse_golden(good + "\n" + text + "\n", Path("/base"), "set.jsonl")
    reported = str(caught.value).splitlines()
    assert len(reported) == 2
    assert reported[1].strip().startswith("set.jsonl, line 2: ")
    assert message in reported[1]
    assert caught.value.exit_code == 2


def test_every_bad_line_is_listed_at_once() -> None:
    text = "nope\n" + line(question="ok?", expected_sources=["a"]) + "\n{}\n"
    with pytest.raises(GoldenSetError) as caught:
        parse_golden(text, Path("/base"), "g.jsonl")
    assert "g.jsonl, line 1:" in str(caught.value)
    assert "g.jsonl, line 3:" in str(caught.value)


def test_empty_and_missing_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(GoldenSetError, match="holds no questions"):
        parse_golden("# only a comment\n", tmp_path, "empty.jsonl")
    with pytest.raises(GoldenSetError, match="No golden file at"):
        load_golden(tmp_path / "missing.jsonl")


def test_the_shipped_golden_set_is_valid_and_points_at_real_files() -> None:
    golden = load_golden(DOCS / "golden.jsonl")
    assert len(golden.questions) >= 30
    assert sum(not q.answerable for q in golden.questions) >= 5
    for question in golden.questions:
        for source in question.expected_sources:
            assert Path(source).is_file(), (question.line, source)
