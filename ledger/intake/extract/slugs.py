"""Draft identifiers (slugs) from names as a filing writes them.

Party slugs keep legal-form words ("L.P." -> "lp", "L.L.C." -> "llc") so that
two entities that differ only in form stay apart, and two spellings of one
form ("L.L.C." / "LLC") meet. They are drafts: a person reviews them.
"""

from __future__ import annotations

import re
import unicodedata

# "L.P.", "L. L. C.", "U.S." -> "lp", "llc", "us" (before punctuation is dropped)
_DOTTED = re.compile(r"\b[a-z](?:\.\s?[a-z])+\b\.?")
_APOSTROPHES = re.compile(r"['\u2019`]")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

_LEGAL_FORMS = {
    "corporation", "corp", "inc", "incorporated", "co", "company", "ltd", "limited",
    "plc", "llc", "lp", "llp", "sa", "nv", "ag", "gmbh",
}
# Words of a class title that say nothing about which class it is.
_CLASS_NOISE = {
    "stock", "shares", "share", "convertible", "redeemable", "participating",
    "cumulative", "non-cumulative", "noncumulative", "of", "the", "capital",
}
_PAR_VALUE = re.compile(r"[,;(]?\s*(?:\$|par\s+value|no\s+par|without\s+par|per\s+share).*$", re.I | re.S)


def slugify(text: str) -> str:
    """Lower case, accents and punctuation dropped, words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    lowered = ascii_text.lower()
    lowered = _DOTTED.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", lowered)
    lowered = _APOSTROPHES.sub("", lowered)
    return _NON_SLUG.sub("-", lowered).strip("-")


def party_slug(name: str) -> str:
    """'Constellation Venture Capital II, L.P.' -> 'constellation-venture-capital-ii-lp'."""
    return slugify(name)


def issuer_slug(name: str) -> str:
    """'SAVVIS COMMUNICATIONS CORPORATION' -> 'savvis-communications' (legal form dropped)."""
    words = slugify(name).split("-")
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return "-".join(w for w in words if w)


def security_slug(title: str) -> str:
    """A class slug from its title.

    'Common Stock, par value $0.01 per share' -> 'common';
    'Series B Convertible Preferred Stock' -> 'series-b-preferred';
    'Class A Common Stock' -> 'class-a-common'.
    """
    core = _PAR_VALUE.sub("", collapse_title(title))
    words = [w for w in slugify(core).split("-") if w and w not in _CLASS_NOISE]
    return "-".join(words)


def warrant_slug(number: str) -> str:
    """'26' -> 'w-26'."""
    return f"w-{slugify(number)}"


def collapse_title(title: str) -> str:
    return " ".join(title.split())
