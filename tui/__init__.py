"""The chat TUI, `margin chat`: a Textual app that talks only to `assistant`."""
