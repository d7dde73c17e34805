"""Zip-based documents cannot expand without bound, reach outside the zip, or expand XML."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest.errors import LoadError
from ingest.extraction import Extractor
from ingest.loaders import archive, load_document
from tests.fixtures.documents import (
    patch_zip_entry,
    replace_part,
    write_docx,
    write_epub,
    write_zip,
)

DOCUMENT = "word/document.xml"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(tmp_path: Path, name: str = "doc.docx") -> Path:
    return write_docx(tmp_path / name, [("h1", "Title"), ("p", "Body text.")])


def test_a_part_that_expands_past_the_limit_is_not_read(tmp_path: Path) -> None:
    path = replace_part(_docx(tmp_path), DOCUMENT, bytes(archive.MAX_PART_BYTES + 1))
    assert path.stat().st_size < 1_000_000  # the bomb is small on disk
    with pytest.raises(LoadError, match=r"word/document.xml expands to 64 MB.*zip bomb"):
        load_document(path)


def test_a_zip_that_understates_a_part_stops_at_the_declared_size(tmp_path: Path) -> None:
    body = "<w:p><w:r><w:t>otters</w:t></w:r></w:p>" * 50_000
    path = replace_part(
        _docx(tmp_path), DOCUMENT, f"<w:document {W}><w:body>{body}</w:body></w:document>"
    )
    patch_zip_entry(path, DOCUMENT, "size", 1000)  # the headers now lie about what it holds
    with pytest.raises(LoadError, match=r"not a valid DOCX: word/document\.xml is damaged"):
        load_document(path)


def test_the_limits_run_in_the_worker_too(tmp_path: Path) -> None:
    bomb = replace_part(_docx(tmp_path, "bomb.docx"), DOCUMENT, bytes(archive.MAX_PART_BYTES + 1))
    fine = _docx(tmp_path, "fine.docx")
    with Extractor(memory_mb=512) as extractor:
        with pytest.raises(LoadError, match="zip bomb"):
            extractor.load(bomb)
        assert extractor.load(fine).sections[0].heading == "Title"


def test_xml_entity_bombs_and_external_entities_are_refused(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bombs = {
        "laughs.docx": (
            f'<!DOCTYPE d [<!ENTITY l0 "lol">{laughs}]><w:document {W}>&l9;</w:document>'
        ),
        "xxe.docx": (
            f'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f"<w:document {W}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
        ),
    }
    for name, xml in bombs.items():
        path = replace_part(_docx(tmp_path, name), DOCUMENT, xml)
        with pytest.raises(LoadError, match="declares XML entities") as caught:
            load_document(path)
        assert "root:" not in str(caught.value)


def test_malformed_xml_names_the_part_and_the_place(tmp_path: Path) -> None:
    path = replace_part(_docx(tmp_path), DOCUMENT, f"<w:document {W}><w:body><w:p></w:body>")
    with pytest.raises(
        LoadError, match=r"word/document.xml is not well-formed XML \(mismatched tag: line 1"
    ):
        load_document(path)


def test_zip_level_encryption_and_unusual_compression_are_refused(tmp_path: Path) -> None:
    locked = patch_zip_entry(_docx(tmp_path, "locked.docx"), DOCUMENT, "flags", 1)
    with pytest.raises(LoadError, match="encrypted DOCX: it needs a password"):
        load_document(locked)
    parts = {}
    with zipfile.ZipFile(_docx(tmp_path)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    odd = tmp_path / "odd.docx"
    with zipfile.ZipFile(odd, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data, compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(LoadError, match="uses a compression these files never use"):
        load_document(odd)


def test_too_many_parts_is_refused_before_reading_any(tmp_path: Path) -> None:
    path = tmp_path / "crowded.epub"
    with zipfile.ZipFile(path, "w") as target:
        for number in range(archive.MAX_PARTS + 1):
            target.writestr(f"p{number}", b"")
    with pytest.raises(LoadError, match="50,001 parts, over the limit of 50,000"):
        load_document(path)


def test_names_that_point_outside_the_zip_never_reach_the_disk(tmp_path: Path) -> None:
    book = write_epub(tmp_path / "book.epub", [("Real chapter", "<p>Safe words.</p>")])
    with zipfile.ZipFile(book) as source:
        opf_name = next(n for n in source.namelist() if n.endswith(".opf"))
        opf = source.read(opf_name).decode()
    hostile = [
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "../../escaped.xhtml",
    ]
    items = "".join(
        f'<item id="evil{i}" href="{href}" media-type="application/xhtml+xml"/>'
        for i, href in enumerate(hostile)
    )
    refs = "".join(f'<itemref idref="evil{i}"/>' for i in range(len(hostile)))
    opf = opf.replace("</manifest>", items + "</manifest>").replace("</spine>", refs + "</spine>")
    replace_part(book, opf_name, opf)
    replace_part(
        book, "../../escaped.xhtml", "<html><body><p>Inside the zip only.</p></body></html>"
    )
    text = "\n".join(s.text for s in load_document(book).sections)
    assert "Safe words." in text
    assert "root:" not in text
    assert not (tmp_path.parent.parent / "escaped.xhtml").exists()


def test_ordinary_zips_named_like_documents_say_so(tmp_path: Path) -> None:
    write_zip(tmp_path / "photos.docx", {"a.jpg": b"\xff\xd8\xff"})
    write_zip(tmp_path / "photos.epub", {"a.jpg": b"\xff\xd8\xff"})
    with pytest.raises(LoadError, match=r"not a valid DOCX: it has no word/document\.xml"):
        load_document(tmp_path / "photos.docx")
    with pytest.raises(LoadError, match=r"not a valid EPUB: it has no META-INF/container\.xml"):
        load_document(tmp_path / "photos.epub")
