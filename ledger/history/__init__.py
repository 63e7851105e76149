"""The history: the one way from the log to a state on a date, as known at an instant.

A full replay (stream), the read models that writers keep beside the log (readmodel, the
holdings intervals, and the queryable tables of sqlviews), the checkpoints this machine keeps
as plain data in its cache (checkpoints, state_data), and the questions asked of them
(queries, direct, snapshot).

May import: ledger.errors, ledger.common, ledger.log."""
