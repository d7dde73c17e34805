"""An eval on the shipped docs/ through the real parts: MiniLM, LanceDB and the bundled
llama.cpp model, then `margin eval` itself on a retrieval-only set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import parse_config
from assistant.core import Assistant, build_assistant
from assistant.evaluation.golden import load_golden
from assistant.evaluation.runner import run_eval
from assistant.evaluation.summary import summarize
from assistant.locations import Locations, resolve_locations
from models.base import ChatModel
from tests.fixtures.ingest import copy_data

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[3] / "docs"
QUESTIONS = (
    "How does margin keep API keys safe?",
    "Which base_url should a profile use for Ollama?",
    "What is the capital of Australia?",
)


@pytest.fixture
def small_golden(tmp_path: Path) -> Path:
    """Three lines of the shipped golden set, sources made absolute so the file can move."""
    chosen = []
    for line in (DOCS / "golden.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["question"] in QUESTIONS:
            record["expected_sources"] = [str(DOCS / s) for s in record["expected_sources"]]
            chosen.append(json.dumps(record))
    assert len(chosen) == len(QUESTIONS)
    path = tmp_path / "golden.jsonl"
    path.write_text("\n".join(chosen) + "\n")
    return path


@pytest.fixture
def docs_assistant(
    embedder: object,
    local_model: ChatModel,
    seeded_embedding_cache: Path,
    docs_locations: Locations,
) -> Iterator[Assistant]:
    """docs/ ingested (the session's copy) under this test's MARGIN_HOME, where the CLI looks
    too."""
    locations = resolve_locations().ensure()
    copy_data(docs_locations, locations.data_dir)
    # the model path, with answers of a few sentences (the eval measures them, whatever their
    # length; the bundled model's full answers ran to 250 tokens)
    config = parse_config('[ask]\nmode = "generate"\nmax_tokens = 64\n', locations.config_file)
    assistant = build_assistant(
        locations=locations, config=config, embedder=embedder, models={"local": local_model}
    )
    yield assistant
    assistant.close()


@pytest.mark.timeout(600)  # two answers; slow when the cores are shared
def test_eval_with_answers_on_the_bundled_model(
    docs_assistant: Assistant, small_golden: Path
) -> None:
    run = run_eval(docs_assistant, load_golden(small_golden), k=6)
    printed = json.loads(json.dumps(run.to_json()))
    assert summarize(printed["questions"]) == printed["metrics"]

    metrics = run.metrics
    assert metrics["questions"] == 3 and metrics["errors"] == 0
    assert metrics["hit@5"] == 1.0
    keys = next(q for q in run.questions if q["question"] == QUESTIONS[0])
    assert keys["ranked_sources"][0] == str(DOCS / "models.md")
    assert keys["answer"] and not keys["refused"]
    assert keys["model"] and keys["usage"]["completion_tokens"] > 0
    assert {"ask.total", "ask.ttft", "ask.retrieve", "search"} <= set(keys["latency_ms"])
    for name in ("containment", "token_f1", "groundedness", "refusal_accuracy"):
        assert metrics[name] is not None, name
    assert metrics["latency_ms.ask.total.p95"] >= metrics["latency_ms.ask.total.p50"] > 0


def test_margin_eval_stores_the_run_and_guards_thresholds(
    docs_assistant: Assistant, small_golden: Path
) -> None:
    runner = CliRunner()
    args = ["eval", str(small_golden), "--retrieval-only", "--json"]
    result = runner.invoke(cli, [*args, "--retrieval-mode", "text"])
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["run_id"] == 1
    assert printed["setup"]["retrieval_mode"] == "text"
    assert printed["setup"]["retrieval"]["vector_weight"] == 0.0
    assert printed["setup"]["corpus"]["documents"] >= 10
    assert summarize(printed["questions"]) == printed["metrics"]

    result = runner.invoke(cli, [*args, "--fail-under", "hit@1=1.01", "--compare-last"])
    assert result.exit_code == 1
    assert "hit@1 = " in result.stderr and "under the minimum 1.01" in result.stderr
    printed = json.loads(result.stdout)
    assert printed["run_id"] == 2 and printed["comparison"]["run_a"] == 1
