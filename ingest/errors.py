"""Errors raised by the ingest package, written for the person reading them."""


class IngestError(Exception):
    """Base class: anything that stops ingest as a whole (not a single bad file)."""


class StoreError(IngestError):
    """The vector store cannot be opened, read or written."""


class ModelMismatchError(StoreError):
    """The store was built with a different embedding model than the one loaded now."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock."""


class EmbedderError(IngestError):
    """The embedding model cannot be loaded or run."""


class LoadError(Exception):
    """One file cannot be read; carried as data in the ingest report, never fatal."""


class NotADocumentError(LoadError):
    """The file is binary, empty or not text: skipped by rule rather than failed."""
