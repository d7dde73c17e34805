"""`margin models …` through the CLI, against a loopback server serving the bundled GGUF."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from assistant.config import load_config
from assistant.locations import resolve_locations
from tests.fixtures.downloads import FileServer, Route

Serve = Callable[[dict[str, Route]], FileServer]
ROOT = Path(__file__).resolve().parents[3]
LIST_FIELDS = {
    "name", "path", "size", "architecture", "parameters", "context_length", "quantization",
    "default",
}  # fmt: skip


def margin(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def listed() -> dict[str, dict]:
    result = margin("models", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)["models"]}


def models_folder() -> list[str]:
    folder = resolve_locations().models_dir
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def hub(file_server: Serve, bundled_gguf: Path) -> FileServer:
    """Hugging Face's shape: resolve/ redirects to a CDN, with the SHA-256 on the redirect."""
    sha = hashlib.sha256(bundled_gguf.read_bytes()).hexdigest()
    return file_server(
        {
            "/o/r/resolve/main/smol.gguf": Route(
                bundled_gguf, redirect="/cdn/smol.gguf", redirect_headers={"X-Linked-Etag": sha}
            ),
            "/cdn/smol.gguf": Route(bundled_gguf),
            "/bad-sum.gguf": Route(bundled_gguf, headers={"X-Linked-Etag": "1" * 64}),
            "/notes.gguf": Route(b"# My notes\n\nNot a model at all.\n" * 100),
            "/gated.gguf": Route(bundled_gguf, statuses=[403]),
            "/slow.gguf": Route(bundled_gguf, rate=4_000_000),
        }
    )


def test_pull_registers_the_model_and_list_describes_it(
    hub: FileServer, bundled_gguf: Path
) -> None:
    result = margin("models", "pull", hub.url("/o/r/resolve/main/smol.gguf"), "--name", "smol")
    assert result.exit_code == 0, result.stderr
    assert "Registered smol: llama, 135M parameters, Q4_1" in result.stderr
    assert result.stdout == ""
    rows = listed()
    assert set(rows) == {"local", "smol"}
    smol = rows["smol"]
    assert set(smol) >= LIST_FIELDS
    locations = resolve_locations()
    assert smol["path"] == str(locations.models_dir / "smol.gguf")
    assert (smol["size"], smol["architecture"], smol["quantization"]) == (
        bundled_gguf.stat().st_size, "llama", "Q4_1",
    )  # fmt: skip
    assert smol["parameters"] == 134_515_008 and smol["context_length"] == 8192
    assert smol["sha256"] == hashlib.sha256(bundled_gguf.read_bytes()).hexdigest()
    assert rows["local"]["default"] and not smol["default"]
    for private in (locations.models_dir / "smol.gguf", locations.model_registry):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(locations.data_dir.stat().st_mode) == 0o700
    assert models_folder() == ["smol.gguf"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.gguf", "was not found (HTTP 404)"),
        ("/notes.gguf", "is not a GGUF model file (it starts with the text '# My notes"),
        ("/bad-sum.gguf", "X-Linked-ETag header says 1111"),
        (
            "/gated.gguf",
            "(HTTP 403). The file may be private or gated (accept its licence on "
            "the website). Download it in a browser, then register it with `margin models add",
        ),
    ],
)
def test_a_failed_pull_exits_1_and_registers_nothing(
    hub: FileServer, path: str, message: str
) -> None:
    result = margin("models", "pull", hub.url(path), "--name", "broken")
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert set(listed()) == {"local"}
    assert models_folder() == []


def test_a_wrong_sha256_option_registers_nothing(hub: FileServer) -> None:
    result = margin(
        "models", "pull", hub.url("/cdn/smol.gguf"), "--name", "x", "--sha256", "ab" * 32
    )
    assert result.exit_code == 1 and "the --sha256 given says abab" in result.stderr
    assert set(listed()) == {"local"} and models_folder() == []


def test_names_that_would_clash_or_mislead_are_refused(hub: FileServer, margin_home: Path) -> None:
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[models.work]\nkind = "openai"\nbase_url = "http://x/v1"\nmodel = "m"\n')
    url = hub.url("/o/r/resolve/main/smol.gguf")
    for name, reason in [
        ("local", "built-in bundled model"),
        ("work", "config.toml already defines"),
        ("../evil", "cannot name a model"),
    ]:
        result = margin("models", "pull", url, "--name", name)
        assert result.exit_code == 1 and reason in result.stderr, result.stderr
    assert margin("models", "pull", url, "--name", "smol").exit_code == 0
    again = margin("models", "pull", url, "--name", "smol")
    assert again.exit_code == 1 and "already registered" in again.stderr
    assert margin("models", "pull", "ftp://example.org/m.gguf", "--name", "f").exit_code == 1


def test_use_switches_what_ask_uses_without_editing_config(hub: FileServer) -> None:
    assert margin("models", "pull", hub.url("/cdn/smol.gguf"), "--name", "smol").exit_code == 0
    result = margin("models", "use", "smol")
    assert result.exit_code == 0 and "margin now answers with smol" in result.stderr
    as_json = margin("models", "use", "smol", "--json")
    assert json.loads(as_json.stdout) == {"default": "smol", "default_from": "margin models use"}
    config = load_config(resolve_locations().config_file)
    assert config.defaults.model == "smol" and config.default_source == "margin models use"
    assert not resolve_locations().config_file.exists()
    assert listed()["smol"]["default"]

    removed = margin("models", "remove", "smol")
    assert removed.exit_code == 0 and "The default is the built-in model again" in removed.stderr
    assert load_config(resolve_locations().config_file).defaults.model == "local"
    assert models_folder() == []


def test_an_explicit_default_in_config_toml_wins_and_use_says_so(
    hub: FileServer, margin_home: Path
) -> None:
    assert margin("models", "pull", hub.url("/cdn/smol.gguf"), "--name", "smol").exit_code == 0
    config = margin_home / "config" / "config.toml"
    config.write_text('[defaults]\nmodel = "local"\n')
    result = margin("models", "use", "smol")
    assert result.exit_code == 1
    assert "config.toml sets [defaults] model = 'local', which wins" in result.stderr
    assert "nothing was changed" in result.stderr
    loaded = load_config(config)
    assert loaded.defaults.model == "local" and loaded.default_source == "config.toml"


def test_config_toml_can_tune_a_registered_model(hub: FileServer, margin_home: Path) -> None:
    assert margin("models", "pull", hub.url("/cdn/smol.gguf"), "--name", "smol").exit_code == 0
    config = margin_home / "config" / "config.toml"
    config.write_text("[models.smol]\ncontext = 2048\nthreads = 1\n")
    profile = load_config(config).profile("smol")
    assert profile.path == str(resolve_locations().models_dir / "smol.gguf")
    assert (profile.context, profile.threads) == (2048, 1)
    info = margin("models", "info", "smol", "--json")
    assert info.exit_code == 0, info.stderr
    details = json.loads(info.stdout)
    assert details["runtime"]["context"] == 2048 and details["runtime"]["threads"] == 1
    assert details["runtime"]["gpu_layers"] == 0 and details["template_fixes"] == []
    assert details["chat_template"].startswith("{% for message in messages %}")


def test_add_registers_a_file_in_place_and_remove_leaves_it(
    tmp_path: Path, bundled_gguf: Path
) -> None:
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(bundled_gguf.read_bytes())
    result = margin("models", "add", str(mine), "--name", "mine")
    assert result.exit_code == 0, result.stderr
    assert listed()["mine"]["path"] == str(mine.resolve())
    removed = margin("models", "remove", "mine")
    assert removed.exit_code == 0 and "was left in place" in removed.stderr
    assert mine.exists() and set(listed()) == {"local"}


def test_add_refuses_a_file_that_is_not_a_usable_gguf(tmp_path: Path, bundled_gguf: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(bundled_gguf.read_bytes()[:50_000_000])
    for path, reason in [(text, "is not a GGUF model file"), (cut, "is truncated")]:
        result = margin("models", "add", str(path), "--name", "x")
        assert result.exit_code == 1 and reason in result.stderr, result.stderr
    assert set(listed()) == {"local"}


def test_the_built_in_model_and_config_profiles_cannot_be_removed(margin_home: Path) -> None:
    local = margin("models", "remove", "local")
    assert local.exit_code == 1 and "cannot be removed" in local.stderr
    config = margin_home / "config" / "config.toml"
    config.write_text('[models.gpu]\npath = "/models/x.gguf"\n')
    gpu = margin("models", "remove", "gpu")
    assert gpu.exit_code == 1 and "remove its [models.gpu] table there" in gpu.stderr
    unknown = margin("models", "remove", "nothing")
    assert (
        unknown.exit_code == 1
        and "No registered model or pulled reranker named 'nothing'" in unknown.stderr
    )


def test_doctor_checks_every_registered_model_file(hub: FileServer, margin_home: Path) -> None:
    assert margin("models", "pull", hub.url("/cdn/smol.gguf"), "--name", "smol").exit_code == 0
    doctor = margin("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["model file smol"]["ok"]
    assert "GGUF header valid" in checks["model file smol"]["detail"]

    path = resolve_locations().models_dir / "smol.gguf"
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    doctor = margin("doctor", "--json")
    assert doctor.exit_code == 1
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert not checks["model file smol"]["ok"]
    assert "is truncated" in checks["model file smol"]["detail"]
    assert "margin models remove smol" in checks["model file smol"]["fix"]


# -- the real process: Ctrl+C, a full disk ------------------------------------------------


def run_margin(*args: str, before: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """`margin ARGS` in a process of its own, as a terminal starts it: Ctrl+C is not ignored
    even when this test run was started in the background (which ignores SIGINT, and a
    Python started that way never turns it into KeyboardInterrupt); `before` runs in the
    child first."""

    def start() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if before is not None:
            before()

    return subprocess.Popen(
        [sys.executable, "-c", "from assistant.cli import main; main()", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=start,
    )


def test_ctrl_c_exits_130_keeping_the_partial_file_and_the_next_pull_resumes(
    hub: FileServer, bundled_gguf: Path
) -> None:
    url = hub.url("/slow.gguf")
    partial = resolve_locations().models_dir / "slow.gguf.partial"
    process = run_margin("models", "pull", url, "--name", "slow")
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 2_000_000):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "downloaded so far are kept" in stderr and "Traceback" not in stderr
    kept = partial.stat().st_size
    assert set(listed()) == {"local"}

    hub.routes["/slow.gguf"].rate = None
    result = margin("models", "pull", url, "--name", "slow")
    assert result.exit_code == 0, result.stderr
    assert hub.requests[-1].range == f"bytes={kept}-"
    target = resolve_locations().models_dir / "slow.gguf"
    assert target.read_bytes() == bundled_gguf.read_bytes()
    assert models_folder() == ["slow.gguf"]


def test_a_full_disk_exits_1_keeps_the_bytes_and_registers_nothing(hub: FileServer) -> None:
    def small_files() -> None:  # writes past 20 MB fail with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000_000, 20_000_000))

    process = run_margin(
        "models", "pull", hub.url("/cdn/smol.gguf"), "--name", "smol", before=small_files
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert "is full (File too large) after 20.0 MB" in stderr and "Traceback" not in stderr
    assert set(listed()) == {"local"}
    assert os.path.getsize(resolve_locations().models_dir / "smol.gguf.partial") == 20_000_000
