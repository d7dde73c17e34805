"""The extraction worker bounds each file's time and memory and survives bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.errors import LoadError
from ingest.extraction import Extractor
from tests.fixtures.ingest import write_files


def test_a_file_that_blocks_times_out_and_the_next_file_still_loads(tmp_path: Path) -> None:
    fifo = tmp_path / "never-written.txt"
    os.mkfifo(fifo)  # opening it blocks forever, like a parser stuck in a loop
    write_files(tmp_path, {"ok.md": "# Fine\n\ntext"})
    with Extractor(timeout_s=1.0) as extractor:
        with pytest.raises(LoadError, match="longer than 1 s"):
            extractor.load(fifo)
        assert extractor.load(tmp_path / "ok.md").sections[0].heading == "Fine"


def test_memory_cap_stops_a_file_that_needs_too_much(tmp_path: Path) -> None:
    write_files(tmp_path, {"big.txt": "word " * 8_000_000, "small.md": "# Small\n\ntext"})
    with Extractor(memory_mb=60) as extractor:  # the bytes and their text need 80 MB
        with pytest.raises(LoadError, match=r"memory|reader stopped"):
            extractor.load(tmp_path / "big.txt")
        assert extractor.load(tmp_path / "small.md").sections[0].heading == "Small"
