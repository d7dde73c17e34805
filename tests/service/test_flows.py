"""Search and ask through the real service process, compared with the in-process path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.factory import build_assistant
from assistant.indexing import open_index
from assistant.locations import Locations, resolve_locations
from assistant.service_client import connect_or_start, run_search
from ingest.fakes import HashingEmbedder

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARGIN = Path(sys.executable).with_name("margin")
HEAVY = ["torch", "sentence_transformers", "transformers", "lancedb", "pyarrow", "llama_cpp"]


def write_notes(folder: Path, notes: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in notes.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def ingest_with_fake_embedder(locations: Locations, folder: Path) -> None:
    assistant = build_assistant(locations=locations, embedder=HashingEmbedder())
    try:
        report = assistant.ingest([folder])
    finally:
        assistant.close()
    assert report.added and not report.failed


def search_in_process(locations: Locations, query: str) -> list:  # type: ignore[type-arg]
    index = open_index(locations, embedder=HashingEmbedder())
    return index.retriever().search(query)


def margin(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MARGIN), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_service_sees_documents_ingested_by_another_process(tmp_path: Path) -> None:
    locations = resolve_locations()
    notes = tmp_path / "notes"
    write_notes(notes, {"keys.md": "# Keys\n\nAPI keys live in the system keyring.\n"})
    ingest_with_fake_embedder(locations, notes)
    client = connect_or_start(locations)
    assert client is not None
    first = client.search("where do API keys live?")
    assert first == search_in_process(locations, "where do API keys live?")
    assert [Path(s.path).name for s in first] == ["keys.md"]

    write_notes(notes, {"budget.md": "# Budget\n\nThe daily budget caps spending on keys.\n"})
    ingest_with_fake_embedder(locations, notes)
    second = run_search("daily budget for keys", locations=locations)
    assert second == search_in_process(locations, "daily budget for keys")
    assert {Path(s.path).name for s in second} == {"keys.md", "budget.md"}


def test_a_broken_config_fails_the_same_way_through_the_service() -> None:
    locations = resolve_locations().ensure()
    locations.config_file.write_text("[retrieval]\nk = 'six'\n")
    for command in (["search", "anything"], ["ask", "anything?"]):
        served = margin(*command)
        alone = margin(*command, MARGIN_NO_SERVICE="1")
        assert served.returncode == alone.returncode == 1
        assert served.stderr == alone.stderr
        assert "retrieval.k should be a int" in served.stderr
    assert connect_or_start(locations, start=False) is not None


def test_an_unknown_model_profile_fails_the_same_way_through_the_service() -> None:
    served = margin("ask", "what is margin?", "--model", "nope")
    assert served.returncode == 1
    assert "No model profile named 'nope'" in served.stderr
    assert connect_or_start(resolve_locations(), start=False) is not None


def test_the_client_path_imports_no_heavy_library(tmp_path: Path) -> None:
    locations = resolve_locations()
    write_notes(tmp_path / "notes", {"a.md": "# A\n\nmargin answers from your files.\n"})
    ingest_with_fake_embedder(locations, tmp_path / "notes")
    assert connect_or_start(locations) is not None
    probe = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from assistant.cli import cli\n"
        "result = CliRunner().invoke(cli, ['search', 'margin answers', '--json'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'code': result.exit_code, 'out': result.output, 'heavy': heavy}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(output.stdout)
    assert report["code"] == 0, report["out"]
    assert json.loads(report["out"])["results"][0]["path"].endswith("a.md")
    assert report["heavy"] == []


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_real_embedder_results_match_the_in_process_path_and_answers_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_embedding_cache: Path
) -> None:
    monkeypatch.delenv("MARGIN_TEST_FAKE_EMBEDDER")
    resolve_locations().ensure().config_file.write_text("[ask]\nmax_tokens = 48\n")
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name in ("ask.md", "budgets.md", "models.md", "privacy.html"):
        (corpus / name).write_bytes((DOCS / name).read_bytes())
    assert margin("ingest", str(corpus), "--json", MARGIN_NO_SERVICE="1").returncode == 0

    query = ["search", "How are API keys kept safe?", "--json"]
    alone = margin(*query, MARGIN_NO_SERVICE="1")
    served = margin(*query)
    assert alone.returncode == served.returncode == 0, served.stderr
    assert json.loads(served.stdout) == json.loads(alone.stdout)
    assert json.loads(served.stdout)["results"]

    asked = margin("ask", "How are API keys kept safe?", "--json")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["sources"] == json.loads(alone.stdout)["results"][: len(answer["sources"])]
    assert answer["model"] == "local" and answer["answer"]
