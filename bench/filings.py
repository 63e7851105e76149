"""Filing intake: extract + import of a thousand Form 4s, filings per second, against baselines.

    python -m bench.filings                  # 1,000 filings
    python -m bench.filings --filings 5000   # more

The filings are generated in the shapes of the real EDGAR filings the tests read: an option
exercise (M, with its Table II row) followed by sales under a 10b5-1 plan, as in the Tesla
Form 4; an RSU settlement (M) with tax withholding (F), as in the AMD one; and open-market
purchases, gifts and an indirect holding "By Trust". Each owner's filings continue one
another (every "owned following" follows from the one before), spread over 50 issuers.

Printed, from one run: the rate of each stage and of the whole command, beside
- parsing the same XML with the same parser and nothing else (the floor for reading), and
- importing the same events from event files already drafted (what the import costs
  without extraction),
with their ratios; and the reconciliation's count of mismatches, which must be 0.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_ROW = """<nonDerivativeTransaction><securityTitle><value>Common Stock</value></securityTitle>
<transactionDate><value>{date}</value></transactionDate><transactionCoding><transactionFormType>4</transactionFormType>
<transactionCode>{code}</transactionCode><equitySwapInvolved>0</equitySwapInvolved>{note}</transactionCoding>
<transactionAmounts><transactionShares><value>{shares}</value></transactionShares>
<transactionPricePerShare><value>{price}</value></transactionPricePerShare>
<transactionAcquiredDisposedCode><value>{ad}</value></transactionAcquiredDisposedCode></transactionAmounts>
<postTransactionAmounts><sharesOwnedFollowingTransaction><value>{following}</value></sharesOwnedFollowingTransaction>
</postTransactionAmounts><ownershipNature><directOrIndirectOwnership><value>{di}</value></directOrIndirectOwnership>
{nature}</ownershipNature></nonDerivativeTransaction>
"""
_OPTION = """<derivativeTransaction><securityTitle><value>{title}</value></securityTitle>
<conversionOrExercisePrice><value>{strike}</value></conversionOrExercisePrice>
<transactionDate><value>{date}</value></transactionDate><transactionCoding><transactionFormType>4</transactionFormType>
<transactionCode>M</transactionCode><equitySwapInvolved>0</equitySwapInvolved></transactionCoding>
<transactionAmounts><transactionShares><value>{shares}</value></transactionShares>
<transactionPricePerShare><value>0</value></transactionPricePerShare>
<transactionAcquiredDisposedCode><value>D</value></transactionAcquiredDisposedCode></transactionAmounts>
<exerciseDate><footnoteId id="F9"/></exerciseDate><expirationDate>{expires}</expirationDate>
<underlyingSecurity><underlyingSecurityTitle><value>Common Stock</value></underlyingSecurityTitle>
<underlyingSecurityShares><value>{shares}</value></underlyingSecurityShares></underlyingSecurity>
<postTransactionAmounts><sharesOwnedFollowingTransaction><value>{following}</value></sharesOwnedFollowingTransaction>
</postTransactionAmounts><ownershipNature><directOrIndirectOwnership><value>D</value></directOrIndirectOwnership>
</ownershipNature></derivativeTransaction>
"""
_DOC = """<?xml version="1.0"?>
<ownershipDocument><schemaVersion>X0508</schemaVersion><documentType>4</documentType>
<periodOfReport>{date}</periodOfReport>
<issuer><issuerCik>{issuer:010d}</issuerCik><issuerName>ISSUER {issuer} INC</issuerName>
<issuerTradingSymbol>I{issuer}</issuerTradingSymbol></issuer>
<reportingOwner><reportingOwnerId><rptOwnerCik>{owner:010d}</rptOwnerCik><rptOwnerName>OWNER {owner} A</rptOwnerName>
</reportingOwnerId><reportingOwnerRelationship><isDirector>1</isDirector></reportingOwnerRelationship></reportingOwner>
<aff10b5One>1</aff10b5One>
<nonDerivativeTable>{one}</nonDerivativeTable>
<derivativeTable>{two}</derivativeTable>
<footnotes><footnote id="F1">Sold under a Rule 10b5-1 trading plan; weighted average price.</footnote>
<footnote id="F9">The options vested in full before this report.</footnote></footnotes>
<ownerSignature><signatureName>/s/ Owner {owner}</signatureName><signatureDate>{signed}</signatureDate></ownerSignature>
</ownershipDocument>
"""


class Owner:
    def __init__(self, issuer: int, cik: int, rng: random.Random) -> None:
        self.issuer, self.cik = issuer, cik
        self.held = rng.randrange(1_000, 200_000)
        self.trust = rng.randrange(0, 3) * 10_000
        self.options = rng.randrange(50_000, 400_000)
        self.rsus = rng.randrange(2_000, 20_000)


def filing(owner: Owner, day: int, rng: random.Random) -> str:
    """One Form 4 of the owner on day `day` (from 2024-01-01), continuing its holdings."""
    import datetime as dt  # noqa: PLC0415

    date = (dt.date(2024, 1, 1) + dt.timedelta(days=day)).isoformat()
    signed = (dt.date(2024, 1, 1) + dt.timedelta(days=day + 2)).isoformat()
    one, two = [], []
    shape = rng.choice(("exercise-and-sell", "rsu-and-withhold", "buy-and-give"))

    def row(code: str, shares: int, price: str, ad: str, di: str = "D", note: str = "") -> None:
        if di == "D":
            owner.held += shares if ad == "A" else -shares
            following = owner.held
        else:
            owner.trust += shares if ad == "A" else -shares
            following = owner.trust
        nature = "<natureOfOwnership><value>By Trust</value></natureOfOwnership>" if di == "I" else ""
        one.append(_ROW.format(date=date, code=code, shares=shares, price=price, ad=ad, following=following,
                               di=di, nature=nature, note=note))

    if shape == "exercise-and-sell" and owner.options >= 1_000:
        exercised = rng.randrange(1_000, min(owner.options, 100_000) + 1)
        owner.options -= exercised
        row("M", exercised, "14.99", "A")
        two.append(_OPTION.format(title="Non-Qualified Stock Option (right to buy)", strike="14.99", date=date,
                                  shares=exercised, expires="<value>2031-06-18</value>", following=owner.options))
        left = exercised
        while left:  # sold in lots, as a 10b5-1 plan reports them
            lot = min(left, rng.randrange(100, 12_000))
            left -= lot
            row("S", lot, f"{rng.uniform(380, 430):.3f}", "D", note='<footnoteId id="F1"/>')
    elif shape == "rsu-and-withhold" and owner.rsus >= 10:
        settled = rng.randrange(1, owner.rsus // 2 + 1)
        owner.rsus -= settled
        row("M", settled, "0", "A")
        two.append(_OPTION.format(title="Restricted Stock Units", strike="0", date=date, shares=settled,
                                  expires="<footnoteId id=\"F9\"/>", following=owner.rsus))
        row("F", max(1, settled * 2 // 5), "146.56", "D")
    else:
        row("P", rng.randrange(100, 5_000), "20.00", "A")
        if owner.trust:
            row("G", rng.randrange(1, owner.trust // 4 + 2), "0", "D", di="I")
        if owner.held > 10:
            row("G", rng.randrange(1, owner.held // 10 + 1), "0", "D")
    return _DOC.format(date=date, signed=signed, issuer=owner.issuer, owner=owner.cik, one="".join(one),
                       two="".join(two))


def generate(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    owners = [Owner(1_000 + i % 50, 900_000 + i, rng) for i in range(max(1, count // 5))]
    for n in range(count):
        owner = owners[n % len(owners)]
        (folder / f"form4-{n:05d}.xml").write_text(filing(owner, n // len(owners) * 7, rng), encoding="utf-8")


def timed(label: str, seconds: float, count: int) -> tuple[str, float, float]:
    return label, seconds, count / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    a = parser.parse_args(argv)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="ledger-filings-bench-"))
    folder = work / "filings"
    shutil.rmtree(work / "filings", ignore_errors=True)
    folder.mkdir(parents=True)
    generate(folder, a.filings)
    files = sorted(folder.iterdir())
    size = sum(f.stat().st_size for f in files)

    from defusedxml.ElementTree import fromstring  # noqa: PLC0415

    from ledger.intake.extract.recognise import extract_document  # noqa: PLC0415
    from ledger.intake.filings import batch, draft_filings  # noqa: PLC0415

    rows = []
    t0 = time.perf_counter()
    for f in files:
        fromstring(f.read_bytes())
    rows.append(timed("parse the XML only (floor)", time.perf_counter() - t0, len(files)))

    t0 = time.perf_counter()
    for f in files:
        extract_document(f.read_text(encoding="utf-8"), f.name)
    rows.append(timed("extract: recognise, read, draft events", time.perf_counter() - t0, len(files)))

    t0 = time.perf_counter()
    loaded = batch(draft_filings([str(folder)]))
    rows.append(timed("extract + put together + validate (in-process)", time.perf_counter() - t0, len(files)))

    # The same events as event files, imported as any: the import without extraction.
    drafted = work / "drafted"
    shutil.rmtree(drafted, ignore_errors=True)
    drafted.mkdir()
    _write_event_files(loaded, drafted)
    exe = Path(sys.executable).parent / "ledger"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "ledger"]
    db_events, db_filings = work / "events.db", work / "filings.db"
    for db in (db_events, db_filings):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    subprocess.run([*base, "--db", str(db_events), "import", str(drafted)], check=True, stdout=subprocess.DEVNULL)
    events_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([*base, "--db", str(db_filings), "import", "--filings", str(folder)], check=True,
                   stdout=subprocess.DEVNULL)
    filings_s = time.perf_counter() - t0
    rows.append(timed("ledger import of the drafted event files (baseline)", events_s, len(files)))
    rows.append(timed("ledger import --filings (the whole command)", filings_s, len(files)))

    mismatches = _mismatches(base, db_filings)
    print(f"{len(files):,} Form 4 filings, {size / 1e6:.1f} MB, {len(loaded):,} events; in {work}")
    width = max(len(r[0]) for r in rows)
    print(f"{'stage':<{width}}  {'seconds':>8}  {'filings/s':>10}  ratio to the parse floor")
    floor = rows[0][2]
    for label, seconds, rate in rows:
        print(f"{label:<{width}}  {seconds:8.2f}  {rate:10,.0f}  {floor / rate:6.1f}x")
    print(f"import --filings / import of the same events as files: {filings_s / events_s:.2f}x the time")
    print(f"reconcile: {mismatches} owned-following figures disagree with the derived holdings (must be 0)")
    return 0 if mismatches == 0 else 1


def _write_event_files(loaded, folder: Path) -> None:
    """One JSON Lines file per issuer, the events as the import took them."""
    import json  # noqa: PLC0415

    by_issuer: dict[str, list[str]] = {}
    for item in loaded:
        by_issuer.setdefault(item.event.issuer, []).append(json.dumps(item.event.to_record()))
    for issuer, lines in by_issuer.items():
        (folder / f"{issuer}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _mismatches(base: list[str], db: Path) -> int:
    import json  # noqa: PLC0415

    out = subprocess.run([*base, "--db", str(db), "readmodels"], capture_output=True, text=True)
    issuers = subprocess.run([sys.executable, "-c", (
        "import sys; from ledger.log.store import Store\n"
        f"with Store({str(db)!r}) as s: print('\\n'.join(s.issuers()))")], capture_output=True, text=True,
        cwd=ROOT).stdout.split()
    bad = 0
    for issuer in issuers:
        r = subprocess.run([*base, "--db", str(db), "reconcile", "--issuer", issuer, "--format", "json"],
                           capture_output=True, text=True, check=True)
        bad += sum(1 for row in json.loads(r.stdout)["rows"] if row["kind"] == "holding" and row["status"] != "ok")
    del out
    return bad


if __name__ == "__main__":
    sys.exit(main())
