"""Downloads from a real loopback HTTP server: resume, restart, verify, and every failure."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from models.download import Downloader, Progress
from models.errors import (
    ChecksumMismatchError,
    DiskFullError,
    DownloadError,
    DownloadInterrupted,
    DownloadNotFoundError,
    DownloadRefusedError,
    NetworkError,
)
from models.pull import gguf_start
from tests.fixtures.downloads import FileServer, Route
from tests.fixtures.models import free_port

Serve = Callable[[dict[str, Route]], FileServer]
MB = 1_000_000


def downloader(**options: object) -> Downloader:
    settings: dict[str, object] = {"attempts": 4, "backoff_s": 0.0, "sleep": lambda _s: None}
    settings.update(options)
    return Downloader(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def model_bytes(bundled_gguf: Path) -> bytes:
    return bundled_gguf.read_bytes()


@pytest.fixture(scope="module")
def model_sha(model_bytes: bytes) -> str:
    return hashlib.sha256(model_bytes).hexdigest()


def leftovers(partial: Path) -> list[str]:
    return sorted(p.name for p in partial.parent.iterdir())


def test_follows_the_hugging_face_redirect_and_checks_its_linked_etag(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, model_sha: str, tmp_path: Path
) -> None:
    server = file_server(
        {
            "/o/r/resolve/main/m.gguf": Route(
                bundled_gguf,
                redirect="/cdn/m.gguf",
                redirect_headers={"X-Linked-Etag": f'"{model_sha}"', "ETag": '"git-sha1"'},
            ),
            "/cdn/m.gguf": Route(bundled_gguf, etag='"cdn-etag"'),
        }
    )
    events: list[Progress] = []
    partial = tmp_path / "m.gguf.partial"
    done = downloader().download(
        server.url("/o/r/resolve/main/m.gguf"), partial, progress=events.append
    )
    assert partial.read_bytes() == model_bytes
    assert done.sha256 == model_sha and done.size == len(model_bytes)
    assert done.verified_by == "the server's X-Linked-ETag header"
    assert stat.S_IMODE(partial.stat().st_mode) == 0o600
    assert leftovers(partial) == ["m.gguf.partial"]  # the state file is gone
    dones = [e.done for e in events]
    assert dones == sorted(dones) and events[-1].done == events[-1].total == len(model_bytes)


def test_three_dropped_connections_resume_with_range_and_end_byte_identical(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, model_sha: str, tmp_path: Path
) -> None:
    route = Route(bundled_gguf, drops=[5 * MB, 20 * MB, 1000], etag='"v1"')
    server = file_server({"/m.gguf": route})
    partial = tmp_path / "m.gguf.partial"
    events: list[Progress] = []
    done = downloader().download(
        server.url("/m.gguf"), partial, sha256=model_sha, progress=events.append
    )
    assert done.retries == 3 and done.verified_by == "the --sha256 given"
    assert [r.range for r in server.requests] == [
        None,
        f"bytes={5 * MB}-",
        f"bytes={25 * MB}-",
        f"bytes={25 * MB + 1000}-",
    ]
    assert {r.if_range for r in server.requests[1:]} == {'"v1"'}
    assert hashlib.sha256(partial.read_bytes()).hexdigest() == model_sha
    assert server.bytes_sent == len(model_bytes)  # no byte fetched twice
    assert any("retrying" in e.note for e in events)


def test_a_server_without_range_support_starts_over_cleanly(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, tmp_path: Path
) -> None:
    server = file_server({"/m.gguf": Route(bundled_gguf, ranges=False, drops=[3 * MB])})
    partial = tmp_path / "m.gguf.partial"
    events: list[Progress] = []
    downloader().download(server.url("/m.gguf"), partial, progress=events.append)
    assert partial.read_bytes() == model_bytes
    assert server.requests[1].range == f"bytes={3 * MB}-"  # asked, and got the whole file
    assert any("does not resume" in e.note for e in events)


def test_after_giving_up_the_next_run_resumes_from_the_partial_file(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, tmp_path: Path
) -> None:
    route = Route(bundled_gguf, drops=[4 * MB])
    server = file_server({"/m.gguf": route})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(NetworkError, match="run the same command again") as caught:
        downloader(attempts=1).download(server.url("/m.gguf"), partial)
    assert "4.0 MB of 98.4 MB downloaded so far are kept" in str(caught.value)
    assert partial.stat().st_size == 4 * MB
    assert json.loads((tmp_path / "m.gguf.partial.json").read_text())["total"] == len(model_bytes)

    downloader().download(server.url("/m.gguf"), partial)
    assert server.requests[-1].range == f"bytes={4 * MB}-"
    assert partial.read_bytes() == model_bytes


def test_a_file_changed_on_the_server_is_fetched_again_whole(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, tmp_path: Path
) -> None:
    route = Route(b"GGUF" + b"old" * 1_000_000, drops=[MB], etag='"v1"')
    server = file_server({"/m.gguf": route})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(NetworkError):
        downloader(attempts=1).download(server.url("/m.gguf"), partial)
    route.body, route.etag = bundled_gguf, '"v2"'
    events: list[Progress] = []
    downloader().download(server.url("/m.gguf"), partial, progress=events.append)
    assert server.requests[-1].if_range == '"v1"'
    assert partial.read_bytes() == model_bytes
    assert any("starting over" in e.note for e in events)


def test_a_complete_partial_file_is_only_verified(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, model_sha: str, tmp_path: Path
) -> None:
    server = file_server({"/m.gguf": Route(bundled_gguf)})
    partial = tmp_path / "m.gguf.partial"
    partial.write_bytes(model_bytes)
    state = {"url": server.url("/m.gguf"), "validator": "", "total": len(model_bytes)}
    (tmp_path / "m.gguf.partial.json").write_text(json.dumps(state))
    done = downloader().download(server.url("/m.gguf"), partial, sha256=model_sha)
    assert done.sha256 == model_sha and server.bytes_sent == 0


def test_a_wrong_published_checksum_deletes_the_download(
    file_server: Serve, bundled_gguf: Path, tmp_path: Path
) -> None:
    wrong = "0" * 64
    server = file_server({"/m.gguf": Route(bundled_gguf, headers={"X-Linked-Etag": wrong})})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(ChecksumMismatchError, match=f"X-Linked-ETag header says {wrong}"):
        downloader().download(server.url("/m.gguf"), partial)
    assert leftovers(partial) == []


def test_a_wrong_sha256_argument_is_caught_before_downloading_when_the_server_publishes_one(
    file_server: Serve, bundled_gguf: Path, model_sha: str, tmp_path: Path
) -> None:
    digest = "sha-256=:" + __import__("base64").b64encode(bytes.fromhex(model_sha)).decode() + ":"
    server = file_server({"/m.gguf": Route(bundled_gguf, headers={"Repr-Digest": digest})})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(ChecksumMismatchError, match="not the file you expect"):
        downloader().download(server.url("/m.gguf"), partial, sha256="ab" * 32)
    assert leftovers(partial) == []


def test_a_wrong_sha256_argument_fails_after_the_download(
    file_server: Serve, bundled_gguf: Path, model_sha: str, tmp_path: Path
) -> None:
    server = file_server({"/m.gguf": Route(bundled_gguf)})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(ChecksumMismatchError, match=f"its SHA-256 is {model_sha}, but the --"):
        downloader().download(server.url("/m.gguf"), partial, sha256="AB" * 32)
    assert leftovers(partial) == []


def test_a_missing_file_is_a_clear_404(file_server: Serve, tmp_path: Path) -> None:
    server = file_server({})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(DownloadNotFoundError, match=r"was not found \(HTTP 404\)"):
        downloader().download(server.url("/nope.gguf"), partial)
    assert leftovers(partial) == []


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_download_says_so_and_leaves_the_advice_to_the_caller(
    file_server: Serve, tmp_path: Path, status: int
) -> None:
    server = file_server({"/gated.gguf": Route(b"GGUF" * 10, statuses=[status])})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(DownloadRefusedError, match=rf"refused the download \(HTTP {status}\)") as e:
        downloader().download(server.url("/gated.gguf"), partial)
    assert "margin models add" not in str(e.value)  # pull and pull-reranker advise differently
    assert len(server.requests) == 1 and leftovers(partial) == []


def test_a_text_file_named_gguf_stops_at_its_first_bytes(
    file_server: Serve, tmp_path: Path
) -> None:
    page = b"<!DOCTYPE html><html><body>Sign in to continue</body></html>\n" * 200_000
    server = file_server({"/m.gguf": Route(page)})
    partial = tmp_path / "m.gguf.partial"
    with pytest.raises(DownloadError, match=r"not a GGUF model file \(it starts with the text"):
        downloader().download(server.url("/m.gguf"), partial, check_start=gguf_start)
    assert leftovers(partial) == []
    assert server.bytes_sent < len(page)


def test_not_enough_disk_space_is_refused_before_writing(
    file_server: Serve, bundled_gguf: Path, tmp_path: Path
) -> None:
    server = file_server({"/m.gguf": Route(bundled_gguf)})
    partial = tmp_path / "m.gguf.partial"
    tight = downloader(free_space=lambda _folder: 50 * MB)
    with pytest.raises(DiskFullError, match=r"needs 98.4 MB more and 50.0 MB is free"):
        tight.download(server.url("/m.gguf"), partial)
    assert leftovers(partial) == []


def test_no_server_is_a_network_error_after_a_few_attempts(tmp_path: Path) -> None:
    partial = tmp_path / "m.gguf.partial"
    pauses: list[float] = []
    patient = Downloader(attempts=3, backoff_s=0.5, sleep=pauses.append)
    with pytest.raises(NetworkError, match=r"failed 3 times in a row \(cannot connect to 127"):
        patient.download(f"http://127.0.0.1:{free_port()}/m.gguf", partial)
    assert pauses == [0.5, 1.0]
    assert leftovers(partial) == []


def test_ctrl_c_keeps_the_partial_file_for_the_next_run(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, tmp_path: Path
) -> None:
    server = file_server({"/m.gguf": Route(bundled_gguf)})
    partial = tmp_path / "m.gguf.partial"

    def interrupt(event: Progress) -> None:
        if event.done > 10 * MB:
            raise KeyboardInterrupt

    with pytest.raises(DownloadInterrupted, match="Run the same command again to resume"):
        downloader().download(server.url("/m.gguf"), partial, progress=interrupt)
    kept = partial.stat().st_size
    assert 10 * MB < kept < len(model_bytes)
    downloader().download(server.url("/m.gguf"), partial)
    assert server.requests[-1].range == f"bytes={kept}-"
    assert partial.read_bytes() == model_bytes


def test_the_proxy_from_the_environment_is_used(
    file_server: Serve, bundled_gguf: Path, model_bytes: bytes, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    proxy = file_server({"/models/m.gguf": Route(bundled_gguf)})
    monkeypatch.setenv("HTTP_PROXY", proxy.base)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    partial = tmp_path / "m.gguf.partial"
    downloader().download("http://models.example.invalid/models/m.gguf", partial)
    assert proxy.requests[0].target == "http://models.example.invalid/models/m.gguf"
    assert partial.read_bytes() == model_bytes


def test_two_pulls_of_one_name_do_not_write_the_same_file(
    file_server: Serve, bundled_gguf: Path, tmp_path: Path
) -> None:
    import fcntl
    import os

    server = file_server({"/m.gguf": Route(bundled_gguf)})
    partial = tmp_path / "m.gguf.partial"
    partial.write_bytes(b"GGUF in progress")
    holder = os.open(partial, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(DownloadError, match="Another `margin models pull` is writing"):
            downloader().download(server.url("/m.gguf"), partial)
    finally:
        os.close(holder)
    assert partial.read_bytes() == b"GGUF in progress"
