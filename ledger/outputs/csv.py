"""The projections as a folder of CSV files, each row stamped with its as-of and known-at instants.

One file per report, a header row in each, and `manifest.json` naming the
issuer, both instants and every file with its row count and sha256, so an
auditor can check that nothing was altered after export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.common.paths import write_folder
from ledger.history.snapshot import Snapshot
from ledger.outputs.render import to_csv

# Preferred column order per report; any other key a row has is appended, never dropped.
COLUMNS: dict[str, list[str]] = {
    "holdings": ["party", "security", "kind", "underlying", "quantity", "exercisable", "exercise_price",
                 "expires", "principal", "quantity_at_least", "quantity_at_most", "exercisable_at_least",
                 "exercisable_at_most"],
    "captable": ["security", "outstanding", "outstanding_at_least", "fully_diluted", "fully_diluted_at_least",
                 "fully_diluted_at_most", "not_yet_convertible", "not_yet_convertible_at_least",
                 "not_yet_convertible_at_most", "reported_outstanding", "reported_on"],
    "voting": ["party", "votes", "percent", "complete", "missing"],
    "ownership": ["security", "party", "beneficially_owned", "acquirable_within_60_days", "percent",
                  "sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive", "group",
                  "complete", "missing"],
    "rights": ["agreement", "right", "kind", "party", "status", "explanation"],
    "reconcile": ["kind", "subject", "status", "reported", "derived", "explanation", "sources"],
}
COLUMNS["ownership_reported"] = COLUMNS["ownership"]
STAMP = ["as_of", "known_at"]


def report_rows(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """Every report's rows on the snapshot's date (pure: no I/O)."""
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.ownership import ownership_rows  # noqa: PLC0415
    from projections.reconcile import reconcile  # noqa: PLC0415
    from projections.rights import rights_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    state, day = snapshot.state, snapshot.query.as_of
    common = snapshot.state.common_class()

    def ownership(mode: str) -> list[dict[str, Any]]:
        if common is None:
            return []
        return [{"security": common, **r} for r in ownership_rows(state, common, day, mode=mode)]

    return {
        "holdings": holdings_rows(state, day),
        "captable": captable_rows(state, day),
        "voting": voting_rows(state, day),
        "ownership": ownership("best"),
        "ownership_reported": ownership("reported"),
        "rights": rights_rows(state, day),
        # What the documents recorded by the as-of date say, against each other and the ledger.
        "reconcile": reconcile(snapshot.to_date),
    }


def columns_for(name: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    columns = STAMP + COLUMNS.get(name, [])
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def csv_files(snapshot: Snapshot) -> dict[str, str]:
    """File name -> CSV text, every row stamped with as_of and known_at."""
    stamp = {"as_of": snapshot.query.as_of.isoformat(), "known_at": snapshot.query.known_at.isoformat()}
    out = {}
    for name, rows in report_rows(snapshot).items():
        stamped = [{**stamp, **row} for row in rows]
        out[f"{name}.csv"] = to_csv(stamped, columns_for(name, rows))
    return out


def manifest(snapshot: Snapshot, files: dict[str, str]) -> dict[str, Any]:
    return {
        **snapshot.header(),
        "ownership_security": snapshot.state.common_class(),
        "notes": {
            "ownership.csv": "Rule 13d-3, denominator by the rule: the derived count where complete, "
                             "else the latest reported; each row says which",
            "ownership_reported.csv": "Rule 13d-3, denominator the latest SharesOutstandingReported "
                                      "on or before as_of (as filers do)",
            "reconcile.csv": "checks over the events effective on or before as_of",
        },
        "files": [{"name": name, "rows": max(0, text.count("\n") - 1),
                   "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
                  for name, text in files.items()],
    }


def export_csv(snapshot: Snapshot, out: str, *, force: bool = False) -> dict[str, Any]:
    files = csv_files(snapshot)
    meta = manifest(snapshot, files)
    write_folder(out, {name: text.encode("utf-8") for name, text in
                       {**files, "manifest.json": json.dumps(meta, indent=2) + "\n"}.items()}, force=force)
    return meta
