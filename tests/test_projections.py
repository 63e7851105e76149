"""Cap table, voting, Rule 13d-3 ownership and rights on the Beta history, figures by hand.

Beta, 2021-01-01: common 1,000,000 (fund 100,000, x 50,000, y 30,000, z 820,000);
fund also holds 10,000 preferred, voting as converted at 2:1 once stockholders
approve (they do on 2021-01-11). top manages mid, mid is fund's general partner.
x and y are the group g. Warrant wf (fund, 60,000 common at $1.00) vests in
three tranches of 20,000: 2021-01-01, 2021-03-01 (59 days after 2021-01-01)
and 2021-03-03 (61 days after).
"""

from __future__ import annotations

import pytest
import yaml
from freezegun import freeze_time

S = {"locator": "t", "quote": "t"}


def e(event_type, day, **kw):
    return {"type": event_type, "effective_date": day, "source": S, **kw}


HISTORY = [
    *[e("PartyRegistered", "2021-01-01", party=p, name=p.title(), kind=k) for p, k in
      [("beta", "corporation"), ("top", "llc"), ("mid", "llc"), ("fund", "partnership"),
       ("x", "individual"), ("y", "individual"), ("z", "individual")]],
    e("ControlRecorded", "2021-01-01", controller="top", controlled="mid", relation="managing_member"),
    e("ControlRecorded", "2021-01-01", controller="mid", controlled="fund", relation="general_partner"),
    e("GroupFormed", "2021-01-01", group="g", name="X and Y", members=["x", "y"]),
    e("SecurityClassCreated", "2021-01-01", security="common", name="Common", kind="common"),
    e("SecurityClassCreated", "2021-01-01", security="pref", name="Preferred", kind="preferred",
      as_converted_voting=True, converts_to="common", conversion_ratio="2", conversion_condition="stockholder_approval"),
    e("SharesIssued", "2021-01-01", security="common", holder="fund", quantity=100_000),
    e("SharesIssued", "2021-01-01", security="common", holder="x", quantity=50_000),
    e("SharesIssued", "2021-01-01", security="common", holder="y", quantity=30_000),
    e("SharesIssued", "2021-01-01", security="common", holder="z", quantity=820_000),
    e("SharesIssued", "2021-01-01", security="pref", holder="fund", quantity=10_000),
    e("SharesOutstandingReported", "2021-01-01", security="common", quantity=1_250_000),
    e("WarrantIssued", "2021-01-01", warrant="wf", holder="fund", security="common", quantity=60_000,
      exercise_price="1.00", expires="2030-01-01",
      tranches=[{"quantity": 20_000, "exercisable_from": "2021-01-01"},
                {"quantity": 20_000, "exercisable_from": "2021-03-01"},
                {"quantity": 20_000, "exercisable_from": "2021-03-03"}]),
    e("AgreementExecuted", "2021-01-01", agreement="ia", title="Investor Agreement", parties=["beta", "fund", "x", "y"],
      terms={"investors": ["fund", "g"], "rights": [
          {"id": "elig", "kind": "eligible_investor", "persons": ["fund", "g"], "measure": "voting_power",
           "threshold": "0.10"}]}),
    e("ConversionApproved", "2021-01-11", security="pref", approved_by="stockholders"),
    e("SharesTransferred", "2021-02-01", security="common", from_holder="z", to_holder="x", quantity=50_000),
    e("SharesTransferred", "2021-02-15", security="common", from_holder="x", to_holder="z", quantity=40_000),
    e("StockSplit", "2021-04-01", security="common", numerator=3, denominator=1),
]


@pytest.fixture
def beta(ledger, tmp_path):
    path = tmp_path / "beta.yaml"
    path.write_text(yaml.safe_dump({"document": {"id": "beta", "issuer": "beta"}, "events": HISTORY}))
    with freeze_time("2022-01-01T00:00:00Z"):
        r = ledger("import", path)
    assert r.code == 0, r.err
    return ledger


def rows_by(ledger, key, *args):
    return {r[key]: r for r in ledger.rows(*args)}


def test_ownership_tranches_59_and_61_days_away_and_approval_after_the_date(beta):
    own = rows_by(beta, "party", "ownership", "--as-of", "2021-01-01", "--outstanding", "derived")
    fund = own["fund"]
    # 100,000 held + 20,000 exercisable now + 20,000 on day 59; not day 61; the preferred's
    # approval comes on 2021-01-11, after the as-of date, so it does not count.
    assert fund["acquirable_within_60_days"] == 40_000
    assert fund["beneficially_owned"] == 140_000
    assert fund["percent"] == pytest.approx(13.461538, abs=1e-6)  # 140,000 / 1,040,000
    assert (fund["sole_voting"], fund["shared_voting"]) == (140_000, 0)


def test_ownership_after_approval(beta):
    fund = rows_by(beta, "party", "ownership", "--as-of", "2021-01-11", "--outstanding", "derived")["fund"]
    # 2021-01-11 + 60 days = 2021-03-12: all three tranches (60,000) + 10,000 preferred x 2.
    assert fund["acquirable_within_60_days"] == 80_000
    assert fund["percent"] == pytest.approx(16.666667, abs=1e-6)  # 180,000 / 1,080,000


def test_control_chain_of_depth_two(beta):
    own = rows_by(beta, "party", "ownership", "--as-of", "2021-01-01", "--outstanding", "derived")
    for controller in ("mid", "top"):
        row = own[controller]
        assert row["beneficially_owned"] == 140_000
        assert (row["sole_voting"], row["shared_voting"], row["shared_dispositive"]) == (0, 140_000, 140_000)
        assert row["percent"] == pytest.approx(13.461538, abs=1e-6)


def test_group_as_one_person(beta):
    own = rows_by(beta, "party", "ownership", "--as-of", "2021-01-01", "--outstanding", "derived")
    assert own["g"]["beneficially_owned"] == 80_000 and own["g"]["percent"] == pytest.approx(8.0)
    assert own["x"]["percent"] == pytest.approx(5.0) and own["y"]["percent"] == pytest.approx(3.0)


def test_reported_outstanding_as_denominator(beta):
    fund = rows_by(beta, "party", "ownership", "--as-of", "2021-01-01", "--outstanding", "reported")["fund"]
    assert fund["percent"] == pytest.approx(10.852713, abs=1e-6)  # 140,000 / (1,250,000 + 40,000)


def test_the_best_denominator_is_the_report_while_it_exceeds_the_ledgers_count(beta):
    """The ledger records 1,000,000 common (100,000 + 50,000 + 30,000 + 820,000); 1,250,000 are
    reported outstanding on 2021-01-01, so its own count is known to fall short: every percent
    is taken over the report, and says so, until the 3:1 split makes the count 3,000,000."""
    fund = rows_by(beta, "party", "ownership", "--as-of", "2021-01-01")["fund"]
    assert fund["percent"] == pytest.approx(10.852713, abs=1e-6)  # 140,000 / (1,250,000 + 40,000)
    assert (fund["denominator"], fund["denominator_source"]) == (1_250_000, "reported")
    assert (fund["denominator_document"], fund["denominator_date"]) == ("beta", "2021-01-01")
    v = rows_by(beta, "party", "voting", "--as-of", "2021-01-01")["fund"]
    # Before the approval the preferred casts no votes: 100,000 of 1,250,000 + 0.
    assert (v["votes"], v["percent"]) == (100_000, pytest.approx(8.0))
    common = next(c for c in v["by_class"] if c["security"] == "common")
    assert (common["votes"], common["percent"], common["denominator"]) == (100_000, pytest.approx(8.0), 1_250_000)
    v = rows_by(beta, "party", "voting", "--as-of", "2021-03-31")["fund"]
    assert v["percent"] == pytest.approx(9.448819, abs=1e-6)  # 120,000 / (1,250,000 + 10,000 x 2)
    v = rows_by(beta, "party", "voting", "--as-of", "2021-04-01")["fund"]
    assert v["percent"] == pytest.approx(11.764706, abs=1e-6)  # 360,000 / (3,000,000 + 60,000): derived again
    assert next(c for c in v["by_class"] if c["security"] == "common")["denominator_source"] == "derived"
    # 100,000 and 80,000 votes are under 10% of 1,250,000, but the 250,000 reported shares whose
    # holders the ledger does not know could be theirs: neither is "not eligible".
    status = {r["party"]: r["status"] for r in beta.rows("rights", "--as-of", "2021-01-01") if r["right"] == "elig"}
    assert status == {"fund": "not derivable", "g": "not derivable"}


def test_cover_page_rows(beta):
    out = beta("ownership", "--as-of", "2021-01-01", "--cover", "--outstanding", "derived").out
    assert "Shared Voting Power" in out and "140,000" in out and "13.5%" in out


def test_captable(beta):
    cap = rows_by(beta, "security", "captable", "--as-of", "2021-01-01")
    # 1,000,000 + 60,000 warrant shares + 10,000 preferred x 2
    assert cap["common"] == {**cap["common"], "outstanding": 1_000_000, "fully_diluted": 1_080_000,
                             "not_yet_convertible": 60_000}
    assert (cap["pref"]["outstanding"], cap["pref"]["fully_diluted"]) == (10_000, 10_000)
    assert rows_by(beta, "security", "captable", "--as-of", "2021-01-11")["common"]["not_yet_convertible"] == 40_000


def test_voting_as_converted_only_after_approval_and_after_split(beta):
    v = rows_by(beta, "party", "voting", "--as-of", "2021-01-01", "--outstanding", "derived")
    assert v["fund"]["votes"] == 100_000 and v["fund"]["percent"] == pytest.approx(10.0)
    v = rows_by(beta, "party", "voting", "--as-of", "2021-03-31", "--outstanding", "derived")
    assert v["fund"]["votes"] == 120_000  # 100,000 + 10,000 x 2
    assert v["fund"]["percent"] == pytest.approx(11.764706, abs=1e-6)  # of 1,020,000
    v = rows_by(beta, "party", "voting", "--as-of", "2021-04-01", "--outstanding", "derived")
    # 3:1 split: 300,000 common + 10,000 x 6 as converted, of 3,000,000 + 60,000.
    assert v["fund"]["votes"] == 360_000
    assert v["fund"]["percent"] == pytest.approx(11.764706, abs=1e-6)
    assert v["z"]["votes"] == 2_430_000  # (820,000 - 50,000 + 40,000) x 3


def test_eligible_investor_switches_on_and_off(beta):
    def status(day):
        return {r["party"]: r["status"] for r in beta.rows("rights", "--as-of", day, "--outstanding", "derived") if r["right"] == "elig"}

    assert status("2021-01-01") == {"fund": "eligible", "g": "not eligible"}  # 10.0% and 8.0%
    assert status("2021-02-01")["g"] == "eligible"  # 130,000 of 1,020,000
    assert status("2021-02-15")["g"] == "not eligible"  # 90,000 of 1,020,000
    fig = next(r for r in beta.rows("rights", "--as-of", "2021-02-01", "--outstanding", "derived") if r["party"] == "g")["figures"]
    # The preferred votes 20,000 as converted since its approval on 2021-01-11.
    assert (fig["votes"], fig["total_votes"]) == (130_000, 1_020_000)


@pytest.mark.parametrize("command", ["holdings", "captable", "voting", "ownership", "rights"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_command_in_every_format(beta, command, fmt):
    r = beta(command, "--as-of", "2021-01-01", "--format", fmt)
    assert r.code == 0, r.err
    if fmt == "json":
        body = r.json()
        assert body["as_of"] == "2021-01-01" and body["rows"]
    elif fmt == "csv":
        assert len(r.out.splitlines()) > 1
    else:
        assert "2021-01-01" in r.out
