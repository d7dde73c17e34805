"""Which questions lean on the conversation, and what is searched for them."""

from __future__ import annotations

import pytest

from assistant.ask.followup import (
    Similarities,
    depends_on_history,
    embedding_similarities,
    recent_history,
    standalone_query,
    topic_words,
)
from assistant.ask.types import PlainTurn
from ingest.embedder import SentenceTransformerEmbedder

FOLLOW_UPS = [
    "And how do I activate it?",
    "What about Windows?",
    "How do I install it?",
    "Why is it slow?",
    "How do I configure it for the remote model?",
    "What are its defaults?",
    "Does the cache keep them?",
    "Can I change that?",
    "Which one is faster?",
    "Tell me more",
    "Give me an example",
    "Why?",
    "On Windows?",
    "With a proxy?",
    "Also for PDFs?",
    "How do I copy the output to it?",
    "Does Windows support it?",
    "What's the default?",
    "What does the flag do?",
    "Which is faster?",
    "Can I use zip instead?",
]
INDEPENDENT = [
    "What does shutil.copytree do?",
    "How do I create a virtual environment?",
    "How is a remote request priced before it is sent?",
    "What does shutil.copytree do when it meets a symlink?",
    "What does the budget do when it is exceeded?",
    "Can I copy a folder and keep its permissions?",
    "Is it possible to ingest scanned PDFs?",
    "How long does it take to ingest a folder?",
    "Where do new employees pick up their badge?",
    "When were the hydrangeas planted?",
    "Which Python version does margin need?",
    "What is the default value of ask.k?",
    "What is the budget?",
    "When is the deadline?",
    "What is the difference between copy and copy2?",
    # a later clause's pronoun stands for what the first clause named
    "How do I read a JSON file and print it?",
    "How do I find files older than 7 days and delete them?",
    "How do I create a zip archive and add files to it?",
    "How do I install Python and add it to PATH?",
    "How do I start a process and wait for it to finish?",
    # what "instead of" replaces is in the question
    "How do I extract a tarball into some other directory instead of the one I'm in?",
]


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_follow_ups_depend_on_the_conversation(question: str) -> None:
    assert depends_on_history(question)


@pytest.mark.parametrize("question", INDEPENDENT)
def test_independent_questions_do_not(question: str) -> None:
    assert depends_on_history(question) == ""


VENV = PlainTurn("How do I create a virtual environment?", "Run python -m venv env [1].")


@pytest.mark.parametrize("question", INDEPENDENT)
def test_an_independent_question_is_searched_exactly_as_asked(question: str) -> None:
    query = standalone_query(question, [VENV])
    assert query.text == question and not query.uses_history


def test_a_follow_up_is_searched_with_the_topic_before_it() -> None:
    query = standalone_query("And how do I activate it?", [VENV])
    assert query.text == "And how do I activate it? (virtual environment)"
    assert query.uses_history and "continues" in query.reason
    assert query.reason.endswith("; “activate” in place of “create”")


@pytest.mark.parametrize(
    ("before", "question", "searched"),
    [
        ("How do I extract a tar archive?", "And list its contents?", "(tar archive)"),
        ("How do I parse a JSON string?", "How do I pretty-print it?", "(JSON string)"),
        # one more action, not another; a make/get/do question names none
        ("How do I copy a directory with cp?", "How do I keep links too?", "(copy directory cp)"),
        ("How do I add an argument?", "How do I make it required?", "(add argument)"),
        # "find" is also the tool: it stays
        ("How do I find files with find?", "And delete them?", "(find files)"),
        ("How do I delete a file?", "And for directories?", "(delete file)"),
        # a word before "ones" describes them: no action
        ("How do I delete merged branches?", "And remote ones?", "(delete merged branches)"),
    ],
)
def test_a_new_action_takes_the_place_of_the_one_before(
    before: str, question: str, searched: str
) -> None:
    assert standalone_query(question, [PlainTurn(before, "x")]).text == f"{question} {searched}"


@pytest.mark.parametrize(
    ("before", "question", "searched"),
    [
        (
            "How do I report a bug in procps?",
            "What should I include in the report?",
            "(bug procps)",
        ),
        ("How do I create a tar archive?", "How do I list the archive's contents?", "(tar)"),
        ("How do I set a daily budget?", "What happens when the budget is spent?", "(set daily)"),
        ("How do I mount a USB drive?", "How do I unmount the drive safely?", "(USB)"),
        ("What does git rebase do?", "How do I abort the rebase?", "(git)"),
        ("How do I schedule a cron job?", "Why does the job not run?", "(schedule cron)"),
        ("How do I report a bug in procps?", "The report should say what?", "(bug procps)"),
        ("How do I define a bash function?", "How do I call the functions?", "(bash)"),
    ],
)
def test_the_thing_the_turn_before_named_is_searched_with_its_topic(
    before: str, question: str, searched: str
) -> None:
    query = standalone_query(question, [PlainTurn(before, "x")])
    assert query.text == f"{question} {searched}" and "it refers back (“the " in query.reason


def test_a_question_naming_code_of_its_own_is_searched_as_asked() -> None:
    question = "How do I open the file with `os.open`?"
    assert standalone_query(question, [PlainTurn("How do I open a file?", "x")]).text == question


# Written before the rule was: follow-ups that name a thing of the turn before with "the", and
# questions that only share a word with it; the last 8 of each were kept aside until the rule
# was done, and 12 more of each were written before the rule for a subject and its verb
# ("does the model cost?"; docs/ask.md gives the counts). A follow-up the rules miss is
# searched as asked, as before them.
NOTHING_TO_ADD = pytest.mark.xfail(
    strict=True, reason="it holds the topic's words but the action it replaces: searched as asked"
)
OWN_NAME = pytest.mark.xfail(
    strict=True, reason="a word of its own reads as a name (“writable”, “URL”): searched as asked"
)
THE_SAME_THING = [
    ("How do I report a bug in procps?", "What should I include in the report?"),
    ("How do I create a virtual environment?", "Where is the environment stored?"),
    (
        "How do I create a tar archive with gzip compression?",
        "How do I list the archive's contents?",
    ),
    ("How do I open a file for writing in Python?", "How do I close the file?"),
    ("How do I configure a remote model?", "How much does the model cost?"),
    ("How do I define a bash function?", "How do I pass arguments to the function?"),
    ("How do I start a systemd service?", "How do I see the service's logs?"),
    ("What does git rebase do?", "How do I abort the rebase?"),
    ("How do I make a new branch in git?", "How do I delete the branch?"),
    (
        "How do I write a regular expression that matches digits?",
        "How do I make the expression case-insensitive?",
    ),
    ("How do I create a Python dictionary?", "How do I loop over the dictionary?"),
    ("How do I mount a USB drive?", "How do I unmount the drive safely?"),
    ("How do I schedule a cron job?", "Where does the output of the job go?"),
    ("How do I set a daily budget?", "What happens when the budget is spent?"),
    ("How do I write a systemd unit file?", "Where do I put the file?"),
    ("How do I add a remote in git?", "How do I rename the remote?"),
    ("How do I create a zip archive in Python?", "How do I add a password to the archive?"),
    ("How do I write a Makefile rule?", "Why does the rule run every time?"),
    ("How do I start a background process?", "How do I stop the process later?"),
    ("How do I create a symbolic link?", "How do I check where the link points?"),
    ("How do I declare an array in bash?", "How do I get the length of the array?"),
    ("How do I open a TCP socket in Python?", "How do I close the socket?"),
    ("How do I create a new user account?", "How do I lock the account?"),
    # written before the rule for a subject and its verb ("does the model cost?")
    ("How do I create a cron job?", "When does the job run?"),
    ("How do I install a Python package with pip?", "Where is the package installed?"),
    ("How do I start a systemd service?", "Why does the service fail?"),
    ("How do I set up an SSH key?", "Where is the key stored?"),
    ("How do I create a swap file?", "How big should the file be?"),
    ("How do I generate a GPG key?", "When does the key expire?"),
    ("How do I run a Python script at startup?", "Where does the script print its output?"),
    pytest.param(
        "How do I add a user to a group?",
        "How do I check which groups the user belongs to?",
        marks=NOTHING_TO_ADD,
    ),
    ("How do I mount a network share?", "Why is the share read-only?"),
    ("How do I make a bash alias?", "Where should the alias go?"),
    ("How do I compile a C program with gcc?", "Why is the program so slow?"),
    ("How do I write a unit test in Python?", "How do I skip the test for now?"),
    # written before the rules for a relative clause, an "of" phrase and "make the NOUN
    # ADJECTIVE"
    ("How do I create a shell script?", "How do I make the script executable?"),
    pytest.param(
        "How do I mount a USB drive?", "How do I make the drive writable?", marks=OWN_NAME
    ),
    pytest.param(
        "How do I add a remote in git?",
        "How do I see which URL the remote points to?",
        marks=OWN_NAME,
    ),
    ("How do I create a systemd timer?", "When does the first run of the timer happen?"),
    ("How do I start a Docker container?", "How do I find out which ports the container uses?"),
    ("How do I create a log file?", "Where does the size of the file get checked?"),
]
SHARED_WORD = [
    ("How do I create a virtual environment?", "What does the shutil module do?"),
    ("How do I read a file in Python?", "What does the file command print for a PDF?"),
    ("How do I report a bug in procps?", "What does the ps command show?"),
    ("How do I open a file in Python?", "How do I change the file permissions with chmod?"),
    ("How do I set a budget?", "What is the default model?"),
    ("How do I create a git branch?", "What does the git stash command do?"),
    ("How do I install Python on Windows?", "What is the latest version of the Python language?"),
    ("How do I compress a file with gzip?", "How do I compress the output of a command?"),
    ("How do I write a shell script?", "What is the shebang line?"),
    ("How do I copy a directory in Python?", "How do I find the size of a directory in bash?"),
    ("How do I sort a list in Python?", "How do I sort the lines of a text file?"),
    ("What is a virtual environment?", "How do I check the environment variables of a process?"),
    ("How do I read a CSV file?", "What is the file format of a wheel?"),
    ("How do I configure the model?", "How do I change the model context size?"),
    ("How do I list files in a directory?", "What does the directory stack do in bash?"),
    ("How do I create a git branch?", "What does the git log command show?"),
    ("How do I read a JSON file?", "What is the file descriptor limit on Linux?"),
    ("How do I start a process?", "What is the process substitution syntax in bash?"),
    ("How do I install a package with pip?", "What does the package manager apt do?"),
    ("How do I create an array in bash?", "What is the array module in Python?"),
    ("How do I write a Makefile?", "What does the make command do with -j?"),
    ("How do I create a user?", "What is the user agent string of curl?"),
    ("How do I use a socket?", "What is the socket timeout default in urllib?"),
    # written before the rule for a subject and its verb
    ("How do I create a cron job?", "What does the job control in bash do?"),
    ("How do I read a file in Python?", "Where is the file system table stored?"),
    ("How do I set a shell variable?", "What does the variable PS1 control?"),
    ("How do I start a systemd service?", "How does the service manager order units at boot?"),
    ("How do I make a bash function?", "What does the function keyword do?"),
    ("How do I write a Python class?", "What is the class attribute lookup order?"),
    ("How do I open a file?", "Why is the file descriptor limit reached?"),
    ("How do I kill a process?", "What does the process substitution syntax look like?"),
    ("How do I create a tar archive?", "Where is the archive module of Python documented?"),
    ("How do I make a new git branch?", "What does the branch protection setting do on GitHub?"),
    ("How do I write a log message in Python?", "What does the log level WARNING mean?"),
    (
        "How do I create a virtual environment?",
        "Where are the environment variables of a process stored?",
    ),
    # written before the rules for a relative clause, an "of" phrase and "make the NOUN
    # ADJECTIVE"
    ("How do I read a file?", "How do I make the file system read-only?"),
    ("How do I start a process?", "Where does the output of the process substitution go?"),
    ("How do I create a user?", "How do I see which groups the user database lists?"),
    ("How do I read a file in Python?", "How do I make the file descriptor non-blocking?"),
    ("How do I create a git branch?", "Which commits the branch protection rule blocks?"),
    ("How do I open a socket?", "What is the size of the socket buffer on Linux?"),
]


@pytest.mark.parametrize(("before", "question"), THE_SAME_THING)
def test_labelled_follow_ups_naming_the_same_thing_use_the_turn_before(
    before: str, question: str
) -> None:
    assert standalone_query(question, [PlainTurn(before, "x")]).uses_history


@pytest.mark.parametrize(("before", "question"), SHARED_WORD)
def test_labelled_questions_sharing_only_a_word_are_searched_as_asked(
    before: str, question: str
) -> None:
    assert standalone_query(question, [PlainTurn(before, "x")]).text == question


@pytest.mark.parametrize(
    ("before", "question", "searched"),
    [
        # the man page trial: "(directory)" alone found wget's page
        ("How do I zip a directory?", "How do I protect it with a password?", "(zip directory)"),
        ("How do I sort a file?", "And remove duplicates from it?", "(sort file)"),
    ],
)
def test_an_earlier_action_that_names_the_tool_stays(
    before: str, question: str, searched: str
) -> None:
    assert standalone_query(question, [PlainTurn(before, "x")]).text == f"{question} {searched}"


def test_a_chain_of_follow_ups_keeps_its_subject() -> None:
    second = standalone_query("And on Windows?", [VENV])
    turn = PlainTurn("And on Windows?", "Use Scripts\\activate [1].", search_query=second.text)
    third = standalone_query("Why?", [VENV, turn])
    assert third.text == "Why? (Windows create virtual environment)"


def test_nothing_is_added_without_history_or_new_words() -> None:
    assert standalone_query("How do I install it?", []).text == "How do I install it?"
    same = PlainTurn("install it", "ok")
    assert not standalone_query("How do I install it?", [same]).uses_history


def test_topic_words_leave_question_words_out() -> None:
    assert topic_words("How do I use shutil.copytree to copy a tree?") == [
        "shutil.copytree",
        "copy",
        "tree",
    ]


def test_an_option_the_question_names_stays_in_its_topic() -> None:
    # "-i" was cut to "i" and dropped: the follow-up searched "(option sed)" and found patch(1)
    assert topic_words("What does the -i option of sed do?") == ["-i", "option", "sed"]
    assert topic_words("Is --in-place=SUFFIX safe?") == ["--in-place", "SUFFIX", "safe"]
    query = standalone_query("And can it make a backup?", [PlainTurn("What does -i do?", "x")])
    assert query.text == "And can it make a backup? (-i)"


def test_recent_history_skips_unanswered_turns_and_keeps_the_last() -> None:
    turns = [PlainTurn("a", "1"), None, PlainTurn("b", "2"), PlainTurn("c", "3")]
    assert recent_history(turns, 2) == (PlainTurn("b", "2"), PlainTurn("c", "3"))
    assert recent_history(turns, 0) == ()


CURL = PlainTurn("How do I make curl follow redirects?", "Use -L [1].")


def cosines(table: dict[str, float]) -> Similarities:
    def similarities(text: str, words: list[str]) -> list[float]:
        return [table.get(word, 0.0) for word in words]

    return similarities


def test_another_thing_takes_the_place_of_the_topic_word_most_like_it() -> None:
    query = standalone_query("What about wget?", [CURL], cosines({"curl": 0.6, "redirects": 0.4}))
    assert query.text == "What about wget? (follow redirects)"
    assert query.reason.endswith("; “wget” in place of “curl”")


def test_a_thing_like_no_topic_word_adds_to_the_topic() -> None:
    query = standalone_query("What about Windows?", [VENV], cosines({"virtual": 0.43}))
    assert query.text == "What about Windows? (create virtual environment)"
    assert "in place of" not in query.reason


def test_only_a_name_takes_the_place_of_a_topic_word() -> None:
    like_sort = cosines({"sort": 0.9})
    sort = PlainTurn("How do I sort ls output by time?", "Use -t [1].")
    assert "in place of" not in standalone_query("And in reverse order?", [sort], like_sort).reason
    for name in ("Visual Studio", "bzip2", "macOS"):
        assert (
            f"“{name}” in place of “sort”"
            in standalone_query(f"What about {name}?", [sort], like_sort).reason
        )


def test_only_a_short_thing_after_what_about_replaces() -> None:
    like_all = cosines({"curl": 0.9, "follow": 0.9, "redirects": 0.9})
    for question in ("And how do I limit them to five hops?", "Why?"):
        assert "in place of" not in standalone_query(question, [CURL], like_all).reason
    assert standalone_query("What about wget?", [CURL]).text == (
        "What about wget? (curl follow redirects)"  # no similarities: the topic stays whole
    )


def test_a_name_like_no_word_takes_the_place_of_the_name_written_the_same_way() -> None:
    tmux = PlainTurn("How do I build tmux from source?", "x")
    unlike = cosines({})
    query = standalone_query("And wget?", [tmux], unlike)
    assert query.text == "And wget? (build source)"
    assert query.reason.endswith("; “wget” in place of “tmux”")
    debian = PlainTurn("How do I install pip on Debian?", "x")
    assert standalone_query("What about Fedora?", [debian], unlike).text == (
        "What about Fedora? (install pip)"
    )
    pdf = PlainTurn("How do I convert a PDF to text?", "x")
    assert (
        standalone_query("What about DOCX?", [pdf], unlike).text
        == "What about DOCX? (convert text)"
    )


def test_a_name_written_otherwise_adds_to_the_topic() -> None:
    install = PlainTurn("How do I install tmux?", "x")
    for question in ("What about Windows?", "What about YAML?", "And --verbose?"):
        assert "in place of" not in standalone_query(question, [install], cosines({})).reason


def test_of_names_written_alike_the_one_most_like_the_new_one_is_replaced() -> None:
    docker = PlainTurn("How do I install Docker on Ubuntu?", "x")
    query = standalone_query(
        "What about Fedora?", [docker], cosines({"Ubuntu": 0.3, "Docker": 0.1})
    )
    assert query.text == "What about Fedora? (install Docker)"


def test_a_dotted_name_takes_the_place_of_the_one_asked_about_before() -> None:
    copytree = PlainTurn(
        "Does it follow symlinks?", "x", search_query="Does it follow symlinks? (shutil.copytree)"
    )
    query = standalone_query("And shutil.move?", [copytree], cosines({"shutil.copytree": 0.4}))
    assert query.text == "And shutil.move? (follow symlinks)"


def test_a_thing_after_in_takes_no_place_the_question_before_did_not_put_there() -> None:
    configure = PlainTurn("How do I configure tmux?", "x")
    query = standalone_query("And in tmux.conf?", [configure], cosines({"tmux": 0.8}))
    assert query.text == "And in tmux.conf? (configure tmux)"


def test_an_option_is_not_replaced_by_a_command() -> None:
    flag = PlainTurn("What does the -r flag of cp do?", "x")
    query = standalone_query("What about mv?", [flag], cosines({"-r": 0.4, "cp": 0.2}))
    assert query.text == "What about mv? (-r flag)"


def test_after_in_on_or_with_only_a_name_put_there_before_is_replaced() -> None:
    procps = PlainTurn("How do I report a bug in procps?", "x")
    assert standalone_query("And in util-linux?", [procps], cosines({})).text == (
        "And in util-linux? (report bug)"
    )
    docker = PlainTurn("How do I install Docker?", "x")
    for question in ("And on Ubuntu?", "What about on Ubuntu?"):
        assert standalone_query(question, [docker], cosines({})).text == (
            f"{question} (install Docker)"
        )
    windows = PlainTurn("How do I install Python on Windows?", "x")
    on_a_mac = standalone_query("And on a Mac?", [windows], cosines({"Windows": 0.4}))
    assert on_a_mac.text == "And on a Mac? (install Python)"


def test_a_plural_takes_the_place_of_the_topics_plural_most_like_it() -> None:
    schemas = PlainTurn("How do I list schemas in psql?", "x")
    query = standalone_query("What about functions?", [schemas], cosines({"list": 0.29}))
    assert query.text == "What about functions? (list psql)"
    assert query.reason.endswith("; “functions” in place of “schemas”")
    copying = PlainTurn("How do I copy files between servers with rsync?", "x")
    like = cosines({"files": 0.64, "servers": 0.3})
    assert standalone_query("What about directories?", [copying], like).text == (
        "What about directories? (copy servers rsync)"
    )


def test_a_plural_name_takes_the_place_only_of_a_plural_name() -> None:
    ufw = PlainTurn("How do I open ports with ufw?", "x")
    query = standalone_query("What about iptables?", [ufw], cosines({"ports": 0.44}))
    assert query.text == "What about iptables? (open ports ufw)"
    rules = PlainTurn("How do I list rules in iptables?", "x")
    query = standalone_query("What about nftables?", [rules], cosines({"list": 0.34}))
    assert query.text == "What about nftables? (list rules)"


def test_a_plural_with_no_plural_to_replace_adds_to_the_topic() -> None:
    install = PlainTurn("How do I install tmux?", "x")
    # "plugins" is no English word, yet no command in tmux's place
    query = standalone_query("What about plugins?", [install], cosines({"tmux": 0.17}))
    assert query.text == "What about plugins? (install tmux)"
    lines = PlainTurn("How do I count lines in a file?", "x")
    for question in ("What about examples?", "And in folders?", "What about hidden files?"):
        assert "in place of" not in standalone_query(question, [lines], cosines({})).reason


@pytest.mark.parametrize(
    ("question", "turn", "searched"),
    [
        ("What about wget?", CURL, "What about wget? (follow redirects)"),
        ("And on macOS?", PlainTurn("How do I install Python on Linux?", "x"), None),
        ("What about Windows?", VENV, "What about Windows? (create virtual environment)"),
        ("What about timeouts?", CURL, "What about timeouts? (curl follow)"),
        (
            "What about functions?",
            PlainTurn("How do I list schemas in psql?", "x"),
            "What about functions? (list psql)",
        ),
        (
            "What about plugins?",
            PlainTurn("How do I install tmux?", "x"),
            "What about plugins? (install tmux)",
        ),
        (
            "And wget?",
            PlainTurn("How do I build tmux from source?", "x"),
            "And wget? (build source)",
        ),
        (
            "What about Windows?",
            PlainTurn("How do I install tmux?", "x"),
            "What about Windows? (install tmux)",
        ),
        (  # "reverse order" is 0.54 like "sort", but qualifies the question: no name
            "And in reverse order?",
            PlainTurn("How do I sort ls output by modification time?", "x"),
            "And in reverse order? (sort ls output modification time)",
        ),
    ],
)
def test_in_place_by_the_bundled_embedding_model(
    embedder: SentenceTransformerEmbedder, question: str, turn: PlainTurn, searched: str | None
) -> None:
    query = standalone_query(question, [turn], embedding_similarities(embedder))
    if searched is None:  # "macOS" takes the place of "Linux"
        assert query.text == "And on macOS? (install Python)", query
    else:
        assert query.text == searched
