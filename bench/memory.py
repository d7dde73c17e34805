"""Peak memory (RSS) of ingesting 10k small files and of a chat session, each in its own process.

    .venv/bin/python -m bench.memory [--files 10000] [--questions 5] [--case ingest|chat]

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
SOURCES = Path("/usr/share/doc/python3.11/html/_sources")  # python3.11-doc: real prose
TARGET_MB = {"ingest": 1000, "chat": 800}
PIECE_LINES = 12  # lines of reStructuredText per small file (about one chunk)


def write_small_files(folder: Path, count: int) -> int:
    """`count` small text files cut from the Python documentation's sources, 100 to a
    folder; returns how many were written (fewer if the documentation runs out)."""
    written = 0
    for source in sorted(SOURCES.rglob("*.rst.txt")):
        lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        for start in range(0, len(lines) - PIECE_LINES + 1, PIECE_LINES):
            if written == count:
                return written
            sub = folder / f"part{written // 100:03d}"
            sub.mkdir(exist_ok=True)
            text = "\n".join(lines[start : start + PIECE_LINES]) + "\n"
            (sub / f"{source.name.removesuffix('.rst.txt')}-{start:05d}.txt").write_text(
                text, encoding="utf-8"
            )
            written += 1
    return written


def current_mb() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024, 1)


def peak_mb() -> dict[str, float]:
    """Peak RSS of this process and of its largest finished child, in MB (Linux: KB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "children_peak_rss_mb": round(children, 1)}


def child_ingest(folder: str) -> dict[str, Any]:
    from assistant.core import open_index

    trail: dict[int, float] = {}  # RSS now, by files done: what grows with the run

    def watch(event: Any) -> None:
        if event.files_done % 1000 == 0 and event.files_done not in trail:
            trail[event.files_done] = current_mb()

    report = open_index().ingestor().run([Path(folder)], progress=watch)
    return {
        "files": len(report.added),
        "chunks": report.chunks,
        "seconds": round(report.seconds, 1),
        "rss_mb_by_files_done": trail,
        "end_rss_mb": current_mb(),
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


def run_child(case: str, *args: str, home: str | None = None, tree: Path = REPO) -> dict[str, Any]:
    """Run one case in a fresh process, with its own MARGIN_HOME (a new one unless given),
    on the code of the checkout `tree` (its own bench.memory runs the case)."""
    with tempfile.TemporaryDirectory(prefix="margin-bench-memory-") as fresh:
        environment = {
            **os.environ,
            "MARGIN_HOME": home or fresh,
            "MARGIN_NO_SERVICE": "1",
            "PYTHONPATH": str(tree),
        }
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", "--child", case, *args],
            cwd=tree,
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
    parser.add_argument("--case", choices=["ingest", "chat"], action="append")
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout to measure")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child[0], args.child[1:])
        return
    cases = args.case or ["ingest", "chat"]
    if "ingest" in cases:
        ingest_case(args.files, args.tree.resolve())
    if "chat" in cases:
        chat_case(args.questions, args.tree.resolve())


def ingest_case(files: int, tree: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="margin-bench-files-") as folder:
        written = write_small_files(Path(folder), files)
        note(f"{BENCH}: ingesting {written} small files cut from {SOURCES}")
        ingest = run_child("ingest", folder, tree=tree)
    bare = run_child("bare_embedder")
    emit(
        BENCH,
        case="ingest_small_files",
        tree=str(tree),
        target_mb=TARGET_MB["ingest"],
        **ingest,
        bare_embedder_peak_rss_mb=bare["peak_rss_mb"],
    )


def chat_case(questions: int, tree: Path) -> None:
    note(f"{BENCH}: chat session, {questions} questions, bundled model")
    with tempfile.TemporaryDirectory(prefix="margin-bench-chat-") as home:
        run_child("ingest", str(DOCS), home=home, tree=tree)
        chat = run_child("chat", str(questions), home=home, tree=tree)
    bare_chat = run_child("bare_chat")
    emit(
        BENCH,
        case="chat_session",
        tree=str(tree),
        target_mb=TARGET_MB["chat"],
        **chat,
        bare_models_peak_rss_mb=bare_chat["peak_rss_mb"],
    )


if __name__ == "__main__":
    main()
