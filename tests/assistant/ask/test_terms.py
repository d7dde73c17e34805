"""Content terms: what lexical coverage counts."""

from __future__ import annotations

from assistant.ask.terms import content_terms, stem


def test_question_words_are_not_terms_and_plurals_meet() -> None:
    assert content_terms("When were the hydrangeas planted?") == ["hydrangea", "plant"]
    assert set(content_terms("The hydrangea was planting")) == {"hydrangea", "plant"}


def test_technical_tokens_are_kept_whole_and_in_parts() -> None:
    terms = content_terms("Does str.partition or lru_cache take --almost-all and $RANDOM 2>&1?")
    for term in ("str.partition", "partition", "lru_cache", "lru", stem("cache"), "--almost-all"):
        assert term in terms
    assert "$random" in terms and "random" in terms and "2>&1" in terms


def test_stemming_is_light_and_stable() -> None:
    assert stem("running") == "run" and stem("pickups") == "pickup"
    assert stem("status") == "status" and stem("bus") == "bus"
    assert stem(stem("libraries")) == stem("libraries")


def test_an_adverb_meets_its_adjective_and_nouns_ending_in_ly_stay() -> None:
    assert stem("numerically") == stem("numerical") == stem("numeric")
    assert stem("recursively") == stem("recursive") and stem("manually") == stem("manual")
    assert stem("automatically") == stem("automatic") and stem("quickly") == "quick"
    for word in ("family", "supply", "assembly", "reply", "early", "only"):
        assert stem(word) == word
    assert stem(stem("numerically")) == stem("numerically")


def test_accents_fold_away_as_in_the_full_text_index_and_other_scripts_are_terms() -> None:
    assert content_terms("Dissertacoes utilizacao") == content_terms("Dissertações utilização")
    assert content_terms("Gödel") == content_terms("Godel") == ["godel"]
    assert content_terms("Привет, мир") == ["привет", "мир"]  # letters of any script


def test_a_stop_word_typed_without_its_contractions_apostrophe_is_no_term() -> None:
    question = "whats the quickest way back to the branch im on, and hows that merged?"
    assert content_terms(question) == ["quickest", "back", "branch", "merg"]
    # a negation's stub is a term as the documents' own "doesn't" is
    assert content_terms("it doesn't") == content_terms("docs say it doesn't")[-1:] == ["doesn"]


def test_a_stop_word_is_a_term_where_the_word_after_it_makes_it_a_keyword() -> None:
    assert content_terms("the else block of a try statement") == [
        "else",
        "block",
        "try",
        "statement",
    ]
    assert content_terms("for loops and the in operator") == ["for", "loop", "in", "operator"]
    # the same words in prose are not terms
    assert content_terms("What else can I try for this block?") == ["block"]
