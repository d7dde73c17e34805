"""Search latency over MCP against `margin search` through the warm service, same index, same
queries.

    .venv/bin/python -m bench.mcp_latency [--rounds 5] [--files 17]

The index: the Python tutorial's HTML pages that Debian ships (python3.11-doc), ingested with
`margin ingest` into a throwaway MARGIN_HOME. Then the warm service is started and waited for
(`margin service start`), and one `margin mcp` process is launched by the SDK's own stdio
client. Each round runs every query once each way, alternating:

- mcp: `tools/call search` in the open session, timed by the client (request to reply);
- cli: `margin search QUERY --json` as a new process, answered by the warm service (what a
  person or a script runs), wall time;
- service: `ServiceClient.search` from this process (the service's socket round trip, with no
  process start): the bare component under the CLI.

It prints the medians of each and the ratios mcp/cli and mcp/service, with the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import REPO, emit, median, note

BENCH = "mcp_latency"
CORPUS = Path("/usr/share/doc/python3.11/html/tutorial")
QUERIES = (
    "How do I define a function with default argument values?",
    "What does the else clause on a for loop do?",
    "list comprehension syntax",
    "How are exceptions raised and handled?",
    "difference between a module and a package",
    "reading and writing files with open",
    "formatted string literals f-strings",
    "How do virtual environments work?",
    "floating point representation error",
    "class inheritance and super",
    "dictionary methods keys values items",
    "What is the interactive interpreter prompt?",
)
MARGIN = [sys.executable, "-c", "from assistant.cli import main; main()"]


def margin(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MARGIN, *args], cwd=REPO, env=env, capture_output=True, text=True, check=check
    )


def timed_cli(env: dict[str, str], query: str) -> float:
    started = time.perf_counter()
    margin(env, "search", query, "--k", "5", "--json")
    return time.perf_counter() - started


async def mcp_rounds(
    env: dict[str, str], rounds: int, cli: list[float], service: list[float]
) -> list[float]:
    """Open one MCP session and run the rounds, alternating the three ways per query."""
    from mcp import ClientSession, StdioServerParameters, stdio_client

    from assistant.locations import resolve_locations
    from assistant.service.client import connect_or_start

    client = connect_or_start(resolve_locations(env), start=False)
    assert client is not None, "the warm service is not running"
    params = StdioServerParameters(command=MARGIN[0], args=[*MARGIN[1:], "mcp"], env=env, cwd=REPO)
    samples: list[float] = []
    with open(os.devnull, "w") as quiet:
        async with (
            stdio_client(params, errlog=quiet) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            for query in QUERIES[:3]:  # warm both paths up
                await session.call_tool("search", {"query": query, "k": 5})
                timed_cli(env, query)
            for _ in range(rounds):
                for query in QUERIES:
                    started = time.perf_counter()
                    result = await session.call_tool("search", {"query": query, "k": 5})
                    samples.append(time.perf_counter() - started)
                    assert not result.is_error
                    cli.append(timed_cli(env, query))
                    started = time.perf_counter()
                    client.search(query, k=5)
                    service.append(time.perf_counter() - started)
    return samples


def main() -> None:
    import anyio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=17, help="tutorial pages to ingest")
    options = parser.parse_args()
    pages = sorted(CORPUS.glob("*.html"))[: options.files]
    if not pages:
        emit(BENCH, skipped=f"{CORPUS} is missing (apt-get install python3.11-doc)")
        return
    with tempfile.TemporaryDirectory(prefix="margin-bench-mcp-") as folder:
        home = Path(folder)
        corpus = home / "tutorial"
        corpus.mkdir()
        for page in pages:
            (corpus / page.name).write_bytes(page.read_bytes())
        # This process talks to the service too: its environment must match the service's.
        os.environ.update(
            MARGIN_HOME=str(home),
            PYTHONPATH=str(REPO),
            HF_HUB_OFFLINE="1",
            MARGIN_SERVICE_IDLE_S="1800",
        )
        os.environ.pop("MARGIN_NO_SERVICE", None)
        env = dict(os.environ)
        note(f"{BENCH}: ingesting {len(pages)} pages of {CORPUS} ...")
        margin(env, "ingest", str(corpus), "--json")
        note(f"{BENCH}: starting the warm service ...")
        margin(env, "service", "start")
        cli: list[float] = []
        service: list[float] = []
        try:
            mcp = anyio.run(mcp_rounds, env, options.rounds, cli, service)
        finally:
            margin(env, "service", "stop", check=False)
        figures: dict[str, Any] = {
            "pages": len(pages),
            "queries": len(QUERIES),
            "calls_each": len(mcp),
            "mcp_search_p50_ms": round(median(mcp) * 1000, 1),
            "cli_search_warm_service_p50_ms": round(median(cli) * 1000, 1),
            "service_round_trip_p50_ms": round(median(service) * 1000, 1),
        }
        figures["ratio_mcp_to_cli"] = round(median(mcp) / median(cli), 3)
        figures["ratio_mcp_to_service"] = round(median(mcp) / median(service), 3)
        emit(BENCH, **figures)


if __name__ == "__main__":
    main()
