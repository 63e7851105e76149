"""The history: the one way from the log to a state on a date, as known at an instant.

A full replay (stream), the read models that writers keep beside the log (readmodel, and
the queryable tables of sqlviews), and the questions asked of them (queries, snapshot).

May import: ledger.errors, ledger.common, ledger.log."""
