"""Peak memory (RSS) of ingesting 10k small files and of a chat session, each in its own process.

    .venv/bin/python -m bench.memory [--files 10000] [--questions 2] [--case ingest|chat]

Every case runs in a fresh child process that reports its own peak RSS (VmHWM, from /proc)
and, apart, the peak of each kind of process it starts (the extraction worker, the one-time
embedding setup), read from /proc while they run, so no case inherits another's peak
(`getrusage`'s figure for children counts a child's pages from before its exec: a forked copy
of the parent). Bare baselines load the same components without margin around them: the
embedding model with one query embedded, and the embedding model plus a bare
`llama_cpp.Llama` answering one question.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


def status_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process now, in MB (Linux); empty once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {
        key: round(int(fields[key].split()[0]) / 1024, 1)
        for key in ("VmRSS", "VmHWM")
        if key in fields
    }


def current_mb() -> float:
    """Resident memory of this process now, in MB."""
    return status_mb().get("VmRSS", 0.0)


def _children() -> list[int]:
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def _kind(pid: int) -> str:
    """What a child is, by the module it runs (`python -m ingest.extraction_worker ...`)."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return "gone"
    if "-m" in words and words.index("-m") + 1 < len(words):
        return words[words.index("-m") + 1]
    return Path(words[0]).name


class ChildPeaks:
    """The peak RSS (VmHWM) of each kind of child process, sampled from /proc while they run."""

    def __init__(self, every_s: float = 0.25):
        self.every_s = every_s
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()

    @contextmanager
    def watching(self) -> Iterator[ChildPeaks]:
        thread = threading.Thread(target=self._watch, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            for pid in _children():
                peak = status_mb(pid).get("VmHWM")
                if peak is not None:
                    kind = _kind(pid)
                    self.peaks[kind] = max(self.peaks.get(kind, 0.0), peak)


def peak_mb() -> dict[str, float]:
    """Peak RSS of this process (VmHWM) and of its largest finished child, in MB."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_rss_mb": status_mb().get("VmHWM", 0.0),
        "children_peak_rss_mb": round(children, 1),
    }


class NoModel:
    """The real model's tokenizer (so the chunks are the same) and no model: every chunk gets
    one constant unit vector. What an ingest keeps apart from the embedding model's memory."""

    def __init__(self, real: Any):
        self.real = real
        self.model_id, self.dim, self.max_tokens = real.model_id, real.dim, real.max_tokens

    def embed_documents(self, texts: list[str]) -> Any:
        import numpy as np

        return np.full((len(texts), self.dim), self.dim**-0.5, dtype=np.float32)

    def embed_query(self, text: str) -> Any:
        return self.embed_documents([text])[0]

    def count_tokens(self, text: str) -> int:
        return int(self.real.count_tokens(text))

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return list(self.real.token_spans(text))


def child_ingest(folder: str, model: str = "model") -> dict[str, Any]:
    from assistant.config import load_config
    from assistant.core import load_embedder, open_index
    from assistant.locations import resolve_locations
    from ingest.fast_embedder import FastEmbedder

    trail: dict[int, dict[str, float]] = {}  # RSS and peak so far, by files done: the growth

    def watch(event: Any) -> None:
        if event.files_done % 1000 == 0 and event.files_done not in trail:
            trail[event.files_done] = status_mb()
            note(f"{BENCH}: {event.files_done} files done, {trail[event.files_done]}")

    where = resolve_locations()
    embedder: Any = load_embedder(load_config(where.config_file), where)
    if model == "no-model":
        embedder = NoModel(embedder)
    with ChildPeaks().watching() as children:
        report = open_index(embedder=embedder).ingestor().run([Path(folder)], progress=watch)
    # the backend the ingest embedded with (measured by it: asking again measures nothing)
    backend = embedder.document_choice().summary() if isinstance(embedder, FastEmbedder) else model
    return {
        "backend": backend,
        "files": len(report.added),
        "chunks": report.chunks,
        "seconds": round(report.seconds, 1),
        "rss_mb_by_files_done": trail,
        "end_rss_mb": current_mb(),
        "children_peak_rss_mb_by_kind": children.peaks,
    }


def child_chat(questions: int) -> dict[str, Any]:
    """`margin chat` as a person runs it (the Textual app building its own Assistant),
    headless under Textual's pilot: the questions typed in and answered one after another."""
    import asyncio

    from textual.widgets import Input

    from assistant.core import build_assistant
    from tui.app import MarginApp
    from tui.widgets.chat_log import ChatLog

    modes: list[str] = []  # how each was answered: "model" means SmolLM2 wrote it

    async def session() -> int:
        app = MarginApp(build_assistant)
        answered = 0
        async with app.run_test() as pilot:
            await pilot.app.workers.wait_for_complete()
            for question in golden_questions()[:questions]:
                field = app.query_one("#question", Input)
                field.focus()
                field.value = question
                await pilot.press("enter")
                await pilot.pause()
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                last = app.query_one(ChatLog).last
                answer = last.answer if last is not None else None
                answered += answer is not None and not answer.refused
                modes.append(answer.mode if answer is not None else "none")
        return answered

    answered = asyncio.run(session())
    return {"questions": questions, "answered": answered, "modes": modes}


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
            stdout=subprocess.PIPE,  # the result; stderr (progress, notes) passes through
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_main(case: str, args: Sequence[str]) -> None:
    if case == "ingest":
        figures = child_ingest(*args)
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
    parser.add_argument("--questions", type=int, default=2)
    parser.add_argument("--case", choices=["ingest", "chat"], action="append")
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout to measure")
    parser.add_argument(
        "--home",
        type=Path,
        help="a MARGIN_HOME each case starts from, copied (e.g. one with the ONNX export "
        "cached, so no first-use setup runs); default: an empty one",
    )
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="ingest with a constant vector per chunk: what grows apart from the model",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child[0], args.child[1:])
        return
    cases = args.case or ["ingest", "chat"]
    if "ingest" in cases:
        with fresh_home(args.home) as home:
            ingest_case(args.files, args.tree.resolve(), home, no_model=args.no_model)
    if "chat" in cases:
        with fresh_home(args.home) as home:
            chat_case(args.questions, args.tree.resolve(), home)


@contextmanager
def fresh_home(template: Path | None) -> Iterator[Path]:
    """An empty MARGIN_HOME, or a copy of `template`; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="margin-bench-memory-") as scratch:
        home = Path(scratch) / "home"
        if template is None:
            home.mkdir()
        else:
            shutil.copytree(template, home)
        yield home


def ingest_case(files: int, tree: Path, home: Path, *, no_model: bool = False) -> None:
    model = "no-model" if no_model else "model"
    with tempfile.TemporaryDirectory(prefix="margin-bench-files-") as folder:
        written = write_small_files(Path(folder), files)
        note(f"{BENCH}: ingesting {written} small files cut from {SOURCES} ({model})")
        ingest = run_child("ingest", folder, model, home=str(home), tree=tree)
    bare = run_child("bare_embedder")
    emit(
        BENCH,
        case="ingest_small_files" + ("_no_model" if no_model else ""),
        tree=str(tree),
        target_mb=TARGET_MB["ingest"],
        **ingest,
        bare_embedder_peak_rss_mb=bare["peak_rss_mb"],
    )


def chat_case(questions: int, tree: Path, home: Path) -> None:
    note(f"{BENCH}: chat session (the TUI, headless), {questions} questions, bundled model")
    # "auto" would quote the docs' own sentences for most questions and never load the
    # model; the figure wanted is a session where SmolLM2 writes every answer.
    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "config.toml").write_text('[ask]\nmode = "generate"\n', encoding="utf-8")
    run_child("ingest", str(DOCS), home=str(home), tree=tree)
    chat = run_child("chat", str(questions), home=str(home), tree=tree)
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
