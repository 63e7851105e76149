"""An HTML filing as the text lines the text reader knows: block elements end a line, each
table row becomes one line with its cells apart, entities are decoded. The standard
library's HTMLParser is enough: no script runs, no entity expands beyond HTML's own."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "center", "pre",
          "title", "dd", "dt", "blockquote"}
_CELL = {"td", "th"}
_SKIP = {"script", "style", "head"}


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.in_pre = False

    def _end_line(self) -> None:
        text = "".join(self.current)
        self.lines.append(text.rstrip() if self.in_pre else " ".join(text.split()))
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _CELL:
            self.current.append("    ")  # cells apart, as a printed table's columns
        elif tag in _BLOCK:
            self._end_line()
            if tag == "pre":
                self.in_pre = True
            if tag == "hr":
                self.lines.append("-" * 20)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self._end_line()
            if tag == "pre":
                self.in_pre = False

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.in_pre:
            parts = data.split("\n")
            for part in parts[:-1]:
                self.current.append(part)
                self._end_line()
            self.current.append(parts[-1])
        else:
            self.current.append(data.replace("\xa0", " "))


def html_to_text(html: str) -> str:
    parser = _Lines()
    parser.feed(html)
    parser.close()
    parser._end_line()
    # Paragraph breaks are not blank lines: a printed cover page puts a value right above its
    # caption, and the text reader looks for it there.
    return "\n".join(line for line in parser.lines if line.strip()) + "\n"


def looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \r\n\t")[:1000].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or "<html" in head[:300] or (
        "<body" in text[:5000].lower() and "</" in text[:5000])
