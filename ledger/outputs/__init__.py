"""Outputs: answers as tables, JSON or CSV, the journal, and the exports (JSONL, CSV, HTML, SVG, OCF).

May import: ledger.errors, ledger.common, ledger.log, ledger.history."""
