"""`margin mcp`: the tools served over MCP on stdin/stdout, with the official `mcp` SDK.

The server is a long-running process of its own (the client starts it and keeps it for the
session), so it keeps its own models loaded rather than going through the background service:
the assistant is built once, on the server's single worker thread, as the process starts, and
a first search warms the embedder and the index; the chat model loads at the first `ask` and
stays loaded. The service would add a socket hop to every call, exits after idle minutes, and
offers neither `read_passage` nor `list_sources`.

Every tool call runs on that one worker thread, in order, so the store and the models are used
by one thread at a time; the event loop stays free to read the client's messages, and a
cancelled `ask` is stopped. A tool's failure is a tool error (`is_error`) carrying margin's
message; an unknown tool is a protocol error (invalid params). Nothing a client sends can end
the process: stray output of native libraries goes to stderr, never into the protocol.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from assistant.mcp.specs import INSTRUCTIONS, ToolSpec, tool_specs
from assistant.mcp.tools import McpTools, ToolResult, UnknownToolError

log = logging.getLogger("margin.mcp")


class McpServer:
    """The SDK's low-level server around `McpTools`, built by `build` on the worker thread."""

    def __init__(self, build: Callable[[], McpTools], *, max_text_chars: int):
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="margin-mcp")
        self._tools: Future[McpTools] = self._worker.submit(build)
        self._specs = tool_specs(max_text_chars)
        self._named_client = False
        self.server: Server[Any] = Server(
            "margin",
            version=_margin_version(),
            title="margin: your documents",
            instructions=INSTRUCTIONS,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
        )

    async def run_stdio(self) -> None:
        async with stdio_server() as (read_stream, write_stream):
            await self.server.run(
                read_stream, write_stream, self.server.create_initialization_options()
            )

    def close(self) -> None:
        """Finish the call in progress, drop queued ones, and release the assistant."""
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._tools.done() and self._tools.exception() is None:
            self._tools.result().close()

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[_tool(spec) for spec in self._specs])

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        client = _client_name(ctx)
        job = self._worker.submit(self._run, params.name, params.arguments, client)
        try:
            result = await asyncio.wrap_future(job)
        except anyio.get_cancelled_exc_class():
            if not job.cancel() and self._tools.done() and self._tools.exception() is None:
                self._tools.result().cancel()
            raise
        except UnknownToolError as exc:
            raise MCPError(code=types.INVALID_PARAMS, message=str(exc)) from None
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=result.text)], is_error=result.is_error
        )

    def _run(self, name: str, arguments: dict[str, Any] | None, client: str | None) -> ToolResult:
        """One call, on the worker thread (the build ran there first, so it is finished)."""
        try:
            tools = self._tools.result()
        except Exception as exc:
            return ToolResult(f"margin could not open your documents: {exc}", is_error=True)
        if client is not None and not self._named_client:
            tools.name_client(client)
            self._named_client = True
        return tools.call(name, arguments)


def _tool(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input_schema,
        annotations=types.ToolAnnotations(
            title=spec.title,
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=spec.idempotent,
            open_world_hint=False,
        ),
    )


def _client_name(ctx: ServerRequestContext[Any]) -> str | None:
    params = ctx.session.client_params
    return None if params is None else params.client_info.name


def _margin_version() -> str:
    try:
        return version("margin")
    except PackageNotFoundError:
        return "0"


def serve(build: Callable[[], McpTools], *, max_text_chars: int) -> None:
    """Serve on stdin/stdout until the client closes the connection."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="margin mcp: %(message)s")
    server = McpServer(build, max_text_chars=max_text_chars)
    try:
        anyio.run(server.run_stdio)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
