"""Output rules shared by every command: JSON on stdout, messages on stderr, exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assistant.errors import IngestError, MarginError, ModelError
from assistant.terminal import display_path, json_safe, sanitize
from ingest.interruption import IngestInterrupted

if TYPE_CHECKING:
    from assistant.ask.types import Source

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERRUPTED = 130


def emit_json(payload: dict[str, Any]) -> None:
    """The one JSON object a `--json` command prints; control characters (C0, DEL, C1), bidi
    controls and line separators are escaped, so printing it cannot steer a terminal."""
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(json_safe(text) + "\n")
    sys.stdout.flush()


def also_in(source: Source) -> str | None:
    """`also in: addons.md, addons.html`: the other files holding the passage, if any."""
    if not source.copies:
        return None
    return "also in: " + ", ".join(display_path(path) for path in source.copies)


def say(message: str, *, err: bool = True) -> None:
    click.echo(sanitize(message), err=err)


def fail(message: str, code: int = 1) -> None:
    click.echo(f"margin: {sanitize(message)}", err=True)
    sys.exit(code)


def guarded(func: F) -> F:
    """Turn known errors into one clear line on stderr and the contract's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MarginError as exc:
            fail(str(exc), exc.exit_code)
        except (IngestError, ModelError) as exc:
            fail(str(exc), 1)
        except IngestInterrupted as exc:  # says what the ingest kept and what it resumes
            fail(exc.interruption.describe(), EXIT_INTERRUPTED)
        except KeyboardInterrupt:
            fail("interrupted; finished work is kept.", EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]
