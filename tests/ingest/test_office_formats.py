"""DOCX, PPTX and ODT through margin's readers, on files other libraries (and pandoc) wrote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_document
from tests.fixtures.documents import (
    append_docx_xml,
    encrypt_office,
    pandoc_documents,
    replace_part,
    write_docx,
    write_odt,
    write_pptx,
)

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _headings(path: Path) -> list[str]:
    return [s.heading for s in load_document(path).sections]


def _text(path: Path) -> str:
    return "\n".join(s.text for s in load_document(path).sections)


def test_docx_sections_follow_the_heading_styles(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "report.docx",
        [
            ("title", "Field Report"),
            ("p", "Written after the spring survey."),
            ("h1", "Methods"),
            ("p", "We counted otters at dawn."),
            ("h2", "Sampling"),
            ("li", "Three sites along the estuary"),
            ("table", "Site|Count"),
            ("table", "North bank|14"),
            ("h1", "Results"),
            ("p", "Numbers rose by a third."),
        ],
    )
    sections = load_document(path).sections
    assert [s.heading for s in sections] == [
        "Field Report",
        "Field Report > Methods",
        "Field Report > Methods > Sampling",
        "Field Report > Results",
    ]
    sampling = sections[2].text
    assert "- Three sites along the estuary" in sampling
    assert "Site | Count" in sampling and "North bank | 14" in sampling
    assert all(s.line is None and s.page is None for s in sections)


def test_docx_reads_content_controls_insertions_text_boxes_and_footnotes(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "memo.docx", [("h1", "Memo"), ("p", "Opening line.")])
    box = "<w:txbxContent><w:p><w:r><w:t>Boxed aside about kilns.</w:t></w:r></w:p></w:txbxContent>"
    append_docx_xml(
        path,
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Inside a content control.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t xml:space='preserve'>Kept </w:t></w:r>"
        "<w:ins w:id='1' w:author='a'><w:r><w:t>inserted words</w:t></w:r></w:ins>"
        "<w:del w:id='2' w:author='a'><w:r><w:delText>deleted words</w:delText></w:r></w:del>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>"
        "<w:p><w:r><mc:AlternateContent "
        "xmlns:mc='http://schemas.openxmlformats.org/markup-compatibility/2006'>"
        f"<mc:Choice Requires='wps'><w:drawing>{box}</w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
    )
    rels = _zip_read(path, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdNotes" Target="footnotes.xml" Type="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships/footnotes"/></Relationships>',
    )
    replace_part(path, "word/_rels/document.xml.rels", rels)
    replace_part(
        path,
        "word/footnotes.xml",
        f"<w:footnotes {W}><w:footnote w:type='separator' w:id='-1'><w:p><w:r><w:t>SEP</w:t>"
        "</w:r></w:p></w:footnote><w:footnote w:id='1'><w:p><w:r><w:t>Counted by boat.</w:t>"
        "</w:r></w:p></w:footnote></w:footnotes>",
    )
    text = _text(path)
    for wanted in ("Inside a content control.", "Kept inserted words", "Boxed aside about kilns."):
        assert wanted in text
    assert text.count("Boxed aside") == 1  # the fallback copy of the text box is not read
    assert "deleted words" not in text and "PAGE" not in text
    assert _headings(path)[-1] == "Footnotes"
    assert "[1] Counted by boat." in text and "SEP" not in text


def test_pptx_one_section_per_slide_with_notes_tables_and_hidden_slides(tmp_path: Path) -> None:
    path = write_pptx(
        tmp_path / "deck.pptx",
        [
            {"title": "Quarterly numbers", "bullets": ["Sales rose 12%", "Costs fell"]},
            {
                "title": "Regions",
                "bullets": ["North leads"],
                "table": [["Region", "Sales"], ["North", "120"]],
                "notes": "Mention the new depot.",
            },
            {"title": "Backup figures", "bullets": ["Old data"], "hidden": True},
            {"title": "", "bullets": ["A slide without a title"]},
        ],
    )
    sections = load_document(path).sections
    assert [s.heading for s in sections] == [
        "Slide 1: Quarterly numbers",
        "Slide 2: Regions",
        "Slide 3 (hidden): Backup figures",
        "Slide 4",
    ]
    assert "Sales rose 12%\nCosts fell" in sections[0].text
    assert "Region | Sales\nNorth | 120" in sections[1].text
    assert sections[1].text.endswith("Notes:\nMention the new depot.")


def test_pptx_slides_come_in_presentation_order_not_file_order(tmp_path: Path) -> None:
    import pptx

    path = write_pptx(tmp_path / "moved.pptx", [{"title": "First"}, {"title": "Second"}])
    presentation = pptx.Presentation(str(path))
    id_list = presentation.slides._sldIdLst
    id_list.insert(0, id_list[1])  # move the second slide to the front
    presentation.save(str(path))
    assert _headings(path) == ["Slide 1: Second", "Slide 2: First"]


def test_odt_headings_lists_tables_and_notes(tmp_path: Path) -> None:
    path = write_odt(
        tmp_path / "notes.odt",
        [
            ("h1", "Kiln log"),
            ("p", "Fired stoneware on Monday."),
            ("h2", "Glazes"),
            ("li", "Celadon over porcelain"),
            ("table", "Cone|Temperature"),
            ("note", "Cooling took a day.|Measured with a pyrometer."),
        ],
    )
    sections = load_document(path).sections
    assert [s.heading for s in sections] == ["Kiln log", "Kiln log > Glazes", "Notes"]
    glazes = sections[1].text
    assert "Celadon over porcelain" in glazes and "Cone | Temperature" in glazes
    assert "Cooling took a day.[1]" in glazes
    assert sections[2].text == "Notes\n\n[1] Measured with a pyrometer."


def test_odt_leaves_out_contents_tables_comments_and_deletions(tmp_path: Path) -> None:
    path = write_odt(tmp_path / "draft.odt", [("p", "placeholder")])
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    )
    content = (
        f"<office:document-content {ns}><office:body><office:text>"
        "<text:tracked-changes><text:changed-region><text:deletion><text:p>gone text</text:p>"
        "</text:deletion></text:changed-region></text:tracked-changes>"
        "<text:table-of-content><text:index-body><text:p>Chapter One ..... 1</text:p>"
        "</text:index-body></text:table-of-content>"
        '<text:h text:outline-level="1">Chapter One</text:h>'
        "<text:p>Two<text:s text:c='3'/>spaces<text:tab/>tab<text:line-break/>next"
        "<office:annotation><text:p>a private comment</text:p></office:annotation>"
        "<draw:frame><draw:text-box><text:p>Framed words.</text:p></draw:text-box></draw:frame>"
        "</text:p></office:text></office:body></office:document-content>"
    )
    replace_part(path, "content.xml", content)
    sections = load_document(path).sections
    assert [s.heading for s in sections] == ["Chapter One"]
    assert sections[0].text == "Chapter One\n\nTwo   spaces\ttab\nnext\n\nFramed words."


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".pptx"])
def test_documents_pandoc_made_from_debian_python_docs(tmp_path: Path, suffix: str) -> None:
    made = pandoc_documents(tmp_path, "library/re", [suffix])
    if made is None:
        pytest.skip(
            "needs Debian's pandoc and python3.11-doc (apt-get install pandoc python3.11-doc)"
        )
    sections = load_document(made[suffix]).sections
    text = "\n".join(s.text for s in sections)
    assert "Regular Expression Syntax" in text and "re.compile" in text.replace("\n", " ")
    headings = [s.heading for s in sections]
    wanted = "Slide" if suffix == ".pptx" else "Module Contents > Functions"
    assert any(wanted in heading for heading in headings), headings[:10]


# -- bad files ---------------------------------------------------------------------------


def test_encrypted_office_files_are_named_as_such(tmp_path: Path) -> None:
    docx = write_docx(tmp_path / "plain.docx", [("p", "Salary figures.")])
    pptx = write_pptx(tmp_path / "plain.pptx", [{"title": "Board only"}])
    for plain, kind in ((docx, "DOCX"), (pptx, "PPTX")):
        locked = encrypt_office(plain, tmp_path / f"locked{plain.suffix}")
        with pytest.raises(LoadError, match=f"encrypted {kind}: it needs a password"):
            load_document(locked)
    odt = write_odt(tmp_path / "locked.odt", [("p", "Hidden.")])
    replace_part(
        odt,
        "META-INF/manifest.xml",
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum="x"/></manifest:file-entry>'
        "</manifest:manifest>",
    )
    with pytest.raises(LoadError, match="encrypted ODT: it needs a password"):
        load_document(odt)


def test_misnamed_office_files_say_what_they_are(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet

    deck = write_pptx(tmp_path / "deck.pptx", [{"title": "Hi"}])
    (tmp_path / "deck-named.docx").write_bytes(deck.read_bytes())
    (tmp_path / "old.doc.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    (tmp_path / "paper.pptx").write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
    (tmp_path / "notes.odt").write_text("just some text that is not a zip\n")
    sheet = OpenDocumentSpreadsheet()
    sheet.save(str(tmp_path / "sheet"), True)  # odfpy adds the .ods suffix
    (tmp_path / "sheet.odt").write_bytes((tmp_path / "sheet.ods").read_bytes())
    expected = {
        "deck-named.docx": "not a valid DOCX: the file is a PowerPoint presentation",
        "old.doc.docx": "old Word 97-2003 (.doc) file",
        "paper.pptx": "not a valid PPTX: the file is a PDF",
        "notes.odt": "not a valid ODT: the file is text",
        "sheet.odt": "not a valid ODT: the file is an OpenDocument spreadsheet",
    }
    for name, message in expected.items():
        with pytest.raises(LoadError, match=re.escape(message)):
            load_document(tmp_path / name)


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".odt"])
def test_empty_truncated_and_corrupt_office_files(tmp_path: Path, suffix: str) -> None:
    writers = {
        ".docx": lambda p: write_docx(p, [("p", "Some text here.")]),
        ".pptx": lambda p: write_pptx(p, [{"title": "Some text here."}]),
        ".odt": lambda p: write_odt(p, [("p", "Some text here.")]),
    }
    good = writers[suffix](tmp_path / f"good{suffix}").read_bytes()
    (tmp_path / f"empty{suffix}").write_bytes(b"")
    (tmp_path / f"truncated{suffix}").write_bytes(good[: len(good) // 2])
    (tmp_path / f"noise{suffix}").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with pytest.raises(NotADocumentError, match="empty file"):
        load_document(tmp_path / f"empty{suffix}")
    for name in ("truncated", "noise"):
        with pytest.raises(LoadError, match=f"not a valid {suffix[1:].upper()}: damaged"):
            load_document(tmp_path / f"{name}{suffix}")


def _zip_read(path: Path, name: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()
