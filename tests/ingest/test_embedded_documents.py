"""Every new format through the whole ingest (worker, chunking, real LanceDB), and e-mail
attachments as documents of their own: added, kept, replaced, removed and forgotten with
their message, each by its own content hash."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from ingest.embedded import container_of
from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore
from tests.fixtures.documents import write_docx, write_epub, write_odt, write_pptx
from tests.fixtures.ingest import write_files, write_pdf

OpenStore = Callable[..., ChunkStore]


def _mail(folder: Path, attachments: dict[str, bytes], name: str = "firing.eml") -> Path:
    mail = EmailMessage()
    mail["Subject"] = "Firing report"
    mail["From"] = "ada@example.org"
    mail["Date"] = "Tue, 03 Jun 2025 09:15:00 +0200"
    mail.set_content("The report is attached.")
    for filename, data in attachments.items():
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    path = folder / name
    path.write_bytes(bytes(mail))
    return path


def test_every_format_ingests_with_its_locations(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    write_docx(
        folder / "Report.DOCX",
        [("h1", "Findings"), ("p", "Otters returned.")],
        title="Field report",
    )
    write_pptx(folder / "deck.pptx", [{"title": "Numbers", "bullets": ["Up 12%"]}])
    write_odt(folder / "notes.odt", [("h1", "Kiln"), ("p", "Cone six.")], title="Studio notes")
    write_epub(folder / "book.epub", [("Chapter One", "<p>It begins.</p>")])
    (folder / "README.md.gz").write_bytes(gzip.compress(b"# Tool\n\nRun it.\n"))
    write_files(
        folder,
        {
            "survey.ipynb": json.dumps(
                {
                    "nbformat": 4,
                    "cells": [
                        {"cell_type": "markdown", "source": ["# Survey\n", "First counts."]},
                        {"cell_type": "code", "source": ["x = 1"], "outputs": []},
                    ],
                }
            ),
            "people.csv": "name,born\nAda,1815\n",
        },
    )
    report = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions()).run([folder])
    assert report.failed == [] and report.skipped == []
    assert len(report.added) == 7
    store = open_store(fake_embedder)
    places = {
        (Path(c.path).name, c.heading, c.page, c.line)
        for c in store.vector_search(fake_embedder.embed_query("x"), 50)
    }
    # Each chunk's heading starts with its document's title (its own, or its file name).
    assert places == {
        ("Report.DOCX", "Field report > Findings", None, None),
        ("deck.pptx", "Numbers > Slide 1: Numbers", None, None),
        ("notes.odt", "Studio notes > Kiln", None, None),
        ("book.epub", "A Book > Chapter One", None, None),
        ("README.md.gz", "Tool", None, 1),
        ("survey.ipynb", "Survey > Cells 1-2", None, None),
        ("people.csv", "people.csv", None, 2),
    }


def test_attachments_are_documents_that_follow_their_message(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    pdf = write_pdf(tmp_path / "r.pdf", ["Glaze results on page one."]).read_bytes()
    docx = write_docx(tmp_path / "n.docx", [("h1", "Notes"), ("p", "Cone six.")]).read_bytes()
    message = _mail(folder, {"report.pdf": pdf, "notes.docx": docx, "kiln.jpg": b"\xff\xd8\xff"})
    ingestor = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions())

    first = ingestor.run([folder], collection="studio", local_only=True)
    report_path = f"{message}#attachment-1/report.pdf"
    notes_path = f"{message}#attachment-2/notes.docx"
    assert sorted(first.added) == sorted([str(message), report_path, notes_path])
    stored = {d.path: d for d in ingestor.store.documents()}
    assert {(d.collection, d.local_only) for d in stored.values()} == {("studio", True)}
    assert container_of(report_path) == str(message)
    hits = ingestor.store.vector_search(fake_embedder.embed_query("Glaze results"), 10)
    assert any(c.path == report_path and c.page == 1 for c in hits)

    fake_embedder.calls.clear()
    again = ingestor.run([folder], collection="studio", local_only=True)
    assert again.unchanged == [str(message)] and fake_embedder.calls == []

    changed = write_docx(tmp_path / "n2.docx", [("h1", "Notes"), ("p", "Cone ten now.")])
    message = _mail(folder, {"report.pdf": pdf, "notes.docx": changed.read_bytes()})
    third = ingestor.run([folder], collection="studio", local_only=True)
    assert sorted(third.updated) == sorted([str(message), notes_path])
    assert third.unchanged == [report_path]  # same bytes: not read into the index again

    _mail(folder, {"notes.docx": changed.read_bytes()})
    fourth = ingestor.run([folder], collection="studio", local_only=True)
    assert report_path in fourth.removed  # gone from the message
    renamed = f"{message}#attachment-1/notes.docx"
    assert renamed in fourth.added and notes_path in fourth.removed

    assert sorted(ingestor.forget([message])) == sorted([str(message), renamed])
    assert ingestor.store.documents() == []


def test_a_deleted_message_takes_its_attachments_along(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    message = _mail(folder, {"todo.md": b"# Todo\n\nOrder clay.\n"})
    ingestor = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions())
    assert len(ingestor.run([message]).added) == 2  # the file alone, given by its path
    assert ingestor.run([message]).unchanged == [str(message)]
    message.unlink()
    gone = ingestor.run([folder])
    assert sorted(gone.removed) == sorted([str(message), f"{message}#attachment-1/todo.md"])


def test_failed_attachments_are_reported_and_reindex_brings_attachments_back(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    locked = write_pdf(tmp_path / "l.pdf", ["secret"], user_password="pw", algorithm="AES-256")
    message = _mail(folder, {"locked.pdf": locked.read_bytes(), "plan.md": b"# Plan\n\nFire.\n"})
    first = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions()).run([folder])
    assert [(p.path, p.failed) for p in first.failed] == [
        (f"{message}#attachment-1/locked.pdf", True)
    ]
    assert "needs a password" in first.failed[0].reason
    other = HashingEmbedder(dim=32, model_id="fake/other", max_tokens=256)
    store = open_store(other, check_model=False)
    report = Ingestor(store, other, IngestOptions()).reindex()
    assert [p.path for p in report.failed] == [f"{message}#attachment-1/locked.pdf"]
    assert sorted(d.path for d in store.documents()) == sorted(
        [str(message), f"{message}#attachment-2/plan.md"]
    )
