"""Open Cap Format v1.2.0: export (ledger.ocf.export), import (ledger.ocf.import_), offline schemas."""
