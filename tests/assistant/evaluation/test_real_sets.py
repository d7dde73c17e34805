"""The golden sets over real Debian documents (eval/): they load with the project's loader,
hold enough questions, are the seeded split of one pool, and name only files the corpus
manifest provides, which the named Debian packages really ship."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.evaluation.golden import load_golden
from eval import CORPUS, GOLDEN_SETS, REPORT_SET, TUNE_SET
from eval.build_corpus import package_files, package_version
from eval.manifest import Entry, read_manifest
from eval.split_sets import read_lines, split

MIN_QUESTIONS = 45
MIN_UNANSWERABLE = 12


@pytest.mark.parametrize("path", GOLDEN_SETS, ids=lambda p: p.name)
def test_each_set_loads_and_holds_enough_questions(path: Path) -> None:
    questions = load_golden(path).questions
    answerable = [q for q in questions if q.answerable]
    assert len(questions) >= MIN_QUESTIONS
    assert len(questions) - len(answerable) >= MIN_UNANSWERABLE
    assert all(q.expected_answer for q in answerable), "every answerable question has an answer"


def test_the_sets_ask_different_questions() -> None:
    tune = {q.question.casefold() for q in load_golden(TUNE_SET).questions}
    report = {q.question.casefold() for q in load_golden(REPORT_SET).questions}
    assert not tune & report


def test_the_sets_are_the_seeded_split_of_their_union() -> None:
    tune, report = read_lines(TUNE_SET), read_lines(REPORT_SET)
    assert split(tune + report) == (tune, report)


def _used_entries() -> list[Entry]:
    by_place = {str((CORPUS / e.corpus_path).resolve()): e for e in read_manifest()}
    used: dict[str, Entry] = {}
    for path in GOLDEN_SETS:
        for question in load_golden(path).questions:
            for source in question.expected_sources:
                assert source in by_place, f"{path.name}:{question.line}: {source} not in manifest"
                used[source] = by_place[source]
    return list(used.values())


def test_every_expected_source_is_a_manifest_entry() -> None:
    assert len(_used_entries()) >= 40


def test_the_packages_ship_every_file_the_sets_use() -> None:
    if shutil.which("dpkg-query") is None:
        pytest.skip("not a Debian system: dpkg-query is missing, so the corpus cannot be built")
    entries = _used_entries()
    missing = sorted({e.package for e in entries if package_version(e.package) is None})
    if missing:
        pytest.skip(f"Debian packages not installed ({', '.join(missing)}); make eval-real does")
    shipped = {p: package_files(p) for p in {e.package for e in entries}}
    wrong = [e.source for e in entries if e.shipped_path not in shipped[e.package]]
    assert not wrong, f"not shipped by the package the manifest names: {wrong}"
    absent = [e.shipped_path for e in entries if not Path(e.shipped_path).is_file()]
    if absent:
        pytest.skip(f"dpkg left out documentation files (see /etc/dpkg/dpkg.cfg.d/): {absent}")
