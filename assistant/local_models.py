"""The local GGUF models margin knows: the built-in one, the registered ones (`margin models
add|pull`), and `llama-cpp` profiles written in config.toml, with what their files say.

`margin models list|info` and `margin doctor` read them here; the registry itself, downloads
and GGUF parsing live in the `models` package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.config import BUNDLED, Config, ModelProfile
from assistant.locations import Locations
from models.errors import ModelError
from models.gguf_info import GGUFInfo
from models.registry import BUILTIN_NAME, LocalModels, RegisteredModel

Origin = Literal["built-in", "registered", "config.toml"]


def gguf_path(profile: ModelProfile) -> Path:
    """The GGUF file of a `llama-cpp` profile (the bundled one for path = "bundled")."""
    from models.bundled import bundled_gguf_path

    return bundled_gguf_path() if profile.path == BUNDLED else Path(profile.path).expanduser()


def registry_for(locations: Locations) -> LocalModels:
    return LocalModels(locations.model_registry, locations.models_dir)


@dataclass(frozen=True, slots=True)
class LocalModel:
    """One local model as `margin models list` shows it. `problem` is set when its file cannot
    be read; the metadata fields are then empty."""

    name: str
    origin: Origin
    path: Path | None
    default: bool
    info: GGUFInfo | None = None
    registered: RegisteredModel | None = None
    problem: str = ""

    def to_json(self) -> dict[str, Any]:
        info = self.info
        return {
            "name": self.name,
            "path": str(self.path) if self.path else None,
            "size": info.size if info else None,
            "architecture": info.architecture if info else None,
            "parameters": info.parameters if info else None,
            "context_length": info.context_length if info else None,
            "quantization": info.quantization if info else None,
            "default": self.default,
            "origin": self.origin,
            "source": self.registered.source if self.registered else "",
            "sha256": self.registered.sha256 if self.registered else "",
            "problem": self.problem,
        }


def local_models(config: Config, registry: LocalModels) -> list[LocalModel]:
    """Every `llama-cpp` profile, the built-in one first, each with its file's metadata."""
    registered = registry.read().models
    profiles = [p for p in config.models.values() if p.kind == "llama-cpp"]
    profiles.sort(key=lambda p: (p.name != BUILTIN_NAME, p.name))
    return [describe(p, config, registered.get(p.name)) for p in profiles]


def describe(
    profile: ModelProfile, config: Config, registered: RegisteredModel | None
) -> LocalModel:
    from models.gguf_info import read_gguf_info

    origin: Origin = "config.toml"
    if profile.name == BUILTIN_NAME:
        origin = "built-in"
    elif registered is not None and Path(profile.path) == registered.path:
        origin = "registered"
    default = profile.name == config.defaults.model
    try:
        path = gguf_path(profile)
        info = read_gguf_info(path)
    except ModelError as exc:
        path_or_none = None if profile.path == BUNDLED else Path(profile.path).expanduser()
        return LocalModel(profile.name, origin, path_or_none, default, None, registered, str(exc))
    problem = ""
    if registered is not None and origin == "registered" and registered.size != info.size:
        problem = (
            f"{path} changed size since it was registered ({registered.size:,} -> "
            f"{info.size:,} bytes)"
        )
    return LocalModel(profile.name, origin, path, default, info, registered, problem)


def partial_downloads(registry: LocalModels) -> list[tuple[str, Path]]:
    """(name, file) of each unfinished `margin models pull` in the models folder."""
    folder = registry.models_dir
    if not folder.is_dir():
        return []
    suffix = ".gguf.partial"
    return sorted(
        (path.name.removesuffix(suffix), path)
        for path in folder.iterdir()
        if path.name.endswith(suffix)
    )
