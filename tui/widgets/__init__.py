"""Widgets of the chat TUI."""
