"""`import_lancedb`: the REST client's API modules wait until something asks for them, and
lancedb's override markers cost what they cost on Python 3.12."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    }
