from __future__ import annotations

import pytest

from assistant.log import AnswerCache, InteractionLog, UnknownEvalRunError
from tests.assistant.log.helpers import Clock, make_answer


def test_cache_key_depends_on_each_part_and_chunk_order() -> None:
    base = AnswerCache.key("What is WAL?", ["a", "b"], "smollm2", "v1")
    assert base == AnswerCache.key("What is WAL?", ["a", "b"], "smollm2", "v1")
    assert len(base) == 64
    variants = [
        AnswerCache.key("What is WAL? ", ["a", "b"], "smollm2", "v1"),
        AnswerCache.key("What is WAL?", ["b", "a"], "smollm2", "v1"),
        AnswerCache.key("What is WAL?", ["a", "b"], "other", "v1"),
        AnswerCache.key("What is WAL?", ["a", "b"], "smollm2", "v2"),
        AnswerCache.key("What is WAL?", ["a,b"], "smollm2", "v1"),
    ]
    assert len({base, *variants}) == 6


def test_cache_put_get(log: InteractionLog) -> None:
    key = AnswerCache.key("q", ["c1"], "m", "v1")
    assert log.cache.get(key) is None
    stored = make_answer().to_json()
    log.cache.put(key, stored)
    assert log.cache.get(key) == stored
    log.cache.put(key, {"answer": "newer"})
    assert log.cache.get(key) == {"answer": "newer"}
    assert log.cache.clear() == 1
    assert log.cache.get(key) is None


def test_eval_runs(log: InteractionLog, clock: Clock) -> None:
    assert log.evals.last_eval_run() is None
    config = {"model": "local", "embedding": "all-MiniLM-L6-v2", "k": 6}
    questions = [{"question": "What is WAL?", "ranked_paths": ["/docs/log.md"], "hit@1": 1}]
    first = log.evals.record_eval_run(config, {"hit@1": 0.5}, questions)
    clock.advance(hours=1)
    second = log.evals.record_eval_run(config, {"hit@1": 0.75}, questions)
    run = log.evals.eval_run(first)
    assert (run.config, run.metrics, run.questions) == (config, {"hit@1": 0.5}, questions)
    last = log.evals.last_eval_run()
    assert last is not None and last.id == second and last.created_at == clock.now
    assert [r.id for r in log.evals.eval_runs(10)] == [second, first]
    assert last.to_json()["metrics"] == {"hit@1": 0.75}
    with pytest.raises(UnknownEvalRunError, match="No eval run with id 99"):
        log.evals.eval_run(99)


def test_purge_keeps_eval_runs(log: InteractionLog) -> None:
    log.evals.record_eval_run({}, {}, [])
    log.record(make_answer())
    log.purge(None)
    assert len(log.evals.eval_runs(5)) == 1
