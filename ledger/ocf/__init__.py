"""Open Cap Format v1.2.0: export (ledger.ocf.export) and import (ledger.ocf.import_)."""
