"""Where margin keeps its config and data: platformdirs, or everything under MARGIN_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from models.registry import REGISTRY_FILE

APP_NAME = "margin"


@dataclass(frozen=True, slots=True)
class Locations:
    config_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def key_names_file(self) -> Path:
        """The names (never the values) of keys saved in the keyring; it cannot list them."""
        return self.config_dir / "key-names.json"

    @property
    def model_registry(self) -> Path:
        """Models registered with `margin models add|pull`, and the default chosen with `use`."""
        return self.config_dir / REGISTRY_FILE

    @property
    def models_dir(self) -> Path:
        """GGUF files pulled with `margin models pull` (and their partial downloads)."""
        return self.data_dir / "models"

    @property
    def rerankers_dir(self) -> Path:
        """Cross-encoder folders fetched with `margin models pull-reranker` (and the
        `NAME.partial` folders of unfinished ones)."""
        return self.models_dir / "rerankers"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "lancedb"

    @property
    def log_db(self) -> Path:
        return self.data_dir / "logs.db"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def run_dir(self) -> Path:
        """Sockets and lock files."""
        return self.data_dir / "run"

    def ensure(self) -> Locations:
        """Create the folders owner-only (0700) before anything is written in them."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.run_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder.chmod(0o700)
        return self


def resolve_locations(environ: dict[str, str] | None = None) -> Locations:
    env = os.environ if environ is None else environ
    home = env.get("MARGIN_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Locations(config_dir=root / "config", data_dir=root / "data")
    import platformdirs

    return Locations(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
    )
