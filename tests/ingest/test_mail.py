"""E-mail messages and mailboxes: headers, bodies, and attachments as documents of their own."""

from __future__ import annotations

import hashlib
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_document
from tests.fixtures.documents import replace_part, write_docx
from tests.fixtures.ingest import write_pdf

DEBIAN_MAIL = Path("/usr/lib/python3.11/test/test_email/data")


def message(subject: str = "Kiln schedule", body: str = "We fire on Friday.") -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = "Ada Potter <ada@example.org>"
    mail["To"] = "studio@example.org"
    mail["Date"] = "Tue, 03 Jun 2025 09:15:00 +0200"
    mail.set_content(body)
    return mail


def attach(mail: EmailMessage, name: str, data: bytes, mime: str) -> None:
    maintype, subtype = mime.split("/")
    mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def test_a_message_reads_as_headers_and_body_with_readable_attachments(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "report.pdf", ["Glaze test results page one."]).read_bytes()
    docx = write_docx(tmp_path / "notes.docx", [("h1", "Notes"), ("p", "Cone six.")]).read_bytes()
    mail = message(subject="Résumé of the firing — week 23")
    mail.add_alternative("<p>We fire on <b>Friday</b>.</p>", subtype="html")
    attach(mail, "report.pdf", pdf, "application/pdf")
    attach(mail, "notes.docx", docx, "application/octet-stream")
    attach(mail, "kiln.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "image/jpeg")
    attach(mail, "../../etc/passwd", b"root-like text, harmless here\n", "text/plain")
    (tmp_path / "firing.eml").write_bytes(bytes(mail))

    loaded = load_document(tmp_path / "firing.eml")
    [section] = loaded.sections
    assert section.heading == "Résumé of the firing — week 23"
    assert section.text.startswith(
        "Subject: Résumé of the firing — week 23\nFrom: Ada Potter <ada@example.org>\n"
        "To: studio@example.org\nDate: Tue, 03 Jun 2025 09:15:00 +0200\n"
        "Attachments: report.pdf, notes.docx, kiln.jpg, passwd\n\nWe fire on Friday."
    )
    names = [d.name for d in loaded.embedded]
    assert names == ["attachment-1/report.pdf", "attachment-2/notes.docx", "attachment-4/passwd"]
    report, notes, passwd = loaded.embedded
    assert (
        report.document.sections[0].page == 1
        and "Glaze test results" in report.document.sections[0].text
    )
    assert report.content_hash == hashlib.sha256(pdf).hexdigest() and report.size == len(pdf)
    assert notes.document.sections[0].heading == "Notes"
    assert passwd.document.sections[0].text.startswith("root-like text")
    assert not list(tmp_path.parent.glob("**/etc/passwd"))


def test_html_only_bodies_and_forwarded_messages(tmp_path: Path) -> None:
    forwarded = message(subject="Clay order", body="Ten bags of stoneware clay.")
    mail = EmailMessage()
    mail["Subject"] = "Fwd: Clay order"
    mail["From"] = "ada@example.org"
    mail.set_content("<h1>Note</h1><p>See the order below.</p><script>x()</script>", subtype="html")
    mail.add_attachment(forwarded)
    (tmp_path / "fwd.eml").write_bytes(bytes(mail))
    loaded = load_document(tmp_path / "fwd.eml")
    text = loaded.sections[0].text
    assert "See the order below." in text and "<p>" not in text and "x()" not in text
    [inner] = loaded.embedded
    assert inner.name == "attachment-1/Clay order.eml"
    assert "Ten bags of stoneware clay." in inner.document.sections[0].text


def test_a_mailbox_has_a_section_per_message(tmp_path: Path) -> None:
    first = message(
        subject="Opening hours", body="We open at nine.\nFrom now on, on Saturdays too."
    )
    second = message(subject="Glaze recipe", body="See the attached recipe.")
    attach(second, "celadon.md", b"# Celadon\n\nIron oxide 1%.\n", "text/markdown")
    mbox = b""
    for mail in (first, second):
        escaped = bytes(mail).replace(b"\nFrom now", b"\n>From now")  # as mbox writers escape it
        mbox += b"From ada@example.org Tue Jun  3 09:15:00 2025\n" + escaped + b"\n"
    (tmp_path / "studio.mbox").write_bytes(mbox)
    loaded = load_document(tmp_path / "studio.mbox")
    assert [s.heading for s in loaded.sections] == [
        "Message 1: Opening hours",
        "Message 2: Glaze recipe",
    ]
    assert "From now on, on Saturdays too." in loaded.sections[0].text
    [recipe] = loaded.embedded
    assert recipe.name == "message-2/attachment-1/celadon.md"
    assert recipe.document.sections[0].heading == "Celadon"


def test_debian_python_test_messages_all_read(tmp_path: Path) -> None:
    messages = sorted(DEBIAN_MAIL.glob("msg_*.txt"))
    if not messages:
        pytest.skip("Python's e-mail test messages are not installed (libpython3.11-testsuite)")
    read = 0
    for source in messages:
        target = tmp_path / f"{source.stem}.eml"
        shutil.copy(source, target)
        try:
            loaded = load_document(target)
        except LoadError:
            continue  # a few are headers without text, or a body without headers
        read += 1
        assert loaded.sections[0].text.strip()
    assert read >= len(messages) - 3
    digest = load_document(tmp_path / "msg_02.eml")  # a Mailman digest of five messages
    assert len(digest.embedded) == 5
    assert digest.embedded[0].name == "attachment-1/[Ppp] testing #1.eml"


def test_bad_mail_files_are_reported_clearly(tmp_path: Path) -> None:
    (tmp_path / "empty.eml").write_bytes(b"\n\n")
    write_pdf(tmp_path / "paper.pdf", ["Not mail."])
    shutil.copy(tmp_path / "paper.pdf", tmp_path / "paper.eml")
    (tmp_path / "notes.mbox").write_text("Just notes, not a mailbox.\n")
    with pytest.raises(NotADocumentError, match="empty file"):
        load_document(tmp_path / "empty.eml")
    with pytest.raises(LoadError, match=r"not an e-mail message: it has no mail headers .*a PDF"):
        load_document(tmp_path / "paper.eml")
    with pytest.raises(LoadError, match="not a valid mbox mailbox: it does not start with"):
        load_document(tmp_path / "notes.mbox")


def test_truncated_encrypted_and_odd_charset_messages_keep_what_can_be_read(tmp_path: Path) -> None:
    mail = message(body="Body before the cut.")
    attach(mail, "long.txt", b"line of text\n" * 2000, "text/plain")
    data = bytes(mail)
    (tmp_path / "cut.eml").write_bytes(data[: len(data) // 2])
    cut = load_document(tmp_path / "cut.eml")
    assert "Body before the cut." in cut.sections[0].text

    smime = (
        b"From: bank@example.org\nSubject: Statement\n"
        b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
        b"Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggHXMIIB0wIBADCBuzCB\n"
    )
    (tmp_path / "smime.eml").write_bytes(smime)
    sealed = load_document(tmp_path / "smime.eml")
    assert sealed.sections[0].text.endswith("[The body is encrypted; only the headers were read.]")
    assert sealed.embedded == ()

    odd = b"From: a@example.org\nSubject: Odd\nContent-Type: text/plain; charset=x-no\n\ncaf\xe9\n"
    (tmp_path / "odd.eml").write_bytes(odd)
    assert "café" in load_document(tmp_path / "odd.eml").sections[0].text


def test_unreadable_attachments_are_reported_without_losing_the_message(tmp_path: Path) -> None:
    locked = write_pdf(tmp_path / "l.pdf", ["secret"], user_password="pw", algorithm="AES-256")
    bomb = write_docx(tmp_path / "b.docx", [("p", "x")])
    replace_part(bomb, "word/document.xml", bytes(64 * 1024 * 1024 + 1))
    mail = message()
    attach(mail, "locked.pdf", locked.read_bytes(), "application/pdf")
    attach(mail, "bomb.docx", bomb.read_bytes(), "application/octet-stream")
    attach(mail, "blank.txt", b"   \n", "text/plain")
    (tmp_path / "mixed.eml").write_bytes(bytes(mail))
    loaded = load_document(tmp_path / "mixed.eml")
    assert "We fire on Friday." in loaded.sections[0].text
    problems = {d.name: (d.problem, d.skipped) for d in loaded.embedded}
    assert "needs a password" in problems["attachment-1/locked.pdf"][0]
    assert "zip bomb" in problems["attachment-2/bomb.docx"][0]
    assert problems["attachment-3/blank.txt"] == ("empty file", True)


def test_deeply_nested_parts_are_refused_not_crashed_on(tmp_path: Path) -> None:
    levels = 2000
    text = "From: a@example.org\nSubject: deep\nContent-Type: multipart/mixed; boundary=b0\n\n"
    for level in range(1, levels):
        text += f"--b{level - 1}\nContent-Type: multipart/mixed; boundary=b{level}\n\n"
    deep = text + f"--b{levels - 1}\n\nbottom\n"
    (tmp_path / "deep.eml").write_text(deep)
    with pytest.raises(LoadError, match="its parts nest too deeply"):
        load_document(tmp_path / "deep.eml")
    envelope = "From ada@example.org Tue Jun  3 09:15:00 2025\n"
    (tmp_path / "box.mbox").write_text(envelope + deep + envelope + str(message()))
    [kept] = load_document(tmp_path / "box.mbox").sections  # the broken message costs only itself
    assert kept.heading == "Message 2: Kiln schedule"
