"""The index on object storage, shared between machines, against a real S3-compatible server
on loopback (moto's server mode): two MARGIN_HOMEs with the same [store] stand for two
machines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.ask.types import AskOptions
from assistant.config import load_config, parse_config
from assistant.core import build_assistant
from assistant.errors import ConfigError
from assistant.locations import Locations
from ingest.errors import StoreError
from models.fake import ScriptedModel
from tests.fixtures.ingest import write_files
from tests.fixtures.object_store import SECRET_KEY, S3Server

pytestmark = pytest.mark.usefixtures("s3_credentials")


def machine(root: Path, config_text: str) -> Locations:
    locations = Locations(config_dir=root / "config", data_dir=root / "data").ensure()
    locations.config_file.write_text(config_text, encoding="utf-8")
    return locations


def index_files(folder: Path) -> list[Path]:
    """Anything of a LanceDB index, or margin's files beside it, under `folder`."""
    markers = (".lance", ".manifest", ".txn", "reindex-plan.json", "writer-lease.json")
    return [p for p in folder.rglob("*") if p.name.endswith(markers) or p.name == "lancedb"]


def test_ingested_on_one_machine_searched_and_asked_on_another(
    s3_server: S3Server, tmp_path: Path, embedder: object
) -> None:
    bucket = s3_server.new_bucket()
    config_text = s3_server.config(bucket)
    notes = write_files(
        tmp_path / "notes",
        {
            "otters.md": "# Otters\n\nSea otters hold hands while they sleep so they do not drift.",
            "kiln.txt": "The kiln fires stoneware at 1240 degrees Celsius.",
        },
    )
    private = write_files(tmp_path / "private", {"salary.md": "# Salary\n\nMy salary is 91,000."})
    desktop = machine(tmp_path / "desktop", config_text)
    writer = build_assistant(locations=desktop, embedder=embedder)  # type: ignore[arg-type]
    report = writer.ingest([notes])
    assert sorted(Path(p).name for p in report.added) == ["kiln.txt", "otters.md"]
    assert writer.ingest([private], collection="private", local_only=True).added
    writer.close()

    keys = s3_server.keys(bucket)
    assert any(k.startswith("index/chunks.lance/") for k in keys), keys
    assert any(k.startswith("index/documents.lance/") for k in keys), keys
    assert index_files(desktop.data_dir) == []

    served = '[models.remote]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'
    laptop = machine(tmp_path / "laptop", config_text + served)
    remote = ScriptedModel(["It says [1]."], profile="remote", is_remote=True)
    local = ScriptedModel(["Otters hold hands [1]."], profile="local")
    reader = build_assistant(
        locations=laptop,
        embedder=embedder,  # type: ignore[arg-type]
        models={"local": local, "remote": remote},
    )
    found = reader.search("what do otters do while sleeping", k=2)
    assert Path(found[0].path).name == "otters.md" and found[0].heading == "Otters"
    answer = reader.ask("What do sea otters do while they sleep?").complete()
    assert not answer.refused and Path(answer.sources[0].path).name == "otters.md"
    assert local.calls and "hold hands" in local.calls[0][-1].content + local.calls[0][0].content

    # local-only travels with the index: the laptop never sends that document to a remote model
    documents = {Path(d.path).name: d for d in reader.sources()}
    assert documents["salary.md"].local_only and not documents["otters.md"].local_only
    reader.ask("What is my salary?", AskOptions(model="remote")).complete()
    sent = " ".join(m.content for call in remote.calls for m in call)
    assert remote.calls and "91,000" not in sent and "salary is" not in sent
    reader.close()
    assert index_files(laptop.data_dir) == []


def test_unreachable_store_fails_in_seconds_with_a_clear_message(
    tmp_path: Path, embedder: object
) -> None:
    dead = S3Server("http://127.0.0.1:9")  # the discard port: nothing listens on loopback
    laptop = machine(tmp_path / "laptop", dead.config("margin-gone"))
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        build_assistant(locations=laptop, embedder=embedder)  # type: ignore[arg-type]
    took = time.monotonic() - started
    message = str(caught.value)
    assert "s3://margin-gone/index cannot be reached" in message
    assert "endpoint" in message and "AWS_ACCESS_KEY_ID" in message
    assert SECRET_KEY not in message and "Debug" not in message
    assert took < 60  # a hang would be stopped by pytest-timeout; this only reports it
    assert index_files(laptop.data_dir) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[store]\nuri = "ftp://host/x"\n', "unknown scheme ftp://"),
        ('[store]\nuri = "s3://"\n', "should be s3://BUCKET/PREFIX"),
        (
            '[store]\nuri = "s3://b/p"\n[store.options]\nregion = "x"\n'
            'aws_secret_access_key = "hunter2"\n',
            "line 5: store.options.aws_secret_access_key is a credential",
        ),
        (
            '[store]\nuri = "s3://b/p"\n[store.options]\nsession_token = "t"\n',
            "store.options.session_token is a credential",
        ),
        ('[store]\nuri = "/tmp/x"\n[store.options]\nregion = "x"\n', "s3://, gs:// and az://"),
        ('[store]\nbucket = "x"\n', "unknown key 'bucket' in [store]"),
    ],
)
def test_bad_store_settings_are_refused_by_name(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, tmp_path / "config.toml")
    assert expected in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_store_options_reach_lancedb_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[store]\nuri = "s3://b/p"\n[store.options]\nallow_http = true\nendpoint = "http://h:1"\n'
    )
    config = load_config(path)
    assert config.store.options == {"allow_http": "true", "endpoint": "http://h:1"}
