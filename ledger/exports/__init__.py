"""Audit exports: JSONL with the hash chain, CSV, Open Cap Format, HTML."""
