"""The golden sets over real Debian documents (eval/): they load with the project's loader,
hold enough questions, tune and report are the seeded split of one pool and the fresh set asks
none of their questions, and all name only files the corpus manifest provides, which the named
Debian packages really ship."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.evaluation.golden import load_golden
from eval import CHECKED_SETS, CORPUS, FRESH_SET, REPORT_SET, TUNE_SET
from eval.build_corpus import package_files, package_version
from eval.manifest import Entry, read_manifest
from eval.split_sets import read_lines, split

MIN_QUESTIONS = 45
MIN_UNANSWERABLE = 12


@pytest.mark.parametrize("path", CHECKED_SETS, ids=lambda p: p.name)
def test_each_set_loads_and_holds_enough_questions(path: Path) -> None:
    questions = load_golden(path).questions
    answerable = [q for q in questions if q.answerable]
    assert len(questions) >= MIN_QUESTIONS
    assert len(questions) - len(answerable) >= MIN_UNANSWERABLE
    assert all(q.expected_answer for q in answerable), "every answerable question has an answer"


def _questions(path: Path) -> set[str]:
    return {q.question.casefold() for q in load_golden(path).questions}


def test_the_sets_ask_different_questions() -> None:
    tune, report, fresh = (_questions(p) for p in (TUNE_SET, REPORT_SET, FRESH_SET))
    assert not tune & report
    assert not fresh & (tune | report), "the fresh set repeats a question of the dealt pool"


def test_the_fresh_set_has_its_composition() -> None:
    questions = load_golden(FRESH_SET).questions
    assert (len(questions), sum(q.answerable for q in questions)) == (60, 45)


def test_the_sets_are_the_seeded_split_of_their_union() -> None:
    tune, report = read_lines(TUNE_SET), read_lines(REPORT_SET)
    assert split(tune + report) == (tune, report)


def _used_entries() -> list[Entry]:
    by_place = {str((CORPUS / e.corpus_path).resolve()): e for e in read_manifest()}
    used: dict[str, Entry] = {}
    for path in CHECKED_SETS:
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
