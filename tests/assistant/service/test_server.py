"""The server over a real Unix socket, in this process, with a scripted engine."""

from __future__ import annotations

import logging
import os
import socket
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.ask.types import AnswerDone, AskOptions, PlainTurn, SourcesFound, TextDelta
from assistant.locations import resolve_locations
from assistant.service.client import Connection, ServiceClient, ServiceStale
from assistant.service.protocol import MAX_REQUEST_BYTES, ServiceError, env_fingerprint
from assistant.service.server import Service
from assistant.service.worker import EngineWorker
from tests.assistant.service.conftest import StubService, serve_in_thread
from tests.assistant.service.stub import StubEngine


def wait_until(condition, timeout_s: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_search_over_the_socket_returns_what_the_engine_returned(stub_service: StubService):
    results = stub_service.client.search("margin keys", k=4)
    assert results == StubEngine().search("margin keys", k=4)
    assert [s.score for s in results] == [1 / 1.3, 1 / 2.3, 1 / 3.3, 1 / 4.3]


def test_an_answer_streams_the_same_events(stub_service: StubService):
    run = stub_service.client.ask("how are keys stored?")
    events = list(run)
    run.close()
    assert isinstance(events[0], SourcesFound) and len(events[0].sources) == 2
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["word0 ", "word1 ", "word2 "]
    done = events[-1]
    assert isinstance(done, AnswerDone) and done.answer is run.answer
    assert done.answer.answer == "word0 word1 word2 "
    assert done.answer.latency_ms == {"retrieve": 1.23456, "total": 9.87654}
    assert done.answer.guardrails[0].kind == "stub.note"
    assert done.answer.sources == events[0].sources


def test_ask_options_reach_the_engine_whole_and_the_run_is_closed(stub_service: StubService):
    options = AskOptions(model="work", k=2, history=(PlainTurn("q", "a"),), use_cache=False)
    run = stub_service.client.ask("how are keys stored?", options)
    list(run)
    run.close()
    assert stub_service.engine.options == [options]
    assert wait_until(lambda: stub_service.engine.runs[-1].closed)


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("over budget", 4, "BudgetExceededError"),
        ("bad usage", 2, "UsageError"),
        ("model missing", 1, "ModelLoadError"),
        ("crash", 1, "internal"),
    ],
)
def test_errors_arrive_with_their_message_and_exit_code(
    stub_service: StubService, text: str, code: int, kind: str
):
    for call in (stub_service.client.search, stub_service.client.ask):
        with pytest.raises(ServiceError) as raised:
            call(text)
        assert raised.value.exit_code == code
        assert raised.value.kind == kind
    if kind == "internal":
        assert "boom" in str(raised.value) and "log" in str(raised.value)
    else:
        assert str(raised.value).endswith(".")


def test_a_client_that_hangs_up_cancels_its_answer(stub_service: StubService):
    run = stub_service.client.ask("endless story")
    assert isinstance(next(run), SourcesFound)
    assert isinstance(next(run), TextDelta)
    run.close()
    stub_run = stub_service.engine.runs[-1]
    assert stub_run.cancelled.wait(20)
    # The engine thread is free again: the next request is answered.
    assert stub_service.client.search("after") == StubEngine().search("after")


def test_a_connection_that_sends_nothing_is_no_request_and_no_trouble(
    stub_service: StubService, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
):
    caplog.set_level(logging.WARNING, logger="margin.service")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.connect(str(stub_service.host.socket_path))
        silent.shutdown(socket.SHUT_WR)
        silent.settimeout(20)
        # The server closes its end when the handler returns: no reply, then EOF.
        assert silent.recv(4096) == b""
    assert stub_service.service.requests == 0
    assert stub_service.client.search("after") == StubEngine().search("after")
    assert stub_service.service.requests == 1
    assert caplog.records == []
    assert "Traceback" not in capsys.readouterr().err


def test_cancel_stops_the_answer_and_still_delivers_it(stub_service: StubService):
    run = stub_service.client.ask("endless story")
    next(run)
    next(run)
    run.cancel()
    events = list(run)
    run.close()
    assert isinstance(events[-1], AnswerDone)
    assert run.answer is not None and run.answer.cancelled


def test_concurrent_clients_each_get_their_own_answers(stub_service: StubService):
    client = stub_service.client
    queries = [f"query {n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda q: client.search(q, k=2), queries))
        answers = list(pool.map(lambda q: list(client.ask(q))[-1], queries[:4]))
    assert results == [StubEngine().search(q, k=2) for q in queries]
    assert [a.answer.question for a in answers] == queries[:4]
    assert stub_service.engine.threads == {"margin-engine"}


def test_socket_is_owner_only_in_an_owner_only_folder(stub_service: StubService):
    path = stub_service.host.socket_path
    assert stat.S_ISSOCK(path.stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    pid_file = stub_service.host.pid_path
    assert stat.S_IMODE(pid_file.stat().st_mode) == 0o600
    assert int(pid_file.read_text()) == os.getpid()


def test_a_process_of_another_user_is_refused(foreign_uid_service: StubService):
    with pytest.raises(ServiceError, match="only answers its own user"):
        foreign_uid_service.client.search("anything")
    assert foreign_uid_service.engine.threads <= {"margin-engine"}
    assert foreign_uid_service.service.requests == 0


def test_a_changed_config_makes_the_service_step_down(stub_service: StubService):
    config = stub_service.service.locations.config_file
    config.write_text("[retrieval]\nk = 3\n")
    with pytest.raises(ServiceStale, match=r"config\.toml changed"):
        stub_service.client.search("anything")
    stub_service.thread.join(20)
    assert not stub_service.thread.is_alive()
    assert not stub_service.host.socket_path.exists()
    assert stub_service.engine.closed


def test_a_client_with_another_environment_gets_a_fresh_service(stub_service: StubService):
    connection = Connection(stub_service.host.socket_path)
    other = env_fingerprint({**os.environ, "WORK_API_KEY": "sk-new"})
    connection.send({"op": "search", "query": "x", "env": other})
    assert connection.read(20)["event"] == "stale"
    connection.close()


def test_ping_reports_the_state(stub_service: StubService):
    assert wait_until(lambda: stub_service.client.ping()["state"] == "ready")
    stub_service.client.search("one")
    assert wait_until(lambda: stub_service.client.ping()["active"] == 0)
    info = stub_service.client.ping()
    assert info["pid"] == os.getpid() and info["requests"] == 1
    assert info["data_dir"] == str(stub_service.service.locations.data_dir)


def test_requests_queue_behind_a_running_answer(stub_service: StubService):
    run = stub_service.client.ask("endless story")
    next(run)
    found: list[object] = []
    waiting = threading.Thread(target=lambda: found.append(stub_service.client.search("q")))
    waiting.start()
    run.cancel()
    list(run)
    run.close()
    waiting.join(20)
    assert found == [StubEngine().search("q")]


def test_shutdown_closes_the_engine(stub_service: StubService):
    stub_service.client.shutdown()
    stub_service.thread.join(20)
    assert stub_service.engine.closed
    assert stub_service.service.stop_reason == "asked to stop"
    assert isinstance(stub_service.client, ServiceClient)


def test_updated_code_makes_the_service_step_down(stub_service: StubService):
    import assistant.service.protocol as module

    path = Path(module.__file__)
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    try:
        with pytest.raises(ServiceStale, match="margin was updated"):
            stub_service.client.search("anything")
    finally:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    stub_service.thread.join(20)
    assert not stub_service.thread.is_alive()


def test_a_search_waiting_for_the_build_goes_before_the_warm_up():
    engine = StubEngine()
    built, warming = threading.Event(), threading.Event()
    engine.warm_up = warming.wait  # type: ignore[method-assign]

    def build() -> StubEngine:
        built.wait(20)
        return engine

    stub = serve_in_thread(Service(resolve_locations(), build, idle_s=3600), engine)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            searched = pool.submit(stub.client.search, "early")
            assert wait_until(lambda: stub.service.worker.waiting == 1)
            built.set()
            assert searched.result(timeout=20) == StubEngine().search("early")
        assert stub.client.ping()["state"] == "warming"
        warming.set()
        assert wait_until(lambda: stub.client.ping()["state"] == "ready")
    finally:
        warming.set()
        stub.stop()


def test_a_stop_during_the_build_waits_for_it_and_closes_the_engine():
    """A service stopped while it builds the assistant used to exit under the build; with the
    real assistant that aborted 1 of 75 service processes stopped 0.6-1.4 s after start."""
    engine = StubEngine()
    worker: EngineWorker

    def build() -> StubEngine:
        assert wait_until(lambda: worker.waiting == 1)  # the stop is queued: build finishes
        return engine

    worker = EngineWorker(build)
    worker.start()
    worker.stop(timeout_s=20)
    assert engine.closed and worker.built.is_set()
    assert engine.threads == set()  # closed at once: no warm-up after a stop


def test_a_request_over_the_limit_is_a_usage_error_naming_the_question_limit(
    stub_service: StubService,
):
    connection = Connection(stub_service.host.socket_path)
    connection.send({"op": "ask", "question": "why " * (MAX_REQUEST_BYTES // 4), "env": ""})
    reply = connection.read(20)
    connection.close()
    assert reply["event"] == "error" and reply["exit_code"] == 2
    assert "ask.max_question_chars" in reply["message"] and "4 MB" in reply["message"]
