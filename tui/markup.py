"""Untrusted text made safe and readable on screen: answers, file names, source passages.

Model text and document text may carry terminal control sequences, markdown images that
a renderer could fetch, and links whose label hides where they go. Everything shown in the
TUI passes through here first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.content import Content

from assistant.ask.types import SentenceSupport
from assistant.guardrails.sentences import code_spans
from assistant.guardrails.support import mark
from assistant.terminal import sanitize

_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([^)\n]*)\)")
_LINK = re.compile(r"(?<![!\\])\[([^\]\n]+)\]\(([^)\s]*)[^)\n]*\)")
_CITATION = re.compile(r"(?<![`\\])\[(\d{1,3})\](?![(\[:`])")
_TILDE = re.compile(r"~")
_LEADING_MARKUP = re.compile(r"^(?:[ \t]*(?:[-*+>]|\d{1,3}[.)]|#{1,6})[ \t]+)*")
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_STOPWORD_TEXT = """
about above after also and any are because been before being but can could did does
doing down during each few for from had has have having her here hers him his how its
into just more most not now off once only other our out over own same she should some
such than that the their them then there these they this those through too under
until very was were what when where which while who whom why will with would you your
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

PASSAGE_STYLE = "on $accent 25%"
TERM_STYLE = "bold $text-accent"


def one_line(text: str) -> str:
    """Untrusted text for a single line: no control sequences, no line breaks."""
    return " ".join(sanitize(text).split())


def display_path(path: str) -> str:
    """A file name as a person reads it: safe, and with `~` for the home folder."""
    clean = one_line(path)
    home = str(Path.home())
    if clean == home or clean.startswith(home.rstrip("/") + "/"):
        return "~" + clean[len(home.rstrip("/")) :]
    return clean


def answer_markdown(text: str, sentences: Sequence[SentenceSupport] = ()) -> str:
    """Model text as markdown to render.

    Control sequences are stripped, images become a text note (nothing is ever fetched),
    every link shows its full target next to its label, and citation markers `[n]` stand out.
    With `sentences` (the answer's support check), each sentence no source supports is
    struck through (`.s`, styled dim in chat.tcss) and flagged `[?]`, and each sentence margin
    matched to a source the model did not cite gets `[n]?`. Nothing is changed or added
    inside code: a mark after a code block goes on a line of its own.
    """
    clean = sanitize(_with_support(text, sentences))
    return _outside_code(clean, _prose_markdown, links=False)


def _prose_markdown(prose: str) -> str:
    prose = _IMAGE.sub(lambda m: f"(image: {m[1] or 'no description'} — {m[2]})", prose)
    prose = _LINK.sub(_link_in_full, prose)
    return _CITATION.sub(r"`[\1]`", prose)


def _with_support(text: str, sentences: Sequence[SentenceSupport]) -> str:
    """`text` with tildes outside code escaped (so only margin strikes through), unsupported
    sentences struck through and margin's marks after the sentences they belong to."""
    pieces: list[str] = []
    position = 0
    for sentence in sorted(sentences, key=lambda s: s.start):
        if sentence.start < position or sentence.end > len(text):
            continue  # spans from another text; never guess
        pieces.append(_outside_code(text[position : sentence.start], _escape_tildes))
        body = _outside_code(text[sentence.start : sentence.end], _escape_tildes)
        shown = mark(sentence)
        if sentence.status == "unsupported" and sentence.kind == "prose":
            lead = _LEADING_MARKUP.match(body)
            cut = lead.end() if lead else 0
            body = f"{body[:cut]}~~{body[cut:]}~~"
        if shown:
            body += f"\n\n`{shown}`\n" if sentence.kind == "code" else f" `{shown}`"
        pieces.append(body)
        position = sentence.end
    pieces.append(_outside_code(text[position:], _escape_tildes))
    return "".join(pieces)


def _escape_tildes(prose: str) -> str:
    return _TILDE.sub(r"\~", prose)


def _outside_code(text: str, rewrite: Callable[[str], str], *, links: bool = True) -> str:
    """`text` with `rewrite` applied to the stretches between code spans (and bare links,
    unless `links` is False: Markdown links and images are rewritten as a whole)."""
    pieces: list[str] = []
    position = 0
    for start, end in [*code_spans(text, links=links), (len(text), len(text))]:
        pieces.append(rewrite(text[position:start]))
        pieces.append(text[start:end])
        position = end
    return "".join(pieces)


def _link_in_full(match: re.Match[str]) -> str:
    label, target = match[1], match[2]
    return target if label.strip() == target else f"{label} ({target})"


def query_terms(query: str) -> set[str]:
    """The words of a question worth looking for in a passage."""
    return {
        word
        for word in (w.lower() for w in _WORD.findall(query))
        if len(word) > 2 and word not in _STOPWORDS
    }


def matched_passage(text: str, query: str) -> tuple[int, int] | None:
    """The span of the sentence that shares most words with the query, if any does."""
    terms = query_terms(query)
    best: tuple[int, int] | None = None
    best_score = 0
    for sentence in _SENTENCE.finditer(text):
        words = {w.lower() for w in _WORD.findall(sentence.group())}
        score = len(words & terms)
        if score > best_score:
            best, best_score = (sentence.start(), sentence.end()), score
    return best


def highlighted_passage(text: str, query: str) -> Content:
    """A source chunk with its best-matching sentence and the question's words highlighted."""
    clean = sanitize(text)
    content = Content(clean)
    span = matched_passage(clean, query)
    if span is not None:
        content = content.stylize(PASSAGE_STYLE, *span)
    terms = query_terms(query)
    if terms:
        pattern = re.compile(
            r"\b(" + "|".join(re.escape(t) for t in sorted(terms)) + r")\b", re.IGNORECASE
        )
        content = content.highlight_regex(pattern, style=TERM_STYLE)
    return content
