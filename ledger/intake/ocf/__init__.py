"""An Open Cap Format v1.2.0 package read into events (its exporter is ledger.outputs.ocf)."""
