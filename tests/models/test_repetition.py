"""The repetition stop (models.repetition): loops the bundled model wrote are stopped at
their third copy; lists, tables and code whose lines look alike are not stopped."""

from __future__ import annotations

import re

import pytest

from assistant.ask.answer_limits import describe_truncation, truncation_of
from models.base import GenerationOptions, Message
from models.llama_cpp import LlamaCppModel
from models.repetition import MIN_COPIES, MIN_REPEATED_WORDS, Repetition, RepetitionStop

# The bundled SmolLM2's loop on "How do I limit the download speed in wget?" (trial 9).
WGET_LOOP = (
    "To limit the download speed in wget, you can use the --limit-rate option. "
    + "You can also specify a maximum transfer rate using the --max-transfer-rate option, "
    "which allows you to set a maximum transfer rate.\nThe --no-cache-on-download and "
    "--no-cache-off options will prevent the server from storing cached results of your "
    "requests until they are requested again.\nThis is useful for very slow servers that do "
    "not support caching.\n" * 5
)


def stream_words(text: str) -> Repetition | None:
    """Feed `text` a token at a time, as a model streams it."""
    stop = RepetitionStop()
    for delta in re.findall(r"\s*\S+\s*?", text):
        if stop.feed(delta) is not None:
            return stop.found
    return stop.feed("\n")  # the last word ends


def test_a_repeated_passage_is_stopped_at_its_third_copy() -> None:
    found = stream_words(WGET_LOOP)
    assert found is not None and found.copies == 3
    intro_end = WGET_LOOP.index("You can")
    cycle = WGET_LOOP.index("You can", intro_end + 1) - intro_end
    assert (found.starts_at, found.repeats_at) == (intro_end, intro_end + cycle)


def test_where_the_words_are_cut_into_deltas_does_not_matter() -> None:
    by_character = RepetitionStop()
    found = next(f for f in map(by_character.feed, WGET_LOOP) if f is not None)
    assert found == stream_words(WGET_LOOP)


@pytest.mark.parametrize(
    ("loop", "copies"),
    [
        ("word " * 40, MIN_REPEATED_WORDS + 1),  # one word needs many copies
        ("I do not know. " * 20, 7),
        # a tag whose lines only indent further each time (trial 9, "stash untracked files")
        ("".join(f"{' ' * 2 * n}<label>\n" for n in range(40)), MIN_REPEATED_WORDS + 1),
    ],
)
def test_short_loops_need_more_copies(loop: str, copies: int) -> None:
    found = stream_words(loop)
    assert found is not None and found.copies == copies


LEGITIMATE = {
    "a list of similar options": "\n".join(
        f"- `--{name}`: sets the {name} of the transfer, in bytes per second."
        for name in ["limit-rate", "max-rate", "min-rate", "start-rate", "burst-rate", "rate"]
    ),
    "a table": "| option | default | unit |\n| --- | --- | --- |\n"
    + "\n".join(f"| --opt-{n} | {n * 10} | seconds |" for n in range(12)),
    "code with lines alike": "```python\n"
    + "\n".join(f'parser.add_argument("--flag-{n}", action="store_true")' for n in range(10))
    + "\n```",
    "steps with the same wording": "\n".join(
        f"{n}. Run `git stash push` in the folder of repository {name}, then check it."
        for n, name in enumerate(["one", "two", "three", "four", "five"], 1)
    ),
    "a sentence said twice": "Keys are kept in the keyring, never in a plain file on disk. " * 2,
    "a small array": "```c\nint zeros[16] = {" + "0, " * 15 + "0};\n```",
    "closing braces": "```c\n" + "".join(" " * (12 - 2 * n) + "}\n" for n in range(7)) + "```",
}


@pytest.mark.parametrize("name", LEGITIMATE)
def test_repetition_a_real_answer_has_is_not_stopped(name: str) -> None:
    assert stream_words(LEGITIMATE[name]) is None


# Prompts the bundled SmolLM2 loops on, greedy. Which loop it falls into depends on the
# llama.cpp build and the CPU: on one machine it sang a five-line verse of the children's song
# again and again (stopped at its third copy, 204 tokens in); on another, with llama-cpp-python
# 0.3.16 and 0.3.36 alike, it writes that song to max_tokens without a loop, and sings the
# verse it is given once, then "Rows, rows, rows, ..." (stopped at 25 copies, 95 tokens in).
VERSE = (
    "Row, row, row your boat,\nGently down the stream.\n"
    "Merrily, merrily, merrily, merrily,\nLife is but a dream."
)
LOOPING = [
    Message(
        "user", "Write the lyrics of a children's song where the same line comes back many times."
    ),
    Message("user", f"Sing the song again and again:\n\n{VERSE}\n\n{VERSE}\n\n{VERSE}"),
]
GREEDY = GenerationOptions(max_tokens=256, temperature=0.0)


def spaced(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_the_bundled_model_looping_is_stopped_and_marked(local_model: LlamaCppModel) -> None:
    completions = (local_model.stream([prompt], GREEDY).complete() for prompt in LOOPING)
    completion = next((c for c in completions if c.finish_reason == "repetition"), None)
    assert completion is not None, "the bundled model looped on none of the prompts"
    loop, text = completion.repetition, completion.text
    assert loop is not None
    assert loop.copies >= MIN_COPIES and loop.words * (loop.copies - 1) >= MIN_REPEATED_WORDS
    assert completion.usage.completion_tokens < GREEDY.max_tokens
    run = spaced(text[loop.starts_at : loop.repeats_at])
    assert len(run.split()) == loop.words
    assert spaced(text[: loop.repeats_at]).endswith(run)  # what the answer keeps...
    left_out = spaced(text[loop.repeats_at :])
    assert left_out.startswith(" ".join([run] * (loop.copies - 2)))  # ...and leaves out
    truncation = truncation_of(
        completion.finish_reason,
        given=GREEDY.max_tokens,
        limit=GREEDY.max_tokens,
        ceiling=GREEDY.max_tokens,
    )
    assert truncation == "repetition"
    assert "the model was repeating itself" in describe_truncation(truncation, GREEDY.max_tokens)
