"""`ledger verify --sources FOLDER`: every recorded quote stands, word for word, in the
document it cites.

The ledger records which document each event comes from (`source.document`, the event file's
`document.id`); the event files in FOLDER say which file each document is (`document.file`),
found in FOLDER/sources/ or in FOLDER itself. A quote is compared with the document's text
with every run of white space taken as one space (filings wrap lines anywhere), and nothing
else forgiven: a changed letter, digit or mark is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger.checks.integrity import Report
from ledger.errors import UsageError
from ledger.intake.inputs import read_user_text
from ledger.intake.loader import document_headers
from ledger.log.store import Store

SHOWN = 160  # characters of a quote shown in a problem


def normal_space(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Document:
    id: str
    path: Path
    text: str  # with white space runs as single spaces


def source_documents(folder: str) -> dict[str, Document]:
    """The documents the event files in `folder` name, by document id, read once each."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"{folder}: not a folder of event files and their sources")
    out: dict[str, Document] = {}
    for path, header in document_headers(folder):
        if not header.file or header.id in out:
            continue
        candidates = [root / "sources" / header.file, root / header.file, path.parent / header.file]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise UsageError(f"{path}: document.file {header.file!r} is in neither {root / 'sources'} nor {root}")
        out[header.id] = Document(header.id, found, normal_space(read_user_text(found, errors="replace")))
    return out


def verify_sources(store: Store, folder: str) -> Report:
    report = Report()
    documents = source_documents(folder)
    checked = skipped = unquoted = not_found = 0
    elsewhere: set[str] = set()
    for issuer in store.issuers():
        for record in store.raw_records(issuer, lenient=True):
            event = record.get("event")
            source = event.get("source") if isinstance(event, dict) else None
            if not isinstance(source, dict):
                continue  # an unreadable record: the log's own check reports it
            document = documents.get(source.get("document"))
            if document is None:
                skipped += 1
                elsewhere.add(str(source.get("document")))
                continue
            quote = normal_space(str(source.get("quote") or ""))
            if not quote:
                unquoted += 1
                continue
            checked += 1
            if quote not in document.text:
                not_found += 1
                shown = quote if len(quote) <= SHOWN else quote[:SHOWN] + "..."
                report.problems.append(
                    f"{issuer}: record {record.get('sequence')} ({event.get('type')}, {document.id}, "
                    f"{source.get('locator')}): quote not in {document.path}: \u201c{shown}\u201d")
    if checked == 0 and unquoted == 0:
        report.problems.append(f"{folder}: its event files name none of the documents this ledger cites")
    report.lines.append(
        f"sources: {checked - not_found} of {checked} quotes "
        f"found word for word in {len(documents)} documents of {folder}"
        + (f"; {unquoted} events quote nothing" if unquoted else "")
        + (f"; {skipped} events cite documents it does not hold ({', '.join(sorted(elsewhere)[:3])}"
           f"{', ...' if len(elsewhere) > 3 else ''})" if skipped else ""))
    return report
