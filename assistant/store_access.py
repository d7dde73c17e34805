"""The index's place for this machine: `[store]` in config.toml, with the credentials of an
object store taken from the environment or the keyring (never from config.toml), and the name
of where they came from for `margin doctor` (never the values)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assistant.config import Config
from assistant.locations import Locations
from ingest.store_location import SCHEMES, StoreLocation, scheme_of
from models.errors import KeyStoreError
from models.keys import KeyStore

# Per scheme: (LanceDB/object_store option, environment variable). The keyring holds the same
# options under `store.<option>` (`margin keys set store.aws_secret_access_key`).
CREDENTIALS: dict[str, tuple[tuple[str, str], ...]] = {
    "s3": (
        ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
        ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
        ("aws_session_token", "AWS_SESSION_TOKEN"),
    ),
    "gs": (
        ("google_application_credentials", "GOOGLE_APPLICATION_CREDENTIALS"),
        ("google_service_account_key", "GOOGLE_SERVICE_ACCOUNT_KEY"),
    ),
    "az": (
        ("azure_storage_account_key", "AZURE_STORAGE_ACCOUNT_KEY"),
        ("azure_storage_sas_key", "AZURE_STORAGE_SAS_KEY"),
    ),
}
KEYRING_PREFIX = "store."


def store_location(
    config: Config,
    locations: Locations,
    *,
    keys: KeyStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> StoreLocation:
    """Where this machine's margin keeps its index, ready to open."""
    uri = config.store.uri
    if not uri:
        return StoreLocation.folder(locations.store_dir)
    scheme = scheme_of(uri)
    if not scheme:
        return StoreLocation.folder(Path(uri).expanduser())
    import os

    env = os.environ if environ is None else environ
    found, source = _credentials(scheme, env, keys or KeyStore(locations.key_names_file))
    return StoreLocation(uri, {**config.store.options, **found}, credentials=source)


def _credentials(scheme: str, env: Mapping[str, str], keys: KeyStore) -> tuple[dict[str, str], str]:
    wanted = CREDENTIALS[scheme]
    from_env = {option: env[variable] for option, variable in wanted if env.get(variable)}
    if from_env:
        names = ", ".join(variable for option, variable in wanted if option in from_env)
        return from_env, f"the environment ({names})"
    from_keyring: dict[str, str] = {}
    for option, _variable in wanted:
        try:
            value = keys.get(KEYRING_PREFIX + option)
        except KeyStoreError:
            break  # no usable keyring: fall through to the platform's own chain
        if value:
            from_keyring[option] = value
    if from_keyring:
        names = ", ".join(KEYRING_PREFIX + option for option in from_keyring)
        return from_keyring, f"the keyring ({names})"
    return (
        {},
        f"the default {SCHEMES[scheme]} credential chain (none in the environment or keyring)",
    )
