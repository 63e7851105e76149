"""Checks: `verify` (the chain, every identity, every derived table against a fresh fold) and
`verify --sources` (every quote word for word in its document).

May import: ledger.errors, ledger.common, ledger.log, ledger.history, ledger.intake."""
