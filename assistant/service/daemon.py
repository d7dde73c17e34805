"""The warm background service: keeps the embedder, the store and the models loaded.

`python -m assistant.service.daemon` serves one data folder on a Unix socket (0600, in a
0700 folder), refuses connections from other users, and exits when it has been idle for a
while (MARGIN_SERVICE_IDLE_S, default 15 minutes), when config.toml or margin's own code
changes, or when asked. One service per data folder: a lock file in `run_dir` holds it, and
a pid file names it. The CLI starts it on demand (`assistant.service.client`).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO

from assistant.locations import Locations, resolve_locations
from assistant.service.protocol import LOCK_NAME, PID_NAME, socket_path
from assistant.service.server import DEFAULT_IDLE_S, Service, ServiceServer
from assistant.service.worker import Engine
from durable.private_files import write_private

log = logging.getLogger("margin.service")

CHECK_EVERY_S = 1.0
# How often the idle accept loop wakes; stopping does not wait for it (ServiceServer.shutdown).
ACCEPT_POLL_S = 0.5
DRAIN_TIMEOUT_S = 300.0
LOCK_WAIT_S = 3.0


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` 0700, or refuse it if it is a symlink, someone else's, or shared."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not os.path.isdir(folder) or os.path.islink(folder) or info.st_uid != os.getuid():
        raise PermissionError(f"{folder} is not a folder owned by this user")
    if info.st_mode & 0o077:
        raise PermissionError(f"{folder} is readable by other users (mode {info.st_mode:o})")


class ServiceHost:
    """Holds the lock, the pid file and the socket, and runs until the service should stop."""

    def __init__(self, service: Service):
        self.service = service
        locations = service.locations
        self.socket_path = socket_path(locations)
        self.pid_path = locations.run_dir / PID_NAME
        self._lock_path = locations.run_dir / LOCK_NAME
        self._lock_file: IO[bytes] | None = None
        self._server: ServiceServer | None = None

    def open(self) -> bool:
        """Take the lock and start serving; False when another service already holds it."""
        self.service.locations.ensure()
        lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        self._lock_file = os.fdopen(lock_fd, "r+b")
        if not _lock_within(lock_fd, LOCK_WAIT_S):
            self._lock_file.close()
            self._lock_file = None
            return False
        if self.socket_path.parent != self.service.locations.run_dir:
            ensure_private_dir(self.socket_path.parent)
        self.socket_path.unlink(missing_ok=True)
        previous_umask = os.umask(0o077)
        try:
            self._server = ServiceServer(self.socket_path, self.service)
        finally:
            os.umask(previous_umask)
        os.chmod(self.socket_path, 0o600)
        write_private(self.pid_path, f"{os.getpid()}\n")
        threading.Thread(
            target=self._server.serve_forever,
            args=(ACCEPT_POLL_S,),
            name="margin-accept",
            daemon=True,
        ).start()
        self.service.worker.start()
        return True

    def run(self) -> str:
        """Block until a reason to stop: asked, idle, or out of date (checked between requests)."""
        service = self.service
        while not service.stopping.wait(CHECK_EVERY_S):
            reason = service.idle_reason()
            if reason is None and service.active == 0:
                reason = service.stale_reason()
            if reason is not None:
                service.stop(reason)
        return service.stop_reason or "stopped"

    def close(self) -> None:
        """Stop accepting, hand the data folder to the next service, then finish and unload."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self.socket_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError, ValueError):
            if int(self.pid_path.read_text()) == os.getpid():
                self.pid_path.unlink()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        self.service.released.set()
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while self.service.active and time.monotonic() < deadline:
            time.sleep(0.05)
        self.service.worker.stop(timeout_s=max(1.0, deadline - time.monotonic()))


def _lock_within(fd: int, timeout_s: float) -> bool:
    """Take the lock, waiting a little for a service that is just now stopping."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        else:
            return True


def build_engine(locations: Locations, verbose: bool) -> Engine:
    """The real assistant over the data folder (tests build a `Service` around their own)."""
    from assistant.core import build_assistant

    assistant: Engine = build_assistant(locations=locations, verbose=verbose)
    return assistant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.service.daemon", description="margin's warm background service."
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=float(os.environ.get("MARGIN_SERVICE_IDLE_S", DEFAULT_IDLE_S)),
        help="exit after this long without a request (default: 15 minutes)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log the text of questions and queries"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    locations = resolve_locations()
    service = Service(
        locations,
        functools.partial(build_engine, locations, args.verbose),
        idle_s=args.idle_seconds,
        verbose=args.verbose,
    )
    host = ServiceHost(service)
    try:
        opened = host.open()
    except OSError as exc:
        log.error("cannot serve %s: %s", locations.data_dir, exc)
        return 1
    if not opened:
        log.info("another margin service already serves %s; leaving it", locations.data_dir)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: service.stop("terminated"))
    log.info(
        "serving %s on %s (pid %d, idle timeout %.0f s)",
        locations.data_dir,
        host.socket_path,
        os.getpid(),
        args.idle_seconds,
    )
    try:
        reason = host.run()
    finally:
        host.close()
    log.info("stopped: %s", reason)
    return 0


if __name__ == "__main__":
    sys.exit(main())
