"""Draft event files from legacy EDGAR text filings, for a person to review.

``extract_filing(text, file_name)`` reads Schedule 13D / 13G cover pages and
warrant certificates printed as exhibits, and returns a ``Draft``: the document
header, events as plain dicts in the event-file format, and the list of
figures that could not be read (never guessed). ``Draft.to_yaml()`` gives the
event file text. Pure: text in, data out.

Modules, one job each: text (pages, lines, dates), slugs (draft identifiers),
header (first-page captions), cover_pages (finding rows), values (reading a
cell), figures (a cover page's figures), exhibits, warrants (certificates),
emit (event dicts), draft (the Draft and its YAML), filing (putting it together).
"""

from ledger.intake.extract.draft import Draft
from ledger.intake.extract.filing import extract_filing

__all__ = ["Draft", "extract_filing"]
