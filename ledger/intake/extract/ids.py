"""Ids that hold across filings.

A person or issuer with an SEC CIK is `cik-<number without leading zeros>`; one
without (a text 13G names no CIK) is a slug of its name; a class is a slug of
its title. An --ids mapping (a CIK, a name or a class title -> an id) overrides
any of them, so that a folder of one issuer's filings lands on one set of
parties and classes, and on the ids the ledger already uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ledger.intake.extract.slugs import issuer_slug, party_slug, security_slug


class Ids:
    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self._by_key: dict[str, str] = {}
        for key, value in (mapping or {}).items():
            self._by_key[_key(key)] = value

    def __bool__(self) -> bool:
        """Whether the mapping maps anything."""
        return bool(self._by_key)

    def _mapped(self, *keys: str | None) -> str | None:
        for key in keys:
            if key and _key(key) in self._by_key:
                return self._by_key[_key(key)]
        return None

    def party(self, cik: str | None, name: str) -> str:
        cik = _cik(cik)
        return self._mapped(cik, f"cik-{cik}" if cik else None, name) or (
            f"cik-{cik}" if cik else party_slug(name))

    def issuer(self, cik: str | None, name: str | None) -> str:
        cik = _cik(cik)
        return self._mapped(cik, f"cik-{cik}" if cik else None, name) or (
            f"cik-{cik}" if cik else issuer_slug(name or "") or "unknown-issuer")

    def security(self, title: str) -> str:
        return self._mapped(title) or security_slug(title) or "unknown-class"


def cik_number(text: str | None) -> str | None:
    """A CIK as a filing writes it (1 to 10 ASCII digits: str.isdigit would take "²"), without
    its leading zeros; None for anything else."""
    if text is None:
        return None
    digits = text.strip()
    return str(int(digits)) if re.fullmatch(r"[0-9]{1,10}", digits) else None


def _cik(cik: str | None) -> str | None:
    # A mapping may also name a CIK by the id it gives (cik-<number>).
    return None if cik is None else cik_number(cik.strip().removeprefix("cik-").removeprefix("CIK-"))


def _key(text: str) -> str:
    text = " ".join(str(text).split()).casefold()
    return cik_number(text) or text
