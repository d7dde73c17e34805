"""`import lancedb` without first loading the REST client it never uses for a local folder.

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
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

REST_CLIENT = "lance_namespace_urllib3_client"


def import_lancedb() -> ModuleType:
    """The `lancedb` module, imported with the REST client's API modules deferred."""
    if "lancedb" not in sys.modules:
        defer_package_init(REST_CLIENT)
    import lancedb

    return lancedb


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
