"""What every job shares: writing files whole, progress bars, the collector paused, OCF's terms.

May import: ledger.errors."""
