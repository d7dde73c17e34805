"""Where a source is: on one line, as `margin ask` prints it and the chat's sources panel
shows it, and whether its file is still there to open."""

from __future__ import annotations

from pathlib import Path, PurePath

from assistant.ask.types import Source
from assistant.terminal import display_path, one_line
from ingest.embedded import container_of
from ingest.types import HEADING_SEPARATOR


def place(source: Source, shown_path: str | None = None) -> str:
    """Where a source is, on one line: its file name (escaped), then `p. N` or `:LINE` (the
    form editors and terminals open at that line; it tells apart chunks of one long section,
    and once the answer is in, it is the line of the passage the answer cites), then its
    heading, less the file's name: a document without a title of its own is titled by it
    ("garden.txt:1", not "garden.txt:1 > garden.txt"). `shown_path` stands for the file name
    where it is shown otherwise (the chat's sources panel gives the name here and the folder
    below it)."""
    shown = display_path(source.path) if shown_path is None else shown_path
    if source.page is not None:
        shown += f" p. {source.page}"
    elif source.shown_line is not None:
        shown += f":{source.shown_line}"
    heading = _below_file_name(source.heading, PurePath(source.path).name)
    if heading:
        shown += f"{HEADING_SEPARATOR}{one_line(heading)}"
    return shown


def _below_file_name(heading: str, name: str) -> str:
    first, _, rest = heading.partition(HEADING_SEPARATOR)
    return rest if first == name else heading


def on_disk(source: Source) -> bool:
    """Whether the file the source was read from (for an attachment, the e-mail holding it)
    is still where it was: a source from an earlier answer may have moved since."""
    return Path(container_of(source.path)).is_file()
