"""Which words the names rule takes as common English, from pyspellchecker's real list."""

from __future__ import annotations

import pytest

from ingest.english_words import is_common_english


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
