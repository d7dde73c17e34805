"""Names in questions, and the rule that the sources must mention them (unit level; the real
tokenizer, store and term counts are in test_names_real.py)."""

from __future__ import annotations

import pytest

from assistant.ask.evidence import Evidence, EvidenceWindow
from assistant.ask.names import (
    MissingName,
    NameCheck,
    every_word_known,
    question_names,
    tokenizer_vocabulary,
)
from assistant.ask.retrieval import Retrieval
from assistant.ask.sentences import TextSpan
from assistant.ask.terms import content_terms
from assistant.ask.types import Source

VOCABULARY = {"install", "another", "python", "version", "with", "how", "do", "i", "glue"}


def known(word: str) -> bool:
    return word in VOCABULARY


def names(question: str) -> list[str]:
    return [name.text for name in question_names(question, known)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do I install another Python version with pyenv?", ["Python", "pyenv"]),
        ("What does jq's --slurp option do?", ["jq", "--slurp"]),
        (
            "Set workers for multiprocessing.Pool and os.cpu_count()",
            ["multiprocessing.Pool", "os.cpu_count"],
        ),
        ("What range does $RANDOM produce?", ["$RANDOM"]),
        ("What syntax does Python 3.12 add?", ["Python", "3.12"]),
        ("How do I read an Excel sheet into a DataFrame?", ["Excel", "DataFrame"]),
        ("Where does MARGIN_HOME put the config?", ["MARGIN_HOME"]),
    ],
)
def test_code_like_capitalised_and_unknown_words_are_names(
    question: str, expected: list[str]
) -> None:
    assert all(name in names(question) for name in expected)


def test_the_first_word_placeholders_and_known_words_are_not_names() -> None:
    assert names("Install another Python version") == ["Python"]  # "Install" starts it
    assert names("After [[ $x =~ y ]], what is -p?") == []  # one letter: a placeholder
    assert names("How do I glue words?") == ["words"]  # "words" is not in this vocabulary


def test_addresses_and_the_first_word_of_each_sentence_are_not_names() -> None:
    def capitalised(question: str) -> list[str]:
        return [name.text for name in question_names(question, every_word_known)]

    question = "How does margin keep API keys safe? Reply to bob@example.org, see https://x.org/a.b"
    assert capitalised(question) == ["API"]
    assert capitalised("Why? Excel does it.\n  Homebrew too; Conda: no") == []
    assert capitalised("In Python, a word after a comma is no new sentence") == ["Python"]


def test_the_frames_of_a_pasted_stack_trace_are_not_names() -> None:
    """Where the asker's program failed (its file, function, variables) is not what the
    question asks about; the exception it raised is."""
    python = (
        "Traceback (most recent call last):\n"
        '  File "unpack_logs.py", line 3, in <module>\n'
        "    data = zlib.decompress(raw_blob)\n"
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "zlib.error: Error -3 while decompressing data: incorrect header check\n"
        "what does this mean?"
    )
    java = (
        'Exception in thread "main" java.util.zip.ZipException: invalid entry size\n'
        "\tat java.util.zip.ZipInputStream.readEnd(ZipInputStream.java:398)\n"
        "\tat com.example.Unpack.main(Unpack.java:21)\n"
        "Why?"
    )
    assert [n.text for n in question_names(python, every_word_known)] == ["zlib.error"]
    assert [n.text for n in question_names(java, every_word_known)] == [
        "java.util.zip.ZipException"
    ]


def test_a_negation_typed_without_its_apostrophe_is_not_a_name() -> None:
    assert names("Why doesnt glue install?") == []
    assert names("I dont glue, isnt it?") == []
    assert names("Why doesnt pyenv install?") == ["pyenv"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the situation told first is where the asker is; the sentence that asks is the ask
        (
            "One of my worktrees lives on an external USB drive. How do I stop git pruning it?",
            [],
        ),
        ("Half our team is on Windows. How do I get LF endings whatever the OS?", ["LF", "OS"]),
        ("I use Pyenv. How do I install another Python with Homebrew?", ["Python", "Homebrew"]),
        ("Our team is on Windows. How do I read an Excel\nsheet?", ["Excel"]),  # wrapped
        # a question of one sentence, or with none that asks, is asked whole
        ("How do I install another Python version with Pyenv?", ["Python", "Pyenv"]),
        ("I use Pyenv. Install another Python version.", ["Pyenv", "Python"]),
        ("Is Pyenv fine for this? Which Python?", ["Pyenv", "Python"]),
        # a question mark in quotes asks too: a sentence splitter cuts after it
        ("Does Argparse take nargs='?' for an option?", ["Argparse"]),
    ],
)
def test_only_the_sentences_that_ask_name_what_must_be_mentioned(
    question: str, expected: list[str]
) -> None:
    assert [name.text for name in question_names(question, every_word_known)] == expected


def test_without_a_vocabulary_only_code_like_and_capitalised_words_are_names() -> None:
    found = question_names("How do I install pyenv with Homebrew and --force?", every_word_known)
    assert [n.text for n in found] == ["Homebrew", "--force"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Wie lange muss Omas Apfelkuchen backen?", []),
        ("Quelle est la capitale de la France ?", []),
        ("¿Cuánto tiempo hay que hornear el pastel?", []),
        ("Was ist der Standardwert von os.cpu_count in Python 3.12?", ["os.cpu_count", "3.12"]),
    ],
)
def test_in_another_language_only_code_like_words_are_names(
    question: str, expected: list[str]
) -> None:
    # every word is unknown to an English vocabulary, and German capitalises its nouns
    assert names(question) == expected


def test_a_few_foreign_words_in_an_english_question_leave_it_english() -> None:
    assert "Apfelkuchen" in names("What does 'la vie en rose' mean in Apfelkuchen recipes?")


def test_a_dotted_name_is_looked_for_whole_a_hyphenated_one_by_its_words() -> None:
    dotted, hyphenated = question_names("os.walk or llama-cpp-python", known)
    assert dotted.terms == ("os.walk",)
    assert {"llama", "cpp", "python"} <= set(hyphenated.terms)
    assert hyphenated.mentioned_in({"llama", "cpp", "python", "llama-cpp-python"})


def test_words_joined_by_a_slash_are_known_or_not_each_on_its_own() -> None:
    assert names("How do I install glue/python?") == []
    assert names("Is glue/pyenv it?") == ["glue/pyenv"]


def test_a_name_is_mentioned_by_its_inflections_not_by_a_word_it_begins() -> None:
    [baked] = question_names("Is Baked it?", known)
    [pipx] = question_names("Is Pipx it?", known)
    assert baked.mentioned_in({"bake"}) and baked.mentioned_in({"bak"})
    assert not pipx.mentioned_in({"pip"}) and not pipx.mentioned_in({"pipxyz"})


def test_a_word_is_known_when_the_tokenizer_reads_it_as_one_token() -> None:
    pieces = {"": 2, "glue": 3, "pyenv": 5, "accent": 3}  # [CLS] [SEP] around the word

    def count_tokens(text: str) -> int:
        return pieces.get(text, 4)

    vocabulary = tokenizer_vocabulary(count_tokens)
    assert vocabulary("glue") and not vocabulary("pyenv")
    assert vocabulary("accented")  # an inflection of a known word is known


@pytest.mark.parametrize(
    ("passage", "mentioned"),
    [
        ("Git v2.39 Release Notes", True),
        ("git-2.39.0-relnotes.txt", True),
        ("Fixes since 2.39.1", True),
        ("Git 2.390, 12.39 and 1.2.39", False),
        ("version 2.3", False),
    ],
)
def test_a_release_number_is_mentioned_however_documents_write_it(
    passage: str, mentioned: bool
) -> None:
    [name] = [n for n in question_names("What is new in 2.39?", every_word_known)]
    assert name.mentioned_in(set(content_terms(passage))) is mentioned


@pytest.mark.parametrize(
    ("question", "passage", "mentioned"),
    [
        ("What does SYSTEMD_OFFLINE=1 do?", "* `$SYSTEMD_OFFLINE=[0|1]` — if set", True),
        ("What range does $RANDOM produce?", "RANDOM expands to an integer", True),
        ("When do I call safe_load?", "    >>> yaml.safe_load(stream)", True),
        ("When do I call safe_load?", "    >>> yaml.unsafe_load(stream)", False),
        ("What does SYSTEMD_OFFLINE=1 do?", "* `$SYSTEMD_OFFLINE_MODE=1`", False),
    ],
)
def test_a_code_name_is_mentioned_as_documents_write_it(
    question: str, passage: str, mentioned: bool
) -> None:
    [name] = question_names(question, every_word_known)
    assert name.mentioned_in(set(content_terms(passage))) is mentioned


@pytest.mark.parametrize(
    ("question", "passage", "mentioned"),
    [
        ("Why doesn't except catch Ctrl-C?", "the interrupt key (Control-C or Delete)", True),
        ("Why doesn't except catch Ctrl-C?", "press Ctrl+C to stop", True),
        ("Why doesn't except catch Ctrl-C?", "C-c C-c sends the message", True),
        ("How do I quit with CTRL-D?", "an end-of-file character (Control-D on Unix)", True),
        ("What does Ctrl+Shift+T do?", "Control-Shift-T reopens the tab", True),
        ("Why doesn't except catch Ctrl-C?", "Control-D ends the input", False),
        ("Why doesn't except catch Ctrl-C?", "the Ctrl key", False),
        ("What does Ctrl+Shift+T do?", "Control-T swaps two characters", False),
    ],
)
def test_a_key_chord_is_mentioned_however_documents_write_it(
    question: str, passage: str, mentioned: bool
) -> None:
    [name] = [n for n in question_names(question, every_word_known) if n.forms]
    assert name.mentioned_in(set(content_terms(passage))) is mentioned


class Counts:
    """Chunk counts of terms in the index, and in each document (`by_path`)."""

    def __init__(
        self,
        counts: dict[str, int] | None,
        by_path: dict[str, dict[str, int]] | None = None,
    ):
        self.counts = counts
        self.by_path = by_path or {}
        self.asked: list[list[str]] = []
        self.asked_in: list[tuple[list[str], list[str]]] = []

    def __call__(self, terms: list[str], paths: list[str] | None = None) -> dict[str, int] | None:
        if self.counts is None:
            return None
        if paths is None:
            self.asked.append(terms)
            return {t: self.counts.get(t, 0) for t in terms}
        self.asked_in.append((terms, paths))
        return {t: sum(self.by_path.get(p, {}).get(t, 0) for p in paths) for t in terms}


def test_a_name_the_sources_do_not_mention_is_missing_if_the_index_rarely_does() -> None:
    counts = Counts({"zsh": 1, "linux": 69})
    check = NameCheck(every_word_known, counts, passing_mentions=5)
    question = "Can Conda, Zsh or Linux do it on Ubuntu?"
    missing = check.missing(question, ["Ubuntu notes: nothing else here."])
    assert missing == [MissingName("Conda", 0), MissingName("Zsh", 1)]  # Linux: 69 chunks
    assert counts.asked == [["conda", "linux", "zsh"]]  # one look-up, Ubuntu was found


def test_a_key_chord_counts_the_chunks_writing_it_any_way() -> None:
    counts = Counts({"control-c": 4, "ctrl-c": 2})
    check = NameCheck(every_word_known, counts, passing_mentions=5)
    missing = check.missing("Why doesn't it catch Ctrl-C?", ["nothing about keys"])
    assert missing == []  # six chunks write it: a ranking miss, not a sign nothing answers
    assert "control-c" in counts.asked[0] and "ctrl+c" in counts.asked[0]
    rare = NameCheck(every_word_known, Counts({"ctrl-c": 1}), passing_mentions=5)
    assert rare.missing("Why doesn't it catch Ctrl-C?", ["nothing"]) == [MissingName("Ctrl-C", 1)]


def test_names_the_sources_mention_ask_for_no_counts() -> None:
    counts = Counts({})
    check = NameCheck(every_word_known, counts, passing_mentions=5)
    assert check.missing("What does Bash do?", ["Bash is a shell."]) == []
    assert check.missing("what does it do?", ["anything"]) == []
    assert counts.asked == []


def test_a_name_another_chunk_of_a_sources_document_mentions_is_not_missing() -> None:
    """PostgreSQL's page on WITH queries writes "CTE" in 4 of its 35 chunks; a question about a
    CTE found two others of the page: a ranking miss, not a sign that nothing answers."""
    counts = Counts({"cte": 2}, {"/pg/queries-with.html": {"cte": 2}})
    check = NameCheck(lambda word: word != "cte", counts, passing_mentions=5)
    question = "How do I fold my CTE into the main query?"
    found = ["WITH queries evaluate once.", "The parent query fetches rows."]
    pages = ["/pg/queries-with.html", "/pg/queries-with.html"]
    assert check.missing(question, found, pages) == []
    assert counts.asked_in == [(["cte"], ["/pg/queries-with.html"])]
    assert check.missing(question, found, ["/pg/sql-copy.html"]) == [MissingName("CTE", 2)]
    assert check.missing(question, found) == [MissingName("CTE", 2)]  # no documents given


def test_a_capitalised_word_is_not_mentioned_by_the_word_elsewhere_in_a_document() -> None:
    counts = Counts({"driv": 3}, {"docs/storage.md": {"driv": 3}})  # terms are stemmed
    check = NameCheck(lambda word: word != "google", counts, passing_mentions=5)
    question = "How do I sync the index to Google Drive?"
    found = ["The index lives where the data folder is."]
    missing = check.missing(question, found, ["docs/storage.md"])
    assert missing == [MissingName("Google", 0), MissingName("Drive", 3)]
    assert counts.asked_in == [(["googl"], ["docs/storage.md"])]  # Drive is a word: not asked


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which setting logs every query slower than, say, 500 ms?", []),
        ("Is varchar(255) any faster than text?", []),
        ("How do I print the seconds since 1970?", []),
        ("How do I open port 8080?", []),
        ("What does PEP 572 add?", ["PEP", "572"]),
        ("Does it run on Windows 11?", ["Windows", "11"]),
        ("What syntax does Python 3.12 add?", ["Python", "3.12"]),
        # a number an operator joins to another is a value, a version before a hyphen is not
        ("Why does 0.1 + 0.2 not equal 0.3?", ["0.3"]),
        ("Is 2**10 == 1024?", []),
        ("What is 3.5 - 1.2?", []),
        ("Which image is python:3.12-slim?", ["3.12-slim"]),
    ],
)
def test_a_whole_number_is_a_name_only_where_it_numbers_the_name_before_it(
    question: str, expected: list[str]
) -> None:
    assert [name.text for name in question_names(question, every_word_known)] == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do I parse a date string like 2024-01-31 in Python?", ["Python"]),
        ('How do I parse a date string like "2024-01-31"?', []),
        ("How do I round a number such as 2.675 to two places?", []),
        ("How do I parse a timestamp, e.g. 10:30:15?", []),  # nor is "e.g."
        ("What did we decide on 2024-03-12?", ["2024-03-12"]),  # a date asked about is
    ],
)
def test_a_value_given_as_an_example_is_no_name(question: str, expected: list[str]) -> None:
    assert [name.text for name in question_names(question, every_word_known)] == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do I find files larger than 100MB?", []),
        ("How do I find files larger than 100 MB?", []),
        ("How do I set a 1.5GiB memory limit?", []),
        ("How do I retry every 500ms, or every 5s?", []),
        ("Why is my 4K display blurry at 60Hz?", []),
        ("What does -O2 do on x86 with ext4?", ["-O2", "x86", "ext4"]),  # no quantities
    ],
)
def test_a_quantity_is_a_value_not_a_name(question: str, expected: list[str]) -> None:
    assert [name.text for name in question_names(question, every_word_known)] == expected


def test_without_term_counts_a_name_alone_never_refuses() -> None:
    check = NameCheck(every_word_known, Counts(None), passing_mentions=5)
    assert check.missing("Can Conda do it?", ["nothing about it"]) == []


def source(text: str) -> Source:
    return Source(1, "id-1", "notes.md", None, "", None, 0.9, text)


def retrieval(missing: list[MissingName]) -> Retrieval:
    s = source("Python venv creates environments.")
    span = TextSpan(0, len(s.text), s.text)
    window = EvidenceWindow(s, span, span, coverage=0.8, similarity=0.7, score=0.75)
    return Retrieval([s], Evidence([window], {}), 0.27, 0.2, missing_names=missing)


def test_strong_evidence_without_the_names_asked_about_is_not_relevant() -> None:
    assert retrieval([]).relevant
    refused = retrieval([MissingName("pyenv", 0)])
    assert not refused.relevant
    assert refused.why_not_relevant() == "none of the passages found mentions “pyenv”"


def test_the_refusal_names_the_missing_names_the_same_way_whatever_the_index_counts() -> None:
    found = retrieval([MissingName("conda", 0), MissingName("pyenv", 0), MissingName("zsh", 1)])
    assert found.why_not_relevant() == (
        "none of the passages found mentions “conda”, “pyenv” or “zsh”"
    )
    assert retrieval([]).why_not_relevant() == ""
