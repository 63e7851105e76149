"""What every command shares: the ledger opened for reading or for writing, and a user's
mistakes as one line with exit 2. The `ledger` command and its `export` subcommands both
use it; it imports neither."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

from ledger.errors import Conflict, UsageError
from ledger.log.target import scrub

if TYPE_CHECKING:
    from ledger.log.store import Store


def one_line(text: object) -> str:
    """A message as exactly one line: line breaks and other control characters from the
    user's own data (an event type of "\\r", a name with a newline) are shown escaped."""
    out = []
    for ch in str(text):
        if ch == "\t":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) == 127 or ch in "\x85\u2028\u2029":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _target() -> str:
    """The --db target of the running command, so that no message can show its password."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, str) else ""


def user_errors(func: Callable) -> Callable:
    """User mistakes become one line and exit 2; nothing else is caught here."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageError as exc:
            click.echo(f"error: {one_line(scrub(exc, _target()))}", err=True)
            sys.exit(2)
        except Conflict as exc:
            click.echo(f"conflict: {one_line(scrub(exc, _target()))}", err=True)
            sys.exit(2)
        except Exception as exc:  # a database failure anywhere (log or read models): one line, no password
            from ledger.log.store import describe_failure  # noqa: PLC0415  (the store is loaded by now)

            failure = describe_failure(exc, _target())
            if failure is None:
                raise
            click.echo(f"{failure[0]}: {one_line(failure[1])}", err=True)
            sys.exit(2)

    return wrapper


def open_store(ctx: click.Context, *, create: bool = False, write: bool = False) -> Store:
    """The ledger at the command's --db, read-only unless the command writes (`create` or `write`)."""
    from ledger.api import open_store as open_target  # noqa: PLC0415

    return open_target(ctx.find_root().obj, create=create, write=write)
