"""The history as an Open Cap Format v1.2.0 package (its reader is ledger.intake.ocf)."""
