"""Peak memory (RSS) of ingesting 10k small files and of a chat session, each in its own process.

    .venv/bin/python -m bench.memory [--files 10000] [--questions 5]

Every case runs in a fresh child process that reports its own peak RSS
(`getrusage(RUSAGE_SELF).ru_maxrss`) and the largest of its own children (the extraction
worker), so no case inherits another's peak. Bare baselines load the same components without
margin around them: the embedding model with one query embedded, and the embedding model plus
a bare `llama_cpp.Llama` answering one question.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import DOCS, REPO, emit, golden_questions, note

BENCH = "memory"
WORDS = [
    "margin",
    "keeps",
    "notes",
    "papers",
    "answers",
    "sources",
    "index",
    "chunk",
    "model",
    "question",
    "budget",
    "privacy",
    "local",
    "folder",
    "search",
    "retrieval",
    "vector",
    "token",
    "guard",
    "citation",
    "ingest",
    "table",
    "offline",
    "laptop",
]
TARGET_MB = {"ingest": 1536, "chat": 1024}


def write_small_files(folder: Path, count: int) -> None:
    """`count` text files of about 15 words each, 100 to a folder, all different."""
    for number in range(count):
        sub = folder / f"part{number // 100:03d}"
        sub.mkdir(exist_ok=True)
        words = [WORDS[(number * 7 + i * (number % 13 + 1)) % len(WORDS)] for i in range(12)]
        (sub / f"note{number:05d}.txt").write_text(
            f"Note {number}. " + " ".join(words) + f". Reference number {number * 31}.\n",
            encoding="utf-8",
        )


def peak_mb() -> dict[str, float]:
    """Peak RSS of this process and of its largest finished child, in MB (Linux: KB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "children_peak_rss_mb": round(children, 1)}


def child_ingest(folder: str) -> dict[str, Any]:
    from assistant.core import open_index

    report = open_index().ingestor().run([Path(folder)])
    return {
        "files": len(report.added),
        "chunks": report.chunks,
        "seconds": round(report.seconds, 1),
    }


def child_chat(questions: int) -> dict[str, Any]:
    from assistant.ask.types import AskOptions
    from assistant.core import build_assistant

    assistant = build_assistant()
    conversation = assistant.start_conversation("memory bench")
    answered = 0
    for question in golden_questions()[:questions]:
        answer = assistant.ask(question, AskOptions(conversation_id=conversation)).complete()
        answered += not answer.refused
    assistant.close()
    return {"questions": questions, "answered": answered}


def child_bare_embedder() -> dict[str, Any]:
    from sentence_transformers import SentenceTransformer

    from ingest.embedder import bundled_model_dir

    model = SentenceTransformer(str(bundled_model_dir()), device="cpu", local_files_only=True)
    model.encode(["one query"])
    return {}


def child_bare_chat() -> dict[str, Any]:
    from llama_cpp import Llama
    from sentence_transformers import SentenceTransformer

    from ingest.embedder import bundled_model_dir
    from models.bundled import bundled_gguf_path

    model = SentenceTransformer(str(bundled_model_dir()), device="cpu", local_files_only=True)
    model.encode([golden_questions()[0]])
    llama = Llama(model_path=str(bundled_gguf_path()), n_ctx=4096, verbose=False)
    llama.create_chat_completion(
        [{"role": "user", "content": golden_questions()[0]}], max_tokens=64
    )
    llama.close()
    return {}


def run_child(case: str, *args: str, home: str | None = None) -> dict[str, Any]:
    """Run one case in a fresh process, with its own MARGIN_HOME (a new one unless given)."""
    with tempfile.TemporaryDirectory(prefix="margin-bench-memory-") as fresh:
        environment = {**os.environ, "MARGIN_HOME": home or fresh, "MARGIN_NO_SERVICE": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", "--child", case, *args],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_main(case: str, args: Sequence[str]) -> None:
    if case == "ingest":
        figures = child_ingest(args[0])
    elif case == "chat":
        figures = child_chat(int(args[0]))
    elif case == "bare_embedder":
        figures = child_bare_embedder()
    else:
        figures = child_bare_chat()
    print(json.dumps({**figures, **peak_mb()}), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child[0], args.child[1:])
        return

    with tempfile.TemporaryDirectory(prefix="margin-bench-files-") as folder:
        note(f"{BENCH}: writing {args.files} small files")
        write_small_files(Path(folder), args.files)
        note(f"{BENCH}: ingesting them")
        ingest = run_child("ingest", folder)
    bare = run_child("bare_embedder")
    emit(
        BENCH,
        case="ingest_small_files",
        target_mb=TARGET_MB["ingest"],
        **ingest,
        bare_embedder_peak_rss_mb=bare["peak_rss_mb"],
    )
    note(f"{BENCH}: chat session, {args.questions} questions, bundled model")
    with tempfile.TemporaryDirectory(prefix="margin-bench-chat-") as home:
        run_child("ingest", str(DOCS), home=home)
        chat = run_child("chat", str(args.questions), home=home)
    bare_chat = run_child("bare_chat")
    emit(
        BENCH,
        case="chat_session",
        target_mb=TARGET_MB["chat"],
        **chat,
        bare_models_peak_rss_mb=bare_chat["peak_rss_mb"],
    )


if __name__ == "__main__":
    main()
