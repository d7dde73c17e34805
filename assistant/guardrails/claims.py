"""What a sentence asserts, in the forms the support check compares with the sources.

- content words: words that are not stop words, lower-cased, a plural or possessive "s" off,
  numbers normalised ("2,350" and "2350" are the same, so are "17%" and "17 %");
- facts: numbers (single digits are skipped, as they are often written out as words), ISO
  dates, and names (capitalised words that do not start a sentence or a clause, taken
  together when adjacent, as in "New York Times");
- technical terms: what a person would type or look up, where a near miss is a wrong answer
  ("pip -m jupyte"): the words of inline code, dotted, snake_case and called names
  (`shutil.copytree`, `dirs_exist_ok`, `copy2()`), command-line options and the words around
  them, paths and `$VARIABLES`. Quoted strings inside code are examples, not terms.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*(?:\s?%)?")
NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s?%)?|(?<![\w.,])\d+(?:\.\d+)?(?:\s?%)?"
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Capitalised words, joined when adjacent ("New York Times", "Bank of England"); an
# apostrophe belongs to a name only before a capital (O'Brien), so "Acme's API" is two.
_NAME_WORD = r"[A-Z](?:[\w-]|['’](?=[A-Z]))*"
_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:of\s+|de\s+|the\s+)?{_NAME_WORD})*(?:['’]s\b)?")
_LEADING_MARKUP = re.compile(r"(?:^[\s>#*•|-]*(?:\d+[.)])?|[\s*_\"'(\[|]+$)")
_POSSESSIVE = re.compile(r"['’]s$")
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
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())
_NOT_NAMES = STOP_WORDS | {"i"}

# Technical terms in prose, and tokens inside code.
_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?"
_SNAKE = r"\w*[A-Za-z]\w*_\w+(?:\(\))?"
_CALLED = r"[A-Za-z_]\w*\(\)"
_OPTION = r"(?<![\w-])--?[A-Za-z][\w-]*"
_PATH = r"(?<![\w/])~?/[\w.-]+(?:/[\w.-]+)*/?"
_VARIABLE = r"\$\{?[A-Za-z_]\w*\}?"
_TERM = re.compile(rf"{_PATH}|{_VARIABLE}|{_DOTTED}|{_SNAKE}|{_CALLED}|{_OPTION}")
_OPTION_ONLY = re.compile(_OPTION)
_CODE_TOKEN = re.compile(rf"{_OPTION}|{_PATH}|{_VARIABLE}|[A-Za-z_][\w.-]*\w")
_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
_COMMAND_WORD = re.compile(r"[A-Za-z][\w.-]*\w|[A-Za-z]")


def words(text: str) -> list[str]:
    """The content words of `text`, lower-cased, in order, not yet stemmed."""
    return [
        word
        for word in (w.lower().strip("'-.,") for w in _WORD.findall(text))
        if word and word not in STOP_WORDS
    ]


def content_words(text: str) -> set[str]:
    """The stemmed content words of `text`."""
    return {stem(word) for word in words(text)}


def stem(word: str) -> str:
    """Just enough stemming for overlap: numbers normalised, a plural or possessive "s" off."""
    if word[0].isdigit():
        return normal_number(word)
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normal_number(number: str) -> str:
    """ "2,350" -> "2350", "17 %" -> "17%", "3.50" -> "3.5"."""
    compact = number.replace(",", "").replace(" ", "").rstrip(".")
    percent = compact.endswith("%")
    digits = compact.rstrip("%")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits + ("%" if percent else "")


def facts(sentence: str) -> list[str]:
    """Numbers, ISO dates and names in one sentence of prose, as written."""
    found = _ISO_DATE.findall(sentence)
    for number in NUMBER.findall(_ISO_DATE.sub(" ", sentence)):
        value = number.strip()
        if not (value.isdigit() and len(value) == 1):
            found.append(value)
    for match in _NAME.finditer(sentence):
        parts = [_POSSESSIVE.sub("", word) for word in match.group().split()]
        if _starts_clause(sentence[: match.start()]) and (
            len(parts) == 1 or parts[0].lower() in STOP_WORDS
        ):
            parts = parts[1:]  # a capital that only starts the sentence or a clause
        if parts and not (len(parts) == 1 and parts[0].lower() in _NOT_NAMES):
            found.append(" ".join(parts))
    return found


def prose_terms(prose: str) -> list[str]:
    """Technical terms in prose (code removed): names with dots, underscores or a call,
    options with the command before them and the word after, paths, `$VARIABLES`."""
    terms = [m.group().rstrip(".") for m in _TERM.finditer(prose)]
    for option in _OPTION_ONLY.finditer(prose):
        before = _COMMAND_WORD.findall(prose[: option.start()])
        after = _COMMAND_WORD.match(prose[option.end() :].lstrip())
        if before and before[-1].lower() not in STOP_WORDS:
            terms.append(before[-1])
        if after and after.group().lower() not in STOP_WORDS:
            terms.append(after.group())
    return list(dict.fromkeys(term for term in terms if _is_term(term)))


def code_terms(code: str) -> list[str]:
    """The names and options in a piece of code (inline or a fenced block's body)."""
    body = _QUOTED.sub(" ", code)
    terms = (m.group() for m in _CODE_TOKEN.finditer(body))
    return list(dict.fromkeys(term for term in terms if _is_term(term)))


def _is_term(term: str) -> bool:
    bare = term.strip("$-{}()/.~")
    return len(bare) >= 2 and any(c.isalpha() for c in bare)


def _starts_clause(before: str) -> bool:
    """True when only list markup, or a colon or dash, comes before a word."""
    rest = _LEADING_MARKUP.sub("", before)
    return not rest or rest[-1] in ":;—–-•"
