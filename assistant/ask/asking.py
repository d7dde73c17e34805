"""The sentences of a question that ask, apart from the situation it tells first.

In "One of my worktrees lives on an external USB drive that isn't always plugged in. How do
I stop git from pruning it while it's unplugged?", the drive is where the asker is, not what
the documents must mention (`assistant.ask.names`); in "I copied a nested list with
copy.copy and changing an inner list changed the original too. How is a deep copy
different?", `copy.copy` is what the asker tried, not the entry that answers
(`assistant.ask.retrieval`). A question that asks how to do something ("How do I ...?",
"how to ...") is answered by a command or code as often as by prose (`assistant.ask.evidence`).
"""

from __future__ import annotations

import re

from assistant.guardrails.sentences import split_sentences

# What may close a sentence after its question mark: "What does nargs='?' mean?" asks in
# both of the parts a sentence splitter cuts it into.
_CLOSING = "'\")]}’”»"
_HOW_TO = re.compile(r"\bhow (?:do|can|could|should|would) (?:i|we|you|one)\b|\bhow to\b", re.I)


def asking_sentences(text: str) -> str:
    """`text` with the sentences that do not ask (end in "?") blanked, offsets kept. Text
    with no sentence that asks, or only such sentences, is returned whole. A line break is
    no sentence's end here: a long question wraps."""
    units = split_sentences(text.replace("\n", " "))
    asking = [text[unit.start : unit.end].rstrip(_CLOSING).endswith("?") for unit in units]
    if all(asking) or not any(asking):
        return text
    for unit, asks in zip(units, asking, strict=True):
        if not asks:
            text = text[: unit.start] + " " * (unit.end - unit.start) + text[unit.end :]
    return text


def asks_how_to(question: str) -> bool:
    """Whether a sentence of `question` that asks, asks how to do something: "In Python, how
    do I glue a list of words into one string?", not "How does a deep copy differ?"."""
    return _HOW_TO.search(asking_sentences(question)) is not None
