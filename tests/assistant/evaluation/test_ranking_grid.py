"""eval.ranking_grid: the miss analysis reads the same rankings the grid scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.ask.ranking import RankingWeights
from eval.ranking_grid import PLAIN, Point, main, misses


def _row(chunk_id: str, path: str, heading: str = "", text: str = "") -> dict[str, str]:
    return {"id": chunk_id, "path": path, "heading": heading, "text": text or chunk_id}


def _record(question: str, expected: str, vector: list[str], text: list[str]) -> dict:
    """A collected question whose rankings hold one chunk per listed document (the same chunk
    wherever a document is in both rankings)."""
    return {
        "question": question,
        "answerable": True,
        "expected": [expected],
        "vector": [_row(path, path, heading=f"{path} heading") for path in vector],
        "text": [_row(path, path, heading=f"{path} heading") for path in text],
        "evidence": {"0.5": {}, "0.3": {}},
        "depth": 20,
    }


def test_a_question_answered_first_is_not_a_miss():
    record = _record("q", "a.html", vector=["a.html", "b.html"], text=["a.html", "b.html"])
    assert list(misses([record], PLAIN)) == []


def test_a_miss_says_where_the_expected_document_stands_in_every_ranking():
    # The expected page is first by vector, third by BM25; the other page second in both. Even
    # fusion puts the expected page first, BM25-heavy fusion the other.
    record = _record(
        "How do I make a symlink?",
        "ln.txt",
        vector=["ln.txt", "os.html", "x.html"],
        text=["y.html", "os.html", "ln.txt"],
    )
    text_heavy = Point(0.3, RankingWeights(document_share=0.0, evidence_share=0.0, code_bonus=0.0))
    (miss,) = misses([record], text_heavy)
    assert miss["question"] == "How do I make a symlink?"
    assert miss["rank"] == {"vector": 1, "text": 3, "plain_fusion": 1, "weighted": 2}
    assert miss["first"] == "os.html"
    assert miss["first_heading"] == "os.html heading"


def test_unanswerable_questions_and_absent_documents():
    unanswerable = {**_record("q", "a", ["b"], ["b"]), "answerable": False}
    absent = _record("q2", "missing.html", vector=["b.html"], text=["c.html"])
    (miss,) = misses([unanswerable, absent], PLAIN)
    assert miss["question"] == "q2"
    assert miss["rank"] == {"vector": None, "text": None, "plain_fusion": None, "weighted": None}


def test_misses_command_prints_one_json_line_per_miss(tmp_path: Path, capsys):
    features = tmp_path / "tune.features.jsonl"
    rows = [
        _record("hit", "a.html", vector=["a.html"], text=["a.html"]),
        _record("miss", "b.html", vector=["a.html", "b.html"], text=["a.html", "b.html"]),
    ]
    features.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["misses", str(features), "--vector", "0.3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["miss"]


def test_misses_command_refuses_a_weight_out_of_range(tmp_path: Path):
    features = tmp_path / "f.jsonl"
    features.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["misses", str(features), "--document", "1.5"])
