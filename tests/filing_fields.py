"""A draft's figures against those read by hand from the same filing, field by field.

Used by tests/test_filings.py, and runnable to print the count for every real filing:
`python -m tests.filing_fields ../shared/filings`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import yaml

from ledger.intake.extract.draft import Draft
from ledger.intake.extract.recognise import extract_document

BY_HAND = Path(__file__).parent / "data" / "filings_by_hand.yaml"
_POWERS = ("sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive")


def by_hand() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(BY_HAND.read_text(encoding="utf-8"))


def _day(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def fields(draft: Draft, expected: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, read by hand, drafted) for every field the hand reading gives."""
    if "persons" in expected:
        return _schedule(draft, expected)
    return _ownership(draft, expected)


def _schedule(draft: Draft, expected: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    filing = draft.filing
    out = [
        ("amendment", expected["amendment"], filing.get("amendment")),
        ("issuer_name", expected["issuer_name"], filing.get("issuer_name")),
        ("class_title", expected["class_title"], filing.get("class_title")),
        ("cusip", str(expected["cusip"]), filing.get("cusip")),
        ("event_date", expected["event_date"], _day(filing.get("event_date"))),
        ("signature_date", expected["signature_date"], _day(filing.get("signed"))),
    ]
    parties = [e for e in draft.events if e["type"] == "PartyRegistered"]
    reports = [e for e in draft.events if e["type"] == "BeneficialOwnershipReported"]
    for n, person in enumerate(expected["persons"], start=1):
        party = parties[n - 1] if n <= len(parties) else {}
        report = next((r for r in reports if r["party"] == party.get("party")), {})
        where = f"person {n}"
        out.append((f"{where} name", person["name"], party.get("name")))
        out.append((f"{where} citizenship", person["citizenship"], party.get("jurisdiction")))
        if person["member_of_group_a"] is not None:
            out.append((f"{where} member_of_group", person["member_of_group_a"], report.get("member_of_group")))
        for key in _POWERS:
            out.append((f"{where} {key}", person[key], report.get(key)))
        out.append((f"{where} aggregate", person["aggregate"], report.get("beneficially_owned")))
        out.append((f"{where} percent", person["percent"], report.get("percent")))
        out.append((f"{where} type", person["type"], report.get("reporting_type")))
    return out


def _ownership(draft: Draft, expected: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    filing = draft.filing
    out = [
        ("issuer_cik", expected["issuer_cik"], filing.get("issuer_cik") and str(int(filing["issuer_cik"]))),
        ("period_of_report", expected["period_of_report"], _day(filing.get("event_date"))),
        ("signature_date", expected["signature_date"], _day(filing.get("signed"))),
    ]
    owners = filing.get("owners") or []
    for n, owner in enumerate(expected["owners"], start=1):
        got = owners[n - 1] if n <= len(owners) else (None, None)
        out += [(f"owner {n} cik", owner["cik"], got[0]), (f"owner {n} name", owner["name"], got[1])]
    rows = {e["source"]["locator"]: e for e in draft.events}
    # An exercise stands for its Table I row and the Table II row it pairs with: "<I> with <II>".
    moving = {e["source"]["locator"].split(" with ")[0]: e for e in draft.events
              if e["type"] != "HoldingReported" and not e.get("inference")}
    for n, row in enumerate(expected["table_one"], start=1):
        where = f"Table I, transaction row {n}"
        matched = moving.get(where, {}).get("quantity")
        following = rows.get(f"{where}, owned following", {})
        out.append((f"{where} shares", row["shares"], matched))
        out.append((f"{where} owned_following", row["owned_following"], following.get("quantity")))
        out.append((f"{where} date", row["date"], _day(following.get("effective_date"))))
        direct = {"direct": "D", "indirect": "I"}.get(following.get("ownership"))
        out.append((f"{where} direct_indirect", row["direct_indirect"], direct))
    for n, row in enumerate(expected["table_two"], start=1):
        where = f"Table II, transaction row {n}"
        following = rows.get(f"{where}, owned following", {})
        out.append((f"{where} owned_following", row["owned_following"], following.get("quantity")))
    return out


def compare(folder: Path) -> list[tuple[str, int, int, list[tuple[str, Any, Any]]]]:
    """(file, fields right, fields, the wrong ones) for every filing read by hand that is in `folder`."""
    out = []
    for name, expected in by_hand().items():
        path = folder / name
        if not path.is_file():
            continue
        draft = extract_document(path.read_text(errors="replace"), name)
        checked = fields(draft, expected)
        wrong = [f for f in checked if f[1] != f[2]]
        out.append((name, len(checked) - len(wrong), len(checked), wrong))
    return out


if __name__ == "__main__":
    total = right = 0
    for name, good, count, wrong in compare(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/filings")):
        total, right = total + count, right + good
        print(f"{name}: {good} of {count} fields as read by hand")
        for field, hand, got in wrong:
            print(f"    {field}: by hand {hand!r}, drafted {got!r}")
    print(f"all: {right} of {total} ({100 * right / max(total, 1):.1f}%)")
