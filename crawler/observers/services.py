"""办事服务: the service entries, the links to 政务服务 platforms (and where they lead), service
guides and their ten key elements, the forms they offer, and 办事统计.

Keyword tables: crawler/data/services.yaml. Which platform is the right one for a province is not
decided here: the links are recorded with their check results, and the rules (profile data) judge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler._html import parse_html
from crawler.observers import PageContext, PageObserver
from crawler.observers._common import PerRun, anchors, data, guarded, has_any, is_file, key, on_site, visible_text


@dataclass
class _Site:
    entries: set[str] = field(default_factory=set)
    portals: set[str] = field(default_factory=set)
    guides: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    stats: set[str] = field(default_factory=set)
    service_pages: int = 0


def element_patterns(elements: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    """An element label standing as a label: at the start of a line (cell, heading, paragraph) or of
    a sentence, maybe numbered, followed by a colon or by the end of the line. "办理依据、申请材料…详见
    本页" names labels without giving them: not present."""
    number = r"(?:[（(]?[一二三四五六七八九十\d]{1,3}[、.．)）]\s*)?"
    start, end = r"(?:^|\n|[。；;])\s*" + number, r"\s*(?:[:：]|\n|$)"
    return {name: re.compile(start + "(?:" + "|".join(map(re.escape, labels)) + ")" + end)
            for name, labels in elements.items()}


def guide_elements(html: str) -> tuple[list[str], list[str]]:
    """(present, missing) key elements of a service guide page."""
    text = visible_text(parse_html(html), without_chrome=True)  # a footer's "联系电话：" is not the guide's
    present, missing = [], []
    for name, pattern in element_patterns(data("services")["elements"]).items():
        (present if pattern.search(text) else missing).append(name)
    return present, missing


class ServicesObserver(PageObserver):
    name = "services"

    def __init__(self) -> None:
        self.cfg = data("services")
        self.limits = self.cfg["limits"]
        self.sites: PerRun[_Site] = PerRun(_Site)

    def _short(self, text: str) -> bool:
        return bool(text) and len(text) <= int(self.cfg["max_link_text"])

    def _is_portal(self, text: str, url: str) -> bool:
        host = urlsplit(url).netloc.lower()
        return (self._short(text) and has_any(text, self.cfg["portal_keywords"])) or has_any(
            host, self.cfg["portal_host_words"])

    def _links(self, page: PageContext, *, service_page: bool) -> Iterator[Any]:
        site = self.sites.of(page)
        items = {e.url for e in page.extract.items} if page.extract else set()
        column_name = page.column.name if page.column else ""
        for a in anchors(page.doc, page.url):
            if not a.href or a.href in items:
                continue
            local = on_site(a.href, page.url, page.state.scope)
            if not service_page and self._short(a.text) and has_any(a.text, self.cfg["entry_keywords"]) and (
                    key(a.href) not in site.entries):
                site.entries.add(key(a.href))
                kind = "hall" if has_any(a.text, self.cfg["hall_keywords"]) else (
                    "column" if key(a.href) in page.state.columns else "link")
                yield page.observe("service_entry", {"name": a.text, "kind": kind}, url=a.href)
            if not local and self._is_portal(a.text, a.href):  # the site's own 办事大厅 page is an entry
                if key(a.href) not in site.portals and len(site.portals) < int(self.limits["portal_links"]):
                    site.portals.add(key(a.href))
                    if page.may_follow():
                        yield page.follow(self, a.href, "on_portal", name=a.text, href=a.href)
                continue
            if not local:
                continue
            if self._short(a.text) and has_any(a.text, self.cfg["stats_keywords"]) and key(a.href) not in site.stats:
                if len(site.stats) < int(self.limits["stats_pages"]) and page.may_follow():
                    site.stats.add(key(a.href))
                    yield page.follow(self, a.href, "on_stats", name=a.text)
                continue
            if not service_page or a.chrome or key(a.href) in page.state.columns or len(a.text) < 4 or is_file(a.href):
                continue
            if has_any(a.text, self.cfg["guide_link_words"]) or "指南" in column_name:
                if key(a.href) not in site.guides and len(site.guides) < int(self.limits["guides"]):
                    if page.may_follow():
                        site.guides.add(key(a.href))
                        yield page.follow(self, a.href, "on_guide", link_text=a.text, column=column_name)

    @guarded
    def on_home(self, page: PageContext) -> Iterator[Any]:
        yield page.observe("observer", {"name": self.name})
        yield from self._links(page, service_page=False)

    @guarded
    def on_column(self, page: PageContext) -> Iterator[Any]:
        name = page.column.name if page.column else ""
        if page.category != "service" and not has_any(name, self.cfg["entry_keywords"]):
            return
        site = self.sites.of(page)
        if key(page.url) not in site.entries:
            site.entries.add(key(page.url))
            kind = "hall" if has_any(name, self.cfg["hall_keywords"]) else "column"
            yield page.observe("service_entry", {"name": name, "kind": kind, "blank": bool(
                page.extract and page.extract.blank)})
        if has_any(name, self.cfg["stats_keywords"]) and key(page.url) not in site.stats:
            site.stats.add(key(page.url))
            yield from self.on_stats(page, name)
        if site.service_pages >= int(self.limits["service_pages"]):
            return
        site.service_pages += 1
        yield from self._links(page, service_page=True)

    # -- followed pages --------------------------------------------------------------------------

    @guarded
    def on_portal(self, page: PageContext) -> Iterator[Any]:
        response = page.response
        final = response.url if response is not None else None
        yield page.observe("portal_link", {
            "name": page.meta.get("name"), "host": urlsplit(page.meta["href"]).netloc.lower(),
            "status": page.status, "final_url": final, "final_host": urlsplit(final).netloc.lower() if final else None,
            "error": page.error if page.status is None or page.status >= 400 else None,
            "title": page.extract.title if page.extract else None,
        }, url=page.meta["href"])

    @guarded
    def on_stats(self, page: PageContext, name: str | None = None) -> Iterator[Any]:
        ex = page.extract
        latest = None
        if ex is not None:
            latest = ex.page_date or ex.latest_date
        yield page.observe("service_stats", {
            "name": name or page.meta.get("name"), "status": page.status, "error": page.error,
            "latest_date": latest.isoformat() if latest else None,
        })

    @guarded
    def on_guide(self, page: PageContext) -> Iterator[Any]:
        site = self.sites.of(page)
        record: dict[str, Any] = {"link_text": page.meta.get("link_text"), "column": page.meta.get("column"),
                                  "status": page.status, "error": page.error}
        if page.text is None:
            yield page.observe("service_guide", {**record, "present": [], "missing": [], "list_like": False,
                                                 "guide_words": False, "title": page.meta.get("link_text")})
            return
        present, missing = guide_elements(page.text)
        ex = page.extract
        title = (ex.title if ex else "") or page.meta.get("link_text") or ""
        words = self.cfg["guide_title_words"]
        forms = []
        for a in anchors(page.doc, page.url):
            if not a.href or a.chrome:
                continue
            ext = urlsplit(a.href).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(a.href).path else ""
            if ext in self.cfg["form_extensions"] or (has_any(a.text, self.cfg["form_link_words"]) and ext):
                forms.append({"name": a.text, "href": a.href})
        yield page.observe("service_guide", {
            **record, "title": page.meta.get("link_text") or title, "page_title": title, "present": present,
            "missing": missing, "list_like": bool(ex and ex.kind == "list" and len(ex.items) >= 3),
            "guide_words": has_any(title, words) or has_any(page.meta.get("link_text") or "", words),
            "forms": forms,
        })
        for form in forms:
            if key(form["href"]) in site.forms or len(site.forms) >= int(self.limits["forms"]):
                continue
            site.forms.add(key(form["href"]))
            if page.may_follow():
                yield page.follow(self, form["href"], "on_form", name=form["name"], guide=page.url,
                                  href=form["href"])

    @guarded
    def on_form(self, page: PageContext) -> Iterator[Any]:
        response = page.response
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") if response is not None else None
        ok = page.status is not None and page.status < 400
        error = None if ok else (page.error or f"HTTP {page.status}")
        if ok and ctype and "html" in ctype.lower() and page.extract is not None and page.extract.kind != "article":
            error = None  # an HTML download page is accepted; a soft 404 is the link checker's business
        yield page.observe("form", {"name": page.meta.get("name"), "guide": page.meta.get("guide"),
                                    "status": page.status, "content_type": ctype, "ok": ok, "error": error,
                                    "size": len(response.body) if response is not None else None},
                           url=page.meta.get("href") or page.url)
