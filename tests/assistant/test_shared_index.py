"""The index on object storage, shared between machines, against a real S3-compatible server
on loopback (moto's server mode): two MARGIN_HOMEs with the same [store] stand for two
machines."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.ask.types import AskOptions
from assistant.cli import cli
from assistant.cli.doctor import check_store
from assistant.config import load_config, parse_config
from assistant.core import build_assistant
from assistant.errors import ConfigError
from assistant.locations import Locations, resolve_locations
from ingest.errors import StoreError
from ingest.store_location import check_writable
from models.fake import ScriptedModel
from tests.fixtures.ingest import write_files
from tests.fixtures.object_store import ACCESS_KEY, SECRET_KEY, S3Server

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
        ('[store]\nuri = "index"\n', "should be an absolute path"),
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


@pytest.fixture
def cli_machine(
    margin_home: Path, monkeypatch: pytest.MonkeyPatch, embedder: object
) -> Callable[[str], None]:
    """This test's MARGIN_HOME with the given config.toml; commands reuse the session's model."""
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)

    def configure(text: str) -> None:
        (margin_home / "config").mkdir(parents=True, exist_ok=True)
        (margin_home / "config" / "config.toml").write_text(text, encoding="utf-8")

    return configure


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_cli_ingest_search_and_doctor_on_a_shared_store(
    s3_server: S3Server, cli_machine: Callable[[str], None], tmp_path: Path, margin_home: Path
) -> None:
    bucket = s3_server.new_bucket()
    cli_machine(s3_server.config(bucket))
    notes = write_files(tmp_path / "notes", {"kiln.txt": "The kiln fires stoneware at 1240 C."})
    ingested = run("ingest", str(notes), "--json")
    assert ingested.exit_code == 0, ingested.stderr
    found = json.loads(run("search", "how hot is the kiln", "--json").stdout)["results"]
    assert Path(found[0]["path"]).name == "kiln.txt"

    locations = resolve_locations()
    checks = {c.name: c for c in check_store(locations, load_config(locations.config_file))}
    assert checks["store"].ok, checks["store"]
    assert f"s3://{bucket}/index: reachable and writable" in checks["store"].detail
    assert "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)" in checks["store"].detail
    assert checks["index"].detail == "1 documents, 1 chunks"
    assert SECRET_KEY not in repr(checks)
    assert not any(k.startswith("index/_margin/doctor/") for k in s3_server.keys(bucket))
    assert index_files(margin_home) == []


def test_cli_with_an_unreachable_store_says_so_without_a_traceback(
    cli_machine: Callable[[str], None],
) -> None:
    cli_machine(S3Server("http://127.0.0.1:9").config("margin-gone"))
    searched = run("search", "anything")
    assert searched.exit_code == 1
    assert "s3://margin-gone/index cannot be reached" in searched.stderr
    assert "Traceback" not in searched.stderr + searched.stdout
    locations = resolve_locations()
    [store] = check_store(locations, load_config(locations.config_file))
    assert store.name == "store" and not store.ok and "cannot be reached" in store.detail


def test_credentials_from_the_keyring_are_used_and_named_never_shown(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not os.environ.get("MARGIN_TEST_KEYRING"):
        pytest.skip("needs the throwaway Secret Service of /work/bin/wt-test or `make test`")
    from assistant.store_access import store_location
    from models.keys import KeyStore

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    laptop = machine(tmp_path / "laptop", s3_server.config(s3_server.new_bucket()))
    keys = KeyStore(laptop.key_names_file)
    keys.set("store.aws_access_key_id", ACCESS_KEY)
    keys.set("store.aws_secret_access_key", SECRET_KEY)
    try:
        where = store_location(load_config(laptop.config_file), laptop, keys=keys)
        assert where.credentials == (
            "the keyring (store.aws_access_key_id, store.aws_secret_access_key)"
        )
        assert where.options["aws_secret_access_key"] == SECRET_KEY
        assert SECRET_KEY not in repr(where)
        check_writable(where)
    finally:
        keys.remove("store.aws_access_key_id")
        keys.remove("store.aws_secret_access_key")
    fallback = store_location(load_config(laptop.config_file), laptop, keys=keys)
    assert fallback.credentials.startswith("the default S3 credential chain")


def test_a_folder_uri_puts_the_index_there_and_the_default_is_the_data_folder(
    tmp_path: Path, embedder: object
) -> None:
    from assistant.core import open_index
    from assistant.store_access import store_location

    shared = tmp_path / "nas" / "margin-index"
    home = machine(tmp_path / "desktop", f'[store]\nuri = "{shared}"\n')
    index = open_index(home, embedder=embedder)  # type: ignore[arg-type]
    assert index.store.location.path == shared and (shared / "chunks.lance").is_dir()
    assert index_files(home.data_dir) == []
    default = machine(tmp_path / "laptop", "")
    assert store_location(load_config(default.config_file), default).path == default.store_dir
