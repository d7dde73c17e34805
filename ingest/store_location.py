"""Where the index lives: a folder on this machine, or a prefix in object storage.

`[store] uri` names it: empty for the data folder, a local path, or `s3://BUCKET/PREFIX`,
`gs://BUCKET/PREFIX`, `az://CONTAINER/PREFIX`. `[store.options]` are LanceDB storage options
(endpoint, region, allow_http, timeouts...), passed as they are to LanceDB and to the small
object client margin uses beside it (obstore: the same Rust object_store, the same keys) for
the writer lease, the re-index plan and the reachability probe. Credentials never come from
config.toml: the caller resolves them from the environment or the keyring and adds them to
`options` here, which no repr, message or log shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ingest.errors import StoreError

SCHEMES = {"s3": "S3", "gs": "Google Cloud Storage", "az": "Azure Blob Storage"}
# Options of the HTTP client rather than of one store (obstore takes them apart).
CLIENT_OPTIONS = frozenset(
    {
        "allow_http",
        "allow_invalid_certificates",
        "connect_timeout",
        "timeout",
        "read_timeout",
        "proxy_url",
        "proxy_ca_certificate",
        "proxy_excludes",
        "user_agent",
        "pool_idle_timeout",
        "pool_max_idle_per_host",
        "randomize_addresses",
    }
)
# What a remote store gets unless [store.options] says otherwise: a dead endpoint fails in
# seconds, not after the HTTP client's defaults.
DEFAULT_OPTIONS = {"connect_timeout": "3s", "timeout": "30s"}
PROBE_RETRIES = 1
PROBE_RETRY_TIMEOUT = timedelta(seconds=4)
_SECRET = re.compile(
    r"secret|token|password|passwd|sas_key|access_key|account_key|customer_key|_key$|bearer"
)
_TRUE = frozenset({"true", "1", "yes"})


class StoreUnreachableError(StoreError):
    """The object store did not answer, or refused margin's credentials."""


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """The index's place. `options` may hold credentials: it is kept out of repr."""

    uri: str
    options: Mapping[str, str] = field(default_factory=dict, repr=False)
    credentials: str = "none needed (a folder on this machine)"

    @classmethod
    def folder(cls, path: Path) -> StoreLocation:
        return cls(str(path))

    @property
    def scheme(self) -> str:
        return scheme_of(self.uri)

    @property
    def is_remote(self) -> bool:
        return bool(self.scheme)

    @property
    def path(self) -> Path:
        """The folder of a local store."""
        if self.is_remote:
            raise ValueError(f"{self.uri} is not a folder")
        return Path(self.uri)

    def lancedb_options(self) -> dict[str, str]:
        if not self.is_remote:
            return {}
        return {**DEFAULT_OPTIONS, **self.options}

    def object_store(self, *, probe: bool = False) -> Any:
        """An obstore client for the store's prefix (remote stores only); `probe` makes it give
        up after one retry, so a dead endpoint is reported in seconds."""
        from obstore.store import from_url

        options = self.lancedb_options()
        client: Any = {k: _client_value(k, v) for k, v in options.items() if k in CLIENT_OPTIONS}
        config: Any = {k: v for k, v in options.items() if k not in CLIENT_OPTIONS}
        retry: Any = {}
        if probe:
            retry = {"max_retries": PROBE_RETRIES, "retry_timeout": PROBE_RETRY_TIMEOUT}
        try:
            return from_url(
                self.uri, config=config, client_options=client, retry_config=retry or None
            )
        except Exception as exc:  # obstore raises its own errors and ValueError alike
            raise StoreError(
                f"The index at {self.uri} cannot be used: {short_reason(exc)}"
            ) from None


def scheme_of(uri: str) -> str:
    """'s3', 'gs' or 'az' for object storage; '' for a local path."""
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", uri)
    return found.group(1).lower() if found else ""


def setting_problem(uri: str, options: Mapping[str, Any]) -> tuple[str | None, str] | None:
    """What is wrong with `[store]` (the option key at fault, or None for `uri`; the
    message), or None when it can be used."""
    scheme = scheme_of(uri)
    if scheme and scheme not in SCHEMES:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        return None, f"store.uri = {uri!r} has an unknown scheme {scheme}://; use {known} or a path"
    if uri and not scheme and not uri.startswith(("/", "~")):
        return None, f"store.uri = {uri!r} should be an absolute path (or start with ~)"
    if scheme and not re.fullmatch(rf"{scheme}://[^/\s]+(/\S*)?", uri, re.IGNORECASE):
        return None, f"store.uri = {uri!r} should be {scheme}://BUCKET/PREFIX"
    for key, value in options.items():
        if is_secret_option(key):
            return key, (
                f"store.options.{key} is a credential: config.toml must not hold it in clear. "
                "Remove it and export it in the environment, or save it with "
                f"`margin keys set store.{key.lower()}`"
            )
        if not isinstance(value, str | bool | int | float):
            return key, f"store.options.{key} should be a string, a number or true/false"
    if options and not scheme:
        return next(iter(options)), "[store.options] apply to s3://, gs:// and az:// stores only"
    return None


def is_secret_option(key: str) -> bool:
    return bool(_SECRET.search(key.lower()))


def short_reason(exc: BaseException) -> str:
    """The first line of an object-store error, without the debug dump that follows it."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def probe(location: StoreLocation) -> Any:
    """Check the store answers (one small list request); returns the obstore client.
    StoreUnreachableError, in seconds, when it does not."""
    import obstore

    store = location.object_store(probe=True)
    try:
        next(iter(obstore.list(store, chunk_size=1)), None)
    except Exception as exc:
        raise StoreUnreachableError(
            f"The index at {location.uri} cannot be reached: {short_reason(exc)}. "
            "Check [store] uri and [store.options] endpoint in config.toml, the network, and "
            f"the credentials (from {location.credentials})."
        ) from None
    return store


def check_writable(location: StoreLocation) -> None:
    """Write a small object under the store's prefix and delete it; StoreUnreachableError
    when either is refused (read-only credentials, a bucket policy)."""
    import socket
    import uuid

    import obstore

    store = probe(location)
    name = f"_margin/doctor/{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    try:
        obstore.put(store, name, b"margin doctor")
        obstore.delete(store, name)
    except Exception as exc:
        raise StoreUnreachableError(
            f"The index at {location.uri} answers but cannot be written: {short_reason(exc)}. "
            f"Check that the credentials (from {location.credentials}) may write there."
        ) from None


def _client_value(key: str, value: str) -> Any:
    if key in {"allow_http", "allow_invalid_certificates", "randomize_addresses"}:
        return str(value).lower() in _TRUE
    return value
