"""Bounds on the work one page can cost: whatever a site serves, reading it ends in bounded time.

A 10 MB single-line page (inline base64 images, a giant script) must neither keep the crawl busy for
minutes nor stall the other sites of the batch. Inline `data:` images are dropped before parsing
(nothing on the page is read from them), the rest is cut at `MAX_HTML_BYTES` on a tag boundary, and
the cut is said in words the evidence uses; pages above `THREAD_MIN_CHARS` are parsed off the
reactor thread (crawler/spiders/site.py).
"""

from __future__ import annotations

import re

__all__ = ["MAX_HTML_BYTES", "THREAD_MIN_CHARS", "bound_html", "mb"]

MAX_HTML_BYTES = 2 * 1024 * 1024  # of page text (UTF-8): far above any real list or home page
THREAD_MIN_CHARS = 256 * 1024  # pages above this are parsed in a thread
_DATA_URI_MIN = 2048  # inline data shorter than this is left alone (icons: harmless, cheap)

# One pass, linear: a literal prefix, then one character class run (base64 may be line-wrapped).
_DATA_URI_RE = re.compile(r"data:[\w.+/-]{0,100}(?:;[\w.+-]{1,40}(?:=[\w.+-]{1,40})?){0,4},"
                          r"[A-Za-z0-9+/=%\s]{" + str(_DATA_URI_MIN) + ",}")


def mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def bound_html(html: str, limit: int = MAX_HTML_BYTES) -> tuple[str, str | None]:
    """The page text to read: without large inline data, cut at `limit` bytes (UTF-8) before a
    '<'; and the note that says it was cut, or None when all of it is read."""
    if "data:" in html and len(html) > _DATA_URI_MIN:
        html = _DATA_URI_RE.sub("data:,", html)
    if len(html) * 4 <= limit:  # no character takes more than four bytes
        return html, None
    encoded = html.encode("utf-8", "surrogatepass")
    if len(encoded) <= limit:
        return html, None
    cut = encoded.rfind(b"<", 0, limit)
    if cut <= limit // 2:  # no tag in the second half: cut anywhere on a character boundary
        cut = limit
    text = encoded[:cut].decode("utf-8", "ignore")
    return text, f"页面内容约 {mb(len(encoded))}，只读取了前 {mb(cut)}"
