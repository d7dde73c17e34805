"""Quote answers: the best supporting sentences, verbatim, with citations, and no model.

A quote is deterministic, instant and cannot invent anything: it is what the documents say,
where they say it. `ask.mode` (or `--mode`) chooses how a question is answered:

- "quote": always quote;
- "generate": a model writes the answer from the evidence;
- "auto": quote when the model would be the small bundled one: on the evaluation sets every
  answer it wrote failed the support check and was replaced by the quote anyway, after
  seconds of generation. With a capable model, generate, and quote after all when most of
  what the model wrote fails the support check (`FALLBACK_SHARE`; the pipeline's
  `_replace_unsupported`).

A quote is laid out as its source (`assistant.ask.quote_layout`): headings, list items and
whole code blocks on their own lines, the citation never inside code. A passage its chunk's
end cuts off reads on into the next chunk of its file (`_carried_on`): of the answers to the
evaluation sets (extraction 15), 12 of 267 had ended in mid-sentence or on a colon, 0 now. One
that would open inside a sentence the chunk before starts reads back into it (`_read_back`):
of the passages quoted for the three sets (extraction 33), 5 of 634 had opened so, 1 now (a
sentence that goes on after a code block, "you can make the file usable as a script").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from assistant.ask.evidence import CODE_END, Evidence, EvidenceWindow
from assistant.ask.quote_layout import (
    Passage,
    fences,
    quoted_passage,
    table_header,
    through_list,
    through_table,
)
from assistant.ask.sentences import (
    CALLOUT_MARK,
    TextSpan,
    passage_sentences,
    starts_mid_sentence,
)
from assistant.ask.terms import content_terms
from assistant.ask.types import SentenceSupport, Source
from assistant.config import BUNDLED, ModelProfile
from ingest.sections import after_opening_heading, only_heading
from ingest.source_lines import irregular, text_lines

AnswerStyle = Literal["generate", "quote"]
# The chunk after (or before) a source's in its file, as a source; None at the file's end
# (or start).
NextChunk = Callable[[Source], Source | None]

MAX_SENTENCES = 2
# A second passage is quoted when its window scores this share of the best. Chosen on
# eval/real-tune.jsonl (session 23), as the share that buys the most containment for the
# token F1 it costs: 0.9 (the first choice, never measured) 0.683 and 0.078, 0.8 0.695 and
# 0.073, 0.7 0.720 and 0.071, 0.6 0.732 and 0.062, 0.5 0.744 and 0.060; a third passage
# added nothing. Held out at 0.7: real-report 0.530 -> 0.578 (F1 0.057 -> 0.054), real-fresh
# 0.689 -> 0.711 (0.050 -> 0.045); answers 18% longer (70 -> 83 words on real-report).
SECOND_SHARE = 0.7
SHARED_SENTENCE_WORDS = 8  # a sentence this long in two files' windows says the same in both
# auto: a generated answer with less than this share of supported sentences is replaced by a
# quote. A capable model's answer with one unsupported sentence of two stays, marked [?].
FALLBACK_SHARE = 0.5
# How a sentence ends when it does not announce the next one (closing quotes and brackets
# after the stop included); a window ending otherwise, unless with a fenced code block
# (CODE_END: it says what it has to say), is quoted with the sentence after it.
SEPARATOR = "\n\n"  # between two quoted passages
# A quote starting at most this many characters after its entry's start, in the same
# paragraph, starts there (`EvidenceWindow.entry_start`): at an option's term, "-x: When
# recording the commit, append a line that says ..." before "Do not use this option if ...";
# under the heading its chunk opens with, "__missing__(key)" and "If the default_factory
# attribute is None, this raises a KeyError ..." before "This method is called by ...".
# The heading's text added eval/real-tune.jsonl containment 0.732 -> 0.756, median answer 73
# -> 81 words; held out, real-report 0.590 unchanged, real-fresh 0.711 -> 0.733.
ENTRY_LEAD = 300
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A quote opening inside brackets starts at the sentence that opens them, this many
# characters back at most (an aside of a sentence or two, not a stray bracket far above).
_BRACKET_REACH = 300
_OUTLINE_HEADING = re.compile(r"\*{1,4} \S")  # "* Noteworthy changes in release 3.6"
HEADING_WORDS = 12  # an outline heading is no longer than this
MAX_HEADINGS_CROSSED = 3  # a release's heading, its "New features" heading, the first item
TAIL_WORDS = 24  # the most of a sentence two chunks share (`ingest.overlap_tokens` 32)
OVERLAP_PROBE = 24  # characters of a chunk's start looked for in the chunk before it
# A sentence that opens by referring to the one before it.
_REFERS_BACK = re.compile(
    r"(?:This|These|That|Those|They|It|Its|Their|Such|Both|However|Otherwise|Instead"
    r"|The (?:former|latter|same)|In (?:this|that|such a) case)\b"
)
_CALLOUT = re.compile(CALLOUT_MARK + " ")
FINISHED = tuple(stop + close for stop in ".!?" for close in ("", '"', "'", "”", "’", ")", "]"))


@dataclass(frozen=True, slots=True)
class Quote:
    text: str  # each quoted passage followed by its citation, a blank line between two
    cited: list[int]
    sentences: list[SentenceSupport]  # one per passage: cited, by the source it is quoted from
    # Cited sources a passage read on from into the next chunk of their file, or back into
    # the chunk before, by number, with the text quoted from: what the person is shown as that
    # source, so a quote's every word is in the source it cites.
    read_on: dict[int, Source] = field(default_factory=dict)


def quote_answer(
    evidence: Evidence, following: NextChunk | None = None, preceding: NextChunk | None = None
) -> Quote | None:
    """The best evidence window (a sentence and its neighbours: on eval/real-tune.jsonl it
    holds the expected answer 56% of the time, the sentence alone 30%), and the next best if
    it is nearly as good and says something else; None when there is no evidence. A window
    its chunk's end leaves unfinished reads on in the next chunk (`following`), one opening
    inside a sentence the chunk before starts reads back into it (`preceding`)."""
    chosen = _chosen(evidence)
    return quoted(chosen, evidence, following, preceding) if chosen else None


def _chosen(evidence: Evidence) -> list[EvidenceWindow]:
    best = evidence.best
    if best is None:
        return []
    chosen = [best]
    for window in evidence.windows[1:]:
        if len(chosen) == MAX_SENTENCES or window.score < SECOND_SHARE * best.score:
            break
        if _code_of_another_matter(window, evidence):
            continue
        # Neighbouring chunks of a file overlap. Of two windows around the same sentence,
        # one whole is quoted, not also a copy cut off by a chunk's edge; two cut off at
        # facing edges make one passage across both chunks.
        same = next((i for i, taken in enumerate(chosen) if _same_place(window, taken)), None)
        if same is None:
            if not any(_overlaps(window, taken) for taken in chosen):
                chosen.append(window)
        elif not _cut_off(window) and _cut_off(chosen[same]):
            chosen[same] = window
        elif _cut_off(window) and _cut_off(chosen[same]):
            chosen[same] = _joined(chosen[same], window) or chosen[same]
    return chosen


def _unrepeated(
    passages: list[tuple[EvidenceWindow, Passage]],
) -> list[tuple[EvidenceWindow, Passage]]:
    """The passages, each without the sentences at its start or end that a passage before it
    from another chunk of its file quotes already, and without one left with none: chunks
    overlap, and a quote reaching past its window runs into what its neighbour's quotes ("Note
    that the root logger is created with level WARNING." ending one and opening the next)."""
    kept: list[tuple[EvidenceWindow, Passage]] = []
    for window, passage in passages:
        source = window.source
        said = " ".join(
            " ".join(taken.text.split())
            for other, taken in kept
            if other.source.path == source.path and other.source.id != source.id
        )
        if not said:
            kept.append((window, passage))
            continue
        spans = [
            s
            for s in passage_sentences(source.text)
            if passage.start <= s.start and s.end <= passage.end
        ]
        head = tail = 0  # sentences said already
        while head < len(spans) and _long(spans[head]) and spans[head].text in said:
            head += 1
        while (
            tail < len(spans) - head and _long(spans[-1 - tail]) and spans[-1 - tail].text in said
        ):
            tail += 1
        if head or tail:
            if head + tail == len(spans):
                continue
            start = spans[head].start if head else passage.start
            end = spans[-1 - tail].end if tail else passage.end
            passage = quoted_passage(source.text, start, end)
        kept.append((window, passage))
    return kept


def _code_of_another_matter(window: EvidenceWindow, evidence: Evidence) -> bool:
    """Whether a window is a fenced code block holding none of the question's terms: it
    scores by its heading alone. For "When does the else clause of a for loop run?", the
    prime numbers example's output ("4 equals 2 * 2") under "break and continue Statements,
    and else Clauses on Loops" was quoted above the paragraph that answers."""
    if set(content_terms(window.window.text)) & evidence.term_weights.keys():
        return False
    return any(start <= window.sentence.start < end for start, end, _ in fences(window.source.text))


def quoted(
    chosen: list[EvidenceWindow],
    evidence: Evidence,
    following: NextChunk | None = None,
    preceding: NextChunk | None = None,
) -> Quote:
    """These windows, in the order of their sources, each laid out as its source and cited;
    one its chunk's end cuts off read on into the next chunk of its file (`following`), one
    opening inside a sentence read back into the chunk before (`preceding`)."""
    prefixes: dict[str, int] = {}  # by source id: characters read back
    if preceding is not None:
        chosen = _reading_back(chosen, preceding, prefixes, set(evidence.term_weights))
    if following is not None:
        chosen = _reading_on(chosen, evidence, following)
    chosen = sorted(chosen, key=lambda w: (w.source.number, w.sentence.start))
    passages: list[tuple[EvidenceWindow, Passage]] = []
    for window in chosen:
        passage = quoted_passage(window.source.text, *_extent(window, evidence))
        last = passages[-1] if passages else None
        # Overlapping or adjacent stretches of one source (a window reaching into the next,
        # or two with only blank lines between): one passage, cited once.
        if (
            last is not None
            and last[0].source.id == window.source.id
            and not window.source.text[last[1].end : passage.start].strip()
        ):
            start, end = last[1].start, max(last[1].end, passage.end)
            passages[-1] = (last[0], quoted_passage(window.source.text, start, end))
            continue
        if not any(passage.text == taken.text for _, taken in passages):
            passages.append((window, passage))
    passages = [(w, _under_header(w.source.text, passage)) for w, passage in _unrepeated(passages)]
    pieces, sentences, start = [], [], 0
    for window, passage in passages:
        number = window.source.number
        # A citation never goes inside code: after a code block, it has a line of its own.
        gap = "\n" if passage.ends_in_code else " "
        piece = f"{passage.text}{gap}[{number}]"
        sentences.append(
            SentenceSupport(
                start=start,
                end=start + len(piece),
                status="cited",
                kind="code" if passage.ends_in_code else "prose",
                cited=(number,),
                source=number,
                score=1.0,
                evidence=passage.text,
                line=window.source.line_at(passage.start),
            )
        )
        pieces.append(piece)
        start += len(piece) + len(SEPARATOR)
    cited = sorted({w.source.number for w, _ in passages})
    # a source read on into the next chunk, as far as its passages reach, or back into the
    # chunk before, from where its passage starts
    stored = {w.source.id: len(w.source.text) for w in evidence.windows}
    read_on: dict[int, Source] = {}
    for window, passage in passages:
        number, prefix = window.source.number, prefixes.get(window.source.id, 0)
        chunk_end = prefix + stored[window.source.id]  # where the stored chunk's text ends
        if prefix or passage.end > chunk_end:
            shown = len(read_on[number].text) if number in read_on else 0
            end = max(passage.end, chunk_end, shown)
            read_on[number] = replace(window.source, text=window.source.text[:end])
    return Quote(SEPARATOR.join(pieces), cited, sentences, read_on)


def _under_header(text: str, passage: Passage) -> Passage:
    """The passage, under its table's header when it starts at a row below it: a row alone
    ("| `daily_usd` | 1.00 | 0 to 10,000 | ...") does not say what its cells are."""
    header = table_header(text, passage.start)
    return replace(passage, text=f"{header}\n{passage.text}") if header else passage


def _reading_on(
    chosen: list[EvidenceWindow], evidence: Evidence, following: NextChunk
) -> list[EvidenceWindow]:
    """The windows, each one whose quote its chunk's end would cut off on its source read on
    into the next chunk of the file (`_carried_on`); a window of that next chunk is moved
    onto the same source, so that one passage quotes what both hold."""
    windows: list[tuple[EvidenceWindow, bool]] = []  # each, and whether it was read on
    carried = {}  # by the next chunk's id: the source read on into it, and where it starts
    for window in chosen:
        reading = _carried_on(window, evidence, following)
        if reading is not None:
            window, after, shift = reading
            carried[after] = (window.source, shift)
        windows.append((window, reading is not None))
    return [
        _moved(w, *carried[w.source.id]) if w.source.id in carried and not read else w
        for w, read in windows
    ]


def _carried_on(
    window: EvidenceWindow, evidence: Evidence, following: NextChunk
) -> tuple[EvidenceWindow, str, int] | None:
    """The window on its source read on into the next chunk of the file (they overlap by a few
    words), when its quote would reach the chunk's end unfinished: a sentence cut off in
    mid-line (bash(1)'s "... even when producing output that can"), or the words announcing
    what comes next ("To build, run:"); with the next chunk's id and where its text starts in
    the source read on. None when the chunk ends a line (a manual's option, a list item) but
    for one inside a code block it cuts off (argparse's `add_argument('-v', '--verbose',`
    before `action='store_true')`), and when the next chunk does not go on from it (the
    file's end, another section)."""
    text = window.source.text
    if text.rstrip().endswith(FINISHED) or _extent(window, evidence)[1] < len(text.rstrip()):
        return None
    after = following(window.source)
    overlap = _overlap(text, after.text) if after is not None else 0
    if after is None or not overlap:
        return None
    rest = after.text[overlap:]
    ends_line = not rest or rest[0] == "\n"
    if ends_line and not text.rstrip().endswith(":") and not _in_open_block(text):
        return None
    read_on = replace(window, source=replace(window.source, text=text + rest))
    return read_on, after.id, len(text) - overlap


def _reading_back(
    chosen: list[EvidenceWindow],
    preceding: NextChunk,
    prefixes: dict[str, int],
    asked: set[str],
) -> list[EvidenceWindow]:
    """The windows, each one opening inside a sentence the chunk before starts on its source
    read back into that chunk (`_read_back`), and the other windows of that source moved onto
    it; `prefixes` records, by source id, how much each source gained."""
    read: dict[str, tuple[EvidenceWindow, EvidenceWindow]] = {}  # by source id: old, new
    for window in chosen:
        if window.source.id not in read:
            reading = _read_back(window, preceding, asked)
            if reading is not None:
                read[window.source.id] = (window, reading[0])
                prefixes[window.source.id] = reading[1]

    def placed(window: EvidenceWindow) -> EvidenceWindow:
        if window.source.id not in read:
            return window
        old, new = read[window.source.id]
        return new if window is old else _moved(window, new.source, prefixes[window.source.id])

    return [placed(window) for window in chosen]


def _read_back(
    window: EvidenceWindow, preceding: NextChunk, asked: set[str]
) -> tuple[EvidenceWindow, int] | None:
    """The window on its source read back into the chunk before (they overlap by a few words)
    when its quote would open with the rest of a sentence that chunk starts ("on a file which
    is of equal size as the one on the server, Wget will refuse..."), quoted from that
    sentence's start, or from the sentence before it, as a window's neighbour, when that one
    holds a question term the quote does not and no blank line parts them ("On POSIX with
    shell=True, the shell defaults to /bin/sh." before "If args is a string, ..."; eval's
    real-tune2 containment 0.48 -> 0.50, real-tune unchanged), and how many characters the
    source gained; None when it would not open
    so: the chunk before ends a sentence or announces what follows where this one starts (an
    option list's "nounset  Same as -u." after "noclobber  Same as -C.")."""
    text = window.source.text
    opening = len(text) - len(text.lstrip())
    if _referent_start(text, window.window.start) > opening:
        return None
    before = preceding(window.source)
    overlap = _overlap(before.text, text) if before is not None else 0
    if before is None or not overlap:
        return None
    cut = len(before.text) - overlap
    head = before.text[:cut].rstrip()
    if not head or head.endswith((*FINISHED, ":")):
        return None
    # A chunk opening with an option or a bracket ("--include-untracked is enabled by
    # default.", "(e.g. backporting a fix ...), adding this ...") does not look cut off, but
    # is when the chunk before runs on to it in the same line.
    if not starts_mid_sentence(text) and "\n" in before.text[len(head) : cut]:
        return None
    head_sentences = [s for s in passage_sentences(before.text) if s.start < cut]
    # from the start of the sentence, not of the last piece of one too long to score whole
    start = _referent_start(before.text, head_sentences[-1].start) if head_sentences else 0
    earlier = [s for s in head_sentences if s.start < start]
    if earlier and window.window.start <= opening:
        prior = earlier[-1]
        quoted_terms = set(content_terms(before.text[start:cut] + text[: window.window.end]))
        fresh = (set(content_terms(prior.text)) - quoted_terms) & asked
        if fresh and not _PARAGRAPH_BREAK.search(before.text, prior.end, start):
            start = prior.start
    source = replace(
        window.source,
        text=before.text[start:cut] + text,
        page=before.page,
        line=before.line_at(start),
        lines=_lines_joined(before, start, cut, window.source),
    )
    moved = _moved(window, source, cut - start)
    if window.window.start > opening:  # its quote opens earlier, where it refers back to
        return moved, cut - start
    whole = replace(
        moved,
        window=TextSpan(0, moved.window.end, source.text[: moved.window.end]),
        sentence=TextSpan(0, moved.sentence.end, source.text[: moved.sentence.end]),
    )
    return whole, cut - start


def _lines_joined(before: Source, start: int, cut: int, source: Source) -> tuple[int, ...] | None:
    """`Source.lines` of `before.text[start:cut]` followed by `source.text`, whose first line
    is the one the cut is in; None when either's lines are not known."""
    earlier = text_lines(before.text, before.line, before.lines)
    later = text_lines(source.text, source.line, source.lines)
    if earlier is None or later is None:
        return None
    first = before.text.count("\n", 0, start)
    return irregular((*earlier[first : first + before.text.count("\n", start, cut)], *later))


def _in_open_block(text: str) -> bool:
    """`text` ends inside a fenced code block: its last one is not closed."""
    blocks = fences(text)
    return bool(blocks) and not blocks[-1][2]


def _moved(window: EvidenceWindow, source: Source, shift: int) -> EvidenceWindow:
    """A window of a chunk onto `source`, which holds that chunk's text from `shift` on."""

    def moved(span: TextSpan) -> TextSpan:
        return TextSpan(span.start + shift, span.end + shift, span.text)

    entry_end = None if window.entry_end is None else window.entry_end + shift
    entry_start = None if window.entry_start is None else window.entry_start + shift
    return replace(
        window,
        source=source,
        sentence=moved(window.sentence),
        window=moved(window.window),
        entry_end=entry_end,
        entry_start=entry_start,
    )


def _extent(window: EvidenceWindow, evidence: Evidence) -> tuple[int, int]:
    """Where the window is in its source, reaching one sentence further when the window ends
    by announcing it (a colon, or no full stop: "If you want to use `cc' instead, type"
    before the command), and one more when that next sentence holds a question term the
    quote does not ("If the separator is not found, ..." after "str.partition(sep) Split
    the string...": on eval/real-tune.jsonl 0.585 -> 0.610 containment, median quote 408 ->
    452 characters; docs/golden.jsonl unchanged), starting at its entry's start (a term, or
    the text under its chunk's heading) when that is at most `ENTRY_LEAD` characters before
    it in the same paragraph, and at the section's heading when it is the line right above;
    a window that stops at a table's header carries its rows, and one that stops inside a
    list it announces carries the list's items."""
    span = window.window
    entry_end = window.entry_end if window.entry_end is not None else len(window.source.text)
    following = [s for s in _sentences(window, evidence) if s.end <= entry_end]
    # A window read on into the next chunk finishes the sentence its chunk cut off.
    cut = next((s for s in following if s.start < span.end < s.end), None)
    if cut is not None:
        span = TextSpan(
            span.start, cut.end, " ".join(window.source.text[span.start : cut.end].split())
        )
    # A window stopped at a table's header carries the rows; else one that does not finish
    # what it says carries the next sentence, and the rows when that is the header.
    text = window.source.text
    end = through_list(text, span.start, through_table(text, span.start, span.end))
    if end == span.end and (not _said(span, following, text) or span.text.endswith(":")):
        end = next((s.end for s in following if s.start >= end), end)
        end = through_list(text, span.start, through_table(text, span.start, end))
    quoted = set(content_terms(window.source.text[span.start : end]))
    quoted.update(content_terms(window.source.heading))
    after = next((s for s in following if s.start >= end), None)
    if (
        after is not None
        and (set(content_terms(after.text)) - quoted) & evidence.term_weights.keys()
    ):
        end = after.end
    end = _under_heading(window.source.text, end)
    start = _past_tail(window.source.text, _referent_start(window.source.text, span.start), end)
    start = _callouts_code(window.source.text, start)
    entry = window.entry_start
    if entry is not None and 0 < start - entry <= ENTRY_LEAD:
        start = start if _PARAGRAPH_BREAK.search(text, entry, start) else entry
    return _heading_above(window.source.text, start, window.source.heading), end


def _callouts_code(text: str, start: int) -> int:
    """Where a quote starting at `start` begins: at the code block its callouts explain when
    it opens in a callout list right under one ("<2> Rewind the master branch to get rid of
    those three commits." under "$ git reset --hard HEAD~3  <2>"), and at the line announcing
    that block when one does ("Undo a commit, making it a topic branch:"); else at `start`."""
    line_start = text.rfind("\n", 0, start) + 1
    if not _CALLOUT.match(text, line_start):
        return start
    while line_start > 0:  # back to the list's first item
        above = text.rfind("\n", 0, line_start - 1) + 1
        if not _CALLOUT.match(text, above):
            break
        line_start = above
    block = next(
        (b for b in fences(text) if b[1] <= line_start and not text[b[1] : line_start].strip()),
        None,
    )
    if block is None:
        return start
    before = text[: block[0]].rstrip()
    return before.rfind("\n") + 1 if before.endswith(":") else block[0]


def _sentences(window: EvidenceWindow, evidence: Evidence) -> list[TextSpan]:
    """The sentences of the window's source in reading order: as evidence split them, or
    split again when the source was read on into the next chunk (`_carried_on`)."""
    split = [w for w in evidence.windows if w.source.id == window.source.id]
    if split and len(split[0].source.text) < len(window.source.text):
        return passage_sentences(window.source.text)
    return sorted((w.sentence for w in split), key=lambda s: s.start)


def _under_heading(text: str, end: int) -> int:
    """Where a quote ending at `end` ends: when its last line is an outline heading of a text
    file ("* Noteworthy changes in release 3.6 (2017-05-21) [stable]" in GNU's NEWS files),
    after the first sentence under it, past the headings below it ("** New features"): a
    heading alone answers nothing."""
    last_line = text[text.rfind("\n", 0, end) + 1 : end]
    if not _OUTLINE_HEADING.match(last_line):  # most quotes: no need to split the text
        return end
    sentences = passage_sentences(text)
    for _ in range(MAX_HEADINGS_CROSSED):
        last = next((s for s in reversed(sentences) if s.end <= end), None)
        after = next((s for s in sentences if s.start >= end), None)
        if last is None or after is None or not _reads_as_heading(text, last):
            break
        end = after.end
    return end


def _reads_as_heading(text: str, sentence: TextSpan) -> bool:
    line = text[sentence.start : sentence.end]
    return (
        _OUTLINE_HEADING.match(line) is not None
        and "\n" not in line
        and sentence.words <= HEADING_WORDS
        and text[sentence.end :].startswith(("\n\n", "\n \n"))
    )


def _past_tail(text: str, start: int, end: int) -> int:
    """Where a quote starting at `start` begins: at the next sentence when it would open with
    the tail of a sentence the chunk before holds whole (chunks overlap by a few words; two
    chunks' windows cut at facing edges are joined before this), if it has one before `end`.
    A longer first sentence is no such tail: the chunk before holds at most the overlap of it
    ("nounset Same as -u. onecmd ... pipefail If set, ...": an option list, not a tail)."""
    opening = len(text) - len(text.lstrip())
    if start > opening or not starts_mid_sentence(text):
        return start
    sentences = passage_sentences(text)
    if not sentences or sentences[0].words > TAIL_WORDS:
        return start
    return next((s.start for s in sentences if start < s.start < end), start)


def _referent_start(text: str, start: int) -> int:
    """Where a quote starting at `start` begins: earlier, while its first sentence refers back
    ("This means that...", "They include...") to the one before it in the same paragraph,
    which a quote opening with it would leave out, or is the rest of a sentence too long to
    score whole (`sentences.MAX_WORDS`: "across both when each cuts them off, and..."), or
    the rest of one a code block interrupts ("For example," and `$ gitk --since="2 weeks
    ago" drivers/` above "allows you to browse any commits from the last 2 weeks ...")."""
    bracket = _bracket_start(text, start)
    if bracket < start:
        return bracket
    if not (_REFERS_BACK.match(text[start:]) or text[start : start + 1].islower()):
        return start
    sentences = [s for s in passage_sentences(text) if s.end <= start]
    while sentences and (_REFERS_BACK.match(text[start:]) or _goes_on(sentences[-1], text, start)):
        before = sentences.pop()
        if "\n\n" in text[before.end : start].replace(" ", ""):
            lead_in = _lead_in(text, before, sentences) if text[start].islower() else None
            return start if lead_in is None else lead_in
        start = before.start
    return start


def _bracket_start(text: str, start: int) -> int:
    """Where the sentence starts that opens a bracket `start` is inside of, one opened at
    most `_BRACKET_REACH` characters before it in its paragraph and closed after it there;
    `start` when it is inside none. "Look closely: the else clause belongs to the for loop,
    not the if statement.)" is the second sentence of "(Yes, this is the correct code. Look
    closely: ...)"."""
    paragraph = text.rfind("\n\n", 0, start)
    paragraph = 0 if paragraph < 0 else paragraph + 2
    depth = 0
    for opened in range(start - 1, max(paragraph, start - _BRACKET_REACH) - 1, -1):
        depth += {")": 1, "(": -1}.get(text[opened], 0)
        if depth < 0:
            break
    else:
        return start
    if ")" not in _paragraph_rest(text, start):
        return start
    sentences = [s for s in passage_sentences(text) if s.start <= opened]
    return sentences[-1].start if sentences else opened


def _paragraph_rest(text: str, start: int) -> str:
    end = text.find("\n\n", start)
    return text[start : len(text) if end < 0 else end]


def _lead_in(text: str, block: TextSpan, sentences: list[TextSpan]) -> int | None:
    """Where the sentence a fenced code block interrupts starts: the block holding `block`,
    right under the first part of that sentence, the last of `sentences` before it, ending
    unfinished ("For example,"); None when there is no such block."""
    fence = next((f for f in fences(text) if f[0] <= block.start and block.end <= f[1]), None)
    if fence is None:
        return None
    above = [s for s in sentences if s.end <= fence[0]]
    if not above or above[-1].text.endswith(FINISHED) or text[above[-1].end : fence[0]].strip():
        return None
    return above[-1].start


def _goes_on(before: TextSpan, text: str, start: int) -> bool:
    """Whether the text at `start` carries on the sentence `before` ends without finishing."""
    return text[start : start + 1].islower() and not before.text.endswith((*FINISHED, ":"))


def _heading_above(text: str, start: int, heading: str) -> int:
    """Where a quote starting at `start` begins: at the line right above it when that line is
    the section's own heading (an entry's signature, "textwrap.dedent(text)", above the
    sentence that describes it), at the text's start when it starts right under the heading
    lines the text opens with (an entry's signatures, one a line), else at `start`. On
    eval/real-tune.jsonl containment 0.634 -> 0.659, median quote 380 -> 388 characters;
    docs/golden.jsonl unchanged."""
    if start == after_opening_heading(text, heading):
        return 0
    before = text[:start].rstrip()
    line_start = before.rfind("\n") + 1
    return line_start if only_heading(before[line_start:], heading) else start


def _said(span: TextSpan, sentences: list[TextSpan], text: str) -> bool:
    """Whether a window says what it has to say: it ends with a full stop, with a fenced code
    block, or with the code the sentence before it announced ("..., type:" and an indented
    command). An indented block of prose (a manual page's paragraph) ending without a stop
    is not finished."""
    if span.text.endswith(FINISHED + CODE_END):
        return True
    inside = [s for s in sentences if span.start <= s.start and s.end <= span.end]
    return (
        len(inside) > 1
        and inside[-2].text.endswith(":")
        and quoted_passage(text, span.start, span.end).ends_in_code
    )


def answer_style(setting: str, profile: ModelProfile) -> AnswerStyle:
    """How to answer with `profile`: `setting` is "auto", "generate" or "quote"."""
    if setting == "auto":
        return "quote" if _small(profile) else "generate"
    return "quote" if setting == "quote" else "generate"


def _small(profile: ModelProfile) -> bool:
    return profile.kind == "llama-cpp" and profile.path == BUNDLED


def _overlaps(one: EvidenceWindow, other: EvidenceWindow) -> bool:
    """The same text: overlapping windows of one source, windows of two chunks of a file that
    share a sentence, of two files that share a long one (a notebook and the page made of it,
    each with a table its own way), or one window's words held in the other's."""
    if one.source.id == other.source.id:
        return one.window.start < other.window.end and other.window.start < one.window.end
    if (one.source.path == other.source.path or _long(one.sentence) or _long(other.sentence)) and (
        one.sentence.text in other.window.text or other.sentence.text in one.window.text
    ):
        return True
    return one.window.text in other.window.text or other.window.text in one.window.text


def _long(sentence: TextSpan) -> bool:
    """A sentence that two files hold because one copies the other, not by chance ("Note:")."""
    return len(sentence.text.split()) >= SHARED_SENTENCE_WORDS


def _same_place(one: EvidenceWindow, other: EvidenceWindow) -> bool:
    """Windows of two chunks of one file around the same sentence (chunks overlap; one may
    hold only the end of it)."""
    return (
        one.source.id != other.source.id
        and one.source.path == other.source.path
        and (one.sentence.text in other.sentence.text or other.sentence.text in one.sentence.text)
    )


def _joined(one: EvidenceWindow, other: EvidenceWindow) -> EvidenceWindow | None:
    """One window across two overlapping chunks of a file, as the earlier one's source with
    the later one's text beyond the overlap; None when neither ends where the other starts."""
    for early, late in ((one, other), (other, one)):
        overlap = _overlap(early.source.text, late.source.text)
        if overlap:
            text = early.source.text + late.source.text[overlap:]
            shift = len(early.source.text) - overlap
            start = min(early.window.start, late.window.start + shift)
            end = max(early.window.end, late.window.end + shift)
            return replace(
                early,
                source=replace(early.source, text=text),
                window=TextSpan(start, end, " ".join(text[start:end].split())),
                score=max(early.score, late.score),
            )
    return None


def _overlap(early: str, late: str) -> int:
    """How many characters that end `early` start `late` (chunks overlap by a few words)."""
    head = late[:OVERLAP_PROBE]
    at = early.find(head, max(0, len(early) - len(late)))
    while at >= 0:
        if late.startswith(early[at:]):
            return len(early) - at
        at = early.find(head, at + 1)
    return 0


def _cut_off(window: EvidenceWindow) -> bool:
    """The window reaches an edge of its chunk: its end, or a start in mid-sentence."""
    text = window.source.text
    opening = len(text) - len(text.lstrip())
    return window.window.end >= len(text.rstrip()) or (
        window.window.start <= opening and starts_mid_sentence(text)
    )
