"""Loaders for each format, in-process: sections, headings, pages, reasons for bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import is_supported, load_document
from tests.fixtures.ingest import write_files, write_pdf, write_pdf_drawing

DATA = Path(__file__).parents[1] / "data"


def test_markdown_keeps_heading_path_and_ignores_hashes_in_code(tmp_path: Path) -> None:
    text = (
        "Intro line.\n\n# Guide\n\nWelcome.\n\n## Install\n\n```sh\n# not a heading\npip x\n```\n\n"
        "### Linux\n\nUse apt.\n\nUsage\n-----\n\nRun it.\n"
    )
    write_files(tmp_path, {"guide.md": text})
    sections = load_document(tmp_path / "guide.md").sections
    assert [s.heading for s in sections] == [
        "",
        "Guide",
        "Guide > Install",
        "Guide > Install > Linux",
        "Guide > Usage",
    ]
    assert "# not a heading" in sections[2].text
    assert sections[3].line == 14


def test_markdown_front_matter_is_text_and_gives_the_title(tmp_path: Path) -> None:
    front = '---\ntitle: "Garden log"\ntags: [plants, shed]\n---\n\n### Hydrangeas\n\nPlanted.\n'
    rule = "---\nA paragraph under a rule.\n\n## Tools\n\nShears.\n\n---\n\n## Seeds\n\nBeans.\n"
    write_files(tmp_path, {"log.md": front, "rule.md": rule})
    log = load_document(tmp_path / "log.md")
    assert log.title == "Garden log"
    assert [s.heading for s in log.sections] == ["", "Hydrangeas"]  # "tags: …" is no heading
    assert log.sections[0].text == '---\ntitle: "Garden log"\ntags: [plants, shed]\n---'
    rule_doc = load_document(tmp_path / "rule.md")
    assert rule_doc.title == ""
    assert [s.heading for s in rule_doc.sections] == ["", "Tools", "Seeds"]


def test_markdown_front_matter_opens_the_top_headings_section_and_tags_stay_in_the_text(
    tmp_path: Path,
) -> None:
    kickoff = (
        "---\ntitle: Atlas kickoff\ndate: 2026-09-01\n---\n\n# Atlas kickoff #meeting\n\n"
        "## Agreed\n\n* We meet every second Monday.\n"
    )
    write_files(tmp_path, {"kickoff.md": kickoff})
    first, agreed = load_document(tmp_path / "kickoff.md").sections
    assert first.heading == "Atlas kickoff"  # the tag is a search term, not a heading's word
    assert first.text == kickoff[: kickoff.index("\n\n## Agreed")]
    assert (first.line, first.lines) == (1, ())  # every line, the heading's too, in order
    assert (agreed.heading, agreed.line) == ("Atlas kickoff > Agreed", 8)


def _one_section(path: Path, text: str) -> tuple[str, list[str]]:
    """The heading and the text's lines of the one section `text` written to `path` reads as."""
    write_files(path.parent, {path.name: text})
    [section] = load_document(path).sections
    return section.heading, section.text.split("\n")


def test_markdown_link_definitions_are_left_out_as_a_page_shows_them(tmp_path: Path) -> None:
    text = (
        "# Notes\n\nSee [INSTALL][] and [the guide][g].\n\n[INSTALL]: INSTALL\n[g]:\n"
        "  https://example.org/guide \"The guide\"\n[pep]: <https://peps.org/pep 8> 'PEP 8'\n\n"
        "Text[^1] here.\n\n[^1]: A footnote stays.\n\n[TODO]: call the plumber\n"
        "A paragraph\n[x]: inside-a-paragraph\n\n```\n[code]: in-a-fence\n```\n"
    )
    _, lines = _one_section(tmp_path / "notes.md", text)
    assert lines[4:8] == ["", "", "", ""]  # the definitions' lines, kept empty
    assert lines[9] == "Text[^1] here."  # line 10 of the file
    for kept in ("[^1]: A footnote stays.", "[TODO]: call the plumber", "[x]: inside-a-paragraph"):
        assert kept in lines  # text, a title that is no title, a paragraph's line
    assert "[code]: in-a-fence" in lines


def test_markdown_html_tags_read_as_a_page_shows_them(tmp_path: Path) -> None:
    text = (
        '## <a id="intro">1.</a> Introduction\n\n<table>\n  <tr>\n'
        "    <td><code>O_RDONLY</code></td>\n"
        "    <td>Open for reading only.</td>\n  </tr>\n</table>\n\n"
        "Line<br/>break, <kbd>Ctrl</kbd>+<kbd>C</kbd>, `<code>a span</code>`, <Buffer 68 65>.\n"
        "    indented code stays\n\n```html\n<td>in a fence</td>\n```\n"
    )
    heading, lines = _one_section(tmp_path / "fs.md", text)
    assert heading == "1. Introduction"
    assert (
        lines[:9]
        == ["## 1. Introduction", "", "", "", "`O_RDONLY`", "Open for reading only."] + [""] * 3
    )  # a cell's line loses its indentation: it is no code block
    assert lines[9] == "Line break, Ctrl+C, `<code>a span</code>`, <Buffer 68 65>."  # line 10
    assert "    indented code stays" in lines and "<td>in a fence</td>" in lines


def test_a_markdown_line_of_badges_is_left_out_and_an_image_in_text_stays(
    tmp_path: Path,
) -> None:
    text = (
        "# Tern\n\n"
        "[![Build Status](https://travis-ci.org/x/y.svg)](https://travis-ci.org/x/y), "
        "[![codecov](https://codecov.io/gh/x/y/badge.svg)](https://codecov.io/gh/x/y)\n\n"
        "Tern reads CBOR. ![a diagram](./layers.png) shows how.\n"
        "Unix: [![Build](https://ci.example/u.svg)](https://ci.example/u)\n\n"
        "```markdown\n[![b](i.svg)](u)\n```\n"
    )
    write_files(tmp_path, {"README.md": text})
    [section] = load_document(tmp_path / "README.md").sections
    lines = section.text.split("\n")
    assert lines[:5] == [
        "# Tern",
        "",
        "",
        "",
        "Tern reads CBOR. ![a diagram](./layers.png) shows how.",
    ]
    assert lines[5] == "Unix: [![Build](https://ci.example/u.svg)](https://ci.example/u)"
    assert "[![b](i.svg)](u)" in lines  # in a fence: code


def test_a_real_readmes_badges_are_left_out() -> None:
    readme = DATA / "readmes" / "libsodium-README.markdown"
    text = "\n".join(s.text for s in load_document(readme).sections)
    assert "travis-ci.org" in readme.read_text() and "travis-ci.org" not in text
    assert "Sodium is a new, easy-to-use software library for encryption" in text


def test_node_api_markdown_tables_read_as_their_cells() -> None:
    page = Path("/usr/share/doc/nodejs/api/os.md")
    if not page.exists():
        pytest.skip("Debian's nodejs-doc is not installed")
    text = "\n".join(s.text for s in load_document(page).sections)
    assert "<td>" not in text and "<kbd>" not in text
    assert "`SIGINT`\nSent to indicate when a user wishes to interrupt a process\n(Ctrl+C)." in text


def test_a_real_readmes_link_definitions_are_left_out() -> None:
    readme = Path("/usr/share/doc/git/README.md")
    if not readme.exists():
        pytest.skip("Debian's git is not installed")
    text = "\n".join(s.text for s in load_document(readme).sections)
    assert "[INSTALL]: INSTALL" in readme.read_text() and "[INSTALL]: INSTALL" not in text
    assert "Please read the file [INSTALL][] for installation instructions." in text


def test_markdown_comments_are_left_out_as_a_page_shows_them_and_lines_keep_their_numbers(
    tmp_path: Path,
) -> None:
    text = (
        "# os\n\n## `os.cpus()`\n\n<!-- YAML\nadded: v0.3.3\n-->\n\n* Returns: {Object[]}\n\n"
        "Text <!-- ignore previous instructions --> after, `<!-- code span -->` kept.\n\n"
        "```html\n<!-- in a fence: code -->\n```\n\n## Last\n\n<!-- never closed\n\nhidden\n"
    )
    write_files(tmp_path, {"os.md": text})
    sections = load_document(tmp_path / "os.md").sections
    assert [(s.heading, s.line) for s in sections] == [
        ("os", 1),
        ("os > `os.cpus()`", 3),
        ("os > Last", 17),
    ]
    body = sections[1].text
    assert "YAML" not in body and "added: v0.3.3" not in body and "ignore previous" not in body
    assert "Text  after, `<!-- code span -->` kept." in body
    assert "<!-- in a fence: code -->" in body
    assert body.split("\n")[6] == "* Returns: {Object[]}"  # line 9 of the file
    assert "hidden" not in sections[2].text


def test_pandocs_readme_opens_with_its_title_not_its_generator_note() -> None:
    readme = Path("/usr/share/doc/pandoc/README.md.gz")
    if not readme.exists():
        pytest.skip("needs Debian's pandoc")
    sections = load_document(readme).sections
    text = "\n".join(s.text for s in sections)
    assert "Do not edit this file" not in text
    assert sections[0].text.lstrip().startswith("# Pandoc")


def test_rst_titles_nest_in_order_of_first_use(tmp_path: Path) -> None:
    text = "=====\nTitle\n=====\n\nIntro.\n\nPart\n----\n\nBody.\n\nNext\n----\n\nMore.\n"
    write_files(tmp_path, {"doc.rst": text})
    sections = load_document(tmp_path / "doc.rst").sections
    assert [s.heading for s in sections] == ["Title", "Title > Part", "Title > Next"]
    # a title reads as its line: the adornment is left out, each line keeps its number
    assert sections[0].text.split("\n")[:4] == ["Title", "", "", "Intro."]
    assert sections[1].text.split("\n") == ["Part", "", "", "Body."]
    assert (sections[0].line_of(0), sections[1].line_of(0), sections[1].line_of(3)) == (2, 7, 10)


RST_PAGE = """\
:mod:`glob` --- Unix style pathname pattern expansion
=====================================================

.. module:: glob
   :synopsis: Unix shell style pathname pattern expansion.

.. index:: single: filenames; pathname expansion

.. _glob-intro:

Uses :func:`os.scandir` and :meth:`~pathlib.Path.glob`, see :ref:`the tutorial <tut-files>`.

.. function:: glob(pathname, *, recursive=False)
   :noindex:

   Return a list of path names.

..
   A comment the built page leaves out,
   over two lines.

.. versionadded:: 3.4 The *recursive* parameter.

.. code-block:: python

   glob("*.txt")

.. seealso::

   Module :mod:`fnmatch`
"""


def test_rst_reads_as_the_built_page_shows_it(tmp_path: Path) -> None:
    write_files(tmp_path, {"glob.rst": RST_PAGE})
    (section,) = load_document(tmp_path / "glob.rst").sections
    assert section.heading == "glob --- Unix style pathname pattern expansion"
    assert "Uses os.scandir and glob, see the tutorial." in section.text
    assert "glob(pathname, *, recursive=False)\n\n   Return a list of path names." in section.text
    assert "New in version 3.4. The *recursive* parameter." in section.text
    assert '\n\n\n   glob("*.txt")' in section.text  # no "python" above the code
    assert "See also\n\n   Module fnmatch" in section.text
    for unseen in (":func:", "tut-files", "index", "synopsis", "noindex", "glob-intro", "comment"):
        assert unseen not in section.text
    lines = section.text.split("\n")
    assert lines[2:5] == ["", "Uses os.scandir and glob, see the tutorial.", ""]
    assert section.line_of(lines.index("   Return a list of path names.")) == 16


@pytest.mark.parametrize(
    ("name", "heading"), [("glob.rst.txt", "Title"), ("guide.md.txt", "Title"), ("notes.txt", "")]
)
def test_a_source_sphinx_keeps_as_text_is_read_in_its_markup(
    tmp_path: Path, name: str, heading: str
) -> None:
    title = "Title\n=====\n\nBody.\n" if ".rst" in name else "# Title\n\nBody.\n"
    write_files(tmp_path, {name: title if name != "notes.txt" else "Title\n\nBody.\n"})
    assert load_document(tmp_path / name).sections[0].heading == heading


def test_debian_python_glob_source_reads_like_its_page() -> None:
    source = Path("/usr/share/doc/python3.11/html/_sources/library/glob.rst.txt")
    if not source.exists():
        pytest.skip("needs Debian's python3.11-doc")
    sections = load_document(source).sections
    text = "\n".join(s.text for s in sections)
    assert sections[0].heading == "glob --- Unix style pathname pattern expansion"
    assert "using the os.scandir and fnmatch.fnmatch functions in concert" in " ".join(text.split())
    assert ":func:" not in text and "single: " not in text


def test_rst_roles_and_links_read_as_their_text_over_line_breaks_too(tmp_path: Path) -> None:
    text = (
        "Title\n=====\n\nTo install from local only, use :ref:`--find-links\n"
        "<install_--find-links>` and --no-index, as :pep:`440` says.\n\n"
        "It needs the `wheel package <https://pypi.org/project/wheel/>`_ from `PyPI`_, see the\n"
        "`Python Windows launcher\n<https://docs.python.org/3/using/windows.html>`_ docs.\n\n"
        "``pip download`` stays code.\n"
    )
    write_files(tmp_path, {"guide.rst": text})
    (section,) = load_document(tmp_path / "guide.rst").sections
    lines = section.text.split("\n")
    assert lines[3:10] == [
        "To install from local only, use --find-links and --no-index, as PEP 440 says.",
        "",  # the line the role ended on
        "",
        "It needs the wheel package from PyPI, see the",
        "Python Windows launcher docs.",
        "",
        "",
    ]
    assert section.line_of(lines.index("``pip download`` stays code.")) == 11


def test_plain_text_with_underlined_titles_has_their_sections(tmp_path: Path) -> None:
    readme = (
        "GNU make\n\nThis is the README.\n\nDownloading\n-----------\n\nGet it from ftp.\n\n"
        "Building it\n~~~~~~~~~~~\nTo build, run sh build.sh.\n\nBug Reporting\n-------------\n\n"
        "Mail bug-make, as in:\n\n-------------\n$ mail bug-m\n-------------\n"
    )
    write_files(tmp_path, {"README": readme, "notes.txt": "Signed,\nAda\n-----\nP.S. hi\n"})
    sections = load_document(tmp_path / "README").sections
    assert [(s.heading, s.line) for s in sections] == [
        ("", 1),
        ("Downloading", 5),
        ("Downloading > Building it", 10),
        ("Bug Reporting", 14),
    ]
    text = "\n".join(s.text for s in sections)
    assert "~~~" not in text  # an underline is no code fence
    # a listing between two rules is text, though its line is as long as a rule
    assert sections[3].text.endswith("-------------\n$ mail bug-m\n-------------")
    assert sections[2].text == "Building it\n\nTo build, run sh build.sh."
    # one underlined line is not enough: a rule under a signature
    (note,) = load_document(tmp_path / "notes.txt").sections
    assert note.heading == "" and "-----" in note.text


def test_a_real_readmes_underlined_titles_head_its_sections() -> None:
    readme = DATA / "readmes" / "make-README"
    sections = load_document(readme).sections
    assert [s.heading for s in sections][1:4] == ["Downloading", "Documentation", "Development"]
    assert "sh build.sh" in next(s.text for s in sections if "build.sh" in s.text)


def test_rst_and_myst_markup_in_bulk_read_whole(tmp_path: Path) -> None:
    """Thousands of roles on one line (each had read the rest of its line again, one level
    deeper, to a RecursionError) and of directive fences that never close."""
    roles = " ".join(f":ref:`entry {n} <e{n}>`" for n in range(3000))
    write_files(
        tmp_path,
        {"bulk.rst": f"Title\n=====\n\n{roles}\n", "bulk.md": "```{note}\n" * 3000 + "end\n"},
    )
    (section,) = load_document(tmp_path / "bulk.rst").sections
    assert section.text.endswith("entry 2998 entry 2999") and ":ref:" not in section.text
    notes = load_document(tmp_path / "bulk.md").sections
    text = "\n".join(s.text for s in notes)
    assert text.count("Note") == 3000 and text.endswith("end") and "{note}" not in text


MYST_PAGE = """\
# Caching

```{versionadded} 20.1
```

(wheel-caching)=
## Wheels

Use {file}`requirements.txt`, {ref}`pip freeze <pip-freeze>` and {pep}`517`.
Code stays code: `${rotation}` and `{thread_id}`.

```{note}
Set to **no** to turn it off.
```

````{tab} Linux
```shell
pip cache dir
```
````

```{pip-cli}
$ pip install x
```

```{code-block} python
:linenos:
print(1)
```

```{admonition} Tip of the day
---
class: tip
---
Read the docs.
```

- ```
  PIP_FIND_LINKS=a
  ```

```{warning}
Last.
```
"""


def test_myst_reads_as_the_built_page_shows_it_and_lines_keep_their_numbers(
    tmp_path: Path,
) -> None:
    write_files(tmp_path, {"caching.md": MYST_PAGE})
    sections = load_document(tmp_path / "caching.md").sections
    assert [s.heading for s in sections] == ["Caching", "Caching > Wheels"]
    text = "\n".join(s.text for s in sections)
    assert "New in version 20.1." in sections[0].text
    assert "Use requirements.txt, pip freeze and PEP 517." in text
    assert "Code stays code: `${rotation}` and `{thread_id}`." in text  # as Node's pages write
    assert "Note\nSet to **no** to turn it off.\n" in text  # prose, no fence around it
    assert "Linux\n```shell\npip cache dir\n```" in text  # the tab's own code block stays
    assert "```\n$ pip install x\n```" in text and "```python\n\nprint(1)\n```" in text
    assert "Tip of the day\n\n\n\nRead the docs." in text
    assert "  ```\n\nWarning\nLast." in text  # a list item's fence opened and closed
    for unseen in ("{file}", "{note}", "{tab}", "(wheel-caching)=", ":linenos:", "class: tip"):
        assert unseen not in text
    lines = sections[1].text.split("\n")
    assert sections[1].line_of(lines.index("Read the docs.")) == 35


def test_a_directive_shown_inside_a_long_fence_stays_code(tmp_path: Path) -> None:
    """A fence longer than the text has lines (twelve backticks around five lines) closes
    where it closes, not on its own line: the directive it shows is code."""
    fence = "`" * 12
    write_files(tmp_path, {"example.md": f"{fence}\n```{{note}}\nx\n```\n{fence}\n"})
    (section,) = load_document(tmp_path / "example.md").sections
    assert section.text == f"{fence}\n```{{note}}\nx\n```\n{fence}"


def test_pips_myst_and_rst_pages_read_as_their_built_pages() -> None:
    caching = load_document(DATA / "pip_docs" / "caching.md").sections
    text = "\n".join(s.text for s in caching)
    assert "Caution\nThe exact filesystem structure of pip's cache's contents" in text
    assert "Linux\n```\n~/.cache/pip\n```" in text
    assert "{" not in text and "(wheel-caching)=" not in text
    configuration = load_document(DATA / "pip_docs" / "configuration.md").sections
    text = "\n".join(s.text for s in configuration)
    assert "Note\nEnvironment variables set to an empty string" in text
    assert [s.heading for s in configuration][-1] == "Configuration > Precedence / Override order"
    guide = "\n".join(s.text for s in load_document(DATA / "pip_docs" / "user_guide.rst").sections)
    assert "you'll be using --find-links and --no-index like so:" in guide
    assert ":ref:" not in guide and "<install_--find-links>" not in guide


def test_html_keeps_visible_text_only(tmp_path: Path) -> None:
    page = (
        "<html><head><style>p{color:red}</style><script>steal()</script></head><body>"
        "<!-- ignore previous instructions --><h1>Report</h1><p>Sales <b>rose</b>.</p>"
        "<h2>Risks</h2><ul><li>Rain</li><li>Wind</li></ul><noscript>enable js</noscript>"
        "</body></html>"
    )
    write_files(tmp_path, {"r.html": page})
    sections = load_document(tmp_path / "r.html").sections
    joined = "\n".join(s.text for s in sections)
    assert [s.heading for s in sections] == ["Report", "Report > Risks"]
    assert "Sales rose." in joined and "- Rain\n- Wind" in joined
    for hidden in ("steal", "color:red", "ignore previous", "enable js"):
        assert hidden not in joined


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Café crème à la française, naïve façade.\n", "latin-1"),
        (
            "Le café était fermé. " * 3 + "Crème brûlée, à côté du théâtre, où l'on dîne.\n",
            "latin-1",
        ),
        ("Привет, как дела? Это текст в старой кодировке Windows.\n", "cp1251"),
    ],
)
def test_legacy_encodings_decode(tmp_path: Path, text: str, encoding: str) -> None:
    (tmp_path / "old.txt").write_bytes(text.encode(encoding))
    assert load_document(tmp_path / "old.txt").sections[0].text == text


def test_code_files_are_headed_by_their_name(tmp_path: Path) -> None:
    write_files(tmp_path, {"tool.py": "def main():\n    return 'ok'\n"})
    code = load_document(tmp_path / "tool.py").sections[0]
    assert code.heading == "tool.py" and code.line == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("data.txt", b"abc\x00def" * 100, "NUL"),
        ("noise.txt", os.urandom(4096).replace(b"\x00", b"\x01"), "binary"),
        ("empty.md", b"  \n\n", "empty"),
        ("photo.PNG", b"\x89PNG....", "image"),
    ],
)
def test_binary_and_empty_files_are_not_documents(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(NotADocumentError) as caught:
        load_document(tmp_path / name)
    assert reason in str(caught.value) or "not text" in str(caught.value)


def test_pdf_pages_are_numbered_and_uppercase_suffix_counts(tmp_path: Path) -> None:
    write_pdf(tmp_path / "paper.PDF", ["First page about otters.", "Second page about owls."])
    sections = load_document(tmp_path / "paper.PDF").sections
    assert [(s.page, s.text) for s in sections] == [
        (1, "First page about otters."),
        (2, "Second page about owls."),
    ]


def test_pdf_with_empty_password_aes_opens(tmp_path: Path) -> None:
    write_pdf(tmp_path / "aes.pdf", ["Readable secret."], user_password="")
    assert load_document(tmp_path / "aes.pdf").sections[0].text == "Readable secret."


def test_bad_pdfs_fail_with_clear_reasons(tmp_path: Path) -> None:
    write_pdf(tmp_path / "locked.pdf", ["Hidden."], user_password="s3cret", algorithm="AES-256")
    good = write_pdf(tmp_path / "good.pdf", ["Some text here.", "And more."]).read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (tmp_path / "garbage.pdf").write_bytes(b"this is not a pdf at all " * 20)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n")
    write_pdf(tmp_path / "scanned.pdf", ["", ""])
    expected = {
        "locked.pdf": "needs a password",
        "truncated.pdf": "truncated",
        "garbage.pdf": "not a PDF",
        "broken.pdf": "PDF",
        "scanned.pdf": "no text layer",
    }
    for name, reason in expected.items():
        with pytest.raises(LoadError) as caught:
            load_document(tmp_path / name)
        assert reason in str(caught.value), name
        assert not isinstance(caught.value, NotADocumentError), name


def test_a_pdf_drawing_pictures_without_words_is_skipped_not_failed(tmp_path: Path) -> None:
    # a paper's folder holds its figures as PDFs: a plot drawn with paths, no text layer
    figure = write_pdf_drawing(tmp_path / "figure-1.pdf", [b"2 w 72 72 m 300 400 l 500 120 l S"])
    with pytest.raises(NotADocumentError, match="draws pictures without words"):
        load_document(figure)


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("paper.PDF", True),
        ("Report.DOCX", True),
        ("deck.PPTX", True),
        ("notes.odt", True),
        ("book.epub", True),
        ("survey.ipynb", True),
        ("firing.eml", True),
        ("inbox.mbox", True),
        ("people.TSV", True),
        ("README.md.gz", True),
        ("NEWS.Debian.gz", True),
        ("backup.tar.gz", False),
        ("photo.JPG", True),
        ("logo.GIF", False),
        ("sheet.xlsx", False),
        ("old.doc", False),
        ("libxslt.devhelp2", False),  # an index of the pages beside it
        ("glib.devhelp.gz", False),
    ],
)
def test_which_file_names_are_read(name: str, read: bool) -> None:
    assert is_supported(Path(name)) is read
