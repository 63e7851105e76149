"""Demand registrations: counted per holder group against the agreement's caps and minimum.

Acme's rra (tests/data/acme/01-formation.yaml) allows one demand for fund-lp and one
for the founders group (alice and bob), each of at least $1,000,000; fund-lp used its
one on 2020-12-20.
"""

from __future__ import annotations

import yaml


SRC = {"locator": "letter", "quote": "demand"}


def demand(tmp_path, **fields):
    path = tmp_path / "demand.yaml"
    event = {"type": "DemandRegistrationRequested", "effective_date": "2021-03-01", "agreement": "rra",
             "source": SRC, **fields}
    path.write_text(yaml.safe_dump({"document": {"id": "demand-letter", "issuer": "acme"}, "events": [event]}))
    return path


def test_beyond_the_cap_is_refused(acme, tmp_path):
    before = acme.count()
    r = acme("import", demand(tmp_path, requested_by="fund-lp", offering_price="2000000"))
    assert r.code == 2 and "requested_by" in r.err and "cap of 1 demand registrations for fund-lp" in r.err
    assert acme.count() == before


def test_below_the_minimum_offering_is_refused(acme, tmp_path):
    r = acme("import", demand(tmp_path, requested_by="alice", offering_price="999999.99"))
    assert r.code == 2 and "offering_price" in r.err and "below the minimum aggregate offering price of 1000000" in r.err


def test_a_group_member_uses_the_group_cap(acme, tmp_path):
    assert acme("import", demand(tmp_path, requested_by="bob", offering_price="1000000")).code == 0
    rows = {r["party"]: r for r in acme.rows("rights", "--as-of", "2021-03-01") if r["kind"] == "demand_registration"}
    assert (rows["founders"]["figures"]["used"], rows["founders"]["figures"]["left"]) == (1, 0)
    assert rows["founders"]["status"] == "used up"
    # Before the demand, on 2021-02-28, the founders still had theirs.
    earlier = {r["party"]: r for r in acme.rows("rights", "--as-of", "2021-02-28") if r["kind"] == "demand_registration"}
    assert earlier["founders"]["figures"]["left"] == 1 and earlier["fund-lp"]["figures"]["left"] == 0
    r = acme("import", demand(tmp_path, requested_by="alice", offering_price="5000000", shares=10))
    assert r.code == 2 and "founders" in r.err
