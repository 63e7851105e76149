"""Equity compensation: the Lumen example history (replay_data/lumen, every figure derived by
hand in its README), the fold's rules for plans and grants, and vesting as a property.

Lumen: ana and ben 4,000,000 common each; a 2,000,000-share plan; options of 480,000 (cara)
and 240,000 (dev) at $0.10 granted 2022-04-01, vesting 1/4 at one year then 1/48 monthly,
three months to exercise after leaving; 24,000 RSUs to eve from 2022-06-15, 1/24 monthly;
north-fund 2,000,000 Series Seed (1:1) on 2022-09-01; eve's 12,000 released 2023-06-15 with
3,000 withheld; dev leaves 2023-08-20 and exercises 50,000 on 2023-10-02; common splits 2:1
on 2024-01-15; harbor-angels' $500,000 post-money SAFE (cap $10,000,000, 20% discount) of
2023-01-15 converts at the Series A of 2024-03-01 ($0.80 a share, ridge-capital 2,500,000).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.test_import_rules import refused

LUMEN = ROOT / "replay_data" / "lumen"


@pytest.fixture
def lumen(ledger):
    with freeze_time("2024-06-01T09:00:00Z"):
        r = ledger("import", LUMEN)
    assert r.code == 0, r.err
    return ledger


def by_party(ledger, day):
    return {r["party"]: r for r in ledger.rows("captable", "--by", "holder", "--as-of", day)}


def holding(ledger, day, party, security):
    [row] = [r for r in ledger.rows("holdings", "--as-of", day, "--party", party) if r["security"] == security]
    return row


def test_the_cliffs_eve_and_day(lumen):
    # Nothing of the options vests before the cliff; on it, 12/48: 120,000 of cara's, 60,000 of dev's.
    # eve's RSUs vest 1,000 a month from 2022-07-15: 9 months by 2023-03-31.
    assert holding(lumen, "2023-03-31", "cara", "opt-cara")["vested"] == 0
    assert holding(lumen, "2023-04-01", "cara", "opt-cara")["vested"] == 120_000
    assert holding(lumen, "2023-04-01", "dev", "opt-dev")["vested"] == 60_000
    eve = holding(lumen, "2023-03-31", "eve", "rsu-eve")
    assert (eve["kind"], eve["quantity"], eve["vested"], eve["exercisable"]) == ("rsu", 24_000, 9_000, 0)
    # The plan: 2,000,000 less 480,000 + 240,000 + 24,000 granted = 1,256,000 available.
    pool = holding(lumen, "2023-03-31", "pool:plan-2022", "plan-2022")
    assert (pool["quantity"], pool["granted"], pool["returned"]) == (1_256_000, 744_000, 0)
    for day in ("2023-03-31", "2023-04-01"):  # vesting moves nothing in the cap table
        t = by_party(lumen, day)
        # Outstanding 10,000,000: ana 40%, north-fund 20%. Fully diluted 12,000,000: the grants
        # (744,000, vested or not) and the pool (1,256,000) on top.
        assert (t["ana"]["outstanding"], t["ana"]["percent_outstanding"]) == (4_000_000, 40.0)
        assert (t["north-fund"]["outstanding"], t["north-fund"]["percent_outstanding"]) == (2_000_000, 20.0)
        assert t["ana"]["percent_fully_diluted"] == pytest.approx(100 * 4_000_000 / 12_000_000, abs=1e-6)
        assert (t["cara"]["fully_diluted"], t["cara"]["percent_fully_diluted"]) == (480_000, 4.0)
        assert (t["pool:plan-2022"]["outstanding"], t["pool:plan-2022"]["fully_diluted"]) == (0, 1_256_000)
        assert sum(r["fully_diluted"] for r in t.values()) == 12_000_000


def test_the_departure_forfeits_the_unvested_and_opens_a_window(lumen):
    # On 2023-08-20 dev has the cliff's 60,000 and 4 x 5,000 (May to August 1st): 80,000 vested;
    # 160,000 unvested return to the pool. The vested ones stay exercisable for 3 months, through
    # 2023-11-20, and expire on 2023-11-21.
    dev = holding(lumen, "2023-08-20", "dev", "opt-dev")
    assert (dev["quantity"], dev["vested"], dev["exercisable"], dev["expires"]) == (80_000, 80_000, 80_000, "2023-11-21")
    assert holding(lumen, "2023-11-20", "dev", "opt-dev")["exercisable"] == 30_000
    assert holding(lumen, "2023-08-20", "pool:plan-2022", "plan-2022")["returned"] == 160_000


def test_after_the_exercise_and_the_release(lumen):
    t = by_party(lumen, "2023-10-02")
    # Outstanding: 10,000,000 + eve's 9,000 (12,000 released less 3,000 withheld) + dev's 50,000.
    assert sum(r["outstanding"] for r in t.values()) == 10_059_000
    assert (t["dev"]["outstanding"], t["dev"]["fully_diluted"]) == (50_000, 80_000)
    # eve: 9,000 shares, and the 12,000 units not yet released (3,000 of them vested since).
    assert (t["eve"]["outstanding"], t["eve"]["fully_diluted"]) == (9_000, 21_000)
    assert holding(lumen, "2023-10-02", "eve", "rsu-eve")["vested"] == 3_000
    # Pool: 2,000,000 - 62,000 delivered (50,000 exercised, 12,000 released) - 522,000 still
    # granted (480,000 + 30,000 + 12,000) = 1,416,000. Fully diluted 10,059,000 + 522,000 + 1,416,000.
    assert t["pool:plan-2022"]["fully_diluted"] == 1_416_000
    assert sum(r["fully_diluted"] for r in t.values()) == 11_997_000
    assert t["ana"]["percent_outstanding"] == round(100 * 4_000_000 / 10_059_000, 6)
    # The window closes after 2023-11-20: dev's 30,000 expire and return to the pool.
    t = by_party(lumen, "2023-11-21")
    assert (t["dev"]["fully_diluted"], t["pool:plan-2022"]["fully_diluted"]) == (50_000, 1_446_000)


def test_the_split_adjusts_grants_pool_and_conversion(lumen):
    t = by_party(lumen, "2024-01-15")
    # Common doubles; Series Seed now converts 1:2; cara's options double at half the price.
    assert (t["ana"]["outstanding"], t["north-fund"]["outstanding"]) == (8_000_000, 4_000_000)
    cara = holding(lumen, "2024-01-15", "cara", "opt-cara")
    assert (cara["quantity"], cara["exercise_price"]) == (960_000, "0.05")
    assert t["pool:plan-2022"]["fully_diluted"] == 2_892_000
    assert sum(r["fully_diluted"] for r in t.values()) == 2 * 11_997_000


def test_the_safe_counts_nothing_until_it_converts_at_its_cap(lumen):
    before = by_party(lumen, "2024-02-29")
    assert (before["harbor-angels"]["outstanding"], before["harbor-angels"]["fully_diluted"]) == (0, 0)
    safe = holding(lumen, "2024-02-29", "harbor-angels", "safe-harbor")
    assert (safe["kind"], safe["quantity"], safe["principal"], safe["valuation_cap"]) == ("safe", None, "500000", "10000000")
    # Cap price 10,000,000 / 24,000,000 = $0.416667 beats the discount price 0.80 x 0.8 = $0.64:
    # 500,000 / (10,000,000 / 24,000,000) = 1,200,000 Series A, as the closing memo states.
    after = by_party(lumen, "2024-03-01")
    assert after["harbor-angels"]["outstanding"] == 1_200_000
    assert after["ridge-capital"]["outstanding"] == 2_500_000
    # Outstanding 20,118,000 + 2,500,000 + 1,200,000 = 23,818,000; fully diluted
    # 23,818,000 + 960,000 + 24,000 + 2,892,000 = 27,694,000.
    assert sum(r["outstanding"] for r in after.values()) == 23_818_000
    assert sum(r["fully_diluted"] for r in after.values()) == 27_694_000
    assert after["harbor-angels"]["percent_outstanding"] == round(100 * 1_200_000 / 23_818_000, 6)
    assert [r for r in lumen.rows("holdings", "--as-of", "2024-03-01", "--party", "harbor-angels")] == [
        {"party": "harbor-angels", "security": "series-a", "kind": "shares", "quantity": 1_200_000}]


def test_a_conversion_that_disagrees_with_its_terms_is_refused(lumen, tmp_path):
    base = {"effective_date": "2024-04-01", "source": SRC}
    events = [
        {"type": "PartyRegistered", "party": "mesa", "name": "Mesa Partners", "kind": "partnership", **base,
         "effective_date": "2023-04-01"},
        {"type": "NoteIssued", "note": "note-mesa", "holder": "mesa", "principal": "100000", "interest_rate": "0.06",
         "discount": "0.15", **base, "effective_date": "2023-04-01"},
        # 2023-04-01 to 2024-04-01 is 366 days: 100,000 x (1 + 0.06 x 366/365) = 106,016.438...;
        # at 0.80 x 0.85 = $0.68 a share that is 155,906.52...: 155,906 shares.
        {"type": "ConvertibleConverted", "convertible": "note-mesa", "security": "series-a", "price_per_share": "0.80",
         "shares_issued": 155_907, **base},
    ]
    refused(lumen, write(tmp_path, events), "event 3 (ConvertibleConverted)", "shares_issued",
            "at 0.68 a share (the discount) rounds down to 155906, not 155907")
    events[2]["shares_issued"] = 155_906
    assert lumen("import", write(tmp_path, events)).code == 0
    assert holding(lumen, "2024-04-01", "mesa", "series-a")["quantity"] == 155_906
    capped = [{"type": "SafeIssued", "safe": "safe-2", "holder": "mesa", "investment": "1000", "valuation_cap": "5000000",
               **base},
              {"type": "ConvertibleConverted", "convertible": "safe-2", "security": "series-a", "price_per_share": "0.80",
               **base, "effective_date": "2024-05-01"}]
    refused(lumen, write(tmp_path, capped), "capitalization", "required: 'safe-2' is capped at 5000000")


def test_the_intervals_answer_as_the_fold_does(lumen, tmp_path):
    from ledger.history import answers  # noqa: PLC0415
    from ledger.history.readmodel import ReadModel  # noqa: PLC0415
    from ledger.log.store import Store  # noqa: PLC0415
    from projections.captable import by_holder_rows, captable_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.ownership import ownership_rows  # noqa: PLC0415

    with Store(str(lumen.db)) as store:
        model = ReadModel(store)
        day = dt.date(2022, 1, 1)
        while day < dt.date(2024, 6, 1):
            state = model.state_at("lumen", day, save=False)
            assert model.answer_at(answers.holdings, "lumen", day) == holdings_rows(state, day), day
            assert model.answer_at(answers.captable_by_holder, "lumen", day) == by_holder_rows(state, day), day
            assert model.answer_at(answers.captable, "lumen", day) == captable_rows(state, day), day
            assert model.answer_at(answers.ownership, "lumen", day, "common", "best") == \
                ownership_rows(state, "common", day), day
            day += dt.timedelta(days=9)
        model.close()
    assert lumen("verify").code == 0


SRC = {"locator": "test"}


def write(tmp_path, events):
    path = tmp_path / "grants.yaml"
    path.write_text(yaml.safe_dump({"document": {"id": "grants", "issuer": "lumen"}, "events": events},
                                   sort_keys=False))
    return path


def grant(name, quantity, day="2024-02-01", **kw):
    return {"type": "EquityCompensationIssued", "effective_date": day, "grant": name, "kind": "option",
            "holder": "cara", "security": "common", "plan": "plan-2022", "quantity": quantity,
            "exercise_price": "0.50", "source": SRC, **kw}


def test_a_grant_beyond_the_pool_is_refused(lumen, tmp_path):
    # After the split the pool has 2,892,000 available: one share more is refused.
    line = refused(lumen, write(tmp_path, [grant("opt-big", 2_892_001)]), "event 1 (EquityCompensationIssued)",
                   "quantity", "plan 'plan-2022' has 2892000 shares available for grant on 2024-02-01, fewer than 2892001")
    assert line.count("\n") == 0
    assert lumen("import", write(tmp_path, [grant("opt-all", 2_892_000)])).code == 0


def test_exercising_more_than_has_vested_is_refused(lumen, tmp_path):
    # cara on 2024-02-01: 2 x (120,000 + 10 x 10,000) = 440,000 vested (the split doubled them).
    refused(lumen, write(tmp_path, [{"type": "EquityCompensationExercised", "effective_date": "2024-02-01",
                                     "grant": "opt-cara", "quantity": 440_001, "source": SRC}]),
            "grant", "440000 shares exercisable on 2024-02-01, fewer than 440001")
    refused(lumen, write(tmp_path, [{"type": "EquityCompensationExercised", "effective_date": "2024-02-01",
                                     "grant": "rsu-eve", "quantity": 1, "source": SRC}]),
            "grant 'rsu-eve' is an RSU: it is released, not exercised")


def test_a_pool_cannot_shrink_below_what_it_has_given(lumen, tmp_path):
    # On 2023-10-02: 62,000 delivered and 522,000 granted and outstanding: 584,000 used.
    refused(lumen, write(tmp_path, [{"type": "StockPlanPoolAdjusted", "effective_date": "2023-10-02",
                                     "plan": "plan-2022", "pool_size": 583_999, "source": SRC}]),
            "pool_size", "584000 shares granted, delivered or retired")


def test_cancellation_and_acceleration(lumen, tmp_path):
    events = [
        # 2024-02-01: cara has 440,000 vested of 960,000. Accelerating 20,000 vests the next
        # scheduled (those of 2024-03-01), then 100,000 cancelled go from the last to vest.
        {"type": "VestingAccelerated", "effective_date": "2024-02-01", "grant": "opt-cara", "quantity": 20_000,
         "source": SRC},
        {"type": "EquityCompensationCancelled", "effective_date": "2024-02-01", "grant": "opt-cara",
         "quantity": 100_000, "source": SRC},
    ]
    assert lumen("import", write(tmp_path, events)).code == 0
    cara = holding(lumen, "2024-02-01", "cara", "opt-cara")
    assert (cara["quantity"], cara["vested"]) == (860_000, 460_000)
    # 2024-03-01's 20,000 vested early: nothing more that day; 2024-04-01 adds its 20,000.
    assert holding(lumen, "2024-03-01", "cara", "opt-cara")["vested"] == 460_000
    assert holding(lumen, "2024-04-01", "cara", "opt-cara")["vested"] == 480_000
    # The last 100,000 (five months of 20,000, to 2026-04-01) are gone: the grant vests in full on 2025-11-01.
    assert holding(lumen, "2025-11-01", "cara", "opt-cara")["vested"] == 860_000
    pool = holding(lumen, "2024-02-01", "pool:plan-2022", "plan-2022")
    assert pool["quantity"] == 2_892_000 + 100_000


# --- vesting as a property --------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(quantity=st.integers(1, 10_000_000), every=st.sampled_from([1, 3, 12]), periods=st.integers(1, 60),
       cliff_periods=st.integers(0, 60), start=st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)))
def test_a_schedule_vests_the_grant_exactly_never_early(quantity, every, periods, cliff_periods, start):
    from projections.vesting import add_months, schedule_pieces, tranches_from_pieces  # noqa: PLC0415

    months, cliff = every * periods, every * min(cliff_periods, periods)
    tranches = tranches_from_pieces(schedule_pieces(start, months, every, cliff, quantity), quantity)
    assert sum(t["quantity"] for t in tranches) == quantity
    assert all(t["quantity"] > 0 and "exercisable_from" in t for t in tranches)
    days = [dt.date.fromisoformat(t["exercisable_from"]) for t in tranches]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert days[-1] == add_months(start, months)
    assert days[0] >= add_months(start, max(cliff, every))
    # Vested by the k-th period's date: floor(quantity x k / periods), the cliff holding back
    # what falls before it: never more than the straight line, never a share early.
    for k in range(1, periods + 1):
        day = add_months(start, k * every)
        vested = sum(t["quantity"] for t, d in zip(tranches, days, strict=True) if d <= day)
        line = int(Fraction(quantity * k, periods))
        assert vested == (0 if k * every < cliff else line)


# --- OCF: the equity-compensation transactions, from a package of our own --------------------


def ocf_package(folder, transactions, pool="1000000", ana="sh-ana", cls="cls-common", plan="plan-1"):
    """A minimal consistent OCF v1.2.0 package: one common class, two stakeholders, one plan."""
    import hashlib  # noqa: PLC0415
    import json  # noqa: PLC0415

    folder.mkdir()
    files = {
        "stakeholders_files": ("Stakeholders.ocf.json", "OCF_STAKEHOLDERS_FILE", [
            {"object_type": "STAKEHOLDER", "id": ana, "name": {"legal_name": "Ana Ruiz"},
             "stakeholder_type": "INDIVIDUAL"},
            {"object_type": "STAKEHOLDER", "id": "sh-eve", "name": {"legal_name": "Eve Moreau"},
             "stakeholder_type": "INDIVIDUAL"}]),
        "stock_classes_files": ("StockClasses.ocf.json", "OCF_STOCK_CLASSES_FILE", [
            {"object_type": "STOCK_CLASS", "id": cls, "name": "Common Stock", "class_type": "COMMON",
             "default_id_prefix": "CS-", "initial_shares_authorized": "10000000", "votes_per_share": "1",
             "seniority": "1"}]),
        "stock_plans_files": ("StockPlans.ocf.json", "OCF_STOCK_PLANS_FILE", [
            {"object_type": "STOCK_PLAN", "id": plan, "plan_name": "2022 Plan", "board_approval_date": "2022-01-01",
             "initial_shares_reserved": pool, "default_cancellation_behavior": "RETURN_TO_POOL",
             "stock_class_ids": [cls]}]),
        "transactions_files": ("Transactions.ocf.json", "OCF_TRANSACTIONS_FILE", transactions),
    }
    manifest = {"ocf_version": "1.2.0", "file_type": "OCF_MANIFEST_FILE", "as_of": "2025-01-01",
                "generated_at": "2025-01-01T00:00:00Z",
                "issuer": {"object_type": "ISSUER", "id": "iss", "legal_name": "Lumen Labs, Inc.",
                           "formation_date": "2022-01-01", "country_of_formation": "US"}}
    for key, (name, file_type, items) in files.items():
        data = json.dumps({"file_type": file_type, "items": items}).encode()
        (folder / name).write_bytes(data)
        manifest[key] = [{"filepath": f"./{name}", "md5": hashlib.md5(data).hexdigest()}]  # noqa: S324
    (folder / "Manifest.ocf.json").write_text(json.dumps(manifest))
    return folder


def usd(amount):
    return {"amount": amount, "currency": "USD"}


RSU = {"object_type": "TX_EQUITY_COMPENSATION_ISSUANCE", "id": "t-rsu", "security_id": "s-rsu", "date": "2022-02-01",
       "stakeholder_id": "sh-eve", "stock_plan_id": "plan-1", "compensation_type": "RSU", "quantity": "24000",
       "expiration_date": None, "termination_exercise_windows": [],
       "vestings": [{"date": f"2022-{m:02d}-01", "amount": "2000"} for m in range(3, 13)]
       + [{"date": "2023-01-01", "amount": "2000"}, {"date": "2023-02-01", "amount": "2000"}]}
OPTION = {"object_type": "TX_EQUITY_COMPENSATION_ISSUANCE", "id": "t-opt", "security_id": "s-opt",
          "date": "2022-02-01", "stakeholder_id": "sh-ana", "stock_plan_id": "plan-1", "compensation_type": "OPTION_NSO",
          "quantity": "100000", "exercise_price": usd("0.50"), "expiration_date": "2032-02-01",
          "termination_exercise_windows": [{"reason": "VOLUNTARY_OTHER", "period": 90, "period_type": "DAYS"}]}
COMMON_LOT = {"object_type": "TX_STOCK_ISSUANCE", "id": "t-lot", "security_id": "s-lot", "date": "2022-01-05",
              "stakeholder_id": "sh-ana", "stock_class_id": "cls-common", "share_price": usd("0.001"),
              "quantity": "500000", "security_law_exemptions": []}


def test_an_ocf_package_of_grants_releases_cancellations_and_repurchases(tmp_path):
    from tests.conftest import Ledger  # noqa: PLC0415

    txs = [COMMON_LOT, RSU, OPTION,
           # eve: 6 x 2,000 vested by 2022-08-01; 10,000 released, 2,500 withheld (7,500 shares issued)
           {"object_type": "TX_EQUITY_COMPENSATION_RELEASE", "id": "t-rel", "security_id": "s-rsu",
            "date": "2022-08-01", "quantity": "10000", "resulting_security_ids": ["s-rel-stock"],
            "settlement_date": "2022-08-01"},
           {"object_type": "TX_STOCK_ISSUANCE", "id": "t-rel-stock", "security_id": "s-rel-stock", "date": "2022-08-01",
            "stakeholder_id": "sh-eve", "stock_class_id": "cls-common", "quantity": "7500",
            "security_law_exemptions": []},
           # the option: 40,000 cancelled, the other 60,000 continue under a balance security
           {"object_type": "TX_EQUITY_COMPENSATION_CANCELLATION", "id": "t-can", "security_id": "s-opt",
            "date": "2022-09-01", "quantity": "40000", "balance_security_id": "s-opt-2", "reason_text": "Forfeited"},
           {"object_type": "TX_EQUITY_COMPENSATION_ISSUANCE", "id": "t-opt-2", "security_id": "s-opt-2",
            "date": "2022-09-01", "stakeholder_id": "sh-ana", "stock_plan_id": "plan-1",
            "compensation_type": "OPTION_NSO", "quantity": "60000", "exercise_price": usd("0.50"),
            "expiration_date": "2032-02-01", "termination_exercise_windows": []},
           # ana sells 100,000 of her 500,000 back to the company; 400,000 remain under a balance
           {"object_type": "TX_STOCK_REPURCHASE", "id": "t-rep", "security_id": "s-lot", "date": "2022-10-01",
            "quantity": "100000", "price": usd("0.40"), "balance_security_id": "s-lot-2"},
           {"object_type": "TX_STOCK_ISSUANCE", "id": "t-lot-2", "security_id": "s-lot-2", "date": "2022-10-01",
            "stakeholder_id": "sh-ana", "stock_class_id": "cls-common", "quantity": "400000",
            "security_law_exemptions": []},
           {"object_type": "TX_VESTING_ACCELERATION", "id": "t-acc", "security_id": "s-rsu", "date": "2022-10-15",
            "quantity": "4000", "reason_text": "Board discretion"}]
    led = Ledger(tmp_path / "o.db")
    r = led("import", ocf_package(tmp_path / "pkg", txs))
    assert r.code == 0, r.err

    h = {(r["party"], r["security"]): r for r in led.rows("holdings", "--as-of", "2022-10-15")}
    assert h[("sh-ana", "cls-common")]["quantity"] == 400_000  # after the repurchase
    assert h[("sh-eve", "cls-common")]["quantity"] == 7_500
    # eve's units: 24,000 - 10,000 released = 14,000; vested by 2022-10-15: 8 x 2,000 = 16,000 less
    # 10,000 released = 6,000, plus 4,000 accelerated = 10,000.
    rsu = h[("sh-eve", "s-rsu")]
    assert (rsu["kind"], rsu["quantity"], rsu["vested"], rsu["exercisable"]) == ("rsu", 14_000, 10_000, 0)
    option = h[("sh-ana", "s-opt")]
    assert (option["quantity"], option["exercise_price"], option["expires"]) == (60_000, "0.50", "2032-02-01")
    pool = h[("pool:plan-1", "plan-1")]
    # 1,000,000 - 10,000 released - (14,000 + 60,000) still granted; 40,000 returned.
    assert (pool["quantity"], pool["returned"], pool["delivered"]) == (916_000, 40_000, 10_000)
    history = led("history", "--format", "json").json()["rows"]
    release = next(e for e in history if e["type"] == "EquityCompensationReleased")
    assert (release["quantity"], release["withheld"]) == (10_000, 2_500)
    grant = next(e for e in history if e["type"] == "EquityCompensationIssued" and e["kind"] == "option")
    assert grant["exercise_window"] == {"length": 90, "unit": "days"}
    assert next(e for e in history if e["type"] == "SharesRepurchased")["price_per_share"] == "0.40"


def test_an_ocf_grant_beyond_the_pool_is_refused(tmp_path):
    from tests.conftest import Ledger  # noqa: PLC0415

    led = Ledger(tmp_path / "o.db")
    r = led("import", ocf_package(tmp_path / "pkg", [RSU, OPTION], pool="120000"))
    # 120,000 reserved, 24,000 granted to eve: 96,000 left for ana's 100,000.
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert "plan 'plan-1' has 96000 shares available for grant on 2022-02-01, fewer than 100000" in r.err
    assert "Transactions.ocf.json: TX_EQUITY_COMPENSATION_ISSUANCE t-opt" in r.err
    assert not (tmp_path / "o.db").exists() or led.count() == 0


# --- what review found, kept found ------------------------------------------------------------


def fold_of(*events):
    from events.registry import parse_event  # noqa: PLC0415
    from projections.fold import fold  # noqa: PLC0415

    base = [
        {"type": "PartyRegistered", "effective_date": "2022-01-01", "party": "ana", "name": "Ana", "kind": "individual"},
        {"type": "SecurityClassCreated", "effective_date": "2022-01-01", "security": "common", "name": "Common",
         "kind": "common"},
        {"type": "StockPlanCreated", "effective_date": "2022-01-01", "plan": "p", "name": "Plan",
         "securities": ["common"], "pool_size": 100_000},
    ]
    return fold(parse_event({"issuer": "x", "source": {"document": "d", **SRC}, **e}) for e in [*base, *events])


def option(name="g1", quantity=48, **kw):
    return {"type": "EquityCompensationIssued", "effective_date": "2022-02-01", "grant": name, "kind": "option",
            "holder": "ana", "security": "common", "plan": "p", "quantity": quantity, "exercise_price": "1.00", **kw}


def test_warrant_events_do_not_act_on_grants():
    from projections.fold import RuleViolation  # noqa: PLC0415

    with pytest.raises(RuleViolation, match="'g1' is a grant of equity compensation"):
        fold_of(option(), {"type": "CashExercise", "effective_date": "2022-03-01", "warrant": "g1", "quantity": 1})


def test_a_split_keeps_a_grants_tranches_whole_and_its_pool_whole():
    import datetime as dt  # noqa: PLC0415

    # 1,000 units monthly over 48 months, then 1-for-10: 100 units whose tranches add up to 100
    # (each tranche rounded on its own would leave 96), all vested at the end.
    state = fold_of(option("r", 1_000, kind="rsu", exercise_price=None, vesting={"start": "2022-02-01", "months": 48}),
                    {"type": "StockSplit", "effective_date": "2022-06-15", "security": "common", "numerator": 1,
                     "denominator": 10})
    r = state.warrants["r"]
    assert (r.quantity, sum(t.quantity for t in r.tranches)) == (100, 100)
    assert r.exercisable(dt.date(2026, 2, 1)) == 100
    # Pool 4; two grants of 2, one of each exercised; 1-for-2: what is left of each is 1 // 2 = 0 as a
    # whole (not 1 - 0), the pool 2 - 1 delivered - 0 left = 1: never below zero.
    small = fold_of({"type": "StockPlanPoolAdjusted", "effective_date": "2022-01-15", "plan": "p", "pool_size": 4},
                    option("a", 2), option("b", 2),
                    {"type": "EquityCompensationExercised", "effective_date": "2022-03-01", "grant": "a", "quantity": 1},
                    {"type": "EquityCompensationExercised", "effective_date": "2022-03-01", "grant": "b", "quantity": 1},
                    {"type": "StockSplit", "effective_date": "2022-04-01", "security": "common", "numerator": 1,
                     "denominator": 2})
    from projections.holdings import pool_rows  # noqa: PLC0415

    [pool] = pool_rows(small, dt.date(2022, 4, 1))
    assert (pool["size"], pool["delivered"], pool["outstanding"], pool["quantity"]) == (2, 1, 0, 1)


def test_a_split_cuts_a_warrants_tranches_from_their_cumulative_amounts():
    import datetime as dt  # noqa: PLC0415

    # 1,000 warrant shares in four quarterly tranches of 250, then 1-for-3: 333 shares
    # (1,000 / 3 rounded down once); cumulative 250, 500, 750, 1,000 become 83, 166, 250, 333,
    # so the tranches are 83, 83, 84, 83 (each rounded on its own, 83 x 4 = 332).
    tranches = [{"quantity": 250, "exercisable_from": f"2022-{m:02d}-01"} for m in (3, 6, 9, 12)]
    state = fold_of({"type": "WarrantIssued", "effective_date": "2022-02-01", "warrant": "w", "holder": "ana",
                     "security": "common", "quantity": 1_000, "exercise_price": "3.00", "tranches": tranches},
                    {"type": "StockSplit", "effective_date": "2022-02-15", "security": "common", "numerator": 1,
                     "denominator": 3})
    w = state.warrants["w"]
    assert (w.quantity, [t.quantity for t in w.tranches]) == (333, [83, 83, 84, 83])
    assert [w.exercisable(dt.date(2022, m, 1)) for m in (3, 6, 9, 12)] == [83, 166, 250, 333]
    assert w.exercise_price == 9  # $3.00 x 3, exact


def test_a_split_adjusts_a_notes_fixed_conversion_price_unless_told_not_to():
    import datetime as dt  # noqa: PLC0415

    from projections.holdings import holdings_rows  # noqa: PLC0415

    note = {"type": "NoteIssued", "effective_date": "2022-02-01", "note": "n", "holder": "ana", "principal": "10000",
            "converts_to": "common", "conversion_price": "1.00"}
    split = {"type": "StockSplit", "effective_date": "2022-03-01", "security": "common", "numerator": 3,
             "denominator": 1}
    converted = {"type": "ConvertibleConverted", "effective_date": "2022-04-01", "convertible": "n",
                 "security": "common", "price_per_share": "5.00"}
    # $1.00 a share before a 3-for-1 split is $1/3 after: $10,000 buys 30,000 shares (not 10,000).
    before = fold_of(note, split)
    [row] = [r for r in holdings_rows(before, dt.date(2022, 3, 1)) if r["security"] == "n"]
    assert (row["conversion_price"], row["conversion_price_exact"]) == ("0.33", "1/3")
    after = fold_of(note, split, converted)
    assert after.held("ana", "common") == 30_000
    # Told to leave the note alone, the split leaves its price at $1.00: 10,000 shares.
    kept = fold_of(note, {**split, "unadjusted": ["n"]}, converted)
    assert kept.held("ana", "common") == 10_000


def test_a_sar_delivers_fewer_shares_than_it_surrenders():
    from projections.fold import RuleViolation  # noqa: PLC0415

    sar = option("s", 100, kind="sar")
    with pytest.raises(RuleViolation, match="5000 shares for 10 exercised"):
        fold_of(sar, {"type": "EquityCompensationExercised", "effective_date": "2022-03-01", "grant": "s",
                      "quantity": 10, "shares_issued": 5000})
    # 10 SARs at $1.00 with the stock at $4.00: floor(10 x 3 / 4) = 7 shares.
    state = fold_of(sar, {"type": "EquityCompensationExercised", "effective_date": "2022-03-01", "grant": "s",
                          "quantity": 10, "fair_market_value": "4.00"})
    assert state.shares[("ana", "common")] == 7
    # A fair market value stated with a cash exercise of an option (for tax) changes nothing.
    state = fold_of(option(), {"type": "EquityCompensationExercised", "effective_date": "2022-03-01", "grant": "g1",
                               "quantity": 10, "fair_market_value": "4.00"})
    assert state.shares[("ana", "common")] == 10


def test_a_cliff_between_period_ends_vests_on_its_own_date():
    import datetime as dt  # noqa: PLC0415

    # 1,200 quarterly over a year from 2022-02-01, a 4-month cliff: the quarter ended 2022-05-01
    # vests on the cliff, 2022-06-01; then 300 a quarter.
    state = fold_of(option("q", 1_200, vesting={"start": "2022-02-01", "months": 12, "every": 3, "cliff": 4}))
    q = state.warrants["q"]
    assert [q.exercisable(dt.date(2022, m, d)) for m, d in ((5, 31), (6, 1), (7, 31), (8, 1), (11, 1))] == \
        [0, 300, 300, 600, 900]


def test_a_class_converting_at_an_unstated_ratio_leaves_the_holder_open():
    from projections.captable_by_holder import by_holder_from  # noqa: PLC0415
    from projections.class_terms import class_terms  # noqa: PLC0415
    import datetime as dt  # noqa: PLC0415

    state = fold_of({"type": "SecurityClassCreated", "effective_date": "2022-01-01", "security": "pref",
                     "name": "Pref", "kind": "preferred"},
                    {"type": "SecurityClassCreated", "effective_date": "2022-01-01", "security": "pref-x",
                     "name": "Pref X", "kind": "preferred", "converts_to": "common"},
                    {"type": "SharesIssued", "effective_date": "2022-01-01", "security": "pref", "holder": "ana",
                     "quantity": 10},
                    {"type": "SharesIssued", "effective_date": "2022-01-01", "security": "common", "holder": "ana",
                     "quantity": 90})
    day = dt.date(2022, 1, 1)
    [row] = by_holder_from(class_terms(state, day), [(h, s, q) for (h, s), q in state.shares.items()], [], [])
    # Straight preferred counts as itself: 90 + 10.
    assert (row["outstanding"], row["percent_outstanding"]) == (100, 100.0)
    state = fold_of({"type": "SecurityClassCreated", "effective_date": "2022-01-01", "security": "pref-x",
                     "name": "Pref X", "kind": "preferred", "converts_to": "common"},
                    {"type": "SharesIssued", "effective_date": "2022-01-01", "security": "pref-x", "holder": "ana",
                     "quantity": 10})
    [row] = by_holder_from(class_terms(state, day), [(h, s, q) for (h, s), q in state.shares.items()], [], [])
    assert (row["outstanding"], row["outstanding_at_least"], row["percent_outstanding"]) == (None, 0, None)
    assert "at a ratio no source states" in row["missing"][0]
    assert "incomplete" in row["percent_outstanding_note"]


def test_a_window_beyond_the_calendar_is_one_line(lumen, tmp_path):
    events = [grant("opt-far", 10, exercise_window={"length": 36_500, "unit": "months"}),
              {"type": "ServiceEnded", "effective_date": "8000-01-01", "holder": "cara", "source": SRC}]
    refused(lumen, write(tmp_path, events), "event 2 (ServiceEnded)", "ends beyond the last date the ledger takes")


# --- generated equity histories ---------------------------------------------------------------


@st.composite
def equity_histories(draw):
    """A plan, grants of each kind with schedules, and what happens to them, dated over three
    years; kept only as far as the fold accepts it (a valid history), in date order."""
    from events.registry import parse_event  # noqa: PLC0415
    from projections.fold import RuleViolation, apply  # noqa: PLC0415
    from projections.state import State  # noqa: PLC0415

    start = dt.date(2022, 1, 1)
    day = st.integers(0, 1_100).map(lambda n: (start + dt.timedelta(days=n)).isoformat())
    early = st.integers(0, 300).map(lambda n: (start + dt.timedelta(days=n)).isoformat())
    late_ = st.integers(301, 900).map(lambda n: (start + dt.timedelta(days=n)).isoformat())
    holders = ["h0", "h1", "h2"]
    events = [{"type": "PartyRegistered", "effective_date": "2022-01-01", "party": h, "name": h.upper(),
               "kind": "individual"} for h in holders]
    events += [{"type": "SecurityClassCreated", "effective_date": "2022-01-01", "security": "common",
                "name": "Common", "kind": "common"},
               {"type": "StockPlanCreated", "effective_date": "2022-01-01", "plan": "p", "name": "P",
                "securities": ["common"], "pool_size": draw(st.integers(1_000, 8_000)),
                "cancelled_shares": draw(st.sampled_from(["return_to_pool", "retire"]))}]
    # Beside the grants, a warrant and a SAFE, whose events move shares the export must track too.
    events += [{"type": "WarrantIssued", "effective_date": "2022-01-01", "warrant": "w0", "holder": "h0",
                "security": "common", "quantity": 500, "exercise_price": "1.00",
                "tranches": [{"quantity": 200, "exercisable_from": "2022-01-01"},
                             {"quantity": 300, "exercisable_from": "2023-01-01"}]},
               {"type": "SafeIssued", "effective_date": "2022-01-01", "safe": "s0", "holder": "h1",
                "investment": "1000", "valuation_cap": "100000", "discount": "0.20"}]
    grants = [f"g{i}" for i in range(draw(st.integers(1, 4)))]
    kinds = {}
    for g in grants:
        kind = kinds[g] = draw(st.sampled_from(["option", "rsu", "sar"]))
        every = draw(st.sampled_from([1, 3]))
        events.append({"type": "EquityCompensationIssued", "effective_date": draw(early), "grant": g, "kind": kind,
                       "holder": draw(st.sampled_from(holders)), "security": "common", "plan": "p",
                       "quantity": draw(st.integers(1, 1_500)),
                       "exercise_price": None if kind == "rsu" else "0.50",
                       "expires": draw(st.sampled_from([None, "2026-01-01", "2023-06-30"])),
                       "exercise_window": draw(st.sampled_from([None, {"length": 90, "unit": "days"}])),
                       "vesting": {"start": draw(early), "months": every * draw(st.integers(1, 16)), "every": every,
                                   "cliff": draw(st.sampled_from([0, 4, 12]))}})
        if draw(st.booleans()):  # half vesting on a milestone, half on a date, instead of a schedule
            grant = events[-1]
            half = grant["quantity"] // 2
            grant["vesting"] = None
            grant["tranches"] = [t for t in ({"quantity": half, "condition": "milestone"},
                                             {"quantity": grant["quantity"] - half, "exercisable_from": draw(late_)})
                                 if t["quantity"]]
    late = st.integers(300, 1_100).map(lambda n: (start + dt.timedelta(days=n)).isoformat())
    for _ in range(draw(st.integers(0, 16))):
        g, q = draw(st.sampled_from(grants)), draw(st.integers(1, 150))
        settle = ({"type": "EquityCompensationReleased", "effective_date": draw(late), "grant": g, "quantity": q,
                   "withheld": q // 4} if kinds[g] == "rsu" else
                  {"type": "EquityCompensationExercised", "effective_date": draw(late), "grant": g, "quantity": q,
                   "method": "net" if kinds[g] == "sar" else draw(st.sampled_from(["cash", "net"])),
                   "fair_market_value": "2.00"})
        events.append(draw(st.sampled_from([
            settle, settle,
            {"type": "VestingConditionMet", "effective_date": draw(day), "grant": g, "quantity": q},
            {"type": "EquityCompensationCancelled", "effective_date": draw(day), "grant": g, "quantity": q},
            {"type": "VestingAccelerated", "effective_date": draw(day), "grant": g, "quantity": q},
            {"type": "ServiceEnded", "effective_date": draw(day), "holder": draw(st.sampled_from(holders))},
            {"type": "InstrumentTransferred", "effective_date": draw(day), "instrument": g,
             "to_holder": draw(st.sampled_from(holders))},
            {"type": "SharesReturnedToPool", "effective_date": draw(late), "plan": "p", "quantity": q},
            {"type": "CashExercise", "effective_date": draw(day), "warrant": "w0", "quantity": q},
            {"type": "WarrantCancelled", "effective_date": draw(day), "warrant": "w0", "quantity": q},
            {"type": "InstrumentTransferred", "effective_date": draw(day), "instrument": draw(st.sampled_from(["w0", "s0"])),
             "to_holder": draw(st.sampled_from(holders))},
            {"type": "ConvertibleConverted", "effective_date": draw(late), "convertible": "s0", "security": "common",
             "price_per_share": "1.00", "capitalization": 100_000},
            {"type": "SharesTransferred", "effective_date": draw(late), "security": "common",
             "from_holder": draw(st.sampled_from(holders)), "to_holder": draw(st.sampled_from(holders)), "quantity": q},
            {"type": "SharesRepurchased", "effective_date": draw(late), "security": "common",
             "holder": draw(st.sampled_from(holders)), "quantity": q, "price_per_share": "0.50"},
            {"type": "StockPlanPoolAdjusted", "effective_date": draw(day), "plan": "p",
             "pool_size": draw(st.integers(0, 6_000))},
            {"type": "StockSplit", "effective_date": draw(day), "security": "common",
             "numerator": draw(st.integers(1, 3)), "denominator": draw(st.integers(1, 3))},
        ])))
    from pydantic import ValidationError  # noqa: PLC0415

    parsed = []
    for e in events:
        if e.get("vesting"):
            e["vesting"]["cliff"] = min(e["vesting"]["cliff"], e["vesting"]["months"])
        e = {k: v for k, v in e.items() if v is not None}
        try:
            parsed.append(parse_event({"issuer": "gen", "source": {"document": "d", **SRC}, **e}))
        except ValidationError:
            continue  # an expiry before the grant, say: not a history
    parsed.sort(key=lambda e: e.effective_date)
    state, kept = State(), []
    for e in parsed:
        trial = state.copy()
        try:
            apply(trial, e)
        except RuleViolation:
            continue
        state = trial
        kept.append(e)
    return kept


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equity_histories())
def test_generated_equity_histories_hold_their_invariants_and_the_intervals_agree(history):
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from ledger.checks.integrity import verify_store  # noqa: PLC0415
    from ledger.history import answers  # noqa: PLC0415
    from ledger.history.readmodel import ReadModel  # noqa: PLC0415
    from ledger.intake.importer import import_events  # noqa: PLC0415
    from ledger.intake.loaded import Loaded  # noqa: PLC0415
    from ledger.log.store import Store  # noqa: PLC0415
    from projections.captable import by_holder_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        with Store(str(Path(tmp) / "g.db")) as store:
            import_events(store, [Loaded("gen", i, e) for i, e in enumerate(history)])
            model = ReadModel(store)
            day = dt.date(2021, 12, 31)
            while day < dt.date(2025, 3, 1):
                state = model.state_at("gen", day, save=False)
                rows = holdings_rows(state, day)
                for w in state.warrants.values():
                    if w.is_grant:
                        assert sum(t.quantity for t in w.tranches) == w.quantity  # they add up to the grant
                    assert 0 <= w.exercisable(day) <= w.outstanding(day)
                for pool in (r for r in rows if r["kind"] == "pool"):
                    assert pool["quantity"] >= 0 and pool["returned"] >= 0, pool
                assert model.answer_at(answers.holdings, "gen", day) == rows, day
                assert model.answer_at(answers.captable_by_holder, "gen", day) == by_holder_rows(state, day), day
                day += dt.timedelta(days=37)
            model.close()
            report = verify_store(store)
            assert report.ok, report.problems


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equity_histories())
def test_generated_equity_histories_survive_an_ocf_round_trip(history):
    """import -> export ocf -> import gives the same holdings and cap table by holder on every date."""
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from ledger.intake.importer import import_events  # noqa: PLC0415
    from ledger.intake.loaded import Loaded  # noqa: PLC0415
    from ledger.log.store import Store  # noqa: PLC0415
    from tests.conftest import Ledger  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "a.db", Path(tmp) / "b.db"
        with Store(str(first)) as store:
            import_events(store, [Loaded("gen", i, e) for i, e in enumerate(history)])
        a, b = Ledger(first), Ledger(second)
        r = a("export", "ocf", "--as-of", "2025-12-31", "--out", Path(tmp) / "gen.ocf.zip")
        assert r.code == 0, r.err
        r = b("import", Path(tmp) / "gen.ocf.zip")
        assert r.code == 0, r.err
        for day in ("2021-12-31", "2022-06-30", "2023-01-01", "2023-07-01", "2024-01-01", "2025-01-01"):
            assert a.rows("holdings", "--as-of", day) == b.rows("holdings", "--as-of", day), day
            assert a.rows("captable", "--by", "holder", "--as-of", day) == \
                b.rows("captable", "--by", "holder", "--as-of", day), day


def test_issuing_beyond_the_authorized_shares_is_refused(lumen, tmp_path):
    # After the Series A: 16,118,000 common outstanding (2 x 8,000,000 + 100,000 + 18,000).
    cap = {"type": "AuthorizedSharesSet", "effective_date": "2024-03-02", "security": "common", "quantity": 16_500_000,
           "source": SRC}
    issue = {"type": "SharesIssued", "effective_date": "2024-03-03", "security": "common", "holder": "ana",
             "quantity": 382_001, "source": SRC}
    refused(lumen, write(tmp_path, [cap, issue]), "event 2 (SharesIssued)", "quantity",
            "382,001 more 'common' would make 16,500,001 outstanding on 2024-03-03, more than the 16,500,000 authorized")
    refused(lumen, write(tmp_path, [{**cap, "quantity": 16_117_999}]), "event 1 (AuthorizedSharesSet)",
            "16,118,000 common are outstanding on 2024-03-02, more than 16,117,999")
    # The issuer's own limit counts every class: 16,118,000 common + 2,000,000 Series Seed + 3,700,000
    # Series A = 21,818,000; a 2-for-1 split of the common would make 37,936,000.
    split = {"type": "StockSplit", "effective_date": "2024-04-01", "security": "common", "numerator": 2,
             "denominator": 1, "source": SRC}
    refused(lumen, write(tmp_path, [{**cap, "security": None, "quantity": 30_000_000}, split]),
            "event 2 (StockSplit)", "16,118,000 more shares would make 37,936,000 outstanding")
    assert lumen("import", write(tmp_path, [{**cap, "quantity": 16_500_000}, {**issue, "quantity": 382_000}])).code == 0
    assert lumen("verify").code == 0


def test_transfers_cancellations_returns_and_ratio_adjustments(lumen, tmp_path):
    events = [
        # cara's options pass to a trust she controls; the SAFE to another fund.
        {"type": "PartyRegistered", "effective_date": "2023-02-01", "party": "cara-trust", "name": "Cara Trust",
         "kind": "other", "source": SRC},
        {"type": "InstrumentTransferred", "effective_date": "2023-02-01", "instrument": "opt-cara",
         "to_holder": "cara-trust", "source": SRC},
        {"type": "InstrumentTransferred", "effective_date": "2023-02-01", "instrument": "safe-harbor",
         "to_holder": "north-fund", "source": SRC},
        # Series Seed's ratio becomes 1.1 (an anti-dilution adjustment) before the split doubles it: 2.2.
        {"type": "ConversionRatioAdjusted", "effective_date": "2023-03-01", "security": "series-seed",
         "conversion_ratio": "1.1", "source": SRC},
        # 10,000 of dev's 50,000 exercised shares are bought back and return to the pool.
        {"type": "SharesCancelled", "effective_date": "2023-12-01", "security": "common", "holder": "dev",
         "quantity": 10_000, "reason": "repurchased at cost under the exercise agreement", "source": SRC},
        {"type": "SharesReturnedToPool", "effective_date": "2023-12-01", "plan": "plan-2022", "quantity": 10_000,
         "source": SRC},
    ]
    assert lumen("import", write(tmp_path, events)).code == 0, lumen("import", write(tmp_path, events)).err
    assert holding(lumen, "2023-04-01", "cara-trust", "opt-cara")["vested"] == 120_000
    assert [r for r in lumen.rows("holdings", "--as-of", "2023-04-01", "--party", "cara")] == []
    # The SAFE converted on 2024-03-01 to its holder then: north-fund.
    t = by_party(lumen, "2024-03-01")
    assert "harbor-angels" not in t
    # north-fund: 2,000,000 Series Seed x 2.2 = 4,400,000 + 1,200,000 Series A from the SAFE.
    assert t["north-fund"]["outstanding"] == 4_400_000 + 1_200_000
    assert t["dev"]["outstanding"] == 80_000  # (50,000 - 10,000) x 2
    # The pool: 2,892,000 + 2 x 10,000 returned.
    assert t["pool:plan-2022"]["fully_diluted"] == 2_912_000
    assert lumen("verify").code == 0


def test_cancelling_warrants_and_convertibles():
    import datetime as dt  # noqa: PLC0415

    from projections.fold import RuleViolation  # noqa: PLC0415

    state = fold_of({"type": "WarrantIssued", "effective_date": "2022-02-01", "warrant": "w", "holder": "ana",
                     "security": "common", "quantity": 300, "tranches": [
                         {"quantity": 100, "exercisable_from": "2022-02-01"},
                         {"quantity": 200, "exercisable_from": "2023-02-01"}]},
                    {"type": "WarrantCancelled", "effective_date": "2022-06-01", "warrant": "w", "quantity": 250},
                    {"type": "SafeIssued", "effective_date": "2022-02-01", "safe": "s", "holder": "ana",
                     "investment": "1000"},
                    {"type": "ConvertibleCancelled", "effective_date": "2022-07-01", "convertible": "s",
                     "reason": "repaid"})
    # The 200 not yet open go first, then 50 of the 100 open: 50 left, all exercisable.
    w = state.warrants["w"]
    assert (w.quantity, w.exercisable(dt.date(2022, 6, 1)), w.exercisable(dt.date(2023, 6, 1))) == (50, 50, 50)
    assert "s" not in state.notes and state.retired.reason("s") == "was cancelled on 2022-07-01 (repaid)"
    with pytest.raises(RuleViolation, match="'s' was cancelled on 2022-07-01"):
        fold_of({"type": "SafeIssued", "effective_date": "2022-02-01", "safe": "s", "holder": "ana",
                 "investment": "1000"},
                {"type": "ConvertibleCancelled", "effective_date": "2022-07-01", "convertible": "s", "reason": "repaid"},
                {"type": "ConvertibleConverted", "effective_date": "2022-08-01", "convertible": "s",
                 "security": "common", "shares_issued": 10})


def test_an_ocf_package_of_safes_reissuances_cancellations_retractions_and_transfers(tmp_path):
    from tests.conftest import Ledger  # noqa: PLC0415

    def warrant(tid, sid, day, holder, custom_id):
        return {"object_type": "TX_WARRANT_ISSUANCE", "id": tid, "security_id": sid, "date": day,
                "stakeholder_id": holder, "custom_id": custom_id, "quantity": "1000", "exercise_price": usd("1.00"),
                "purchase_price": usd("0"), "security_law_exemptions": [],
                "exercise_triggers": [{"trigger_id": "w1", "type": "ELECTIVE_AT_WILL",
                                       "conversion_right": {"type": "WARRANT_CONVERSION_RIGHT",
                                                            "converts_to_stock_class_id": "cls-common",
                                                            "conversion_mechanism": {
                                                                "type": "FIXED_AMOUNT_CONVERSION",
                                                                "converts_to_quantity": "1000"}}}]}

    def lot(tid, sid, holder, quantity, day):
        return {"object_type": "TX_STOCK_ISSUANCE", "id": tid, "security_id": sid, "date": day,
                "stakeholder_id": holder, "stock_class_id": "cls-common", "quantity": quantity,
                "security_law_exemptions": []}

    safe_terms = {"type": "SAFE_CONVERSION", "conversion_mfn": False, "conversion_timing": "POST_MONEY",
                  "conversion_valuation_cap": usd("5000000"), "conversion_discount": "0.20"}
    txs = [
        COMMON_LOT,
        {"object_type": "TX_CONVERTIBLE_ISSUANCE", "id": "t-safe", "security_id": "s-safe", "date": "2022-03-01",
         "stakeholder_id": "sh-eve", "custom_id": "SAFE-1", "convertible_type": "SAFE",
         "investment_amount": usd("1000"), "seniority": 1, "security_law_exemptions": [],
         "conversion_triggers": [{"trigger_id": "t1", "type": "AUTOMATIC_ON_CONDITION",
                                  "conversion_right": {"type": "CONVERTIBLE_CONVERSION_RIGHT",
                                                       "conversion_mechanism": safe_terms}}]},
        {"object_type": "TX_CONVERTIBLE_CONVERSION", "id": "t-conv", "security_id": "s-safe", "date": "2022-09-01",
         "trigger_id": "t1", "reason_text": "Series A", "resulting_security_ids": ["s-safe-stock"]},
        lot("t-safe-stock", "s-safe-stock", "sh-eve", "2000", "2022-09-01"),
        # ana's certificate for 500,000 reissued as two, 50,000 of one then cancelled
        {"object_type": "TX_STOCK_REISSUANCE", "id": "t-reiss", "security_id": "s-lot", "date": "2022-04-01",
         "resulting_security_ids": ["s-a", "s-b"]},
        lot("t-a", "s-a", "sh-ana", "300000", "2022-04-01"), lot("t-b", "s-b", "sh-ana", "200000", "2022-04-01"),
        {"object_type": "TX_STOCK_CANCELLATION", "id": "t-cxl", "security_id": "s-b", "date": "2022-05-01",
         "quantity": "50000", "balance_security_id": "s-b2", "reason_text": "Forfeited restricted stock"},
        lot("t-b2", "s-b2", "sh-ana", "150000", "2022-05-01"),
        # an issuance made in error, retracted
        lot("t-err", "s-err", "sh-eve", "10", "2022-06-01"),
        {"object_type": "TX_STOCK_RETRACTION", "id": "t-ret", "security_id": "s-err", "date": "2022-06-02",
         "reason_text": "Issued in error"},
        # a warrant passes whole from ana to eve
        warrant("t-w", "s-w", "2022-02-01", "sh-ana", "W-1"),
        {"object_type": "TX_WARRANT_TRANSFER", "id": "t-wx", "security_id": "s-w", "date": "2022-07-01",
         "quantity": "1000", "resulting_security_ids": ["s-w2"]},
        warrant("t-w2", "s-w2", "2022-07-01", "sh-eve", "W-1-T"),
    ]
    led = Ledger(tmp_path / "o.db")
    r = led("import", ocf_package(tmp_path / "pkg", txs))
    assert r.code == 0, r.err
    h = {(r["party"], r["security"]): r for r in led.rows("holdings", "--as-of", "2022-12-31")}
    assert h[("sh-ana", "cls-common")]["quantity"] == 450_000  # 300,000 + 200,000 - 50,000
    assert h[("sh-eve", "cls-common")]["quantity"] == 2_000  # the SAFE's; the 10 in error retracted
    assert h[("sh-eve", "s-w")]["quantity"] == 1_000
    assert not any(party == "sh-ana" and sec == "s-w" for party, sec in h)
    before = {(r["party"], r["security"]): r for r in led.rows("holdings", "--as-of", "2022-08-31")}
    safe = before[("sh-eve", "s-safe")]
    assert (safe["kind"], safe["principal"], safe["valuation_cap"], safe["discount"]) == ("safe", "1000", "5000000",
                                                                                          "0.20")
    history = led("history", "--format", "json").json()["rows"]
    kinds = [e["type"] for e in history]
    for expected in ("SafeIssued", "ConvertibleConverted", "SharesCancelled", "EventRetracted",
                     "InstrumentTransferred"):
        assert expected in kinds, expected
    assert led("verify").code == 0


def test_ocf_ids_are_kept_or_mapped_and_the_export_gives_them_back(tmp_path):
    import json  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    from tests.conftest import Ledger  # noqa: PLC0415

    lot = {**COMMON_LOT, "stakeholder_id": "Ana Ruiz (ID 7)"}
    pkg = ocf_package(tmp_path / "pkg", [lot], ana="Ana Ruiz (ID 7)")
    led = Ledger(tmp_path / "o.db")
    r = led("import", pkg)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert "STAKEHOLDER Ana Ruiz (ID 7): id: 'Ana Ruiz (ID 7)' cannot be kept as a ledger id" in r.err
    assert "map it with --ids FILE, a YAML line such as 'Ana Ruiz (ID 7)': ana-ruiz-id-7" in r.err
    ids = tmp_path / "ids.yaml"
    ids.write_text('"Ana Ruiz (ID 7)": ana\n')
    r = led("import", pkg, "--ids", ids)
    assert r.code == 0, r.err
    assert [(x["party"], x["quantity"]) for x in led.rows("holdings", "--as-of", "2022-12-31")] == \
        [("ana", 500_000), ("pool:plan-1", 1_000_000)]
    # The export writes the package's own id back, everywhere it is referred to.
    assert led("export", "ocf", "--as-of", "2022-12-31", "--out", tmp_path / "back.ocf.zip").code == 0
    with zipfile.ZipFile(tmp_path / "back.ocf.zip") as z:
        holders = json.loads(z.read("Stakeholders.ocf.json"))["items"]
        txs = json.loads(z.read("Transactions.ocf.json"))["items"]
    assert "Ana Ruiz (ID 7)" in {h["id"] for h in holders}
    assert {t["stakeholder_id"] for t in txs if t["object_type"] == "TX_STOCK_ISSUANCE"} == {"Ana Ruiz (ID 7)"}
    again = Ledger(tmp_path / "again.db")
    assert again("import", tmp_path / "back.ocf.zip").code == 0
    assert again.rows("holdings", "--as-of", "2022-12-31") == led.rows("holdings", "--as-of", "2022-12-31")


def test_a_split_leaves_alone_what_it_is_told_to():
    import datetime as dt  # noqa: PLC0415

    from projections.fold import RuleViolation  # noqa: PLC0415
    from projections.holdings import pool_rows  # noqa: PLC0415

    split = {"type": "StockSplit", "effective_date": "2022-06-01", "security": "common", "numerator": 2,
             "denominator": 1, "unadjusted": ["g1", "p"]}
    state = fold_of(option("g1", 48), option("g2", 48), split)
    # g1 and the plan keep their figures; g2 doubles at half the price, the 48 it gains granted
    # from the pool as it stands: 100,000 - 48 - 96 left.
    assert (state.warrants["g1"].quantity, state.warrants["g2"].quantity) == (48, 96)
    assert state.warrants["g2"].display_price() == Decimal("0.50")
    [pool] = pool_rows(state, dt.date(2022, 6, 1))
    assert (pool["size"], pool["granted"], pool["returned"], pool["quantity"]) == (100_000, 144, 0, 99_856)
    with pytest.raises(RuleViolation, match="no live warrant, grant, plan or note 'nope'"):
        fold_of(option("g1", 48), {**split, "unadjusted": ["nope"]})


def test_shares_from_an_event_in_a_document_can_move_and_still_export(tmp_path):
    """A grant vesting on a condition travels as a DOCUMENT with its exercise; the shares it gave,
    repurchased in part later, must still be OCF lots for the repurchase to consume."""
    from tests.conftest import Ledger  # noqa: PLC0415

    events = [
        {"type": "PartyRegistered", "effective_date": "2022-01-01", "party": "ann", "name": "Ann", "kind": "individual"},
        {"type": "SecurityClassCreated", "effective_date": "2022-01-01", "security": "common", "name": "Common",
         "kind": "common"},
        {"type": "StockPlanCreated", "effective_date": "2022-01-01", "plan": "plan", "name": "Plan",
         "securities": ["common"], "pool_size": 10_000},
        {"type": "EquityCompensationIssued", "effective_date": "2022-01-01", "grant": "g1", "kind": "option",
         "holder": "ann", "security": "common", "plan": "plan", "quantity": 1000, "exercise_price": "0.10",
         "tranches": [{"quantity": 1000, "condition": "milestone"}]},
        {"type": "VestingConditionMet", "effective_date": "2022-03-01", "grant": "g1", "quantity": 1000},
        {"type": "EquityCompensationExercised", "effective_date": "2022-04-01", "grant": "g1", "quantity": 1000},
        {"type": "SharesRepurchased", "effective_date": "2022-05-01", "security": "common", "holder": "ann",
         "quantity": 400, "price_per_share": "0.50"},
    ]
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump({"document": {"id": "g", "issuer": "acme"},
                                    "events": [{**e, "source": SRC} for e in events]}, sort_keys=False))
    a, b = Ledger(tmp_path / "a.db"), Ledger(tmp_path / "b.db")
    assert a("import", path).code == 0
    r = a("export", "ocf", "--as-of", "2023-01-01", "--out", tmp_path / "p.ocf.zip")
    assert r.code == 0, r.err
    assert b("import", tmp_path / "p.ocf.zip").code == 0
    assert b.rows("holdings", "--as-of", "2023-01-01") == a.rows("holdings", "--as-of", "2023-01-01")
    assert [r["quantity"] for r in a.rows("holdings", "--as-of", "2023-01-01", "--party", "ann")] == [600]


def test_an_ocf_return_to_pool_after_a_cancellation_returns_nothing_more(tmp_path):
    from tests.conftest import Ledger  # noqa: PLC0415

    txs = [OPTION,
           {"object_type": "TX_EQUITY_COMPENSATION_CANCELLATION", "id": "t-c", "security_id": "s-opt",
            "date": "2022-06-01", "quantity": "100000", "reason_text": "left"},
           {"object_type": "TX_STOCK_PLAN_RETURN_TO_POOL", "id": "t-r", "security_id": "s-opt", "date": "2022-06-01",
            "quantity": "100000", "reason_text": "cancelled options return", "stock_plan_id": "plan-1"}]
    led = Ledger(tmp_path / "o.db")
    r = led("import", ocf_package(tmp_path / "pkg", txs))
    assert r.code == 0, r.err
    [pool] = [x for x in led.rows("holdings", "--as-of", "2022-12-31") if x["kind"] == "pool"]
    assert (pool["quantity"], pool["returned"], pool["delivered"]) == (1_000_000, 100_000, 0)


def test_one_ocf_id_names_one_object(tmp_path):
    from tests.conftest import Ledger  # noqa: PLC0415

    lot = {**COMMON_LOT, "stakeholder_id": "Ana R"}
    pkg = ocf_package(tmp_path / "pkg", [lot], ana="Ana R")
    led = Ledger(tmp_path / "o.db")
    (tmp_path / "one.yaml").write_text('"Ana R": ana\n')
    (tmp_path / "two.yaml").write_text('"Ana R": ana-r\n')
    assert led("import", pkg, "--ids", tmp_path / "one.yaml").code == 0
    r = led("import", pkg, "--ids", tmp_path / "two.yaml")
    assert r.code == 2 and "ocf id 'Ana R' already names party 'ana'" in r.err


def test_mapped_class_plan_and_grant_ids_come_back_in_the_export(tmp_path):
    import json  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    from tests.conftest import Ledger  # noqa: PLC0415

    lot = {**COMMON_LOT, "stock_class_id": "Common Stock"}
    grant = {**OPTION, "stock_plan_id": "Plan 2022", "vestings": [{"date": "2022-02-01", "amount": "100000"}]}
    grant["security_id"] = "OPT 1"
    pkg = ocf_package(tmp_path / "pkg", [lot, grant], cls="Common Stock", plan="Plan 2022")
    (tmp_path / "ids.yaml").write_text('"Common Stock": common\n"Plan 2022": plan-2022\n"OPT 1": opt-1\n')
    led = Ledger(tmp_path / "o.db")
    r = led("import", pkg, "--ids", tmp_path / "ids.yaml")
    assert r.code == 0, r.err
    assert led("export", "ocf", "--as-of", "2022-12-31", "--out", tmp_path / "back.ocf.zip").code == 0
    with zipfile.ZipFile(tmp_path / "back.ocf.zip") as z:
        [plan] = json.loads(z.read("StockPlans.ocf.json"))["items"]
        txs = json.loads(z.read("Transactions.ocf.json"))["items"]
    assert (plan["id"], plan["stock_class_ids"]) == ("Plan 2022", ["Common Stock"])
    assert {(t.get("stock_plan_id"), t["security_id"]) for t in txs
            if t["object_type"] == "TX_EQUITY_COMPENSATION_ISSUANCE"} == {("Plan 2022", "OPT 1")}
    again = Ledger(tmp_path / "again.db")
    r = again("import", tmp_path / "back.ocf.zip")
    assert r.code == 0, r.err
    assert again.rows("holdings", "--as-of", "2022-12-31") == led.rows("holdings", "--as-of", "2022-12-31")


def test_an_exported_warrant_cancellation_takes_the_tranches_the_fold_takes():
    import datetime as dt  # noqa: PLC0415

    from ledger.outputs.ocf.positions import Tranche, Warrant  # noqa: PLC0415

    # 200 open since 2022-01-01, 300 awaiting "ipo": cancelling 100 takes them from the waiting tranche.
    w = Warrant("w", "ann", "common", 500, None, None, "W-1", "s", "t",
                [Tranche(200, dt.date(2022, 1, 1), None), Tranche(300, None, "ipo")])
    w.cancel(100, dt.date(2022, 6, 1))
    assert [(t.quantity, t.condition) for t in w.tranches] == [(200, None), (200, "ipo")]
    state = fold_of({"type": "WarrantIssued", "effective_date": "2022-01-01", "warrant": "w", "holder": "ana",
                     "security": "common", "quantity": 500, "tranches": [
                         {"quantity": 200, "exercisable_from": "2022-01-01"}, {"quantity": 300, "condition": "ipo"}]},
                    {"type": "WarrantCancelled", "effective_date": "2022-06-01", "warrant": "w", "quantity": 100})
    assert [(t.quantity, t.condition) for t in state.warrants["w"].tranches] == [(200, None), (200, "ipo")]


def test_an_ocf_retraction_of_a_security_already_acted_on_is_refused_naming_both(tmp_path):
    from tests.conftest import Ledger  # noqa: PLC0415

    txs = [OPTION,
           {"object_type": "TX_VESTING_ACCELERATION", "id": "t-acc", "security_id": "s-opt", "date": "2022-03-01",
            "quantity": "1000", "reason_text": "Board discretion"},
           {"object_type": "TX_EQUITY_COMPENSATION_RETRACTION", "id": "t-ret", "security_id": "s-opt",
            "date": "2022-04-01", "reason_text": "Granted in error"}]
    led = Ledger(tmp_path / "o.db")
    r = led("import", ocf_package(tmp_path / "pkg", txs))
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert ("TX_EQUITY_COMPENSATION_RETRACTION t-ret: security_id: retracts 's-opt', on which "
            "Transactions.ocf.json: TX_VESTING_ACCELERATION t-acc has acted") in r.err


def test_a_condition_met_after_a_split_survives_an_ocf_round_trip(tmp_path):
    """RSUs g: 1 on a milestone, 1 from 2023-04-10; split 2-for-1 on 2022-07-03 (2 and 2); the
    milestone met for 2 on 2022-10-27. Vested: 2 on 2023-01-01, 4 on 2023-07-01, in the ledger
    and in the ledger read back from its OCF export (which met the tranches as they were before
    the split, and so 1 share of them)."""
    from tests.conftest import Ledger  # noqa: PLC0415

    def ev(event_type, day, **fields):
        return {"type": event_type, "effective_date": day, "source": SRC, **fields}

    events = [
        ev("PartyRegistered", "2022-01-01", party="h0", name="H0", kind="individual"),
        ev("SecurityClassCreated", "2022-01-01", security="common", name="Common", kind="common"),
        ev("StockPlanCreated", "2022-01-01", plan="p", name="P", securities=["common"], pool_size=100),
        ev("EquityCompensationIssued", "2022-06-15", grant="g", kind="rsu", holder="h0", security="common",
           plan="p", quantity=2, tranches=[{"quantity": 1, "condition": "milestone"},
                                           {"quantity": 1, "exercisable_from": "2023-04-10"}]),
        ev("StockSplit", "2022-07-03", security="common", numerator=2, denominator=1),
        ev("VestingConditionMet", "2022-10-27", grant="g", quantity=2),
    ]
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump({"document": {"id": "g", "issuer": "gen"}, "events": events}, sort_keys=False))
    a, b = Ledger(tmp_path / "a.db"), Ledger(tmp_path / "b.db")
    assert a("import", path).code == 0
    assert a("export", "ocf", "--as-of", "2025-12-31", "--out", tmp_path / "g.ocf.zip").code == 0
    assert b("import", tmp_path / "g.ocf.zip").code == 0
    for ledger in (a, b):
        vested = {day: [r["vested"] for r in ledger.rows("holdings", "--as-of", day) if r["security"] == "g"]
                  for day in ("2023-01-01", "2023-07-01")}
        assert vested == {"2023-01-01": [2], "2023-07-01": [4]}
