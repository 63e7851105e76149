"""The log as JSON Lines: one record a line, chain included, verifiable offline."""

from __future__ import annotations

import json
import sys

from ledger.common.paths import output_path, write_file
from ledger.log.store import Store


def write_jsonl(store: Store, out: str, *, issuer: str | None = None, force: bool = False) -> int:
    issuers = [issuer] if issuer else store.issuers()
    if issuer and issuer not in store.issuers():
        from ledger.errors import UsageError  # noqa: PLC0415

        raise UsageError(f"no issuer '{issuer}' in {store.target}")
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True)
             for i in issuers for r in store.raw_records(i)]
    text = "".join(line + "\n" for line in lines)
    if out == "-":
        sys.stdout.write(text)
    else:
        write_file(output_path(out, force=force), text.encode("utf-8"), label=out)
    return len(lines)
