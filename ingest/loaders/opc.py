"""Office Open XML packages (DOCX, PPTX): find parts through their relationships."""

from __future__ import annotations

import posixpath

from ingest.loaders.archive import ZipDocument, first_text, join, local_name

_OFFICE_DOCUMENT = "/officeDocument"
_CORE_PROPERTIES = "/core-properties"


def relationships(package: ZipDocument, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of `part`: id -> (type suffix such as "/slide", target part)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if not package.has(rels):
        return {}
    found = {}
    for rel in package.xml(rels):
        if local_name(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        kind = "/" + (rel.get("Type") or "").rpartition("/")[2]
        target = rel.get("Target")
        if rel.get("Id") and target:
            found[rel.get("Id", "")] = (kind, join(part, target))
    return found


def main_part(package: ZipDocument, default: str) -> str:
    """The package's main part (word/document.xml, ppt/presentation.xml)."""
    for kind, target in relationships(package, "").values():
        if kind == _OFFICE_DOCUMENT and package.has(target):
            return target
    return default


def core_title(package: ZipDocument) -> str:
    """The title in the package's core properties (File > Properties > Title), or ""."""
    for kind, target in relationships(package, "").values():
        if kind == _CORE_PROPERTIES and package.has(target):
            return first_text(package.xml(target), "title")
    return ""


def related(package: ZipDocument, part: str, kind: str) -> list[str]:
    """Targets of `part`'s relationships of one type ("/notesSlide", "/footnotes"), in id order."""
    return [
        target for rel_kind, target in relationships(package, part).values() if rel_kind == kind
    ]
