"""`margin mcp`: serve the person's documents to MCP clients over stdin/stdout."""

from __future__ import annotations

import sys

import click

from assistant.cli.output import guarded, say


@click.command()
@click.option(
    "--allow-local-only",
    is_flag=True,
    help="Also share collections ingested with --local-only (withheld by default).",
)
@click.pass_context
@guarded
def mcp(ctx: click.Context, allow_local_only: bool) -> None:
    """Serve your documents over MCP on stdin/stdout: search, ask, list_sources, read_passage.

    Register this command with an MCP client (Claude Desktop, Claude Code, VS Code, Cursor);
    docs/mcp.md shows how. What leaves goes through margin's guardrails: local-only
    collections are withheld, personal data and secrets are masked ([privacy]
    redact_for_mcp), injected instructions are flagged, and `margin egress` shows every result
    sent.
    """
    from assistant.config import load_config
    from assistant.locations import resolve_locations
    from assistant.mcp.policy import McpPolicy
    from assistant.mcp.server import serve
    from assistant.mcp.tools import open_tools

    locations = resolve_locations().ensure()
    config = load_config(locations.config_file)
    policy = McpPolicy(
        allow_local_only=allow_local_only,
        redact=config.privacy.redact_for_mcp,
        collections=config.collections,
    )
    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    if sys.stdin.isatty():
        say(
            "margin mcp speaks the Model Context Protocol on stdin/stdout; an MCP client "
            "starts it (see docs/mcp.md). Ctrl+D or Ctrl+C stops it."
        )
    if allow_local_only:
        say("warning: --allow-local-only: local-only collections are shared with the client.")
    serve(
        lambda: open_tools(locations, config, policy, verbose=verbose),
        max_text_chars=config.ask.max_question_chars,
    )
