"""`margin service start|status|stop`: the warm background service behind search and ask."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

import click

from assistant.cli.output import emit_json, guarded, say
from assistant.service.protocol import LOG_NAME

if TYPE_CHECKING:
    from assistant.locations import Locations

STOP_WAIT_S = 30.0
START_ATTEMPTS = 3


@click.group()
def service() -> None:
    """The background service that keeps the models loaded between commands.

    `margin search` and `margin ask` start it on demand; it exits by itself after 15 minutes
    without requests (MARGIN_SERVICE_IDLE_S sets the seconds). MARGIN_NO_SERVICE=1 makes every
    command work in its own process instead.
    """


@service.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@guarded
def status(as_json: bool) -> None:
    """Say whether the service runs, and what it holds."""
    from assistant.locations import resolve_locations
    from assistant.service.client import ServiceUnavailable, connect_or_start

    locations = resolve_locations()
    client = connect_or_start(locations, start=False)
    info: dict[str, object] = {"running": False, "data_dir": str(locations.data_dir)}
    if client is not None:
        with contextlib.suppress(ServiceUnavailable):
            info = {"running": True, "socket": str(client.path), **client.ping()}
        info.pop("event", None)
    if as_json:
        emit_json(info)
        return
    if not info["running"]:
        say(f"No margin service is running for {locations.data_dir}.", err=False)
        return
    say(
        f"margin service, pid {info['pid']}: {info['state']}, up {_duration(info['uptime_s'])}, "
        f"{info['requests']} requests, idle {_duration(info['idle_s'])} "
        f"of {_duration(info['idle_timeout_s'])}",
        err=False,
    )
    if "error" in info:
        say(f"It could not load the assistant: {info['error']}", err=False)
    say(f"socket {info['socket']}\nlog    {info['log']}", err=False)


@service.command()
@guarded
def start() -> None:
    """Start the service now and wait until its models are loaded."""
    from assistant.locations import resolve_locations

    locations = resolve_locations()
    info = _started_and_loaded(locations)
    if info is None:
        say("The margin service could not start; commands will work in their own process.")
        say(f"Its log is {locations.run_dir / LOG_NAME}.")
        raise SystemExit(1)
    if info["state"] == "failed":
        say(f"The margin service started but could not load the assistant: {info['error']}")
        raise SystemExit(1)
    say(f"The margin service is ready (pid {info['pid']}).", err=False)


def _started_and_loaded(locations: Locations) -> dict[str, Any] | None:
    """The status of a loaded service, starting a fresh one if the first steps down."""
    from assistant.service.client import ServiceUnavailable, connect_or_start

    for _ in range(START_ATTEMPTS):
        client = connect_or_start(locations)
        if client is None:
            return None
        try:
            info = client.ping()
            while info["state"] in ("loading", "warming"):
                time.sleep(0.1)
                info = client.ping()
        except ServiceUnavailable:
            continue
        return info
    return None


@service.command()
@guarded
def stop() -> None:
    """Stop the service; the next search or ask starts a fresh one."""
    from assistant.locations import resolve_locations
    from assistant.service.client import ServiceUnavailable, connect_or_start

    locations = resolve_locations()
    client = connect_or_start(locations, start=False)
    if client is None:
        say(f"No margin service is running for {locations.data_dir}.", err=False)
        return
    try:
        pid = client.ping()["pid"]
        client.shutdown()
    except ServiceUnavailable:
        say("The margin service stopped on its own.", err=False)
        return
    deadline = time.monotonic() + STOP_WAIT_S
    while client.path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    say(f"Stopped the margin service (pid {pid}).", err=False)


def _duration(seconds: object) -> str:
    value = float(seconds)  # type: ignore[arg-type]
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"
