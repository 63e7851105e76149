"""Database targets as a person may see them: which engine, and never the password.

Kept free of heavy imports so the command line starts fast.
"""

from __future__ import annotations

import contextlib
import os
import re
from urllib.parse import parse_qsl, unquote, urlparse


def is_server(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def redact(target: str) -> str:
    """A database target safe to print: never the password."""
    if "://" not in target:
        return target
    target = re.sub(r"(?i)(password=)[^&]*", r"\1***", target)
    try:
        parsed = urlparse(target)
        password = parsed.password
    except ValueError:
        return re.sub(r"//[^/@]*@", "//***@", target)
    if password is None:
        return target
    netloc = parsed.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return parsed._replace(netloc=f"{user}:***@{netloc[2]}").geturl()


def _secrets(target: str) -> list[str]:
    """The password as written in the URL and as decoded, longest first."""
    found: list[str] = []
    with contextlib.suppress(ValueError):
        password = urlparse(target).password
        if password:
            found += [password, unquote(password)]
    for key, value in parse_qsl(urlparse(target).query) if "://" in target else []:
        if key.lower() == "password" and value:
            found.append(value)
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(message: object, target: str) -> str:
    """An error message as one line, with the target redacted and its password nowhere."""
    text = str(message)
    if "://" in target:
        text = text.replace(target, redact(target))
        for secret in _secrets(target):
            text = text.replace(secret, "***")
    return " ".join(text.split()) or type(message).__name__


def default_target() -> str:
    return os.environ.get("LEDGER_DB") or "ledger.db"
