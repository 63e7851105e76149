"""Intake: files in. Event files read strictly, OCF packages, drafts from EDGAR filings, and a
batch checked against the whole history, then appended all or nothing.

May import: ledger.errors, ledger.common, ledger.log, ledger.history, ledger.outputs."""
