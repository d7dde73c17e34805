"""Code names in questions on real package documentation: the bundled MiniLM's tokenizer
decides what is a name, LanceDB holds Debian's files, SQLite counts the terms, wired as
`margin ask` wires them (`Index.retriever`).

A question writes a variable or a function the short way ("SYSTEMD_OFFLINE=1", "safe_load")
where the documents write it in full (`$SYSTEMD_OFFLINE=[0|1]`, `yaml.safe_load(stream)`):
the passages that answer it mention the name, so it is not refused for lack of it. So does
the folder a file is kept in: Debian keeps a package's notes in a folder named after it
(procps/bugs.md), and so do people (notes/tmux/README). A long name shortened
("postgres") is searched for as the documents write it ("postgresql").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Index


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("What does setting SYSTEMD_OFFLINE=1 do?", "ENVIRONMENT.md"),
        ("What does SYSTEMD_EMOJI=0 change?", "ENVIRONMENT.md"),
        ("What is safe_load for in PyYAML?", "README.md"),
    ],
)
def test_a_name_written_in_full_by_the_documents_is_mentioned(
    package_docs_index: Index, question: str, source: str
) -> None:
    found = package_docs_index.retriever().retrieve(question, k=3)
    assert found.missing_names == []
    assert found.relevant
    assert Path(found.sources[0].path).name == source


def test_a_variable_the_documents_never_write_is_still_missing(package_docs_index: Index) -> None:
    found = package_docs_index.retriever().retrieve("What does SYSTEMD_FROBNICATE=1 do?", k=3)
    assert [name.text for name in found.missing_names] == ["SYSTEMD_FROBNICATE"]
    assert not found.relevant


def test_the_folder_a_file_is_kept_in_mentions_its_name(package_docs_index: Index) -> None:
    """procps's bugs.md names procps only in its section on where to send a report; the
    two passages on what to send do not."""
    found = package_docs_index.retriever().retrieve("Does procps want strace output?", k=2)
    assert found.missing_names == []
    assert found.relevant
    assert Path(found.sources[0].path).parent.name == "procps"


def test_a_long_name_shortened_is_searched_as_the_documents_write_it(
    package_docs_index: Index,
) -> None:
    found = package_docs_index.retriever().retrieve("How do I restart a postgres cluster?", k=2)
    assert [(r.word, r.correction) for r in found.respellings] == [("postgres", "postgresql")]
    assert found.missing_names == [] and found.relevant
    assert Path(found.sources[0].path).name == "README.systemd"
