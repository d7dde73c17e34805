"""Markup pasted with a question is searched as the text it stands for; code stays as typed."""

from __future__ import annotations

import pytest

from assistant.ask.pasted import without_markup


@pytest.mark.parametrize(
    ("pasted", "searched"),
    [
        (r"What does \fB\-L\fR do in curl?", "What does -L do in curl?"),
        (r"what is \fI\-\-max-time\fP", "what is --max-time"),
        (r"What does \fB\-\-exclude\fR=\fIPATTERN\fR do?", "What does --exclude=PATTERN do?"),
        (r"What is \f(CWtar\fP's \(aqc\(aq option?", "What is tar's 'c' option?"),
        (r"What does \f[B]\-v\f[] print?", "What does -v print?"),
        (r"what is \-\-max-time for", "what is --max-time for"),
        ("What does &lt;&lt; do in bash?", "What does << do in bash?"),
        ("Why is &quot;&amp;&amp;&quot; faster?", 'Why is "&&" faster?'),
        ("What is &#36;HOME?", "What is $HOME?"),
    ],
)
def test_pasted_markup_is_read_as_its_text(pasted: str, searched: str) -> None:
    assert without_markup(pasted) == searched


@pytest.mark.parametrize(
    "question",
    [
        r'How does re.sub(r"\s+", " ", text) work?',
        r'Why does printf "%s\n" print a newline?',
        r"What does [a\-z] match in a regex?",
        r"How do I write \\ in a Python string?",
        "Is AT&T or R&D a name, and what is &copy without its semicolon?",
        "How do I compress a file with gzip?",
        r"\fB\fR",  # markup and nothing else: searched as typed, never as nothing
    ],
)
def test_code_and_plain_text_stay_as_typed(question: str) -> None:
    assert without_markup(question) == question
