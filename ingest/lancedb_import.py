"""`import lancedb` without the costs it carries for remote servers and for Python < 3.12.

`import lancedb` imports `lance_namespace`, which imports the models of
`lance_namespace_urllib3_client`, the generated OpenAPI client for a *remote* Lance
namespace. That package's `__init__` also imports its nine API modules (pydantic validators
on every REST method): about 0.3-0.4 s of the 0.8 s `import lancedb` takes on a 2-core
machine, a third of a cold `margin search`. Neither lancedb nor lance_namespace uses them for
a local folder; they import only from `lance_namespace_urllib3_client.models`.

So margin registers that package with its `__init__` not yet run (importlib's own
`module_from_spec`; its submodules import as usual through the package path) and runs the
`__init__` the first time anything asks the package for a name it defines (a PEP 562 module
`__getattr__`); from then on it is the ordinary package. If lancedb was imported already, or
the package cannot be found, this does nothing.

On Python 3.12 and later lancedb marks overriding methods with `typing.override`, a marker
that costs nothing. On 3.11 it imports the `overrides` backport instead, whose decorator
disassembles the calling frame to re-check each of its 105 uses while lancedb is imported
(0.1-0.2 s, a development-time check). For the length of lancedb's own import margin gives
it the 3.12 behaviour; the real `overrides` package stays importable for anyone else.

The same REST models (196 pydantic classes) and lancedb's own build a validator each when
their class is defined; margin's local folder validates with none of them. For the length of
the import pydantic's `defer_build` is on, so each builds on its first use instead (0.1-0.2 s
of the import on a 2-core machine); the setting is put back afterwards.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

REST_CLIENT = "lance_namespace_urllib3_client"


def import_lancedb() -> ModuleType:
    """The `lancedb` module, imported with the REST client's API modules and the validators
    of the pydantic models it defines deferred."""
    if "lancedb" not in sys.modules:
        defer_package_init(REST_CLIENT)
        with override_markers(), deferred_model_builds():
            import lancedb
    import lancedb

    return lancedb


@contextmanager
def override_markers() -> Iterator[None]:
    """Inside the block `import overrides` gives what lancedb uses on Python 3.12+: a plain
    `override` marker and an empty `EnforceOverrides` base (no-op where it is already
    imported, or on 3.12+)."""
    if sys.version_info >= (3, 12) or "overrides" in sys.modules:
        yield
        return
    markers = ModuleType("overrides")
    markers.override = _override  # type: ignore[attr-defined]
    markers.EnforceOverrides = type("EnforceOverrides", (), {})  # type: ignore[attr-defined]
    sys.modules["overrides"] = markers
    try:
        yield
    finally:
        if sys.modules.get("overrides") is markers:
            del sys.modules["overrides"]


@contextmanager
def deferred_model_builds() -> Iterator[None]:
    """Inside the block pydantic models are created with `defer_build`: each builds its
    validator the first time it is used rather than when its class is defined. Models
    defined elsewhere, before or after, are untouched; where pydantic's `BaseModel` has no
    `model_config` dict (another major version) nothing changes."""
    try:
        from pydantic import BaseModel
    except ImportError:
        yield
        return
    config = BaseModel.__dict__.get("model_config")
    if not isinstance(config, dict) or "defer_build" in config:
        yield
        return
    BaseModel.model_config = {**config, "defer_build": True}
    try:
        yield
    finally:
        BaseModel.model_config = config  # type: ignore[assignment]


def _override(method: F) -> F:
    """`typing.override` of Python 3.12: marks the method, checks nothing."""
    with contextlib.suppress(AttributeError, TypeError):
        method.__override__ = True  # type: ignore[attr-defined]
    return method


def defer_package_init(name: str) -> bool:
    """Register package `name` with its `__init__` run on first attribute access; False when
    it is already imported or cannot be found (then nothing changes)."""
    if name in sys.modules:
        return False
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return False
    module = importlib.util.module_from_spec(spec)
    lock = threading.Lock()

    def finish_import(attribute: str) -> Any:
        with lock:
            if module.__dict__.pop("__getattr__", None) is not None:
                assert spec.loader is not None
                spec.loader.exec_module(module)
        return getattr(module, attribute)

    module.__getattr__ = finish_import  # type: ignore[method-assign]
    sys.modules[name] = module
    return True
