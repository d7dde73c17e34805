"""Files inside files (a gzip member, an e-mail attachment), read by name through the
loader registry, which the container loaders receive as a function."""

from __future__ import annotations

from collections.abc import Callable

from ingest.types import LoadedDocument

# Reads `data` as a file named `name`; None when margin does not read that kind of file.
ReadNamed = Callable[[str, bytes], LoadedDocument | None]
