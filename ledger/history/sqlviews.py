"""Queryable read models: holdings, cap table, voting and ownership at each event date.

Materialised with sqlite-utils into tables anyone can query with SQL
(`rm_holdings`, `rm_captable`, `rm_voting`, `rm_ownership`, each with
`issuer` and `as_of`), rebuilt from the log on demand (`ledger readmodels`),
and compared with a fresh rebuild by `verify` when present.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from ledger.history.interval_table import NOTE, OPEN_EPOCH, POOL, SHARES, WARRANT
from projections.captable import captable_rows
from projections.fold import apply
from projections.holdings import holdings_rows
from projections.ownership import ownership_rows
from projections.state import State
from projections.voting import voting_rows

TABLES = ("rm_holdings", "rm_captable", "rm_voting", "rm_ownership")


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    # SQL columns hold scalars; lists (what is missing) are kept as JSON text.
    return {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()}


def snapshots(history) -> Iterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    """For each event date, in order, the rows of every projection at the end of that date.

    `history` may be any iterable (verify streams it from the log): one event of look-ahead."""
    state = State()
    events = iter(history)
    following = next(events, None)
    while following is not None:
        event, following = following, next(events, None)
        apply(state, event)
        last_of_day = following is None or following.effective_date != event.effective_date
        if not last_of_day:
            continue
        day = event.effective_date
        common = state.common_class()
        yield day.isoformat(), {
            "rm_holdings": holdings_rows(state, day),
            "rm_captable": captable_rows(state, day),
            "rm_voting": voting_rows(state, day),
            "rm_ownership": [{"security": common, **r} for r in ownership_rows(state, common, day)] if common else [],
        }


def expected_rows(issuer: str, history) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for day, tables in snapshots(history):
        for table, rows in tables.items():
            out[table].extend(_flat({"issuer": issuer, "as_of": day, **r}) for r in rows)
    return out


def build(db: sqlite_utils.Database, issuer: str, history) -> dict[str, int]:
    rows = expected_rows(issuer, history)
    with db.conn:
        for table in TABLES:
            if table in db.table_names():
                db.execute(f"delete from {table} where issuer=?", [issuer])  # noqa: S608 (fixed names)
            if rows[table]:
                db[table].insert_all(rows[table], alter=True, batch_size=2000)
                db[table].create_index(["issuer", "as_of"], if_not_exists=True)
    return {t: len(r) for t, r in rows.items()}


# Canned queries for Datasette (`datasette LEDGER.db -m metadata.json`): the read models as a
# browser over the ledger. Each names its parameters with a colon, as Datasette reads them.
PARTY_FIELDS_SQL = " or ".join(
    [f"json_extract(body, '$.{f}') = :party" for f in
     ("party", "holder", "from_holder", "to_holder", "controller", "controlled", "group", "requested_by",
      "nominated_by", "in_favor_of", "subject")]
    + [f"exists (select 1 from json_each(body, '$.{f}') where value = :party)" for f in
       ("members", "parties", "consented_by", "voters")])
# The fields of holdings rows (projections.holdings) shown as columns: those of shares,
# warrants and grants, and a note's principal. The rest (a note's or SAFE's terms, a pool's
# figures) are in the row's JSON, shown beside them.
HOLDINGS_FIELDS = ("party", "security", "kind", "underlying", "quantity", "quantity_at_least", "quantity_at_most",
                   "exercisable", "exercisable_at_least", "exercisable_at_most", "vested", "vested_at_least",
                   "vested_at_most", "plan", "exercise_price", "expires", "principal", "missing")
CANNED = {
    "captable_as_of": {
        "title": "Cap table as of a date",
        "description": "Each class on the last event date on or before :date (a date on which only an expiry "
                       "or a dated tranche acts is not split here: `ledger captable --as-of` is exact). "
                       "A figure the sources leave open is NULL, with its _at_least / _at_most.",
        "sql": "select * from rm_captable where issuer = :issuer and as_of = "
               "(select max(as_of) from rm_captable where issuer = :issuer and as_of <= :date) order by security",
    },
    "outstanding_as_of": {
        "title": "Shares outstanding per class on any date",
        "description": "From the validity intervals every writer keeps (no `ledger readmodels` needed): each "
                       "class's shares held on :date, summed over the holdings in force that day. A holding no "
                       "source gives a number for is not in the sum: `ledger captable` says which.",
        "sql": "select security, sum(json_extract(row, '$.quantity')) as outstanding, count(*) as holdings "
               f"from rm_holdings_iv where issuer = :issuer and ord = {SHARES} "
               f"and epoch in ({OPEN_EPOCH}, cast(substr(:date, 1, 4) as integer)) and valid_from <= :date and valid_to > :date "
               "group by security order by security",
    },
    "holdings_of_party": {
        "title": "One party's holdings as of a date",
        "description": "From the validity intervals every writer keeps (no `ledger readmodels` needed): the "
                       "party's shares, warrants and grants, notes and SAFEs in force on :date itself, in the "
                       "order `ledger holdings --party` gives them. A figure the sources leave open is NULL, "
                       "with its _at_least / _at_most and what is missing; `row` is the whole row as JSON.",
        "sql": "select " + ", ".join(f"json_extract(row, '$.{f}') as {f}" for f in HOLDINGS_FIELDS)
               # On the party index, as `ledger holdings --party` reads them: the key's range would
               # read every party's rows of the year.
               + ", row from rm_holdings_iv indexed by rm_holdings_iv_party where issuer = :issuer and party = :party "
               f"and ord in ({SHARES}, {WARRANT}, {NOTE}, {POOL}) "
               f"and epoch in ({OPEN_EPOCH}, cast(substr(:date, 1, 4) as integer)) and valid_from <= :date "
               "and valid_to > :date order by ord, security",
    },
    "party_history": {
        "title": "One party's history",
        "description": "Every event now in force that names the party, or acts on a warrant or note it was "
                       "issued, with its source; the event itself is `body` (JSON).",
        "sql": "select sequence, effective_date, type, json_extract(body, '$.source.document') as document, "
               "json_extract(body, '$.source.locator') as locator, json_extract(body, '$.source.quote') as quote, "
               "body from rm_timeline where issuer = :issuer and active = 1 and ("
               + PARTY_FIELDS_SQL
               + " or coalesce(json_extract(body, '$.warrant'), json_extract(body, '$.note')) in "
               "(select coalesce(json_extract(body, '$.warrant'), json_extract(body, '$.note')) from rm_timeline "
               "where issuer = :issuer and type in ('WarrantIssued', 'NoteIssued') "
               "and json_extract(body, '$.holder') = :party)) order by effective_date, sequence",
    },
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for a ledger file whose name (without .db) is `database`."""
    return {
        "title": "Issuance ledger",
        "description": "The log as stored (log_records: each record as JSON text), the events now in force with "
                       "their sources (events), the parties (parties), the validity intervals every writer keeps "
                       "(rm_holdings_iv), and the read models at each event date (rm_holdings, rm_captable, "
                       "rm_voting, rm_ownership; `ledger readmodels` builds them).",
        "databases": {database: {"queries": CANNED}},
    }


def differences(db: sqlite_utils.Database, issuer: str, history) -> list[str]:
    """Tables whose stored rows differ from a fresh rebuild (only tables that exist)."""
    present = [t for t in TABLES if t in db.table_names()]
    if not present or not db.execute(f"select 1 from {present[0]} where issuer=? limit 1", [issuer]).fetchone():  # noqa: S608
        return []  # never built for this issuer: nothing to compare
    expected = expected_rows(issuer, history)
    # Round-trip the fresh rows through SQLite so both sides have the stored table's types.
    scratch = sqlite_utils.Database(memory=True)
    out = []
    for table in TABLES:
        if table not in db.table_names():
            continue
        if expected[table]:
            # The stored table's column types were set by whichever issuer was built first.
            scratch[table].create(db[table].columns_dict)
            scratch[table].insert_all(expected[table], alter=True)
        stored = [{k: v for k, v in r.items() if v is not None}
                  for r in db.query(f"select * from {table} where issuer=?", [issuer])]  # noqa: S608
        fresh = [{k: v for k, v in r.items() if v is not None}
                 for r in (scratch.query(f"select * from {table}") if expected[table] else [])]  # noqa: S608
        key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
        if sorted(map(key, stored)) != sorted(map(key, fresh)):
            out.append(table)
    return out
