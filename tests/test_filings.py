"""Filing intake: Forms 3/4/5 and Schedules 13D/13G (XML, HTML, text), whole EDGAR submissions,
ids across filings, and the disclosure axis.

Every expected figure below was read by hand from the filing it names (the real ones in
../shared/filings, read there and skipped when absent; the small ACME ones in
tests/fixtures/filings, written for these tests), or worked out by hand from them.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.cli.main import cli
from ledger.intake.extract.recognise import extract_document
from ledger.intake.loader import load_document
from projections.fold import fold
from projections.reconcile import reconcile
from tests.filing_fields import by_hand, fields

ROOT = Path(__file__).parent.parent
SHARED = ROOT.parent / "shared" / "filings"
FIXTURES = Path(__file__).parent / "fixtures" / "filings"


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} is not there: the real EDGAR filings live in ../shared/filings beside the project")
    return path


def run(*args: object) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def ok(*args: object) -> str:
    code, out, err = run(*args)
    assert code == 0, err
    return out


def as_json(*args: object) -> dict:
    return json.loads(ok(*args, "--format", "json"))


def holdings(db: Path, issuer: str, day: str, *extra: object) -> dict[tuple[str, str], dict]:
    answer = as_json("--db", db, "holdings", "--issuer", issuer, "--as-of", day, *extra)
    return {(r["party"], r["security"]): r for r in answer["rows"]}


# --- every real filing: the draft's figures against those read by hand, field by field ----------

@pytest.mark.parametrize("name", sorted(by_hand()))
def test_draft_figures_are_those_read_by_hand(name):
    expected = by_hand()[name]
    draft = extract_document(shared(name).read_text(errors="replace"), name)
    checked = fields(draft, expected)
    wrong = [f for f in checked if f[1] != f[2]]
    assert wrong == [], f"{len(checked) - len(wrong)} of {len(checked)} fields right"
    assert len(checked) >= 14


# --- real Form 4s: every "owned following" equals the holding the ledger derives -------------

# Tesla, Form 4 of Kathleen Wilson-Thompson, 2025-01-06: Table I, in document order, the
# shares and the amount owned following (row 1 the option exercise M, rows 2-24 sales S).
TESLA_ROWS = [
    ("M", 100000, 105400), ("S", 4424, 100976), ("S", 3798, 97178), ("S", 5992, 91186), ("S", 4643, 86543),
    ("S", 4574, 81969), ("S", 5100, 76869), ("S", 11574, 65295), ("S", 9435, 55860), ("S", 8278, 47582),
    ("S", 2100, 45482), ("S", 1600, 43882), ("S", 1886, 41996), ("S", 4860, 37136), ("S", 8976, 28160),
    ("S", 6618, 21542), ("S", 5900, 15642), ("S", 2000, 13642), ("S", 2000, 11642), ("S", 3942, 7700),
    ("S", 1200, 6500), ("S", 300, 6200), ("S", 600, 5600), ("S", 200, 5400),
]
TESLA_OPTION = "cik-1331680-non-qualified-stock-option-right-to-buy-14-99-2026-06-18"


def test_tesla_form4_every_owned_following_is_the_derived_holding(tmp_path):
    db = tmp_path / "tesla.db"
    ok("--db", db, "import", "--filings", shared("form4-tesla-2025.xml"))
    rows = as_json("--db", db, "reconcile", "--issuer", "cik-1318605")["rows"]
    held = [r for r in rows if r["kind"] == "holding" and r["subject"].startswith("cik-1331680 common")]
    assert [r["reported"] for r in held] == [following for _, _, following in TESLA_ROWS]
    assert [r["derived"] for r in held] == [r["reported"] for r in held]
    assert all(r["status"] == "ok" for r in rows if r["kind"] == "holding")
    # The opening holding is inferred: 105,400 owned following the exercise of 100,000.
    history = as_json("--db", db, "history", "--issuer", "cik-1318605")["rows"]
    opening = [e for e in history if e["type"] == "SharesIssued"]
    assert [(e["quantity"], bool(e.get("inference"))) for e in opening] == [(5400, True)]
    # The 23 sales add up to the 100,000 exercised: the day ends where it began.
    assert sum(q for code, q, _ in TESLA_ROWS if code == "S") == 100000
    day = holdings(db, "cik-1318605", "2025-01-06")
    assert day[("cik-1331680", "common")]["quantity"] == 5400
    option = day[("cik-1331680", TESLA_OPTION)]
    # Table II: 100,000 exercised at $14.99, 120,948 owned following; vesting of the rest not reported.
    assert (option["quantity"], option["exercise_price"], option["expires"]) == (120948, "14.99", "2026-06-18")
    assert (option["exercisable"], option["exercisable_at_least"], option["exercisable_at_most"]) == (None, 0, 120948)
    assert holdings(db, "cik-1318605", "2025-01-05") == {}


def test_amd_form4_rsu_settlement_and_tax_withholding(tmp_path):
    db = tmp_path / "amd.db"
    ok("--db", db, "import", "--filings", shared("form4-amd-2024.xml"))
    rows = as_json("--db", db, "reconcile", "--issuer", "cik-2488")["rows"]
    held = {(r["subject"], r["reported"]): r["status"] for r in rows if r["kind"] == "holding"}
    # Table I: M 472 -> 6,076; F 189 at $146.56 -> 5,887. Table II: RSUs, 472 settled -> 473 left.
    assert held == {("cik-1674334 common on 2024-01-15", 6076): "ok",
                    ("cik-1674334 common on 2024-01-15", 5887): "ok",
                    ("cik-1674334 cik-1674334-restricted-stock-units on 2024-01-15", 473): "ok"}
    history = as_json("--db", db, "history", "--issuer", "cik-2488")["rows"]
    withheld = [e for e in history if e["type"] == "SharesRepurchased"]
    assert [(e["quantity"], e["price_per_share"]) for e in withheld] == [(189, "146.56")]
    released = [e for e in history if e["type"] == "EquityCompensationReleased"]
    assert [e["quantity"] for e in released] == [472]
    day = holdings(db, "cik-2488", "2024-01-15")
    assert day[("cik-1674334", "common")]["quantity"] == 5887
    assert day[("cik-1674334", "cik-1674334-restricted-stock-units")]["quantity"] == 473


# --- the XML Schedule 13D, and the disclosure axis on it ----------------------------------------


def test_xml_13d_cover_pages(tmp_path):
    draft = extract_document(shared("sc13d-xml-aadi-2024.xml").read_text(), "aadi.xml")
    assert draft.document["issuer"] == "cik-1422142"
    reports = {e["party"]: e for e in draft.events if e["type"] == "BeneficialOwnershipReported"}
    # BML Investment Partners, L.P. (CIK 1373604) and Braden Michael Leonard (CIK 1373603).
    bml, leonard = reports["cik-1373604"], reports["cik-1373603"]
    assert (bml["sole_voting"], bml["shared_voting"], bml["sole_dispositive"], bml["shared_dispositive"]) == (
        0, 2100000, 0, 2100000)
    assert (bml["beneficially_owned"], bml["percent"], bml["reporting_type"]) == (2100000, "8.5", "PN")
    assert (leonard["sole_voting"], leonard["shared_voting"], leonard["beneficially_owned"]) == (
        335000, 2100000, 2435000)
    assert (leonard["percent"], leonard["reporting_type"]) == ("9.9", "IN")
    assert {e["effective_date"] for e in draft.events} == {dt.date(2024, 12, 31)}
    assert bml["security"] == "common"


def test_13d_as_it_stands_is_public_from_its_signature_date(tmp_path):
    """Without an SEC header the XML 13D's only date of its own is its signature, 12/31/2024:
    the draft marks its filing date as that (basis signature)."""
    db = tmp_path / "aadi.db"
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "aadi.xml").write_text(shared("sc13d-xml-aadi-2024.xml").read_text())
    ok("--db", db, "replay", folder, "--filings")
    assert as_json("--db", db, "reconcile", "--disclosed-at", "2024-12-30")["rows"] == []
    rows = as_json("--db", db, "reconcile", "--disclosed-at", "2024-12-31")["rows"]
    assert {r["subject"] for r in rows if r["kind"] == "beneficial_ownership"} == {"cik-1373604", "cik-1373603"}
    filed = [e for e in as_json("--db", db, "history")["rows"] if e["type"] == "DocumentFiled"]
    assert [(e["effective_date"], e["basis"]) for e in filed] == [("2024-12-31", "signature")]


def test_13d_replayed_with_disclosed_at_the_day_before_and_of_its_filing(tmp_path):
    """The XML 13D carries no filing date; wrapped as EDGAR serves it, with an SEC header saying
    FILED AS OF DATE 2025-01-02, the public knows it from that day and not the day before."""
    xml = shared("sc13d-xml-aadi-2024.xml").read_text()
    folder = tmp_path / "filings"
    folder.mkdir()
    (folder / "aadi.txt").write_text(
        "<SEC-DOCUMENT>0001373604-25-000001.txt : 20250102\n<SEC-HEADER>\n"
        "ACCESSION NUMBER:\t\t0001373604-25-000001\nCONFORMED SUBMISSION TYPE:\tSCHEDULE 13D\n"
        "FILED AS OF DATE:\t\t20250102\nSUBJECT COMPANY:\n\tCOMPANY DATA:\n"
        "\t\tCOMPANY CONFORMED NAME:\t\t\tAadi Bioscience, Inc.\n\t\tCENTRAL INDEX KEY:\t\t\t0001422142\n"
        "</SEC-HEADER>\n<DOCUMENT>\n<TYPE>SCHEDULE 13D\n<SEQUENCE>1\n<FILENAME>primary_doc.xml\n<TEXT>\n<XML>\n"
        + xml + "\n</XML>\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n")
    db = tmp_path / "aadi.db"
    ok("--db", db, "replay", folder, "--filings")
    before = as_json("--db", db, "reconcile", "--disclosed-at", "2025-01-01")
    assert before["disclosed_at"] == "2025-01-01" and before["rows"] == []
    after = as_json("--db", db, "reconcile", "--disclosed-at", "2025-01-02")["rows"]
    reported = {r["subject"]: r["reported"] for r in after if r["kind"] == "beneficial_ownership"}
    assert reported == {"cik-1373604": 2100000, "cik-1373603": 2435000}
    history = as_json("--db", db, "history")["rows"]
    filed = [e for e in history if e["type"] == "DocumentFiled"]
    assert [(e["effective_date"], e["basis"], e["accession"]) for e in filed] == [
        ("2025-01-02", "sec-header", "0001373604-25-000001")]
    assert {e["disclosed_at"] for e in history} == {"2025-01-02"}
    assert as_json("--db", db, "history", "--disclosed-at", "2025-01-01")["rows"] == []


# --- anything else is refused in one line -----------------------------------------------------


def refused(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_a_document_that_is_no_filing_is_refused_in_one_line(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Real EDGAR filings\n\nSchedule 13D and 13G filings, Form 4s.\n")
    line = refused(*run("extract", readme, "--out", "-")[::2])
    assert "a text document with no Schedule 13D/13G cover page" in line
    assert "extract reads Forms 3/4/5 (ownershipDocument XML), Schedules 13D/13G" in line
    other = tmp_path / "invoice.xml"
    other.write_text('<?xml version="1.0"?><invoice><total>3</total></invoice>')
    assert "XML document whose root is <invoice>" in refused(*run("extract", other, "--out", "-")[::2])
    form = tmp_path / "form144.xml"
    form.write_text('<?xml version="1.0"?><ownershipDocument><documentType>144</documentType></ownershipDocument>')
    assert "of type '144', not a Form 3, 4 or 5" in refused(*run("extract", form, "--out", "-")[::2])


def test_entity_expansion_is_refused_not_followed(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                    "<ownershipDocument><documentType>&lol2;</documentType></ownershipDocument>")
    line = refused(*run("extract", bomb, "--out", "-")[::2])
    assert "unsafe XML refused" in line


def test_a_folder_with_one_bad_filing_imports_nothing(tmp_path):
    folder = tmp_path / "filings"
    folder.mkdir()
    (folder / "a.xml").write_text((FIXTURES / "acme-form4-2023-04.xml").read_text())
    (folder / "b.txt").write_text("a letter, not a filing\n")
    db = tmp_path / "x.db"
    line = refused(*run("--db", db, "import", "--filings", folder)[::2])
    assert "b.txt" in line and "no Schedule 13D/13G cover page" in line
    assert not db.exists()


# --- ACME: a submission with its SEC header, a later Form 4, 13Gs in XML and HTML ---------------

IDS = '"ACME CORP": cik-12345\n"Big Fund Advisors LLC": cik-777\n'


@pytest.fixture
def acme_db(tmp_path) -> Path:
    db = tmp_path / "acme.db"
    ids = tmp_path / "ids.yaml"
    ids.write_text(IDS)
    ok("--db", db, "import", "--filings", FIXTURES, "--ids", ids)
    return db


def test_submission_header_gives_accession_form_filing_date_and_ciks():
    draft = extract_document((FIXTURES / "acme-form4-submission.txt").read_text(), "acme.txt")
    assert draft.document["issuer"] == "cik-12345"
    assert (draft.document["accession"], draft.document["form"]) == ("0000099999-23-000001", "4")
    assert (draft.document["filed"], draft.document["filed_basis"]) == (dt.date(2023, 3, 3), "sec-header")
    assert draft.filing["entities"] == {"REPORTING-OWNER": [("99999", "DOE JANE")],
                                        "ISSUER": [("12345", "ACME CORP")]}


def test_acme_positions_after_the_first_filing(acme_db):
    day = holdings(acme_db, "cik-12345", "2023-03-01")
    # Opening 5,000 (6,000 owned following the purchase of 1,000), then a gift of 500: 5,500.
    assert day[("cik-99999", "common")]["quantity"] == 5500
    # Held by a trust: a party of its own, controlled by the owner.
    assert day[("cik-99999-by-trust", "common")]["quantity"] == 2000
    # The public's holding is undisclosed: only the 500 given to it is known.
    public = day[("public", "common")]
    assert (public["quantity"], public["quantity_at_least"]) == (None, 500)
    option = day[("cik-99999", "cik-99999-stock-option-right-to-buy-8-00-2030-01-01")]
    assert (option["quantity"], option["exercisable"], option["exercise_price"]) == (5000, 5000, "8.00")
    own = {r["party"]: r for r in as_json("--db", acme_db, "ownership", "--issuer", "cik-12345",
                                          "--as-of", "2023-03-01")["rows"]}
    # Rule 13d-3: 5,500 direct + 2,000 through the trust + 5,000 exercisable within 60 days.
    assert own["cik-99999"]["beneficially_owned"] == 12500


def test_acme_later_filing_keeps_one_opening_and_reconciles(acme_db):
    day = holdings(acme_db, "cik-12345", "2023-04-10")
    assert day[("cik-99999", "common")]["quantity"] == 4500  # 5,500 less 1,000 sold
    rows = as_json("--db", acme_db, "reconcile", "--issuer", "cik-12345")["rows"]
    holding = [(r["reported"], r["status"]) for r in rows if r["kind"] == "holding"]
    # The March submission's four, April's one, and the Form 3's two (12,000 common, 3,000 RSUs).
    assert sorted(holding) == sorted([(6000, "ok"), (5500, "ok"), (2000, "ok"), (5000, "ok"), (4500, "ok"),
                                      (12000, "ok"), (3000, "ok")])
    history = as_json("--db", acme_db, "history", "--issuer", "cik-12345")["rows"]
    assert len([e for e in history if e["type"] == "PartyRegistered" and e["party"] == "cik-99999"]) == 1


def test_a_form_3_reports_holdings_only(acme_db):
    day = holdings(acme_db, "cik-12345", "2022-06-01")
    assert day[("cik-88888", "common")]["quantity"] == 12000
    rsu = day[("cik-88888", "cik-88888-restricted-stock-units")]
    # 3,000 units; the vesting is in a footnote, not in the form's figures: a bound, not a guess.
    assert (rsu["quantity"], rsu["vested"], rsu["vested_at_least"], rsu["vested_at_most"]) == (3000, None, 0, 3000)
    assert holdings(acme_db, "cik-12345", "2022-06-01", "--disclosed-at", "2022-06-02") == {}
    assert ("cik-88888", "common") in holdings(acme_db, "cik-12345", "2022-06-01", "--disclosed-at", "2022-06-03")


def test_acme_disclosure_axis(acme_db):
    def known(disclosed: str) -> int | None:
        day = holdings(acme_db, "cik-12345", "2023-04-30", "--disclosed-at", disclosed)
        row = day.get(("cik-99999", "common"))
        return row["quantity"] if row else None

    assert known("2023-03-02") is None  # the submission was filed on 2023-03-03
    assert known("2023-03-03") == 5500
    assert known("2023-04-11") == 5500  # the April Form 4 is public from its signature date, 2023-04-12
    assert known("2023-04-12") == 4500
    assert known("2025-12-31") == 4500


def test_acme_13g_in_xml_and_html_land_on_one_party(acme_db):
    rows = as_json("--db", acme_db, "history", "--issuer", "cik-12345", "--party", "cik-777")["rows"]
    reports = [(e["effective_date"], e["beneficially_owned"], e["percent"])
               for e in rows if e["type"] == "BeneficialOwnershipReported"]
    # XML 13G: event 2023-12-31, 1,200,000 (6.1%); HTML 13G/A No. 1: event 2024-12-31, 1,350,000 (6.9%).
    assert reports == [("2023-12-31", 1200000, "6.1"), ("2024-12-31", 1350000, "6.9")]
    assert len([e for e in rows if e["type"] == "PartyRegistered"]) == 1


def test_a_mismatched_owned_following_is_a_finding(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text((FIXTURES / "acme-form4-submission.txt").read_text())
    later = (FIXTURES / "acme-form4-2023-04.xml").read_text().replace("<value>4500</value>", "<value>4400</value>")
    (folder / "b.xml").write_text(later)
    db = tmp_path / "m.db"
    ok("--db", db, "import", "--filings", folder)
    code, out, _ = run("--db", db, "reconcile", "--strict", "--format", "json")
    assert code == 1
    bad = [r for r in json.loads(out)["rows"] if r["status"] != "ok" and r["kind"] == "holding"]
    assert [(r["reported"], r["derived"]) for r in bad] == [(4400, 4500)]


# --- property: a Form 4 drafted and folded gives back its own "owned following" figures -------

CODES = {"A": ("A", "A"), "P": ("P", "A"), "S": ("S", "D"), "F": ("F", "D"), "G": ("G", "D"), "J": ("J", "A")}


def form4(start: int, rows: list[tuple[str, int]]) -> tuple[str, list[int]]:
    following, out, held = [], [], start
    for day, (code, shares) in enumerate(rows, start=1):
        kind, ad = CODES[code]
        held += shares if ad == "A" else -shares
        following.append(held)
        out.append(
            "<nonDerivativeTransaction><securityTitle><value>Common Stock</value></securityTitle>"
            f"<transactionDate><value>2024-01-{day:02d}</value></transactionDate>"
            f"<transactionCoding><transactionFormType>4</transactionFormType><transactionCode>{kind}"
            "</transactionCode></transactionCoding><transactionAmounts>"
            f"<transactionShares><value>{shares}</value></transactionShares>"
            "<transactionPricePerShare><value>1.25</value></transactionPricePerShare>"
            f"<transactionAcquiredDisposedCode><value>{ad}</value></transactionAcquiredDisposedCode>"
            "</transactionAmounts><postTransactionAmounts><sharesOwnedFollowingTransaction>"
            f"<value>{held}</value></sharesOwnedFollowingTransaction></postTransactionAmounts>"
            "<ownershipNature><directOrIndirectOwnership><value>D</value></directOrIndirectOwnership>"
            "</ownershipNature></nonDerivativeTransaction>")
    xml = ('<?xml version="1.0"?><ownershipDocument><documentType>4</documentType>'
           "<periodOfReport>2024-01-01</periodOfReport><issuer><issuerCik>1</issuerCik>"
           "<issuerName>P CORP</issuerName></issuer><reportingOwner><reportingOwnerId><rptOwnerCik>2</rptOwnerCik>"
           "<rptOwnerName>ROE RICHARD</rptOwnerName></reportingOwnerId></reportingOwner><nonDerivativeTable>"
           + "".join(out) + "</nonDerivativeTable></ownershipDocument>")
    return xml, following


@st.composite
def histories(draw) -> tuple[int, list[tuple[str, int]]]:
    start = draw(st.integers(0, 10_000))
    rows, held = [], start
    for _ in range(draw(st.integers(1, 20))):
        code = draw(st.sampled_from(sorted(CODES)))
        if CODES[code][1] == "D":
            if held == 0:
                continue
            shares = draw(st.integers(1, held))
            held -= shares
        else:
            shares = draw(st.integers(1, 5_000))
            held += shares
        rows.append((code, shares))
    return start, rows or [("A", 1)]


@settings(max_examples=60, deadline=None)
@given(histories())
def test_drafted_form4_folds_to_its_own_owned_following_figures(history):
    start, rows = history
    xml, following = form4(start, rows)
    draft = extract_document(xml, "p.xml")
    loaded = load_document("p.xml", {"document": draft.document, "events": draft.events})
    events = sorted((item.event for item in loaded), key=lambda e: e.effective_date)
    checks = [r for r in reconcile(events) if r["kind"] == "holding"]
    assert [r["reported"] for r in checks] == following
    assert all(r["status"] == "ok" for r in checks)
    state = fold(events)
    assert state.held("cik-2", "common") == following[-1]
    opening = [e for e in events if e.type == "SharesIssued" and e.inference is not None]
    before = following[0] + (rows[0][1] if CODES[rows[0][0]][1] == "D" else -rows[0][1])
    assert sum(e.quantity for e in opening) == before == start
    assert all(isinstance(Decimal(getattr(e, "price_per_share", None) or 0), Decimal) for e in events)


# --- what a review found: grants, pairing, order, gaps in a row, amendments, joint filers -------


def xml_row(table: str, *, title="Common Stock", date="2023-04-10", code="S", shares="100", price="10.00",
            ad="D", following="900", di="D", nature=None, exercise_price=None, exercisable=None, expires=None,
            holding=False) -> str:
    """One row of Table I or II, each figure as the form writes it (None: the element is absent)."""
    kind = ("nonDerivative" if table == "I" else "derivative") + ("Holding" if holding else "Transaction")
    parts = [f"<securityTitle><value>{title}</value></securityTitle>"]
    if table == "II":
        price_value = f"<value>{exercise_price}</value>" if exercise_price else '<footnoteId id="F1"/>'
        parts.append(f"<conversionOrExercisePrice>{price_value}</conversionOrExercisePrice>")
    if not holding:
        parts.append(f"<transactionDate><value>{date}</value></transactionDate><transactionCoding>"
                     f"<transactionFormType>4</transactionFormType><transactionCode>{code}</transactionCode>"
                     "</transactionCoding><transactionAmounts>"
                     + (f"<transactionShares><value>{shares}</value></transactionShares>" if shares else "")
                     + f"<transactionPricePerShare><value>{price}</value></transactionPricePerShare>"
                     f"<transactionAcquiredDisposedCode><value>{ad}</value></transactionAcquiredDisposedCode>"
                     "</transactionAmounts>")
    if table == "II":
        parts.append(f"<exerciseDate><value>{exercisable}</value></exerciseDate>" if exercisable else "")
        parts.append(f"<expirationDate><value>{expires}</value></expirationDate>" if expires else "")
        parts.append(f"<underlyingSecurity><underlyingSecurityTitle><value>Common Stock</value>"
                     f"</underlyingSecurityTitle><underlyingSecurityShares><value>{shares}</value>"
                     "</underlyingSecurityShares></underlyingSecurity>")
    if following is not None:
        parts.append("<postTransactionAmounts><sharesOwnedFollowingTransaction>"
                     f"<value>{following}</value></sharesOwnedFollowingTransaction></postTransactionAmounts>")
    nature_xml = f"<natureOfOwnership><value>{nature}</value></natureOfOwnership>" if nature else ""
    parts.append(f"<ownershipNature><directOrIndirectOwnership><value>{di}</value></directOrIndirectOwnership>"
                 f"{nature_xml}</ownershipNature>")
    return f"<{kind}>{''.join(parts)}</{kind}>"


def xml_form(one=(), two=(), *, owners=(("99999", "DOE JANE"),), form="4", period="2023-04-10",
             signed="2023-04-12", original=None) -> str:
    people = "".join(f"<reportingOwner><reportingOwnerId><rptOwnerCik>{cik}</rptOwnerCik><rptOwnerName>{name}"
                     "</rptOwnerName></reportingOwnerId></reportingOwner>" for cik, name in owners)
    amends = f"<dateOfOriginalSubmission>{original}</dateOfOriginalSubmission>" if original else ""
    return ('<?xml version="1.0"?><ownershipDocument><documentType>' + form + "</documentType>"
            f"<periodOfReport>{period}</periodOfReport>{amends}<issuer><issuerCik>0000012345</issuerCik>"
            f"<issuerName>ACME CORP</issuerName></issuer>{people}"
            f"<nonDerivativeTable>{''.join(one)}</nonDerivativeTable><derivativeTable>{''.join(two)}"
            '</derivativeTable><footnotes><footnote id="F1">Each unit is one share.</footnote></footnotes>'
            f"<ownerSignature><signatureName>/s/</signatureName><signatureDate>{signed}</signatureDate>"
            "</ownerSignature></ownershipDocument>")


def import_forms(tmp_path: Path, *forms: str, name: str = "f") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for n, text in enumerate(forms):
        (folder / f"form-{n}.xml").write_text(text)
    db = tmp_path / f"{name}.db"
    ok("--db", db, "import", "--filings", folder)
    return db


def holding_checks(db: Path) -> list[tuple[int, int | None, str]]:
    rows = as_json("--db", db, "reconcile", "--issuer", "cik-12345")["rows"]
    return [(r["reported"], r["derived"], r["status"]) for r in rows if r["kind"] == "holding"]


OPTION = "Stock Option (Right to Buy)"


def test_a_grant_reported_in_table_ii_is_the_grant_of_the_units_acquired(tmp_path):
    # 1,000 options at $5.00, exercisable from 2024-02-01, owned following 1,000.
    grant = xml_row("II", title=OPTION, date="2023-02-01", code="A", shares="1000", price="0", ad="A",
                    following="1000", exercise_price="5.00", exercisable="2024-02-01", expires="2030-01-01")
    db = import_forms(tmp_path, xml_form(two=[grant], period="2023-02-01", signed="2023-02-03"))
    option = ("cik-99999", "cik-99999-stock-option-right-to-buy-5-00-2030-01-01")
    assert holdings(db, "cik-12345", "2024-01-31")[option]["exercisable"] == 0
    assert holdings(db, "cik-12345", "2024-02-01")[option]["exercisable"] == 1000
    assert holding_checks(db) == [(1000, 1000, "ok")]


def test_a_second_grant_of_the_same_terms_is_a_grant_of_its_own(tmp_path):
    # 500 more of the same terms, owned following 1,500: 1,000 held before (inferred) and 500 new.
    grant = xml_row("II", title=OPTION, date="2023-02-01", code="A", shares="500", price="0", ad="A",
                    following="1500", exercise_price="5.00", exercisable="2023-02-01", expires="2030-01-01")
    db = import_forms(tmp_path, xml_form(two=[grant], period="2023-02-01", signed="2023-02-03"))
    day = holdings(db, "cik-12345", "2023-02-01")
    base = "cik-99999-stock-option-right-to-buy-5-00-2030-01-01"
    assert day[("cik-99999", base)]["quantity"] == 1000
    assert day[("cik-99999", f"{base}-2023-02-01")]["quantity"] == 500


def test_each_exercise_pairs_with_its_own_table_ii_row(tmp_path):
    # Two exercises of 1,000 on one day: of the $5.00 options (2,000 left) and of the $8.00 (500 left).
    one = [xml_row("I", code="M", shares="1000", price="5.00", ad="A", following="1000"),
           xml_row("I", code="M", shares="1000", price="8.00", ad="A", following="2000")]
    two = [xml_row("II", title=OPTION, code="M", shares="1000", price="0", ad="D", following="2000",
                   exercise_price="5.00", expires="2030-01-01"),
           xml_row("II", title=OPTION, code="M", shares="1000", price="0", ad="D", following="500",
                   exercise_price="8.00", expires="2031-01-01")]
    db = import_forms(tmp_path, xml_form(one, two))
    day = holdings(db, "cik-12345", "2023-04-10")
    assert day[("cik-99999", "cik-99999-stock-option-right-to-buy-5-00-2030-01-01")]["quantity"] == 2000
    assert day[("cik-99999", "cik-99999-stock-option-right-to-buy-8-00-2031-01-01")]["quantity"] == 500
    assert day[("cik-99999", "common")]["quantity"] == 2000
    assert all(status == "ok" for *_, status in holding_checks(db))


def test_rows_are_taken_in_the_order_of_the_history(tmp_path):
    # Listed out of order: a sale of 100 on 04-10 (900 after), a purchase of 200 on 04-05 (1,000
    # after). Before the purchase 800 were held; the sale leaves 900.
    one = [xml_row("I", date="2023-04-10", code="S", shares="100", following="900"),
           xml_row("I", date="2023-04-05", code="P", shares="200", ad="A", following="1000")]
    db = import_forms(tmp_path, xml_form(one))
    assert holdings(db, "cik-12345", "2023-04-05")[("cik-99999", "common")]["quantity"] == 1000
    assert holdings(db, "cik-12345", "2023-04-10")[("cik-99999", "common")]["quantity"] == 900
    assert holding_checks(db) == [(1000, 1000, "ok"), (900, 900, "ok")]


def test_a_row_missing_a_figure_is_drafted_as_far_as_it_goes(tmp_path):
    one = [xml_row("I", code="S", shares="100", following="900"),
           xml_row("I", code="S", shares="50", following=None),
           xml_row("I", code="S", shares="100.5", following="749")]
    draft = extract_document(xml_form(one), "f.xml")
    unread = [(u["locator"], u["field"]) for u in draft.unread]
    assert unread == [("Table I, transaction row 2", "owned_following"), ("Table I, transaction row 3", "quantity")]
    db = import_forms(tmp_path, xml_form(one))
    # 1,000 - 100 - 50 = 850; the sale of 100.5 is not drafted, so its 749 disagrees with 850.
    assert holdings(db, "cik-12345", "2023-04-10")[("cik-99999", "common")]["quantity"] == 850
    assert holding_checks(db) == [(900, 900, "ok"), (749, 850, "mismatch")]


def test_an_amendment_restates_the_form_it_amends(tmp_path):
    sale = xml_row("I", code="S", shares="100", price="10.00", following="900")
    restated = xml_row("I", code="S", shares="100", price="11.00", following="900")
    db = import_forms(tmp_path, xml_form([sale], signed="2023-04-12"),
                      xml_form([restated], form="4/A", signed="2023-04-20", original="2023-04-12"))
    assert holdings(db, "cik-12345", "2023-04-30")[("cik-99999", "common")]["quantity"] == 900
    assert holding_checks(db) == [(900, 900, "ok")]
    history = as_json("--db", db, "history")["rows"]
    assert [e["disclosed_at"] for e in history if e["type"] == "EventRetracted"] == ["2023-04-20", "2023-04-20"]
    # The original's sale and its owned-following figure are retracted; the amendment's stand.
    retracted = {e["retracts"] for e in history if e["type"] == "EventRetracted"}
    assert {e["type"] for e in history if e["event_id"] in retracted} == {"SharesTransferred", "HoldingReported"}
    assert holdings(db, "cik-12345", "2023-04-30", "--disclosed-at", "2023-04-15")[("cik-99999", "common")][
        "quantity"] == 900


def test_joint_filers_in_either_order_land_on_one_holder(tmp_path):
    sale = xml_row("I", code="S", shares="100", following="900")
    later = xml_row("I", date="2023-05-10", code="S", shares="100", following="800")
    db = import_forms(tmp_path, xml_form([sale], owners=[("99999", "DOE JANE"), ("88888", "ROE RICHARD")]),
                      xml_form([later], owners=[("88888", "ROE RICHARD"), ("99999", "DOE JANE")],
                               period="2023-05-10", signed="2023-05-12"))
    day = holdings(db, "cik-12345", "2023-05-10")
    assert day[("cik-88888", "common")]["quantity"] == 800  # the lowest CIK holds
    assert ("cik-99999", "common") not in day
    assert all(status == "ok" for *_, status in holding_checks(db))


def test_two_filings_of_one_day_are_two_documents(tmp_path):
    first = xml_form([xml_row("I", code="S", shares="100", following="900")])
    second = xml_form([xml_row("I", code="S", shares="100", following="800")],
                      owners=(("77777", "POE EDGAR"),))
    a, b = extract_document(first, "a.xml"), extract_document(second, "b.xml")
    assert a.document["id"] != b.document["id"]


def test_one_document_has_one_filing_date(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.xml").write_text(xml_form([xml_row("I", code="S", shares="100", following="900")]))
    db = tmp_path / "f.db"
    ok("--db", db, "import", "--filings", folder, "--filed", "2023-04-13")
    line = refused(*run("--db", db, "import", "--filings", folder, "--filed", "2023-04-14")[::2])
    assert "became public on 2023-04-13, not 2023-04-14" in line


@pytest.mark.parametrize("text, field", [
    (xml_form([xml_row("I", code="S", shares="1E+100000", following="900")]), "quantity"),
    (xml_form([xml_row("I", code="S", shares="100", following="900")], owners=(("\u00b2", "DOE JANE"),)), None),
])
def test_figures_no_count_can_be_are_unread_not_a_traceback(text, field):
    draft = extract_document(text, "h.xml")
    assert field is None or field in {u["field"] for u in draft.unread}


def test_a_filing_date_that_is_no_date_falls_back_to_the_signature(tmp_path):
    text = ("<SEC-DOCUMENT>\n<SEC-HEADER>\nACCESSION NUMBER:\t0000099999-23-000002\nFILED AS OF DATE:\t20230231\n"
            "</SEC-HEADER>\n<DOCUMENT>\n<TYPE>4\n<TEXT>\n<XML>\n"
            + xml_form([xml_row("I", code="S", shares="100", following="900")]) + "\n</XML>\n</TEXT>\n</DOCUMENT>\n")
    draft = extract_document(text, "s.txt")
    assert (draft.document["filed"], draft.document["filed_basis"]) == (dt.date(2023, 4, 12), "signature")


def test_hidden_folders_are_not_filings(tmp_path):
    folder = tmp_path / "f"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "a.xml").write_text(xml_form([xml_row("I", code="S", shares="100", following="900")]))
    ok("--db", tmp_path / "f.db", "import", "--filings", folder)


def test_what_the_items_say_is_checked_against_the_cover_page(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    for name in ("arqule-2015-sc13g.txt", "albemarle-2015-sc13ga.txt"):
        (folder / name).write_text(shared(name).read_text())
    db = tmp_path / "s.db"
    ok("--db", db, "import", "--filings", folder)
    # ArQule, Item 6: "the beneficial owner of 2,944,518 shares, or 7.08%"; the cover, 4,444,899.
    rows = as_json("--db", db, "reconcile", "--issuer", "arqule")["rows"]
    assert [(r["status"], r["reported"], r["derived"]) for r in rows if r["kind"] == "statement"] == [
        ("conflict", 2944518, 4444899)]
    # Albemarle, Item 4: "11,466,840 shares or 10.2% of the 112,155,745 shares believed to be
    # outstanding": 11,466,840 / 112,155,745 = 10.224%, which row 11's 10.2 rounds.
    rows = as_json("--db", db, "reconcile", "--issuer", "albemarle")["rows"]
    assert [(r["status"], r["reported"]) for r in rows if r["kind"] == "percent"] == [("ok", "10.2")]


# --- what a second review found ----------------------------------------------------------------


def test_a_filing_made_public_later_keeps_the_opening_of_its_earlier_row(tmp_path):
    # Filed 04-12: a sale on 04-10 (900 after). Filed 06-01: a purchase on 04-05 (1,000 after, 200
    # bought). The opening is the later filing's: 800 before 04-05; the sale leaves 900.
    sale = xml_form([xml_row("I", date="2023-04-10", code="S", shares="100", following="900")])
    late = xml_form([xml_row("I", date="2023-04-05", code="P", shares="200", ad="A", following="1000")],
                    period="2023-04-05", signed="2023-06-01")
    db = import_forms(tmp_path, sale, late)
    assert holdings(db, "cik-12345", "2023-04-30")[("cik-99999", "common")]["quantity"] == 900
    assert holding_checks(db) == [(1000, 1000, "ok"), (900, 900, "ok")]
    # What was public on 04-20 rests on the filing of 06-01: refused in one line, by every query.
    for command in ("holdings", "reconcile"):
        line = refused(*run("--db", db, command, "--disclosed-at", "2023-04-20")[::2])
        assert "do not stand on their own" in line


def test_a_first_row_without_its_figures_takes_its_position_from_an_earlier_filing(tmp_path):
    held = xml_form(form="3", one=[xml_row("I", holding=True, following="5000")], period="2023-01-10",
                    signed="2023-01-11")
    sale = xml_form([xml_row("I", code="S", shares="100", following=None)])
    db = import_forms(tmp_path, held, sale)
    assert holdings(db, "cik-12345", "2023-04-10")[("cik-99999", "common")]["quantity"] == 4900


def test_a_ledger_built_from_filings_exports_to_ocf(tmp_path):
    # A purchase from holders the filings do not name: OCF has no stock to transfer from, so the
    # purchase travels as a DOCUMENT with its effect on the lots.
    db = import_forms(tmp_path, xml_form([xml_row("I", code="P", shares="300", ad="A", following="1300")]))
    out = tmp_path / "f.ocf.zip"
    assert "wrote OCF 1.2.0 package" in ok("--db", db, "export", "ocf", "--out", out)
    again = tmp_path / "again.db"
    ok("--db", again, "import", out)
    assert holdings(again, "cik-12345", "2023-04-10")[("cik-99999", "common")]["quantity"] == 1300


def test_an_amendment_retracts_the_filing_of_its_date_of_original_submission(tmp_path):
    # Two Form 4s of one period: a sale of 100 (900 after, signed 04-12) and of 50 (850 after,
    # signed 04-13); the 4/A restates the first (original submission 04-12). 1,000 - 100 - 50 = 850.
    first = xml_form([xml_row("I", date="2023-04-10", code="S", shares="100", following="900")])
    second = xml_form([xml_row("I", date="2023-04-11", code="S", shares="50", following="850")],
                      signed="2023-04-13")
    amended = xml_form([xml_row("I", date="2023-04-10", code="S", shares="100", following="900")],
                       form="4/A", signed="2023-04-20", original="2023-04-12")
    db = import_forms(tmp_path, first, second, amended)
    assert holdings(db, "cik-12345", "2023-04-30")[("cik-99999", "common")]["quantity"] == 850


def test_the_same_filing_with_other_line_endings_is_the_same_document(tmp_path):
    text = xml_form([xml_row("I", code="S", shares="100", following="900")]).replace("><", ">\n<")
    db = import_forms(tmp_path, text, text.replace("\n", "\r\n"))
    assert holdings(db, "cik-12345", "2023-04-10")[("cik-99999", "common")]["quantity"] == 900
