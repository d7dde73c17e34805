"""MyST, the Markdown Sphinx builds pages from (pip's and many Python projects' documents),
read as the built page shows it:

- a role shows its text (`ingest.loaders.sphinx_markup`): "{file}`requirements.txt`" reads
  "requirements.txt", "{ref}`pip freeze <pip-freeze>`" "pip freeze", "{pep}`440`" "PEP 440";
  a target's label, "(wheel-caching)=" on the line above a heading, shows nothing;
- a directive is a fence named in braces. An admonition's ("```{note}", "```{versionadded}
  20.1", "````{tab} Unix/macOS") is prose, not code: its title ("Note", "New in version
  20.1.", "Unix/macOS") and its text, which may hold code blocks of its own. Any other
  directive's ("```{pip-cli}", "```{code-block} python") stays a code block, under the
  fence the page would show ("```python"), not its name. The option lines under a
  directive's name (":class: tip", or a "---" block of them) are not shown.

Each line stays a line, emptied when the page does not show it, so every line keeps its
number.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ingest.loaders.sphinx_markup import ROLE_CONTENT, admonition_title, role_text
from ingest.markdown_syntax import CODE_SPAN, FENCE, code_lines

_DIRECTIVE = re.compile(r"^( {0,3})(`{3,}|~{3,})\{([\w:-]+)\}[ \t]*(.*?)[ \t]*$")
_OPTION = re.compile(r"^[ \t]*:[\w-]+:")  # ":class: tip" right under a directive's name
_OPTIONS_BLOCK = "---"  # a directive's options as YAML between two such lines
# Directives whose argument is the code's language, which the page's code block is in.
_CODE = frozenset({"code", "code-block", "sourcecode", "code-cell"})
# A role's name right before its code span: `{file}`, `{py:func}` (not code's `${pid}`)
_ROLE_NAME = re.compile(r"(?<![\w$`{}])\{([\w.+-]+(?::[\w.+-]+)*)\}$")
_ROLE_CONTENT = re.compile(ROLE_CONTENT)
_TARGET = re.compile(r"^[ \t]*\([\w.:-]+\)=[ \t]*$")  # "(wheel-caching)=" above a heading


def without_myst_markup(lines: list[str]) -> list[str]:
    """The lines as the built page shows them: admonitions as prose, other directives as
    code blocks under plain fences, roles as their text outside code."""
    shown = _without_directives(lines)
    return [
        line if code else _without_roles(line)
        for line, code in zip(shown, code_lines(shown), strict=True)
    ]


def _without_roles(line: str) -> str:
    """The line with each role as its text, and nothing when it is a target's label; code
    spans that are no role's stay as they are."""
    if _TARGET.match(line):
        return ""
    if "}`" not in line:
        return line
    parts, at = [], 0
    for span in CODE_SPAN.finditer(line):
        name = _ROLE_NAME.search(line, at, span.start())
        content = _ROLE_CONTENT.fullmatch(span.group(2))
        if name is None or content is None:
            continue
        parts.extend([line[at : name.start()], role_text(name.group(1), *content.groups())])
        at = span.end()
    return "".join(parts) + line[at:]


def _without_directives(lines: list[str]) -> list[str]:
    shown = list(lines)
    closed: set[int] = set()  # the lines closing the admonitions read so far
    closings = _Closings(lines)
    index = 0
    while index < len(lines):
        if index in closed:
            index += 1
            continue
        directive = _DIRECTIVE.match(lines[index])
        fence = FENCE.match(lines[index])
        if directive is None:
            # a code block of its own: nothing in it is a directive
            index = closings.after(index, fence.group(1)) + 1 if fence else index + 1
            continue
        indent, marker, name, argument = directive.groups()
        end = closings.after(index, marker)
        for at in range(index + 1, _options_end(lines, index + 1, end)):
            shown[at] = ""
        title = admonition_title(name, argument)
        if title is None:  # a code block: the page shows its code, not the directive
            language = argument.split()[0] if name in _CODE and argument else ""
            shown[index] = f"{indent}{marker}{language}"
            index = end + 1
            continue
        shown[index] = f"{indent}{title}"
        if end < len(lines):
            shown[end] = ""
            closed.add(end)
        index += 1  # its text is read on: it may hold code blocks and directives of its own
    return shown


class _Closings:
    """Where each fence closes (CommonMark: a line of the same character, at least as many,
    nothing else), looked up among the text's fence-only lines. The last answer for each
    fence string is kept: thousands of fences that never close are read in one pass, not one
    pass each."""

    def __init__(self, lines: list[str]):
        self._end = len(lines)
        self._fences: dict[str, list[tuple[int, int]]] = {}  # by character: (line, length)
        for index, line in enumerate(lines):
            stripped = line.strip()
            if len(stripped) >= 3 and len(set(stripped)) == 1 and stripped[0] in "`~":
                self._fences.setdefault(stripped[0], []).append((index, len(stripped)))
        self._known: dict[str, tuple[int, int]] = {}  # by fence: (asked from, closing line)

    def after(self, opening: int, marker: str) -> int:
        """The line closing the fence `marker` opened at line `opening`; the text's end when
        none does."""
        asked, closing = self._known.get(marker, (self._end, self._end))
        if asked <= opening < closing:  # none closes it between: the same line closes both
            return closing
        fences = self._fences.get(marker[0], [])
        start = bisect_right(fences, opening, key=lambda fence: fence[0])
        closing = next((i for i, length in fences[start:] if length >= len(marker)), self._end)
        self._known[marker] = (opening, closing)
        return closing


def _options_end(lines: list[str], start: int, end: int) -> int:
    """Where the option lines under a directive's name, from `start`, stop."""
    if start < end and lines[start].strip() == _OPTIONS_BLOCK:
        closing = next(
            (i for i in range(start + 1, end) if lines[i].strip() == _OPTIONS_BLOCK), None
        )
        return start if closing is None else closing + 1
    at = start
    while at < end and _OPTION.match(lines[at]):
        at += 1
    return at
