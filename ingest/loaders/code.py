"""Source code and configuration: the whole file as one section, headed by its file name."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.types import Section

SUFFIXES = tuple(
    [
        ".py",
        ".pyi",
        ".js",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".go",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".rb",
        ".php",
        ".swift",
        ".m",
        ".r",
        ".jl",
        ".lua",
        ".pl",
        ".sh",
        ".bash",
        ".zsh",
        ".fish",
        ".ps1",
        ".sql",
        ".css",
        ".scss",
        ".less",
        ".vue",
        ".svelte",
        ".toml",
        ".yaml",
        ".yml",
        ".json",
        ".ini",
        ".cfg",
        ".conf",
        ".xml",
        ".el",
        ".clj",
        ".ex",
        ".exs",
        ".erl",
        ".hs",
        ".ml",
        ".dart",
        ".zig",
        ".nim",
        ".tf",
        ".proto",
        ".graphql",
        ".dockerfile",
        ".mk",
    ]
)


def load(path: Path) -> list[Section]:
    return [Section(text=read_text(path), heading=path.name, line=1)]
