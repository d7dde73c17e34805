"""The corpus manifest: which Debian package ships each file, and where it lands in the corpus.

A line reads `PACKAGE /absolute/path` or `PACKAGE man:SECTION:NAME`; `#` starts a comment.
A file keeps its path below the corpus folder (`/usr/share/doc/x/README` becomes
`usr/share/doc/x/README`), a `.gz` file loses its suffix (it is stored decompressed), and a
manual page becomes `man/manSECTION/NAME.SECTION.txt`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from eval import MANIFEST

_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_MANUAL = re.compile(r"^man:([1-9][a-z]*):([A-Za-z0-9_.+-]+)$")


class ManifestError(ValueError):
    """The manifest has a bad line; the message names it."""


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    package: str
    source: str  # an absolute path, or man:SECTION:NAME

    @property
    def manual(self) -> tuple[str, str] | None:
        """(section, name) for a manual page, None for a file."""
        match = _MANUAL.match(self.source)
        return (match[1], match[2]) if match else None

    @property
    def compressed(self) -> bool:
        return self.manual is None and self.source.endswith(".gz")

    @property
    def shipped_path(self) -> str:
        """The file the Debian package installs (a manual page's compressed source)."""
        manual = self.manual
        if manual is None:
            return self.source
        section, name = manual
        return f"/usr/share/man/man{section[0]}/{name}.{section}.gz"

    @property
    def corpus_path(self) -> PurePosixPath:
        """Where the entry lands, relative to the corpus folder."""
        manual = self.manual
        if manual is not None:
            section, name = manual
            return PurePosixPath("man", f"man{section}", f"{name}.{section}.txt")
        relative = PurePosixPath(self.source).relative_to("/")
        return relative.with_suffix("") if self.compressed else relative


def read_manifest(path: Path = MANIFEST) -> list[Entry]:
    entries: list[Entry] = []
    problems: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            entries.append(_parse(line, number))
        except ManifestError as exc:
            problems.append(f"{path.name}, line {number}: {exc}")
    seen: dict[PurePosixPath, int] = {}
    for entry in entries:
        earlier = seen.setdefault(entry.corpus_path, entry.line)
        if earlier != entry.line:
            problems.append(f"{path.name}, line {entry.line}: repeats line {earlier}")
    if problems:
        raise ManifestError("\n".join(problems))
    return entries


def _parse(line: str, number: int) -> Entry:
    fields = line.split()
    if len(fields) != 2:
        raise ManifestError(f"expected 'PACKAGE SOURCE', got {line!r}")
    package, source = fields
    if not _PACKAGE.match(package):
        raise ManifestError(f"{package!r} is not a Debian package name")
    if source.startswith("man:"):
        if not _MANUAL.match(source):
            raise ManifestError(f"{source!r} is not man:SECTION:NAME")
    elif not source.startswith("/") or ".." in PurePosixPath(source).parts:
        raise ManifestError(f"{source!r} is not an absolute path")
    return Entry(number, package, source)
