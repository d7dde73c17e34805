"""The ONNX export of the bundled model against torch, for real: vectors, tokens, one store
shared by both backends, and every way the cache can go wrong falling back to torch."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from ingest.backend_setup import BackendSetup
from ingest.chunking import chunk_document, embedding_text
from ingest.embedder import (
    SentenceTransformerEmbedder,
    load_bundled_embedder,
    ready_for_documents,
)
from ingest.fakes import RecordingEmbedder
from ingest.fast_embedder import FastEmbedder
from ingest.loaders import load_document
from ingest.onnx_cache import (
    MANIFEST,
    MIN_COSINE,
    MODEL_FILE,
    PROBES,
    ExportDamaged,
    ExportRefused,
    ModelFiles,
    OnnxCache,
    cosines,
)
from ingest.onnx_encoder import model_tokenizer
from ingest.onnx_export import exportable
from ingest.store import ChunkStore
from ingest.types import DocumentMeta
from tests.fixtures.ingest import copy_cache

# Real text nobody here wrote: licences every Debian system ships (base-files).
LICENCES = [Path("/usr/share/common-licenses") / name for name in ("GPL-3", "Apache-2.0")]
DOCS = Path(__file__).resolve().parents[2] / "docs"
QUERIES = (
    "What may I do if I receive a copy of the program?",
    "patent licence termination",
    "Where does margin keep API keys?",
    "How much may one answer cost?",
)


def real_chunks(embedder: SentenceTransformerEmbedder, paths: list[Path]) -> list[str]:
    """The texts margin embeds for these files: chunks with their title and heading path."""
    return [
        embedding_text(chunk)
        for path in paths
        for chunk in chunk_document(
            load_document(path), path.name, embedder, chunk_tokens=200, overlap_tokens=32
        )
    ]


def onnx_cache(folder: Path, embedder: SentenceTransformerEmbedder) -> OnnxCache:
    files = ModelFiles(embedder.model_dir, embedder.model_id, embedder.max_tokens, embedder.dim)
    return OnnxCache(folder / "onnx", files)


def test_onnx_vectors_match_torch_on_real_text(
    fast_embedder: FastEmbedder, embedder: SentenceTransformerEmbedder
) -> None:
    texts = real_chunks(embedder, LICENCES) + list(QUERIES)
    encoder = fast_embedder.onnx_encoder()
    assert encoder is not None and len(texts) > 60
    agreement = cosines(encoder.encode(texts), embedder.encode(texts, "fp32"))
    assert agreement.min() >= MIN_COSINE
    single = fast_embedder.embed_query(QUERIES[0])
    assert float(single @ embedder.embed_query(QUERIES[0])) >= MIN_COSINE
    assert single.dtype == np.float32 and abs(float(np.linalg.norm(single)) - 1.0) < 1e-5


def test_tokens_are_those_sentence_transformers_feeds_the_model(
    embedder: SentenceTransformerEmbedder,
) -> None:
    tokenizer = model_tokenizer(embedder.model_dir / "tokenizer.json", embedder.max_tokens)
    texts = [*PROBES, "\x00\x01 control", "a\u200bb", "x" * 3000, "word " * 400]
    expected = embedder.loaded_model().tokenize(texts)
    for row, text in enumerate(texts):
        wanted = [
            int(i)
            for i, m in zip(
                expected["input_ids"][row], expected["attention_mask"][row], strict=True
            )
            if m
        ]
        assert tokenizer.encode(text).ids == wanted, text[:40]
    assert len(tokenizer.encode("word " * 400).ids) == embedder.max_tokens == 256


def test_a_store_built_by_one_backend_answers_queries_embedded_by_the_other(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    by_torch = FastEmbedder(embedder, embedding_cache, setting="torch")
    by_onnx = FastEmbedder(embedder, embedding_cache, setting="onnx")
    texts = real_chunks(embedder, [*LICENCES, DOCS / "models.md", DOCS / "budgets.md"])
    rankings = {}
    for stored_by, store_name in ((by_torch, "torch"), (by_onnx, "onnx")):
        store = ChunkStore(
            tmp_path / store_name,
            model_id=stored_by.model_id,
            dim=stored_by.dim,
            lock_path=tmp_path / f"{store_name}.lock",
        )
        store_texts(store, texts, stored_by.embed_documents(texts))
        for query_by, query_name in ((by_torch, "torch"), (by_onnx, "onnx")):
            rankings[store_name, query_name] = [
                [c.ordinal for c in store.vector_search(query_by.embed_query(q), 5)]
                for q in QUERIES
            ]
    reference = rankings["torch", "torch"]
    assert all(ranking == reference for ranking in rankings.values()), rankings
    assert by_torch.model_id == by_onnx.model_id


def store_texts(store: ChunkStore, texts: list[str], vectors: np.ndarray) -> None:
    from ingest.store import DocumentWrite
    from ingest.types import Chunk

    meta = DocumentMeta("/corpus/all.txt", "default", False, 1, 1, "hash", "/corpus")
    chunks = [Chunk(text=text, ordinal=number) for number, text in enumerate(texts)]
    store.replace_documents([DocumentWrite(meta, chunks, vectors)])


@pytest.mark.timeout(900)  # the export runs in a process of its own, which loads torch
def test_a_truncated_export_is_rebuilt_with_a_message(
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
    embedding_cache: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = copy_cache(embedding_cache, tmp_path / "cache")
    exports = onnx_cache(cache, embedder)
    model_file = exports.entry / MODEL_FILE
    model_file.write_bytes(model_file.read_bytes()[:1000])
    with pytest.raises(ExportDamaged, match="changed after it was checked"):
        exports.load()
    fast = FastEmbedder(embedder, cache, setting="auto")
    with caplog.at_level(logging.WARNING):
        vector = fast.embed_query(QUERIES[0])
    assert "exporting the embedding model to ONNX again" in caplog.text
    assert float(vector @ embedder.embed_query(QUERIES[0])) >= MIN_COSINE
    assert exports.load() is not None  # the rebuilt file is verified and usable


def test_a_copied_export_with_a_new_time_is_used_and_a_changed_one_is_not(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    # `cp -r` of the data folder, or a restored backup: the same bytes under a new time
    cache = copy_cache(embedding_cache, tmp_path / "cache")
    exports = onnx_cache(cache, embedder)
    model_file = exports.entry / MODEL_FILE
    later = model_file.stat().st_mtime_ns + 10**9
    os.utime(model_file, ns=(later, later))
    assert exports.load() is not None
    assert exports.manifest()["model_file"]["mtime_ns"] == later  # compared by time again
    # the same size, other bytes, a new time: not the file that was checked
    data = bytearray(model_file.read_bytes())
    data[-1] ^= 0xFF
    model_file.write_bytes(bytes(data))
    with pytest.raises(ExportDamaged, match="changed after it was checked"):
        exports.load()


@pytest.mark.parametrize(
    "damage",
    [
        lambda manifest: "{ not json",
        lambda manifest: json.dumps({**manifest, "format": 99}),
        lambda manifest: json.dumps(
            {
                **manifest,
                "check": {
                    "texts": manifest["check"]["texts"],
                    "vectors": (-np.asarray(manifest["check"]["vectors"])).tolist(),
                },
            }
        ),
        lambda manifest: json.dumps({k: v for k, v in manifest.items() if k != "model_file"}),
    ],
    ids=["not-json", "unknown-format", "vectors-changed", "incomplete"],
)
def test_a_damaged_manifest_is_never_trusted(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path, damage: object
) -> None:
    cache = copy_cache(embedding_cache, tmp_path / "cache")
    exports = onnx_cache(cache, embedder)
    path = exports.entry / MANIFEST
    path.write_text(damage(json.loads(path.read_text())))  # type: ignore[operator]
    with pytest.raises(ExportDamaged):
        exports.load()


@pytest.mark.timeout(900)  # the export runs in a process of its own, which loads torch
def test_an_unwritable_data_folder_falls_back_to_torch_with_a_message(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("the data folder cannot hold anything here")
    fast = FastEmbedder(embedder, blocker / "embedding", setting="auto")
    with caplog.at_level(logging.WARNING):
        vector = fast.embed_query(QUERIES[1])
        vectors = fast.embed_documents(list(QUERIES))
    assert "exporting the embedding model to ONNX, once" in caplog.text
    assert "embedding with torch instead of ONNX Runtime" in caplog.text
    assert "cannot be saved" in caplog.text
    assert caplog.text.count("embedding with torch instead") == 1  # said once, not per text
    assert float(vector @ embedder.embed_query(QUERIES[1])) >= MIN_COSINE
    assert vectors.shape == (len(QUERIES), embedder.dim)
    assert fast.document_backend() == "torch"


def test_a_mismatch_is_recorded_and_means_torch_and_a_problem_in_doctor(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    exports = onnx_cache(cache, embedder)

    def wrong_reference(texts: object) -> np.ndarray:
        vectors = embedder.encode(list(PROBES), "fp32")
        return np.roll(vectors, 1, axis=0)  # each probe compared with another's vector

    with pytest.raises(ExportRefused, match="differs from torch"):
        exports.build(embedder.loaded_model(), wrong_reference)
    assert not (exports.entry / MODEL_FILE).exists()  # 90 MB not kept for nothing
    assert json.loads((exports.entry / MANIFEST).read_text())["status"] == "mismatch"

    fast = FastEmbedder(embedder, cache, setting="auto")
    with caplog.at_level(logging.WARNING):
        vector = fast.embed_query(QUERIES[2])
    assert "differs from torch" in caplog.text
    assert float(vector @ embedder.embed_query(QUERIES[2])) >= MIN_COSINE
    status = fast.status()
    assert status.queries == "torch" and "differs from torch" in status.problem
    assert not (exports.entry / MODEL_FILE).exists()  # not exported again on every run


def test_a_model_not_pooled_by_mean_is_not_exported(tmp_path: Path) -> None:
    model = tmp_path / "cls-model"
    (model / "1_Pooling").mkdir(parents=True)
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
        {
            "idx": 2,
            "name": "2",
            "path": "2_Normalize",
            "type": "sentence_transformers.models.Normalize",
        },
    ]
    (model / "modules.json").write_text(json.dumps(modules))
    (model / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    assert "pooling_mode_cls_token" in (exportable(model) or "")
    (model / "modules.json").write_text(json.dumps(modules[:2]))
    assert "Transformer, Pooling" in (exportable(model) or "")
    (model / "modules.json").write_text("[")
    assert "cannot be read" in (exportable(model) or "")


SEARCH_PROBE = """
import json, sys
from click.testing import CliRunner
from assistant.cli import cli
result = CliRunner().invoke(cli, ["search", "Where does margin keep API keys?", "--json"])
loaded = [name for name in ("torch", "sentence_transformers", "transformers",
          "lance_namespace_urllib3_client.api", "onnxruntime") if name in sys.modules]
print(json.dumps({"code": result.exit_code, "out": result.output, "loaded": loaded}))
"""


def test_a_search_in_a_fresh_process_needs_neither_torch_nor_the_rest_client(
    fast_embedder: FastEmbedder, seeded_embedding_cache: Path
) -> None:
    import subprocess
    import sys

    from assistant.core import open_index

    index = open_index(embedder=fast_embedder)
    report = index.ingestor().run([DOCS / "models.md", DOCS / "budgets.md"])
    assert len(report.added) == 2
    done = subprocess.run(
        [sys.executable, "-c", SEARCH_PROBE],
        cwd=DOCS.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(done.stdout)
    assert probe["code"] == 0, probe["out"]
    results = json.loads(probe["out"])["results"]
    assert Path(results[0]["path"]).name == "models.md"
    assert probe["loaded"] == ["onnxruntime"], done.stderr


def test_a_deleted_export_is_damage_not_a_crash(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    cache = copy_cache(embedding_cache, tmp_path / "cache")
    exports = onnx_cache(cache, embedder)
    (exports.entry / MODEL_FILE).unlink()
    with pytest.raises(ExportDamaged, match="incomplete"):
        exports.load()


def test_the_cli_says_why_it_searches_with_torch_and_still_answers(
    fast_embedder: FastEmbedder, seeded_embedding_cache: Path
) -> None:
    """A real `margin search` process over an export recorded as a mismatch: one message on
    stderr, the results as usual on stdout, no traceback."""
    import os
    import subprocess
    import sys

    from assistant.core import open_index

    open_index(embedder=fast_embedder).ingestor().run([DOCS / "models.md"])
    (manifest,) = seeded_embedding_cache.glob("onnx/*/manifest.json")
    recorded = json.loads(manifest.read_text())
    manifest.unlink()  # a hard link to the session's copy: replace it, never write through it
    detail = "the ONNX export differs from torch (cosine 0.981234 < 0.9999 on the probe texts)"
    manifest.write_text(json.dumps({**recorded, "status": "mismatch", "detail": detail}))
    margin = Path(sys.executable).with_name("margin")
    done = subprocess.run(
        [str(margin), "search", "Where does margin keep API keys?", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert Path(json.loads(done.stdout)["results"][0]["path"]).name == "models.md"
    assert "embedding with torch instead of ONNX Runtime" in done.stderr
    assert "0.981234" in done.stderr and "Traceback" not in done.stderr


FIRST_INGEST_PROBE = """
import json, subprocess, sys
from pathlib import Path
import ingest.backend_setup
from assistant.core import open_index
TORCH = ("torch", "sentence_transformers", "transformers")
setups, after_setup = [], []
def counted(command, **kwargs):
    setups.append(json.loads(kwargs["input"])["task"])
    done = subprocess.run(command, **kwargs)
    after_setup.extend(name for name in TORCH if name in sys.modules)
    return done
ingest.backend_setup.subprocess = type("Counted", (), {"run": staticmethod(counted)})
index = open_index()
report = index.ingestor().run([Path(sys.argv[1])])
fast = index.embedder
vectors = fast.embed_documents(["A sentence embedded after the run, with the same backend."])
print(json.dumps({
    "added": len(report.added), "chunks": report.chunks,
    "backend": fast.document_backend(), "onnx_ready": fast.onnx_encoder() is not None,
    "norm": float((vectors[0] ** 2).sum()), "setups": setups, "after_setup": after_setup,
    "loaded": [name for name in TORCH if name in sys.modules],
}))
"""


@pytest.mark.timeout(900)  # the export runs in a process of its own, which loads torch
def test_a_first_ingest_exports_and_measures_without_torch_in_its_own_process(
    margin_home: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """The first ingest on a machine (no export, no measured backend) does the export and
    the measurement in one child process: the ingesting process does not import torch for
    them (nor at all when ONNX is measured fastest), yet the export is verified and cached,
    the choice recorded, and documents embed on the chosen backend."""
    import subprocess
    import sys

    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("index.md", "budgets.md"):
        (folder / name).write_bytes((DOCS / name).read_bytes())
    done = subprocess.run(
        [sys.executable, "-c", FIRST_INGEST_PROBE, str(folder)],
        cwd=DOCS.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["setups"] == ["export"], "one setup process exports and measures"
    assert probe["after_setup"] == [], "torch entered the ingest process for the setup"
    # Documents embed on the backend measured fastest; on a busy machine that can be torch.
    if probe["backend"] == "onnx":
        assert probe["loaded"] == [], "torch entered the ingest process"
    assert probe["added"] == 2 and probe["chunks"] > 0
    assert probe["onnx_ready"] and abs(probe["norm"] - 1.0) < 1e-4
    assert "exporting the embedding model to ONNX, once" in done.stderr
    cache = margin_home / "data" / "cache" / "embedding"
    (manifest,) = cache.glob("onnx/*/manifest.json")
    assert json.loads(manifest.read_text())["status"] == "verified"
    choice = json.loads((cache / "backend.json").read_text())
    assert {trial["backend"] for trial in choice["trials"]} >= {"torch", "onnx"}
    assert probe["backend"] == choice["backend"]


# A stand-in for `python -m ingest.backend_setup` that puts a verified export back in place
# (from argv[1]) the way the real one writes it, then says what argv[2] asks for.
SCRIPTED_SETUP = """
import json, shutil, sys
request = json.loads(sys.stdin.read())
runs = __import__("pathlib").Path(sys.argv[3])
runs.write_text(runs.read_text() + request["task"] + ",")
shutil.copytree(sys.argv[1], sys.argv[4])
print(json.dumps({"fallback": None}), flush=True)
if sys.argv[2] == "die-measuring":
    print("Killed while measuring", file=sys.stderr)
    sys.exit(137)
backend = sys.argv[2].removeprefix("measure-") if sys.argv[2] != "measure" else "onnx"
trial = {"backend": backend, "texts": 3, "seconds": 0.5, "min_cosine": 1.0}
print(json.dumps({"choice": {"backend": backend, "trials": [trial], "measured_at": "now"}}))
"""


def scripted_first_ingest(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path, ending: str
) -> tuple[FastEmbedder, Path, Path]:
    """A data folder with no export and no measured backend, whose setup process is
    SCRIPTED_SETUP; the file that counts the setup processes started."""
    cache = copy_cache(embedding_cache, tmp_path / "cache")
    (cache / "backend.json").unlink()
    fast = FastEmbedder(embedder, cache, setting="auto")
    saved = tmp_path / "export"
    fast.exports.entry.rename(saved)
    runs = tmp_path / "runs"
    runs.write_text("")
    command = [sys.executable, "-c", SCRIPTED_SETUP, str(saved), ending, str(runs)]
    fast.setup = BackendSetup(embedder, cache, command=[*command, str(fast.exports.entry)])
    return fast, cache, runs


def test_a_first_ingest_starts_one_setup_process_that_exports_and_measures(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    fast, cache, runs = scripted_first_ingest(tmp_path, embedder, embedding_cache, "measure")
    vectors = fast.embed_documents(list(QUERIES))
    assert runs.read_text() == "export,"  # not a second process to measure
    assert fast.document_choice().trials[0].seconds == 0.5  # the process's measurement
    assert json.loads((cache / "backend.json").read_text())["backend"] == "onnx"
    assert fast.onnx_encoder() is not None
    assert float(np.min(np.sum(vectors * embedder.embed_documents(list(QUERIES)), axis=1))) >= (
        MIN_COSINE
    )


def test_a_first_ingest_that_embeds_with_torch_keeps_no_onnx_session_beside_it(
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
    embedding_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, cache, _ = scripted_first_ingest(tmp_path, embedder, embedding_cache, "measure-torch")
    sessions: list[object] = []
    load = fast.exports.load

    def opened(**options: int) -> object:
        sessions.append(load(**options))
        return sessions[-1]

    monkeypatch.setattr(fast.exports, "load", opened)
    vectors = fast.embed_documents(list(QUERIES))
    assert json.loads((cache / "backend.json").read_text())["backend"] == "torch"
    assert len(sessions) == 1  # opened once, to check the export
    assert fast.onnx_encoder() is not None  # a query opens it again: the first one went
    assert len(sessions) == 2 and sessions[1] is not sessions[0]
    assert np.allclose(fast.embed_queries(list(QUERIES)), vectors, atol=1e-3)


def test_a_setup_process_that_dies_measuring_leaves_its_export_in_use(
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
    embedding_cache: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fast, cache, runs = scripted_first_ingest(tmp_path, embedder, embedding_cache, "die-measuring")
    with caplog.at_level(logging.WARNING):
        backend = fast.document_backend(QUERIES)
        vectors = fast.embed_documents(list(QUERIES))
    assert backend == "onnx" and fast.onnx_encoder() is not None  # the export it verified
    assert "the embedding backends could not be measured" in caplog.text
    assert "code 137 (Killed while measuring)" in caplog.text
    assert "embedding with torch instead" not in caplog.text
    assert runs.read_text() == "export,"
    assert not (cache / "backend.json").exists()  # measured again by the next run
    assert vectors.shape == (len(QUERIES), embedder.dim)


def opened_early(fast: FastEmbedder) -> list[str]:
    """Start `open_query_encoder_early` and wait for its thread; the threads that loaded the
    export, by name."""
    loaded_by: list[str] = []
    load = fast.exports.load

    def counted_load(**kwargs: int) -> object:
        loaded_by.append(threading.current_thread().name)
        return load(**kwargs)

    fast.exports.load = counted_load  # type: ignore[method-assign]
    fast.open_query_encoder_early()
    for thread in threading.enumerate():
        if thread.name == "onnx-open":
            thread.join()
    return loaded_by


def test_the_query_encoder_opens_on_its_own_thread_while_the_store_opens(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    fast = FastEmbedder(embedder, copy_cache(embedding_cache, tmp_path / "cache"))
    loaded_by = opened_early(fast)
    assert loaded_by == ["onnx-open"]
    vector = fast.embed_query(QUERIES[0])
    assert loaded_by == ["onnx-open"]  # no second load: the thread's encoder answered
    assert float(vector @ embedder.embed_query(QUERIES[0])) >= MIN_COSINE


def test_opening_early_never_exports_a_missing_model_behind_the_query(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    fast, _, runs = scripted_first_ingest(tmp_path, embedder, embedding_cache, "measure")
    assert opened_early(fast) == ["onnx-open"]  # tried, found no export, left it
    assert runs.read_text() == ""  # no setup process started in the background
    fast.embed_query(QUERIES[0])
    assert runs.read_text() == "export,"  # the query itself exports, as before
    assert fast.onnx_encoder() is not None


def test_torch_set_for_queries_opens_nothing_early(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, embedding_cache: Path
) -> None:
    fast = FastEmbedder(embedder, copy_cache(embedding_cache, tmp_path / "cache"), setting="torch")
    assert opened_early(fast) == []


IMPORTS_ON_THE_OPENING_THREAD = """
import builtins, json, sys, threading
from pathlib import Path
from ingest.embedder import load_bundled_embedder
from ingest.fast_embedder import FastEmbedder

fast = FastEmbedder(load_bundled_embedder(), Path(sys.argv[1]), setting="auto")
imported = []
plain_import = builtins.__import__

def watched_import(name, globals=None, locals=None, fromlist=(), level=0):
    if threading.current_thread().name == "onnx-open" and level == 0 and name not in sys.modules:
        imported.append(name)
    return plain_import(name, globals, locals, fromlist, level)

builtins.__import__ = watched_import
fast.open_query_encoder_early()
for thread in threading.enumerate():
    if thread.name == "onnx-open":
        thread.join()
print(json.dumps({"imported": imported, "opened": fast._onnx is not None}))
"""


def test_the_opening_thread_imports_nothing_while_the_caller_imports_the_store(
    tmp_path: Path, embedding_cache: Path
) -> None:
    """In a fresh process: numpy, onnxruntime and tokenizers are imported before the thread
    starts, so it never imports alongside the caller's `import lancedb` (two threads
    importing numpy at once saw it half initialised)."""
    import subprocess

    cache = copy_cache(embedding_cache, tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_ON_THE_OPENING_THREAD, str(cache)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported": [], "opened": True}


def test_onnx_runtime_is_closed_before_torch_is_timed(
    tmp_path: Path,
    embedder: SentenceTransformerEmbedder,
    embedding_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its memory arena, kept beside torch's working set, set the setup process's peak."""
    import weakref

    from ingest.backend_setup import measure_choice

    exports = onnx_cache(copy_cache(embedding_cache, tmp_path / "cache"), embedder)
    opened: list[weakref.ref[object]] = []
    load, encode = exports.load, embedder.encode

    def tracked_load(**kwargs: int) -> object:
        encoder = load(**kwargs)
        opened.append(weakref.ref(encoder))
        return encoder

    sessions_alive: list[int] = []

    def watched_encode(texts: list[str], precision: str) -> np.ndarray:
        sessions_alive.append(sum(ref() is not None for ref in opened))
        return encode(texts, precision)  # type: ignore[arg-type]

    monkeypatch.setattr(exports, "load", tracked_load)
    monkeypatch.setattr(embedder, "encode", watched_encode)
    choice = measure_choice(embedder, exports, list(QUERIES))
    assert len(opened) == 1 and {t.backend for t in choice.trials} >= {"torch", "onnx"}
    assert sessions_alive and set(sessions_alive) == {0}
    assert min(t.min_cosine for t in choice.trials if t.backend == "onnx") >= MIN_COSINE


def test_each_embedder_says_whether_documents_wait_for_a_model_to_load(
    embedding_cache: Path,
) -> None:
    """What an ingest's progress calls "loading the embedding model": until the first
    documents are embedded, the backend choice and the backend itself are loaded first."""
    fresh = load_bundled_embedder()
    assert not ready_for_documents(fresh)
    fresh.embed_documents(["Sea otters hold hands while they sleep."])
    assert ready_for_documents(fresh)
    fast = FastEmbedder(fresh, embedding_cache, setting="auto")
    assert not ready_for_documents(fast)  # the recorded choice is read, and ONNX opened
    fast.embed_documents(["Sea otters hold hands while they sleep."])
    assert ready_for_documents(fast)
    assert ready_for_documents(FastEmbedder(fresh, embedding_cache, setting="torch"))
    assert not ready_for_documents(FastEmbedder(fresh, embedding_cache, setting="onnx"))
    assert ready_for_documents(RecordingEmbedder(fast))
