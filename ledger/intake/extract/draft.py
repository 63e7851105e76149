"""The draft: document header, events, what could not be read, and its YAML text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass
class Draft:
    document: dict[str, Any]  # id, issuer, title, file, date
    events: list[dict[str, Any]]
    unread: list[dict[str, str]]  # {locator, field, reason}
    # Identifiers the events use but do not create:
    # {"securities": {slug: title}, "parties": {slug: name}}
    requires: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # disagreements within the filing, events left out
    event_notes: list[list[str]] = field(default_factory=list)  # review notes, one list per event
    filing: dict[str, Any] = field(default_factory=dict)  # form, amendment, cusip, issuer_name, ...
    # Indexes of events inferred as a holder's position before its first reported row: a batch of
    # filings (ledger.intake.filings) keeps only the first of each.
    openings: set[int] = field(default_factory=set)

    def to_yaml(self) -> str:
        """A valid event file, with the review notes as comments."""
        out: list[str] = []
        out += _comment_block(self._header_lines())
        document = {k: v for k, v in self.document.items() if v is not None}
        out.append(_dump({"document": document}).rstrip("\n"))
        if not self.events:
            out.append("events: []")
            return "\n".join(out) + "\n"
        out.append("events:")
        for i, event in enumerate(self.events):
            notes = self.event_notes[i] if i < len(self.event_notes) else []
            for note in notes:
                out.append(f"  # {_one_line(note)}")
            body = _dump([event]).rstrip("\n")
            out.extend("  " + line for line in body.splitlines())
        return "\n".join(out) + "\n"

    def _header_lines(self) -> list[str]:
        lines = [
            "DRAFT event file extracted by `ledger extract` from "
            f"{self.document.get('file') or 'a filing'}.",
            "Review it against the filing before importing: every figure, and every identifier.",
            "Identifiers (document id, issuer, party, security and warrant slugs) are drafts:",
            "rename them to the ones the ledger already uses for the same issuer, parties and classes.",
            "PartyRegistered events may repeat parties registered by an earlier filing: drop those.",
            "",
        ]
        filing = self.filing
        facts = []
        if filing.get("title"):
            facts.append(str(filing["title"]))
        if filing.get("issuer_name"):
            facts.append(f"issuer {filing['issuer_name']}")
        if filing.get("cusip"):
            facts.append(f"CUSIP {filing['cusip']}")
        if facts:
            lines.append("Filing: " + "; ".join(facts))
        if filing.get("class_title"):
            lines.append(f"Title of class: {filing['class_title']}")
        dates = []
        if filing.get("event_date"):
            dates.append(f"date of event requiring the filing {filing['event_date']}")
        if filing.get("signed"):
            dates.append(f"signed {filing['signed']}")
        if dates:
            lines.append("Dates: " + "; ".join(dates))
        lines.append("")
        lines.append("Must exist in the ledger before import (this file does not create them):")
        securities = self.requires.get("securities", {})
        parties = self.requires.get("parties", {})
        lines.append(f"  issuer: {self.document.get('issuer')}")
        if securities:
            lines.append("  securities:")
            lines += [f"    - {slug}: {title}" for slug, title in securities.items()]
        if parties:
            lines.append("  parties (holders without a cover page in this filing):")
            lines += [f"    - {slug}: {name}" for slug, name in parties.items()]
        lines.append("")
        if self.unread:
            lines.append("Not read (never guessed; fill in by hand what the filing states):")
            for item in self.unread:
                lines.append(f"  - {item['locator']}: {item['field']}: {item['reason']}")
        else:
            lines.append("Not read: nothing.")
        if self.notes:
            lines.append("")
            lines.append("Notes (disagreements within the filing, events not emitted):")
            lines += [f"  - {note}" for note in self.notes]
        return lines


class _Dumper(yaml.SafeDumper):
    """No anchors and aliases: a date used twice (signed, and filed on its signature) is written twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _comment_block(lines: list[str]) -> list[str]:
    return [f"# {' '.join(line.splitlines())}".rstrip() if line.strip() else "#" for line in lines]

