"""Output rules shared by every command: JSON on stdout, messages on stderr, exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from assistant.errors import IngestError, MarginError, ModelError
from assistant.terminal import sanitize

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERRUPTED = 130


def emit_json(payload: dict[str, Any]) -> None:
    """The one JSON object a `--json` command prints; control characters are escaped."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


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
        except KeyboardInterrupt:
            fail("interrupted; finished work is kept.", EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]
