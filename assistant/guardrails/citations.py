"""Output checks: citation markers must point at real sources, claims should be grounded.

Grounding is measured lexically, a simple method that is easy to reason about:

- the answer is split into sentences; a sentence with at least two content words (words that
  are not stop words, lower-cased, plural "s" removed, numbers normalised) is a claim;
- a claim is supported when at least half of its content words occur in the reference
  texts: the cited sources, or every source when the answer cites none;
- `score` is the share of supported claims (1.0 when there are no claims);
- `unsupported` lists the specific facts no reference text contains: numbers ("2,350" and
  "2350" are the same, so are "17%" and "17 %"; single digits are skipped, as they are
  often written out as words), ISO dates, and names (capitalised words that do not start a
  sentence, taken together when adjacent, as in "New York Times").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_LIST = r"\d+(?:\s*(?:[,;]|[-–])\s*(?:sources?\s*)?\d+)*"
# group 1: the space before the marker (dropped with a removed marker); group 2: the numbers
_BRACKET_MARKER = re.compile(
    rf"([ \t]*)\[\s*((?:sources?\s*)?{_NUMBER_LIST})\s*\](?!\()", re.IGNORECASE
)
_PAREN_MARKER = re.compile(rf"([ \t]*)\(\s*(sources?\s*{_NUMBER_LIST})\s*\)", re.IGNORECASE)
# Code and URLs: brackets there are not citations, and their words are not claims.
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`|https?://[^\s)]+", re.DOTALL)
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
_MAX_RANGE = 50

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*(?:\s?%)?")
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s?%)?|(?<![\w.,])\d+(?:\.\d+)?(?:\s?%)?"
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Capitalised words, joined when adjacent ("New York Times", "Bank of England"); an
# apostrophe belongs to a name only before a capital (O'Brien), so "Acme's API" is two.
_NAME_WORD = r"[A-Z](?:[\w-]|['’](?=[A-Z]))*"
_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:of\s+|de\s+|the\s+)?{_NAME_WORD})*(?:['’]s\b)?")
_LEADING_MARKUP = re.compile(r"(?:^[\s>#*•-]*(?:\d+[.)])?|[\s*_\"'(\[]+$)")
_POSSESSIVE = re.compile(r"['’]s$")
_MARKERS = re.compile(rf"{_BRACKET_MARKER.pattern}|{_PAREN_MARKER.pattern}", re.IGNORECASE)
_STOP_WORD_LIST = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours
    may might must shall however therefore thus according source sources document documents
    answer
"""
_STOP_WORDS = frozenset(_STOP_WORD_LIST.split())
_NOT_NAMES = _STOP_WORDS | {"i"}
_SUPPORT_SHARE = 0.5
_MIN_CLAIM_WORDS = 2


@dataclass(frozen=True, slots=True)
class CitationCheck:
    text: str  # the answer with invalid markers removed
    cited: list[int]  # valid source numbers, in order of first use
    invalid: list[int]  # numbers that name no source, in order of first use


@dataclass(frozen=True, slots=True)
class Grounding:
    score: float  # share of claims supported by the reference texts, 0..1
    unsupported: list[str]  # numbers, dates and names found in no reference text


def check_citations(answer_text: str, source_numbers: set[int]) -> CitationCheck:
    """Keep markers that name real sources, drop the others; code spans are left alone."""
    cited: list[int] = []
    invalid: list[int] = []

    def rewrite(match: re.Match[str]) -> str:
        parenthesised = match.group(2) is None
        lead, listed = (match.group(3), match.group(4)) if parenthesised else match.group(1, 2)
        numbers = _numbers_in(listed)
        for number in numbers:
            bucket = cited if number in source_numbers else invalid
            if number not in bucket:
                bucket.append(number)
        valid = [n for n in numbers if n in source_numbers]
        if len(valid) == len(numbers):
            return match.group()
        if not valid:
            return ""
        kept = ", ".join(str(n) for n in valid)
        if parenthesised:
            return f"{lead}(source {kept})"
        word = "Source " if "source" in listed.lower() else ""
        return f"{lead}[{word}{kept}]"

    pieces: list[str] = []
    position = 0
    for code in [*_CODE.finditer(answer_text), None]:
        end = code.start() if code else len(answer_text)
        prose = answer_text[position:end]
        pieces.append(_MARKERS.sub(rewrite, prose))
        if code:
            pieces.append(code.group())
            position = code.end()
    return CitationCheck(text="".join(pieces), cited=cited, invalid=invalid)


def assess_grounding(
    answer_text: str, cited_texts: list[str], all_source_texts: list[str]
) -> Grounding:
    """How much of the answer the sources support, and which facts they do not contain."""
    reference = " \n ".join(cited_texts if cited_texts else all_source_texts)
    reference_words = {_stem(word) for word in _words(reference)}
    reference_numbers = {_normal_number(n) for n in _NUMBER.findall(reference)}
    reference_flat = " ".join(reference.lower().split())
    prose = _MARKERS.sub(" ", _CODE.sub(" ", answer_text))
    claims = supported = 0
    unsupported: list[str] = []
    for sentence in _SENTENCE_END.split(prose):
        content = {_stem(word) for word in _words(sentence)}
        if len(content) >= _MIN_CLAIM_WORDS:
            claims += 1
            found = sum(word in reference_words for word in content)
            supported += found / len(content) >= _SUPPORT_SHARE
        for fact in _facts(sentence):
            if _NUMBER.fullmatch(fact):
                missing = _normal_number(fact) not in reference_numbers
            else:
                phrase = re.escape(" ".join(fact.lower().split()))
                missing = re.search(rf"(?<!\w){phrase}(?!\w)", reference_flat) is None
            if missing and fact not in unsupported:
                unsupported.append(fact)
    score = supported / claims if claims else 1.0
    return Grounding(score=round(score, 3), unsupported=unsupported)


@dataclass(frozen=True, slots=True)
class Attribution:
    text: str  # the answer with a marker after each sentence a source supports
    cited: list[int]  # source numbers added, in order of first use


# A sentence ends at . ! or ? followed by space or the end, or at a line break.
_SENTENCE_STOP = re.compile(r"[.!?](?=\s|$)|\n")
_MIN_ATTRIBUTED_WORDS = 3


def attribute_citations(answer_text: str, sources: dict[int, str]) -> Attribution:
    """Cite, for a model that gave no citations, the source that best supports each sentence.

    A sentence gets the marker [n] of the source holding the largest share of its content
    words, when that share reaches the support threshold used for grounding. Code blocks
    and sentences too short to be a claim are left alone. Markers only ever name sources
    that were given to the model.
    """
    vocabularies = {n: {_stem(w) for w in _words(text)} for n, text in sources.items()}
    code_spans = [m.span() for m in _CODE.finditer(answer_text)]
    pieces: list[str] = []
    cited: list[int] = []
    start = 0
    for stop in _SENTENCE_STOP.finditer(answer_text):
        if any(a <= stop.start() < b for a, b in code_spans):
            continue
        sentence = answer_text[start : stop.start()]
        number = _best_support(sentence, vocabularies)
        pieces.append(sentence if number is None else f"{sentence} [{number}]")
        if number is not None and number not in cited:
            cited.append(number)
        pieces.append(stop.group())
        start = stop.end()
    pieces.append(answer_text[start:])
    return Attribution(text="".join(pieces), cited=cited)


def _best_support(sentence: str, vocabularies: dict[int, set[str]]) -> int | None:
    content = {_stem(word) for word in _words(_CODE.sub(" ", sentence))}
    if len(content) < _MIN_ATTRIBUTED_WORDS or not vocabularies:
        return None
    share, number = max(
        (sum(word in vocabulary for word in content) / len(content), -n)
        for n, vocabulary in vocabularies.items()
    )
    return -number if share >= _SUPPORT_SHARE else None


def _numbers_in(listed: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"[,;]", re.sub(r"(?i)sources?", "", listed)):
        bounds = _RANGE.fullmatch(part.strip())
        if bounds and 0 < int(bounds[2]) - int(bounds[1]) <= _MAX_RANGE:
            numbers.extend(range(int(bounds[1]), int(bounds[2]) + 1))
        else:
            numbers.extend(int(n) for n in re.findall(r"\d+", part))
    return list(dict.fromkeys(numbers))


def _facts(sentence: str) -> list[str]:
    """Numbers, ISO dates and names in one sentence, as written."""
    facts = _ISO_DATE.findall(sentence)
    for number in _NUMBER.findall(_ISO_DATE.sub(" ", sentence)):
        value = number.strip()
        if not (value.isdigit() and len(value) == 1):
            facts.append(value)
    for match in _NAME.finditer(sentence):
        words = [_POSSESSIVE.sub("", word) for word in match.group().split()]
        if _starts_clause(sentence[: match.start()]) and (
            len(words) == 1 or words[0].lower() in _STOP_WORDS
        ):
            words = words[1:]  # a capital that only starts the sentence or a clause
        if words and not (len(words) == 1 and words[0].lower() in _NOT_NAMES):
            facts.append(" ".join(words))
    return facts


def _starts_clause(before: str) -> bool:
    """True when only list markup, or a colon or dash, comes before a word."""
    rest = _LEADING_MARKUP.sub("", before)
    return not rest or rest[-1] in ":;—–-•"


def _words(text: str) -> list[str]:
    return [
        word
        for word in (w.lower().strip("'-.,") for w in _WORD.findall(text))
        if word and word not in _STOP_WORDS
    ]


def _stem(word: str) -> str:
    """Just enough stemming for overlap: numbers normalised, a plural or possessive "s" off."""
    if word[0].isdigit():
        return _normal_number(word)
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _normal_number(number: str) -> str:
    """ "2,350" -> "2350", "17 %" -> "17%", "3.50" -> "3.5"."""
    compact = number.replace(",", "").replace(" ", "").rstrip(".")
    percent = compact.endswith("%")
    digits = compact.rstrip("%")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits + ("%" if percent else "")
