"""Screens of the chat TUI: the chat itself and the screens it opens."""
