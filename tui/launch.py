"""`margin chat`: the click command the CLI's lazy table points at (`tui.launch:chat`).

Textual and the Assistant are imported inside the command, so `margin --help` stays fast.
"""

from __future__ import annotations

import sys

import click


@click.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """Open the chat TUI."""
    from assistant.core import build_assistant
    from tui.app import run_chat

    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    sys.exit(run_chat(lambda: build_assistant(verbose=verbose)))
