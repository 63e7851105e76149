"""The SAVVIS filing history (replay_data/savvis), figures derived by hand from its five source documents (replay_data/savvis/sources).

From the 13D/A (002_5249cba9dd482567.txt):
- Item 3: 2,575,298 common issued on 2004-02-09 by partial cashless exercise of the
  Constellation Warrants (10,000,000 common, Amendment No. 1, s. 1.03(a)); 3,333,333
  more became exercisable as of 2004-03-31.
- Exhibits 1-4: Series B warrants Nos. 26-29 for 342,154 (Offshore), 161,760
  (Offshore), 135,553 (BSC Employee Fund IV) and 7,591 (CVC II Partners) shares at
  $16.30, exercised cashless in their entirety for an aggregate 327,642 Series B (Item 6).
  X = floor(Y(A - 16.30)/A) sums to 327,642 only for A in [33.019995..., 33.020099...),
  where the split is 173,253 / 81,908 / 68,638 / 3,843 (worked in FINDINGS.md F3 and
  re-derived here in test_series_b_split_is_the_only_one).
- Item 4/6: each Series B share converts into ten common upon stockholder approval:
  327,642 x 10 = 3,276,420.
- Item 5(a): 109,488,793 common outstanding as of 2004-05-11.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from click.testing import CliRunner

from ledger.cli.main import cli
from tests.conftest import ROOT, Ledger

SAVVIS = ROOT / "replay_data" / "savvis"


@pytest.fixture(scope="module")
def savvis(tmp_path_factory):
    db = tmp_path_factory.mktemp("savvis") / "savvis.db"
    r = CliRunner().invoke(cli, ["--db", str(db), "replay", str(SAVVIS)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return Ledger(db)


def rows(ledger, *args):
    return ledger.rows(*args)


def position(ledger, day, party, security):
    return next((r for r in rows(ledger, "holdings", "--as-of", day)
                 if r["party"] == party and r["security"] == security), None)


def test_series_b_split_is_the_only_one():
    y = [342_154, 161_760, 135_553, 7_591]
    b = Fraction("16.30")
    split = [math.floor(q * (Fraction("33.02") - b) / Fraction("33.02")) for q in y]
    assert split == [173_253, 81_908, 68_638, 3_843] and sum(split) == 327_642
    # Just outside the interval the aggregate is not 327,642.
    lo, hi = Fraction(27_885_551, 844_505), Fraction(878_896, 26_617)
    for a, total in ((lo - Fraction(1, 10**9), 327_641), (hi, 327_643)):
        assert sum(math.floor(q * (a - b) / a) for q in y) == total


def test_series_b_positions_on_2004_02_09(savvis):
    # Offshore holds warrants 26 and 27: 173,253 + 81,908 = 255,161.
    assert position(savvis, "2004-02-09", "cvc-offshore-ii", "series-b-preferred")["quantity"] == 255_161
    assert position(savvis, "2004-02-09", "bsc-employee-fund-iv", "series-b-preferred")["quantity"] == 68_638
    assert position(savvis, "2004-02-09", "cvc-ii-partners", "series-b-preferred")["quantity"] == 3_843
    total = sum(r["quantity"] for r in rows(savvis, "holdings", "--as-of", "2004-02-09")
                if r["security"] == "series-b-preferred")
    assert total == 327_642
    # The warrants were exercised in full: none left.
    assert not any(r["security"] in ("w-26", "w-27", "w-28", "w-29") for r in rows(savvis, "holdings", "--as-of", "2004-02-09"))


def test_series_b_warrants_on_issue_day_before_exercise(savvis):
    # Same-day events: the warrants exist before their exercise only inside 2004-02-09.
    assert position(savvis, "2004-02-08", "cvc-offshore-ii", "w-26") is None


def test_series_b_conversion_potential_before_approval(savvis):
    cap = {r["security"]: r for r in rows(savvis, "captable", "--as-of", "2004-07-02")}
    # 3,276,420 common shares could come from the Series B, none yet convertible.
    assert cap["series-b-preferred"]["outstanding"] == 327_642
    # Not yet convertible or exercisable: at least those 3,276,420; the Constellation warrants'
    # unexercisable part is open (between nothing and 7,424,701 - 3,333,333 = 4,091,368), and so
    # is the Series A's, whose number and ratio no source gives: no upper bound.
    common = cap["common"]
    assert (common["not_yet_convertible"], common["not_yet_convertible_at_least"]) == (None, 3_276_420)
    assert "not_yet_convertible_at_most" not in common
    # On 2002-07-09 the warrants are whole: 10,000,000, of which the 6,666,667 on unstated terms
    # may be exercisable: between 3,333,333 and 10,000,000 are not.
    early = {r["security"]: r for r in rows(savvis, "captable", "--as-of", "2002-07-09")}["common"]
    assert (early["not_yet_convertible_at_least"], early["not_yet_convertible_at_most"]) == (3_333_333, 10_000_000)
    own = {r["party"]: r for r in rows(savvis, "ownership", "--as-of", "2004-07-02", "--outstanding", "reported")}
    # Without approval the Series B adds nothing acquirable within 60 days: what the fund surely
    # owns is 0, and what is open about it is the group's split and the Series A, not the Series B.
    fund = own["cvc-offshore-ii"]
    assert (fund["beneficially_owned"], fund["beneficially_owned_at_least"]) == (None, 0)
    assert not [m for m in fund["missing"] if "series-b" in m]


def test_the_cap_table_leaves_open_what_the_sources_leave_open(savvis):
    # Item 5(a) gives effect to Series A preferred the group holds, in no stated number, and
    # WCAS VIII's common after February 2000 is not stated: neither class's count is known.
    cap = {r["security"]: r for r in rows(savvis, "captable", "--as-of", "2004-07-02")}
    common, series_a = cap["common"], cap["series-a-preferred"]
    assert (common["outstanding"], common["outstanding_at_least"]) == (None, 2_575_298)
    # At least the named 2,575,298, plus the Series B as converted, 327,642 x 10 = 3,276,420,
    # plus the Constellation warrants certainly left: Item 3's 3,333,333 that became exercisable
    # only on 2004-03-31, so that the February 9 exercise cannot have drawn on them:
    # 2,575,298 + 3,276,420 + 3,333,333 = 9,185,051.
    assert (common["fully_diluted"], common["fully_diluted_at_least"]) == (None, 9_185_051)
    assert "fully_diluted_at_most" not in common  # the Series A and WCAS VIII's common have no number
    assert "constellation-warrants: its shares are known only to lie between 3,333,333 and 7,424,701" \
        in common["missing"]
    assert (series_a["outstanding"], series_a["outstanding_at_least"], series_a["complete"]) == (None, 0, False)
    assert any("Item 5(a)" in m for m in series_a["missing"])
    assert cap["series-b-preferred"]["outstanding"] == 327_642  # Item 3: known to the share
    table = savvis("captable", "--as-of", "2004-07-02").out
    from ledger.outputs.render import shown

    assert shown(common, "outstanding") == "not derivable (at least 2,575,298)"
    assert "not derivable" in table and "2,575,298)" in table  # the table wraps it within its cell


def test_series_b_conversion_potential_after_approval(savvis, tmp_path):
    approval = tmp_path / "approval.yaml"
    approval.write_text(
        "document: {id: hypothetical-approval, issuer: savvis}\n"
        "events:\n"
        "  - {type: ConversionApproved, effective_date: 2004-08-02, security: series-b-preferred,\n"
        "     approved_by: stockholders, source: {locator: test, quote: hypothetical}}\n")
    copy = Ledger(tmp_path / "copy.db")
    assert copy("replay", SAVVIS).code == 0
    assert copy("import", approval).code == 0
    own = {r["party"]: r for r in rows(copy, "ownership", "--as-of", "2004-08-02", "--outstanding", "reported")}
    # Offshore: 255,161 x 10 = 2,551,610 acquirable, at least: its part of the group's Series A
    # and of the group's aggregate is not stated, so the figure and its percent stay open.
    offshore = own["cvc-offshore-ii"]
    assert (offshore["acquirable_within_60_days"], offshore["acquirable_within_60_days_at_least"]) == (None, 2_551_610)
    assert offshore["beneficially_owned_at_least"] == 2_551_610 and offshore["percent"] is None
    assert any("split of constellation-entities's aggregate" in m for m in offshore["missing"])
    assert own["bsc-employee-fund-iv"]["acquirable_within_60_days_at_least"] == 686_380  # 68,638 x 10
    assert own["cvc-ii-partners"]["acquirable_within_60_days_at_least"] == 38_430  # 3,843 x 10
    # The day before the approval, nothing from the Series B.
    before = {r["party"]: r for r in rows(copy, "ownership", "--as-of", "2004-08-01", "--outstanding", "reported")}
    assert before["cvc-offshore-ii"]["acquirable_within_60_days_at_least"] == 0


def test_constellation_common_and_warrants_at_each_date(savvis):
    w = position(savvis, "2002-06-28", "constellation-entities", "constellation-warrants")
    # 10,000,000 issued; 3,333,333 await conditions, the rest have terms no source states.
    assert (w["quantity"], w["exercisable"], w["exercisable_at_most"]) == (10_000_000, None, 6_666_667)
    assert position(savvis, "2002-06-28", "constellation-entities", "common") is None

    assert position(savvis, "2004-02-09", "constellation-entities", "common")["quantity"] == 2_575_298
    w = position(savvis, "2004-02-09", "constellation-entities", "constellation-warrants")
    # A net exercise surrenders more than it issues (Y > X): at most 10,000,000 - 2,575,299 left,
    # and at most 6,666,667 - 2,575,299 = 4,091,368 exercisable before the 3,333,333 vest.
    assert (w["quantity"], w["quantity_at_most"], w["exercisable_at_most"]) == (None, 7_424_701, 4_091_368)
    # The 3,333,333 were not exercisable on 2004-02-09 ("an additional 3,333,333 ... became
    # exercisable" as of 2004-03-31): the exercise drew only on the other 6,666,667, so at least
    # 3,333,333 are left, and none is certainly exercisable yet.
    assert (w["quantity_at_least"], w["exercisable_at_least"]) == (3_333_333, 0)

    w = position(savvis, "2004-03-31", "constellation-entities", "constellation-warrants")
    # Exercisable on 2004-03-31: between the 3,333,333 that vested and all 7,424,701 left.
    assert (w["exercisable"], w["exercisable_at_least"], w["exercisable_at_most"]) == (None, 3_333_333, 7_424_701)
    assert (w["quantity_at_least"], w["quantity_at_most"]) == (3_333_333, 7_424_701)
    assert position(savvis, "2004-03-30", "constellation-entities", "constellation-warrants")["exercisable_at_most"] == 4_091_368
    assert position(savvis, "2004-07-02", "constellation-entities", "common")["quantity"] == 2_575_298
    note = position(savvis, "2004-07-02", "constellation-entities", "series-a-notes")
    assert note["principal"] == "10000000"


def rights(ledger, day):
    return rows(ledger, "rights", "--as-of", day, "--outstanding", "reported")


def test_constellation_rights_at_each_date(savvis):
    assert not [r for r in rights(savvis, "2002-06-27") if "constellation-entities" in str(r["party"])]
    for day in ("2002-06-28", "2004-02-09", "2004-03-31", "2004-07-02"):
        got = rights(savvis, day)
        demand = next(r for r in got if r["right"] == "demand-registration" and r["party"] == "constellation-entities")
        # Amendment No. 1, s. 1.04: two Demand Registrations for the Constellation Entities.
        assert (demand["status"], demand["figures"]["limit"], demand["figures"]["left"]) == ("available", 2, 2)
        assert demand["figures"]["min_offering_price"] in ("25000000", "25000000.0", 25000000)
        ira = next(r for r in got if r["agreement"] == "investor-rights-2002" and r["kind"] == "agreement")
        assert ira["figures"]["parties"]["cvc-ii"] == "Other Investor"
        eligible = [r for r in got if r["kind"] == "eligible_investor" and r["party"] == "constellation-entities"]
        assert {r["status"] for r in eligible} == {"not derivable"}
    nomination = next(r for r in rights(savvis, "2004-07-02") if r["kind"] == "board_nomination")
    assert nomination["party"] == "constellation-entities" and "Clifford H. Friedman" in nomination["explanation"]
    commitment = next(r for r in rights(savvis, "2004-07-02") if r["kind"] == "voting_commitment")
    assert commitment["status"] == "in force" and "wcas-viii" in commitment["party"]


def findings(ledger):
    return [r for r in ledger.rows("reconcile") if r["status"] != "ok"]


def find(rows_, kind, subject):
    return [r for r in rows_ if r["kind"] == kind and r["subject"] == subject]


def test_reconciliation_finds_what_a_careful_reader_finds(savvis):
    f = findings(savvis)
    # F6: 490,354 / 109,488,793 = 0.4479%; a 13d-3 denominator only grows, so 0.5% is unreachable.
    [pct] = find(f, "percent", "cvc-ii-partners")
    assert pct["status"] == "inconsistent" and pct["reported"] == "0.5"
    # F8: 22,149,036 + 10,471,371 + 8,774,984 = 41,395,391; BSAM reports 41,885,745,
    # short by 490,354 = CVC II Partners' figure, with no control relation stated.
    # The two sides agree if BSAM also owns CVC II Partners' shares, which no source says:
    # "unstated", citing CVC II Partners' page (page 5) too.
    [chain] = find(f, "chain_sum", "bsam")
    assert (chain["reported"], chain["derived"]) == (41_885_745, 41_395_391) and "cvc-ii-partners" in chain["explanation"]
    assert chain["status"] == "unstated" and len(chain["sources"]) == 5  # BSAM's page, the 3 pages summed, page 5
    # Item 6's aggregate: Warrants Nos. 26-29 surrender 342,154 + 161,760 + 135,553 + 7,591 =
    # 647,058 at $16.30 against $33.02; on the aggregate, floor(647,058 x 16.72 / 33.02) = 327,644,
    # but the filing's 327,642 is the sum of the four certificates each rounded down.
    [agg] = [r for r in savvis.rows("reconcile") if r["kind"] == "rounding"]
    assert (agg["reported"], agg["derived"], agg["status"]) == (327_642, 327_644, "ok")
    assert "647,058" in agg["explanation"] and "certificate by certificate" in agg["explanation"]
    # Misprints, as printed: "parntership" and "New, York" in the Joinder, "Lane. H. Blumenfeld"
    # in the letter agreement (each cited where it is printed).
    misprints = {(r["subject"], r["reported"]) for r in f if r["kind"] == "misprint"}
    assert misprints == {("savvis-joinder-2002", "parntership"), ("savvis-joinder-2002", "New, York"),
                         ("savvis-letter-2002", "Lane. H. Blumenfeld")}
    # F9: 28.2% needs at least 41,885,745 - 39,306,038 = 2,579,707 outstanding shares held; 2,575,298 recorded.
    [held] = find(f, "percent_vs_held", "constellation-entities")
    assert held["derived"] == 2_575_298 and held["reported"].startswith("2,579,707..")
    # F10: the funds report sole power over shares their general partner reports as shared.
    assert {r["subject"] for r in f if r["kind"] == "power"} == {"cvc-ii", "cvc-offshore-ii", "bsc-employee-fund-iv"}
    # F1: Item 7 says Exhibit 1 was issued to CVC II; the certificate names Offshore.
    [title] = find(f, "statement", "w-26")
    assert (title["reported"], title["derived"]) == ("cvc-ii", "cvc-offshore-ii")
    # F2: the purchase agreement dated February 9 (Item 6) and February 6 (Exhibit 1).
    assert find(f, "statement", "amended-and-restated-spa-2004")[0]["reported"] == "2004-02-06 vs 2004-02-09"
    # F19: Rule 144(d) in the heading, 144(k) in the text.
    assert find(f, "statement", "registration-rights-2001 section 3(j)")
    # F1, second half: each Series B certificate over its fund's row 11 (Exhibits 1-4, pages 2-5):
    # with No. 26 at CVC II as Item 7 titles it, 342,154 / 22,149,036 = 0.0154478,
    # 161,760 / 10,471,371 = 0.0154478, 135,553 / 8,774,984 = 0.0154477, 7,591 / 490,354 =
    # 0.0154807; with No. 26 at the Offshore fund, (342,154 + 161,760) / 10,471,371 = 0.0481230
    # and CVC II 0. The sizes point to the title, not to the certificate.
    [sizes] = find(f, "proportion", "w-26")
    assert (sizes["reported"], sizes["derived"]) == ("cvc-ii", "cvc-offshore-ii")
    for figure in ("cvc-ii 0.0154478", "cvc-offshore-ii 0.0154478", "bsc-employee-fund-iv 0.0154477",
                   "cvc-ii-partners 0.0154807", "cvc-offshore-ii 0.0481230", "cvc-ii 0.0000000"):
        assert figure in sizes["explanation"]
    assert sizes["explanation"].endswith("in proportion under the statement, not under the certificate")
    assert title["sources"] == ["savvis-13da1-2004, Page 9, Item 7, Exhibit 1",
                                "savvis-13da1-2004, Exhibit 1 (Warrant No. 26), section 1"]
    # F4, F5: the joinder and the 13D/A name different managers; the joinder two for one.
    assert {r["subject"] for r in f if r["kind"] == "control"} == {
        "cvc-ii", "cvc-offshore-ii", "bsc-employee-fund-iv", "constellation-ventures-management"}
    # F12: a signature title is no control relation; the letter's "Managing Member" for WCAS VIII,
    # a limited partnership, is a title no partnership has, beside its recorded general partner.
    [signed] = find(f, "signature", "wcas-viii")
    assert signed["reported"] == "Managing Member" and "wcas-viii-associates as general partner" in signed["explanation"]
    assert signed["sources"][0] == "savvis-letter-2002, Signature page (page 2), WCAS VIII block"
    # F14: Friedman signs for CVC II Partners as "SMD" (Joinder) and "Member" (13D/A).
    [capacity] = find(f, "statement", "cvc-ii-partners")
    assert capacity["reported"] == "Member vs SMD"
    # F11: row 14 "CO" for two LLCs.
    assert {r["subject"] for r in f if r["kind"] == "reporting_type"} == {"cvc-ii-partners", "constellation-management-ii"}
    # F13, F15: names spelt differently.
    names = {(r["subject"], r["reported"]) for r in f if r["kind"] == "name"}
    assert ("cvc-ii-partners", "CVC Partners, L.L.C.") in names
    assert ("cvc-offshore-ii", "CONSTELLATION VENTURE CAPTIAL OFFSHORE II, L.P.") in names
    assert ("jonathan-m-rather", "John Rather") in names
    # Each variant is cited where it is printed, first, then where the name is printed as
    # registered. Read in the documents: "CAPTIAL" on the 13D/A's signature page (page 10);
    # "CVC Partners, L.L.C." in the Joinder's preamble; "John Rather" in Amendment No. 1's
    # WCAS VIII signature block; "Jonathan Rather" in the letter agreement's signature blocks;
    # "Jonathan M. Rather" on the 2001 agreement's signature page.
    cited = {r["reported"]: r["sources"] for r in f if r["kind"] == "name"}
    documents = {variant: [s.split(",")[0] for s in sources] for variant, sources in cited.items()}
    assert documents["CONSTELLATION VENTURE CAPTIAL OFFSHORE II, L.P."][0] == "savvis-13da1-2004"
    assert cited["CONSTELLATION VENTURE CAPTIAL OFFSHORE II, L.P."][0].startswith("savvis-13da1-2004, Page 10")
    assert cited["CVC Partners, L.L.C."][0] == "savvis-joinder-2002, Preamble"
    assert documents["John Rather"][0] == "savvis-ira-amendment-1-2002"
    assert set(documents["Jonathan Rather"][:-1]) == {"savvis-letter-2002"}
    assert documents["Jonathan Rather"][-1] == documents["John Rather"][-1] == "savvis-rra-2001"
    # Item 5(a): 109,488,793 outstanding, of which the sources name holders of 2,575,298.
    [out] = find(f, "outstanding", "common")
    assert (out["reported"], out["derived"]) == (109_488_793, 2_575_298)


def test_reconciliation_passes_what_adds_up(savvis):
    ok = [r for r in savvis.rows("reconcile") if r["status"] == "ok"]
    # Item 4's 3,276,420 = 327,642 Series B x 10.
    assert find(ok, "statement", "constellation-entities")[0]["derived"] == 3_276_420
    # Page 6 = pages 2-4 and Item 5(a) = pages 2-5.
    assert find(ok, "chain_sum", "constellation-management-ii")[0]["derived"] == 41_395_391
    assert find(ok, "chain_sum", "constellation-entities")[0]["derived"] == 41_885_745
    # 17.0% of 109,488,793 with 20,417,577..21,183,985 acquirable (FINDINGS.md F7).
    assert find(ok, "percent", "cvc-ii")[0]["derived"] == "acquirable 20,417,577..21,183,985"


def test_reconcile_strict_exits_1(savvis):
    assert savvis("reconcile", "--strict").code == 1
    assert savvis("reconcile").code == 0


def test_history_shows_inferences_and_sources(savvis):
    r = savvis("history", "--security", "w-26", "--format", "json")
    body = r.json()["rows"]
    exercise = next(e for e in body if e["type"] == "CashlessExercise")
    assert exercise["shares_issued"] == 173_253 and "327,642" in exercise["inference"]["reasoning"]
    assert exercise["source"]["document"] == "savvis-13da1-2004"
    table = savvis("history", "--security", "w-26").out
    assert "inferred" in table or "327,642" in table


def test_percents_are_taken_over_the_reported_count_the_ledgers_own_falls_short_of(savvis):
    # Item 5(a): 109,488,793 common outstanding (as of 2004-05-11, per the 13D/A); the sources
    # name holders of only 2,575,298 (Item 3), and WCAS VIII holds common in a number they do
    # not give. By hand: 2,575,298 / 109,488,793 = 2.352111%, not 100%.
    [group] = [r for r in savvis.rows("voting", "--as-of", "2004-07-02") if r["party"] == "constellation-entities"]
    common = next(c for c in group["by_class"] if c["security"] == "common")
    assert (common["votes"], common["percent"]) == (2_575_298, pytest.approx(2.352111, abs=1e-6))
    assert (common["denominator"], common["denominator_source"]) == (109_488_793, "reported")
    assert (common["denominator_document"], common["denominator_date"]) == ("savvis-13da1-2004", "2004-05-11")
    # Of all votes: not derivable, for no source states the votes per share of either
    # preferred series, and the group holds both.
    assert (group["votes"], group["percent"], group["complete"]) == (None, None, False)
    assert group["votes_at_least"] == 2_575_298
    assert "votes per share of series-b-preferred are not stated" in group["missing"]
    # Amendment No. 1's Eligible Investor test (5% or 10% of the voting power) is therefore
    # not derivable for the Constellation Entities, where it read "2,575,298 of 2,575,298".
    rights = [r for r in savvis.rows("rights", "--as-of", "2004-07-02")
              if r["kind"] == "eligible_investor" and r["party"] == "constellation-entities"]
    assert rights and {r["status"] for r in rights} == {"not derivable"}
    # Rule 13d-3: what the group owns is open (Series A, the warrants' remainder), but at least
    # its 2,575,298 common plus the 3,333,333 warrant shares exercisable since 2004-03-31 (Item 3),
    # 5,908,631, over 109,488,793 + 3,333,333 = 112,822,126: 5.237120% rounded down. No upper
    # bound: the Series A has no number at all.
    [owner] = [r for r in savvis.rows("ownership", "--as-of", "2004-07-02") if r["party"] == "constellation-entities"]
    assert (owner["beneficially_owned"], owner["beneficially_owned_at_least"]) == (None, 5_908_631)
    assert owner["acquirable_within_60_days_at_least"] == 3_333_333
    assert (owner["percent"], owner["percent_at_least"]) == (None, 5.23712)
    assert "percent_at_most" not in owner


def test_a_partys_history_holds_the_exercises_of_its_warrants(savvis):
    # Exhibits 1 and 2 are Warrants Nos. 26 and 27 issued to Constellation Venture Capital
    # Offshore II, L.P.; Item 3 has each surrendered in a cashless exercise. The exercises name
    # only the warrant, yet they made its Series B holding.
    rows = savvis("history", "--party", "cvc-offshore-ii", "--format", "json").json()["rows"]
    exercised = sorted(r["warrant"] for r in rows if r["type"] == "CashlessExercise")
    assert exercised == ["w-26", "w-27"]
    issued = sorted(r["warrant"] for r in rows if r["type"] == "WarrantIssued")
    assert issued == ["w-26", "w-27"]
    # Nobody else's: Warrant No. 28 is the BSC Employee Fund IV's.
    assert not [r for r in rows if r.get("warrant") == "w-28"]


def test_dated_as_the_sources_date_things(savvis):
    # Letter agreement, clause (ii)(x): the company is "in no event later than July 24, 2002, to
    # cause its board of directors to be increased to ten members". A promise given on
    # 2002-06-28 and due on 2002-07-24; no source says it was kept, so the size stays open.
    [board] = [r for r in savvis.rows("rights", "--as-of", "2004-07-02") if r["kind"] == "board_nomination"]
    figures = board["figures"]
    assert figures["board_size"] is None
    assert (figures["board_size_committed"], figures["board_size_due"]) == (10, "2002-07-24")
    # 13D/A Item 4: the nomination was "as referred to in the original Schedule 13D", which the
    # amendment's preamble says was filed on July 9, 2002: nominated by that day, not on 2004-02-09.
    assert board["explanation"] == "Clifford H. Friedman (nominated on or before 2002-07-09; serving on 2004-07-02)"
    [early] = [r for r in savvis.rows("rights", "--as-of", "2002-07-09") if r["kind"] == "board_nomination"]
    assert early["figures"]["nominees"] == ["Clifford H. Friedman"]
    [before] = [r for r in savvis.rows("rights", "--as-of", "2002-07-08") if r["kind"] == "board_nomination"]
    assert before["figures"]["nominees"] == []
    # Signature titles ("Title: Managing Member", "Title: Member") are capacities, not control:
    # neither signatory beneficially owns what the partnership he signs for holds.
    owners = {r["party"] for r in savvis.rows("ownership", "--as-of", "2004-07-02")}
    assert not owners & {"jonathan-m-rather", "clifford-h-friedman"}
    # The 2001 agreement's recital: "Stock Purchase Agreement, dated as of February 7, 2000 ...
    # pursuant to which Bridge sold to WCAS 6,250,000 shares": a statement in WCAS VIII's history,
    # on the agreement's date, not a transfer out of a Bridge holding no source gives.
    history = savvis("history", "--party", "wcas-viii", "--format", "json").json()["rows"]
    [bought] = [r for r in history if r["type"] == "FactStated" and r["effective_date"] == "2000-02-07"]
    assert bought["value"] == 6_250_000
    assert not [r for r in history if r["type"] == "SharesTransferred"]


def test_replay_refuses_an_existing_ledger_without_fresh(savvis):
    r = savvis("replay", SAVVIS)
    assert r.code == 2 and "--fresh" in r.err


def test_extracted_draft_agrees_with_the_replayed_history(savvis, tmp_path):
    draft = tmp_path / "draft.yaml"
    assert savvis("extract", ROOT / "replay_data" / "savvis" / "sources" / "002_5249cba9dd482567.txt", "--out", draft).code == 0
    got = savvis.rows("reconcile", "--draft", draft)
    assert [r for r in got if r["status"] != "ok"] == []
    covers = {r["subject"] for r in got if r["kind"] == "draft_cover_page"}
    assert covers == {"cvc-ii", "cvc-offshore-ii", "bsc-employee-fund-iv", "cvc-ii-partners",
                      "constellation-management-ii", "bsam"}
    warrants = {(r["subject"], r["explanation"]): r["derived"] for r in got if r["kind"] == "draft_warrant"}
    assert warrants[("w-26", "holder")] == "cvc-offshore-ii"  # the certificate, not Item 7's title
    assert warrants[("w-29", "quantity")] == 7_591 and warrants[("w-28", "expires")] == "2009-01-30"
    bsam = {r["explanation"].split(" on ")[0]: r["reported"] for r in got
            if r["kind"] == "draft_cover_page" and r["subject"] == "bsam"}
    assert bsam["shared_voting"] == 41_885_745 and bsam["percent"] == "28.2"
