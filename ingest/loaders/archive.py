"""Zip-based documents (DOCX, PPTX, ODT, EPUB), opened with limits against bombs and tricks.

Parts are looked up by name inside the archive and never written to disk, so a name such as
"../../etc/passwd" can at most fail to match. Only stored and deflated parts are read
(the formats use nothing else); Python's zipfile stops a part at its declared size and
checks its CRC, so checking declared sizes against the limits bounds what is decompressed.
XML goes through defusedxml: entity declarations (billion laughs) and external references
are refused.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ingest.errors import LoadError
from ingest.loaders.sniffing import OLE_MAGIC, ZIP_MAGIC, describe, read_head

if TYPE_CHECKING:
    import zipfile
    from xml.etree.ElementTree import Element

MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_PARTS = 50_000
_COMPRESSIONS = (0, 8)  # zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED (zipfile loads lazily)
_ENCRYPTED_FLAG = 0x1
_OLE_ENCRYPTED_STREAM = "EncryptedPackage"  # a stream in password-protected Office files


class ZipDocument:
    """One zip-based document; `kind` ("DOCX", "EPUB", ...) names it in every message."""

    def __init__(self, path: Path, kind: str, *, legacy: str = ""):
        import zipfile

        self.kind = kind
        head = read_head(path)
        if not head.startswith(ZIP_MAGIC):
            raise LoadError(_not_a_zip(path, head, kind, legacy))
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise LoadError(f"not a valid {kind}: damaged or truncated ({exc})") from exc
        except OSError as exc:
            raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
        infos = self._zip.infolist()
        if len(infos) > MAX_PARTS:
            self._zip.close()
            raise LoadError(
                f"not a valid {kind}: {len(infos):,} parts, over the limit of {MAX_PARTS:,}"
            )
        self._parts = {info.filename: info for info in infos}
        self._folded = {name.casefold(): name for name in self._parts}
        self._read = 0

    def has(self, name: str) -> bool:
        return self._info(name) is not None

    def read(self, name: str) -> bytes:
        """The bytes of one part, within the size limits; a missing part raises LoadError."""
        import zipfile
        import zlib

        info = self._info(name)
        if info is None:
            raise LoadError(f"not a valid {self.kind}: it has no {name}")
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise LoadError(f"encrypted {self.kind}: it needs a password; save a copy without one")
        if info.compress_type not in _COMPRESSIONS:
            raise LoadError(
                f"not a valid {self.kind}: {name} uses a compression these files never use"
            )
        if info.file_size > MAX_PART_BYTES or self._read + info.file_size > MAX_TOTAL_BYTES:
            raise LoadError(
                f"{self.kind} part {name} expands to {_mb(info.file_size)}, over the limit of "
                f"{_mb(MAX_PART_BYTES)} per part and {_mb(MAX_TOTAL_BYTES)} per file "
                "(a zip bomb?); not read"
            )
        try:
            data = self._zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            raise LoadError(f"not a valid {self.kind}: {name} is damaged ({exc})") from exc
        self._read += len(data)
        return data

    def xml(self, name: str) -> Element:
        """One part parsed as XML, refusing entity declarations and external references."""
        from xml.etree.ElementTree import ParseError

        import defusedxml.ElementTree as safe_xml
        from defusedxml import DefusedXmlException

        data = self.read(name)
        try:
            return safe_xml.fromstring(data)
        except ParseError as exc:
            raise LoadError(
                f"not a valid {self.kind}: {name} is not well-formed XML ({exc})"
            ) from exc
        except DefusedXmlException as exc:
            raise LoadError(
                f"not a valid {self.kind}: {name} declares XML entities or external references, "
                "which margin does not expand (an XML bomb?)"
            ) from exc

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> ZipDocument:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _info(self, name: str) -> zipfile.ZipInfo | None:
        name = name.lstrip("/")
        info = self._parts.get(name)
        if info is None and name.casefold() in self._folded:
            info = self._parts[self._folded[name.casefold()]]
        return info


def join(base_part: str, target: str) -> str:
    """The part a relative reference inside `base_part` points at ("../media/a.png")."""
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def local_name(tag: str) -> str:
    """An XML tag without its namespace: "{http://...}p" -> "p"."""
    return tag.rpartition("}")[2]


_ROOT_KINDS = {
    "document": "a Word document (.docx)",
    "presentation": "a PowerPoint presentation (.pptx)",
    "workbook": "an Excel workbook (.xlsx)",
}


def first_text(root: Element, name: str) -> str:
    """The text of the first element named `name` (any namespace), spaces collapsed; "" when
    there is none (a title in a package's metadata: dc:title)."""
    element = next((e for e in root.iter() if local_name(e.tag) == name), None)
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def expect_root(root: Element, expected: str, kind: str) -> None:
    """Refuse a package whose main part is of another kind (a PPTX named .docx)."""
    found = local_name(root.tag)
    if found != expected:
        what = _ROOT_KINDS.get(found, f"a {found!r} part")
        raise LoadError(f"not a valid {kind}: the file is {what}")


def attribute(element: Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (w:val, text:outline-level)."""
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return value
    return None


def _not_a_zip(path: Path, head: bytes, kind: str, legacy: str) -> str:
    if head.startswith(OLE_MAGIC):
        if _mentions_encrypted_package(path):
            return f"encrypted {kind}: it needs a password; save a copy without one"
        if legacy:
            return f"not a valid {kind}: it is an old {legacy} file; save it as {kind} to read it"
    return f"not a valid {kind}: the file is {describe(head)}"


def _mentions_encrypted_package(path: Path) -> bool:
    try:
        return _OLE_ENCRYPTED_STREAM.encode("utf-16-le") in path.read_bytes()
    except OSError:
        return False


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"
