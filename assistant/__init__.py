"""The question-to-answer pipeline and everything around it, including the CLI."""
