"""New formats through the commands, with the bundled model: an e-mail with a PDF attachment
and a slide deck, seen by `ingest`, `search`, `sources` and `forget`."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from ingest.embedder import SentenceTransformerEmbedder
from tests.fixtures.documents import write_pptx
from tests.fixtures.ingest import write_pdf


@pytest.fixture(autouse=True)
def shared_model(monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder) -> None:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_an_attachment_is_listed_found_cited_and_forgotten_with_its_message(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    pdf = write_pdf(
        tmp_path / "r.pdf", ["Glaze recipes for spring.", "The kiln reached 1240 degrees."]
    )
    mail = EmailMessage()
    mail["Subject"] = "Firing log"
    mail["From"] = "ada@example.org"
    mail.set_content("Log attached.")
    mail.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename="log.pdf")
    (folder / "firing.eml").write_bytes(bytes(mail))
    write_pptx(folder / "deck.pptx", [{"title": "Otters", "bullets": ["Sea otters hold hands."]}])

    result = _run("ingest", str(folder), "--collection", "studio", "--json")
    assert result.exit_code == 0, result.stderr
    message = str((folder / "firing.eml").resolve())
    attachment = f"{message}#attachment-1/log.pdf"
    assert sorted(json.loads(result.stdout)["added"]) == sorted(
        [message, attachment, str((folder / "deck.pptx").resolve())]
    )

    found = json.loads(_run("search", "what temperature did the kiln reach", "--json").stdout)[
        "results"
    ]
    assert (found[0]["path"], found[0]["page"]) == (attachment, 2)
    slides = json.loads(_run("search", "otters holding hands", "--json").stdout)["results"]
    assert slides[0]["heading"] == "Otters > Slide 1: Otters"  # the first slide titles the deck

    listed = json.loads(_run("sources", "--json").stdout)["sources"]
    assert {(s["path"], s["collection"]) for s in listed} >= {(attachment, "studio")}

    forgotten = _run("forget", message)
    assert forgotten.exit_code == 0 and "Removed 2 documents" in forgotten.stderr
    remaining = [s["path"] for s in json.loads(_run("sources", "--json").stdout)["sources"]]
    assert remaining == [str((folder / "deck.pptx").resolve())]
