"""The local models a person registered with `margin models add` or `pull`, and the default
chosen with `margin models use`.

One small JSON file beside config.toml (`models.json`, owner-only, replaced atomically under a
file lock so two commands never lose each other's change). Pulled files live in the data
folder's `models/`; added files stay where they are. The config reads this file: each entry is
a `llama-cpp` profile, and the default applies unless config.toml sets `[defaults] model`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from durable.private_files import write_private
from models.errors import RegistryError
from models.gguf_info import GGUFInfo
from models.pull_lock import locked_to_remove

REGISTRY_FILE = "models.json"
BUILTIN_NAME = "local"  # the bundled model: always there, never registered or removed
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
LOCK_TIMEOUT_S = 10.0
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    name: str
    path: Path
    size: int
    sha256: str  # "" when not computed (a file added in place is not hashed)
    source: str  # the address it was pulled from; "" for a file added in place
    managed: bool  # the file is margin's (pulled into the models folder): `remove` deletes it
    added_at: str
    architecture: str = ""
    parameters: int = 0
    context_length: int | None = None
    quantization: str = ""

    @classmethod
    def from_info(
        cls, name: str, info: GGUFInfo, *, sha256: str = "", source: str = "", managed: bool
    ) -> RegisteredModel:
        return cls(
            name=name,
            path=info.path.resolve(),
            size=info.size,
            sha256=sha256,
            source=source,
            managed=managed,
            added_at=datetime.now(UTC).isoformat(timespec="seconds"),
            architecture=info.architecture,
            parameters=info.parameters,
            context_length=info.context_length,
            quantization=info.quantization,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


@dataclass(frozen=True, slots=True)
class Removed:
    model: RegisteredModel
    was_default: bool  # the default is the built-in model again
    file_deleted: bool


@dataclass(frozen=True, slots=True)
class RegistryState:
    models: dict[str, RegisteredModel] = field(default_factory=dict)
    default: str | None = None


def check_name(name: str) -> str:
    """A name usable as a model profile; RegistryError says why not."""
    if not NAME_PATTERN.fullmatch(name):
        raise RegistryError(
            f"{name!r} cannot name a model: use up to 64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit."
        )
    if name == BUILTIN_NAME:
        raise RegistryError(f"{BUILTIN_NAME!r} is the built-in bundled model; choose another name.")
    return name


class LocalModels:
    """The registry file. Every change is read, modified and written under one lock."""

    def __init__(self, path: Path, models_dir: Path):
        self.path = path
        self.models_dir = models_dir

    def read(self) -> RegistryState:
        return read_registry(self.path)

    def get(self, name: str) -> RegisteredModel | None:
        return self.read().models.get(name)

    def add(self, model: RegisteredModel) -> None:
        with self._changing() as state:
            _check_free(model.name, state.models)
            state.models[model.name] = model

    def check_free(self, name: str) -> None:
        """RegistryError unless `name` is a valid name no registered model has."""
        check_name(name)
        _check_free(name, self.read().models)

    def remove(self, name: str) -> Removed:
        """Unregister `name`, deleting its file when margin pulled it into its own folder."""
        with self._changing() as state:
            model = state.models.pop(name, None)
            if model is None:
                raise RegistryError(self._unknown(name, state))
            was_default = state.default == name
            if was_default:
                state.default = None
        ours = model.managed and model.path.resolve().parent == self.models_dir.resolve()
        if ours:  # never a file outside margin's own folder, whatever models.json says
            model.path.unlink(missing_ok=True)
        return Removed(model, was_default, ours)

    def set_default(self, name: str | None) -> None:
        """`name` (any model profile) becomes the default; None: the built-in model."""
        with self._changing() as state:
            state.default = name

    def partial_files(self, name: str) -> list[Path]:
        """What an unfinished `margin models pull --name NAME` left in the models folder."""
        stem = self.models_dir / f"{name}.gguf.partial"
        return [
            p for p in (stem, stem.with_name(stem.name + ".json")) if p.is_symlink() or p.exists()
        ]

    def discard_partial(self, name: str) -> int:
        """Delete an unfinished download of `name`; the bytes freed. RegistryError while a
        `margin models pull` is still writing it."""
        files = self.partial_files(name)
        freed = sum(path.lstat().st_size for path in files)
        partial = self.models_dir / f"{name}.gguf.partial"
        with locked_to_remove(partial, name, "margin models pull"):
            for path in files:
                path.unlink(missing_ok=True)
        return freed

    @contextmanager
    def _changing(self) -> Iterator[_Mutable]:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path.with_name(self.path.name + ".lock")), mode=0o600)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            lock.acquire(timeout=LOCK_TIMEOUT_S)
        except Timeout:
            raise RegistryError(
                f"Another margin command is changing {self.path}; try again in a moment."
            ) from None
        try:
            state = self.read()
            mutable = _Mutable(dict(state.models), state.default)
            yield mutable
            write_private(self.path, json.dumps(mutable.to_json(), indent=2) + "\n")
        finally:
            lock.release()

    @staticmethod
    def _unknown(name: str, state: _Mutable) -> str:
        known = ", ".join(sorted(state.models)) or "none"
        return (
            f"No registered model named {name!r} (registered: {known}); see `margin models list`."
        )


@dataclass
class _Mutable:
    models: dict[str, RegisteredModel]
    default: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "default": self.default,
            "models": {name: m.to_json() for name, m in sorted(self.models.items())},
        }


def _check_free(name: str, models: dict[str, RegisteredModel]) -> None:
    if name in models:
        raise RegistryError(
            f"A model named {name!r} is already registered ({models[name].path}). Choose "
            f"another --name, or `margin models remove {name}` first."
        )


def read_registry(path: Path) -> RegistryState:
    """The registry in `path`; empty when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return RegistryState()
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(path, str(exc)) from None
    try:
        return _parse(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _damaged(path, f"{type(exc).__name__}: {exc}") from None


def _damaged(path: Path, detail: str) -> RegistryError:
    return RegistryError(
        f"The list of registered models, {path}, cannot be read ({detail}). Fix it, or move "
        "it aside and register your model files again with `margin models add`."
    )


def _parse(data: Any) -> RegistryState:
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ValueError(f"not a version {FORMAT_VERSION} registry")
    models = {}
    for name, entry in dict(data.get("models") or {}).items():
        model = RegisteredModel(**{**entry, "path": Path(entry["path"])})
        if model.name != name or not NAME_PATTERN.fullmatch(name) or name == BUILTIN_NAME:
            raise ValueError(f"bad entry {name!r}")
        models[name] = replace(model, size=int(model.size))
    default = data.get("default")
    if default is not None and not (isinstance(default, str) and NAME_PATTERN.fullmatch(default)):
        raise ValueError(f"bad default {default!r}")
    return RegistryState(models, default)
