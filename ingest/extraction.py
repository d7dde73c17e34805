"""Read files in a worker process so a malformed file cannot hang or exhaust the run.

One long-lived worker serves every file of a run (process start-up is paid once). Each file
gets a deadline, extended by `ocr_page_timeout_s` for every page the worker starts to OCR
(it says so on a line of its own); a worker that misses it, or dies, is killed and replaced,
and that file is reported with the reason. While it reads a PDF the worker also says
which page it has reached, for progress displays. The worker's address space is capped (RLIMIT_AS),
and so is that of the Tesseract it starts.

A read can be stopped: when the `cancel` the extractor was given is set (checked every
`CANCEL_POLL_S` while a file is read), or at Ctrl+C, the worker is told to stop at once
(SIGTERM: it ends the Tesseract it is waiting for, then itself; SIGKILL after
`_STOP_GRACE_S`), since its reply would be for a file no one waits for. A cancelled read
raises `ReadCancelled`; the next load starts a fresh worker.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

import ingest
from ingest.errors import LoadError, NotADocumentError
from ingest.source_lines import lines_fit
from ingest.types import EmbeddedDocument, LoadedDocument, Section

_PACKAGE_PARENT = str(Path(ingest.__file__).resolve().parent.parent)
# Raise when what loaders make of a file changes: stored documents built by an older
# extraction are re-extracted by the next `margin ingest` (1: before main-content HTML,
# normalised PDF text and OCR; 2: before CSV/TSV rows carried their header; 3: before a
# chunk's line was the line its text starts on in HTML, manual pages and reST; 4: before
# Markdown front matter was text, not headings, and "## Diet" counted as the heading "Diet";
# 5: before chunks kept their line maps, which a quote's citation line is read from; 6: before
# Markdown's HTML comments were left out; 7: before a manual page's words hyphenated at a
# line's end were joined; 8: before a PDF's contents and index entries and one chapter's
# running header were left out; 9: before an HTML menu page, a heading and a list of links,
# was read as its heading and list instead of its tags' text, and before HTML's and EPUB's
# <pre> code was stored as a fenced block; 10: before a PDF bookmark's title was found after
# its number on the page, and a chapter's running header on two pages was left out, and
# before HTML footnote references were written "[^1]"; 11: before manual pages in roff
# source, `gzip.1.gz`, were read as the text `man` shows instead of their markup, and Org
# files, read until then as plain text with their markup, by their headings, and before a
# PDF's compound broken at a line's end kept its hyphen ("camera-ready"), a manuscript's line
# numbers were left out, and running headers on left and right pages in turn were too, and
# before a PDF without bookmarks was split by its numbered section headings ("2.1 Related
# work"), TeX's bold fonts (CMBX10) read as bold, and lines on a page with formulas kept
# their font sizes; 12: before a file name's date joined the title, "Tuesday (2026-11-03,
# 3 November 2026)", a heading was not repeated under itself, Markdown front matter opened
# the top heading's section and a heading's trailing "#tags" were left out of its path, and
# before a heading with nothing under it, an Org task, was kept; 13: before a chunk after a
# section's first opened at a sentence near the overlap and outside a fenced code block, and
# before a PDF page's footnotes followed its body text and a word or sentence broken by a page
# break was whole on the page it starts on; 14: before a PDF's list of references that no
# heading opened got a "References" heading of its own, and a sentence broken by a page that
# opens with a figure's caption was joined; 15: before a help2man option's wrapped
# description, untagged `.IP` lines, was cut into paragraphs apart from its flag; 16: before
# a space character groff draws inside a kerned PDF word, "rev erts", was no longer a space;
# 17: before TeX's symbol fonts read as symbols ("⟨options⟩", not "hoptionsi"), a sidebar
# repeated at every page's top went however deep it is, and accents TeX draws apart from
# their letters, "G¨odel", were put on them, in the text and in headings alike, and a glyph's
# size was its font's scaled by the text matrix: "numb er" in Acrobat Distiller's PDFs, and
# a packed section whose text opens with its heading wrapped over lines was led by it again,
# before an index set as makeindex sets it, "alias, 12, 45", went from its pages, and before
# a running line counting the pages went from inside a page, between two columns, and a
# footnote's marker was set apart from its first word, "3Yet", and an accent on no letter,
# "Wikipedia ´", went, and before a line of large type with an e-mail or web address in it
# was no heading); 18: before an HTML manual page's NAME section was read where the page's
# header holds it (asciidoc's); 19: before reStructuredText's roles, directives and index
# entries were read as the built page shows them, and Sphinx's `.rst.txt` sources as reST;
# 20: before an SVG picture was read for the words it draws, not as its XML, and before a
# chunk opened inside a code block longer than a chunk repeated the block's fence line, and
# before a notebook cell's prompt in HTML ("[3]:", nbsphinx's and nbconvert's) was left out;
# 21: before a roff motion right, DocBook's `\(bu\h'+03'`, left a space ("•login name"),
# and before a GNU Info manual was read by its nodes, not as plain text; 22: before a
# paragraph's number linking to the paragraph after it (SiSU's, in HTML and EPUB) went; 23:
# before a PDF without a metadata title (or a file name there) was titled by the large type
# atop its first page, not by its file name, a bookmark's title was found on its page
# whatever punctuation the two write differently ("Nonregular", "Non-regular"), and a
# running header in a heading's type headed no section; 24: before a Markdown link reference
# definition (`[INSTALL]: INSTALL`) was left out as a rendered page leaves it out; 25: before
# a button inside an HTML code block (Node's "copy") was left out of its code, and a code
# line's trailing spaces went; 26: before HTML tags in Markdown read as the page shows them;
# 27: before a chunk opening inside a code block longer than a chunk opened at a line of it;
# 28: before two code elements that are all an HTML code block holds read as two examples;
# 29: before MyST's roles and directives in Markdown read as the built page shows them, and
# a reStructuredText role over a line break and a PEP's number did; 30: before plain text
# with underlined titles (READMEs: "Downloading" over "-----------") had their sections; 31:
# before a notebook's markdown cells were read without their HTML tags and comments; 32:
# before underscores TeX draws as rules in PDFs read as underscores, not spaces; 33: before
# Texinfo's category labels at a PDF definition's right margin ("[Function]") went; 34:
# before a heading titling an HTML note box (DocBook's) was the box's first line, not a
# section heading the rest of the section; 35: before an HTML line break kept the words either
# side apart in a line of text, and a definition list's entry with an id ended at the next
# term without one; 36: before an HTML page that sends its reader on at once (Texinfo's node
# pointers) was skipped; 37: before a definition list's term after Texinfo's index anchors
# was an entry; 38: before Texinfo's printed index was left out of an HTML page, and a page
# that is mostly one skipped; 39: before Sphinx's and DocBook's indexes were printed indexes
# too, and a page 30% index was an index page; 40: before a Texinfo page's closing credit
# ("This document was generated on ... using texi2any.") was read as its last paragraph; 41:
# before a one-column HTML table of paragraph cells (PostgreSQL's function tables) read as a
# data table, each cell's paragraphs on one line; 42: before an HTML callout list's items
# (AsciiDoc's) were numbered as the code lines they explain, not bullets; 43: before
# AsciiDoc's note boxes read as a data table's row ("Note | This is ..."); 44: before an
# AsciiDoc labelled list's terms (a manual page's options) were "term:" lines, not entries;
# 45: before a README's lines of badges ("[![Build Status](….svg)](…)") were quoted as an
# answer's first lines; 46: before a Markdown table of contents' entries ("- [Rename A
# Remote](git/rename-a-remote.md)") were quoted for the notes they list, and before a PDF
# bookmark was found on its page after punctuation it leaves out ("<dir prefix=…>"); 47:
# before a short run of numbered lines on a long page of a PDF whose code listings number
# their lines was taken for line numbers ("1 Definition of CRC" lost its number and heading);
# 48: before a paper's title block under its title (authors, affiliations, a date) headed
# sections of its own; 49: before an HTML word index of a site's pages (libxslt's "API
# Alphabetic Index") was a printed index; 50: before a LaTeX source was read as code, one
# section of markup under its file name, not sections of the text its page shows.
EXTRACTION_VERSION = 51
_STARTUP_TIMEOUT_S = 60.0
_STOP_GRACE_S = 1.0  # a worker told to stop that is still there after this is killed
CANCEL_POLL_S = 0.1  # how often a read looks at its `cancel`
PageCallback = Callable[[int, int], None]


class ReadCancelled(Exception):
    """The extractor's `cancel` was set while a file was being read; nothing of it is kept."""


class Extractor:
    """Loads documents through the worker; use as a context manager, or call close().
    `cancel`, once set, stops the read in progress (ReadCancelled) and every later one."""

    def __init__(
        self,
        *,
        timeout_s: float = 60.0,
        memory_mb: int = 1024,
        ocr_page_timeout_s: float = 60.0,
        cancel: threading.Event | None = None,
    ):
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.ocr_page_timeout_s = ocr_page_timeout_s
        self.cancel = cancel
        self._worker: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    def load(self, path: Path, on_page: PageCallback | None = None) -> LoadedDocument:
        """The document at `path` and the documents inside it (e-mail attachments); raises
        LoadError (or NotADocumentError) with the reason, ReadCancelled when `cancel` is set.
        `on_page(page, pages)` hears of each page of a PDF as it is read."""
        try:
            reply = self._reply(path, on_page)
        except KeyboardInterrupt:
            self._stop()  # half way through the file: no one waits for its reply
            raise
        if "error" in reply:
            error = NotADocumentError if reply["skip"] else LoadError
            raise error(reply["error"])
        return document_from_reply(reply)

    def _reply(self, path: Path, on_page: PageCallback | None) -> dict[str, Any]:
        """The worker's answer for `path`, after the page lines before it."""
        worker = self._running_worker()
        assert worker.stdin is not None
        try:
            worker.stdin.write(json.dumps({"path": str(path)}).encode() + b"\n")
            worker.stdin.flush()
        except BrokenPipeError:
            raise self._lost_worker() from None
        deadline = time.monotonic() + self.timeout_s
        reply: dict[str, Any] = json.loads(self._read_line(worker, deadline))
        while "ocr_page" in reply or "page" in reply:
            if "ocr_page" in reply:
                deadline = max(deadline, time.monotonic() + self.ocr_page_timeout_s)
            elif on_page is not None:
                on_page(reply["page"], reply["pages"])
            reply = json.loads(self._read_line(worker, deadline))
        return reply

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        if worker.stdin:
            worker.stdin.close()
        try:
            worker.wait(timeout=2)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _running_worker(self) -> subprocess.Popen[bytes]:
        if self._worker is None or self._worker.poll() is not None:
            env = {**os.environ, "PYTHONPATH": child_pythonpath()}
            self._buffer = b""
            self._worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ingest.extraction_worker",
                    str(self.memory_mb),
                    str(self.ocr_page_timeout_s),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            # Start-up (interpreter, imports) is not part of any file's time limit.
            self._read_line(self._worker, time.monotonic() + _STARTUP_TIMEOUT_S)
        return self._worker

    def _read_line(self, worker: subprocess.Popen[bytes], deadline: float) -> bytes:
        assert worker.stdout is not None
        fd = worker.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                if self.cancel is not None and self.cancel.is_set():  # also between lines
                    self._stop()
                    raise ReadCancelled
                if b"\n" in self._buffer:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._stop()
                    raise LoadError(
                        f"reading took longer than {self.timeout_s:g} s; "
                        "the file may be malformed (stopped)"
                    )
                if not selector.select(min(remaining, CANCEL_POLL_S)):
                    continue
                data = os.read(fd, 1 << 20)
                if not data:
                    raise self._lost_worker()
                self._buffer += data
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _lost_worker(self) -> LoadError:
        worker = self._worker
        code = worker.wait() if worker else None
        self._worker = None
        return LoadError(
            f"the reader stopped on this file (exit code {code}); the file may be malformed "
            f"or need more than {self.memory_mb} MB to read"
        )

    def _stop(self) -> None:
        """End the worker now, with the Tesseract it may be waiting for."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=_STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def document_from_reply(reply: dict[str, Any]) -> LoadedDocument:
    """The document, and the documents inside it, the worker sent for a file (see
    `extraction_worker.handle`); raises LoadError when a section's line numbers do not fit
    its text, which the chunker would otherwise fail on or point to wrong lines with."""
    embedded = tuple(
        EmbeddedDocument(
            name=item["name"],
            content_hash=item["hash"],
            size=item["size"],
            document=_document(item),
            problem=item["problem"],
            skipped=item["skipped"],
        )
        for item in reply["embedded"]
    )
    return replace(_document(reply), embedded=embedded)


def _document(reply: dict[str, Any]) -> LoadedDocument:
    """A document as the worker sent it (see `extraction_worker._document`)."""
    sections = [
        Section(text, page, heading, line, tuple(lines))
        for text, page, heading, line, lines in reply["sections"]
    ]
    if not all(lines_fit(section) for section in sections):
        raise LoadError(
            "margin's reader gave line numbers that do not fit the file's text "
            "(a bug in margin; please report it)"
        )
    return LoadedDocument(sections, reply["title"], tuple(reply["warnings"]))


def child_pythonpath() -> str:
    """PYTHONPATH for a `python -m ingest...` child: this package first, then the caller's."""
    existing = os.environ.get("PYTHONPATH")
    return _PACKAGE_PARENT + (os.pathsep + existing if existing else "")
