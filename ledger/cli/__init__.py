"""The `ledger` command: a thin skin over the library (ledger.api) and the jobs.

May import: any part of ledger."""
