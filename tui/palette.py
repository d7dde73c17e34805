"""Command palette entries: switch model profile and collection, open the other screens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from assistant.terminal import one_line

if TYPE_CHECKING:
    from tui.app import MarginApp


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    title: str
    help: str
    run: Callable[[], object]


class MarginCommands(Provider):
    """Model profiles and collections are read once, off the UI thread, when the palette opens."""

    async def startup(self) -> None:
        self._commands: list[PaletteCommand] = await asyncio.to_thread(self._gather)

    @property
    def margin(self) -> MarginApp:
        return cast("MarginApp", self.app)

    def _gather(self) -> list[PaletteCommand]:
        app = self.margin
        commands = [
            PaletteCommand(
                "New conversation", "Start over (ctrl+n)", app.chat.action_new_conversation
            ),
            PaletteCommand("Past conversations", "Reopen one (ctrl+l)", app.action_history),
            PaletteCommand(
                "Ingest a folder", "Add or update documents (ctrl+o)", app.action_ingest
            ),
            PaletteCommand("Stats", "Latency, cost and feedback charts (ctrl+s)", app.action_stats),
            PaletteCommand("Keys and help", "Every key binding (F1)", app.action_help),
        ]
        session = app.session
        assistant = session.assistant
        if assistant is None:
            return commands
        current = session.model_profile()
        for profile in assistant.profiles():
            where = "remote" if profile.is_remote else "local"
            mark = " (in use)" if current is not None and profile.name == current.name else ""
            commands.append(
                PaletteCommand(
                    f"Model: {one_line(profile.label)}{mark}",
                    f"Answer with the {where} profile {one_line(profile.label)!r}",
                    partial(app.select_profile, profile.name),
                )
            )
        commands.append(
            PaletteCommand(
                "Collection: all", "Search every collection", partial(app.select_collection, None)
            )
        )
        for name in assistant.collections():
            commands.append(
                PaletteCommand(
                    f"Collection: {one_line(name)}",
                    f"Only search the {one_line(name)!r} collection "
                    f"({one_line(assistant.config.policy(name).describe())})",
                    partial(app.select_collection, name),
                )
            )
        return commands

    async def discover(self) -> Hits:
        for command in self._commands:
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands:
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)
