"""The ingest run end to end on real LanceDB (fake embedder): reports, incremental, recovery."""

from __future__ import annotations

import gzip
import itertools
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ingest.errors import StoreBusyError
from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor, IngestProgress
from ingest.store import ChunkStore
from ingest.types import Chunk, DocumentMeta
from tests.fixtures.ingest import sample_text, write_files, write_pdf

OpenStore = Callable[..., ChunkStore]
REPO = Path(__file__).resolve().parents[2]


def _folder(root: Path) -> Path:
    write_files(
        root,
        {
            "notes/guide.md": "# Guide\n\n" + sample_text("the guide", 30),
            "notes/todo.txt": "buy milk\nfix the bike\n",
            "notes/page.html": "<h1>Page</h1><p>Some web text.</p>",
            "notes/.git/config": "[core]",
            "notes/node_modules/x/index.js": "module.exports = 1",
            "notes/blob.bin": b"\x00\x01\x02" * 50,
            "notes/data.txt": b"\x00binary\x00" * 20,
            "notes/résumé.md": "# CV\n\nExperience with otters.",
        },
    )
    write_pdf(root / "notes" / "paper.pdf", ["Page one text.", "Page two text."])
    write_pdf(root / "notes" / "locked.pdf", ["secret"], user_password="pw", algorithm="AES-256")
    return root / "notes"


def test_a_devhelp_index_is_skipped_and_the_pages_it_lists_are_read(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    # gtk-doc's index of a library's pages: each function's name and link, found before the
    # function's own entry
    index = (
        '<?xml version="1.0"?>\n<book xmlns="http://www.devhelp.net/book" name="otter">\n'
        '<functions><keyword type="function" name="otter_swim ()" link="api.html#otter-swim"/>'
        "</functions></book>\n"
    )
    page = "<html><body><h2 id='otter-swim'>otter_swim ()</h2><p>Swims.</p></body></html>"
    docs = write_files(tmp_path / "docs", {"otter.devhelp2": index, "api.html": page})
    report = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions()).run([docs])
    assert [Path(p).name for p in report.added] == ["api.html"]
    [skipped] = report.skipped
    assert Path(skipped.path).name == "otter.devhelp2"
    assert (
        skipped.reason == "an index of the pages beside it (Devhelp's), which are read themselves"
    )


def test_a_file_indexed_before_it_was_skipped_by_name_leaves_the_index(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    docs = write_files(tmp_path / "docs", {"otter.devhelp2": "<book/>", "api.md": "# Otters"})
    store = open_store(fake_embedder)
    index = str((docs / "otter.devhelp2").resolve())
    text = "<keyword name='otter_swim ()'/>"  # as a release that read the index stored it
    meta = DocumentMeta(index, "default", False, 7, 1, "old", str(docs.resolve()))
    store.replace_document(meta, [Chunk(text, 0)], fake_embedder.embed_documents([text]))
    report = Ingestor(store, fake_embedder, IngestOptions()).run([docs])
    assert report.removed == [index]
    assert [Path(p.path).name for p in report.skipped] == ["otter.devhelp2"]
    assert {c.path for c in store.vector_search(fake_embedder.embed_query("otter"), 5)} == {
        str((docs / "api.md").resolve())
    }


def test_first_run_reports_every_file(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    notes = _folder(tmp_path)
    store = open_store(fake_embedder)
    events: list[IngestProgress] = []
    report = Ingestor(store, fake_embedder, IngestOptions()).run([notes], progress=events.append)
    names = lambda paths: sorted(Path(p).name for p in paths)  # noqa: E731
    assert names(report.added) == ["guide.md", "page.html", "paper.pdf", "résumé.md", "todo.txt"]
    assert names(p.path for p in report.failed) == ["locked.pdf"]
    assert "password" in report.failed[0].reason
    assert names(p.path for p in report.skipped) == ["blob.bin", "data.txt"]
    assert report.chunks == store.chunk_count() > 5
    assert events[-1].files_done == events[-1].files_total == 8
    assert events[-1].chunks_done == events[-1].chunks_stored == report.chunks
    pages = {c.page for c in store.vector_search(fake_embedder.embed_query("page text"), 20)}
    assert {1, 2} <= pages


def test_second_run_skips_unchanged_without_embedding(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    notes = _folder(tmp_path)
    ingestor = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions())
    first = ingestor.run([notes])
    fake_embedder.calls.clear()
    os.utime(notes / "todo.txt")  # touched, same content: a hash, no embedding
    again = ingestor.run([notes])
    assert fake_embedder.calls == []
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.added == again.updated == again.removed == []

    (notes / "guide.md").write_text("# Guide\n\nRewritten completely.")
    (notes / "todo.txt").unlink()
    (notes / "new.md").write_text("# New\n\nA new file.")
    third = ingestor.run([notes])
    assert [Path(p).name for p in third.updated] == ["guide.md"]
    assert [Path(p).name for p in third.removed] == ["todo.txt"]
    assert [Path(p).name for p in third.added] == ["new.md"]
    assert sum(fake_embedder.calls) == third.chunks == 2
    docs = {Path(d.path).name: d.chunks for d in ingestor.store.documents()}
    assert docs["guide.md"] == 1 and "todo.txt" not in docs


def test_size_limit_collections_and_forget(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    write_files(tmp_path / "d", {"small.md": "tiny", "large.md": "x " * 600})
    ingestor = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions(max_bytes=1000))
    report = ingestor.run([tmp_path / "d"], collection="private", local_only=True)
    assert [Path(p.path).name for p in report.skipped] == ["large.md"]
    assert "size limit" in report.skipped[0].reason
    [doc] = ingestor.store.documents()
    assert (doc.collection, doc.local_only) == ("private", True)
    again = ingestor.run([tmp_path / "d"])  # without --local-only: stays private, says so
    assert again.updated == [] and [k.path for k in again.kept] == [doc.path]
    assert ingestor.forget([tmp_path / "d"]) == [doc.path]
    assert ingestor.store.documents() == []


def test_reindex_re_embeds_with_the_new_model(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    notes = _folder(tmp_path)
    first = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions()).run([notes])
    other = HashingEmbedder(dim=32, model_id="fake/other", max_tokens=256)
    store = open_store(other, check_model=False)
    report = Ingestor(store, other, IngestOptions()).reindex()
    assert sorted(report.added) == sorted(first.added)
    assert store.stored_model_id() == "fake/other"
    assert open_store(other).chunk_count() == first.chunks


def test_an_interrupted_reindex_resumes_from_its_saved_plan(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    notes = _folder(tmp_path)
    store = open_store(fake_embedder)
    first = Ingestor(store, fake_embedder, IngestOptions()).run([notes])
    store.save_reindex_plan(store.documents())
    store.reset()  # the re-index stopped right after emptying the store
    assert store.documents() == []
    resumed = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions()).reindex()
    assert sorted(resumed.added) == sorted(first.added)
    assert store.reindex_plan() is None
    assert {d.root for d in store.documents()} == {str(notes)}


_KILLABLE_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ingest.fakes import HashingEmbedder
    from ingest.pipeline import IngestOptions, Ingestor
    from ingest.store import ChunkStore

    class SlowEmbedder(HashingEmbedder):
        def embed_documents(self, texts):
            time.sleep(0.05)
            return super().embed_documents(texts)

    home, folder = Path(sys.argv[1]), sys.argv[2]
    model = SlowEmbedder(dim=64, max_tokens=256)
    store = ChunkStore(home / "store", model_id=model.model_id, dim=model.dim,
                       lock_path=home / "run" / "ingest.lock")
    def tell(event):
        print(event.files_done, event.chunks_stored, flush=True)
    Ingestor(store, model, IngestOptions(commit_chunks=4)).run([folder], progress=tell)
    print("done", flush=True)
    """
)


def _start_ingest(home: Path, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _KILLABLE_RUN, str(home), str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def _wait_for_chunks(process: subprocess.Popen[str], wanted: int) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("done"):
            pytest.fail("the ingest finished before it could be interrupted")
        if int(line.split()[1]) >= wanted:
            return
    pytest.fail("the ingest stopped without output")


def _many_files(root: Path) -> Path:
    files = {f"f{i:02}.md": f"# File {i}\n\n" + sample_text(f"topic {i}", 12) for i in range(40)}
    return write_files(root, files)


def test_kill_9_mid_ingest_then_rerun_equals_a_clean_run(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    folder = _many_files(tmp_path / "docs")
    killed_home = tmp_path / "killed"
    process = _start_ingest(killed_home, folder)
    _wait_for_chunks(process, 8)
    process.kill()
    process.wait()

    def open_at(home: Path) -> ChunkStore:
        return ChunkStore(
            home / "store",
            model_id=fake_embedder.model_id,
            dim=fake_embedder.dim,
            lock_path=home / "run" / "ingest.lock",
        )

    interrupted = open_at(killed_home)
    kept = len(interrupted.documents())
    assert 0 < kept < 40
    resumed = Ingestor(interrupted, fake_embedder, IngestOptions()).run([folder])
    assert len(resumed.unchanged) == kept
    clean = open_at(tmp_path / "clean")
    Ingestor(clean, fake_embedder, IngestOptions()).run([folder])
    after_kill = open_at(killed_home)
    assert [(d.path, d.chunks, d.content_hash) for d in after_kill.documents()] == [
        (d.path, d.chunks, d.content_hash) for d in clean.documents()
    ]
    assert after_kill.chunk_count() == clean.chunk_count()
    assert after_kill._chunks.count_rows() == clean._chunks.count_rows()  # no orphan rows


def test_a_concurrent_second_ingest_is_refused_and_search_keeps_working(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    folder = _many_files(tmp_path / "docs")
    home = tmp_path / "home"
    process = _start_ingest(home, folder)
    try:
        _wait_for_chunks(process, 4)
        store = ChunkStore(
            home / "store",
            model_id=fake_embedder.model_id,
            dim=fake_embedder.dim,
            lock_path=home / "run" / "ingest.lock",
            lock_timeout_s=0.3,
        )
        with pytest.raises(StoreBusyError, match="Wait for it to finish"):
            Ingestor(store, fake_embedder, IngestOptions()).run([folder])
        assert store.vector_search(fake_embedder.embed_query("topic"), 3)
    finally:
        process.kill()
        process.wait()


def test_a_large_pdf_reports_its_pages_as_the_worker_reads_them(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    """Debian's bash manual (87 pages): the extraction worker says how far it is, so
    the bytes done move while the one file is read, and never go back."""
    manual = Path("/usr/share/doc/bash/bash.pdf")
    if not manual.exists():
        pytest.skip("bash-doc is not installed")
    folder = tmp_path / "manuals"
    folder.mkdir()
    (folder / "bash.pdf").write_bytes(manual.read_bytes())
    (folder / "notes.txt").write_text(sample_text("shell notes", 20), encoding="utf-8")
    events: list[IngestProgress] = []
    store = open_store(fake_embedder)
    report = Ingestor(store, fake_embedder, IngestOptions(commit_chunks=64)).run(
        [folder], progress=events.append
    )
    assert len(report.added) == 2
    reading = [e for e in events if e.pages]
    assert reading and {e.current for e in reading} == {str(folder / "bash.pdf")}
    pages = reading[0].pages
    assert pages > 50
    assert [e.page for e in reading] == sorted(e.page for e in reading)
    assert reading[-1].page == pages
    done = [e.bytes_done for e in events]
    assert done == sorted(done)
    assert (
        events[-1].bytes_done
        == events[-1].bytes_total
        == sum(p.stat().st_size for p in folder.iterdir())
    )
    assert events[-1].chunks_done == report.chunks
    inside = [e.bytes_done for e in reading]
    assert inside[-1] > 0 and (len(inside) == 1 or inside[-1] > inside[0])


def test_progress_counts_a_gzip_files_text_as_it_embeds(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    """A compressed file is counted at its unpacked size, the text its chunks come from:
    counted at its size on disk, a tenth of the work, the bytes stood still while it
    embedded and the time left climbed."""
    folder = tmp_path / "docs"
    folder.mkdir()
    text = sample_text("compressed manual", 600)
    (folder / "manual.txt.gz").write_bytes(gzip.compress(text.encode()))
    (folder / "notes.txt").write_text(sample_text("plain notes", 20), encoding="utf-8")
    events: list[IngestProgress] = []
    store = open_store(fake_embedder)
    Ingestor(store, fake_embedder, IngestOptions(commit_chunks=16)).run(
        [folder], progress=events.append
    )
    total = len(text.encode()) + (folder / "notes.txt").stat().st_size
    assert {e.bytes_total for e in events} == {total}
    done = [e.bytes_done for e in events]
    assert done == sorted(done) and done[-1] == total


def test_progress_moves_while_one_large_batch_embeds(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    """All the files' chunks go in one commit batch; the embedded count moves slice by
    slice before anything is stored, and the batch is stored whole."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(40):
        (folder / f"note{number:02d}.txt").write_text(
            sample_text(f"topic {number}", 30), encoding="utf-8"
        )
    events: list[IngestProgress] = []
    store = open_store(fake_embedder)
    report = Ingestor(store, fake_embedder, IngestOptions(commit_chunks=100_000)).run(
        [folder], progress=events.append
    )
    assert report.chunks > 100
    before_stored = [e.chunks_done for e in events if e.chunks_stored == 0 and e.chunks_done]
    assert len(set(before_stored)) >= 3 and max(before_stored) == report.chunks
    assert len(fake_embedder.calls) >= 3  # slices, not one call for the batch
    assert events[-1].chunks_stored == events[-1].chunks_done == report.chunks


class LoadsOnFirstEmbed(HashingEmbedder):
    """The fake embedder, loading its model (a flag) the first time it embeds documents."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.loaded = True
        return super().embed_documents(texts)

    def ready_for_documents(self) -> bool:
        return self.loaded


def test_progress_says_what_the_run_does_and_when_the_model_loads(
    tmp_path: Path, open_store: OpenStore
) -> None:
    """Debian package docs in batches of 8 chunks: each event names its stage, and only the
    first batch waits for the embedding model (a first ingest sat at "4 of 4 files · 0
    chunks" for 20 s while it loaded, saying nothing of it)."""
    folder = shutil.copytree(REPO / "tests" / "data" / "package_docs", tmp_path / "docs")
    embedder = LoadsOnFirstEmbed()
    events: list[IngestProgress] = []
    report = Ingestor(open_store(embedder), embedder, IngestOptions(commit_chunks=8)).run(
        [folder], progress=events.append
    )
    assert len(report.added) == 5
    stages = [stage for stage, _ in itertools.groupby(e.stage for e in events)]
    assert stages[:3] == ["opening", "reading", "loading"]
    assert stages[-1] == "finishing"
    assert stages.count("loading") == 1 and stages.count("embedding") > 1, stages
    assert set(stages) == {"opening", "reading", "loading", "embedding", "writing", "finishing"}
    loading = next(e for e in events if e.stage == "loading")
    assert loading.chunks_done == 0 and 0 < loading.batch_chunks <= report.chunks
    writing = [e for e in events if e.stage == "writing"]
    assert all(e.batch_chunks for e in writing) and events[-1].batch_chunks == 0
    assert all(e.current for e in events if e.stage == "reading")
