"""Which words the names rule takes as common English, from pyspellchecker's real list."""

from __future__ import annotations

import pytest

from ingest.english_words import is_clipped_english, is_common_english


@pytest.mark.parametrize(
    "word",
    [
        *("indentation", "punctured", "odometer", "hydrangeas", "summarize", "summarise"),
        *("colour", "subfolder", "uninstall", "unmount", "reindex", "multiline", "preload"),
    ],
)
def test_ordinary_words_the_embedding_model_cuts_in_pieces_are_common(word: str) -> None:
    assert is_common_english(word)


@pytest.mark.parametrize(
    "word",
    ["pyenv", "tmux", "zsh", "conda", "kubectl", "ssh", "keyring", "thermomix", "redis", "preact"],
)
def test_jargon_and_brands_are_not(word: str) -> None:
    assert not is_common_english(word)


@pytest.mark.parametrize("word", ["admin", "config", "environ"])
def test_a_common_word_as_people_clip_it_is_clipped_english(word: str) -> None:
    assert is_clipped_english(word) and not is_common_english(word)


@pytest.mark.parametrize(
    "word",
    # a brand or tool, a word an everyday prefix starts, too short a clipping, not a clipping
    ["pyenv", "conda", "rsync", "redis", "repo", "auth", "tarball", "kubectl", "admin2"],
)
def test_jargon_and_short_clippings_are_not_clipped_english(word: str) -> None:
    assert not is_clipped_english(word)
