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
