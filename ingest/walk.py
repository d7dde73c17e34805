"""Find the files to ingest under the given paths, honouring ignore rules and staying in the tree.

The walker never raises for one bad entry: a file it will not read comes out as a
`FileProblem` with the reason, and the caller decides how to report it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from ingest.gzip_size import unpacked_size
from ingest.types import FileProblem, SourceFile

# Folders that hold tooling, dependencies or build output, never the person's documents.
IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".cache",
        ".ipynb_checkpoints",
        ".eggs",
        "site-packages",
        "build",
        "dist",
        ".next",
        ".gradle",
    }
)
IGNORED_SUFFIXES = (".egg-info",)
IGNORED_FILES = frozenset({".DS_Store", "Thumbs.db"})
# A built Sphinx site holds, beside its pages, what serves them: each page's source again for
# the "Show source" link (`_sources/library/glob.rst.txt` beside `library/glob.html`), the
# theme's styles, scripts and pictures (`_static`), and the search's index of stemmed words
# (`searchindex.js`: 313 of the 1,201 chunks of Debian's Jupyter Notebook manual, ranked
# fourth for "How do I run the notebook server on a public IP with a password?"; with these
# left out, 660 chunks in 59 s, not 99). The
# sources of the 60 Python pages of eval/'s corpus, ingested beside them, added 4,230 chunks
# to its 6,655 and lost quotes on all three sets (containment real-tune 0.671 -> 0.634,
# real-report 0.494 -> 0.458, real-fresh 0.689 -> 0.644) and refusals on two (unanswerable
# questions refused 17 -> 15, 15 -> 14). A folder among them named on the command line is read.
SPHINX_SITE_MARKS = ("searchindex.js", "objects.inv")  # what every Sphinx HTML build writes
SPHINX_SITE_SUPPORT = frozenset({"_sources", "_static", *SPHINX_SITE_MARKS})
# A page's JSON export beside the page: Node's API docs build `fs.json` (gzipped by Debian)
# beside `fs.md` and `fs.html`, its text again as escaped HTML inside JSON strings. Read as
# text, fs.json.gz was 1,122 chunks against 478 for fs.md, and Node's three modules fs, path
# and child_process made 1,522 of their 2,909 chunks (144 s of ingest) from JSON.
JSON_EXPORTS = (".json", ".json.gz")
PAGE_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".rst", ".txt")
# A notebook a Sphinx site built a page from (nbsphinx, Jupyter Book), beside that page:
# Debian's Jupyter Notebook manual keeps `Notebook Basics.ipynb.gz` beside `Notebook
# Basics.html`. Both were read, and the notebook's chunks took places among the sources that
# the page's own passages would have had. Outside a Sphinx site, a notebook and its HTML
# export (`jupyter nbconvert --to html`) are both read.
NOTEBOOKS = (".ipynb", ".ipynb.gz")
# A page's XML source beside the page built from it: libxslt's tutorials keep the DocBook
# `libxslttutorial.xml.gz` beside `libxslttutorial.html`. Read as code, its tags and all, it
# came second and third among the sources for questions the page answers.
XML_SOURCES = (".xml", ".xml.gz")


def walk(
    paths: Iterable[str | os.PathLike[str]],
    *,
    include_hidden: bool = False,
    max_bytes: int,
) -> Iterator[SourceFile | FileProblem]:
    """Yield every file to ingest under `paths` (files or folders), each at most once, sorted."""
    seen_files: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            yield FileProblem(str(path.absolute()), _missing_reason(exc), failed=True)
            continue
        if resolved.is_dir():
            walker = _TreeWalker(resolved, include_hidden, max_bytes, seen_files)
            yield from walker.walk()
        else:
            item = _file_entry(resolved, resolved, max_bytes)
            if isinstance(item, SourceFile) and item.path in seen_files:
                continue
            if isinstance(item, SourceFile):
                seen_files.add(item.path)
            yield item


def is_ignored_name(name: str, *, include_hidden: bool = False) -> bool:
    """True for a file or folder name the default rules leave out."""
    if name in IGNORED_DIRS or name in IGNORED_FILES or name.endswith(IGNORED_SUFFIXES):
        return True
    return name.startswith(".") and not include_hidden


def _is_sphinx_site(folder: Path) -> bool:
    """Whether `folder` holds a built Sphinx site."""
    return any((folder / mark).is_file() for mark in SPHINX_SITE_MARKS)


def _read_instead(folder: Path, name: str, in_sphinx_site: bool) -> str | None:
    """Why the file named `name` in `folder` is left out for the page beside it: a page's JSON
    export (`fs.json.gz` beside `fs.md`) or XML source (`tutorial.xml.gz` beside
    `tutorial.html`), or in a Sphinx site the notebook a page was built from; None when it is
    read."""
    page = _page_beside(folder, name, JSON_EXPORTS, PAGE_SUFFIXES)
    if page is not None:
        return f"the JSON form of {page} beside it, which is read instead"
    page = _page_beside(folder, name, NOTEBOOKS, (".html",)) if in_sphinx_site else None
    if page is not None:
        return f"the notebook {page} beside it was built from; the page is read instead"
    page = _page_beside(folder, name, XML_SOURCES, (".html", ".htm"))
    if page is not None:
        return f"the XML source of {page} beside it; the page is read instead"
    return None


def _page_beside(
    folder: Path, name: str, suffixes: tuple[str, ...], page_suffixes: tuple[str, ...]
) -> str | None:
    """The page beside a file named `name` in `folder` whose name is the file's stem with one
    of `page_suffixes`, for a file with one of `suffixes`; else None."""
    suffix = next((s for s in suffixes if name.lower().endswith(s)), None)
    if suffix is None:
        return None
    stem = name[: -len(suffix)]
    return next((stem + s for s in page_suffixes if (folder / (stem + s)).is_file()), None)


def _missing_reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "does not exist"
    if isinstance(exc, RuntimeError):
        return "symlink loop"
    return f"cannot be read: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)


def _file_entry(path: Path, root: Path, max_bytes: int) -> SourceFile | FileProblem:
    try:
        info = path.stat()
    except OSError as exc:
        return FileProblem(str(path), f"cannot be read: {exc.strerror or exc}", failed=True)
    if not stat.S_ISREG(info.st_mode):
        return FileProblem(str(path), "not a regular file")
    if info.st_size > max_bytes:
        return FileProblem(
            str(path),
            f"larger than the size limit ({_size(info.st_size)} > {_size(max_bytes)})",
        )
    if not os.access(path, os.R_OK):
        return FileProblem(str(path), "cannot be read: permission denied", failed=True)
    return SourceFile(
        path=path,
        root=root,
        size=info.st_size,
        mtime_ns=info.st_mtime_ns,
        unpacked=unpacked_size(path, info.st_size),
    )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


@dataclass(frozen=True, slots=True)
class _IgnoreFile:
    """The rules of one .gitignore, matched relative to the folder that holds it."""

    folder: Path
    spec: pathspec.PathSpec

    def matches(self, path: Path, is_dir: bool) -> bool:
        relative = path.relative_to(self.folder).as_posix()
        return self.spec.match_file(relative + "/" if is_dir else relative)


class _TreeWalker:
    def __init__(self, root: Path, include_hidden: bool, max_bytes: int, seen: set[Path]):
        self.root = root
        self.include_hidden = include_hidden
        self.max_bytes = max_bytes
        self.seen_files = seen
        self.active_dirs: set[tuple[int, int]] = set()

    def walk(self) -> Iterator[SourceFile | FileProblem]:
        yield from self._folder(self.root, self.root, (), in_sphinx_site=False)

    def _folder(
        self, folder: Path, real: Path, rules: tuple[_IgnoreFile, ...], *, in_sphinx_site: bool
    ) -> Iterator[SourceFile | FileProblem]:
        try:
            identity = (real.stat().st_dev, real.stat().st_ino)
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            yield FileProblem(str(folder), f"cannot be read: {exc.strerror or exc}", failed=True)
            return
        if identity in self.active_dirs:
            yield FileProblem(str(folder), "symlink loop: this folder contains itself")
            return
        self.active_dirs.add(identity)
        try:
            rules = rules + _gitignore(folder, real)
            in_sphinx_site = in_sphinx_site or _is_sphinx_site(real)
            for entry in entries:
                yield from self._entry(folder, real, entry, rules, in_sphinx_site)
        finally:
            self.active_dirs.discard(identity)

    def _entry(
        self,
        folder: Path,
        real: Path,
        entry: os.DirEntry[str],
        rules: tuple[_IgnoreFile, ...],
        in_sphinx_site: bool,
    ) -> Iterator[SourceFile | FileProblem]:
        if is_ignored_name(entry.name, include_hidden=self.include_hidden):
            return
        if entry.name in SPHINX_SITE_SUPPORT and _is_sphinx_site(real):
            return
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if any(rule.matches(path, is_dir) for rule in rules):
            return
        target = real / entry.name
        if entry.is_symlink():
            try:
                target = target.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                yield FileProblem(str(path), f"broken symlink: {_missing_reason(exc)}")
                return
            if not target.is_relative_to(self.root):
                yield FileProblem(str(path), "symlink points outside the ingested folder")
                return
        if is_dir:
            if (target / "pyvenv.cfg").exists():
                return
            yield from self._folder(path, target, rules, in_sphinx_site=in_sphinx_site)
            return
        reason = _read_instead(real, entry.name, in_sphinx_site)
        if reason is not None:
            yield FileProblem(str(path), reason)
            return
        item = _file_entry(target, self.root, self.max_bytes)
        if isinstance(item, SourceFile):
            if item.path in self.seen_files:
                return
            self.seen_files.add(item.path)
        yield item


def _gitignore(folder: Path, real: Path) -> tuple[_IgnoreFile, ...]:
    """The rules of `real/.gitignore`, anchored at `folder` (the path as walked)."""
    try:
        text = (real / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    return (_IgnoreFile(folder, pathspec.GitIgnoreSpec.from_lines(text.splitlines())),)
