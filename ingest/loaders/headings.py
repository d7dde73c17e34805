"""Build sections from a document's lines and the headings found among them."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.source_lines import placed, trimmed
from ingest.types import HEADING_SEPARATOR, Section


class SectionBuilder:
    """Collects lines into sections, keeping the path of headings above each one and the
    file line of every line."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._trail: list[tuple[int, str]] = []  # (level, title) from the top
        self._lines: list[str] = []
        self._numbers: list[int] = []  # the file line of each of `_lines`
        self._at = 1  # the file line reached

    def heading(self, level: int, title: str) -> None:
        """Start a new section under `title` at depth `level` (1 = top); a heading the text
        shows is added to it with `add`, on its file line, like any other line."""
        self.flush()
        while self._trail and self._trail[-1][0] >= level:
            self._trail.pop()
        self._trail.append((level, title.strip()))

    def close(self, level: int) -> None:
        """End the sections at depth `level` and below; what follows belongs to the parent."""
        self.flush()
        while self._trail and self._trail[-1][0] >= level:
            self._trail.pop()

    def add(self, lines: Iterable[str], line: int | None = None) -> None:
        """Add `lines`, the first on file line `line` and each of the rest on the next one;
        without `line` they are placed on the line reached (blank separators, text whose
        place is not known). A line holding newlines stays on one file line."""
        at = self._at if line is None else line
        step = 0 if line is None else 1
        for text in lines:
            parts = text.split("\n")
            self._lines.extend(parts)
            self._numbers.extend([at] * len(parts))
            self._at, at = at, at + step

    def pending_is(self, line: str) -> bool:
        """True when `line` is the last line collected (a setext heading's title)."""
        return bool(self._lines) and self._lines[-1] == line

    def drop_last_line(self) -> None:
        self._lines.pop()
        self._numbers.pop()

    def flush(self) -> None:
        text = "\n".join(self._lines)
        if text.strip():
            heading = HEADING_SEPARATOR.join(title for _, title in self._trail)
            self.sections.append(trimmed(placed(Section("", heading=heading), text, self._numbers)))
        self._lines, self._numbers = [], []

    def finish(self) -> list[Section]:
        self.flush()
        return self.sections
