"""The whole ask path through the real parts: MiniLM, LanceDB, llama.cpp, a loopback server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ask.quote import FALLBACK_SHARE
from assistant.ask.types import AskOptions, SentenceChecked, SourcesFound, TextDelta
from assistant.config import ModelProfile, parse_config
from assistant.core import Assistant, build_assistant
from assistant.locations import Locations
from models.base import ChatModel
from models.bundled import bundled_gguf_path
from tests.fixtures.ingest import DOCS, copy_data

pytestmark = pytest.mark.slow

# Answers of a few sentences: what is checked is that an answer streams and is measured; the
# bundled model's full answers ran to 250 tokens, a few seconds each on one thread.
ANSWER_TOKENS = "[ask]\nmax_tokens = 64\n"


def copied(docs_locations: Locations, tmp_path: Path) -> Locations:
    """The session's ingested docs/ (`docs_locations`), copied to this test's folder."""
    copy_data(docs_locations, tmp_path / "data")
    return Locations(config_dir=tmp_path / "config", data_dir=tmp_path / "data").ensure()


@pytest.fixture
def local_assistant(
    docs_locations: Locations, tmp_path: Path, embedder: object, local_model: ChatModel
) -> Iterator[Assistant]:
    locations = copied(docs_locations, tmp_path)
    config = parse_config(ANSWER_TOKENS, locations.config_file)
    assistant = build_assistant(
        locations=locations, config=config, embedder=embedder, models={"local": local_model}
    )
    yield assistant
    assistant.close()  # preloaded models stay loaded for other tests


def test_local_answer_streams_after_its_sources(local_assistant: Assistant) -> None:
    run = local_assistant.ask("How does margin keep API keys safe?", AskOptions(mode="generate"))
    events = list(run)
    answer = run.answer
    assert answer is not None and not answer.refused, answer
    assert isinstance(events[0], SourcesFound)
    assert any(isinstance(e, TextDelta) for e in events)
    assert any("keyring" in s.text.lower() for s in answer.sources[:3])
    assert all(Path(s.path).is_absolute() and Path(s.path).exists() for s in answer.sources)
    assert answer.answer.strip() and answer.usage.completion_tokens > 0
    assert answer.usage.cost_usd == 0.0 and answer.latency_ms["ttft"] > 0
    assert answer.model == "local" and answer.groundedness is not None


def test_a_quote_answer_is_the_documents_own_words_with_citations(
    local_assistant: Assistant,
) -> None:
    answer = local_assistant.ask(
        "Where does margin keep API keys?", AskOptions(mode="quote")
    ).complete()
    assert answer.mode == "quote" and not answer.refused and answer.cited
    assert answer.usage.completion_tokens == 0 and "ttft" not in answer.latency_ms
    by_number = {s.number: " ".join(s.text.split()) for s in answer.sources}
    for sentence in answer.sentences:  # each passage verbatim from its cited source, line by line
        assert answer.answer[sentence.start : sentence.end].endswith(f"[{sentence.source}]")
        for line in sentence.evidence.splitlines():
            assert " ".join(line.split()) in by_number[sentence.source]  # type: ignore[index]


def test_a_quoted_table_row_comes_under_its_tables_header(local_assistant: Assistant) -> None:
    """docs/chat.md's key table: a row alone ("| Escape | stop the answer ... |") does not say
    what its cells are."""
    question = "Which key stops an answer that is being written in the chat TUI?"
    answer = local_assistant.ask(question, AskOptions(mode="quote")).complete()
    table = answer.answer.removeprefix("## Keys\n\n")  # the section's heading may lead it
    assert not answer.refused and table.startswith("| key | action |\n|---|---|\n")
    assert "| Escape | stop the answer that is being written" in answer.answer
    [source] = [s for s in answer.sources if s.number == answer.sentences[0].source]
    for line in answer.sentences[0].evidence.splitlines():  # every quoted line is the source's
        assert " ".join(line.split()) in " ".join(source.text.split())


def test_unrelated_question_is_refused_without_the_model(local_assistant: Assistant) -> None:
    answer = local_assistant.ask("What is the airspeed of an unladen swallow?").complete()
    assert answer.refused and answer.refusal_reason == "not_found"
    assert answer.usage.completion_tokens == 0


def test_a_question_in_german_is_refused_with_a_hint_to_ask_in_english(
    local_assistant: Assistant,
) -> None:
    german = local_assistant.ask("Wie bewahrt margin die API-Schlüssel sicher auf?").complete()
    assert german.refused and german.refusal_reason == "not_found"
    assert "does not read as English" in german.answer and "asking in English" in german.answer
    english = local_assistant.ask("How does margin keep API keys safe?").complete()
    assert not english.refused


def test_a_misspelt_question_is_answered_and_says_what_was_searched_for(
    local_assistant: Assistant,
) -> None:
    run = local_assistant.ask("Which enviornment variable can hold an API key?", AskOptions())
    found = next(e for e in run if isinstance(e, SourcesFound))
    answer = run.complete()
    assert found.search_query == "Which environment variable can hold an API key?"
    assert not answer.refused and answer.mode == "quote"
    respelt = [e.detail for e in answer.guardrails if e.kind == "question.respelt"]
    assert respelt == ["“enviornment” is in no document; searched for “environment” instead"]


def test_remote_answer_through_a_real_server_is_redacted_and_audited(
    docs_locations: Locations,
    tmp_path: Path,
    embedder: object,
    llama_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = DOCS.parents[1]  # the docs as if kept in the person's home folder
    monkeypatch.setenv("HOME", str(home))
    locations = copied(docs_locations, tmp_path)
    config = parse_config(ANSWER_TOKENS, locations.config_file)
    config.models["loopback"] = ModelProfile(
        name="loopback",
        kind="openai",
        base_url=llama_server,
        model="smollm2",
        input_usd_per_mtok=0.15,
        output_usd_per_mtok=0.60,
        read_timeout_s=120,
    )
    assistant = build_assistant(locations=locations, config=config, embedder=embedder)
    question = "How does margin keep API keys safe? Reply to bob@example.org."
    answer = assistant.ask(question, AskOptions(model="loopback")).complete()
    assert not answer.refused, answer
    # llama-cpp-python's server sends no usage in a stream: margin's estimate stands, marked.
    assert answer.usage.prompt_tokens > 0 and answer.usage.estimated
    assert answer.usage.cost_usd > 0
    [entry] = assistant.log.egress.entries()
    sent = str(entry.to_json())
    assert "bob@example.org" not in sent and "[EMAIL_1]" in sent
    assert f'path="~/{DOCS.parent.name}/docs/' in sent and str(home) + "/" not in sent
    assert entry.interaction_id == answer.interaction_id
    assistant.close()


def test_auto_answers_with_a_quote_and_never_asks_the_bundled_model(
    local_assistant: Assistant,
) -> None:
    question = "Explain in simple words why margin never writes API keys into its own files?"
    answer = local_assistant.ask(question, AskOptions(mode="auto", use_cache=False)).complete()
    assert answer.mode == "quote" and answer.model == "quote" and answer.fallback is None
    assert answer.usage.completion_tokens == 0 and answer.cited
    assert answer.groundedness == 1.0


def test_auto_keeps_a_capable_models_answer_only_when_the_sources_support_it(
    docs_locations: Locations, tmp_path: Path, embedder: object, local_model: ChatModel
) -> None:
    # The bundled GGUF named by its path stands for a capable local model, which auto lets
    # write. What it writes depends on the CPU's rounding and on the prompt, which holds the
    # docs' absolute paths (so the checkout's folder): whichever answer it writes, auto keeps
    # it when most of its sentences are supported and quotes the documents instead when not.
    # test_pipeline.py drives each branch with a model that writes a given answer.
    locations = copied(docs_locations, tmp_path)
    capable = f'[models.local]\npath = "{bundled_gguf_path()}"\n'
    config = parse_config(
        f"[ask]\ntemperature = 0\nmax_tokens = 64\n{capable}", locations.config_file
    )
    assistant = build_assistant(
        locations=locations, config=config, embedder=embedder, models={"local": local_model}
    )
    question = "Explain in simple words why margin never writes API keys into its own files?"
    run = assistant.ask(question, AskOptions(mode="auto", use_cache=False))
    events = list(run)
    answer = run.answer
    assistant.close()
    assert answer is not None and answer.usage.completion_tokens > 0  # the model wrote
    checks = [e.support for e in events if isinstance(e, SentenceChecked)]
    checked = [c for c in checks if c.status != "skipped"]
    supported = [c for c in checked if c.status in ("cited", "attributed")]
    assert checked, checks
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    kinds = [e.kind for e in answer.guardrails]
    if len(supported) / len(checked) >= FALLBACK_SHARE:
        assert answer.mode == "model" and answer.fallback is None, checks
        assert answer.groundedness is not None and answer.groundedness >= FALLBACK_SHARE
        assert "answer.replaced" not in kinds
        return
    assert answer.fallback == "unsupported" and answer.mode == "quote", checks
    assert answer.answer != streamed and answer.groundedness == 1.0
    assert "answer.replaced" in kinds
    by_number = {s.number: s.text for s in answer.sources}
    for sentence in answer.sentences:  # every quoted line is its source's own
        source = " ".join(by_number[sentence.source].split())  # type: ignore[index]
        for line in sentence.evidence.splitlines():
            assert " ".join(line.split()) in source


JSON_PAGE = Path(__file__).parents[2] / "data" / "python_docs" / "json.html"


def test_the_source_tag_the_bundled_model_copies_from_its_prompt_is_never_shown(
    tmp_path: Path, embedder: object, local_model: ChatModel
) -> None:
    # Greedy decoding on one CPU (its words vary across CPUs): asked this, the bundled model
    # starts a code block with a copy of the prompt's <source n="1" path=... heading=...> tag.
    locations = Locations(config_dir=tmp_path / "config", data_dir=tmp_path / "data").ensure()
    config = parse_config("[ask]\ntemperature = 0\nmax_tokens = 96\n", locations.config_file)
    assistant = build_assistant(
        locations=locations, config=config, embedder=embedder, models={"local": local_model}
    )
    assert not assistant.ingest([JSON_PAGE]).failed
    question = "Show me the source text about json.dump."
    run = assistant.ask(question, AskOptions(mode="generate", use_cache=False))
    events = list(run)
    answer = run.answer
    assistant.close()
    assert answer is not None and answer.usage.completion_tokens > 0
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    for shown in (streamed, answer.answer):
        assert not re.search(r"<\s*/?\s*source\b", shown, re.IGNORECASE), shown
    assert "answer.tags_removed" in [e.kind for e in answer.guardrails]  # the model wrote one
