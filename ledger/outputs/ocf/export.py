"""`ledger export ocf`: an OCF v1.2.0 package, as a folder or a `.ocf.zip`.

The package is a pure function of the snapshot (same ledger, same as-of and
known-at: same bytes); only `write_package` touches the disk.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from events import EventCorrected, EventRetracted
from ledger.common.ocf import FILES, MANIFEST, OCF_VERSION, meta_comment
from ledger.common.paths import atomic_file, output_path, write_folder
from ledger.history.snapshot import Snapshot
from ledger.outputs.ocf.build import Package, build_package, restore_external_ids
from ledger.outputs.ocf.models import through_model

# Fixed so that a zip of the same package is the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def dump(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def corrections(snapshot: Snapshot) -> list[str]:
    """Corrections and retractions recorded by known-at: already applied to what is exported."""
    out = []
    for record in snapshot.records:
        e = record["event"]
        if e.get("type") in (EventCorrected.__name__, EventRetracted.__name__):
            target = e.get("corrects") or e.get("retracts")
            out.append(f"{e['type']} {record['event_id']} of {target}: {e.get('reason', '')} "
                       f"(recorded {record['recorded_at']}; already applied to this package)")
    return out


def open_figures(snapshot: Snapshot) -> dict[str, list[str]]:
    """Per class, the cap-table figures the sources leave open on the as-of date, in words.

    OCF has no field for a count that is not known: a reader summing the package's
    transactions would take a holding no source numbers as none. Each class, and the
    manifest, says which figures that sum does not give, with their bounds and what is missing."""
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.open_figures import open_figure  # noqa: PLC0415

    day = snapshot.query.as_of
    out: dict[str, list[str]] = {}
    for row in captable_rows(snapshot.state, day):
        words = [f"{key.replace('_', ' ')} on {day}: {open_figure(row, key) or 'not derivable'}"
                 for key in ("outstanding", "fully_diluted") if row.get(key) is None]
        if words:
            out[row["security"]] = [f"Open figure: {w}; the transactions here do not give it"
                                    for w in words] + [f"Missing: {m}" for m in row.get("missing", [])]
    return out


def package_files(snapshot: Snapshot) -> tuple[dict[str, bytes], Package]:
    """File name -> bytes, the manifest last (it holds the others' md5s)."""
    events = snapshot.to_date
    pkg = build_package(snapshot.query.issuer, events)
    unknown = open_figures(snapshot)
    for obj in pkg.stock_classes:
        if obj["id"] in unknown:
            # Before the machine-readable comment, which stays last.
            obj["comments"][-1:-1] = unknown[obj["id"]]
    restore_external_ids(pkg, events)
    for objects in (pkg.stakeholders, pkg.stock_classes, pkg.vesting_terms, pkg.stock_plans, pkg.transactions,
                    pkg.documents):
        objects[:] = [through_model(obj) for obj in objects]
    contents = {
        "stakeholders_files": pkg.stakeholders, "stock_classes_files": pkg.stock_classes,
        "vesting_terms_files": pkg.vesting_terms, "stock_plans_files": pkg.stock_plans or None,
        "transactions_files": pkg.transactions,
        "documents_files": pkg.documents,
    }
    files: dict[str, bytes] = {}
    manifest: dict[str, Any] = {
        "ocf_version": OCF_VERSION, "file_type": "OCF_MANIFEST_FILE", "issuer": pkg.issuer,
        "as_of": snapshot.query.as_of.isoformat(),
        # The instant the ledger's records are taken at, so the same export gives the same bytes.
        "generated_at": snapshot.query.known_at.isoformat(),
    }
    for key, (name, file_type) in FILES.items():
        items = contents.get(key)
        if items is None:
            manifest[key] = []
            continue
        files[name] = dump({"file_type": file_type, "items": items})
        manifest[key] = [{"filepath": f"./{name}", "md5": hashlib.md5(files[name]).hexdigest()}]  # noqa: S324
    carried = {t: sorted(kinds) for t, kinds in sorted(pkg.carried.items())}
    manifest["comments"] = [
        f"Exported by issuance-ledger: issuer {snapshot.query.issuer}, events effective on or before "
        f"{snapshot.query.as_of}, as recorded by {snapshot.query.known_at.isoformat()}; amounts in USD.",
        f"{len(events)} events: " + "; ".join(f"{t} -> {', '.join(k) or 'nothing'}" for t, k in carried.items()),
        "Events OCF has no object for travel as DOCUMENT objects embedding the ledger event as JSON "
        "(data: URI, md5 of the JSON); what OCF objects lack is in each object's 'ledger:' comment.",
        *corrections(snapshot),
        *(f"{security}: {words}" for security, lines in unknown.items() for words in lines),
        meta_comment({"issuer": snapshot.query.issuer, "as_of": snapshot.query.as_of.isoformat(),
                      "known_at": snapshot.query.known_at.isoformat(), "events": len(events)}),
    ]
    files = {MANIFEST: dump(manifest), **files}
    return files, pkg


def write_package(out: str, files: dict[str, bytes], *, force: bool) -> Path:
    if not out.lower().endswith(".ocf.zip"):
        return write_folder(out, files, force=force)
    path = output_path(out, force=force)
    with atomic_file(path, label=out) as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return path


def export_package(snapshot: Snapshot, out: str, *, force: bool = False) -> dict[str, int]:
    files, pkg = package_files(snapshot)
    write_package(out, files, force=force)
    return {"stakeholders": len(pkg.stakeholders), "stock_classes": len(pkg.stock_classes),
            "transactions": len(pkg.transactions), "documents": len(pkg.documents)}
