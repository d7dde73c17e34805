"""The walker: ignore rules, hidden files, symlinks, size limits, odd names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.types import FileProblem, SourceFile
from ingest.walk import walk
from tests.fixtures.ingest import write_files

LIMIT = 10_000


def _walk(*paths: Path, **options: object) -> tuple[list[str], dict[str, FileProblem]]:
    files, problems = [], {}
    for item in walk(paths, max_bytes=options.pop("max_bytes", LIMIT), **options):  # type: ignore[arg-type]
        if isinstance(item, SourceFile):
            files.append(item.path.name)
        else:
            problems[Path(item.path).name] = item
    return files, problems


def test_default_ignores_gitignore_and_hidden(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "notes.md": "# n",
            ".git/config": "x",
            "node_modules/lib/index.js": "x",
            "__pycache__/m.pyc": b"x",
            "env/pyvenv.cfg": "home = /usr",
            "env/lib/site.py": "x",
            "dist/out.txt": "x",
            ".hidden.md": "x",
            ".gitignore": "*.log\nsecret/\n!keep.log\n",
            "run.log": "x",
            "keep.log": "x",
            "secret/plan.txt": "x",
            "sub/.gitignore": "draft.md\n",
            "sub/draft.md": "x",
            "sub/final.md": "x",
        },
    )
    files, problems = _walk(tmp_path)
    assert sorted(files) == ["final.md", "keep.log", "notes.md"]
    assert problems == {}


def test_hidden_files_included_when_asked(tmp_path: Path) -> None:
    write_files(tmp_path, {".hidden.md": "x", "shown.md": "y", ".git/HEAD": "z"})
    files, _ = _walk(tmp_path, include_hidden=True)
    assert sorted(files) == [".hidden.md", "shown.md"]  # .git stays out even so


def test_size_limit_reports_skipped_with_reason(tmp_path: Path) -> None:
    write_files(tmp_path, {"big.txt": "x" * (LIMIT + 1), "small.txt": "ok"})
    files, problems = _walk(tmp_path)
    assert files == ["small.txt"]
    assert "larger than the size limit" in problems["big.txt"].reason
    assert not problems["big.txt"].failed


def test_symlink_loop_and_outside_link_are_reported_not_followed(tmp_path: Path) -> None:
    root = write_files(tmp_path / "root", {"a/doc.md": "x"})
    outside = write_files(tmp_path / "outside", {"private.md": "x"})
    (root / "a" / "loop").symlink_to(root / "a")
    (root / "escape").symlink_to(outside)
    (root / "alias.md").symlink_to(root / "a" / "doc.md")
    files, problems = _walk(root)
    assert files == ["doc.md"]  # the in-tree alias resolves to the same file, listed once
    assert "loop" in problems["loop"].reason
    assert "outside" in problems["escape"].reason


def test_unicode_names_and_direct_files(tmp_path: Path) -> None:
    write_files(tmp_path, {"résumé – 日本語.md": "x", "plain.txt": "y"})
    files, _ = _walk(tmp_path / "résumé – 日本語.md", tmp_path)
    assert files.count("résumé – 日本語.md") == 1
    assert "plain.txt" in files


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    _, problems = _walk(tmp_path / "nope")
    assert problems["nope"].reason == "does not exist"
    assert problems["nope"].failed


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_a_failure(tmp_path: Path) -> None:
    write_files(tmp_path, {"locked.md": "x"})
    (tmp_path / "locked.md").chmod(0)
    _, problems = _walk(tmp_path)
    assert problems["locked.md"].failed


def test_a_built_sphinx_sites_sources_scripts_and_search_index_are_left_out(
    tmp_path: Path,
) -> None:
    write_files(
        tmp_path,
        {
            "site/searchindex.js": "Search.setIndex({})",
            "site/objects.inv": b"# Sphinx inventory\x00",
            "site/glob.html": "<p>glob</p>",
            "site/_sources/glob.rst.txt": "glob\n====",
            "site/_static/basic.css": "div { }",
            "site/_images/figure.png": b"png",
            "notes/_sources/draft.md": "a person's own folder of that name",
            "notes/_static/plan.md": "and another",
        },
    )
    files, problems = _walk(tmp_path)
    assert sorted(files) == ["draft.md", "figure.png", "glob.html", "plan.md"]
    assert problems == {}
    assert _walk(tmp_path / "site" / "_sources")[0] == ["glob.rst.txt"]  # named, it is read


def test_debians_sphinx_site_is_read_as_its_pages() -> None:
    site = Path("/usr/share/doc/python-notebook-doc/html")
    sources = sorted(p.name for p in (site / "_sources").rglob("*.txt"))
    assert len(sources) > 10
    found = [Path(item.path) for item in walk([site], max_bytes=LIMIT * 1000)]
    assert {"notebook.html", "security.html"} <= {p.name for p in found}
    assert not [p for p in found if {"_sources", "_static", "searchindex.js"} & set(p.parts)]
    assert sorted(_walk(site / "_sources", max_bytes=LIMIT * 1000)[0]) == sources
    # its example notebooks, each beside the page built from it (nbsphinx)
    files, problems = _walk(site, max_bytes=LIMIT * 1000)
    assert "Notebook Basics.html" in files
    assert [name for name in files if name.endswith((".ipynb", ".ipynb.gz"))] == []
    assert "Notebook Basics.html" in problems["Notebook Basics.ipynb.gz"].reason


def test_a_notebook_beside_the_page_a_sphinx_site_built_from_it_is_skipped(
    tmp_path: Path,
) -> None:
    write_files(
        tmp_path,
        {
            "site/searchindex.js": "Search.setIndex({})",
            "site/examples/Basics.html": "<h1>Basics</h1>",
            "site/examples/Basics.ipynb.gz": b"\x1f\x8b",
            "site/examples/Tour.ipynb": "{}",  # no page built from it: read
            "notes/survey.ipynb": "{}",  # a notebook and its export, outside a site: both read
            "notes/survey.html": "<h1>Survey</h1>",
        },
    )
    files, problems = _walk(tmp_path)
    assert sorted(files) == ["Basics.html", "Tour.ipynb", "survey.html", "survey.ipynb"]
    assert problems["Basics.ipynb.gz"].reason == (
        "the notebook Basics.html beside it was built from; the page is read instead"
    )
    assert not problems["Basics.ipynb.gz"].failed


def test_a_pages_json_export_beside_it_is_skipped_with_its_reason(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "api/fs.md": "# File system",
            "api/fs.html": "<h1>File system</h1>",
            "api/fs.json": '{"textRaw": "File system"}',
            "api/path.html": "<h1>Path</h1>",
            "api/path.json.gz": b"\x1f\x8b",
            "api/settings.json": '{"theme": "dark"}',  # no page of its name: data, read
        },
    )
    files, problems = _walk(tmp_path)
    assert sorted(files) == ["fs.html", "fs.md", "path.html", "settings.json"]
    assert problems["fs.json"].reason == "the JSON form of fs.md beside it, which is read instead"
    assert "path.html" in problems["path.json.gz"].reason
    assert not problems["fs.json"].failed
    assert _walk(tmp_path / "api" / "fs.json")[0] == ["fs.json"]  # named, it is read


def test_a_pages_xml_source_beside_it_is_skipped_with_its_reason(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "tutorial/libxslttutorial.html": "<h1>libxslt Tutorial</h1>",
            "tutorial/libxslttutorial.xml.gz": b"\x1f\x8b",
            "tutorial/pipes.htm": "<h1>Pipes</h1>",
            "tutorial/pipes.xml": "<article><title>Pipes</title></article>",
            "tutorial/fonts.xml": "<fontconfig/>",  # no page of its name: read
        },
    )
    files, problems = _walk(tmp_path)
    assert sorted(files) == ["fonts.xml", "libxslttutorial.html", "pipes.htm"]
    assert problems["libxslttutorial.xml.gz"].reason == (
        "the XML source of libxslttutorial.html beside it; the page is read instead"
    )
    assert "pipes.htm" in problems["pipes.xml"].reason and not problems["pipes.xml"].failed


def test_debians_node_api_docs_are_read_as_their_pages_not_their_json() -> None:
    api = Path("/usr/share/doc/nodejs/api")
    if not (api / "fs.json.gz").exists():
        pytest.skip("Debian's nodejs-doc is not installed")
    files, problems = _walk(api, max_bytes=LIMIT * 10_000)
    assert {"fs.md", "fs.html", "path.md"} <= set(files)
    assert not [name for name in files if name.endswith((".json", ".json.gz"))]
    exports = {name for name, problem in problems.items() if "JSON form" in problem.reason}
    assert {"fs.json.gz", "path.json.gz", "index.json"} <= exports
