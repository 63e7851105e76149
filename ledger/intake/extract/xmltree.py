"""XML documents read with the standard library's parser, guarded by defusedxml.

A filing is hostile input: defusedxml refuses entity expansion, external
entities and DTD tricks that the plain parser would follow. Namespaces are
dropped from tag names so that readers name elements as the forms print them.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class XmlRefused(ValueError):
    """The text is not a well-formed, safe XML document."""


def parse_xml(text: str) -> Element:
    """The document's root with namespace-free tags, or XmlRefused naming why."""
    try:
        root = fromstring(text.lstrip("\ufeff").strip().encode("utf-8"))
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
