"""`margin models list|add|pull|remove|use|info`: local GGUF models, one command away; and
`margin models pull-reranker`: a cross-encoder for `[retrieval] reranker`.

A model registered here is a `llama-cpp` profile like any in config.toml: `margin ask --model
NAME` uses it, and `margin models use NAME` makes it the default without editing config.toml.
An explicit `[defaults] model` in config.toml still wins; `use` then changes nothing and says
which line to remove. A pulled reranker is not registered: the command prints the line that
puts it to use in config.toml; `list` shows it and `remove` deletes it (see
`assistant.cli.pulled_rerankers`). Exit codes: 0 done, 1 error (nothing registered or
installed), 2 a malformed source, 130 interrupted (a partial download is kept for the next
`pull` or `pull-reranker` to resume).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant.cli.output import EXIT_INTERRUPTED, emit_json, fail, guarded, say
from assistant.errors import UsageError
from assistant.local_models import LocalModel, describe, gguf_path, local_models, registry_for
from assistant.terminal import sanitize
from models.errors import RegistryError

if TYPE_CHECKING:
    from assistant.config import Config
    from models.registry import LocalModels

_json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
_name_option = click.option("--name", required=True, help="The name to use it by.")


def _setup() -> tuple[Config, LocalModels]:
    from assistant.config import load_config
    from assistant.locations import resolve_locations

    locations = resolve_locations().ensure()
    return load_config(locations.config_file), registry_for(locations)


def _free_name(name: str, config: Config, registry: LocalModels) -> None:
    """A new model's name must not hide a profile written in config.toml."""
    registry.check_free(name)
    if name in config.models:
        raise RegistryError(
            f"config.toml already defines a model profile named {name!r}; choose another --name."
        )


@click.group()
def models() -> None:
    """Local GGUF models: list, add or pull one, choose the default, remove; pull a reranker."""


@models.command("list")
@_json_option
@guarded
def list_models(as_json: bool) -> None:
    """The local models, their size and metadata; * marks the default. Then the pulled
    rerankers; * marks the one `[retrieval] reranker` uses."""
    from assistant.cli.pulled_rerankers import listing_json, listing_lines
    from models.rerankers import list_rerankers

    config, registry = _setup()
    rows = local_models(config, registry)
    rerankers = list_rerankers(_rerankers_dir())
    if as_json:
        emit_json(
            {
                "models": [row.to_json() for row in rows],
                "default": config.defaults.model,
                "default_from": config.default_source,
                **listing_json(config, rerankers),
            }
        )
        return
    for row in rows:
        click.echo(_row_line(row))
    for line in listing_lines(config, rerankers):
        click.echo(sanitize(line))
    if not any(row.default for row in rows):
        profile = config.profile()
        say(f"default: {profile.name} (remote: {profile.base_url}), set in {config.default_source}")
    if len(rows) == 1:
        say("Add one: `margin models pull hf:OWNER/REPO/FILE.gguf --name NAME` (docs/models.md).")


def _row_line(row: LocalModel) -> str:
    from models.download import format_size
    from models.gguf_info import format_parameters

    mark = "*" if row.default else " "
    info = row.info
    if info is None:
        return sanitize(f"{mark} {row.name:<16} !! {row.problem}")
    details = (
        f"{format_size(info.size):>9}  {info.architecture:<10} "
        f"{format_parameters(info.parameters):>6}  {info.quantization:<7} "
        f"ctx {info.context_length or '?':<6} {row.origin}"
    )
    line = f"{mark} {row.name:<16} {details}"
    return sanitize(line + (f"  !! {row.problem}" if row.problem else ""))


@models.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_name_option
@_json_option
@guarded
def add(path: Path, name: str, as_json: bool) -> None:
    """Register the GGUF file at PATH as NAME (the file stays where it is)."""
    from models.pull import add_model

    config, registry = _setup()
    _free_name(name, config, registry)
    model = add_model(path, name, registry)
    if as_json:
        emit_json({"model": model.to_json()})
        return
    say(f"Registered {name}: {_summary(model.path)}. {_how_to_use(name)}")


@models.command("pull")
@click.argument("url")
@_name_option
@click.option("--sha256", metavar="HEX", help="The file's SHA-256, checked after download.")
@_json_option
@guarded
def pull(url: str, name: str, sha256: str | None, as_json: bool) -> None:
    """Download a GGUF model from URL (https://… or hf:OWNER/REPO/FILE.gguf) as NAME."""
    from assistant.cli.download_progress import progress_reporter
    from models.download import Downloader
    from models.errors import DownloadInterrupted
    from models.pull import pull_model, resolve_source

    config, registry = _setup()
    _free_name(name, config, registry)
    say(f"Downloading {sanitize(resolve_source(url))}")
    started = time.monotonic()
    with progress_reporter() as report:
        try:
            model = pull_model(url, name, registry, Downloader(), sha256=sha256, progress=report)
        except DownloadInterrupted as exc:
            fail(str(exc), EXIT_INTERRUPTED)
            return
    seconds = time.monotonic() - started
    if as_json:
        emit_json({"model": model.to_json(), "seconds": round(seconds, 2)})
        return
    checked = f"SHA-256 {model.sha256[:16]}…"
    say(f"Registered {name}: {_summary(model.path)}; {checked}. {_how_to_use(name)}")


@models.command("pull-reranker")
@click.argument("source")
@_name_option
@_json_option
@guarded
def pull_reranker(source: str, name: str, as_json: bool) -> None:
    """Download a cross-encoder that re-ranks sources, from SOURCE (hf:OWNER/REPO,
    hf:OWNER/REPO@REVISION or the https://… address of a folder), as NAME."""
    from assistant.ask.reranker import unusable_reranker
    from assistant.cli.download_progress import progress_reporter
    from assistant.locations import resolve_locations
    from models.download import Downloader, format_size
    from models.errors import DownloadError, DownloadInterrupted
    from models.pull import resolve_folder
    from models.reranker_pull import pull_reranker, reranker_target

    try:
        base = resolve_folder(source)
    except DownloadError as exc:
        raise UsageError(str(exc)) from None
    folder = resolve_locations().ensure().rerankers_dir
    reranker_target(folder, name)  # a bad or taken name is refused before anything is said
    say(f"Downloading a reranker from {sanitize(base)}")
    with progress_reporter() as report:
        try:
            pulled = pull_reranker(
                source, name, folder, Downloader(), check=unusable_reranker, progress=report
            )
        except DownloadInterrupted as exc:
            fail(str(exc), EXIT_INTERRUPTED)
            return
    if as_json:
        emit_json(pulled.to_json())
        return
    setting = json.dumps(str(pulled.path), ensure_ascii=False)  # a valid TOML string too
    say(
        f"Installed the reranker {name} in {pulled.path} ({len(pulled.files)} files, "
        f"{format_size(pulled.size)}). Re-rank with it: put these lines in {_config_file()} "
        "(the second one alone under its [retrieval] table if it has one):\n\n"
        f"[retrieval]\nreranker = {setting}"
    )


@models.command("remove")
@click.argument("name")
@_json_option
@guarded
def remove(name: str, as_json: bool) -> None:
    """Unregister NAME; a pulled file is deleted, an added one is left where it is. A pulled
    reranker NAME is deleted, unless `[retrieval] reranker` uses it."""
    from assistant.cli.pulled_rerankers import remove_named
    from models.download import format_size
    from models.registry import BUILTIN_NAME
    from models.rerankers import list_rerankers

    config, registry = _setup()
    model = registry.get(name)
    partials = registry.partial_files(name)
    rerankers = list_rerankers(_rerankers_dir())  # read once: removing a model leaves it as is
    if model is None and not partials:
        if any(rerankers.named(name)):
            message, deleted = remove_named(name, config, rerankers, _config_file())
            _removed(name, "reranker", deleted, message, as_json)
            return
        if name == BUILTIN_NAME:
            raise RegistryError(f"{name!r} is the built-in bundled model; it cannot be removed.")
        if name in config.models:
            raise RegistryError(
                f"{name!r} is defined in config.toml, not registered here: remove its "
                f"[models.{name}] table there."
            )
        raise RegistryError(
            f"No registered model or pulled reranker named {name!r}; see `margin models list`."
        )
    messages: list[str] = []
    if partials:
        freed = registry.discard_partial(name)
        messages.append(f"Deleted the unfinished download of {name} ({format_size(freed)}).")
    deleted = False
    if model is not None:
        removed = registry.remove(name)
        deleted = removed.file_deleted
        if deleted:
            messages.append(f"Removed {name} and deleted {model.path} ({format_size(model.size)}).")
        else:
            messages.append(f"Unregistered {name}; {model.path} was left in place.")
        if removed.was_default:
            messages.append("The default is the built-in model again.")
    if any(rerankers.named(name)):
        messages.append(
            f"A reranker is named {name} too; it is still there: the same command removes it."
        )
    _removed(name, "model", deleted, " ".join(messages), as_json)


def _removed(name: str, kind: str, deleted: bool, message: str, as_json: bool) -> None:
    if as_json:
        emit_json({"removed": name, "kind": kind, "file_deleted": deleted})
    else:
        say(message)


@models.command("use")
@click.argument("name")
@_json_option
@guarded
def use(name: str, as_json: bool) -> None:
    """Make NAME the model `margin ask` and `margin chat` use by default."""
    from assistant.errors import ConfigError
    from models.registry import BUILTIN_NAME

    config, registry = _setup()
    profile = config.profile(name)
    if config.default_source == "config.toml":
        if config.defaults.model == name:
            _chosen(
                name,
                "config.toml",
                f"{name} is already the default (config.toml sets it).",
                as_json,
            )
            return
        raise ConfigError(
            f"config.toml sets [defaults] model = {config.defaults.model!r}, which wins over "
            f"`margin models use`; nothing was changed. Remove that line (or set it to "
            f"{name!r}) in {_config_file()}."
        )
    where = f"remote: {profile.base_url}" if profile.is_remote else _summary(gguf_path(profile))
    registry.set_default(None if name == BUILTIN_NAME else name)
    _chosen(name, "margin models use", f"margin now answers with {name} ({where}).", as_json)


def _chosen(name: str, source: str, message: str, as_json: bool) -> None:
    if as_json:
        emit_json({"default": name, "default_from": source})
    else:
        say(message)


@models.command("info")
@click.argument("name")
@_json_option
@guarded
def info(name: str, as_json: bool) -> None:
    """What NAME's GGUF file says, and how margin will run it on this machine."""
    from models.chat_templates import template_fixes
    from models.runtime_plan import plan_runtime, probe_machine

    config, registry = _setup()
    profile = config.profile(name)
    if profile.is_remote:
        raise UsageError(
            f"{name!r} is a remote profile ({profile.base_url}, model {profile.model!r}); "
            "`margin models` describes local GGUF models."
        )
    row = describe(profile, config, registry.get(name))
    if row.info is None:
        raise RegistryError(row.problem)
    plan = plan_runtime(row.info, probe_machine(), context=profile.context, threads=profile.threads)
    fixes = template_fixes(row.info.chat_template)
    details: dict[str, Any] = {
        **{k: v for k, v in row.info.to_json().items() if k not in ("path", "name")},
        **row.to_json(),
        "name_in_file": row.info.name,
        "runtime": {
            "context": plan.context,
            "threads": plan.threads,
            "gpu_layers": plan.gpu_layers,
            "notes": list(plan.notes),
        },
        "template_fixes": fixes,
        "registered_at": row.registered.added_at if row.registered else None,
    }
    if as_json:
        emit_json(details)
        return
    _print_info(details)


def _print_info(details: dict[str, Any]) -> None:
    from models.download import format_size
    from models.gguf_info import format_parameters

    template = details.get("chat_template") or ""
    lines = [
        f"{details['name']}{' (default)' if details['default'] else ''}: {details['origin']}",
        f"  file          {details['path']} ({format_size(details['size'])})",
        f"  model         {details['name_in_file']}" if details.get("name_in_file") else "",
        f"  architecture  {details['architecture']}, {format_parameters(details['parameters'])} "
        f"parameters, {details['quantization']}",
        f"  trained for   {details['context_length'] or 'unknown'} tokens of context",
        f"  source        {details['source']}" if details["source"] else "",
        f"  sha256        {details['sha256']}" if details["sha256"] else "",
        f"  chat template {len(template):,} characters"
        + (f"; fixes: {', '.join(details['template_fixes'])}" if details["template_fixes"] else ""),
        f"  runs with     context {details['runtime']['context']}, "
        f"{details['runtime']['threads']} threads, "
        + ("all layers on the GPU" if details["runtime"]["gpu_layers"] else "CPU only"),
        *(f"                - {note}" for note in details["runtime"]["notes"]),
    ]
    if details["problem"]:
        lines.append(f"  !! {details['problem']}")
    for line in lines:
        if line:
            click.echo(sanitize(line))


def _summary(path: Path) -> str:
    from models.download import format_size
    from models.gguf_info import format_parameters, read_gguf_info

    info = read_gguf_info(path)
    return (
        f"{info.architecture}, {format_parameters(info.parameters)} parameters, "
        f"{info.quantization}, {format_size(info.size)}"
    )


def _how_to_use(name: str) -> str:
    return (
        f"Ask with `margin ask --model {name} ...`, or make it the default: "
        f"`margin models use {name}`."
    )


def _config_file() -> Path:
    from assistant.locations import resolve_locations

    return resolve_locations().config_file


def _rerankers_dir() -> Path:
    from assistant.locations import resolve_locations

    return resolve_locations().rerankers_dir
