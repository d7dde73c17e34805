"""Sections made ready for chunking: full context headings, no empty or furniture sections,
tiny fragments merged with their neighbours.

Every section's heading becomes the document's path to it, starting with the document title
("Built-in Types > Text Sequence Type — str > str.partition(sep)"), so that a chunk carries
its context into the embedding and the full-text index. A section holding only its heading
line is dropped when sections follow under it (the heading lives on in their path); a
heading with nothing under it is kept, its words being all there is (an Org task, "TODO
Call the insurance (claim no. 55-2026-1187)"), and joins its neighbours as a tiny section;
the tiny end
of a sentence cut off by a page break joins its start; runs of tiny sections are packed
together under their common heading; a tiny introduction joins the subsection after it
(Markdown's front matter, the document's own, keeps the title as its heading then).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ingest.boilerplate import is_furniture
from ingest.file_names import plain_title, titled
from ingest.markdown_syntax import front_matter_lines, without_tags
from ingest.source_lines import joined, led_by, trimmed
from ingest.types import HEADING_SEPARATOR, TERMS_SEPARATOR, Section

TINY_CHARS = 100  # a section shorter than this is merged with its neighbours
PACK_CHARS = 600  # packed tiny sections stop growing here (well inside one chunk)
_WRAPPED_HEADING_LINES = 4  # the most lines a heading is looked for over at a text's start

_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.DOTALL)  # "## Diet ##"
_SETEXT_UNDERLINE = re.compile(r"\n {0,3}(=+|-+)[ \t]*$")  # "Diet\n----"


def prepare_sections(sections: Iterable[Section], title: str, file_name: str = "") -> list[Section]:
    """Context headings (the title with what `file_name` adds to it, `titled`), then drop
    heading-only and furniture sections, then merge tiny ones."""
    shown_title = titled(title, file_name) if file_name else title
    given = list(sections)
    ready = []
    for index, section in enumerate(given):
        heading = context_heading(title, section.heading, shown_title)
        section = trimmed(section)
        parent = only_heading(section.text, section.heading) and _has_subsections(given, index)
        if parent or is_furniture(section.text):
            continue
        ready.append(replace(section, heading=heading))
    return _merge_tiny(ready)


def _has_subsections(sections: Sequence[Section], index: int) -> bool:
    """Whether the section after `index` sits under its heading."""
    following = sections[index + 1] if index + 1 < len(sections) else None
    return following is not None and _is_under(following.heading, sections[index].heading)


def document_title(title: str, sections: Sequence[Section], file_name: str) -> str:
    """The loader's title, else the document's one top-level heading, else its file name."""
    if title.strip():
        return title
    tops = {s.heading.split(HEADING_SEPARATOR, 1)[0] for s in sections if s.heading}
    return tops.pop() if len(tops) == 1 else file_name


def context_heading(title: str, heading: str, shown_title: str = "") -> str:
    """`title > heading`, unless the heading path already starts with the title, with the
    title written as `shown_title` when given; a heading repeated right under itself (a
    DOCX's Title paragraph and a first heading of the same words) is there once."""
    title = " ".join(title.split())
    if not title:
        return heading
    path, above = [" ".join((shown_title or title).split())], title
    for part in heading.split(HEADING_SEPARATOR) if heading else []:
        if part.casefold() != above.casefold():
            path.append(part)
        above = part
    return HEADING_SEPARATOR.join(path)


def only_heading(text: str, heading: str) -> bool:
    """Whether `text` is nothing but the last heading of the path `heading`, as the document
    writes it: "## Diet" and "Diet" underlined are the heading "Diet", "# Tuesday" the title
    "Tuesday (2026-11-03, 3 November 2026)"."""
    last = " ".join(heading.rsplit(HEADING_SEPARATOR, 1)[-1].split())
    return bool(last) and _heading_words(text) in (last, plain_title(last))


def after_opening_heading(text: str, heading: str) -> int | None:
    """Where `text` goes on after the lines that open it with its section's own heading
    ("## Diet", or an entry's terms one a line: "-n" and "--dry-run" under "-n / --dry-run"),
    the blank lines after them skipped; None when it does not open so."""
    block = text.split("\n\n", 1)[0]
    lines = block.split("\n")
    if only_heading(lines[0], heading):
        end = len(lines[0])
    elif only_heading(_terms(lines), heading):
        end = len(block)
    else:
        return None
    rest = text[end:]
    return end + len(rest) - len(rest.lstrip("\n"))


def _opens_with(text: str, heading: str) -> bool:
    """Whether `text` opens with `heading`, on its first line or wrapped over the first few (a
    paper's title set on three lines: "ecothesis - Um modelo em LATEX para\nTrabalhos ...")."""
    lines = text.split("\n", _WRAPPED_HEADING_LINES)[:_WRAPPED_HEADING_LINES]
    return any(
        only_heading(opening, heading)
        for count in range(1, len(lines) + 1)
        for opening in ("\n".join(lines[:count]), _terms(lines[:count]))
    )


def _terms(lines: Sequence[str]) -> str:
    """Label lines ("-n:", "--dry-run:") as the heading of the entry they are the terms of."""
    return TERMS_SEPARATOR.join(line.strip().removesuffix(":") for line in lines)


def _heading_words(text: str) -> str:
    """The words of a heading line without Markdown's marks."""
    text = _SETEXT_UNDERLINE.sub("", text.strip())
    atx = _ATX.match(text)
    return " ".join((without_tags(atx.group(1)) if atx else text).split())


def _merge_tiny(sections: Sequence[Section]) -> list[Section]:
    merged: list[Section] = []
    index = 0
    while index < len(sections):
        section = sections[index]
        following = sections[index + 1] if index + 1 < len(sections) else None
        if _tiny(section) and merged and _cut_off(merged[-1], section):
            # The end of the previous section's sentence, cut off by a page break.
            merged[-1] = joined(merged[-1], section, "\n")
            index += 1
        elif not _tiny(section) or following is None or following.page != section.page:
            merged.append(section)
            index += 1
        elif _tiny(following):
            run = [section, following]
            index += 2
            while index < len(sections) and _can_pack(run, sections[index]):
                run.append(sections[index])
                index += 1
            merged.append(_packed(run))
        elif _is_under(following.heading, section.heading):
            # The subsection's heading path, unless what joins it is the document's front
            # matter ("title: Atlas kickoff", "date: …"), which is about the whole document.
            heading = section.heading if _front_matter(section) else following.heading
            merged.append(replace(joined(section, following, "\n\n"), heading=heading))
            index += 2
        else:
            merged.append(section)
            index += 1
    return merged


def _cut_off(previous: Section, section: Section) -> bool:
    """`section` goes on with the sentence `previous` leaves unfinished, on a new page."""
    return (
        previous.heading == section.heading
        and previous.page != section.page
        and not previous.text.rstrip().endswith((".", "!", "?", ":", ";"))
    )


def _is_under(heading: str, parent: str) -> bool:
    return heading == parent or heading.startswith(parent + HEADING_SEPARATOR)


def _tiny(section: Section) -> bool:
    """Shorter than `TINY_CHARS`, front matter aside: a title, a date and tags above one
    line of text are no passage of their own."""
    lines = section.text.split("\n")
    return len("\n".join(lines[_front_matter(section) :])) < TINY_CHARS


def _front_matter(section: Section) -> int:
    """How many of the section's lines are Markdown front matter (it opens a document)."""
    return front_matter_lines(section.text.split("\n")) if section.text.startswith("---") else 0


def _can_pack(run: Sequence[Section], candidate: Section) -> bool:
    size = sum(len(s.text) for s in run)
    return _tiny(candidate) and candidate.page == run[0].page and size < PACK_CHARS


def _packed(run: Sequence[Section]) -> Section:
    """One section for a run of tiny ones, under the heading path they share."""
    paths = [s.heading.split(HEADING_SEPARATOR) for s in run]
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if any(part != parts[0] for part in parts):
            break
        common.append(parts[0])
    entries = []
    for section, path in zip(run, paths, strict=True):
        own = path[len(common) :]
        # Keep each entry findable: its own heading leads its text unless the text starts with it.
        if own and not _opens_with(section.text, own[-1]):
            section = led_by(section, HEADING_SEPARATOR.join(own))
        entries.append(section)
    packed = entries[0]
    for entry in entries[1:]:
        packed = joined(packed, entry, "\n\n")
    return replace(packed, heading=HEADING_SEPARATOR.join(common))
