"""信息内容 (W-V1 and the notice's 信息审核): the words of every page read, the personal data they and
their attachments carry, dark links, cloaking and the home page's fingerprint for defacement.

Pages scanned: the home page (whole text: navigation and footer are read once per site, here), every
column page and a few articles per column (their bodies, without the chrome), and their PDF, DOCX
and XLSX attachments (text, bounded). The home page is fetched a second time as Baiduspider to see
what a search engine is shown. Records written (the rules read them by kind):

- "content_hit": a dictionary hit {kind, grade, wrong, correct, offset, sentence, source, role, ...};
- "personal_data": {kind: id|mobile|card, grade, masked, offset, sentence, attachment};
- "dark_link": an off-site link hidden from readers {href, text, how, snippet, words, category};
- "cloaking": off-site links or words only the spider is shown {links, words};
- "home_fingerprint": hashes of the home page's lasting lines (dated list lines left out);
- "attachment_read": an attachment's text read, or why not.

Limits and words are data: crawler/data/content/*.yaml (an office adds its own through the
GOVWATCH_CONTENT_DICTIONARIES setting or environment variable).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.columns import parse_html
from crawler.items import Observed
from crawler.observers import PageContext, PageObserver
from crawler.observers._common import PerRun, guarded, key, on_site, visible_text
from crawler.observers.darklinks import hidden_links, is_off_site, off_site_links
from crawler.observers.personal import attachment_text, find_personal
from crawler.observers.words import DICTIONARIES_ENV, Scanner, extra_paths, scanner

if TYPE_CHECKING:
    from crawler.render import RenderedPage

# Dotted paths of the content observers a crawl runs besides DEFAULT_OBSERVERS (setting
# GOVWATCH_CONTENT_OBSERVERS; [] turns the content scan off).
CONTENT_OBSERVERS: list[str] = ["crawler.observers.content.ContentObserver"]
DATE_RE = re.compile(r"\d{4}[-/.年]\d{1,2}|\d{1,2}[-/月]\d{1,2}日?")


@dataclass
class _Site:
    articles: int = 0
    attachments: int = 0
    seen: set[str] = field(default_factory=set)
    home_links: dict[str, str] = field(default_factory=dict)
    home_words: set[str] = field(default_factory=set)
    home_dark: set[str] = field(default_factory=set)  # dark links of the home page already recorded


def fingerprint(text: str, min_line: int) -> list[str]:
    """Short hashes of the lines that should stay from day to day: not dated, not short list lines."""
    lines = {line for line in text.split("\n") if len(line) >= min_line and not DATE_RE.search(line)}
    return sorted(hashlib.sha1(line.encode()).hexdigest()[:12] for line in lines)


class ContentObserver(PageObserver):
    name = "content"

    def __init__(self) -> None:
        self.sites: PerRun[_Site] = PerRun(_Site)

    def _scanner(self, page: PageContext) -> Scanner:
        setting = None
        settings = getattr(page.spider, "settings", None)
        if settings is not None:
            setting = settings.get(DICTIONARIES_ENV)
        return scanner(extra_paths(setting))

    def _limits(self, page: PageContext) -> dict[str, Any]:
        return self._scanner(page).dicts.settings

    # -- hooks ------------------------------------------------------------------------------

    @guarded
    def on_home(self, page: PageContext) -> Iterator[Any]:
        yield page.observe("observer", {"name": self.name})
        if page.text is None:
            return
        site = self.sites.of(page)
        site.seen.add(key(page.url))
        limits = self._limits(page)
        text = visible_text(page.doc)
        site.home_words = set()
        for item in self._scan(page, text, "home", "page"):
            if item.kind == "content_hit" and item.data["kind"] == "sensitive":
                site.home_words.add(item.data["wrong"])  # what the Baiduspider view is compared with
            yield item
        yield page.observe("home_fingerprint", {"lines": fingerprint(text, int(limits.get("fingerprint_min_line", 6))),
                                                "chars": len(text)})
        trusted = list(limits.get("trusted_host_suffixes", []))
        site.home_links = off_site_links(page.doc, page.url, trusted)
        yield from self._dark_links(page, "home")
        yield from self._follow_from(page)
        if page.may_follow():
            yield page.follow(self, page.url, "on_spider_view", headers={"User-Agent": limits["spider_user_agent"]})

    @guarded
    def on_column(self, page: PageContext) -> Iterator[Any]:
        if page.text is None:
            return
        self.sites.of(page).seen.add(key(page.url))
        yield from self._scan(page, visible_text(page.doc, without_chrome=True), "column", "body")
        yield from self._dark_links(page, "column")
        yield from self._follow_from(page)

    @guarded
    def on_article(self, page: PageContext) -> Iterator[Any]:
        if page.text is None:
            return
        yield from self._scan(page, visible_text(page.doc, without_chrome=True), "article", "body")
        yield from self._dark_links(page, "article")
        yield from self._attachments(page)

    @guarded
    def on_attachment(self, page: PageContext) -> Iterator[Any]:
        limits = self._limits(page)
        response = page.response
        if response is None or page.status is None or page.status >= 400 or page.error:
            yield page.observe("attachment_read", {"read": False, "error": page.error or f"HTTP {page.status}"},
                               url=page.url)
            return
        body = response.body
        if len(body) >= int(limits["attachment_max_bytes"]):
            yield page.observe("attachment_read", {"read": False, "error": f"附件超过{len(body)}字节，未读取"},
                               url=page.url)
            return
        yield page.in_thread(self, "on_attachment_text", attachment_text, body, page.meta["suffix"],
                             int(limits["attachment_max_pages"]), float(limits["attachment_max_seconds"]),
                             url=page.url, linked_from=page.meta.get("linked_from"))

    @guarded
    def on_attachment_text(self, page: PageContext, result: Any) -> Iterator[Any]:
        url, found_on = page.meta["url"], page.meta.get("linked_from")
        if isinstance(result, Exception):
            error = f"{result.__class__.__name__}: {result}"[:300]
            yield page.observe("attachment_read", {"read": False, "error": error, "found_on": found_on}, url=url)
            return
        yield page.observe("attachment_read", {"read": True, "chars": len(result.text), "note": result.note,
                                               "found_on": found_on}, url=url)
        for item in self._scan(page, result.text, "attachment", "attachment", url=url):
            item.found_on = found_on
            yield item

    @guarded
    def on_spider_view(self, page: PageContext) -> Iterator[Any]:
        """The home page as Baiduspider sees it, against what the browser-like fetch saw."""
        if page.text is None or page.extract is None:
            return
        site = self.sites.of(page)
        limits = self._limits(page)
        trusted = list(limits.get("trusted_host_suffixes", []))
        spider_links = off_site_links(page.doc, page.url, trusted)
        extra = {h: t for h, t in spider_links.items() if h not in site.home_links}
        text = visible_text(page.doc)
        scan = self._scanner(page)
        words = {h.wrong for h in scan.scan(text) if h.kind == "sensitive"} - site.home_words
        flagged = []
        for href, label in extra.items():
            hits = [h for h in scan.scan(f"{label} {href}", links_only=True) if h.kind == "sensitive"]
            flagged.append({"href": href, "text": label, "words": sorted({h.wrong for h in hits}),
                            "category": hits[0].category if hits else None})
        if flagged or words:
            yield page.observe("cloaking", {"user_agent": limits["spider_user_agent"], "links": flagged[:50],
                                            "words": sorted(words), "status": page.status})

    # -- work -------------------------------------------------------------------------------

    def _scan(self, page: PageContext, text: str, role: str, where: str, url: str | None = None) -> Iterator[Any]:
        scan = self._scanner(page)
        page_date = page.extract.page_date.isoformat() if page.extract and page.extract.page_date else None
        for hit in scan.scan(text):
            yield page.observe("content_hit", {**hit.as_dict(), "role": role, "where": where, "page_date": page_date},
                               url=url)
        for found in find_personal(text):
            yield page.observe("personal_data", {**found.as_dict(), "role": role, "attachment": role == "attachment"},
                               url=url)

    def _dark_links(self, page: PageContext, role: str) -> Iterator[Any]:
        trusted = list(self._limits(page).get("trusted_host_suffixes", []))
        site = self.sites.of(page)
        for link in hidden_links(page.doc, page.url, trusted):
            if role == "home":
                site.home_dark.add(link.href)
            yield self._dark_link(page, link.as_dict(), role)

    def _dark_link(self, page: PageContext, link: dict[str, Any], role: str) -> Observed:
        hits = [h for h in self._scanner(page).scan(f"{link['text']} {link['href']} {link['snippet']}",
                                                    links_only=True) if h.kind == "sensitive"]
        return page.observe("dark_link", {**link, "role": role, "words": sorted({h.wrong for h in hits}),
                                          "category": hits[0].category if hits else None})

    def crop_words(self, page: PageContext, html: str) -> list[str]:
        """The words of the content hits in what the browser shows (home: its whole text, a column: its
        body, as on_home and on_column scan them); never personal data (a crop would show it unmasked)."""
        text = visible_text(parse_html(html), without_chrome=page.role != "home")
        return list(dict.fromkeys(hit.wrong for hit in self._scanner(page).scan(text)))

    @guarded
    def on_rendered(self, page: PageContext, rendered: RenderedPage) -> Iterator[Any]:
        """Links the browser's computed styles hide (an external stylesheet, a script) that the fetched
        HTML did not show hidden: recorded as dark links of the home page, saying how they were seen."""
        site = self.sites.of(page)
        trusted = list(self._limits(page).get("trusted_host_suffixes", []))
        site_host = urlsplit(page.url).netloc.lower()
        for link in rendered.hidden_links or []:
            host = urlsplit(link["href"]).netloc.lower()
            if link["href"] in site.home_dark or not is_off_site(host, site_host, trusted):
                continue
            site.home_dark.add(link["href"])
            how = [f"{way}（浏览器计算样式）" for way in link.get("how", [])]
            yield self._dark_link(page, {**link, "how": how}, "home")

    def _follow_from(self, page: PageContext) -> Iterator[Any]:
        """A few articles of a list page, and the page's own attachments."""
        site = self.sites.of(page)
        limits = self._limits(page)
        per_column, cap = int(limits["articles_per_column"]), int(limits["max_articles"])
        followed = 0
        for entry in page.extract.items if page.extract else []:
            if followed >= per_column or site.articles >= cap or not page.may_follow():
                break
            k = key(entry.url)
            if k in site.seen or not on_site(entry.url, page.url, page.state.scope) or self._suffix(entry.url, limits):
                continue
            site.seen.add(k)
            site.articles += 1
            followed += 1
            yield page.follow(self, entry.url, "on_article")
        yield from self._attachments(page)

    @staticmethod
    def _suffix(url: str, limits: dict[str, Any]) -> str | None:
        path = urlsplit(url).path.lower()
        return next((s for s in limits.get("attachment_suffixes", []) if path.endswith(s)), None)

    def _attachments(self, page: PageContext) -> Iterator[Any]:
        site = self.sites.of(page)
        limits = self._limits(page)
        for url in page.extract.links if page.extract else []:
            suffix = self._suffix(url, limits)
            if suffix is None or site.attachments >= int(limits["max_attachments"]) or not page.may_follow():
                continue
            k = key(url)
            if k in site.seen:
                continue
            site.seen.add(k)
            site.attachments += 1
            request = page.follow(self, url, "on_attachment", suffix=suffix, linked_from=page.url, raw=True)
            request.meta["download_maxsize"] = int(limits["attachment_max_bytes"])
            yield request
