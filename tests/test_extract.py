"""`ledger extract`'s library: draft event files from legacy EDGAR text filings.

The expected figures below were read by hand from the filings, not copied
from the extractor's output.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

import events
from ledger.intake.extract import Draft, extract_filing
from ledger.intake.extract.ids import Ids, cik_number
from ledger.intake.extract.slugs import issuer_slug, party_slug, security_slug, warrant_slug
from ledger.intake.extract.text import parse_date, split_pages
from ledger.intake.extract.values import read_count, read_percent

SAMPLE = Path(__file__).parent.parent / "replay_data" / "savvis" / "sources" / "002_5249cba9dd482567.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "extract"
G13 = FIXTURES / "13g_numbers_before_labels.txt"
D13 = FIXTURES / "13d_inline_figures.txt"

EVENT_DATE = dt.date(2004, 2, 9)


def _extract(path: Path) -> Draft:
    return extract_filing(path.read_text(), path.name)


@pytest.fixture(scope="module")
def sample() -> Draft:
    return _extract(SAMPLE)


def _by_type(draft: Draft, type_: str) -> list[dict]:
    return [e for e in draft.events if e["type"] == type_]


def _one(draft: Draft, type_: str, **match) -> dict:
    found = [e for e in _by_type(draft, type_) if all(e.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (type_, match, found)
    return found[0]


# --- the sample: Schedule 13D Amendment No. 1, SAVVIS, six cover pages -------------------

# page, name, tax id, place, row 14, kind, rows 7, 8, 9, 10, 11, 13 (None: the row is blank)
SAMPLE_COVERS = [
    (2, "Constellation Venture Capital II, L.P.", "13-4124531", "Delaware", "PN", "partnership",
     22149036, None, 22149036, None, 22149036, "17.0"),
    (3, "Constellation Venture Capital Offshore II, L.P.", None, "Cayman Islands", "PN", "partnership",
     10471371, None, 10471371, None, 10471371, "8.8"),
    (4, "The BSC Employee Fund IV, L.P.", "13-4133064", "Delaware", "PN", "partnership",
     8774984, None, 8774984, None, 8774984, "7.5"),
    (5, "CVC II Partners, L.L.C.", "13-4144132", "Delaware", "CO", "llc",
     490354, None, 490354, None, 490354, "0.5"),
    (6, "Constellation Ventures Management II, LLC", "13-4122121", "Delaware", "CO", "llc",
     None, 41395391, None, 41395391, 41395391, "27.9"),
    (7, "Bear Stearns Asset Management Inc.", "06-1135192", "Delaware", "CO", "corporation",
     None, 41885745, None, 41885745, 41885745, "28.2"),
]
SAMPLE_SLUGS = {
    "Constellation Venture Capital II, L.P.": "constellation-venture-capital-ii-lp",
    "Constellation Venture Capital Offshore II, L.P.": "constellation-venture-capital-offshore-ii-lp",
    "The BSC Employee Fund IV, L.P.": "the-bsc-employee-fund-iv-lp",
    "CVC II Partners, L.L.C.": "cvc-ii-partners-llc",
    "Constellation Ventures Management II, LLC": "constellation-ventures-management-ii-llc",
    "Bear Stearns Asset Management Inc.": "bear-stearns-asset-management-inc",
}

# exhibit, page, warrant no., holder as printed, shares of Series B Convertible Preferred
SAMPLE_WARRANTS = [
    ("1", 11, "26", "Constellation Venture Capital Offshore II, L.P.", 342154),
    ("2", 12, "27", "Constellation Venture Capital Offshore II, L.P.", 161760),
    ("3", 13, "28", "The BSC Employee Fund IV, L.P.", 135553),
    ("4", 14, "29", "CVC II Partners, LLC", 7591),
]


def test_sample_document_header(sample: Draft) -> None:
    assert sample.document == {
        "id": "savvis-communications-13da1-2004-07-02",
        "issuer": "savvis-communications",
        "title": "Schedule 13D, Amendment No. 1",
        "file": "002_5249cba9dd482567.txt",
        "date": dt.date(2004, 7, 2),
    }
    assert sample.filing["form"] == "13D"
    assert sample.filing["amendment"] == 1
    assert sample.filing["cusip"] == "805423 10 0"
    assert sample.filing["issuer_name"] == "SAVVIS COMMUNICATIONS CORPORATION"
    assert sample.filing["class_title"] == "Common Stock, par value $0.01 per share"
    assert sample.filing["event_date"] == EVENT_DATE


def test_sample_has_six_cover_pages_four_warrants_and_nothing_unread(sample: Draft) -> None:
    assert len(_by_type(sample, "PartyRegistered")) == 6
    assert len(_by_type(sample, "BeneficialOwnershipReported")) == 6
    assert len(_by_type(sample, "WarrantIssued")) == 4
    assert [e["type"] for e in sample.events] == (
        ["PartyRegistered"] * 6 + ["WarrantIssued"] * 4 + ["BeneficialOwnershipReported"] * 6
    )
    assert sample.unread == []


@pytest.mark.parametrize("cover", SAMPLE_COVERS, ids=[c[1] for c in SAMPLE_COVERS])
def test_sample_cover_page_party(sample: Draft, cover) -> None:
    page, name, tax_id, place, code, kind, *_ = cover
    event = _one(sample, "PartyRegistered", name=name)
    assert event["party"] == SAMPLE_SLUGS[name]
    assert event["kind"] == kind
    assert event["jurisdiction"] == place
    assert event.get("tax_id") == tax_id
    assert event["effective_date"] == EVENT_DATE
    assert event["source"]["locator"] == f"Page {page}, cover page rows 1, 6, 14"
    assert name in event["source"]["quote"]


@pytest.mark.parametrize("cover", SAMPLE_COVERS, ids=[c[1] for c in SAMPLE_COVERS])
def test_sample_cover_page_figures(sample: Draft, cover) -> None:
    page, name, _tax, _place, code, _kind, sole_v, shared_v, sole_d, shared_d, aggregate, percent = cover
    event = _one(sample, "BeneficialOwnershipReported", name_as_reported=name)
    assert event["party"] == SAMPLE_SLUGS[name]
    assert event["security"] == "common"
    assert event["effective_date"] == EVENT_DATE
    assert event["beneficially_owned"] == aggregate
    assert event["percent"] == percent
    # a blank row is left out, never read as 0
    assert event.get("sole_voting") == sole_v
    assert event.get("shared_voting") == shared_v
    assert event.get("sole_dispositive") == sole_d
    assert event.get("shared_dispositive") == shared_d
    for key, value in (("sole_voting", sole_v), ("shared_voting", shared_v),
                       ("sole_dispositive", sole_d), ("shared_dispositive", shared_d)):
        assert (key in event) == (value is not None)
    assert event["reporting_type"] == code
    assert event["member_of_group"] is True
    assert event["source"]["locator"] == f"Page {page}, cover page rows 2, 7-14"
    quote = event["source"]["quote"]
    assert f"{aggregate:,} shares of Common Stock" in quote
    assert f"{percent}%" in quote


@pytest.mark.parametrize("warrant", SAMPLE_WARRANTS, ids=[f"Exhibit {w[0]}" for w in SAMPLE_WARRANTS])
def test_sample_warrant(sample: Draft, warrant) -> None:
    exhibit, page, number, holder, quantity = warrant
    event = _one(sample, "WarrantIssued", number=number)
    assert event["warrant"] == f"w-{number}"
    assert event["holder"] == party_slug(holder)
    assert event["security"] == "series-b-preferred"
    assert event["quantity"] == quantity
    assert event["exercise_price"] == "16.30"
    assert event["expires"] == dt.date(2009, 1, 30)
    assert event["effective_date"] == EVENT_DATE
    assert event["source"]["locator"] == f"Exhibit {exhibit}, page {page}"
    quote = event["source"]["quote"]
    assert f"{quantity:,} Shares of Series B Convertible Preferred Stock" in quote
    assert f"THIS IS TO CERTIFY THAT {holder}" in quote
    assert "shall be $16.30" in quote
    assert 'prior to January 30, 2009 (the "Expiration Date")' in quote
    assert f"Warrant No. {number}" in quote


def test_sample_warrant_holders_are_cover_page_parties(sample: Draft) -> None:
    registered = {e["party"] for e in _by_type(sample, "PartyRegistered")}
    assert {e["holder"] for e in _by_type(sample, "WarrantIssued")} <= registered
    assert sample.requires["parties"] == {}
    assert sample.requires["securities"] == {
        "common": "Common Stock, par value $0.01 per share",
        "series-b-preferred": "Series B Convertible Preferred Stock",
    }


def test_sample_exhibit_list_disagreement_is_reported(sample: Draft) -> None:
    # Item 7 lists Exhibit 1 as issued to Constellation Venture Capital II, L.P.;
    # the certificate itself names the Offshore fund.
    assert len(sample.notes) == 1
    assert "Exhibit 1" in sample.notes[0]
    assert "Constellation Venture Capital II, L.P." in sample.notes[0]
    assert "Constellation Venture Capital Offshore II, L.P." in sample.notes[0]


def test_sample_exhibit_2_page_is_inferred_from_its_neighbours() -> None:
    if not SAMPLE.exists():
        pytest.skip("sample filing not available")
    pages = split_pages(SAMPLE.read_text())
    assert [p.number for p in pages] == list(range(1, 15))
    assert [p.number for p in pages if not p.number_stated] == [1, 12]


# --- every produced file is a valid event file ---------------------------------------------

ALL_FILES = [SAMPLE, G13, D13]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_event_validates(path: Path) -> None:
    if not path.exists():
        pytest.skip("file not available")
    draft = _extract(path)
    data = yaml.safe_load(draft.to_yaml())
    assert set(data) == {"document", "events"}
    doc = data["document"]
    events.DocumentHeader(**doc)
    assert len(data["events"]) == len(draft.events) > 0
    for event in data["events"]:
        parsed = events.parse_event(
            {**event, "issuer": doc["issuer"], "source": {**event["source"], "document": doc["id"]}}
        )
        assert parsed.source.quote
        assert parsed.source.locator
    assert data["events"] == draft.events


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_quotes_are_words_of_the_filing_in_order(path: Path) -> None:
    """Each quoted passage is the filing's own words, in order.

    Between two quoted words the filing may hold a few more that the quote
    leaves out: the left column beside the voting rows, rules, a page header.
    """
    if not path.exists():
        pytest.skip("file not available")
    text = " ".join(path.read_text().split())
    draft = _extract(path)
    for event in draft.events:
        for passage in event["source"]["quote"].split(" ... "):
            words = passage.split()
            pattern = r"(?:\s+\S+){0,12}?\s+".join(re.escape(w) for w in words)
            assert re.search(pattern, text), passage


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_extraction_is_deterministic(path: Path) -> None:
    if not path.exists():
        pytest.skip("file not available")
    assert _extract(path).to_yaml() == _extract(path).to_yaml()


def test_yaml_header_comments(sample: Draft) -> None:
    text = sample.to_yaml()
    head = text.split("\ndocument:")[0]
    assert all(line.startswith("#") for line in head.splitlines())
    assert "drafts" in head
    assert "Must exist in the ledger before import" in head
    assert "common: Common Stock, par value $0.01 per share" in head
    assert "series-b-preferred: Series B Convertible Preferred Stock" in head
    assert "Not read: nothing." in head


# --- a Schedule 13G: figures before the row labels, -0-, N/A, percent without % ------------


@pytest.fixture(scope="module")
def g13() -> Draft:
    return _extract(G13)


def test_13g_header(g13: Draft) -> None:
    assert g13.document["issuer"] == "northwind-data"
    assert g13.document["title"] == "Schedule 13G, Amendment No. 2"
    assert g13.document["date"] == dt.date(2004, 2, 13)
    assert g13.filing["cusip"] == "66704R100"
    assert g13.filing["event_date"] == dt.date(2003, 12, 31)
    assert g13.unread == []


def test_13g_figures_before_labels(g13: Draft) -> None:
    party = _one(g13, "PartyRegistered", name="Harborview Capital Partners LLC")
    assert party["party"] == "harborview-capital-partners-llc"
    assert party["kind"] == "llc"
    assert party["jurisdiction"] == "Delaware"
    assert "tax_id" not in party  # "N/A"
    report = _one(g13, "BeneficialOwnershipReported", party="harborview-capital-partners-llc")
    assert report["security"] == "class-a-common"
    assert report["effective_date"] == dt.date(2003, 12, 31)
    assert report["sole_voting"] == 1250000
    assert report["shared_voting"] == 0  # "-0-"
    assert report["sole_dispositive"] == 1250000
    assert "shared_dispositive" not in report  # "N/A"
    assert report["beneficially_owned"] == 1250000
    assert report["percent"] == "6.4"  # printed without %
    assert report["reporting_type"] == "OO"
    assert report["member_of_group"] is False  # (a) [ ]  (b) [X]
    # 13G numbers its rows 1-12
    assert report["source"]["locator"] == "Page 2, cover page rows 2, 5-12"


def test_13g_cover_page_across_a_page_break(g13: Draft) -> None:
    party = _one(g13, "PartyRegistered", name="Margaret A. Lindqvist")
    assert party["kind"] == "individual"
    assert party["jurisdiction"] == "United States of America"
    assert "tax_id" not in party
    report = _one(g13, "BeneficialOwnershipReported", party="margaret-a-lindqvist")
    assert (report["sole_voting"], report["shared_voting"]) == (0, 1312500)
    assert (report["sole_dispositive"], report["shared_dispositive"]) == (0, 1312500)
    assert report["beneficially_owned"] == 1312500
    assert report["percent"] == "6.7"
    assert report["reporting_type"] == "IN"
    assert report["member_of_group"] is False
    assert report["source"]["locator"] == "Pages 3-4, cover page rows 2, 5-12"
    assert "Page 4 of 5" not in report["source"]["quote"]


def test_13g_exhibit_without_a_warrant_gives_no_warrant(g13: Draft) -> None:
    assert _by_type(g13, "WarrantIssued") == []


# --- a Schedule 13D: figures on the label's line, rows split over lines, unreadable rows ----


@pytest.fixture(scope="module")
def d13() -> Draft:
    return _extract(D13)


def test_13d_original_filing_header(d13: Draft) -> None:
    assert d13.document["title"] == "Schedule 13D"  # "(Amendment No. ______)": an original
    assert d13.document["issuer"] == "quillmark-therapeutics"
    assert d13.document["id"] == "quillmark-therapeutics-13d-2005-03-24"
    assert d13.filing["cusip"] == "74837Q 20 4"
    assert d13.filing["event_date"] == dt.date(2005, 3, 15)


def test_13d_figures_on_the_label_line(d13: Draft) -> None:
    party = _one(d13, "PartyRegistered", name="Juniper Ridge Ventures III, L.P.")
    assert party["tax_id"] == "94-3321987"
    assert party["kind"] == "partnership"
    assert party["jurisdiction"] == "Delaware"
    report = _one(d13, "BeneficialOwnershipReported", party="juniper-ridge-ventures-iii-lp")
    assert report["sole_voting"] == 2404120
    assert report["shared_voting"] == 0
    assert report["sole_dispositive"] == 2404120
    assert report["shared_dispositive"] == 0
    assert report["beneficially_owned"] == 2404120  # row 11's figure after its label, same line
    assert report["percent"] == "9.1"  # row 13's label split over two lines
    assert report["member_of_group"] is True
    assert report["reporting_type"] == "PN"
    assert "Number of Shares Beneficially" not in report["source"]["quote"]


def test_13d_unreadable_rows_are_listed_not_guessed(d13: Draft) -> None:
    party = _one(d13, "PartyRegistered", name="Juniper Ridge Management, L.L.C.")
    assert party["kind"] == "llc"
    assert party["tax_id"] == "94-3321990"
    # "less than 10%" is not a figure: no ownership event for this cover page
    reports = _by_type(d13, "BeneficialOwnershipReported")
    assert [e for e in reports if e["party"] == party["party"]] == []
    unread = {(u["locator"], u["field"]) for u in d13.unread}
    assert ("Page 3, cover page row 7", "sole_voting") in unread  # "See Item 5"
    assert ("Page 4, cover page row 13", "percent") in unread
    assert ("Exhibit A, page 6", "exercise_price") in unread
    assert any("Juniper Ridge Management" in note for note in d13.notes)
    head = d13.to_yaml().split("\ndocument:")[0]
    assert "Page 3, cover page row 7: sole_voting" in head
    assert "See Item 5" in head


def test_13d_warrant_without_a_price_and_holder_without_cover_page(d13: Draft) -> None:
    warrant = _one(d13, "WarrantIssued", number="CS-7")
    assert warrant["warrant"] == "w-cs-7"
    assert warrant["holder"] == "fernbrook-lending-trust"
    assert warrant["security"] == "common"
    assert warrant["quantity"] == 500000
    assert warrant["effective_date"] == dt.date(2005, 3, 15)
    assert warrant["expires"] == dt.date(2010, 3, 15)
    assert "exercise_price" not in warrant  # "determined in accordance with Schedule A"
    assert d13.requires["parties"] == {"fernbrook-lending-trust": "Fernbrook Lending Trust"}


def test_13d_split_aggregate_row_keeps_its_words() -> None:
    from ledger.intake.extract.cover_pages import find_cover_pages
    from ledger.intake.extract.text import document_lines

    covers = find_cover_pages(document_lines(split_pages(D13.read_text())))
    assert len(covers) == 2
    second = covers[1].rows
    assert second["aggregate"].content == "2,404,120 shares of Common Stock"
    assert second["aggregate"].quote.startswith(
        "11. AGGREGATE AMOUNT BENEFICIALLY OWNED BY EACH REPORTING PERSON 2,404,120"
    )
    assert second["aggregate"].page == 4
    assert second["shared_voting"].page == 3
    assert second["sole_voting"].content == "See Item 5"


# --- small inputs ---------------------------------------------------------------------------


def test_a_filing_with_nothing_to_read_gives_an_empty_valid_file() -> None:
    draft = extract_filing("Just a letter.\n\nDated: May 1, 2004\n", "letter.txt")
    data = yaml.safe_load(draft.to_yaml())
    assert data["events"] == []
    assert data["document"]["issuer"] == "unknown-issuer"
    assert {u["field"] for u in draft.unread} == {"document.issuer"}


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Constellation Venture Capital II, L.P.", "constellation-venture-capital-ii-lp"),
        ("CVC II Partners, L.L.C.", "cvc-ii-partners-llc"),
        ("CVC II Partners, LLC", "cvc-ii-partners-llc"),
        ("Bear Stearns Asset Management Inc.", "bear-stearns-asset-management-inc"),
        ("The BSC Employee Fund IV, L.P.", "the-bsc-employee-fund-iv-lp"),
    ],
)
def test_party_slug(name: str, slug: str) -> None:
    assert party_slug(name) == slug


def test_other_slugs() -> None:
    assert issuer_slug("SAVVIS COMMUNICATIONS CORPORATION") == "savvis-communications"
    assert security_slug("Common Stock, par value $0.01 per share") == "common"
    assert security_slug("Series B Convertible Preferred Stock") == "series-b-preferred"
    assert security_slug("Class A Common Stock, $.001 par value") == "class-a-common"
    assert warrant_slug("26") == "w-26"


def test_a_cik_is_its_number_without_leading_zeros_and_only_digits_are_one() -> None:
    # EDGAR writes a CIK as ten digits with leading zeros (0001318605 is Tesla's, 1318605).
    assert [cik_number(t) for t in ("0001318605", " 1318605\n", "12345678901", "13186O5", "²", "", None)] == \
        ["1318605", "1318605", None, None, None, None, None]
    # An --ids mapping may name a party by its CIK or by the id it gives, and so may reach the same id.
    ids = Ids({"0001318605": "tesla", "cik-320193": "apple"})
    assert (ids.issuer("1318605", "Tesla, Inc."), ids.party("0000320193", "Apple Inc.")) == ("tesla", "apple")
    assert Ids().party("0000320193", "Apple Inc.") == "cik-320193"


@pytest.mark.parametrize(
    "text, value",
    [
        ("22,149,036 shares of Common Stock", 22149036),
        ("  -0-  ", 0),
        ("- 0 -", 0),
        ("490,354", 490354),
        (": 1,250,000 shares", 1250000),
        ("None", 0),
        ("", None),
        ("N/A", None),
        ("See Item 5", None),
        ("approximately 1,000", None),
    ],
)
def test_read_count(text: str, value) -> None:
    assert read_count(text).value == value


@pytest.mark.parametrize(
    "text, value",
    [("17.0%", "17.0"), ("8.8", "8.8"), (".5%", "0.5"), ("-0-", "0"), ("6.4 %", "6.4"),
     ("less than 1%", None), ("", None), ("N/A", None), ("101%", None)],
)
def test_read_percent(text: str, value) -> None:
    assert read_percent(text).value == value


def test_parse_date() -> None:
    assert parse_date("February 9, 2004") == dt.date(2004, 2, 9)
    assert parse_date("Feb. 9, 2004") == dt.date(2004, 2, 9)
    assert parse_date("9 February 2004") == dt.date(2004, 2, 9)
    assert parse_date("02/09/2004") == dt.date(2004, 2, 9)
    assert parse_date("February 30, 2004") is None
    assert parse_date("soon") is None


def test_pages_split_on_either_case_of_marker() -> None:
    text = "first\n<PAGE>\nCUSIP No. 1                Page 2 of 3\nsecond\n<page>\nthird\n"
    pages = split_pages(text)
    assert [(p.number, p.number_stated) for p in pages] == [(1, False), (2, True), (3, False)]
    assert [line.text for line in pages[2].lines] == ["third"]
    assert "<page>" not in " ".join(line.text.lower() for p in pages for line in p.lines)


def test_line_endings_do_not_change_the_draft(sample: Draft) -> None:
    text = SAMPLE.read_text().replace("\n", "\r\n")
    assert extract_filing(text, SAMPLE.name).events == sample.events


ROW_NUMBER_ABOVE_LABEL = """\
                                  SCHEDULE 13G
                                  (Amendment No. 3)

                                  OAKRIDGE SYSTEMS LTD.
                                   (Name of Issuer)

                                  Ordinary Shares
                          (Title of Class of Securities)

                                  January 5, 2006
             (Date of Event Which Requires Filing of this Statement)

1.  Names of Reporting Persons.
    Oakline Fund, L.P.
2.  Check the Appropriate Box if a Member of a Group   (a) [x]  (b) [ ]
3.  SEC Use Only
4.  Citizenship or Place of Organization   Cayman Islands
              (5)  600,000
NUMBER OF          Sole Voting Power
              (6)  -0-
SHARES             Shared Voting Power
              (7)  600,000
BENEFICIALLY       Sole Dispositive Power
              (8)  -0-
OWNED BY           Shared Dispositive Power
9.  Aggregate Amount Beneficially Owned by Each Reporting Person   600,000
10. Check if the Aggregate Amount in Row (9) Excludes Certain Shares  [ ]
11. Percent of Class Represented by Amount in Row (9)   5.5%
12. Type of Reporting Person   PN

Date: January 12, 2006
"""


def test_row_number_and_figure_on_the_line_above_the_label() -> None:
    draft = extract_filing(ROW_NUMBER_ABOVE_LABEL, "oakridge.txt")
    assert draft.document["issuer"] == "oakridge-systems"
    assert draft.document["title"] == "Schedule 13G, Amendment No. 3"
    party = _one(draft, "PartyRegistered", party="oakline-fund-lp")
    assert party["name"] == "Oakline Fund, L.P."
    assert party["jurisdiction"] == "Cayman Islands"
    assert party["kind"] == "partnership"
    report = _one(draft, "BeneficialOwnershipReported", party="oakline-fund-lp")
    assert report["security"] == "ordinary"
    assert (report["sole_voting"], report["shared_voting"]) == (600000, 0)
    assert (report["sole_dispositive"], report["shared_dispositive"]) == (600000, 0)
    assert report["beneficially_owned"] == 600000
    assert report["percent"] == "5.5"
    assert report["member_of_group"] is True
    assert report["effective_date"] == dt.date(2006, 1, 5)
    assert draft.unread == []
