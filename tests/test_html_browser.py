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


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    (tmp / "evil.yaml").write_text(EVIL)
    led = Ledger(tmp / "acme.db")
    with freeze_time("2022-01-10T09:00:00Z"):
        assert led("import", DATA / "acme", tmp / "evil.yaml").code == 0
    out = tmp / "acme.html"
    r = led("export", "html", "--as-of", "2021-01-01", "--known-at", "2022-01-10T09:00:00Z", "--out", out)
    assert r.code == 0, r.err
    page = open_page(out, {"holdings": "#holdings tbody tr", "captable": "#captable tbody tr",
                           "voting": "#voting tbody tr", "journal": "#journal tbody tr",
                           "charts": "svg title", "scripts": "script, img, link, iframe"},
                     width=1280, height=2000)
    return out, page, tmp


def test_self_contained_and_escaped(report):
    out, _, _ = report
    html = out.read_text()
    assert not re.search(r"<(script|img|link|iframe|object)\b", html, re.I)
    assert not re.search(r"<[^>]*\s(src|href)\s*=", html, re.I)  # no attribute loads anything
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
    assert any("Ownership of common over time" in t or "held, by event date" in t for t in page.texts["charts"])


def test_screenshot_is_a_png(report):
    _, page, tmp = report
    shot = tmp / "acme.png"
    shot.write_bytes(page.screenshot)
    assert page.screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(page.screenshot[16:20], "big"), int.from_bytes(page.screenshot[20:24], "big")
    assert width == 1280 and height >= 2000
    assert 50_000 < len(page.screenshot) < 20_000_000
