"""Checks of a written report page, shared by the unit tests (parsed HTML) and the
browser tests (what Chromium rendered): figures present and decodable, nothing loaded from
outside the page, every number of summary.json on the page."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_PREFIX = "data:image/png;base64,"


class PageParts(HTMLParser):
    """Text, image sources and every URL-bearing attribute of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.images, self.urls, self.scripts = [], [], [], 0
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        for name in ("src", "href", "srcset", "poster", "data"):
            if attrs.get(name) and not (tag == "a" and attrs[name].startswith("#")):
                self.urls.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def decode_png(src: str) -> bytes:
    """The PNG bytes of a data URI (AssertionError if it is anything else)."""
    assert src.startswith(DATA_PREFIX), f"not an inline PNG: {src[:60]!r}"
    png = base64.b64decode(src[len(DATA_PREFIX):], validate=True)
    assert png.startswith(PNG_MAGIC), "not a PNG"
    return png


def leaf_numbers(value) -> list:
    """Every number (not bool) in a JSON structure, written independently of emunmix."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        return [value]
    items = value.values() if isinstance(value, dict) else value
    return [n for v in items for n in leaf_numbers(v)]


def missing_numbers(summary: dict, text: str) -> list:
    """Numbers of ``summary`` whose JSON text is not a whole token of the page ``text``."""
    tokens = set(re.findall(r"-?[0-9][0-9.e+\-]*", text))
    import json

    return [n for n in leaf_numbers(summary) if json.dumps(n) not in tokens]


def figure_titles(summary: dict) -> list:
    """Titles of all figures the summary lists (datasets' and steps')."""
    return list(summary["figures"]) + [t for st in summary["steps"] for t in st["figures"]]
