"""Reading an HTML error page (a proxy's 502, a login page) as text: its headline and its words."""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["PageText", "looks_like_html", "page_text"]

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BREAKS = frozenset({"p", "div", "br", "hr", "li", "tr", "center", "pre", "section", "article", "header", "footer", "title", *_HEADINGS})
_UNSEEN = frozenset({"script", "style", "template", "noscript"})


class PageText(HTMLParser):
    """Collects a page's title, first heading and visible text (script and style left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.heading = ""
        self._lines: list[list[str]] = [[]]
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self._lines.append([])
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass
        if tag in _BREAKS:
            self._lines.append([])

    def handle_data(self, data: str) -> None:
        if any(tag in _UNSEEN for tag in self._open):
            return
        words = " ".join(data.split())
        if not words:
            return
        inside = self._open[-1] if self._open else ""
        if inside == "title" and not self.title:
            self.title = words
        elif inside in _HEADINGS and not self.heading:
            self.heading = words
        self._lines[-1].append(words)

    @property
    def text(self) -> str:
        """The visible text, one line per block."""
        return "\n".join(" ".join(line) for line in self._lines if line)

    @property
    def headline(self) -> str:
        """The page's title, else its first heading, else its first line of text."""
        return self.title or self.heading or next((" ".join(line) for line in self._lines if line), "")


def looks_like_html(content_type: str, text: str) -> bool:
    """Whether a body is an HTML page, from its content type or its first characters."""
    media = content_type.split(";", 1)[0].strip().lower()
    start = text.lstrip()[:15].lower()
    return media in ("text/html", "application/xhtml+xml") or start.startswith(("<!doctype html", "<html"))


def page_text(html: str) -> PageText:
    """Parse ``html`` (as much of it as there is) into a :class:`PageText`."""
    page = PageText()
    page.feed(html)
    page.close()
    return page
