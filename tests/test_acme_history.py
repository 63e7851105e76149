"""The small Acme history (tests/data/acme), every figure derived by hand.

Acme on 2020-01-01: alice 1,000,000 common, bob 500,000 common, fund-lp
100,000 Series A preferred (converts 2:1 into common upon stockholder approval).
Warrant w-1 (2020-02-01): 300,000 common at $2.00 to fund-lp, expiring
2025-01-01, in three tranches of 100,000: from 2020-03-01, from 2020-06-01,
and on a revenue milestone.
"""

from __future__ import annotations




def by_key(rows):
    return {(r["party"], r["security"]): r for r in rows}


def holdings(ledger, day, *extra):
    return by_key(ledger.rows("holdings", "--as-of", day, *extra))


def test_before_first_tranche(acme):
    h = holdings(acme, "2020-02-29")
    assert h[("alice", "common")]["quantity"] == 1_000_000
    assert h[("bob", "common")]["quantity"] == 500_000
    assert h[("fund-lp", "pref-a")]["quantity"] == 100_000
    w = h[("fund-lp", "w-1")]
    assert (w["quantity"], w["exercisable"], w["exercise_price"], w["expires"]) == (300_000, 0, "2.00", "2025-01-01")
    assert w["underlying"] == "common" and w["kind"] == "warrant"


def test_first_tranche_date(acme):
    assert holdings(acme, "2020-03-01")[("fund-lp", "w-1")]["exercisable"] == 100_000


def test_after_cash_exercise(acme):
    # 50,000 exercised for cash: 50,000 common issued, 250,000 left, 100,000 - 50,000 exercisable.
    h = holdings(acme, "2020-04-01")
    assert h[("fund-lp", "common")]["quantity"] == 50_000
    assert (h[("fund-lp", "w-1")]["quantity"], h[("fund-lp", "w-1")]["exercisable"]) == (250_000, 50_000)


def test_second_tranche_date(acme):
    # Day before: 50,000 exercisable; on 2020-06-01 the second 100,000 join.
    assert holdings(acme, "2020-05-31")[("fund-lp", "w-1")]["exercisable"] == 50_000
    assert holdings(acme, "2020-06-01")[("fund-lp", "w-1")]["exercisable"] == 150_000


def test_after_cashless_exercise(acme):
    # X = floor(100,000 x (5.00 - 2.00) / 5.00) = 60,000; 50,000 + 60,000 = 110,000 common.
    h = holdings(acme, "2020-07-01")
    assert h[("fund-lp", "common")]["quantity"] == 110_000
    assert (h[("fund-lp", "w-1")]["quantity"], h[("fund-lp", "w-1")]["exercisable"]) == (150_000, 50_000)


def test_condition_met(acme):
    # The milestone tranche joins: 300,000 become exercisable in all, 150,000 already used.
    assert holdings(acme, "2020-07-31")[("fund-lp", "w-1")]["exercisable"] == 50_000
    assert holdings(acme, "2020-08-01")[("fund-lp", "w-1")]["exercisable"] == 150_000


def test_conversion_after_approval(acme):
    # 40,000 preferred converted at 2:1 -> 80,000 common; 110,000 + 80,000 = 190,000.
    h = holdings(acme, "2020-10-01")
    assert h[("fund-lp", "pref-a")]["quantity"] == 60_000
    assert h[("fund-lp", "common")]["quantity"] == 190_000


def test_transfer(acme):
    h = holdings(acme, "2020-11-01")
    assert h[("alice", "common")]["quantity"] == 800_000
    assert h[("bob", "common")]["quantity"] == 700_000


def test_split_doubles_shares_and_warrant_halves_price(acme):
    h = holdings(acme, "2021-01-01")
    assert h[("alice", "common")]["quantity"] == 1_600_000
    assert h[("bob", "common")]["quantity"] == 1_400_000
    assert h[("fund-lp", "common")]["quantity"] == 380_000
    assert h[("fund-lp", "pref-a")]["quantity"] == 60_000  # the split is of common only
    w = h[("fund-lp", "w-1")]
    # 150,000 left -> 300,000, all exercisable; $2.00 -> $1.00.
    assert (w["quantity"], w["exercisable"], w["exercise_price"]) == (300_000, 300_000, "1.00")


def test_expiry(acme):
    assert ("fund-lp", "w-1") in holdings(acme, "2024-12-31")
    assert ("fund-lp", "w-1") not in holdings(acme, "2025-01-01")


def test_note_row(acme):
    note = holdings(acme, "2020-05-01")[("bob", "note-1")]
    assert note["kind"] == "note" and note["principal"] == "250000.00"


def test_json_envelope_and_formats(acme):
    r = acme("holdings", "--as-of", "2020-04-01", "--format", "json", "--known-at", "2022-01-10T09:00:00Z")
    body = r.json()
    assert body["as_of"] == "2020-04-01" and body["known_at"].startswith("2022-01-10T09:00:00")
    csv_out = acme("holdings", "--as-of", "2020-04-01", "--format", "csv").out.splitlines()
    assert csv_out[0].startswith("party,security,kind,underlying,quantity,exercisable")
    assert "fund-lp,common,shares,,50000,,,,,,,," in csv_out  # 13 columns: the bounds are empty
    table = acme("holdings", "--as-of", "2020-04-01").out
    assert "250,000" in table and "fund-lp" in table


def test_known_at_before_import_sees_nothing(acme):
    assert acme.rows("holdings", "--as-of", "2020-04-01", "--known-at", "2022-01-10T08:59:59Z") == []
