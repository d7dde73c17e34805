"""SVG pictures: the words they draw, not the XML; pictures without words are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_document

SVG = 'xmlns="http://www.w3.org/2000/svg"'
PATH = '<path d="' + " ".join(f"M {i} {i} L {i + 5} {i + 9}" for i in range(400)) + '"/>'
NOTEBOOK_IMAGES = Path("/usr/share/doc/python-notebook-doc/html")


def _svg(tmp_path: Path, body: str, name: str = "figure.svg") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?>\n<svg {SVG}>{body}</svg>', encoding="utf-8")
    return path


def test_the_words_drawn_are_read_and_the_drawing_left_out(tmp_path: Path) -> None:
    path = _svg(
        tmp_path,
        "<title>Backup flow</title><desc>How nightly backups reach the NAS</desc>"
        "<metadata><rdf>Inkscape 1.2 created by someone</rdf></metadata>"
        "<style>.label { font: 12px sans-serif }</style><defs><text>unused glyph</text></defs>"
        f"<g>{PATH}<text x='1' y='2'><tspan>Laptop</tspan><tspan>rsync job</tspan></text></g>"
        "<flowRoot><flowPara>Retention: thirty days</flowPara></flowRoot>",
    )
    loaded = load_document(path)
    assert loaded.title == "Backup flow"
    assert [s.text for s in loaded.sections] == [
        "How nightly backups reach the NAS\nLaptop rsync job\nRetention: thirty days"
    ]


def test_a_switch_is_read_once_as_drawio_draws_each_label_twice(tmp_path: Path) -> None:
    label = (
        "<switch><foreignObject><div xmlns='http://www.w3.org/1999/xhtml'><div>"
        "Load balancer <b>health</b> check</div></div></foreignObject>"
        "<text>Load balancer health check</text></switch>"
    )
    loaded = load_document(_svg(tmp_path, f"<g>{PATH}{label}</g>"))
    assert [s.text for s in loaded.sections] == ["Load balancer health check"]


def test_a_picture_without_words_is_skipped(tmp_path: Path) -> None:
    path = _svg(tmp_path, f"<g>{PATH}</g><text>→ 42</text>")
    with pytest.raises(NotADocumentError, match="picture without text"):
        load_document(path)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<text>Unclosed", "not well-formed XML"),
        ("", "root element is not <svg>"),
    ],
)
def test_broken_or_foreign_xml_fails(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "broken.svg"
    text = f"<svg {SVG}>{body}" if body else "<html><p>not a picture</p></html>"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match=reason):
        load_document(path)


def test_an_entity_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "bomb.svg"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "lol">{lol}]>'
        f"<svg {SVG}><text>&l9;</text></svg>",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match="XML bomb"):
        load_document(path)


def test_debians_jupyter_manual_pictures() -> None:
    """The Jupyter manual's UI sketch shows four labels; Python's logo shows none."""
    sketch = load_document(NOTEBOOK_IMAGES / "_static/images/blank-notebook-ui.svg")
    assert sketch.sections[0].text.splitlines() == [
        "⇦ Notebook name",
        "Menu bar",
        "Toolbar",
        "Code cell",
    ]
    with pytest.raises(NotADocumentError):
        load_document(NOTEBOOK_IMAGES / "_images/python_logo.svg")
