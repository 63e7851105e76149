"""XML documents read with the standard library's parser, guarded by defusedxml.

A filing is hostile input: defusedxml refuses entity expansion, external
entities and DTD tricks that the plain parser would follow. Namespaces are
dropped from tag names so that readers name elements as the forms print them.
"""

from __future__ import annotations

import codecs
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class XmlRefused(ValueError):
    """The text is not a well-formed, safe XML document."""


_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']")


def decode_filing(raw: bytes) -> str:
    """A filing's text: in the encoding an XML declaration names (ISO-8859-1, windows-1252 ...),
    else UTF-8; a byte that is not of the encoding becomes U+FFFD rather than refusing the file."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    match = _ENCODING.match(raw[:200])
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    return raw.decode(encoding, errors="replace")


def parse_xml(text: str) -> Element:
    """The document's root with namespace-free tags, or XmlRefused naming why."""
    # The text is decoded already (decode_filing): its declaration's encoding no longer applies.
    text = _DECLARATION.sub("", text.lstrip("\ufeff").strip(), count=1)
    try:
        root = fromstring(text.encode("utf-8"))
    except DefusedXmlException as exc:
        raise XmlRefused(f"unsafe XML refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise XmlRefused(f"malformed XML ({exc})") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def text_of(element: Element | None, path: str = "") -> str | None:
    """The stripped text at `path` under `element` (whitespace collapsed), None when absent or empty."""
    if element is None:
        return None
    found = element.find(path) if path else element
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None
