"""Errors raised by chat models and key storage, written for the person reading them."""


class ModelError(Exception):
    """Base class for every model failure; the message says what happened and what to do."""


class ModelLoadError(ModelError):
    """A local model file is missing, unreadable or not a usable GGUF."""


class RemoteModelError(ModelError):
    """A remote endpoint failed: unreachable, timed out, refused or answered nonsense."""


class ContextOverflowError(ModelError):
    """The prompt does not fit the model's context window."""


class KeyStoreError(ModelError):
    """The system keyring is missing or refused an operation."""


class MissingKeyError(KeyStoreError):
    """No API key for a profile in the keyring nor in its environment variable."""


class ModelFileError(ModelLoadError):
    """A file is not a usable GGUF model: not GGUF at all, truncated, or unreadable."""


class RegistryError(ModelError):
    """The list of registered local models cannot be read, or refuses a change; or a pulled
    reranker cannot be removed."""


class DownloadError(ModelError):
    """A model download failed; nothing was registered. `keep_partial` says whether the bytes
    fetched so far were kept for the next run to resume from."""

    keep_partial = False


class DownloadNotFoundError(DownloadError):
    """The server has no file at that address (HTTP 404 or 410)."""


class DownloadRefusedError(DownloadError):
    """The server refused the download (HTTP 401 or 403): the file is private or gated."""


class ChecksumMismatchError(DownloadError):
    """The downloaded bytes do not have the expected SHA-256."""


class DiskFullError(DownloadError):
    """Not enough free disk space for the download."""

    keep_partial = True


class NetworkError(DownloadError):
    """The server could not be reached, or kept failing; the partial file is kept."""

    keep_partial = True


class DownloadInterrupted(DownloadError):
    """The person stopped the download (Ctrl+C); the partial file is kept."""

    keep_partial = True
