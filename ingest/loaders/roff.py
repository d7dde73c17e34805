"""Manual pages in roff source (`gzip.1.gz`, `sftp.1`, `ssl.3ssl`): read as the text `man`
shows, by their sections, with no markup left. Both macro packages are read, `man` (Linux
pages, `ingest.loaders.roff_man`) and `mdoc` (BSD pages, `ingest.loaders.roff_mdoc`); the
NAME line becomes the title; every line keeps the file line its text came from.

A file is taken for roff when its first request is `.TH`, `.Dd` or `.so`, or it opens with
a roff comment (`.\\"`); a file named like a manual page (`ls.1`) may open with any request.
Other text is left to the text loader (a page saved as text, `man ls > ls.1`, included).
A page that only includes another (`.so man1/bash.1`) has no text of its own: it is skipped,
naming the page to read instead. groff is not run: a page reads the same on every machine.
"""

from __future__ import annotations

import re

from ingest.errors import NotADocumentError
from ingest.loaders.roff_lines import Request, RoffReader, TextLine
from ingest.loaders.roff_man import ManFormatter
from ingest.loaders.roff_mdoc import MdocFormatter
from ingest.loaders.roff_requests import Formatter
from ingest.types import LoadedDocument, Section

# "ls.1", "ssl.3ssl", "perlre.1p", "Tcl.n", "foo.man": the names manual pages go by.
MANUAL_NAME = re.compile(r"\.(?:[1-9][a-z]{0,6}|n|l|man|mdoc)$", re.IGNORECASE)
_OPENING = re.compile(r"^[.'][ \t]*(TH|Dd|Dt|so)\b")
_REQUEST = re.compile(r"^[.'][ \t]*[A-Za-z]")
_COMMENT = re.compile(r'^(?:[.\'][ \t]*)?\\"')
_MDOC_START = frozenset({"Dd", "Dt", "Sh", "Os"})
_NAME_HEADINGS = frozenset({"NAME", "Name"})
_TITLE_LIMIT = 200


def is_roff(text: str, *, manual_name: bool = False) -> bool:
    """Whether `text` is roff: its first request opens a page, or (in a file named like a
    manual page) it starts with a request or a comment."""
    lines = text.lstrip("\ufeff\n").split("\n", 200)[:200]
    if lines and _COMMENT.match(lines[0]):
        return True
    for line in lines:
        if not line.strip() or line.strip() in (".", "'") or _COMMENT.match(line):
            continue  # a line that is a lone control character does nothing
        return bool(_OPENING.match(line) or (manual_name and _REQUEST.match(line)))
    return False


def parse(text: str) -> LoadedDocument:
    """The page's sections and title; raises NotADocumentError for a page that only
    includes another."""
    reader = RoffReader()
    lines = list(reader.read(text))
    first = next((item for item in lines if isinstance(item, Request)), None)
    mdoc = first is not None and first.name in _MDOC_START
    formatter: Formatter = (MdocFormatter if mdoc else ManFormatter)(reader.strings)
    for item in lines:
        formatter.feed(item)
    sections = [section for section in formatter.page.finish() if section.text.strip()]
    if not sections and formatter.includes:
        raise NotADocumentError(
            f"a manual page that only includes {formatter.includes[0]} (.so); that page "
            "holds the text"
        )
    if not any(isinstance(item, TextLine) and item.text.strip() for item in lines) and not sections:
        raise NotADocumentError("a roff file with no text")
    warnings = tuple(
        f"includes {name} (.so), which is not read with it: ingest that page too"
        for name in formatter.includes
    )
    return LoadedDocument(sections=sections, title=_title(sections, formatter), warnings=warnings)


def _title(sections: list[Section], formatter: Formatter) -> str:
    """The NAME line ("gzip, gunzip, zcat - compress or expand files"), else "gzip(1)"."""
    for section in sections:
        if section.heading in _NAME_HEADINGS:
            title = " ".join(section.text.split())
            return title if len(title) <= _TITLE_LIMIT else title[: _TITLE_LIMIT - 1] + "…"
    name, number = formatter.name.lower(), formatter.section
    return f"{name}({number})" if name and number else name
