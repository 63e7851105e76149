"""`ledger export html` in a real headless Chromium: no console errors, no requests but the file,
the figures in the tables, a screenshot. Acme on 2021-01-01 (derived in tests/test_acme_history.py):
alice 1,600,000 common; fund-lp warrant w-1 300,000 at $1.00 after the 2-for-1 split.
"""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time

from tests.browser import CHROMIUM, open_page
from tests.conftest import DATA, Ledger

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")

EVIL = """document:
  id: evil
  issuer: acme
  title: A document with markup in it
events:
  - {type: PartyRegistered, effective_date: 2020-01-02, party: mallory, name: "<script>console.error('pwned')</script><img src=x onerror=alert(1)>", kind: individual, source: {locator: "p. 1", quote: "<b>bold</b> & \\"quoted\\""}}
  - {type: SharesIssued, effective_date: 2020-01-02, security: common, holder: mallory, quantity: 10, source: {locator: "p. 2", quote: "</td></table><script>alert(2)</script>"}}
"""


def exported(led: Ledger, imports: list[tuple[str, list]], out, *export_args) -> None:
    """Each batch imported at its instant, then the report written to `out`."""
    for instant, paths in imports:
        with freeze_time(instant):
            assert led("import", *paths).code == 0
    r = led("export", "html", *export_args, "--out", out)
    assert r.code == 0, r.err


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    (tmp / "evil.yaml").write_text(EVIL)
    out = tmp / "acme.html"
    exported(Ledger(tmp / "acme.db"), [("2022-01-10T09:00:00Z", [DATA / "acme", tmp / "evil.yaml"])], out,
             "--as-of", "2021-01-01", "--known-at", "2022-01-10T09:00:00Z")
    page = open_page(out, {"holdings": "#holdings tbody tr", "captable": "#captable tbody tr",
                           "voting": "#voting tbody tr", "journal": "#journal tbody tr",
                           "charts": "svg title", "scripts": "script, img, link, iframe"},
                     width=1280, height=2000)
    return out, page, tmp


def test_self_contained_and_escaped(report):
    out, _, _ = report
    html = out.read_text()
    assert not re.search(r"<(script|img|link|iframe|object)\b", html, re.I)
    assert not re.search(r"<[^>]*\ssrc\s*=", html, re.I)  # no attribute loads anything
    assert set(re.findall(r"\shref\s*=\s*'([^']*)'", html, re.I)) <= {f"#event-{n}" for n in range(1, 100)}
    assert not re.search(r"\shref\s*=\s*[^'\s]", html, re.I)  # links only within the page
    assert re.findall(r"https?://[^'\"\s]+", html) == ["http://www.w3.org/2000/svg"] * html.count("<svg")
    assert "&lt;script&gt;console.error(&#x27;pwned&#x27;)&lt;/script&gt;" in html
    assert "&lt;/td&gt;&lt;/table&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_no_console_errors_no_requests(report):
    out, page, _ = report
    assert page.console_errors == []
    assert page.requests == [out.resolve().as_uri()]
    assert page.texts["scripts"] == []


def test_tables_show_the_figures(report):
    _, page, _ = report
    rows = [r.split("\t") for r in page.texts["holdings"]]
    assert ["alice", "common", "shares", "", "1,600,000"] == rows[0][:5]
    w1 = next(r for r in rows if r[1] == "w-1")
    assert w1[:8] == ["fund-lp", "w-1", "warrant", "common", "300,000", "300,000", "1.00", "2025-01-01"]
    cap = {r.split("\t")[0]: r.split("\t") for r in page.texts["captable"]}
    assert cap["common"][1] == "3,380,020"  # 3,380,000 + mallory's 10, doubled by the split
    voting = {r.split("\t")[0]: r.split("\t")[1] for r in page.texts["voting"]}
    assert voting["alice"] == "1,600,000"
    assert any("1,000,000 shares to Alice Archer" in r for r in page.texts["journal"])
    assert any("owned directly, by event date" in t for t in page.texts["charts"])


def test_screenshot_is_a_png(report):
    _, page, tmp = report
    shot = tmp / "acme.png"
    shot.write_bytes(page.screenshot)
    assert page.screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(page.screenshot[16:20], "big"), int.from_bytes(page.screenshot[20:24], "big")
    assert width == 1280 and height >= 2000
    assert 50_000 < len(page.screenshot) < 20_000_000


# --- the SAVVIS report as an auditor reads it: on screen, on paper, against an earlier view ---------

# What is clipped: the page or a section wider than its box, or any cell or chart reaching past
# the right edge of the viewport.
CLIPPED = """(() => {
  const bad = [];
  const W = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > W + 1) bad.push('page ' + document.documentElement.scrollWidth + '>' + W);
  for (const el of document.querySelectorAll('section, .scroll')) {
    if (el.scrollWidth > el.clientWidth + 1) bad.push((el.id || el.className) + ' ' + el.scrollWidth + '>' + el.clientWidth);
  }
  for (const el of document.querySelectorAll('td, th, svg, h1, h2, p, blockquote, figcaption')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > W + 1) bad.push(el.tagName + ' ' + (el.innerText || '').slice(0, 40) + ' ' + Math.round(r.right));
  }
  return bad.slice(0, 20);
})()"""

CORRECTION = """document: {id: example-correction, issuer: savvis, title: "An illustrative correction"}
events:
  - type: EventCorrected
    effective_date: 2004-07-02
    corrects: common-outstanding-2004-05-11
    replacement: {security: common, quantity: 110000000}
    reason: "illustration: the count as a later filing might restate it"
    source: {locator: "page 1"}
"""


@pytest.fixture(scope="module")
def savvis_report(tmp_path_factory):
    from tests.conftest import ROOT  # noqa: PLC0415

    tmp = tmp_path_factory.mktemp("savvis-html")
    (tmp / "correction.yaml").write_text(CORRECTION)
    led = Ledger(tmp / "savvis.db")
    out = tmp / "savvis.html"
    exported(led, [("2026-01-05T10:00:00Z", [ROOT / "replay_data" / "savvis"]),
                   ("2026-02-01T10:00:00Z", [tmp / "correction.yaml"])], out,
             "--as-of", "2004-07-02", "--known-at", "2026-03-01T00:00:00Z", "--compare-known-at", "2026-01-20T00:00:00Z")
    page = open_page(out, {"changes": "#changes tbody tr", "journal": "#journal tr.superseded"},
                     width=1280, height=1600, expressions={"clipped": CLIPPED}, papers=("A4", "Letter"),
                     printed=CLIPPED)
    (tmp / "savvis.png").write_bytes(page.screenshot)
    for paper, pdf in page.pdfs.items():
        (tmp / f"savvis-{paper}.pdf").write_bytes(pdf)
    return out, page, led


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_nothing_is_clipped_on_screen_or_paper(savvis_report):
    _, page, _ = savvis_report
    assert page.console_errors == []
    assert page.values["clipped"] == []  # 1280 px wide
    assert page.printed == {"A4": [], "Letter": []}  # print media at each paper's printable width
    for paper in ("A4", "Letter"):
        pdf = page.pdfs[paper]
        assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) > 1


def test_the_journal_marks_what_a_correction_superseded(savvis_report):
    out, page, _ = savvis_report
    # The correction (the 104th record, after the 103 SAVVIS records) replaces the 13D/A's count of
    # 109,488,793 outstanding: that row is struck through and links to the correction's row.
    [row] = page.texts["journal"]
    assert "SharesOutstandingReported" in row and "corrected by #104" in row
    html = out.read_text()
    assert "corrected by <a href='#event-104'>#104</a>" in html and "<tr id='event-104'" in html


def test_what_changed_since_an_earlier_instant(savvis_report):
    out, page, _ = savvis_report
    rows = [r.split("\t") for r in page.texts["changes"]]
    # One event recorded in between, the correction, and the figures it moves: the reported count
    # (109,488,793 -> 110,000,000) and the group's open percent: at least its 2,575,298 common
    # plus the 3,333,333 warrant shares exercisable since 2004-03-31, 5,908,631, over the whole
    # plus those 3,333,333: 5,908,631 / 112,822,126 = 5.237120% and 5,908,631 / 113,333,333 =
    # 5.213497% (each rounded down).
    assert ["#104"] == [r[0] for r in rows if r[0].startswith("#")]
    assert ["captable", "common", "reported_outstanding", "109,488,793", "110,000,000"] in rows
    assert ["ownership", "constellation-entities", "percent", "not derivable (at least 5.23712%)",
            "not derivable (at least 5.213497%)"] in rows
    assert "What changed since 2026-01-20T00:00:00+00:00" in out.read_text()


def test_charts_measure_against_100_percent_with_one_colour_per_party(savvis_report):
    html = savvis_report[0].read_text()
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) == 3
    for chart in charts:  # every gridline labelled, 0% to 100%
        assert re.findall(r">(\d+)%</text>", chart) == ["0", "20", "40", "60", "80", "100"]
    # constellation-entities has one colour: its bar of held shares, its line, its voting bar.
    bar = re.findall(r"fill='(#[0-9a-f]{6})' fill-opacity='1'><title>constellation-entities: held", html)
    line = re.findall(r"stroke='(#[0-9a-f]{6})' stroke-width='2.2'><title>constellation-entities<", html)
    assert len(bar) == 2 and len(set(bar + line)) == 1
    # The ownership chart says what it counts, and counts it.
    assert "those it can acquire within 60 days" in html and "convertible preferred as converted" in html
    assert "Percent of common beneficially owned (held + acquirable), against 100%" in html


def test_compare_known_at_must_be_earlier(savvis_report, tmp_path):
    led = savvis_report[2]
    r = led("export", "html", "--as-of", "2004-07-02", "--known-at", "2026-01-20T00:00:00Z",
            "--compare-known-at", "2026-02-01T00:00:00Z", "--out", tmp_path / "x.html")
    assert r.code == 2 and "is not before the report's known-at" in r.err and not (tmp_path / "x.html").exists()


# --- the cap table by holder: the Lumen example history (replay_data/lumen/README.md) ---------------


def test_the_cap_table_by_holder_in_the_report(tmp_path):
    from tests.conftest import ROOT  # noqa: PLC0415

    out = tmp_path / "lumen.html"
    exported(Ledger(tmp_path / "lumen.db"), [("2024-06-01T09:00:00Z", [ROOT / "replay_data" / "lumen"])], out,
             "--as-of", "2024-03-01")
    page = open_page(out, {"by_holder": "#by-holder ~ .scroll tbody tr, #by-holder ~ table tbody tr"},
                     width=1280, height=2000)
    assert page.console_errors == []
    rows = {r.split("\t")[0]: r.split("\t") for r in page.texts["by_holder"]}
    # After the Series A: outstanding 23,818,000, fully diluted 27,694,000 (the README's arithmetic).
    assert rows["harbor-angels"][1:5] == ["1,200,000", "5.0382%", "1,200,000", "4.3331%"]
    assert rows["pool:plan-2022"][1:5] == ["0", "0.0000%", "2,892,000", "10.4427%"]
