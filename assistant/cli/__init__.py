"""The `margin` command line. Commands load lazily so `margin --help` stays fast."""

from __future__ import annotations

import importlib

import click

# command name -> "module:function"; each module imports its heavy parts inside the command.
# This table is the composition root: `chat` lives in the tui package, which sits above
# assistant, so it is named here rather than imported.
COMMANDS: dict[str, str] = {
    "ingest": "assistant.cli.ingest_commands:ingest",
    "watch": "assistant.cli.ingest_commands:watch",
    "reindex": "assistant.cli.ingest_commands:reindex",
    "search": "assistant.cli.ingest_commands:search",
    "sources": "assistant.cli.ingest_commands:sources",
    "collections": "assistant.cli.collection_commands:collections",
    "move": "assistant.cli.ingest_commands:move",
    "forget": "assistant.cli.ingest_commands:forget",
    "ask": "assistant.cli.ask_commands:ask",
    "chat": "tui.launch:chat",
    "feedback": "assistant.cli.log_commands:feedback",
    "stats": "assistant.cli.log_commands:stats",
    "logs": "assistant.cli.log_commands:logs",
    "egress": "assistant.cli.log_commands:egress",
    "eval": "assistant.cli.eval_commands:eval_command",
    "report": "assistant.cli.eval_commands:report",
    "keys": "assistant.cli.key_commands:keys",
    "models": "assistant.cli.model_commands:models",
    "doctor": "assistant.cli.doctor:doctor",
    "service": "assistant.cli.service_commands:service",
    "mcp": "assistant.cli.mcp_commands:mcp",
}

HELP: dict[str, str] = {
    "ingest": "Add, update or remove documents from folders and files.",
    "watch": "Keep the index in sync with folders as files change.",
    "reindex": "Re-read, re-chunk and re-embed every document, changed or not.",
    "search": "Search your documents (retrieval only, no model).",
    "sources": "List ingested documents.",
    "collections": "Collection policies: which models may receive each, quote-only, redaction.",
    "move": "Move documents to another collection, or make them local-only or not.",
    "forget": "Remove documents under a path from the index.",
    "ask": "Ask a question; the answer streams with its sources.",
    "chat": "Open the chat TUI.",
    "feedback": "Rate an answer up or down.",
    "stats": "Latency, cost, feedback and guardrail figures from the local log.",
    "logs": "Manage the local interaction log.",
    "egress": "Show exactly what text left this machine, and where to.",
    "eval": "Run a golden set, or compare two runs.",
    "report": "Write an HTML report with charts from the local log.",
    "keys": "Store API keys in the system keyring.",
    "models": "Local GGUF models: pull, add, list, choose the default, remove; rerankers.",
    "doctor": "Check the install, models, store and keyring.",
    "service": "Start, inspect or stop the background service that keeps models loaded.",
    "mcp": "Serve your documents to MCP clients (agents, desktop assistants) over stdio.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, with "Did you mean ...?" for a mistyped name (click looks for close
        matches among the commands it has loaded, and this group loads them only on use)."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP[name]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", is_flag=True, help="Show model and library diagnostics on stderr.")
@click.version_option(package_name="margin")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """margin: answers from your own files, offline, with sources you can open."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def main() -> None:
    cli(prog_name="margin")
