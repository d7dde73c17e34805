"""EPUB books: chapters in reading order, located by the book's table of contents."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_document
from tests.fixtures.documents import pandoc_documents, replace_part, write_epub, write_odt

LIVE_MANUAL = Path("/usr/share/doc/live-manual/epub/live-manual.en.epub")

CHAPTERS = [
    (
        "Chapter I: Down the Rabbit-Hole",
        "<h1>Chapter I: Down the Rabbit-Hole</h1><p>Alice was beginning to get very tired.</p>"
        "<h2>The Bottle</h2><p>It was labelled DRINK&nbsp;ME in large letters.</p>"
        "<script>steal()</script>",
    ),
    ("Chapter II: The Pool of Tears", "<h1>Chapter II</h1><p>Curiouser and curiouser!</p>"),
]


def _opf(book: Path) -> tuple[str, str]:
    with zipfile.ZipFile(book) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".opf"))
        return name, archive.read(name).decode()


def test_chapters_are_headed_by_the_table_of_contents(tmp_path: Path) -> None:
    sections = load_document(write_epub(tmp_path / "alice.epub", CHAPTERS)).sections
    assert [s.heading for s in sections] == [
        "Chapter I: Down the Rabbit-Hole",
        "Chapter I: Down the Rabbit-Hole > The Bottle",
        "Chapter II: The Pool of Tears",
    ]
    text = "\n".join(s.text for s in sections)
    assert "DRINK ME" in text and "steal" not in text
    assert text.count("Chapter I: Down the Rabbit-Hole") == 1  # the navigation page is left out
    assert all(s.line is None for s in sections)


def test_table_of_contents_anchors_split_a_chapter(tmp_path: Path) -> None:
    from ebooklib import epub

    body = (
        "<p class='bold' id='s1'>1.1 Tides</p><p>The tide comes in twice a day.</p>"
        "<p class='bold' id='s2'>1.2 Moons</p><p>The moon pulls the sea.</p>"
    )
    book = epub.EpubBook()
    book.set_identifier("anchors")
    book.set_title("Sea")
    chapter = epub.EpubHtml(title="1. The Sea", file_name="sea.xhtml")
    chapter.content = f"<html><body>{body}</body></html>"
    book.add_item(chapter)
    book.toc = [
        (
            epub.Section("1. The Sea", href="sea.xhtml"),
            [
                epub.Link("sea.xhtml#s1", "1.1 Tides", "s1"),
                epub.Link("sea.xhtml#s2", "1.2 Moons", "s2"),
            ],
        )
    ]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [chapter]
    epub.write_epub(str(tmp_path / "sea.epub"), book)
    sections = load_document(tmp_path / "sea.epub").sections
    assert [s.heading for s in sections] == ["1. The Sea > 1.1 Tides", "1. The Sea > 1.2 Moons"]
    assert sections[1].text == "1.2 Moons\n\nThe moon pulls the sea."


def test_debian_live_manual_epub(tmp_path: Path) -> None:
    if not LIVE_MANUAL.exists():
        pytest.skip("Debian's live-manual-epub is not installed (apt-get install live-manual-epub)")
    sections = load_document(LIVE_MANUAL).sections
    headings = [s.heading for s in sections]
    assert any(h.endswith("1. About this manual > 1.1 For the impatient") for h in headings)
    assert not any(h.startswith("Table of Contents") for h in headings)
    impatient = next(s for s in sections if s.heading.endswith("1.1 For the impatient"))
    assert "we suggest reading in the following order" in impatient.text
    text = "\n".join(s.text for s in sections)
    assert "live-build" in text
    # SiSU numbers every paragraph with a link to it: 1,030 numbers, none of them left
    assert not re.search(r"(?m)^\d+$", text)
    hooks = next(s for s in sections if s.heading.endswith("9.2 Hooks"))
    assert hooks.text.startswith("9.2 Hooks\n\nHooks allow commands to be run in the chroot")


def test_a_paragraph_number_linking_to_its_paragraph_is_left_out(tmp_path: Path) -> None:
    body = (
        "<h1>Hooks</h1><div><label class='ocn'><a href='#o518'>518</a></label>"
        "<p id='o518'>Hooks run in the chroot.<a href='#n1'>1</a></p></div>"
        "<div><label class='ocn'><a href='#o519'>519</a></label>"
        "<p id='o519'>Boot-time hooks run at boot, see <a href='#o518'>518</a>.</p></div>"
        "<p id='n1'>1. Inside the build.</p>"
    )
    sections = load_document(write_epub(tmp_path / "hooks.epub", [("Hooks", body)])).sections
    assert sections[0].text == (
        "Hooks\n\nHooks run in the chroot.1\n\nBoot-time hooks run at boot, see 518."
        "\n\n1. Inside the build."
    )


def test_pandoc_epub_from_debian_python_docs(tmp_path: Path) -> None:
    made = pandoc_documents(tmp_path, "library/re", [".epub"])
    if made is None:
        pytest.skip(
            "needs Debian's pandoc and python3.11-doc (apt-get install pandoc python3.11-doc)"
        )
    headings = [s.heading for s in load_document(made[".epub"]).sections]
    assert "Module Contents > Functions" in headings


def test_drm_protected_chapters_are_reported_but_obfuscated_fonts_are_fine(tmp_path: Path) -> None:
    book = write_epub(tmp_path / "drm.epub", CHAPTERS)
    opf_name, _ = _opf(book)
    chapter = opf_name.rsplit("/", 1)[0] + "/chap_1.xhtml"
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData>'
        '<enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData></encryption>'
    )
    replace_part(
        book,
        "META-INF/encryption.xml",
        encryption.format(algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri=chapter),
    )
    with pytest.raises(LoadError, match="DRM-protected EPUB"):
        load_document(book)
    replace_part(
        book,
        "META-INF/encryption.xml",
        encryption.format(algorithm="http://www.idpf.org/2008/embedding", uri="EPUB/font.otf"),
    )
    assert load_document(book).sections[0].heading == "Chapter I: Down the Rabbit-Hole"


def test_broken_books_say_what_is_wrong(tmp_path: Path) -> None:
    good = write_epub(tmp_path / "good.epub", CHAPTERS)
    data = good.read_bytes()
    (tmp_path / "truncated.epub").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.epub").write_bytes(b"")
    (tmp_path / "text.epub").write_text("Once upon a time.\n")
    odt = write_odt(tmp_path / "doc.odt", [("p", "An office document.")])
    (tmp_path / "office.epub").write_bytes(odt.read_bytes())
    bad_opf = replace_part(
        write_epub(tmp_path / "bad-opf.epub", CHAPTERS), _opf(good)[0], "<package><spine>"
    )
    expected = {
        "truncated.epub": "not a valid EPUB: damaged or truncated",
        "text.epub": "not a valid EPUB: the file is text",
        "office.epub": "its mimetype is 'application/vnd.oasis.opendocument.text'",
        "bad-opf.epub": "content.opf is not well-formed XML",
    }
    for name, message in expected.items():
        with pytest.raises(LoadError, match=message):
            load_document(tmp_path / name)
    assert bad_opf.exists()
    with pytest.raises(NotADocumentError, match="empty file"):
        load_document(tmp_path / "empty.epub")


def test_sloppy_chapters_and_a_hostile_table_of_contents_still_read(tmp_path: Path) -> None:
    book = write_epub(tmp_path / "sloppy.epub", CHAPTERS)
    opf_name, _ = _opf(book)
    folder = opf_name.rsplit("/", 1)[0]
    replace_part(
        book,
        f"{folder}/chap_2.xhtml",
        "<html><body><h1>Chapter II<p>Unclosed &amp; sloppy &mdash; still <b>read</i>",
    )
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 8))
    replace_part(
        book, f"{folder}/toc.ncx", f'<!DOCTYPE n [<!ENTITY l0 "x">{laughs}]><ncx>&l7;</ncx>'
    )
    replace_part(book, f"{folder}/nav.xhtml", "<html><body>no navigation here</body></html>")
    sections = load_document(book).sections
    text = "\n".join(s.text for s in sections)
    assert "Unclosed & sloppy — still read" in text
    assert sections[0].heading == "Chapter I: Down the Rabbit-Hole"  # from the chapter's h1


def test_a_book_of_images_has_no_text(tmp_path: Path) -> None:
    book = write_epub(tmp_path / "comic.epub", [("Page 1", "<img src='p1.png'/>")])
    with pytest.raises(NotADocumentError, match="no text in the book"):
        load_document(book)


def test_code_keeps_its_lines_fenced(tmp_path: Path) -> None:
    # a programming book's listing: quotes and citations read code by its fences
    chapter = (
        "<h1>Closures</h1><p>Allocate the closure first:</p>"
        "<pre class='example'>\nvoid *code;\nffi_closure *closure;<br/>  closure = "
        "ffi_closure_alloc(sizeof(ffi_closure), &amp;code);\n</pre><p>Then prepare it.</p>"
    )
    [section] = load_document(write_epub(tmp_path / "ffi.epub", [("Closures", chapter)])).sections
    assert (
        "Allocate the closure first:\n\n```\nvoid *code;\nffi_closure *closure;\n"
        "  closure = ffi_closure_alloc(sizeof(ffi_closure), &code);\n```\n\nThen prepare it."
    ) in section.text
