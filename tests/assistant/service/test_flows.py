"""Search and ask through the service give what the in-process path gives.

An assistant built with the hashing embedder, served in this process, for what the service
does with the index; the session's real service process (real embedder and model) for what
a person's `margin` sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.core import build_assistant, open_index
from assistant.locations import Locations, resolve_locations
from assistant.service.client import connect_or_start, run_search
from assistant.service.server import Service
from ingest.embedder import Embedder
from ingest.fakes import HashingEmbedder
from tests.assistant.service.conftest import RealService, serve_in_thread

ROOT = Path(__file__).resolve().parents[3]
MARGIN = Path(sys.executable).with_name("margin")
HEAVY = ["torch", "sentence_transformers", "transformers", "lancedb", "pyarrow", "llama_cpp"]
QUESTION = "How are API keys kept safe?"


def write_notes(folder: Path, notes: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in notes.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def ingest_with(embedder: Embedder, locations: Locations, folder: Path) -> None:
    assistant = build_assistant(locations=locations, embedder=embedder)
    try:
        report = assistant.ingest([folder])
    finally:
        assistant.close()
    assert report.added and not report.failed


def margin(
    *args: str, env: dict[str, str] | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MARGIN), *args],
        env={**(env or os.environ), **extra},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_service_sees_documents_ingested_after_it_started(tmp_path: Path) -> None:
    locations = resolve_locations()
    notes = tmp_path / "notes"
    write_notes(notes, {"keys.md": "# Keys\n\nAPI keys live in the system keyring.\n"})
    ingest_with(HashingEmbedder(), locations, notes)
    service = Service(
        locations,
        lambda: build_assistant(locations=locations, embedder=HashingEmbedder()),
        idle_s=3600,
    )
    served = serve_in_thread(service)
    try:

        def in_process(query: str) -> list:  # type: ignore[type-arg]
            return open_index(locations, embedder=HashingEmbedder()).retriever().search(query)

        first = served.client.search("where do API keys live?")
        assert first == in_process("where do API keys live?")
        assert [Path(s.path).name for s in first] == ["keys.md"]

        write_notes(notes, {"budget.md": "# Budget\n\nThe daily budget caps spending on keys.\n"})
        ingest_with(HashingEmbedder(), locations, notes)
        second = run_search("daily budget for keys", locations=locations)
        assert second == in_process("daily budget for keys")
        assert {Path(s.path).name for s in second} == {"keys.md", "budget.md"}
    finally:
        served.stop()


def test_a_broken_config_fails_the_same_way_through_the_service() -> None:
    locations = resolve_locations().ensure()
    locations.config_file.write_text("[retrieval]\nk = 'six'\n")
    for command in (["search", "anything"], ["ask", "anything?"]):
        served = margin(*command)
        alone = margin(*command, MARGIN_NO_SERVICE="1")
        assert served.returncode == alone.returncode == 1
        assert served.stderr == alone.stderr
        assert "retrieval.k should be a whole number" in served.stderr
    assert connect_or_start(locations, start=False) is not None


def test_an_over_long_question_is_the_same_usage_error_through_the_service(
    real_service: RealService,
) -> None:
    """100 KB (more than the service once read) and a 20,001-character question."""
    for question in ("why " * 25_600, "é" * 20_001):
        served = margin("ask", question, env=real_service.env)
        alone = margin("ask", question, env=real_service.env, MARGIN_NO_SERVICE="1")
        assert served.returncode == alone.returncode == 2
        assert served.stderr == alone.stderr
        assert "ask.max_question_chars" in served.stderr and "Traceback" not in served.stderr
    assert connect_or_start(real_service.locations, start=False) is not None


def test_an_unknown_model_profile_fails_the_same_way_through_the_service(
    real_service: RealService,
) -> None:
    command = ["ask", "what is margin?", "--model", "nope"]
    served = margin(*command, env=real_service.env)
    alone = margin(*command, env=real_service.env, MARGIN_NO_SERVICE="1")
    assert served.returncode == alone.returncode == 1
    assert served.stderr == alone.stderr
    assert "No model profile named 'nope'" in served.stderr
    assert connect_or_start(real_service.locations, start=False) is not None


def searched_in_fresh_process(
    service: RealService, modules: list[str], **extra_env: str
) -> list[str]:
    """Run `margin search --json` in a fresh process (the CLI through click's runner), check
    its first result is from the corpus, and return which of `modules` it imported."""
    probe = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from assistant.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['search', {QUESTION!r}, '--json'])\n"
        f"loaded = [m for m in {modules!r} if m in sys.modules]\n"
        "print(json.dumps({'code': result.exit_code, 'out': result.output, 'loaded': loaded}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**service.env, **extra_env},
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(output.stdout)
    assert report["code"] == 0, report["out"]
    first = json.loads(report["out"])["results"][0]["path"]
    assert Path(first).parent == service.corpus.resolve()
    loaded: list[str] = report["loaded"]
    return loaded


def test_the_client_path_imports_no_heavy_library(real_service: RealService) -> None:
    assert searched_in_fresh_process(real_service, HEAVY) == []


# What an answer, an ingest or a chat model needs, and a search does not: a cold `margin search`
# is a fresh process, and each of these would be imported there for nothing.
NOT_FOR_A_SEARCH = [
    "assistant.ask.pipeline",
    "assistant.ask.budget",
    "assistant.ask.dependencies",
    "ingest.pipeline",
    "ingest.run",
    "models.llama_cpp",
    "models.openai_compat",
    "detect_secrets",  # a question with no token-like run and no quoted value never needs it
    "torch",
]


def test_a_search_in_process_imports_only_what_a_search_needs(real_service: RealService) -> None:
    assert searched_in_fresh_process(real_service, NOT_FOR_A_SEARCH, MARGIN_NO_SERVICE="1") == []


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_real_embedder_results_match_the_in_process_path_and_answers_stream(
    real_service: RealService, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARGIN_HOME", str(real_service.env["MARGIN_HOME"]))
    served = run_search(QUESTION, locations=real_service.locations)
    alone = open_index(real_service.locations, embedder=embedder).retriever().search(QUESTION)
    assert served and [s.to_json() for s in served] == [s.to_json() for s in alone]

    # The bundled model writes the answer (auto would quote it), so the stream is tested.
    asked = margin("ask", QUESTION, "--mode", "generate", "--json", env=real_service.env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    retrieved = [{**s, "cited_line": None} for s in answer["sources"]]  # the answer cites
    assert retrieved == [s.to_json() for s in served][: len(answer["sources"])]
    assert answer["model"] == "local" and answer["answer"]
