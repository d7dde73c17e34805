"""Commands whose argument is free text (`ask`, `search`): blank text and text starting with '-'.

Text that starts with '-' looks like an option to the command line; after `--` it is text.
When click meets an unknown option, the error says so, with the command to type instead.
"""

from __future__ import annotations

import shlex

import click

EMPTY_SEARCH = "Search for something: the search text is empty."


class FreeTextCommand(click.Command):
    """A click command that explains `--` when an unknown option may have been meant as text."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click consumes `args` as it parses
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            if exc.possibilities:  # close to a real option (--jsn): click's "Did you mean" helps
                raise
            raise click.NoSuchOption(
                exc.option_name,
                message=f"{exc.message} {_use_double_dash(ctx, given, exc.option_name)}",
                ctx=ctx,
            ) from None


def _use_double_dash(ctx: click.Context, args: list[str], option: str) -> str:
    meant = next((a for a in args if a.startswith(option)), option)
    command = ctx.command_path or "margin"
    return (
        f"To {_verb(ctx)} text that starts with '-', put -- before it: "
        f"{command} -- {shlex.quote(meant)}"
    )


def _verb(ctx: click.Context) -> str:
    return "ask about" if ctx.info_name == "ask" else "search for"
