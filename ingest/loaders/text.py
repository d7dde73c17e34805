"""Plain text: one section for the whole file, the chunker keeps line numbers; a text whose
titles are underlined as reStructuredText's are (GNU's and Debian's READMEs: "Downloading"
over "-----------", "UPGRADE ISSUES" over "==============") has a section for each, headed
by its title path, and its underlines are left out (a line of "~~~~" read as a code fence
in quotes and in the chunker). A manual page in roff source (`gzip.1`) is read by
`ingest.loaders.roff`, one saved as text by its sections (`ingest.loaders.manpage`), a GNU
Info manual by its nodes (`ingest.loaders.info`). Files of unknown suffixes come here too,
so these are told by content: a file named like a manual page (`ls.1`, `ssl.3ssl`) may open
with any request, and Info files are named `grep.info`, `find.info-1` or `dir`."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import info, manpage, roff, rst
from ingest.loaders.decoding import read_text
from ingest.types import LoadedDocument, Section

SUFFIXES = (".txt", ".text", ".log")
# A text with at least this many underlined titles ("Downloading" over "-----------") is
# read by them; one underlined line alone may be a rule under a signature or a table's head.
MIN_TITLES = 2


def load(path: Path) -> LoadedDocument | list[Section]:
    text = read_text(path)
    if info.is_info(text):
        return info.parse(text)
    if roff.is_roff(text, manual_name=roff.MANUAL_NAME.search(path.name) is not None):
        return roff.parse(text)
    return manpage.parse(text) or rst.titled_text(text, MIN_TITLES) or [Section(text=text, line=1)]
