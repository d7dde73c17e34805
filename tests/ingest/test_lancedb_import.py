"""`import_lancedb`: the REST client's API modules wait until something asks for them,
lancedb's override markers cost what they cost on Python 3.12, and the pydantic models its
import defines build their validators when first used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ingest.lancedb_import import deferred_model_builds

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from ingest.lancedb_import import REST_CLIENT, defer_package_init, import_lancedb
import pyarrow as pa

lancedb = import_lancedb()
db = lancedb.connect(sys.argv[1])
table = db.create_table("t", pa.table({"vector": [[1.0, 0.0], [0.0, 1.0]], "n": [1, 2]}))
found = table.search([0.9, 0.1]).limit(1).to_list()[0]["n"]
deferred = f"{REST_CLIENT}.api" not in sys.modules
backport_loaded = "overrides" in sys.modules
marked = getattr(lancedb.db.LanceDBConnection.table_names, "__override__", False)
import pydantic
from lance_namespace import ListTablesResponse
deferred_model = not ListTablesResponse.__pydantic_complete__
listed = ListTablesResponse(tables=["a", "b"]).tables
try:
    ListTablesResponse(tables=5)
    rejected = False
except pydantic.ValidationError:
    rejected = True
class Later(pydantic.BaseModel):
    n: int
import overrides  # the real package, for anyone else
client = sys.modules[REST_CLIENT]
api_client = client.ApiClient.__name__  # asking for a name runs the package's own __init__
print(json.dumps({
    "found": found,
    "deferred_while_searching": deferred,
    "api_client": api_client,
    "loaded_after_asking": f"{REST_CLIENT}.api" in sys.modules,
    "second_defer": defer_package_init(REST_CLIENT),
    "backport_loaded_with_lancedb": backport_loaded,
    "methods_marked": marked,
    "real_overrides_after": hasattr(overrides, "__VERSION__"),
    "namespace_model_deferred": deferred_model,
    "deferred_model_validates": [listed, rejected],
    "config_restored": "defer_build" not in pydantic.BaseModel.model_config,
    "later_model_built_at_once": Later.__pydantic_complete__,
}))
"""


def test_local_lancedb_works_and_the_rest_client_loads_when_asked(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report == {
        "found": 1,
        "deferred_while_searching": True,
        "api_client": "ApiClient",
        "loaded_after_asking": True,
        "second_defer": False,
        "backport_loaded_with_lancedb": False,
        "methods_marked": True,
        "real_overrides_after": True,
        "namespace_model_deferred": True,
        "deferred_model_validates": [["a", "b"], True],
        "config_restored": True,
        "later_model_built_at_once": True,
    }


def test_deferred_builds_restore_the_config_when_the_import_fails() -> None:
    from pydantic import BaseModel

    before = BaseModel.model_config
    with pytest.raises(ImportError), deferred_model_builds():
        assert BaseModel.model_config.get("defer_build") is True
        raise ImportError("lancedb is broken")
    assert BaseModel.model_config is before


@pytest.mark.parametrize("layout", ["no pydantic", "no config dict", "already deferred"])
def test_deferred_builds_do_nothing_where_pydantic_differs(
    layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another pydantic (or none) is left as it is: the import runs as lancedb wrote it."""
    stand_in = ModuleType("pydantic")
    config: object = None
    if layout == "no pydantic":
        monkeypatch.setitem(sys.modules, "pydantic", None)  # import pydantic raises
    else:
        config = object() if layout == "no config dict" else {"defer_build": False}
        stand_in.BaseModel = type("BaseModel", (), {"model_config": config})  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "pydantic", stand_in)
    with deferred_model_builds():
        if layout != "no pydantic":
            assert stand_in.BaseModel.model_config is config  # type: ignore[attr-defined]
    if layout != "no pydantic":
        assert stand_in.BaseModel.model_config is config  # type: ignore[attr-defined]
