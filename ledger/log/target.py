"""Database targets as a person may see them: which engine, and never the password.

Kept free of heavy imports so the command line starts fast.
"""

from __future__ import annotations

import contextlib
import os
import re
from urllib.parse import parse_qsl, quote, unquote


def is_server(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def _userinfo(target: str) -> tuple[str, str, str, str | None]:
    """(scheme and "://", user, rest after "@", password as written or None).

    Split by hand, at the last "@": urlparse ends the authority at the first "/", "?" or "#",
    so a password holding one of them would be cut short and printed in part."""
    scheme, sep, rest = target.partition("://")
    if "@" not in rest:
        return scheme + sep, "", rest, None
    userinfo, _, host = rest.rpartition("@")
    user, colon, password = userinfo.partition(":")
    return scheme + sep, user, host, password if colon else None


def redact(target: str) -> str:
    """A database target safe to print: never the password."""
    if "://" not in target:
        return target
    target = re.sub(r"(?i)(password=)[^&#]*", r"\1***", target)
    prefix, user, host, password = _userinfo(target)
    if password is None:
        return target
    return f"{prefix}{user}:***@{host}"


def _secrets(target: str) -> list[str]:
    """The password as written in the URL and as decoded, longest first."""
    found: list[str] = []
    password = _userinfo(target)[3] if "://" in target else None
    if password:
        found += [password, unquote(password)]
    with contextlib.suppress(ValueError):
        for key, value in parse_qsl(target.partition("?")[2]) if "://" in target else []:
            if key.lower() == "password" and value:
                found += [value, quote(value, safe="")]
    return sorted({s for s in found if s}, key=len, reverse=True)


MIN_FREE_SECRET = 4


def scrub(message: object, target: str) -> str:
    """An error message as one line, with the target redacted and its password nowhere."""
    text = str(message)
    if "://" in target:
        text = text.replace(target, redact(target))
        for secret in _secrets(target):
            if len(secret) >= MIN_FREE_SECRET:
                text = text.replace(secret, "***")
            else:
                # Replaced anywhere, a password of a letter or two would turn "postgresql" into
                # "***ostgresql"; where a message can carry it, it stands next to these marks.
                for before, after in ((":", "@"), ("password=", ""), ("password='", "'"), ('password="', '"')):
                    text = text.replace(f"{before}{secret}{after}", f"{before}***{after}")
    return " ".join(text.split()) or type(message).__name__


def default_target() -> str:
    return os.environ.get("LEDGER_DB") or "ledger.db"


def readonly_uri(path: str) -> str:
    """A SQLite URI that opens `path` for reading only: no write, no checkpoint of its
    write-ahead log into the file (SQLite's own -shm index aside)."""
    return "file:" + quote(os.path.abspath(path)) + "?mode=ro"
