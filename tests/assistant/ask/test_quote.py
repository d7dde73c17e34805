"""Quote answers from evidence: which windows, how far they reach, verbatim with citations.

Evidence here is scored lexically (no embedder): which window is best is then plain to see,
and the quote's extent is what is tested. The real parts (MiniLM, LanceDB) quote in
test_evidence.py and test_pipeline_real.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.ask.evidence import Evidence, EvidenceSelector, EvidenceWindow, uniform_weights
from assistant.ask.quote import quote_answer
from assistant.ask.quote_layout import MAX_LIST_ITEMS, through_list
from assistant.ask.sentences import MAX_WORDS, TextSpan, passage_sentences
from assistant.ask.types import Source
from ingest.loaders import load_document

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


def source(number: int, text: str, path: str = "notes.md", heading: str = "") -> Source:
    return Source(number, f"{path}:{number}", path, None, heading, 1, 0.5, text)


def quoted(question: str, *sources: Source) -> str:
    evidence = EvidenceSelector(uniform_weights).select(question, None, list(sources))
    quote = quote_answer(evidence)
    assert quote is not None
    return quote.text


def test_a_window_that_announces_a_command_is_quoted_with_it() -> None:
    text = quoted("How do I compile the firmware with clang instead of gcc?", source(1, BUILD))
    # The command keeps its own indented line; the citation follows it, outside the code.
    assert text.endswith("instead of gcc, type:\n\n    make CC=clang firmware\n[1]")


def test_a_term_line_of_its_own_starts_an_entry_the_quote_above_stops_before() -> None:
    # git-commit(1) as HTML reads: each term a line of its own, ending in a colon, over its
    # description; the window of the entry above stops before it.
    options = (
        "--no-edit:\nUse the selected commit message without launching an editor.\n"
        "-m <msg> --message=<msg>:\nUse the given message as the commit message. If several "
        "are given, their values are concatenated as separate paragraphs."
    )
    text = quoted(
        "How do I keep the commit message without launching an editor?", source(1, options)
    )
    assert text == (
        "--no-edit: Use the selected commit message without launching an editor. [1]"
    ), text


def test_a_quote_of_callouts_carries_the_code_they_explain() -> None:
    examples = (
        "See also the --amend option.\nUndo a commit, making it a topic branch:\n\n```\n"
        "$ git branch topic/wip          <1>\n$ git reset --hard HEAD~3       <2>\n```\n\n"
        "<1> You have made some commits, but realize they were premature to be in the master "
        "branch.\n<2> Rewind the master branch to get rid of those three commits.\n"
        "Undo commits permanently:"
    )
    text = quoted("How do I rewind the master branch by three commits?", source(1, examples))
    assert text.startswith("Undo a commit, making it a topic branch:\n\n```\n$ git branch")
    assert "<1> You have made" in text and "\n<2> Rewind the master branch" in text


def test_a_quote_a_few_sentences_into_an_entry_starts_at_its_term() -> None:
    # git-cherry-pick(1): what -x does is its first sentence; the question's words are in
    # the fourth
    options = (
        "-e:\nEdit the commit message prior to committing.\n-x:\nWhen recording the commit, "
        "append a line that says (cherry picked from commit ...) to the original message. "
        "This is done only for cherry picks without conflicts. A later pick reads the line "
        "back. Do not use this option if "
        "you are cherry-picking from your private branch.\n-r:\nA no-op."
    )
    text = quoted("Should I use it when cherry-picking from my private branch?", source(1, options))
    assert text.startswith("-x: When recording the commit, append a line"), text
    assert "-e:" not in text and "-r:" not in text


def test_a_manual_pages_one_word_term_starts_its_entry() -> None:
    # ssh_config(5) as man renders it: a term too short to be a sentence of its own runs into
    # the first line of its description, indented deeper below it
    settings = (
        "     SendEnv\n             Specifies what variables from the local environ(7) should "
        "be sent\n             to the server.  The default is not to send any\n             "
        "environment variables.\n\n     ServerAliveCountMax\n             Sets the number of "
        "server alive messages which may be\n             sent without ssh receiving any "
        "messages back from the server."
    )
    text = quoted("How many server alive messages may be sent?", source(1, settings))
    assert text.startswith("ServerAliveCountMax\n"), text
    assert "environment variables" not in text


def test_a_chunk_opening_inside_a_sentence_does_not_open_with_a_term() -> None:
    # A chunk of ssh_config(5) starts three words before its first line's end: those words
    # over the indented rest of their sentence read like a term over its description.
    cut = (
        "encrypted channel and\n             therefore will not be spoofable.  The TCP "
        "keepalive option\n             enabled by TCPKeepAlive is spoofable.  The server alive "
        "mechanism is\n             valuable when the client or server depend on knowing when "
        "a\n             connection has become unresponsive."
    )
    text = quoted("When is the server alive mechanism valuable?", source(1, cut))
    assert text.startswith("The TCP keepalive option enabled by TCPKeepAlive"), text


MISSING = (
    "__missing__(key)\n\nIf the default_factory attribute is None, this raises a KeyError "
    "exception with the key as argument. If default_factory is not None, it is called without "
    "arguments to provide a default value for the given key. This method is called by the "
    "__getitem__() method of the dict class when the requested key is not found."
)


def test_a_quote_a_few_sentences_into_its_chunks_entry_starts_under_the_heading() -> None:
    # collections.defaultdict's entry: the question's words are in its third sentence
    entry = replace(source(1, MISSING), heading="collections > __missing__(key)")
    text = quoted("Which method of the dict class calls it when a key is not found?", entry)
    assert text.startswith("__missing__(key)\n\nIf the default_factory attribute is None"), text
    # a paragraph between them, or another heading's chunk: the quote starts at its window
    apart = replace(entry, text=MISSING.replace("argument. If", "argument.\n\nIf"))
    text = quoted("Which method of the dict class calls it when a key is not found?", apart)
    assert text.startswith("If default_factory is not None"), text
    elsewhere = replace(entry, heading="collections > defaultdict objects")
    text = quoted("Which method of the dict class calls it when a key is not found?", elsewhere)
    assert text.startswith("If default_factory is not None"), text


def test_a_window_of_finished_sentences_is_quoted_alone() -> None:
    text = quoted("When were the hydrangeas planted?", source(1, PLANTS))
    assert "14 April 2021" in text
    # the window centred on the sentence holding the terms; it ends with a full stop, so
    # nothing after it is added
    assert text.startswith("The lawn was reseeded in March. The hydrangeas")
    assert text.endswith("every two weeks. [1]")
    assert "sharpened" not in text


def test_every_quoted_line_is_the_sources_words_and_cites_it() -> None:
    sources = [source(1, BUILD, "build.md"), source(2, PLANTS, "garden.md")]
    quote = quote_answer(
        EvidenceSelector(uniform_weights).select("firmware clang gcc", None, sources)
    )
    assert quote is not None and quote.cited == [1]
    for support in quote.sentences:
        piece = quote.text[support.start : support.end]
        assert piece == f"{support.evidence}\n[1]" and support.source == 1
        for line in support.evidence.splitlines():
            assert line.strip() in BUILD  # each line verbatim (wrapped lines aside)


def test_a_quote_is_the_same_every_time() -> None:
    question = "How do I compile the firmware with clang instead of gcc?"
    assert quoted(question, source(1, BUILD)) == quoted(question, source(1, BUILD))


KEYS = (
    "## Keeping API keys safe\n\n"
    "margin never stores API keys in `config.toml` or in any file of its own. Keys live in\n"
    "your operating system's keyring, through the `keyring` library:\n\n"
    "```sh\n"
    "margin keys set work      # prompts for the key. Input is not echoed\n"
    "\n"
    "margin keys remove work\n"
    "```\n\n"
    "Profiles:\n\n"
    "- `work` reads its key from the keyring.\n"
    "- `local` needs no key at all.\n"
)


def test_a_quote_keeps_headings_lists_and_a_whole_code_block_with_the_citation_outside() -> None:
    text = quoted("How do I remove the work key with margin keys?", source(1, KEYS))
    # the fenced block is whole, its blank line and all, and the citation comes after it
    fence = KEYS[KEYS.index("```sh") : KEYS.index("```\n\n") + 3]
    assert text.endswith(f"\n\n{fence}\n[1]") and text.count("[1]") == 1
    prose = quoted("Where do the keys live, which library?", source(1, KEYS))
    # the wrapped line is joined, as a renderer joins it
    assert "Keys live in\nyour" not in prose
    assert "Keys live in your operating system's keyring" in prose
    items = quoted("Does the local profile need no key at all?", source(1, KEYS))
    assert items.endswith(
        "- `work` reads its key from the keyring.\n- `local` needs no key at all. [1]"
    )


def test_a_heading_keeps_its_own_line() -> None:
    text = quoted("Keeping API keys safe: where are keys stored?", source(1, KEYS))
    assert text.startswith("## Keeping API keys safe\n\nmargin never stores")


def test_a_code_block_the_chunk_cuts_off_is_closed_before_the_citation() -> None:
    cut = "To list the keys, run:\n\n```sh\nmargin keys list\nmargin keys show work"
    text = quoted("How do I list the keys?", source(1, cut))
    assert text == (
        "To list the keys, run:\n\n```sh\nmargin keys list\nmargin keys show work\n```\n[1]"
    )


def test_two_windows_in_one_code_block_are_quoted_once() -> None:
    listing = (
        "Run these steps:\n\n```sh\n"
        + "\n".join(f"step{i} --flag value{i} # does part {i} of the setup work" for i in range(12))
        + "\n```\n"
    )
    text = quoted("setup flag value step", source(1, listing))
    assert text.count("```sh") == 1 and text.count("[1]") == 1


PARTITION = (
    "The partition method splits a string in three parts. It splits at the first occurrence "
    "of the separator given. If nothing is found, the tuple holds the string itself and two "
    "empty strings. Other methods split at every occurrence instead."
)


def test_the_sentence_after_the_window_is_quoted_when_it_holds_a_question_term() -> None:
    # As the dense score can make it: the best window is the first two sentences, and the
    # question's "found" is only in the sentence after them, which holds the answer.
    notes = source(1, PARTITION)
    spans = passage_sentences(PARTITION)
    best = TextSpan(spans[0].start, spans[1].end, f"{spans[0].text} {spans[1].text}")
    windows = [EvidenceWindow(notes, spans[0], best, 0.8, 0.9, 0.85)]
    windows += [EvidenceWindow(notes, s, s, 0.2, None, 0.1) for s in spans[1:]]
    weights = {"partition": 3.0, "separator": 1.0, "found": 1.0, "return": 1.0}
    quote = quote_answer(Evidence(windows, weights))
    assert quote is not None
    assert quote.text.endswith("the string itself and two empty strings. [1]")
    assert "Other methods" not in quote.text  # no question term after that: left out
    # the same window, when the sentence after it holds no question term, is quoted alone
    del weights["found"]
    alone = quote_answer(Evidence(windows, weights))
    assert alone is not None and alone.text == f"{best.text} [1]"


def test_a_window_reaching_into_the_next_chosen_one_makes_one_passage() -> None:
    notes = source(1, PARTITION)
    s = passage_sentences(PARTITION)
    first = TextSpan(s[0].start, s[1].end, f"{s[0].text} {s[1].text}")
    second = TextSpan(s[2].start, s[3].end, f"{s[2].text} {s[3].text}")
    windows = [
        EvidenceWindow(notes, s[0], first, 0.8, 0.9, 0.85),
        EvidenceWindow(notes, s[3], second, 0.8, 0.8, 0.8),
    ]
    weights = {"partition": 3.0, "separator": 1.0, "found": 1.0}
    quote = quote_answer(
        Evidence([*windows, EvidenceWindow(notes, s[2], s[2], 0, None, 0)], weights)
    )
    # the first reaches to the "found" sentence, which the second starts with: quoted once
    assert quote is not None and quote.text == f"{PARTITION} [1]"
    assert len(quote.sentences) == 1


def test_a_rest_heading_keeps_its_underline_on_a_line_of_its_own() -> None:
    rst = (
        "Prompt injection\n================\n\nPrompt injection cannot be fully prevented, so "
        "margin layers\nits defences against prompt injection:\n\n"
        "1. The system prompt says sources are data.\n"
    )
    text = quoted("How does margin defend against prompt injection?", source(1, rst))
    assert text.startswith(
        "Prompt injection\n================\n\nPrompt injection cannot be fully prevented, "
        "so margin layers its defences against prompt injection:\n\n1. The system prompt"
    )


HEAPQ = (
    "The module also offers three general purpose functions based on heaps.\n\n"
    "heapq.merge(*iterables, key=None, reverse=False)\n\n"
    "Merge multiple sorted inputs into a single sorted output (for example, merge timestamped "
    "entries from multiple log files). Returns an iterator over the sorted values.\n"
    "Similar to sorted(itertools.chain(*iterables)) but returns an iterable, does not pull "
    "the data into memory all at once, and assumes that each of the input streams is already "
    "sorted (smallest to largest).\n"
    "Has two optional arguments which must be specified as keyword arguments.\n"
    "key specifies a key function of one argument that is used to extract a comparison key "
    "from each input element. The default value is None (compare the elements directly)."
)
HEAPQ_HEADING = "heapq — Heap queue algorithm > heapq.merge(*iterables, key=None, reverse=False)"


def entry(text: str, heading: str) -> Source:
    return Source(1, "heapq.html:1", "heapq.html", None, heading, 1, 0.5, text)


def test_a_quote_starts_at_the_heading_right_above_it() -> None:
    # The Python documentation's text for heapq.merge: the entry's signature is its heading,
    # and the sentence that answers never names the function.
    question = "How do I combine timestamped entries from multiple log files into one stream?"
    text = quoted(question, entry(HEAPQ, HEAPQ_HEADING))
    assert text.startswith("heapq.merge(*iterables, key=None, reverse=False)\n\nMerge multiple")
    # the same words under another heading: the line above is not the section's, so not quoted
    other = quoted(question, entry(HEAPQ, "heapq — Heap queue algorithm > Basic examples"))
    assert other.startswith("Merge multiple sorted inputs")


GARDEN_LOG = (
    "## Diet\n\nLow salt since March.\n\n## Hydrangeas\n\nPlanted on 14 April 2024 by the "
    "north fence.\n\n```sh\n# hydrangeas: water them\nwater --north\n```\n\nThey flower blue."
)


def test_a_quote_from_a_markdown_note_keeps_to_the_entry_it_quotes() -> None:
    # Tiny Markdown sections are packed into one chunk: the entry above a heading is another's.
    text = quoted("When were the hydrangeas planted?", source(1, GARDEN_LOG, "garden.md"))
    assert text.startswith("## Hydrangeas\n\nPlanted on 14 April 2024") and "salt" not in text
    # a comment in fenced code is no heading; in other files a "#" line is no heading either
    code = quoted("How do I water the hydrangeas?", source(1, GARDEN_LOG, "garden.md"))
    assert "# hydrangeas: water them\nwater --north" in code
    plain = quoted("When were the hydrangeas planted?", source(1, GARDEN_LOG, "garden.txt"))
    assert plain.startswith("Low salt since March.")


SED_FIRST = (
    "       -f script-file, --file=script-file\n\n"
    "              add the contents of script-file to the commands to be executed\n\n"
    "       --follow-symlinks\n\n"
    "              follow symlinks when processing in place\n\n"
    "       -i[SUFFIX], --in-place[=SUFFIX]"
)
SED_NEXT = (
    "--follow-symlinks\n\n"
    "              follow symlinks when processing in place\n\n"
    "       -i[SUFFIX], --in-place[=SUFFIX]\n\n"
    "              edit files in place (makes backup if SUFFIX supplied)\n\n"
    "       -l N, --line-length=N\n\n"
    "              specify the desired line-wrap length for the `l' command"
)


def test_a_manual_page_option_is_quoted_with_its_own_description_once() -> None:
    # Two overlapping chunks of sed(1); the first ends on the option's line.
    sources = [source(1, SED_FIRST, "sed.1.txt"), source(2, SED_NEXT, "sed.1.txt")]
    text = quoted("What does the -i option of sed do?", *sources)
    # the option's line starts its entry: not the option above, not the one below, not twice;
    # its description is prose, not code, with the citation after it
    assert text == (
        "-i[SUFFIX], --in-place[=SUFFIX]\n\n"
        "edit files in place (makes backup if SUFFIX supplied) [2]"
    )


LS_OPTIONS = (
    "in blocks\n\n"
    "       -S     sort by file size, largest first; with -l, the sizes are\n"
    "              shown in blocks\n\n"
    "       --time=WORD\n"
    "              change the default of using modification times; access time\n"
    "              (-u): atime, access, use; change time (-c): ctime, status; birth\n"
    "              time: birth, creation;\n\n"
    "              with -l, WORD determines which time to show; with --sort=time,\n"
    "              sort by WORD (newest first)\n"
)


def test_a_manual_pages_option_keeps_its_own_line_and_its_description_is_prose() -> None:
    # ls(1): a tag with its description on the lines below, and a second paragraph of it
    text = quoted(
        "Which time does ls show with --time=WORD and -l?", source(1, LS_OPTIONS, "ls.1.txt")
    )
    assert text.startswith(
        "--time=WORD\nchange the default of using modification times; access time (-u): atime,"
    )
    assert "\n\nwith -l, WORD determines which time to show; with --sort=time, sort by WORD" in text
    assert not [line for line in text.splitlines() if line.startswith(" ")]  # no code
    # a tag with its description on the same line: the description's next line continues it
    text = quoted("How do I sort ls output by file size?", source(1, LS_OPTIONS, "ls.1.txt"))
    assert "-S sort by file size, largest first; with -l, the sizes are shown in blocks" in text


CURL_REDIRECTS = (
    "              initial host. If a redirect takes curl to a different  host,  it\n"
    "              will  not be able to intercept the user+password. See also\n"
    "              --location-trusted on how to change this. You can limit  the  amount\n"
    "              of redirects to follow by using the --max-redirs option.\n\n"
    "              When  curl  follows  a redirect and if the request is a POST, it\n"
    "              will send the following request with a GET if the HTTP  response\n"
    "              was  301,  302,  or  303."
)


def test_a_quote_starting_inside_a_manual_pages_line_is_prose_not_code() -> None:
    # curl(1): the window quoted starts in the middle of its line, which loses its 14
    # columns; the lines below keep theirs, and read as code once measured against none
    text = quoted("How do I limit the number of redirects curl follows?", source(1, CURL_REDIRECTS))
    assert "the amount of redirects to follow by using the --max-redirs option." in text
    assert "\n\nWhen curl follows a redirect and if the request is a POST, it will send" in text
    assert text.endswith("303. [1]")  # the citation after prose, on its line
    assert not [line for line in text.splitlines() if line.startswith(" ")]  # no code


SERVER = (
    "The old file server was moved to the basement in March.\n\nThe build server was moved "
    "there too. It runs the nightly jobs at 02:00 and keeps their logs for a week. Those "
    "logs are rotated by logrotate every Sunday night. The disk holding them is 2 TB."
)


def test_a_quote_does_not_open_with_a_sentence_that_refers_back() -> None:
    # the answer's window opens with "Those logs...", whose "It" is the build server
    text = quoted("How large is the disk holding them?", source(1, SERVER))
    assert text.startswith("The build server was moved there too. It runs the nightly jobs")
    assert text.endswith("The disk holding them is 2 TB. [1]")
    assert "old file server" not in text  # the paragraph before stays out


XAUTH = (
    "Enable it host by host, rather than in the default host settings. In order for X11 "
    "forwarding to work, you need to install xauth on the server."
)
XAUTH_NEXT = (
    "you need to install xauth on the server. In Debian this is in the xbase-clients package."
)


def test_a_sentence_two_chunks_cut_at_facing_edges_is_quoted_once_across_both() -> None:
    # Chunks overlap by a few words: the first ends on the sentence, the next starts inside it.
    sources = [source(1, XAUTH, "README.Debian"), source(2, XAUTH_NEXT, "README.Debian")]
    text = quoted("Must I install xauth on the server?", *sources)
    assert text == (
        "Enable it host by host, rather than in the default host settings. In order for X11 "
        "forwarding to work, you need to install xauth on the server. In Debian this is in the "
        "xbase-clients package. [1]"
    )


def test_a_quote_does_not_open_with_the_tail_of_a_sentence_the_chunk_before_holds() -> None:
    # chunks overlap by a few words, so one may start inside a sentence
    tail = (
        "make sure the keyring really stored it. When margin needs the key for a profile it "
        "looks in the system keyring first. Then it reads the variable the profile names."
    )
    text = quoted("Where does margin look for the key of a profile?", source(1, tail))
    assert text.startswith("When margin needs the key")
    # nor when the tail itself is what matches best: the chunk before holds its sentence whole
    text = quoted("How do I make sure the keyring really stored it?", source(1, tail))
    assert text.startswith("When margin needs the key")
    # a tail of two words is no fragment of the sentence after it (signal(7) at a chunk's start)
    signals = (
        "details.) Using these system calls, a process can elect to ignore the signal or catch "
        "it with a handler.\n\nBy default, a signal handler is invoked on the process stack."
    )
    text = quoted("How can a process elect to catch a signal?", source(1, signals))
    assert text.startswith("Using these system calls, a process can elect")
    # a name in code is no tail of a sentence: an API entry's first line stays
    entry = "re.X re.VERBOSE\n\nThis flag allows you to write regular expressions with comments."
    assert quoted(
        "Which flag allows comments in regular expressions?", source(1, entry)
    ).startswith("re.X re.VERBOSE")


# A chunk of bash(1)'s `set -o` list as bash.pdf reads: it opens with an option's name.
OPTIONS = (
    "nounset Same as -u.\nonecmd Same as -t.\nphysical Same as -P.\npipefail If set, the return "
    "value of a pipeline is the value of the last (rightmost) command to exit with a non-zero "
    "status, or zero if all commands in the pipeline\nexit successfully. This option is "
    "disabled by default.\nposix Change the behavior of bash where the default operation "
    "differs from the\nPOSIX standard to match the standard (posix mode)."
)


def test_a_chunk_opening_with_a_long_lower_case_sentence_keeps_it() -> None:
    # the chunk before can hold only a few words of it: an option list, not a sentence's tail
    text = quoted("What does set -o pipefail change about the exit status?", source(1, OPTIONS))
    assert "pipefail If set, the return value of a pipeline is the value of the last" in text


LONG_SENTENCE = (
    "Neighbouring chunks of a file overlap by a few words, and the same sentences are quoted "
    "once, from the chunk that holds them whole, or as one passage across both chunks when "
    "each of the two cuts them off at its edge, so that a reader never sees the same words "
    "twice and never a passage that stops short of the end of what it was saying to you. "
    "The default mode quotes when the model would be the small bundled one."
)


def test_a_quote_opens_where_a_sentence_too_long_to_score_whole_does() -> None:
    # 64 words, scored as two pieces: the window of the sentence after it opens at the second
    text = quoted("Which mode is the default with the bundled model?", source(1, LONG_SENTENCE))
    assert text.startswith("Neighbouring chunks of a file overlap")


def test_a_quote_ending_on_a_news_files_release_heading_carries_on_to_what_it_heads() -> None:
    news = Path(__file__).parents[2] / "data" / "news" / "diffutils-NEWS.txt"
    lines = news.read_text().splitlines()
    release = lines.index("* Noteworthy changes in release 3.6 (2017-05-21) [stable]")
    chunk = "\n".join(lines[release - 3 : release + 8])
    question = "What are the noteworthy changes in release 3.6 of diffutils?"
    text = quoted(question, source(1, chunk, news.name))
    assert "* Noteworthy changes in release 3.6 (2017-05-21) [stable]\n\n** New features" in text
    assert "When one file is a prefix of the other, cmp now appends the shorter" in text


def test_html_code_is_quoted_line_for_line() -> None:
    """The trial's question on libffi's page: the code comes out as the page shows it."""
    page = Path(__file__).parents[2] / "data" / "debian_html" / "libffi-Closure-Example.html"
    [section] = load_document(page).sections
    text = quoted("How do I allocate a closure in libffi?", source(1, section.text, page.name))
    assert "\n  void *bound_puts;\n  int rc;\n" in text
    assert "\n  closure = ffi_closure_alloc(sizeof(ffi_closure), &bound_puts);\n" in text
    assert text.endswith("```\n[1]")


# systemd.timer(5) as `man` prints it: a tbl table drawn with box lines.
TIMER = """       OnActiveSec=, OnBootSec=, OnStartupSec=, OnUnitActiveSec=,
       OnUnitInactiveSec=
           Defines monotonic timers relative to different starting points:

           Table 1. Settings and their starting points
           ┌───────────────────┬────────────────────────────┐
           │Setting            │ Meaning                    │
           ├───────────────────┼────────────────────────────┤
           │OnBootSec=         │ Defines a timer relative   │
           │                   │ to when the machine was    │
           │                   │ booted up. In containers,  │
           │                   │ for the system manager     │
           │                   │ instance, this is mapped   │
           │                   │ to OnStartupSec=, making   │
           │                   │ both equivalent.           │
           └───────────────────┴────────────────────────────┘
           Multiple directives may be combined of the same and of different
           types."""


def test_table_rows_keep_their_lines() -> None:
    """A box-drawn table and the loaders' "cell | cell" rows are not wrapped prose."""
    text = quoted("What does OnBootSec= do in containers?", source(1, TIMER, "systemd.timer.5"))
    box = [line.strip() for line in TIMER.split("\n")[5:15]]
    quoted_lines = [line.strip() for line in text.split("\n")]
    assert quoted_lines[quoted_lines.index(box[0]) :][: len(box)] == box
    rows = "Food | Share\nsea urchins | most of it, in the north\ncrabs | some"
    page = f"Otters eat what the kelp forest holds.\n\n{rows}\n\nThey crack shells on stones."
    text = quoted("What share of the food is sea urchins?", source(1, page, "otters.html"))
    assert f"\n{rows}\n" in text


GZIP_OPTIONS = (
    "-c --stdout --to-stdout\nWrite output on standard output; keep original files unchanged.\n\n"
    "-# --fast --best\nRegulate the speed of compression using the specified digit #, where -1\n"
    "or --fast indicates the fastest compression method (less compression) and -9\n"
    "or --best indicates the slowest compression method (best compression). The\n"
    "default compression level is -6.\n"
)


def test_an_options_tag_keeps_its_own_line_above_its_wrapped_description() -> None:
    # gzip(1) read from its roff source: tags flush left, each above its description, whose
    # wrapped lines may start with an option ("or --fast indicates ...") and still join
    text = quoted("What compression level does gzip use by default?", source(1, GZIP_OPTIONS))
    assert "-# --fast --best\nRegulate the speed of compression using the specified digit #, " in (
        text
    )
    assert "where -1 or --fast indicates the fastest" in text
    assert "(best compression). The default compression level is -6. [1]" in text


DECISION = (
    "# Storage format decision\n\n"
    "We compared three options for the Atlas archive.\n\n"
    "| Option | Read speed | Size on disk | Verdict |\n"
    "|---|---|---|---|\n"
    "| SQLite | fast | 1.2 GB | rejected |\n"
    "| Parquet | very fast | 380 MB | **chosen** |\n"
    "| plain JSON | slow | 4.7 GB | rejected |\n\n"
    "## Why Parquet\n\nColumnar, so the monthly reports read three columns only."
)


def test_a_quote_that_reaches_a_tables_header_carries_its_rows() -> None:
    text = quoted(
        "Which options did we compare for the Atlas archive?", source(1, DECISION, "d.md")
    )
    table = DECISION.split("\n\n")[2]
    assert f"{table} [1]" in text  # not "|---|---|---|---| [1]"
    # a window without a full stop at its end reaches the header as its next sentence
    tagged = DECISION.replace(
        "We compared three options for the Atlas archive.",
        "Related: [[Project Atlas]]\n\nWe compared three options for the Atlas archive. #decision",
    )
    note = Source(1, "d.md:1", "d.md", None, "Storage format decision", 1, 0.5, tagged)
    assert f"{table} [1]" in quoted("Which storage format did we choose for Atlas?", note)
    rows = "\n".join(f"| row {n} | value {n} |" for n in range(30))
    long = f"The thirty sample values of the Atlas archive:\n\n| Row | Value |\n|---|---|\n{rows}"
    text = quoted("Which sample values does the Atlas archive hold?", source(1, long, "v.md"))
    assert "| row 9 | value 9 | [1]" in text and "row 10" not in text  # ten rows at most


BUDGET = (
    "The budget section sets what margin may spend on remote models.\n\n"
    "| key | default | meaning |\n|---|---|---|\n"
    "| `request_usd` | 0.05 | refuse before the call if the estimated cost is above this |\n"
    "| `daily_usd` | 1.00 | the spending limit for one day |\n"
)


def test_a_quote_starting_at_a_row_below_the_header_is_quoted_under_it() -> None:
    text = quoted("What is the spending limit for one day?", source(1, BUDGET, "b.md"))
    header, rows = "| key | default | meaning |\n|---|---|---|\n", BUDGET.split("|---|\n")[1]
    assert text == f"{header}{rows.rstrip()} [1]"  # the window's two rows, under the header
    # a chunk opening inside the table, with the end of a row: its header is not there
    cut = BUDGET[BUDGET.index("estimated cost") :]
    text = quoted("What is the spending limit for one day?", source(1, cut, "b.md"))
    assert text == "| `daily_usd` | 1.00 | the spending limit for one day | [1]"


FIELDS = (
    "/etc/passwd holds one line per account, with seven fields. These fields are:\n\n"
    "• login name\n\n• optional encrypted password, an x when it\n"
    "  is kept in /etc/shadow\n\n• user home directory\n\n"
    "If the password field is a lower-case x, the password is in the shadow file."
)


def test_a_quote_stopping_inside_a_list_it_announces_carries_the_items() -> None:
    first = FIELDS.index("login name") + len("login name")
    last = FIELDS.index("home directory") + len("home directory")
    assert through_list(FIELDS, 0, first) == last  # wrapped lines and blank lines between
    assert through_list(FIELDS, FIELDS.index("These"), first) == last
    # a quote that starts below the announcement, or reaches no item, stays as it is
    assert through_list(FIELDS, FIELDS.index("• login"), first) == first
    assert through_list(FIELDS, 0, FIELDS.index(" These")) == FIELDS.index(" These")
    # a list nothing announces is no part of the quote
    plain = FIELDS.replace("These fields are:", "They are listed below.")
    at = plain.index("login name") + len("login name")
    assert through_list(plain, 0, at) == at
    numbered = "Build it in three steps:\n1. configure\n2) make\n3. make install\n\nDone."
    assert through_list(numbered, 0, numbered.index("\n2)")) == numbered.index("\n\nDone")
    items = "\n".join(f"- step {n}" for n in range(1, 31))
    steps = f"The thirty steps of the release:\n{items}"
    end = through_list(steps, 0, steps.index("\n- step 2"))
    assert steps[:end].endswith(f"- step {MAX_LIST_ITEMS}")


def test_front_matter_csv_rows_and_org_headings_keep_their_lines() -> None:
    trip = (
        "---\ntitle: Lisbon trip\ntrip_dates: 2026-11-26 to 2026-11-30\n"
        "tags: [travel, conference]\n---\n\n# Lisbon trip\n\nConference: PyData Lisbon."
    )
    text = quoted("When is the trip to Lisbon?", source(1, trip, "lisbon.md"))
    assert "title: Lisbon trip\ntrip_dates: 2026-11-26 to 2026-11-30\ntags:" in text
    rows = (
        "date: 2026-10-03; category: groceries; payee: Bio Company; amount_eur: 62.40\n"
        "date: 2026-10-07; category: transport; payee: BVG; amount_eur: 49.00"
    )
    assert rows in quoted("What did I spend on groceries?", source(1, rows, "spent.csv"))
    org = "* Home\n** TODO Call the insurance about the water damage claim\n** DONE Replace it"
    text = quoted("Which claim is the water damage?", source(1, org, "todo.org"))
    assert "* Home\n** TODO Call the insurance" in text
    # prose wrapped at 80 columns is still one line
    wrapped = "Note: the hydrangeas were planted on\n14 April 2021 along the north fence."
    assert "planted on 14 April" in quoted("When were the hydrangeas planted?", source(1, wrapped))


def test_a_title_does_not_end_a_sentence_and_one_passage_is_cited_once() -> None:
    thesis = (
        "Supervisor\n\nMy supervisor was Prof. Dr. Helga Brandt at TU Berlin. The defence took "
        "place on 14 March 2019 and the grade was 1.3."
    )
    text = quoted("Who was my thesis supervisor?", source(1, thesis, "thesis.odt"))
    assert "Prof. Dr. Helga Brandt at TU Berlin." in text and text.count("[1]") == 1


def test_a_notes_front_matter_loses_a_tie_to_its_text() -> None:
    front = "---\ntitle: Storage format decision\ntags: [project-atlas, decision]\n---\n\n"
    note = Source(1, "d.md:1", "d.md", None, "Storage format decision", 1, 0.5, front + DECISION)
    question = "Which storage format did we choose for Atlas?"
    best = EvidenceSelector(uniform_weights).select(question, None, [note]).best
    assert best is not None and best.sentence.text.startswith("We compared three options")
    assert "| Parquet | very fast | 380 MB | **chosen** |" in quoted(question, note)


def test_of_two_windows_about_as_good_the_one_from_the_higher_ranked_source_is_best() -> None:
    """A rare term in a lower-ranked chunk's window ("token", which the question asks about
    in passing) does not outweigh the source retrieval ranked first; a window holding much
    more of the question still does. The best window is quoted first and shown first to a
    model."""
    weights = {"quot": 1.0, "name": 1.0, "shell": 1.0, "safe": 1.0, "token": 0.2}

    def weigh(terms: set[str]) -> dict[str, float]:
        return {term: weights.get(term, 1.0) for term in terms}

    question = "How do I quote a name so it is safe for the shell as one token?"
    shlex = source(1, "To quote a name for the shell, use shlex. The result is safe to paste.")
    tutorial = source(3, "A shell token is safe when you quote the name whole.", "tutorial.md")
    evidence = EvidenceSelector(weigh).select(question, None, [tutorial, shlex])
    assert evidence.best is not None and evidence.best.source.number == 3  # by words alone
    best = evidence.renumbered({s.id: s for s in (shlex, tutorial)}).best
    assert best is not None and best.source.number == 1

    far = source(1, "The shell reads a name.")
    evidence = EvidenceSelector(weigh).select(question, None, [tutorial, far])
    best = evidence.renumbered({s.id: s for s in (far, tutorial)}).best
    assert best is not None and best.source.number == 3


# A README cut into two chunks that overlap by a few words, as ingest cuts them.
DAEMON = (
    "The daemon reads its settings once, at start. Changes to the settings file take effect "
    "after a restart, because the daemon keeps"
)
DAEMON_NEXT = (
    "after a restart, because the daemon keeps no watch on the file. Its log goes to the "
    "journal.\n\nTo build it from a checkout, run:"
)
DAEMON_LAST = (
    "journal.\n\nTo build it from a checkout, run:\n\n    autoreconf -fi\n    ./configure\n"
    "    make\n\nThe tests need a running journal."
)


def read_on(question: str, chunks: list[str], found: int = 1) -> tuple[str, dict[int, Source]]:
    """The quote from the `found` first chunks (numbered from 1), reading on into the chunks
    after them; and the sources it read on from, by number."""
    sources = [
        Source(i + 1, f"README:{i}", "README", None, "", 1, 0.5, t) for i, t in enumerate(chunks)
    ]

    def following(source: Source) -> Source | None:
        ordinal = int(source.id.rpartition(":")[2]) + 1
        return replace(sources[ordinal], number=source.number) if ordinal < len(sources) else None

    evidence = EvidenceSelector(uniform_weights).select(question, None, sources[:found])
    quote = quote_answer(evidence, following)
    assert quote is not None
    return quote.text, quote.read_on


def test_a_sentence_its_chunk_cuts_off_is_finished_from_the_next_chunk() -> None:
    question = "When do changes to the settings file take effect?"
    text, sources = read_on(question, [DAEMON, DAEMON_NEXT])
    assert text.endswith("because the daemon keeps no watch on the file. [1]")
    # the cited source is shown as far as the quote reaches, not the whole next chunk
    assert sources[1].text == DAEMON + " no watch on the file."
    # without the next chunk, the quote stops where the chunk does
    assert read_on(question, [DAEMON])[0].endswith("because the daemon keeps [1]")


def test_a_window_of_the_chunk_read_on_into_is_quoted_in_the_same_passage() -> None:
    # Both chunks were found, and the best window of each is quoted: the second chunk's opens
    # with the tail of the sentence the first one cut off.
    question = "Does the daemon keep a watch on the settings file?"
    text, _sources = read_on(question, [DAEMON, DAEMON_NEXT], found=2)
    assert text == (
        "The daemon reads its settings once, at start. Changes to the settings file take effect "
        "after a restart, because the daemon keeps no watch on the file. Its log goes to the "
        "journal. [1]"
    )


def test_a_chunk_ending_on_a_colon_reads_on_to_what_it_announces() -> None:
    text, sources = read_on("How do I build it from a checkout?", [DAEMON_NEXT, DAEMON_LAST])
    assert text.endswith("run:\n\n    autoreconf -fi\n    ./configure\n    make\n[1]")
    assert "tests need" not in text
    assert sources[1].text.endswith("    make")


def test_a_chunk_ending_a_line_or_a_section_is_not_read_on() -> None:
    # A manual's option list: the chunk ends an option's line, the next goes on to another.
    option = "-S     sort by file size, largest first"
    text, sources = read_on(
        "How do I sort by file size?",
        [f"-r     reverse order while sorting\n{option}", f"{option}\n-t     sort by time"],
    )
    assert "-t" not in text and sources == {}
    # The next chunk opens a section of its own: nothing of it goes on from the cut sentence.
    text, sources = read_on(
        "When do changes to the settings file take effect?", [DAEMON, "## Logging\n\nLogs go"]
    )
    assert text.endswith("the daemon keeps [1]") and sources == {}


def read_back(
    question: str, chunks: list[str], lines: list[tuple[int, ...]] | None = None
) -> tuple[str, dict[int, Source]]:
    """The quote from the last of `chunks` alone (each on the file lines `lines` lists, else
    from line 1 on), reading back into the chunks before it; and the sources it read back
    into, by number."""
    sources = [
        Source(1, f"README:{i}", "README", None, "", ls[0] if ls else 1, 0.5, text, lines=ls)
        for i, (text, ls) in enumerate(zip(chunks, lines or [()] * len(chunks), strict=True))
    ]

    def preceding(source: Source) -> Source | None:
        ordinal = int(source.id.rpartition(":")[2]) - 1
        return sources[ordinal] if ordinal >= 0 else None

    evidence = EvidenceSelector(uniform_weights).select(question, None, sources[-1:])
    quote = quote_answer(evidence, None, preceding)
    assert quote is not None
    return quote.text, quote.read_on


# The daemon's README cut elsewhere: the second chunk opens on the first one's last line.
SETTINGS = (
    "The daemon reads its settings once.\nChanges to the settings file take effect\n"
    "after a restart, because the daemon keeps"
)


def test_a_chunk_opening_inside_a_sentence_is_quoted_from_the_sentences_start() -> None:
    # Only the second chunk was found; its opening words are the end of a sentence the first
    # chunk starts ("after a restart, because the daemon keeps"), and its best window.
    question = "Does the daemon keep a watch on the settings file after a restart?"
    text, sources = read_back(question, [SETTINGS, DAEMON_NEXT], [(1, 2, 3), (3, 4, 6)])
    assert text.startswith(
        "Changes to the settings file take effect after a restart, because the daemon keeps no "
        "watch on the file."
    )
    # the source is shown from where the quote starts, on the lines each line of it is on
    shown = sources[1]
    assert shown.text == "Changes to the settings file take effect\n" + DAEMON_NEXT
    assert shown.line == 2 and shown.lines == (2, 3, 4, 6)
    assert shown.line_at(shown.text.index("To build")) == 6
    # lines that follow one another in both chunks still do
    _, sources = read_back(question, [SETTINGS, DAEMON_NEXT], [(1, 2, 3), (3, 4, 5)])
    assert sources[1].line == 2 and sources[1].line_at(sources[1].text.index("To build")) == 5
    # without the chunk before, the tail is left out, as it was
    alone, shown_alone = read_back(question, [DAEMON_NEXT])
    assert alone == "Its log goes to the journal. [1]" and shown_alone == {}


def test_reading_back_takes_the_sentence_before_when_it_holds_what_the_quote_lacks() -> None:
    # subprocess's Popen as chunked: the fact ends the chunk before, right above the sentence
    # the found chunk opens inside, as a window's neighbour would have been
    before = (
        "The default shell is decided by the platform.\nOn POSIX with shell=True, the shell "
        "defaults to /bin/sh. If args is a string, the string specifies the command to"
    )
    after = (
        "the string specifies the command to execute through the shell. This means that the "
        "string must be formatted exactly as it would be when typed at the shell prompt."
    )
    question = "Which shell executes the command when I set shell=True?"
    text, sources = read_back(question, [before, after])
    assert text.startswith("On POSIX with shell=True, the shell defaults to /bin/sh. If args"), text
    assert "decided by the platform" not in text and 1 in sources
    # a sentence before holding no word of the question the quote lacks stays out
    text, _ = read_back("Which shell executes the command?", [before, after])
    assert text.startswith("If args is a string, the string specifies the command"), text


def test_reading_back_starts_at_the_sentence_not_at_the_last_piece_of_a_long_one() -> None:
    # git-worktree(1) as chunked: the chunk opens inside a sentence of 60 words, which is
    # scored in pieces of at most MAX_WORDS; the quote starts where the sentence does.
    sentence = (
        "If a working tree is deleted without using git worktree remove, then its associated "
        "administrative files, which reside in the repository (see DETAILS below), will "
        "eventually be removed automatically (see gc.worktreePruneExpire in git-config(1)), or "
        "you can run git worktree prune in the main or any linked worktree to clean up any "
        "stale administrative files."
    )
    assert len(sentence.split()) > MAX_WORDS
    before = "Each worktree has its own HEAD.\n" + sentence
    after = sentence[sentence.index("git-config(1)") :] + "\nLock a worktree on a portable device."
    text, _ = read_back(
        "How do I clean up stale administrative files of a worktree?", [before, after]
    )
    assert text.startswith("If a working tree is deleted without using git worktree remove"), text


def test_a_sentence_a_code_block_interrupts_is_quoted_from_its_start() -> None:
    # Git's user manual: the sentence's subject is above the example, its verb below it
    manual = (
        'For example,\n\n```\n$ gitk --since="2 weeks ago" drivers/\n```\n\nallows you to '
        "browse any commits from the last 2 weeks of commits that modified files under the "
        "drivers directory. (Note: you can adjust gitk's fonts by holding down the control key "
        "while pressing - or +.)"
    )
    text = quoted("How do I adjust the fonts in gitk?", source(1, manual))
    assert text.startswith('For example,\n\n```\n$ gitk --since="2 weeks ago" drivers/\n```'), text
    # a sentence of its own under the block starts the quote
    finished = manual.replace("For example,", "For example:").replace("allows you to", "It lets")
    assert quoted("How do I adjust the fonts in gitk?", source(1, finished)).startswith("It lets")


def test_a_quote_opening_inside_brackets_starts_at_the_sentence_that_opens_them() -> None:
    # Python's tutorial: the window around the sentence that answers opens with the second
    # sentence of an aside in brackets
    aside = (
        "The prime numbers example prints its output. (Yes, this is the correct code. Look "
        "closely: the else clause belongs to the for loop, not the if statement.) When used "
        "with a loop, the else clause runs when no break occurs. See Handling Exceptions."
    )
    text = quoted("When does the else clause of a loop run with no break?", source(1, aside))
    assert text.startswith("(Yes, this is the correct code. Look closely:"), text
    # a bracket opening the passage's first paragraph
    opening = aside.removeprefix("The prime numbers example prints its output. ")
    text = quoted("When does the else clause of a loop run with no break?", source(1, opening))
    assert text.startswith("(Yes, this is the correct code. Look closely:"), text


def test_a_sentence_two_chunks_of_a_file_share_is_quoted_once() -> None:
    # logging's setLevel as chunked: the first chunk ends with the sentence the next opens
    # with, and each chunk's passage reaches it
    shared = "Note that the root logger is created with level WARNING, not NOTSET like the others."
    first = (
        "setLevel(level)\n\nSets the threshold for this logger to level. When a logger is "
        "created, the level is set to NOTSET, which hands its messages to the parent logger. "
        + shared
    )
    second = (
        f"{shared} The term delegation to the parent means that a logger whose level is NOTSET "
        "hands its messages to its parent logger, up to the root logger."
    )
    text = quoted(
        "Which level is a logger created with, and what does NOTSET hand to the parent logger?",
        source(1, first, "logging.html", "Logger Objects"),
        source(2, second, "logging.html", "Logger Objects"),
    )
    assert text.count(shared) == 1, text
    assert text.endswith(
        "[1]\n\nThe term delegation to the parent means that a logger whose "
        "level is NOTSET hands its messages to its parent logger, up to the "
        "root logger. [2]"
    ), text


def test_a_window_of_a_word_or_two_is_not_quoted_over_a_sentence() -> None:
    # fstab(5): its FILES section names the file the question names, and says nothing of it
    files = source(1, "/etc/fstab, <fstab.h>", "fstab.5", "fstab > FILES")
    description = source(
        2,
        "Each filesystem is described on a separate line. Fields on each line are separated by "
        "tabs or spaces.",
        "fstab.5",
        "fstab > DESCRIPTION",
    )
    text = quoted("What goes on each line of /etc/fstab?", files, description)
    assert text.startswith("Each filesystem is described on a separate line."), text
    assert "<fstab.h>" not in text


def test_a_chunk_opening_after_a_finished_sentence_is_not_read_back() -> None:
    # A manual's option list: the chunk before ends an option's line, the next opens with an
    # option in lower case.
    options = "nounset  Same as -u.\npipefail  If set, a pipeline returns its last failure."
    text, sources = read_back(
        "What does pipefail do to the return value of a pipeline?",
        [f"The options are:\nnoclobber  Same as -C.\n{options}", options],
    )
    assert text.startswith("nounset") and "noclobber" not in text and sources == {}


def test_a_chunk_opening_with_an_option_inside_a_line_is_read_back() -> None:
    # git-stash(1) as chunked: the chunk opens at "--include-untracked", which could start a
    # sentence, but the chunk before runs on to it in the same line.
    before = (
        "show [-u | --include-untracked | --only-untracked]:\nShow the changes recorded in "
        "the stash entry. You can also use stash.showIncludeUntracked to set whether "
        "--include-untracked is enabled"
    )
    after = (
        "--include-untracked is enabled by default.\npop [--index]:\nRemove a single "
        "stashed state from the stash list and apply it on top of the current working tree."
    )
    text, sources = read_back(
        "Is --include-untracked enabled by default for show?", [before, after]
    )
    assert text.startswith("You can also use stash.showIncludeUntracked to set whether")
    assert 1 in sources
    # a chunk opening a line of its own is not read back: the line before is another's
    text, sources = read_back(
        "Is --include-untracked enabled by default for show?",
        [before.replace(" whether --include", " whether\n--include"), after],
    )
    assert text.startswith("--include-untracked is enabled by default.") and sources == {}


def test_a_code_block_its_chunk_cuts_off_is_finished_from_the_next_chunk() -> None:
    """argparse's page: the chunk ends inside the block, at a line's end; the next chunk opens
    with the block's fence again and its lines the chunks share (ingest's chunking)."""
    lines = [
        "parser.add_argument('filename')           # positional argument",
        "parser.add_argument('-v', '--verbose',",
        "                    action='store_true')  # on/off flag",
    ]
    said = "It supports positional arguments, options that accept values, and on/off flags:"
    first = f"{said}\n\n```\n{lines[0]}\n{lines[1]}"
    after = f"```\n{lines[0]}\n{lines[1]}\n{lines[2]}\n```\n\nThe method runs the parser."
    text, sources = read_on("How do I add an on/off flag to a command-line tool?", [first, after])
    code = "\n".join(lines)
    assert text == f"{said}\n\n```\n{code}\n```\n[1]"
    assert sources[1].text.endswith("action='store_true')  # on/off flag\n```")


def test_a_long_sentence_two_files_share_is_quoted_from_one_of_them() -> None:
    """A notebook and the page built from it say the same, each with the table its own way."""
    said = "Because Markdown is a superset of HTML you can even add things like HTML tables:"
    notebook = f"## General HTML\n\n{said}\n\n<table><tr><th>Header 1</th></tr></table>"
    page = f"General HTML\n\n{said}\n\nHeader 1 | Header 2\nrow 1 | row 2"
    text = quoted(
        "How do I make a markdown cell show an HTML table?",
        source(1, notebook, "cells.ipynb"),
        source(2, page, "cells.html"),
    )
    assert text.count(said) == 1


def test_a_short_sentence_two_files_share_does_not_hide_the_second() -> None:
    one = "Example:\n\nThe backup job copies the photos folder to the NAS every night at two."
    two = "Example:\n\nThe backup job copies the mail folder to the cloud every night at three."
    text = quoted(
        "When does the backup job copy folders every night?",
        source(1, one, "a.md"),
        source(2, two, "b.md"),
    )
    assert "[1]" in text and "[2]" in text


def test_a_code_block_holding_none_of_the_question_words_is_not_quoted_for_its_heading() -> None:
    # Python's tutorial: the prime numbers example's output, under a heading that holds the
    # question's words, scored as high as a second passage needs.
    loops = source(
        1,
        "```\n4 equals 2 * 2\n5 is a prime number\n```\n\n(Yes, this is the correct code.) "
        "Look closely: the else clause belongs to the for loop. A loop's else clause runs "
        "when no break occurs.",
        "controlflow.html",
        "4.4. break and continue Statements, and else Clauses on Loops",
    )

    # weighed as the index weighs them: "run" is in most passages, "clause" in few
    def weights(terms: set[str]) -> dict[str, float]:
        return {term: 0.5 if term == "run" else 2.0 for term in terms}

    question = "When does the else clause of a for loop run?"
    evidence = EvidenceSelector(weights).select(question, None, [loops])
    quote = quote_answer(evidence)
    assert quote is not None
    text = quote.text
    assert "prime number" not in text
    assert text.endswith("A loop's else clause runs when no break occurs. [1]"), text


def test_what_the_prose_says_of_a_name_is_quoted_before_code_that_only_uses_it() -> None:
    example = source(
        1,
        "Example of efficiently computing Fibonacci numbers:\n\n```\n@lru_cache(maxsize=None)\n"
        "def fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\n```",
        heading="functools > @functools.lru_cache",
    )
    said = "If maxsize is set to None, the LRU feature is disabled and the cache can grow."
    prose = source(2, said, heading="functools > @functools.lru_cache")
    assert quoted("What happens if I pass maxsize=None?", example, prose).startswith(said)
    # code the question's words are only in is still what is quoted
    assert "def fib(n):" in quoted("How is fib decorated for its cache?", example, prose)


def test_a_how_to_question_is_answered_with_the_command_not_the_prose_on_its_names() -> None:
    example = source(1, "Set a key:\n\n```sh\nmargin keys set work\nmargin keys remove work\n```")
    prose = source(2, "The keys of the work profile live in the keyring, never in a file.")
    text = quoted("How do I remove the work profile's keys?", example, prose)
    assert "margin keys remove work" in text
