"""The log: what was recorded, where (targets), in one hash chain per issuer (chain, store).

May import: ledger.errors, ledger.common."""
