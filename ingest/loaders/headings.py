"""Build sections from a document's lines and the headings found among them."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.types import HEADING_SEPARATOR, Section


class SectionBuilder:
    """Collects lines into sections, keeping the path of headings above each one."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._trail: list[tuple[int, str]] = []  # (level, title) from the top
        self._lines: list[str] = []
        self._first_line = 1

    def heading(self, level: int, title: str, line: int) -> None:
        """Start a new section under `title` at depth `level` (1 = top)."""
        self.flush()
        while self._trail and self._trail[-1][0] >= level:
            self._trail.pop()
        self._trail.append((level, title.strip()))
        self._first_line = line

    def close(self, level: int) -> None:
        """End the sections at depth `level` and below; what follows belongs to the parent."""
        self.flush()
        while self._trail and self._trail[-1][0] >= level:
            self._trail.pop()

    def add(self, lines: Iterable[str], first_line: int | None = None) -> None:
        if not self._lines and first_line is not None:
            self._first_line = first_line
        self._lines.extend(lines)

    def pending_is(self, line: str) -> bool:
        """True when `line` is the last line collected (a setext heading's title)."""
        return bool(self._lines) and self._lines[-1] == line

    def drop_last_line(self) -> None:
        self._lines.pop()

    def flush(self) -> None:
        text = "\n".join(self._lines).strip("\n")
        if text.strip():
            heading = HEADING_SEPARATOR.join(title for _, title in self._trail)
            self.sections.append(Section(text=text, heading=heading, line=self._first_line))
        self._lines = []

    def finish(self) -> list[Section]:
        self.flush()
        return self.sections
