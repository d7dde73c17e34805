"""What a dated file's name says that its title does not, for a chunk's context.

A journal saved as `2026-11-03.md` whose only heading is "# Tuesday" has its date in the
file name alone. The heading path of every chunk (embedded and full-text indexed) then
carries it: "Tuesday (2026-11-03, 3 November 2026)", the date written out as people ask for
it ("3 November", "November 3"), with the name's words when the title lacks them
("2026-11-03-standup" under "Daily").

A name without a date adds nothing: the words of undated names (`stdtypes.html` under
"Built-in Types", `cmdline.html`) in five heading paths of eval/real-tune.jsonl's corpus
moved a third source and cost one quote its answer (containment 0.659 -> 0.646).
"""

from __future__ import annotations

import re
from datetime import date

# 2026-11-03, 2026_11_03, 2026.11.03 or 20261103, not inside a longer number.
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([-_.]?)(\d\d)\2(\d\d)(?!\d)")
_WORD = re.compile(r"[^\W_]+")
_ADDED = re.compile(r" \([^()]*\)$")  # what `titled` adds: " (2026-11-03, 3 November 2026)"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def titled(title: str, file_name: str) -> str:
    """`title` with what `file_name` adds in brackets ("Tuesday (2026-11-03, 3 November
    2026)"); the title alone when the name adds nothing."""
    adds = name_context(title, file_name)
    return f"{title} ({adds})" if adds else title


def plain_title(shown: str) -> str:
    """A title `titled` wrote, without what the file name added: "Tuesday"."""
    return _ADDED.sub("", shown)


def name_context(title: str, file_name: str) -> str:
    """What `file_name` says that `title` does not, when it holds a date: the date as ISO
    and written out in English, after the name when it has words the title lacks (forms of
    the title's words aside); "" for a name without a date."""
    stem = _stem(file_name)
    found = _DATE.search(stem)
    day = _date(found) if found else None
    if day is None:
        return ""
    said = [word.casefold() for word in _WORD.findall(title)]
    new = [w for w in _WORD.findall(stem.casefold()) if not w.isdigit() and not _said(w, said)]
    parts = [stem] if new else []
    if day.isoformat() not in (title + stem if parts else title):
        parts.append(day.isoformat())  # "20261103" found as "2026-11-03" too
    parts.append(f"{day.day} {_MONTHS[day.month - 1]} {day.year}")
    return ", ".join(parts)


def _said(word: str, said: list[str]) -> bool:
    """Whether the title has `word`, or a word it starts or that starts it ("ask" and
    "Asking"), or whether it is too short to say anything ("to")."""
    return len(word) < 3 or any(w.startswith(word) or word.startswith(w) for w in said)


def _stem(file_name: str) -> str:
    """The name without its extensions: "ls.1.txt" is "ls.1", "notes.tar.gz" is "notes"."""
    stem = file_name
    for _ in range(2):
        head, dot, suffix = stem.rpartition(".")
        if not (dot and head and suffix.isalpha()):
            break
        stem = head
    return stem


def _date(found: re.Match[str]) -> date | None:
    try:
        return date(int(found.group(1)), int(found.group(3)), int(found.group(4)))
    except ValueError:  # 2026-13-45: numbers, not a date
        return None
