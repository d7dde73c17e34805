"""The passage splitter: sentences with offsets, on the shapes real documents take."""

from __future__ import annotations

from assistant.ask.sentences import MAX_WORDS, passage_sentences, starts_mid_sentence


def _texts(text: str) -> list[str]:
    return [span.text for span in passage_sentences(text)]


def test_spans_point_back_into_the_text_in_order() -> None:
    text = "First sentence here now. Second one follows it!\n\nA new paragraph starts here."
    spans = passage_sentences(text)
    assert [s.text for s in spans] == [
        "First sentence here now.",
        "Second one follows it!",
        "A new paragraph starts here.",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_abbreviations_initials_and_wrapped_lines_do_not_end_a_sentence() -> None:
    text = "Use a tool, e.g. Black, or J. Smith's\nformatter on every file. Then commit the change."
    assert _texts(text) == [
        "Use a tool, e.g. Black, or J. Smith's formatter on every file.",
        "Then commit the change.",
    ]


def test_list_items_and_prompts_start_new_spans_and_short_fragments_join() -> None:
    text = "Options:\n-a, --all\n    do not ignore entries starting with .\n- b item two here"
    spans = _texts(text)
    assert spans[0].startswith("Options: -a, --all do not ignore")  # a fragment joins on
    assert spans[-1] == "- b item two here"
    prompt = "Run this:\n$ python -m venv tutorial-env\nand activate it afterwards."
    assert "$ python -m venv tutorial-env and activate it afterwards." in _texts(prompt)


def test_the_tail_of_a_sentence_a_text_opens_inside_stays_apart() -> None:
    # signal(7)'s chunk opening inside "... (See sigaction(2) for further details.)"
    text = "details.) Using these system calls, a process can elect a behavior. It applies to all."
    assert _texts(text) == [
        "details.)",
        "Using these system calls, a process can elect a behavior.",
        "It applies to all.",
    ]
    assert _texts("Run it. It ends.") == ["Run it. It ends."]  # not a tail: a fragment joins


def test_a_table_or_listing_without_full_stops_is_cut_into_windows() -> None:
    words = " ".join(f"cell{n}" for n in range(130))
    spans = passage_sentences(words)
    assert len(spans) == 3 and all(s.words <= MAX_WORDS for s in spans)
    assert sum(s.words for s in spans) == 130


def test_empty_and_blank_text_have_no_sentences() -> None:
    assert passage_sentences("") == [] and passage_sentences("  \n\n \t") == []


def test_titles_do_not_end_a_sentence_and_lines_of_fields_are_their_own() -> None:
    thesis = "My supervisor was Prof. Dr. Helga Brandt, Dept. of Physics. The grade was 1.3."
    assert _texts(thesis) == [
        "My supervisor was Prof. Dr. Helga Brandt, Dept. of Physics.",
        "The grade was 1.3.",
    ]
    front = "title: Lisbon trip\ntrip_dates: 2026-11-26 to 2026-11-30\ntags: [travel, conference]"
    assert _texts(front) == front.split("\n")
    org = "** TODO Call the insurance today\n** DONE Replace the smoke detector battery"
    assert _texts(org) == org.split("\n")


def test_a_text_opening_with_a_plain_lower_case_word_opens_inside_a_sentence() -> None:
    assert starts_mid_sentence("after a restart, because the daemon keeps")
    assert starts_mid_sentence("poly1305\nevaluation point, and the next 16 bytes")  # Nettle's
    assert starts_mid_sentence("names.")
    assert not starts_mid_sentence("The daemon reads its settings once.")
    assert not starts_mid_sentence("re.X re.VERBOSE")  # a name in code
    assert not starts_mid_sentence("os.walk(top) walks the tree")
    assert not starts_mid_sentence("date: 2026-10-03")  # a label
