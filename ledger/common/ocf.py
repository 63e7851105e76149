"""What the OCF export and import agree on: file names, the `ledger:` comment, units, ids."""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any

from events.identity import NAMESPACE

OCF_VERSION = "1.2.0"
# The ledger records amounts without a currency; its sources (SEC filings) are in US dollars.
CURRENCY = "USD"
MANIFEST = "Manifest.ocf.json"

# manifest key -> (file name, file_type, object kinds the file holds)
FILES = {
    "stakeholders_files": ("Stakeholders.ocf.json", "OCF_STAKEHOLDERS_FILE"),
    "stock_classes_files": ("StockClasses.ocf.json", "OCF_STOCK_CLASSES_FILE"),
    "vesting_terms_files": ("VestingTerms.ocf.json", "OCF_VESTING_TERMS_FILE"),
    "transactions_files": ("Transactions.ocf.json", "OCF_TRANSACTIONS_FILE"),
    "documents_files": ("Documents.ocf.json", "OCF_DOCUMENTS_FILE"),
    "stock_plans_files": ("StockPlans.ocf.json", "OCF_STOCK_PLANS_FILE"),
    "stock_legend_templates_files": ("StockLegends.ocf.json", "OCF_STOCK_LEGEND_TEMPLATES_FILE"),
    "valuations_files": ("Valuations.ocf.json", "OCF_VALUATIONS_FILE"),
    "financings_files": ("Financings.ocf.json", "OCF_FINANCINGS_FILE"),
}
FILE_KEYS = {file_type: key for key, (_, file_type) in FILES.items()}

# One comment per object may carry, as JSON after this prefix, what OCF has no field for
# (the ledger's slug, kind, conditions, ...). Other systems see a readable comment.
META = "ledger:"
# A DOCUMENT's uri holding one ledger event (as exported JSON), embedded.
EVENT_MEDIA = "application/vnd.issuance-ledger.event+json"


def meta_comment(data: dict[str, Any]) -> str:
    return META + json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def read_meta(obj: dict[str, Any]) -> dict[str, Any]:
    """The `ledger:` comment of an object, or {} (foreign packages have none)."""
    for comment in obj.get("comments") or []:
        if isinstance(comment, str) and comment.startswith(META):
            try:
                data = json.loads(comment[len(META):])
            except json.JSONDecodeError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def derived_id(*parts: str) -> str:
    """A deterministic identifier for an OCF object that no single ledger event names."""
    return str(uuid.uuid5(NAMESPACE, "ocf:" + "/".join(parts)))


def numeric(value: int | Decimal | Fraction | str) -> str:
    """OCF Numeric: a fixed-point string, at most 10 decimals; a decimal keeps its own places ("250000.00")."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    d = Decimal(str(value))
    if -10 <= d.as_tuple().exponent <= 0:
        return format(d, "f")
    if d == d.to_integral_value():
        return format(d.quantize(Decimal(1)), "f")
    return format(d.quantize(Decimal("1e-10")).normalize(), "f")


def money(value: Decimal | Fraction | str | int) -> dict[str, str]:
    """OCF Monetary in USD; an exact fraction (a price after a split) shows at least cents."""
    text = numeric(value)
    if isinstance(value, Fraction) and len(text.partition(".")[2]) < 2:
        text = format(Decimal(text).quantize(Decimal("0.01")), "f")
    return {"amount": text, "currency": CURRENCY}


def slugify(text: str, fallback: str = "x") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or fallback


US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
}
COUNTRIES = {
    "united states": "US", "usa": "US", "switzerland": "CH", "cayman islands": "KY", "bermuda": "BM",
    "british virgin islands": "VG", "united kingdom": "GB", "england": "GB", "canada": "CA", "germany": "DE",
    "france": "FR", "luxembourg": "LU", "netherlands": "NL", "ireland": "IE", "japan": "JP",
}
# ISO 3166 reserves ZZ for user assignment; used for "not stated", because OCF requires a country.
UNKNOWN_COUNTRY = "ZZ"


def jurisdiction_codes(jurisdiction: str | None) -> tuple[str | None, str | None]:
    """(country, subdivision) for a jurisdiction as the ledger spells it, or (None, None)."""
    if not jurisdiction:
        return None, None
    key = jurisdiction.strip().lower()
    if key in US_STATES:
        return "US", US_STATES[key]
    return COUNTRIES.get(key), None
