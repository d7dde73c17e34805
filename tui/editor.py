"""Open a source in the person's editor, at its line where the editor understands one."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

# Editors that take `+LINE FILE`.
_PLUS_LINE = frozenset(
    {
        "vi",
        "vim",
        "nvim",
        "gvim",
        "view",
        "nano",
        "pico",
        "emacs",
        "emacsclient",
        "micro",
        "kak",
        "joe",
        "ne",
        "mg",
        "jed",
        "mcedit",
    }
)
# Editors that take `FILE:LINE`.
_COLON_LINE = frozenset({"hx", "helix", "subl", "zed"})
# Editors that take `-g FILE:LINE`.
_GOTO_LINE = frozenset({"code", "codium", "code-insiders", "cursor"})


def editor_argv(path: str, line: int | None, environ: Mapping[str, str]) -> list[str]:
    """The command that opens `path` in $VISUAL or $EDITOR (vi if neither is set)."""
    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    argv = shlex.split(editor) or ["vi"]
    name = Path(argv[0]).name
    if line is None or line < 1:
        return [*argv, path]
    if name in _PLUS_LINE:
        return [*argv, f"+{line}", path]
    if name in _COLON_LINE:
        return [*argv, f"{path}:{line}"]
    if name in _GOTO_LINE:
        return [*argv, "-g", f"{path}:{line}"]
    return [*argv, path]


# Documents an editor cannot show: they open in the person's own viewer.
_VIEWER_SUFFIXES = (
    ".pdf",
    ".docx",
    ".docm",
    ".dotx",
    ".pptx",
    ".pptm",
    ".ppsx",
    ".potx",
    ".odt",
    ".ott",
    ".epub",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
)


def opens_in_viewer(path: str) -> bool:
    """True for PDFs, Office documents, e-books and images, and for a document that is no file of
    its own (an e-mail attachment, stored as "mail.eml#attachment-2/report.pdf")."""
    return path.lower().endswith(_VIEWER_SUFFIXES) or not Path(path).is_file()
