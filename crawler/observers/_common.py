"""What the observers share: their keyword tables (crawler/data/*.yaml), the links of a page as
an inspector reads them, and per-site state."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import lxml.html
import yaml

from crawler._html import ChromeIndex, Resolver, base_url, iter_text, norm
from crawler.columns import ARTICLE_URL, FILE_URL, normalize_url, same_site

if TYPE_CHECKING:
    from crawler.observers import PageContext

T = TypeVar("T")
log = logging.getLogger("govwatch.observers")


@cache
def data(name: str) -> dict[str, Any]:
    """A keyword table, crawler/data/<name>.yaml."""
    return yaml.safe_load(resources.files("crawler").joinpath(f"data/{name}.yaml").read_text("utf-8"))


def has_any(text: str | None, words: Iterable[str]) -> bool:
    return bool(text) and any(w in text for w in words)  # type: ignore[operator]


def types_of(text: str, table: dict[str, dict[str, Any]]) -> list[str]:
    """The types of a name by a table {type: {keywords, exclude}} (every type that matches)."""
    found = []
    for kind, spec in table.items():
        if has_any(text, spec.get("keywords", [])) and not has_any(text, spec.get("exclude", [])):
            found.append(kind)
    return found


@dataclass(slots=True)
class Anchor:
    el: lxml.html.HtmlElement
    text: str  # link text, else title, else image alt (whitespace removed)
    href: str | None  # absolute http(s) URL, None for script links
    raw: str  # the href as written
    chrome: bool  # inside navigation, header, footer, link farms

    @property
    def host(self) -> str:
        return urlsplit(self.href or "").netloc.lower()


def anchor_text(a: lxml.html.HtmlElement) -> str:
    text = re.sub(r"\s+", "", a.text_content() or "")
    if not text:
        text = re.sub(r"\s+", "", a.get("title") or "")
    if not text:
        alts = [x for x in a.xpath(".//img/@alt") if x.strip()]
        text = re.sub(r"\s+", "", alts[0]) if alts else ""
    return text


def anchors(root: lxml.html.HtmlElement, url: str) -> list[Anchor]:
    resolver = Resolver(base_url(root, url))
    chrome = ChromeIndex(root)
    out = []
    for a in root.iter("a"):
        raw = (a.get("href") or "").strip()
        out.append(Anchor(a, anchor_text(a), resolver(raw) if raw else None, raw, chrome.is_chrome(a)))
    return out


def visible_text(root: lxml.html.HtmlElement | None, *, without_chrome: bool = False) -> str:
    """The page's text with a newline at every block boundary (cells, rows, paragraphs); without the
    navigation, header and footer if asked."""
    if root is None:
        return ""
    skip = ChromeIndex(root).is_chrome if without_chrome else None
    lines = (norm(line) for line in "".join(iter_text(root, skip)).split("\n"))
    return "\n".join(line for line in lines if line)


def is_article(url: str) -> bool:
    return bool(ARTICLE_URL.search(url))


def is_file(url: str) -> bool:
    return bool(FILE_URL.search(urlsplit(url).path))


def on_site(url: str, page_url: str, scope: str) -> bool:
    return same_site(url, scope) or urlsplit(url).netloc == urlsplit(page_url).netloc


def key(url: str) -> str:
    return normalize_url(url)


def charset_of(html: str) -> str:
    """The charset a page declares (gb2312 and GBK are read as GB18030), UTF-8 by default."""
    match = re.search(r"charset\s*=\s*[\"']?([\w-]+)", html[:4096], re.I)
    name = match.group(1).lower() if match else "utf-8"
    return "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name


class PerRun(dict[int, T]):
    """Observer state per site crawl (an observer serves every site of a spider)."""

    def __init__(self, factory: Callable[[PageContext], T]) -> None:
        super().__init__()
        self.factory = factory

    def of(self, page: PageContext) -> T:
        run_id = page.state.run_id
        if run_id not in self:
            self[run_id] = self.factory()
        return self[run_id]


def first(items: Iterator[T] | Iterable[T]) -> T | None:
    for item in items:
        return item
    return None


def guarded(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A hook or handler whose exception is logged and recorded ("observer_error") instead of
    ending the spider's work on that page: one observer's bug must not cost the others theirs."""

    @functools.wraps(method)
    def wrapper(self: Any, page: PageContext, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from method(self, page, *args, **kwargs)
        except Exception as exc:
            log.exception("observer %s.%s failed on %s", self.name, method.__name__, page.url)
            yield page.observe("observer_error", {"observer": self.name, "hook": method.__name__,
                                                  "error": f"{exc.__class__.__name__}: {exc}"[:500]})

    return wrapper
