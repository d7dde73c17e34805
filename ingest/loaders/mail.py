"""E-mail: single messages (.eml) and mailboxes (.mbox), with readable attachments.

A message reads as its Subject (also its title), From, To, Cc and Date lines, the names of
its attachments, and its body (plain text, or the HTML part as text, hidden text dropped and
reported). Each attachment margin can read (PDF, DOCX, Markdown, ...) becomes a document of
its own, named after its place in the message (`ingest.embedded`); the others (images,
archives) are only named in the message's text. A mailbox is one document with a section per
message, headed "Message 12: Subject".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.embedded import attachment_name
from ingest.errors import LoadError, NotADocumentError
from ingest.loaders.decoding import decode
from ingest.loaders.nested import ReadNamed
from ingest.loaders.sniffing import describe, read_head
from ingest.types import EmbeddedDocument, LoadedDocument, Section

if TYPE_CHECKING:  # the email package loads when a message is read, not with margin
    from email.message import EmailMessage, Message

SUFFIXES = (".eml", ".mbox", ".mbx")

_HEADERS = ("Subject", "From", "To", "Cc", "Date")
_ENCRYPTED = frozenset(
    {"multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime"}
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
_MAX_NAME = 120
_MAX_DEPTH = 32  # multipart nesting read; real mail nests a few levels
_DETECTABLE_BYTES = 256
_MBOX_ESCAPED_FROM = re.compile(rb"^>(>*From )")


@dataclass(frozen=True, slots=True)
class _Read:
    """One message read: its text, its attachments, and what its HTML body left out."""

    text: str
    attachments: tuple[EmbeddedDocument, ...]
    warnings: tuple[str, ...]


def load(path: Path, read: ReadNamed) -> LoadedDocument:
    if path.suffix.lower() == ".eml":
        return _single(path, read)
    return _mailbox(path, read)


def _single(path: Path, read: ReadNamed) -> LoadedDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise NotADocumentError("empty file")
    message = _parse(data)
    if not message.keys():
        raise LoadError(
            f"not an e-mail message: it has no mail headers (the file is {describe(data[:4096])})"
        )
    done = _message(message, read, mailbox_number=None)
    subject = _header(message, "Subject")
    return LoadedDocument(
        [Section(text=done.text, heading=subject or "(no subject)")],
        title=subject,
        warnings=done.warnings,
        embedded=done.attachments,
    )


def _mailbox(path: Path, read: ReadNamed) -> LoadedDocument:
    head = read_head(path)
    if not head.startswith(b"From "):
        raise LoadError(
            "not a valid mbox mailbox: it does not start with a 'From ' line "
            f"(the file is {describe(head)})"
        )
    sections: list[Section] = []
    embedded: list[EmbeddedDocument] = []
    warnings: list[str] = []
    for number, raw in enumerate(_mbox_messages(path), start=1):
        try:
            message = _parse(raw)
        except LoadError:
            continue  # one broken message does not cost the others; the numbers stay
        done = _message(message, read, mailbox_number=number)
        subject = _header(message, "Subject") or "(no subject)"
        sections.append(Section(text=done.text, heading=f"Message {number}: {subject}"))
        embedded += done.attachments
        warnings += [f"message {number}: {warning}" for warning in done.warnings]
    return LoadedDocument(sections, warnings=tuple(warnings), embedded=tuple(embedded))


def _mbox_messages(path: Path) -> Iterator[bytes]:
    """The raw bytes of each message, split at "From " lines, ">From " unescaped."""
    lines: list[bytes] = []
    try:
        with path.open("rb") as handle:
            for line in handle:
                if line.startswith(b"From "):
                    if lines:
                        yield b"".join(lines)
                    lines = []
                    continue
                lines.append(_MBOX_ESCAPED_FROM.sub(rb"\1", line))
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    if lines:
        yield b"".join(lines)


def _parse(data: bytes) -> EmailMessage:
    from email import policy
    from email.message import EmailMessage
    from email.parser import BytesParser

    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except RecursionError as exc:
        raise LoadError("not a valid e-mail message: its parts nest too deeply") from exc
    assert isinstance(message, EmailMessage)  # what policy.default builds
    return message


def _message(message: EmailMessage, read: ReadNamed, mailbox_number: int | None) -> _Read:
    lines = [f"{name}: {value}" for name in _HEADERS if (value := _header(message, name))]
    body = _safe_body(message)
    attachments = list(_attachments(message, body))
    names = [name for name, _ in attachments]
    if names:
        lines.append("Attachments: " + ", ".join(names))
    text = "\n".join(lines)
    warnings: tuple[str, ...] = ()
    if message.get_content_type() in _ENCRYPTED:
        text += "\n\n[The body is encrypted; only the headers were read.]"
    elif body is not None:
        body_text, warnings = _body_text(body, read)
        text += "\n\n" + body_text
    embedded = []
    for number, (name, part) in enumerate(attachments, start=1):
        document = _attachment(number, name, part, read, mailbox_number)
        if document is not None:
            embedded.append(document)
    return _Read(text.strip(), tuple(embedded), warnings)


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # malformed headers make the email package raise many kinds of error
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)
    return " ".join(str(value).split()) if value is not None else ""


def _safe_body(message: EmailMessage) -> EmailMessage | None:
    """The plain-text (else HTML) body; else the first inline text part of another kind."""
    body: Message | None
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    if body is None:
        body = next(
            (
                part
                for part in _leaves(message)
                if part.get_content_maintype() == "text"
                and part.get_content_disposition() != "attachment"
                and not _filename(part)
            ),
            None,
        )
    return body  # type: ignore[return-value]  # parts of an EmailMessage are EmailMessages


def _body_text(part: EmailMessage, read: ReadNamed) -> tuple[str, tuple[str, ...]]:
    """The body's text, and what reading its HTML left out (hidden text)."""
    data = _payload(part)
    if part.get_content_type() != "text/html":
        return _decoded(part, data), ()
    try:
        loaded = read("body.html", data)
    except NotADocumentError:  # an HTML body with no visible text
        return "", ()
    if loaded is None:
        return "", ()
    return "\n\n".join(s.text for s in loaded.sections), loaded.warnings


def _attachments(message: Message, body: Message | None) -> Iterator[tuple[str, Message]]:
    """(display name, part) of each attachment, in order; forwarded messages included."""
    for part in _leaves(message):
        if part is body or part.get_content_type() in _ENCRYPTED:
            continue
        filename = _filename(part)
        forwarded = part.get_content_type() == "message/rfc822"
        if filename or forwarded or part.get_content_disposition() == "attachment":
            yield (filename or _default_name(part)), part


def _leaves(message: Message, depth: int = 0) -> Iterator[Message]:
    """The parts that hold content, in order; forwarded messages are not opened."""
    if message.get_content_type() == "message/rfc822" or not message.is_multipart():
        yield message
        return
    payload = message.get_payload()
    if depth >= _MAX_DEPTH or not isinstance(payload, list):
        return
    for part in payload:
        if not isinstance(part, str):  # a multipart's payload holds its parts
            yield from _leaves(part, depth + 1)


def _attachment(
    number: int, name: str, part: Message, read: ReadNamed, mailbox_number: int | None
) -> EmbeddedDocument | None:
    data = _payload(part)
    format_name = name
    if part.get_content_type() == "message/rfc822":
        format_name = "forwarded.eml"
    elif part.get_content_maintype() == "text" and not Path(name).suffix:
        format_name = name + (_extension(part) or ".txt")
    embedded_name = attachment_name(number, name, message=mailbox_number)
    digest = hashlib.sha256(data).hexdigest()
    try:
        loaded = read(format_name, data)
    except NotADocumentError as exc:
        return EmbeddedDocument(embedded_name, digest, len(data), problem=str(exc), skipped=True)
    except LoadError as exc:
        return EmbeddedDocument(embedded_name, digest, len(data), problem=str(exc))
    if loaded is None:
        return None
    # A forwarded message's own attachments are named in its text, not read.
    return EmbeddedDocument(embedded_name, digest, len(data), replace(loaded, embedded=()))


def _payload(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = _forwarded(part)
        return inner.as_bytes() if inner is not None else b""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _forwarded(part: Message) -> Message | None:
    """The message inside a message/rfc822 part."""
    inner = part.get_payload(0) if part.is_multipart() else None
    return None if inner is None or isinstance(inner, str) else inner


def _decoded(part: Message, data: bytes) -> str:
    """Text in its declared charset; else UTF-8, the detected encoding (long texts only:
    detection guesses wildly on a few bytes), or Windows-1252."""
    for charset in (part.get_content_charset() or "utf-8", "utf-8"):
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    if len(data) >= _DETECTABLE_BYTES:
        try:
            return decode(data)
        except NotADocumentError:
            return ""
    return data.decode("cp1252", errors="replace")


def _filename(part: Message) -> str:
    try:
        raw = part.get_filename() or ""
    except Exception:
        raw = ""
    name = _UNSAFE_NAME.sub(" ", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip().lstrip(".")
    return name[:_MAX_NAME].strip()


def _default_name(part: Message) -> str:
    if part.get_content_type() == "message/rfc822":
        inner = _forwarded(part)
        subject = _header(inner, "Subject") if inner is not None else ""
        subject = _UNSAFE_NAME.sub(" ", subject).strip().lstrip(".")[: _MAX_NAME - 4]
        return f"{subject or 'forwarded message'}.eml"
    return "attachment" + (_extension(part) or ".bin")


def _extension(part: Message) -> str | None:
    import mimetypes

    return mimetypes.guess_extension(part.get_content_type(), strict=False)
