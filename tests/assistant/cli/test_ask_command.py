"""`margin ask` as a person runs it: sources first, the streamed answer, exit codes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import core
from assistant.cli import cli
from assistant.locations import resolve_locations
from assistant.log import InteractionLog
from tests.fixtures.cli import ingested_home, margin_command, use_home
from tests.fixtures.models import FlakyServer, Step

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.fixture(scope="session")
def docs_home(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Path:
    """A MARGIN_HOME with two files of docs/ ingested through the CLI with the session's real
    embedder, once; tests get a copy (`ingested`)."""
    home = tmp_path_factory.mktemp("ask-docs") / "margin-home"
    return ingested_home(home, [DOCS / "models.md", DOCS / "ask.md"], embedder)


@pytest.fixture
def ingested(
    docs_home: Path, margin_home: Path, embedder: object, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's MARGIN_HOME as `docs_home` left it; the CLI embeds with the same embedder."""
    return use_home(docs_home, margin_home, embedder, monkeypatch)


# One source in the bundled model's prompt: about 640 tokens to read instead of 1,000 with
# three, most of an answer's time on one thread.
ONE_SOURCE = "k = 1\n"


def write_config(margin_home: Path, text: str) -> None:
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)


def test_arithmetic_is_answered_without_documents_or_a_model() -> None:
    result = CliRunner().invoke(cli, ["ask", "What is 17% of 2350?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["mode"] == "calculator" and "399.5" in answer["answer"]
    assert answer["interaction_id"] == 1 and answer["sources"] == []


def test_empty_question_is_a_usage_error_without_traceback() -> None:
    result = CliRunner().invoke(cli, ["ask", "  "])
    assert result.exit_code == 2
    assert "question is empty" in result.stderr and "Traceback" not in result.output


def test_a_100_kb_question_is_a_usage_error_naming_the_limit() -> None:
    result = CliRunner().invoke(cli, ["ask", "why " * 25_600, "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "the limit is 2,000" in result.stderr and "Traceback" not in result.output


def test_a_question_that_is_not_utf8_is_a_usage_error_in_a_real_process() -> None:
    """The bytes reach Python as lone surrogates; nothing may fail on them later."""
    done = subprocess.run(
        [*margin_command(), "ask", b"what is \xff\xfe this?"], capture_output=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert b"not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr


@pytest.mark.slow
def test_answer_streams_after_its_sources_with_the_bundled_model(
    ingested: Path, bundled_gguf: Path
) -> None:
    write_config(ingested, f"[ask]\nmax_tokens = 24\n{ONE_SOURCE}\n[models.local]\nthreads = 1\n")
    question = "How does margin keep API keys safe?"
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "generate"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Sources\n  [1] ") and "models.md" in out.splitlines()[1]
    answer_text = out.split("\n\n", 1)[1]
    assert answer_text.strip(), out
    assert "local · " in result.stderr and "tokens" in result.stderr


@pytest.mark.slow
def test_sources_show_the_line_an_editor_opens_them_at(ingested: Path) -> None:
    question = "Where does margin keep API keys?"
    shown = CliRunner().invoke(cli, ["ask", question, "--mode", "quote"])
    found = CliRunner().invoke(cli, ["ask", question, "--mode", "quote", "--json"])
    assert shown.exit_code == found.exit_code == 0, shown.output + found.output
    listed = shown.stdout.split("\n\n", 1)[0].splitlines()[1:]
    sources = json.loads(found.stdout)["sources"]
    assert len(listed) == len(sources) and all(s["line"] for s in sources)
    for line, source in zip(listed, sources, strict=True):
        assert f"{Path(source['path']).name}:{source['line']} > " in line, line
    # once the answer is in, a cited source is shown at the line its quoted passage starts on
    answer = json.loads(found.stdout)
    [cited] = [s for s in sources if s["number"] == answer["cited"][0]]
    opening = " ".join(answer["answer"].split()[:4])
    file_line = Path(cited["path"]).read_text().splitlines()[cited["cited_line"] - 1]
    assert opening in " ".join(file_line.split()), (opening, file_line)
    assert answer["sentences"][0]["line"] == cited["cited_line"]
    [footer] = [line for line in shown.stderr.splitlines() if line.startswith("cited [")]
    assert f"{Path(cited['path']).name}:{cited['cited_line']} > " in footer, footer


@pytest.mark.slow
def test_mode_quote_answers_in_the_documents_words_without_a_model(ingested: Path) -> None:
    question = "Where does margin keep API keys?"
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "quote", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["mode"] == "quote" and answer["model"] == "quote" and answer["cited"]
    assert answer["usage"]["completion_tokens"] == 0
    assert all(s["status"] == "cited" for s in answer["sentences"])
    scores = [s["score"] for s in answer["sources"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    wrong = CliRunner().invoke(cli, ["ask", question, "--mode", "poetry"])
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output


@pytest.mark.slow
def test_unrelated_question_is_refused_with_nearest_sources(ingested: Path) -> None:
    question = "What is the airspeed of an unladen swallow over Camelot?"
    result = CliRunner().invoke(cli, ["ask", question])
    assert result.exit_code == 0
    # the refusal says what the documents never mention: "airspeed" and "unladen" are English
    # words ("un" + "laden"), "Camelot" a name
    assert (
        "Not found in your documents: none of the passages found mentions “Camelot”"
        in result.stdout
    )
    assert "nearest matches" in result.stderr


@pytest.mark.slow
def test_request_over_budget_exits_4_and_sends_nothing(ingested: Path) -> None:
    write_config(
        ingested,
        '[defaults]\nmodel = "far"\n\n[budget]\nrequest_usd = 0.000001\n\n'
        '[models.far]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'
        "input_usd_per_mtok = 5.0\noutput_usd_per_mtok = 15.0\n",
    )
    result = CliRunner().invoke(cli, ["ask", "How does margin keep API keys safe?", "--json"])
    assert result.exit_code == 4, result.output
    answer = json.loads(result.stdout)
    assert answer["refused"] and answer["refusal_reason"] == "budget"
    assert "budget.request_usd" in answer["answer"]
    egress = CliRunner().invoke(cli, ["egress", "--json"])
    assert json.loads(egress.stdout)["entries"] == []


def ask_json(*args: str) -> tuple[dict[str, object], str]:
    result = CliRunner().invoke(cli, ["ask", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_continue_and_conversation_follow_up_in_the_table_chat_uses(margin_home: Path) -> None:
    first, said = ask_json("What is 2+2?", "--continue")
    assert "No earlier conversation to continue" in said
    conversation = str(first["conversation_id"])
    second, _ = ask_json("What is 3*3?", "--continue")
    fresh, _ = ask_json("What is 5*5?")
    third, _ = ask_json("What is 1+1?", "--conversation", conversation[:8])
    assert second["conversation_id"] == third["conversation_id"] == conversation
    assert fresh["conversation_id"] not in (None, conversation)
    with InteractionLog(resolve_locations().log_db, log_text=True) as log:
        summaries = {s.id: s.turns for s in log.conversations()}
        assert summaries == {conversation: 3, fresh["conversation_id"]: 1}
        assert [t.question for t in log.turns(conversation)] == [
            "What is 2+2?",
            "What is 3*3?",
            "What is 1+1?",
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--conversation", "zzzzzz"], "Cannot continue conversation 'zzzzzz'"),
        (["--conversation", "ab"], "at least 4 characters"),
        (["--continue", "--conversation", "abcd"], "not both"),
    ],
)
def test_a_conversation_that_cannot_be_continued_is_a_usage_error(
    args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["ask", "What is 2+2?", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def remote_config(margin_home: Path, base_url: str) -> None:
    write_config(
        margin_home,
        f'[defaults]\nmodel = "far"\n\n[models.far]\nkind = "openai"\nbase_url = "{base_url}"\n'
        'model = "m"\ncontext = 4096\n',
    )


@pytest.mark.slow
def test_a_model_repeating_itself_is_stopped_and_the_cli_says_so(
    ingested: Path, flaky_server: Callable[..., FlakyServer]
) -> None:
    intro = "margin keeps API keys in the operating system's keyring."
    loop = [" It asks the keyring", " for the key each time", " it starts a request."] * 12
    server = flaky_server(Step.stream([intro, *loop]), Step.stream([intro, *loop]))
    remote_config(ingested, server.base_url)
    question = "How does margin keep API keys safe?"
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "generate"])
    assert result.exit_code == 0, result.output
    assert "… Stopped: the model was repeating itself; the repeats are left out" in result.stderr
    assert "! answer.repeating: the model wrote the same 13 words 3 times" in result.stderr
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "generate", "--json"])
    answer = json.loads(result.stdout)
    assert answer["truncated"] is True and answer["truncation"] == "repetition"
    assert answer["answer"].count("It asks the keyring") == 1


@pytest.mark.slow
def test_marks_footnotes_and_a_follow_up_through_the_cli(
    ingested: Path, flaky_server: Callable[..., FlakyServer]
) -> None:
    reply = (
        "margin keeps API keys in the operating system's keyring. "
        "Jane Doe invented the keyring in 1987.\n"
    )
    server = flaky_server(
        Step.stream([reply[:30], reply[30:70], reply[70:]]),
        Step.stream(["Then margin reads the key from key_env."]),
    )
    remote_config(ingested, server.base_url)
    result = CliRunner().invoke(cli, ["ask", "How does margin keep API keys safe?"])
    assert result.exit_code == 0, result.output
    out, err = result.stdout, result.stderr
    assert "operating system's keyring. [1]?" in out.replace("[2]?", "[1]?")
    assert "in 1987. [?]" in out
    assert "margin's match for a sentence the model did not cite" in err
    assert '[?] "Jane Doe invented the keyring in 1987." is not supported' in err
    assert "in no source: 1987, Jane Doe" in err
    assert "conversation " in err

    result = CliRunner().invoke(
        cli, ["ask", "And when the keyring has no entry?", "--continue", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["history_used"] is True
    assert answer["search_query"].startswith("And when the keyring has no entry? (margin keep")
    sent = "\n".join(m["content"] for m in server.requests[-1]["messages"])
    assert "Jane Doe invented the keyring" in sent  # the earlier turn went with it
    [sentence] = answer["sentences"]
    assert sentence["status"] in ("attributed", "unsupported") and answer["cited"] == []


@pytest.mark.slow
def test_an_answer_cut_at_max_tokens_says_so_with_the_bundled_model(ingested: Path) -> None:
    settings = (
        f'[ask]\nmax_tokens = 4\nmode = "generate"\n{ONE_SOURCE}\n[models.local]\nthreads = 1\n'
    )
    write_config(ingested, settings)
    result = CliRunner().invoke(cli, ["ask", "How does margin keep API keys safe?"])
    assert result.exit_code == 0, result.output
    assert (
        "… Cut off at 4 tokens, the limit ask.max_tokens sets (512 by default; set it in "
        "config.toml, 0 for no limit)."
    ) in result.stderr
    result = CliRunner().invoke(cli, ["ask", "How does margin keep API keys safe?", "--json"])
    answer = json.loads(result.stdout)
    assert answer["truncated"] is True and answer["truncation"] == "max_tokens"
    assert answer["usage"]["completion_tokens"] == answer["usage"]["max_tokens"] == 4


BACKUPS = """# Backups

## Restoring a snapshot

Snapshots are kept for thirty days. To restore the latest snapshot of a volume, stop the
service first and run the restore tool with the volume name:

```sh
backupctl restore --volume data --latest   # asks before it overwrites anything

backupctl verify --volume data
```

The restore takes about ten minutes for a volume of 100 GB.

- `--latest` picks the newest snapshot.
- `--at TIME` picks the snapshot taken before TIME.
"""


@pytest.fixture
def backups(
    margin_home: Path, tmp_path: Path, embedder: object, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: embedder)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "backups.md").write_text(BACKUPS)
    result = CliRunner().invoke(cli, ["ingest", str(notes)])
    assert result.exit_code == 0, result.output
    return margin_home


FENCE = BACKUPS[BACKUPS.index("```sh") : BACKUPS.index("```\n\nThe restore") + 3]


def test_a_quote_keeps_the_code_block_whole_and_cites_after_it(backups: Path) -> None:
    question = "How do I restore the latest snapshot of a volume with backupctl?"
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "quote"])
    assert result.exit_code == 0, result.output
    # the block as written, the citation after it (after the passage it opens goes on)
    assert f"{FENCE}\n" in result.stdout
    assert result.stdout.index("[1]", result.stdout.index(FENCE)) > result.stdout.index(FENCE)
    assert "run the restore tool with the volume name:\n\n```sh" in result.stdout
    answer, _ = ask_json(question, "--mode", "quote")
    text = str(answer["answer"])
    assert f"{FENCE}\n" in text and "[1]" not in text[: text.index(FENCE) + len(FENCE)]
    assert answer["mode"] == "quote" and answer["fallback"] is None


@pytest.mark.slow
def test_auto_replaces_an_unsupported_answer_visibly_in_the_cli_and_in_json(
    backups: Path, flaky_server: Callable[..., FlakyServer]
) -> None:
    invented = "Restores are instant and need no downtime at all.\n"
    server = flaky_server(Step.stream([invented]), Step.stream([invented]))
    remote_config(backups, server.base_url)
    question = "How long does restoring a snapshot take?"
    result = CliRunner().invoke(cli, ["ask", question])
    assert result.exit_code == 0, result.output
    out, err = result.stdout, result.stderr
    assert out.index("need no downtime at all.") < out.index("Your documents say:")
    quote = out[out.index("Your documents say:") :]
    assert "about ten minutes for a volume of 100 GB." in quote and "[1]" in quote
    assert "The model's answer above is not supported by your documents" in err
    assert "answer.replaced" in err
    answer, _ = ask_json(question)
    assert answer["mode"] == "quote" and answer["fallback"] == "unsupported"
    assert "no downtime" not in str(answer["answer"])
    assert "ten minutes" in str(answer["answer"])
    with InteractionLog(resolve_locations().log_db, log_text=True) as log:
        replaced = log.get(int(answer["interaction_id"]))  # type: ignore[call-overload]
    assert replaced is not None and replaced.answer.mode == "quote"
    stats = CliRunner().invoke(cli, ["stats"])
    assert "Quoted instead of the model's answer" in stats.output
