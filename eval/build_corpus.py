"""Assemble the evaluation corpus from the manifest: `python -m eval.build_corpus`.

Files are copied into `.eval-corpus/` (copies, not symlinks: the ingest walker refuses links
that leave the ingested folder), `.gz` files decompressed, manual pages rendered to plain
text at a fixed width. A file is rewritten only when its content changed, so a second
ingest finds everything unchanged; files no longer in the manifest are removed. The package
versions the corpus came from are written to `.eval-corpus/.packages` (hidden: not ingested).

`--missing-packages` prints the Debian packages still to install, one line, for the Makefile.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eval import CORPUS, MANIFEST
from eval.manifest import Entry, ManifestError, read_manifest

MAN_WIDTH = "80"
VERSIONS_FILE = ".packages"


@dataclass(slots=True)
class BuildReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[str] = field(default_factory=list)


def missing_packages(entries: Sequence[Entry]) -> list[str]:
    """The packages the manifest needs that dpkg does not report as installed."""
    wanted = {entry.package for entry in entries}
    if any(entry.manual for entry in entries):
        wanted.add("man-db")
    return sorted(package for package in wanted if package_version(package) is None)


def package_version(package: str) -> str | None:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", package],
        capture_output=True,
        text=True,
    )
    status, _, version = result.stdout.partition(" ")
    return version if result.returncode == 0 and status == "installed" else None


def package_files(package: str) -> set[str]:
    """The paths dpkg lists for an installed package (empty when it is not installed)."""
    result = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True)
    return set(result.stdout.splitlines()) if result.returncode == 0 else set()


def build(entries: Sequence[Entry], out: Path) -> BuildReport:
    report = BuildReport()
    for entry in entries:
        try:
            content = entry_content(entry)
        except (OSError, EOFError, subprocess.CalledProcessError) as exc:
            report.failed.append(_failure(entry, exc))
            continue
        target = out / entry.corpus_path
        if target.is_file() and target.read_bytes() == content:
            report.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(content)
        partial.replace(target)
        report.written += 1
    report.removed = _remove_others(out, {out / e.corpus_path for e in entries})
    versions = sorted({f"{e.package} {package_version(e.package)}" for e in entries})
    (out / VERSIONS_FILE).write_text("\n".join(versions) + "\n", encoding="utf-8")
    return report


def entry_content(entry: Entry) -> bytes:
    """The bytes the corpus holds for an entry: the file, decompressed, or the rendered page."""
    manual = entry.manual
    if manual is not None:
        return render_manual(*manual)
    raw = Path(entry.source).read_bytes()
    return gzip.decompress(raw) if entry.compressed else raw


def render_manual(section: str, name: str) -> bytes:
    """A manual page as plain UTF-8 text, 80 columns, no hyphenation or justification."""
    env = {**os.environ, "MANWIDTH": MAN_WIDTH, "LC_ALL": "C.UTF-8", "MANPAGER": "cat"}
    env.pop("MAN_KEEP_FORMATTING", None)
    result = subprocess.run(
        ["man", "--no-hyphenation", "--no-justification", section, name],
        capture_output=True,
        env=env,
        check=True,
    )
    return result.stdout


def _failure(entry: Entry, exc: BaseException) -> str:
    where = f"{MANIFEST.name}, line {entry.line}: {entry.source}"
    if isinstance(exc, FileNotFoundError) and entry.manual:
        return f"{where}: the man command is missing; install man-db"
    if isinstance(exc, FileNotFoundError):
        return (
            f"{where} is missing; install {entry.package} (if it is installed, dpkg may be "
            "set to leave out documentation: see /etc/dpkg/dpkg.cfg.d/)"
        )
    if isinstance(exc, subprocess.CalledProcessError):
        detail = (exc.stderr or b"").decode(errors="replace").strip() or f"exit {exc.returncode}"
        return f"{where}: man failed ({detail}); install man-db and {entry.package}"
    return f"{where}: {exc}"


def _remove_others(out: Path, keep: set[Path]) -> int:
    removed = 0
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path not in keep and path != out / VERSIONS_FILE:
            path.unlink()
            removed += 1
    return removed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--missing-packages",
        action="store_true",
        help="Print the Debian packages to install (space-separated) and build nothing.",
    )
    args = parser.parse_args(argv)
    try:
        entries = read_manifest()
    except ManifestError as exc:
        print(f"The corpus manifest has problems:\n{exc}", file=sys.stderr)
        return 2
    if args.missing_packages:
        print(" ".join(missing_packages(entries)))
        return 0
    CORPUS.mkdir(exist_ok=True)
    report = build(entries, CORPUS)
    for problem in report.failed:
        print(problem, file=sys.stderr)
    print(
        f"{CORPUS}: {len(entries) - len(report.failed)} files "
        f"({report.written} written, {report.unchanged} unchanged, {report.removed} removed)",
        file=sys.stderr,
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
