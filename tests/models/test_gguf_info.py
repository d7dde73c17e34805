"""GGUF headers: read right from real files, refused clearly when hostile or broken."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.errors import ModelFileError
from models.gguf_info import describe_start, format_parameters, read_gguf_info

Write = Callable[..., Path]


@pytest.fixture
def write_gguf(tmp_path: Path) -> Write:
    """A small real GGUF written by the gguf package's own writer."""

    def write(name: str = "m.gguf", *, tensor: tuple[int, int] = (8, 32), **keys: Any) -> Path:
        import gguf
        import numpy as np

        path = tmp_path / name
        writer = gguf.GGUFWriter(str(path), arch=keys.pop("arch", "qwen2"))
        writer.add_block_count(2)
        writer.add_context_length(keys.pop("context", 32768))
        writer.add_embedding_length(64)
        writer.add_head_count(4)
        writer.add_head_count_kv(2)
        if "template" in keys:
            writer.add_chat_template(keys.pop("template"))
        if "file_type" in keys:
            writer.add_file_type(keys.pop("file_type"))
        for key, value in keys.items():
            writer.add_uint32(key.replace("__", "."), value)
        writer.add_token_list([f"token{i}" for i in range(50_000)])
        writer.add_tensor("weight", np.zeros(tensor, dtype=np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        return path

    return write


def test_reads_the_bundled_model(bundled_gguf: Path) -> None:
    info = read_gguf_info(bundled_gguf)
    assert (info.architecture, info.quantization, info.context_length) == ("llama", "Q4_1", 8192)
    assert info.parameters == 134_515_008 and format_parameters(info.parameters) == "135M"
    assert (info.block_count, info.head_count, info.head_count_kv) == (30, 9, 3)
    assert info.kv_bytes_per_token == 30 * (3 * 64 + 3 * 64) * 2
    assert info.chat_template and "<|im_start|>" in info.chat_template
    assert info.size == bundled_gguf.stat().st_size and info.split_count == 1


def test_agrees_with_the_gguf_packages_own_reader(bundled_gguf: Path) -> None:
    import gguf

    info = read_gguf_info(bundled_gguf)
    reader = gguf.GGUFReader(bundled_gguf)
    assert info.parameters == sum(t.n_elements for t in reader.tensors)
    assert reader.fields["general.file_type"].contents() == 3  # MOSTLY_Q4_1
    assert info.chat_template == reader.fields["tokenizer.chat_template"].contents()


def test_metadata_of_a_written_file(write_gguf: Write) -> None:
    info = read_gguf_info(write_gguf(template="{{ x }}", file_type=15))
    assert (info.architecture, info.context_length, info.quantization) == (
        "qwen2", 32768, "Q4_K_M",
    )  # fmt: skip
    assert info.parameters == 256 and info.chat_template == "{{ x }}"
    assert info.name == "m"  # no general.name: the file name


def test_without_a_file_type_the_commonest_tensor_type_is_the_quantisation(
    write_gguf: Write,
) -> None:
    assert read_gguf_info(write_gguf()).quantization == "F32"


def test_a_split_file_says_so(write_gguf: Write) -> None:
    assert read_gguf_info(write_gguf(split__count=3)).split_count == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "it is empty"),
        (b"<!DOCTYPE html><html>", "it starts with the text '<!DOCTYPE html><html>'"),
        (b"PK\x03\x04\x14\x00\x00\x00", "it starts with the bytes 50 4b 03 04"),
        (b"GGUF\x01\x00\x00\x00" + bytes(16), "GGUF version 1"),
        (b"GGUF\x03\x00\x00\x00" + bytes(4), "is truncated: its GGUF header runs past"),
    ],
)
def test_files_that_are_not_usable_gguf_are_named(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelFileError) as caught:
        read_gguf_info(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_hostile_counts_are_refused_without_reading_them(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 2**62))
    with pytest.raises(ModelFileError, match=r"damaged GGUF header \(a count of"):
        read_gguf_info(path)


def test_a_string_longer_than_the_file_is_truncation(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQQ", 3, 0, 1, 5_000_000) + b"general.name")
    with pytest.raises(ModelFileError, match="is truncated"):
        read_gguf_info(path)


def test_tensor_data_cut_short_is_truncation(write_gguf: Write) -> None:
    path = write_gguf(tensor=(64, 1024))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    with pytest.raises(ModelFileError, match=r"its tensors need [\d,]+ bytes but the file has"):
        read_gguf_info(path)


def test_missing_paths_and_folders(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="Model file not found"):
        read_gguf_info(tmp_path / "nothing.gguf")
    with pytest.raises(ModelFileError, match="is a folder"):
        read_gguf_info(tmp_path)


def test_describe_start_never_prints_control_characters() -> None:
    assert describe_start(b"\x1b]52;c;aGVsbG8=\x07 clipboard").startswith(
        "it starts with the bytes"
    )
