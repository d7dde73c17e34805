"""The layering contract and the fast start-up of `margin --help`, checked for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = [
    "torch",
    "sentence_transformers",
    "lancedb",
    "pyarrow",
    "llama_cpp",
    "pypdf",
    "textual",
    "onnxruntime",
    "tokenizers",
    "mcp",
]


def test_layers_and_headless_core_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken" in result.stdout


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from assistant.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'code': result.exit_code, 'out': result.output, 'heavy': heavy}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(output.stdout)
    assert report["code"] == 0
    assert "ingest" in report["out"] and "ask" in report["out"]
    assert report["heavy"] == []
