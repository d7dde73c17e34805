"""tbl tables (`.TS` ... `.TE`) as rows of cells: the options and format lines above the
data are left out, as are rules (`_`, `=`); a `T{ ... T}` text block is one cell."""

from __future__ import annotations

import re

_TAB_OPTION = re.compile(r"tab\s*\(\s*(.)\s*\)")


class Table:
    """Reads one table's lines, in order."""

    def __init__(self) -> None:
        self._tab = "\t"
        self._in_format = True  # options, then format lines up to the one ending in "."
        self._first = True
        self._pending: list[str] | None = None  # a row whose T{ block is still open

    def row(self, line: str) -> list[str] | None:
        """The row `line` completes, as its cells; None for lines that are not data."""
        if self._in_format:
            if self._first and line.rstrip().endswith(";"):
                option = _TAB_OPTION.search(line)
                self._tab = option.group(1) if option else self._tab
            elif line.rstrip().endswith("."):
                self._in_format = False
            self._first = False
            return None
        if self._pending is not None:
            return self._continued(line)
        if line.strip() in ("_", "=", ""):
            return None
        return self._cells(line)

    def _cells(self, line: str) -> list[str] | None:
        cells = line.split(self._tab)
        if cells[-1].strip() == "T{":
            self._pending = [*cells[:-1], ""]
            return None
        return [cell for cell in cells if cell.strip() not in ("_", "=", "\\^")]

    def _continued(self, line: str) -> list[str] | None:
        assert self._pending is not None
        if not line.startswith("T}"):
            self._pending[-1] = f"{self._pending[-1]} {line}".strip()
            return None
        done, self._pending = self._pending, None
        rest = line[2:].split(self._tab)[1:]
        if not rest:
            return done
        following = self._cells(self._tab.join(rest))
        if following is None:  # the next cell opens a block of its own
            assert self._pending is not None
            self._pending = [*done, *self._pending]
            return None
        return [*done, *following]
