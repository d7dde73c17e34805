"""Pulled rerankers in `margin models list` and `margin models remove`, beside the chat models.

A row is starred when `[retrieval] reranker` names its folder. That reranker is not removed:
margin never edits config.toml, and the line would then name a folder that is gone, so the
person changes the line first (as for a model profile written in config.toml). A chat model
and a reranker may share a name; `remove` then removes the chat model, and the same command
again the reranker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Config
from models.errors import RegistryError

if TYPE_CHECKING:
    from models.rerankers import RerankerListing


def configured_folder(config: Config) -> Path | None:
    """The folder `[retrieval] reranker` names, resolved; None when it is empty."""
    setting = config.retrieval.reranker
    return Path(setting).expanduser().resolve() if setting else None


def listing_json(config: Config, rerankers: RerankerListing) -> dict[str, Any]:
    """The `rerankers`, `unfinished_rerankers` and `reranker` fields of `models list --json`."""
    configured = configured_folder(config)
    return {
        "rerankers": [
            {**reranker.to_json(), "configured": reranker.path == configured}
            for reranker in rerankers.installed
        ],
        "unfinished_rerankers": [partial.to_json() for partial in rerankers.unfinished],
        "reranker": config.retrieval.reranker or None,
    }


def listing_lines(config: Config, rerankers: RerankerListing) -> list[str]:
    """The lines `models list` prints for `rerankers`; none when there are none."""
    from models.download import format_size

    configured = configured_folder(config)
    installed, unfinished = rerankers.installed, rerankers.unfinished
    if not installed and not unfinished and configured is None:
        return []
    lines = ["rerankers (* is the one [retrieval] reranker uses):"]
    for reranker in installed:
        mark = "*" if reranker.path == configured else " "
        lines.append(f"{mark} {reranker.name:<16} {format_size(reranker.size):>9}  {reranker.path}")
    if configured is not None and all(reranker.path != configured for reranker in installed):
        lines.append(f"* {'':<16} {'':>9}  {configured} (not pulled with margin)")
    for partial in unfinished:
        lines.append(
            f"  {partial.name:<16} unfinished, {format_size(partial.size)} so far: resume with "
            f"`{partial.resume}`, or discard with `margin models remove {partial.name}`"
        )
    return lines


def remove_named(
    name: str, config: Config, rerankers: RerankerListing, config_file: Path
) -> tuple[str, bool]:
    """Delete the reranker `name` and its unfinished download, as listed in `rerankers`; what
    was done, and whether an installed folder was deleted. RegistryError for the one
    `[retrieval] reranker` uses."""
    from models.download import format_size
    from models.rerankers import discard_unfinished, remove_installed

    installed, unfinished = rerankers.named(name)
    if installed and installed.path == configured_folder(config):
        raise RegistryError(
            f"The reranker {name} ({installed.path}) is the one `[retrieval] reranker` in "
            f"{config_file} uses; nothing was removed. Remove that line, or point it at another "
            f"folder, then `margin models remove {name}`."
        )
    done = []
    if unfinished:
        discard_unfinished(unfinished)
        size = format_size(unfinished.size)
        done.append(f"Deleted the unfinished download of the reranker {name} ({size}).")
    if installed:
        remove_installed(installed)
        size = format_size(installed.size)
        done.append(f"Removed the reranker {name} and deleted {installed.path} ({size}).")
    return " ".join(done), installed is not None
