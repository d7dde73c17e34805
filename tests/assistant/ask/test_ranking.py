"""The ranking signals: chunk and document fusion, code tokens, the relevance they make."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.ask.ranking import (
    RankingWeights,
    code_match,
    code_tokens,
    entry_match,
    fuse,
    named_first,
    relevance,
)
from assistant.ask.retrieval import (
    ENTRY_TOKENS,
    MAX_ENTRIES,
    Retriever,
    _by_context,
    _named,
    entries_first,
)
from assistant.config import RetrievalConfig
from ingest.fakes import HashingEmbedder
from ingest.types import StoredChunk


def _chunk(chunk_id: str, path: str, bm25: float = 0.0) -> StoredChunk:
    return StoredChunk(
        id=chunk_id,
        path=path,
        collection="default",
        local_only=False,
        heading="",
        page=None,
        line=None,
        ordinal=0,
        text=chunk_id,
        score=bm25,
    )


@pytest.mark.parametrize(
    ("question", "tokens"),
    [
        ("What range of values does $RANDOM produce?", ["$RANDOM"]),
        ("What does cp -a do?", ["-a"]),
        ("What does jq's --slurp option do?", ["--slurp"]),
        ("What does str.partition return?", ["str.partition"]),
        ("What does os.cpu_count() return?", ["os.cpu_count"]),
        ("What does shutil.copytree do?", ["shutil.copytree"]),
        ("The limit when DEFAULT_ARG_SIZE is not set", ["DEFAULT_ARG_SIZE"]),
        ("Where does MARGIN_HOME put log_text?", ["MARGIN_HOME", "log_text"]),
        ("Read a sheet into a DataFrame", ["DataFrame"]),
        ("Declare it in pyproject.toml.", ["pyproject.toml"]),
        ("re.match or re.search, and re.match again?", ["re.match", "re.search"]),
        ("What changed in GNU tar 1.34?", ["tar 1.34"]),  # a release with what it is of
        ("Where does GnuPG 2.2 keep its keys?", ["GnuPG", "GnuPG 2.2"]),
        ("What is new in git v2.39?", ["v2.39"]),  # once, as written
        ("Why is shell=True dangerous?", ["shell=True"]),  # a keyword argument
        ("What does nargs='?' mean, and nargs='?' again?", ["nargs='?'"]),
        ("subprocess.run with check=True", ["check=True", "subprocess.run"]),
        ("What does cp --preserve=all keep?", ["--preserve"]),  # an option, not its value
        ("What does xargs -0 do?", ["-0"]),  # a number after its command
        ("Is gzip -9 slower than gzip -1?", ["-9", "-1"]),
    ],
)
def test_code_tokens_are_the_questions_code(question: str, tokens: list[str]) -> None:
    assert code_tokens(question) == tokens


@pytest.mark.parametrize(
    "question",
    [
        "How do I add an on/off flag to a command-line tool?",
        "How do I keep accented letters in JSON output?",
        "Why is 0.1 + 0.1 == 0.3 False?",
        "Is x == y when x = 3?",
        "What does EAFP stand for, e.g. in Python?",
        "Who won the 2018 World Cup?",
        "Is 5 -1 four, and x = -1.5?",
        "",
    ],
)
def test_words_acronyms_and_numbers_are_not_code(question: str) -> None:
    assert code_tokens(question) == []


def test_code_match_is_verbatim_and_counts_a_variable_by_its_name() -> None:
    bash = "RANDOM  Each time this parameter is referenced, a random integer between 0 and 32767"
    python = "random.randint(a, b) returns a random integer N such that a <= N <= b."
    assert code_match(["$RANDOM"], bash) == 1.0
    assert code_match(["$RANDOM"], python) == 0.0  # the word, not the variable
    assert code_match(["-a"], "-a, --archive  same as -dR --preserve=all") == 1.0
    assert code_match(["-a"], "a non-ascii name") == 0.0  # inside a word, not an option
    assert code_match(["os.walk", "os.scandir"], "os.walk(top, topdown=True)") == 0.5
    assert code_match([], "anything") == 0.0
    assert code_match(["shell=True"], "Popen(args, shell=True)") == 1.0
    assert code_match(["shell=True"], "a shell that is True to form") == 0.0
    assert code_match(["tar 1.34"], "tar-NEWS.txt\nversion 1.34 - Sergey Poznyakoff") == 1.0
    assert code_match(["Python 3.11"], "hashlib\nNew in version 3.11.") == 0.0  # no name
    assert code_match(["tar 1.34"], "tar-NEWS.txt\nversion 1.3 - Sergey Poznyakoff") == 0.0


def test_fusion_scales_first_in_both_rankings_to_one_and_fuses_documents() -> None:
    vector = [_chunk("a:1", "a"), _chunk("b:1", "b")]
    text = [_chunk("a:1", "a"), _chunk("b:2", "b")]
    fusion = fuse(vector, text, 0.5)
    assert fusion.chunks[0][0].id == "a:1"
    assert fusion.chunks[0][1] == pytest.approx(1.0)
    assert fusion.documents["a"] == pytest.approx(1.0)


def test_a_document_found_by_both_rankings_through_different_chunks_outranks_one_found_once() -> (
    None
):
    # "ln" is second by vectors (chunk ln:1) and second by BM25 (chunk ln:2): no chunk of
    # it is in both lists, yet the document is; "pathlib" and "bash" are each first once.
    vector = [_chunk("pathlib:1", "pathlib"), _chunk("ln:1", "ln")]
    text = [_chunk("bash:1", "bash"), _chunk("ln:2", "ln")]
    fusion = fuse(vector, text, 0.5)
    chunk_order = [c.path for c, _score in fusion.chunks]
    assert chunk_order[0] != "ln"  # by chunks alone, a page found once comes first
    assert max(fusion.documents, key=lambda p: fusion.documents[p]) == "ln"


def test_a_full_text_match_far_ahead_of_the_next_counts_as_first_in_both_rankings() -> None:
    # "allotment gate code": the one note holding all three words, BM25 12.4 against 3.9,
    # outside the vector ranking; two passages middling in both rankings led before
    middling = [_chunk("tasn:1", "libtasn1.pdf", 3.9), _chunk("git:1", "relnotes.txt", 3.9)]
    vector = [_chunk(f"v:{i}", f"v{i}.md") for i in range(8)] + middling
    text = [_chunk("garden:3", "garden-log.md", 12.4), *middling]
    fusion = fuse(vector, text, 0.5)
    assert fusion.chunks[0][0].id == "garden:3"
    assert fusion.chunks[0][1] == pytest.approx(1.0)
    assert max(fusion.documents, key=lambda p: fusion.documents[p]) == "garden-log.md"
    # a lead of less than 2.5 times is left to the fusion; so are scores that are not BM25
    text[0] = replace(text[0], score=9.0)
    assert fuse(vector, text, 0.5).chunks[0][0].id != "garden:3"
    unscored = [replace(c, score=0.0) for c in text]
    assert fuse(vector, unscored, 0.5).chunks[0][0].id != "garden:3"


def test_the_only_full_text_match_counts_as_first_in_both_rankings() -> None:
    vector = [_chunk("todo:1", "todo.org"), _chunk("minutes:1", "minutes.txt")]
    fusion = fuse(vector, [_chunk("garden:3", "garden-log.md", 5.2)], 0.5)
    assert [c.id for c, _ in fusion.chunks][:2] == ["garden:3", "todo:1"]


def test_equal_fused_scores_go_in_the_vector_rankings_order_whatever_the_ids() -> None:
    # ranks 1 and 2 against 2 and 1: the same score; the chunk ids would sort "a" first
    first, second = _chunk("z", "modules.html"), _chunk("a", "cmdline.html")
    fused = fuse([first, second], [second, first], 0.5)
    assert [c.id for c, _ in fused.chunks] == ["z", "a"]
    assert fused.chunks[0][1] == fused.chunks[1][1]


def test_relevance_stays_in_zero_one_and_grows_with_every_signal() -> None:
    weights = RankingWeights(document_share=0.5, evidence_share=0.25, code_bonus=0.3)
    low = relevance(0.2, 0.2, 0.2, 0.0, weights)
    assert 0.0 <= low <= 1.0
    for raised in (
        relevance(0.9, 0.2, 0.2, 0.0, weights),
        relevance(0.2, 0.9, 0.2, 0.0, weights),
        relevance(0.2, 0.2, 0.9, 0.0, weights),
        relevance(0.2, 0.2, 0.2, 1.0, weights),
        relevance(0.2, 0.2, 0.2, 0.0, weights, entry=1.0),
    ):
        assert low < raised <= 1.0
    assert relevance(1.0, 1.0, 1.0, 1.0, weights, entry=1.0) == pytest.approx(1.0)
    assert relevance(0.0, 0.0, 0.0, 0.0, weights) == 0.0


def test_zero_weights_give_plain_chunk_fusion() -> None:
    plain = RankingWeights(document_share=0.0, evidence_share=0.0, code_bonus=0.0, entry_bonus=0)
    assert relevance(0.7, 0.1, 0.9, 1.0, plain, entry=1.0) == pytest.approx(0.7)


def test_the_entries_a_question_names_lead_the_full_text_ranking() -> None:
    ranked = [_chunk("a", "/a", 9.0), _chunk("entry2", "/b", 4.0), _chunk("c", "/c", 1.0)]
    entries = [_chunk("entry1", "/b"), _chunk("entry2", "/b")]
    # in the order given, each once; the one full-text search ranks keeps its score
    first = entries_first([*entries, entries[0]], ranked)
    assert [c.id for c in first] == ["entry1", "entry2", "a", "c"]
    assert [c.score for c in first[:2]] == [0.0, 4.0]
    many = [_chunk(f"e{n}", "/e") for n in range(MAX_ENTRIES + 5)]
    assert len(entries_first(many, ranked)) == MAX_ENTRIES + 3
    assert entries_first([], ranked) == ranked


class _Headings:
    """A store that records the heading lookups asked of it and finds nothing."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def heading_search(self, fragments: list[str], k: int, where: str | None = None) -> list:
        self.asked.append(list(fragments))
        return []


def test_only_a_questions_first_code_tokens_are_looked_up_by_heading() -> None:
    store = _Headings()
    retriever = Retriever(store, HashingEmbedder(), RetrievalConfig())  # type: ignore[arg-type]
    pasted = [f"module{n}.function_{n}" for n in range(120)]  # a listing pasted as a question
    assert retriever._entries(pasted, None) == []
    assert store.asked == [pasted[:ENTRY_TOKENS]]


def test_the_entry_a_code_token_names_is_the_one_its_heading_opens_with() -> None:
    entry = "Built-in Types > String Methods > str.split(sep=None, maxsplit=-1)"
    assert entry_match(["str.split"], entry) == 1.0
    assert entry_match(["str.split"], "String Methods > str.splitlines(keepends=False)") == 0.0
    assert entry_match(["str.split"], "Helper functions > string.capwords(s, sep=None)") == 0.0
    assert entry_match(["--all"], "ls > OPTIONS > -a, --all") == 1.0  # one of the names listed
    assert entry_match(["-O"], "Miscellaneous options > -OO") == 0.0
    rstrip = "Bytes and Bytearray Operations > bytes.rstrip([chars]) / bytearray.rstrip([chars])"
    assert entry_match(["bytearray.rstrip", "os.walk"], rstrip) == 0.5
    assert entry_match([], entry) == 0.0 and entry_match(["str.split"], "") == 0.0


def test_by_default_a_better_fused_rank_is_not_overtaken_by_evidence_or_its_document() -> None:
    weights = RankingWeights()
    first_in_both = relevance(1.0, 0.2, 0.3, 0.0, weights)
    more_words = relevance(0.98, 1.0, 0.9, 0.0, weights)  # a better window, a longer page
    assert first_in_both > more_words
    holds_the_token = relevance(0.9, 0.2, 0.3, 1.0, weights)
    assert holds_the_token > first_in_both  # the code-token bonus still counts


def _entry(chunk_id: str, heading: str) -> StoredChunk:
    return replace(_chunk(chunk_id, "/bashref.pdf"), heading=heading)


def test_the_section_whose_heading_holds_most_of_the_questions_words_is_named() -> None:
    set_u = _entry("set", "Bash Reference Manual > Modifying Shell Behavior > The Set Builtin")
    shopt_u = _entry(
        "shopt", "Bash Reference Manual > Modifying Shell Behavior > The Shopt Builtin"
    )
    read_u = _entry("read", "Bash Reference Manual > Bash Builtin Commands")
    entries = [shopt_u, read_u, set_u]
    assert _named(entries, "What does set -u do in bash?") == [set_u]
    assert _named(entries, "what does bash -u do") == []  # every heading holds "bash"
    assert _named(entries, "what does -u do") == []  # no word but the option
    assert _by_context(entries, "What does set -u do?", {}, [])[0] is set_u


def test_named_chunks_lead_the_fusion_as_if_first_in_both_rankings() -> None:
    fusion = fuse([_chunk("a", "/a"), _chunk("b", "/b")], [_chunk("b", "/b")], 0.5)
    named = named_first(fusion, [_chunk("n", "/n"), _chunk("a", "/a")])
    assert [(c.id, score) for c, score in named.chunks][:2] == [("n", 1.0), ("a", 1.0)]
    assert [c.id for c, _ in named.chunks] == ["n", "a", "b"]
    assert named.documents["/n"] == 1.0 and named_first(fusion, []) == fusion
