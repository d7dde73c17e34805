"""Follow-up questions: does a question lean on the conversation, and what to search for.

A question depends on the turns before it when it cannot be understood alone: it refers
back ("it", "its", "those", "that one", "the same"), continues ("and how do I...",
"what about...", "also"), is a fragment ("Why?", "On Windows?", "The default?") or asks
about a part of something it does not name ("What's the default?", "Which is faster?"), or
names a thing of the turn before with "the" ("What should I include in the report?" after
"How do I report a bug in procps?"; see `_THE_SAME_THING`). Only then does history shape the
search: the question is searched together with the topic of the turn before (the content
words of what that turn searched, so a chain of follow-ups keeps its subject). Any other
question is searched exactly as asked, as if the conversation were new: "What does
shutil.copytree do?" after a question about venv finds what it finds alone, and so does "How
do I read a JSON file and print it?", whose "it" is the file it names.

"What about wget?" after "How do I make curl follow redirects?" asks the same of another
thing: the new thing takes the place of the topic word most like it ("wget" of "curl", by the
embedding model's cosine, at least `IN_PLACE_SIMILARITY`), or the search would find curl's
page again. A name like no word that much takes the place of a name written the same way: a
command of a command ("And wget?" after a question about building tmux), a system of a system
("What about Fedora?" after one about Debian), a format of a format. After "in", "on" or
"with", a thing takes the place only of a word the question before put there ("And in
util-linux?" after "How do I report a bug in procps?", not "And in tmux.conf?" after "How do I
configure tmux?"). "What about Windows?" after a question about virtual environments
is like none of its words, and after "How do I install tmux?" it names no command: either
adds to the topic instead. Only a name (a tool, a system, a format: a word
with a capital or digit, or one no English word list counts) is another thing: "And in
reverse order?" after a question about sorting ls by time qualifies the question, though
"reverse order" is 0.54 like "sort"; put in its place, the search found find(1) before ls(1).
A plural in common words is another thing of the kind the topic's plurals are, and takes the
place of the one most like it: "What about functions?" after "How do I list schemas in psql?"
searched (list schemas psql) and quoted the schemas note again. A plural with no plural in
the topic adds to it ("What about plugins?" after "How do I install tmux?"): as a name, the
word in no English word list, it took tmux's place.

A new action on the same thing ("And list its contents?" after "How do I extract a tar
archive?") takes the place of the earlier one: the search is for the tar archive, not for
extracting it, which found --to-command's text before --list. Not when the earlier question
names little else: in "How do I zip a directory?" the verb is the tool, and stays.

The rules are plain and deterministic; tests/assistant/ask/test_followup.py holds a labelled
set of follow-ups and independent questions they are checked on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.ask.types import PlainTurn, Turn
from ingest.english_words import is_common_english

if TYPE_CHECKING:
    from ingest.embedder import Embedder

MAX_TOPIC_WORDS = 8
# A new thing replaces a topic word at least this like it. Chosen on word pairs by the bundled
# MiniLM's cosine: wget/curl 0.51, macOS/linux 0.56 (replaced); Windows/virtual 0.43,
# json/parse 0.34, timeouts/limit 0.29 (added). On 14 follow-ups written afterwards it replaced
# the right word for 1 of 8 ("bzip2" for "gzip"; "pandas" is 0.45 like "numpy", "Fedora" 0.26
# like "Debian") and kept the topic whole for 5 of 6: mostly it adds, as it did before.
# Below it, a name takes the place of the topic's name most like it among those written the
# same way (`_written`): MiniLM hardly knows either ("wget" is 0.15 like "tmux", "Fedora" 0.29
# like "Debian"), yet "And wget?" after "How do I build tmux from source?" asks about wget
# instead, while "What about Windows?" after "How do I install tmux?" asks about tmux on
# Windows. On 20 follow-ups written with the rule, 19 searched for the right thing (6 before);
# on 24 written after it, 18 (10 before), and one got worse: "What about conda?" after "How do
# I install numpy with pip?" drops numpy, not pip, which reads as a common word.
IN_PLACE_SIMILARITY = 0.5
# "what about X?", "how about X?", "and X?", "and for X?": the same question of another thing
_ANOTHER_THING = re.compile(
    r"^\W*(?:what about|how about|and(?:\s+(?P<place>for|with|in|on))?)"
    r"\s+(?P<thing>[^?!]+?)\W*$",
    re.IGNORECASE,
)
# "And in util-linux?" after "How do I report a bug in procps?" asks the same of util-linux;
# "And on Windows?" after "How do I install tmux?" asks where, and tmux stays: a thing after
# one of these takes the place only of a word the earlier question put after it.
_WHERE = frozenset({"in", "on", "with"})
_ARTICLE = r"(?:(?:a|an|the|my|our|your)\s+)?"
_THING_WORDS = 3
# Plurals that ask about the question, not another thing: "What about examples?" after "How do
# I write unit tests?" still asks about tests.
_ABOUT_THE_QUESTION = frozenset(
    [
        "examples",
        "options",
        "alternatives",
        "details",
        "defaults",
        "ones",
        "others",
        "steps",
        "differences",
        "advantages",
        "drawbacks",
        "caveats",
        "limitations",
        "pros",
        "cons",
    ]
)
# "How do I create a virtual environment?", then "And how do I activate it?" or "And activate
# it?": the new action takes the place of the old, what it is done to stays.
_HOW_TO = re.compile(
    r"\bhow\s+(?:(?:do|can|could|should|would)\s+(?:i|you|we|one)|to)\s+(?P<verb>[a-z][\w-]*)",
    re.IGNORECASE,
)
# Not before "one" or "ones": "And remote ones?" after deleting merged branches asks about
# other branches, and took "remote" for an action in the place of "delete".
_AND_DO = re.compile(
    r"^\W*(?:and|or|then|also)\s+(?P<verb>[a-z][\w-]*)\s+"
    r"(?:it|them|its|their|the|a|an|this|that|these|those)\b",
    re.IGNORECASE,
)
# Topic words that must be left when the earlier action goes: with fewer ("directory"), the
# verb may be what names the thing ("How do I zip a directory?", then "How do I protect it with
# a password?"), and it stays.
_THING_LEFT = 2
_AS_WELL = re.compile(r"\b(?:too|also|as well)\b", re.IGNORECASE)  # one action more, not another
_NOT_ACTIONS = frozenset(
    {"across", "at", "by", "for", "from", "in", "inside", "into", "on", "onto", "over", "via"}
)
_NAME_WORD = re.compile(r"[A-Za-z][\w+-]*")

_CONTINUES = re.compile(
    r"^\W*(?:(?P<word>and|or|but|so|also|then|plus|same)\b"
    r"|(?P<phrase>what about|how about|what else|what if|and what|and how|why not)\b)",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"\b(?:it|its|it's|itself|they|them|their|theirs|themselves|this|these|those|he|she|him|her"
    r"|the same|the other|the former|the latter|the previous|the first one|the second one"
    r"|the last one|which one|that one|this one|(?:do|does|did|is|was|about|like|mean|means"
    r"|undo|use|change|fix|with|for|of) that)\b|\bthat\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# A pronoun refers to a thing named earlier in the same question ("a/the NOUN", a dotted,
# snake_case or called name, inline code) when it is a possessive ("a folder and its
# permissions") or starts a clause ("the budget ... when it is exceeded"); "Does the cache
# keep them?" still refers back.
_PLURAL_NOUN = re.compile(r"\b(?!(?:does|is|was|has|this|its|us|yes|always|perhaps)\b)[a-z]{3,}s\b")
_POSSESSIVE = frozenset({"its", "their", "theirs"})
_SUBJECT = frozenset({"it", "it's", "they", "them"})
_CLAUSE_START = re.compile(
    r"\b(?:when|whenever|before|after|if|once|until|unless|while|because|since|so|and|or|but"
    r"|that|which|whether|where)(?:\s+(?:is|are|was|were|does|do|did|will|would|can|could"
    r"|should|has|have))?\s*$",
    re.IGNORECASE,
)
_ANTECEDENT = re.compile(
    r"\b(?:a|an|the|my|our|your)\s+[A-Za-z]|`[^`]+`|\w+\.\w+|\w+_\w+|\w+\(\)"
    r"|(?<=[^\s.?!]\s)(?-i:[A-Z][A-Za-z0-9]+)",  # a name inside a sentence: "JSON", "Python"
    re.IGNORECASE,
)
# A pronoun a later clause ends on refers to what the first one named: "read a JSON file and
# print it", "find files older than 7 days and delete them". A verb (at least one word) stands
# between the joining word and the pronoun: "copy the output to it" still refers back.
_LATER_CLAUSE = re.compile(
    r"\b(?:and|or|then|to|so|before|after|when|once|until|if)\s+\w[^,;]*$", re.IGNORECASE
)
_PLURAL = frozenset({"they", "them", "their", "theirs"})
_PERSONAL = _PLURAL | {"it", "its"}
# "it" that refers to nothing: "is it possible to...", "how long does it take to..."
_EMPTY_IT = re.compile(
    r"\b(?:is|was|isn't|wasn't)\s+it\s+(?:possible|safe|ok|okay|true|necessary|better|worth"
    r"|recommended|allowed|normal|a good idea)\b|\bit\s+(?:is|'s)\s+(?:possible|safe|ok"
    r"|okay|true|necessary|better|worth|recommended|allowed|normal|a good idea)\b"
    r"|\b(?:does|will|would)\s+it\s+take\b",
    re.IGNORECASE,
)
# "instead" alone refers back ("Can I use zip instead?"); "instead of X" names what it
# replaces ("into some other directory instead of the one I'm in").
_ADVERB = re.compile(
    r"\b(?:instead(?!\s+of\b)|as well|again|tell me more|more about|an example|for example)\b"
    r"|\b(?:too|else)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_BARE_WH = re.compile(r"^\W*(?:why|how|when|where|which|what|how so|example|examples)\W*$", re.I)
# A question about "the" part or property of something it does not name ("What's the
# default?", "What is the syntax?"), or which of several is better ("Which is faster?"). A
# thing of its own ("What is the budget?", "When is the deadline?") is a question alone.
_OF_SOMETHING = (
    "default|defaults|syntax|difference|alternative|equivalent|opposite|limit|maximum|minimum"
    "|format|flag|option|options|argument|arguments|parameter|parameters|value|values|type"
    "|output|result|return value|exit code|exit status|error|exception|path|location|size"
    "|unit|version|purpose|reason|point|catch|downside|advantage|example"
)
_BARE_SUBJECT = re.compile(
    r"^\W*(?:(?:what|which|where|how|who|when)(?:'s|\s+(?:is|are|was|were|does|do|did))"
    rf"\s+the\s+(?:{_OF_SOMETHING})(?:\s+(?:do|does|mean|means))?"
    r"|which\s+(?:one\s+)?(?:is|are)\s+(?:\w+er|better|worse|best|worst|(?:more|less)\s+\w+))"
    r"\W*$",
    re.IGNORECASE,
)
_FRAGMENT_START = re.compile(
    r"^\W*(?:on|in|for|with|without|from|under|inside|using|via|the|a|an)\b", re.IGNORECASE
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|do|does|did|can|could|should|will|would|has|have|had|must|may"
    r"|might|need|needs|means?|works?|happens?|returns?|gets?)\b",
    re.IGNORECASE,
)
_FRAGMENT_WORDS = 5
_WORD = re.compile(r"-{0,2}[\w$][\w.\-/$]*")  # "--in-place" and "-i" keep their dashes
# "the NOUN", NOUN a word of the turn before, refers back to it when NOUN ends its phrase:
# the question ends or a possessive, a preposition, a joining word, an auxiliary verb or an
# adverb follows ("close the file?", "the archive's contents", "the budget is spent",
# "unmount the drive safely", "stop the process later"). So does it when "the NOUN" is the
# subject of a question or clause (after an auxiliary verb or a question word) and the word
# after it is its verb: a participle ("is the key stored"), or a word the question or a
# determiner follows ("does the model cost?", "does the rule run every time", "where the link
# points"). Another word after it may make a thing of its own ("the environment variables",
# "the file descriptor", "the git stash command", "does the job control in bash do"): left
# alone, as is a question that names a thing of its own (a name or code: "the file command
# ... for a PDF"). Plain and conservative: a follow-up it misses ("make the expression
# case-insensitive") is searched as asked.
_THE_SAME_THING = re.compile(r"\b(?i:the)\s+(?P<noun>[a-z][a-z-]*)(?P<possessive>['’]s\b)?")
_ENDS_PHRASE_LIST = """
    about above after again against and are as at because before behind below between but
    by can could did do does during for from had has have if in inside into is may might must
    near of on or over should since so than that then through to too under until was were when
    where which while will with within without would
"""
_ENDS_PHRASE = frozenset(_ENDS_PHRASE_LIST.split())
_PHRASE_END_ADVERB_LIST = "later now first instead afterwards anyway yet already also once"
_PHRASE_END_ADVERBS = frozenset(_PHRASE_END_ADVERB_LIST.split())
_SUBJECT_BEFORE_LIST = """
    is are was were do does did can could should will would may might must has have had
    where what which when why how whether if
"""
_SUBJECT_BEFORE = frozenset(_SUBJECT_BEFORE_LIST.split())
_DETERMINER_LIST = "a an the its their his her my your our this these those every each all"
_DETERMINERS = frozenset(_DETERMINER_LIST.split())
_BEFORE_VERB = frozenset(["not", "never", "still", "always", "ever", "even"])
_RELATIVE = frozenset(["which", "what"])  # "which groups the user belongs to"
_OF_PHRASE = 4  # words back from "of" to the "the" that opens its phrase: "the first run of"
_MAKES = frozenset(["make", "keep", "leave", "set", "render", "mark"])
_STRANDED_LIST = "about at by for from in into of on over to with"  # ends "belongs to?"
_STRANDED = frozenset(_STRANDED_LIST.split())
_CODE = re.compile(r"`[^`]+`|\w\.\w|\w_\w|\w\(\)|(?:^|\s)--?\w")
_QUESTION_WORD_LIST = """
    a about above after again all also am an and any are as at be because been before being
    between both but by can could did do does doing during each few for from further had has
    have having how i if in into is it its itself just me more most my no nor not now of off
    on once only or other our out over own same should so some such than that the their them
    then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours may might must shall
    please tell show explain give way use using used get make work
"""
_QUESTION_WORDS = frozenset(_QUESTION_WORD_LIST.split())


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to search for one question.

    `text` is the question itself unless the question depends on earlier turns; then it is
    the question with the earlier topic, and `reason` says what made it depend on them.
    """

    text: str
    reason: str = ""

    @property
    def uses_history(self) -> bool:
        return bool(self.reason)


def depends_on_history(question: str) -> str:
    """Why `question` cannot be understood without the turns before it ("" when it can)."""
    text = question.strip()
    if (start := _CONTINUES.match(text)) is not None:
        return f"it continues the conversation ({start.group().strip().lower()!r})"
    for pronoun in _PRONOUN.finditer(_EMPTY_IT.sub(" ", text)):
        word = pronoun.group().strip(" ?.!").lower()
        if _refers_inside(word, text[: pronoun.start()]):
            continue  # "a remote request ... before it is sent": it is in the question
        return f"it refers back ({word!r})"
    if _ADVERB.search(text) is not None:
        return "it refers back to the answer before"
    if _BARE_WH.match(text) is not None:
        return "it is a fragment"
    if _BARE_SUBJECT.match(text) is not None:
        return "it names no subject of its own"
    short = len(_WORD.findall(text)) <= _FRAGMENT_WORDS
    if short and _VERB.search(text) is None and _FRAGMENT_START.match(text) is not None:
        return "it is a fragment"
    return ""


def _refers_inside(pronoun: str, before: str) -> bool:
    """True when `pronoun` refers to something named in `before`, the question up to it."""
    if pronoun in _POSSESSIVE and _PLURAL_NOUN.search(before) is not None:
        return True  # "where do new employees pick up their badge"
    if _in_later_clause(pronoun, before):
        return True
    if _ANTECEDENT.search(before) is None:
        return False
    return pronoun in _POSSESSIVE or (
        pronoun in _SUBJECT and _CLAUSE_START.search(before) is not None
    )


def _in_later_clause(pronoun: str, before: str) -> bool:
    """True when `pronoun` closes a clause after the one that names what it stands for."""
    if pronoun not in _PERSONAL:
        return False  # "and then do that on Windows" points back at an answer
    named = (_PLURAL_NOUN if pronoun in _PLURAL else _ANTECEDENT).search(before)
    return named is not None and _LATER_CLAUSE.search(before, named.end()) is not None


Similarities = Callable[[str, list[str]], list[float]]  # cosine of a text with each word


def standalone_query(
    question: str, history: Sequence[Turn], similarities: Similarities | None = None
) -> SearchQuery:
    """What to search for `question`, asked after `history` (oldest turn first);
    `similarities` finds the topic word another thing takes the place of (None: it adds)."""
    if not history:
        return SearchQuery(question)
    previous = history[-1]
    topic = topic_words(previous.search_query or previous.question)
    reason = depends_on_history(question) or _names_earlier_thing(question, topic)
    if not reason:
        return SearchQuery(question)
    own = {_singular(word.lower()) for word in _WORD.findall(question)}
    added = [word for word in topic if _singular(word.lower()) not in own]
    swap = _in_place(question, previous.search_query or previous.question, added, similarities)
    if swap is not None:
        thing, replaced = swap
        added.remove(replaced)
        reason += f"; “{thing}” in place of “{replaced}”"
    action = _new_action(question, previous.search_query or previous.question, added)
    if action is not None:
        verb, replaced = action
        added.remove(replaced)
        reason += f"; “{verb}” in place of “{replaced}”"
    if not added:
        return SearchQuery(question)
    return SearchQuery(f"{question.strip()} ({' '.join(added)})", reason)


def _names_earlier_thing(question: str, topic: Sequence[str]) -> str:
    """Why `question` refers back to a thing of `topic` by "the" (`_THE_SAME_THING`), or ""."""
    if _CODE.search(question) is not None:
        return ""
    earlier = {_singular(word.lower()) for word in topic}
    for named in _THE_SAME_THING.finditer(question):
        noun = named["noun"]
        if _singular(noun) not in earlier or _names_own_thing(question, noun):
            continue
        after = [word.strip("?.!,;:").lower() for word in question[named.end() :].split()]
        following = after[0] if after else ""  # "": the phrase ends
        ends = (
            not following
            or following in _ENDS_PHRASE
            or following in _PHRASE_END_ADVERBS
            or following.endswith("ly")
            or _subject_with_its_verb(question[: named.start()], after)
            or _object_with_its_complement(question[: named.start()], after)
        )
        if named["possessive"] or ends:
            return f"it refers back (“the {noun}”)"
    return ""


def _subject_with_its_verb(before: str, after: Sequence[str]) -> bool:
    """Whether "the NOUN", with the question's words `before` and `after` it, is the subject
    of a question or clause followed by its verb: "Where is the key stored?", "How much does
    the model cost?", "Where does the script print its output?"; also as the noun of an "of"
    phrase that is the subject ("When does the first run of the timer happen?", "Where does
    the size of the file get checked?") and in a clause after "which" or "what" and its noun
    ("which groups the user belongs to?", "which ports the container uses?")."""
    words = [word.lower() for word in before.split()]
    if words[-1:] == ["of"]:  # the subject is the phrase "of" ends: "the first run of"
        start = max(0, len(words) - _OF_PHRASE)
        opens = [at for at in range(start, len(words)) if words[at] == "the"]
        words = words[: opens[-1]] if opens else words
    relative = len(words) >= 2 and words[-2] in _RELATIVE and words[-1] not in _QUESTION_WORDS
    subject = relative or (bool(words) and words[-1] in _SUBJECT_BEFORE)
    if not subject or not after:
        return False
    if after[0] in _BEFORE_VERB and len(after) > 1:
        after = after[1:]  # "Why does the job not run?"
    verb, rest = after[0], after[1:]
    stranded = len(rest) == 1 and rest[0] in _STRANDED  # "belongs to?"
    participle = bool(rest) and rest[0].endswith("ed")  # "get checked?"
    return verb.endswith("ed") or not rest or rest[0] in _DETERMINERS or stranded or participle


def _object_with_its_complement(before: str, after: Sequence[str]) -> bool:
    """Whether "the NOUN" is what a verb such as "make" turns into the question's last word:
    "How do I make the script executable?", "make the expression case-insensitive?"."""
    words = before.lower().split()
    return bool(words) and words[-1] in _MAKES and len(after) == 1


def _names_own_thing(question: str, noun: str) -> bool:
    """Whether `question` names something besides `noun`: a name, not common English words."""
    words = _NAME_WORD.findall(re.sub(r"['’]s\b", "", question))
    own = [
        word
        for position, word in enumerate(words)
        if word != "I" and word.lower() != noun and not (position == 0 and word.istitle())
    ]
    return _is_name(" ".join(own)) if own else False


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _in_place(
    question: str, before: str, topic: list[str], similarities: Similarities | None
) -> tuple[str, str] | None:
    """The other thing a question asks about and the topic word it takes the place of:
    the word most like it, or else the word of `topic` most like it of those of its kind
    (`_alike`); after "in", "on" or "with", of the words the question `before` put there."""
    asked = _ANOTHER_THING.match(question.strip())
    if similarities is None or asked is None or not topic:
        return None
    thing = asked["thing"].strip()
    plural = asked["place"] is None and _plural(thing)
    if len(_WORD.findall(thing)) > _THING_WORDS or not (plural or _is_name(thing)):
        return None
    place, name = asked["place"], thing
    if place is None:  # "What about on Ubuntu?"
        first, _, rest = thing.partition(" ")
        place, name = (first, rest) if first.lower() in _WHERE and rest else ("", thing)
    placed = place.lower() in _WHERE
    there = [i for i, word in enumerate(topic) if not placed or _put_after(place, word, before)]
    if not there:
        return None
    scores = similarities(thing, topic)
    best = max(there, key=scores.__getitem__)
    if scores[best] >= IN_PLACE_SIMILARITY:
        return thing, topic[best]
    alike = [i for i in there if _alike(topic[i], name, plural)]
    return (thing, topic[max(alike, key=scores.__getitem__)]) if alike else None


def _alike(word: str, name: str, plural: bool) -> bool:
    """Whether the topic's `word` is of the kind of the new thing `name`: for a plural, a
    plural ("functions" of "schemas"; a plural name only of a plural name, "nftables" of
    "iptables", not of "ports"); for a name, a name written the same way (`_written`)."""
    if plural:
        return _plural(word) and (_is_name(word) or not _is_name(name))
    return _is_name(word) and _written(word) == _written(name)


def _plural(word: str) -> bool:
    """Whether `word` is one lower-case word that reads as a plural ("functions", "tags"),
    not one of those that ask about the question rather than a thing ("examples")."""
    return (
        word.isalpha()
        and word.islower()
        and len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is"))
        and word not in _ABOUT_THE_QUESTION
    )


def _put_after(place: str, word: str, text: str) -> bool:
    """Whether `text` writes `word` right after `place` ("in procps", "on a Mac")."""
    pattern = rf"\b{place}\s+{_ARTICLE}{re.escape(word)}\b"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _written(name: str) -> str:
    """How a name is written: as an option ("-r"), in lower case (a command: "tmux", "wget"),
    in capitals (a format or protocol: "JSON", "PDF") or with a capital (a product or system:
    "Fedora", "GitHub")."""
    if name.startswith("-"):
        return "option"
    if name.islower():
        return "lower"
    return "capitals" if name.isupper() else "capitalised"


def _new_action(question: str, before: str, topic: list[str]) -> tuple[str, str] | None:
    """The action a follow-up asks about and the earlier one, in `topic`, it takes the place
    of. A word the earlier question also names otherwise ("find files with find") stays."""
    if _AS_WELL.search(question) is not None:
        return None  # "How do I preserve timestamps too?" while copying
    verb, replaced = _action(question), _action(before)
    if verb is None or replaced is None or replaced not in topic:
        return None
    if len(topic_words(before)) - 1 < _THING_LEFT:
        return None  # "zip a directory", "sort a file": the verb names the tool as well
    said = [word.lower() for word in _WORD.findall(before)]
    return (verb, replaced) if said.count(replaced.lower()) == 1 else None


def _action(text: str) -> str | None:
    """The verb of "how do I VERB..." or "and VERB it..."; None when there is none."""
    asked = _HOW_TO.search(text) or _AND_DO.match(text)
    if asked is None:
        return None
    verb = asked["verb"]
    known = verb.lower() in _QUESTION_WORDS or verb.lower() in _NOT_ACTIONS
    return None if known else verb


def _is_name(thing: str) -> bool:
    """Whether `thing` names something ("wget", "macOS", "bzip2") rather than qualifying the
    question in common words ("reverse order", "a proxy")."""
    words = _NAME_WORD.findall(thing)
    return any(not word.islower() or not _common_words(word) for word in words)


def _common_words(word: str) -> bool:
    """Whether `word` is common English, or made of common words by hyphens ("read-only",
    "case-insensitive")."""
    return all(is_common_english(part) for part in word.split("-") if part)


def embedding_similarities(embedder: Embedder) -> Similarities:
    """Cosines by the embedding model (its vectors are unit length), in one batch."""

    def similarities(text: str, words: list[str]) -> list[float]:
        vectors = embedder.embed_queries([text, *words])
        return [float(cosine) for cosine in vectors[1:] @ vectors[0]]

    return similarities


def topic_words(text: str) -> list[str]:
    """The words of an earlier question (or search) that name its subject, first ones first."""
    kept: list[str] = []
    for word in _WORD.findall(text):
        option = word.startswith("-")
        bare = word.rstrip(".-/") if option else word.strip(".-/")
        known = bare.lower() in _QUESTION_WORDS or bare.lower() in (k.lower() for k in kept)
        if (len(bare) > 1 or option) and not known:
            kept.append(bare)
    return kept[:MAX_TOPIC_WORDS]


def recent_history(turns: Sequence[PlainTurn | None], limit: int) -> tuple[PlainTurn, ...]:
    """The last `limit` turns worth sending with a follow-up (None marks one that is not)."""
    answered = [turn for turn in turns if turn is not None]
    return tuple(answered[-limit:]) if limit > 0 else ()
