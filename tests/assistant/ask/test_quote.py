"""Quote answers from evidence: which windows, how far they reach, verbatim with citations.

Evidence here is scored lexically (no embedder): which window is best is then plain to see,
and the quote's extent is what is tested. The real parts (MiniLM, LanceDB) quote in
test_evidence.py and test_pipeline_real.py.
"""

from __future__ import annotations

from assistant.ask.evidence import EvidenceSelector, uniform_weights
from assistant.ask.quote import quote_answer
from assistant.ask.types import Source

BUILD = (
    "The firmware is built from the top folder. The build needs about two gigabytes of disk "
    "space and takes a few minutes on a laptop. If you want to compile it with clang instead "
    "of gcc, type:\n\n    make CC=clang firmware\n\nThe result is written to out/firmware.bin, "
    "next to its checksum. Flashing it is described in the next chapter."
)
PLANTS = (
    "The lawn was reseeded in March. The hydrangeas were planted on 14 April 2021 along the "
    "north fence. The compost bin needs turning every two weeks. The lawnmower blade was "
    "sharpened in May."
)


def source(number: int, text: str, path: str = "notes.md") -> Source:
    return Source(number, f"{path}:{number}", path, None, "", 1, 0.5, text)


def quoted(question: str, *sources: Source) -> str:
    evidence = EvidenceSelector(uniform_weights).select(question, None, list(sources))
    quote = quote_answer(evidence)
    assert quote is not None
    return quote.text


def test_a_window_that_announces_a_command_is_quoted_with_it() -> None:
    text = quoted("How do I compile the firmware with clang instead of gcc?", source(1, BUILD))
    assert "type: make CC=clang firmware [1]" in text


def test_a_window_of_finished_sentences_is_quoted_alone() -> None:
    text = quoted("When were the hydrangeas planted?", source(1, PLANTS))
    assert "14 April 2021" in text
    assert text.endswith("fence. [1]")  # a full stop: nothing after the window is added
    assert "sharpened" not in text


def test_every_quoted_line_is_the_sources_words_and_cites_it() -> None:
    sources = [source(1, BUILD, "build.md"), source(2, PLANTS, "garden.md")]
    quote = quote_answer(
        EvidenceSelector(uniform_weights).select("firmware clang gcc", None, sources)
    )
    assert quote is not None and quote.cited == [1]
    for line, support in zip(quote.text.splitlines(), quote.sentences, strict=True):
        words, _, marker = line.rpartition(" [")
        assert marker == "1]" and support.source == 1 and support.evidence == words
        assert " ".join(words.split()) in " ".join(BUILD.split())  # verbatim, spaces folded


def test_a_quote_is_the_same_every_time() -> None:
    question = "How do I compile the firmware with clang instead of gcc?"
    assert quoted(question, source(1, BUILD)) == quoted(question, source(1, BUILD))
