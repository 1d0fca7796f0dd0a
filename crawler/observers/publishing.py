"""发布解读 and 功能设计: policy documents and their 解读 (both ways), the site search (a search for a
title the home page shows), the footer's identity marks, the domain, IPv6, and the "我为政府网站找错"
entry. Keyword tables and patterns: crawler/data/publishing.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html

from crawler._html import norm
from crawler.observers import PageContext, PageObserver
from crawler.observers._common import (
    PerRun,
    anchor_text,
    anchors,
    charset_of,
    data,
    guarded,
    has_any,
    key,
    on_site,
    visible_text,
)
from crawler.observers.ipv6 import check_ipv6


@dataclass
class _Site:
    docs: set[str] = field(default_factory=set)
    home_items: list[Any] = field(default_factory=list)


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+|\[?[0-9a-fA-F:]+\]?", host))


def footer_block(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The page's footer: <footer>, or the last block whose class or id says so (foot, bottom ...)."""
    hints = data("publishing")["footer"]["block_hints"]
    found = None
    for el in root.iter("footer", "div", "table", "td", "p", "section"):
        hint = f"{el.get('class', '')} {el.get('id', '')}".lower()
        if el.tag == "footer" or any(h in hint for h in hints):
            found = el
    return found


def read_footer(root: lxml.html.HtmlElement, meta: dict[str, str]) -> dict[str, Any]:
    cfg = data("publishing")["footer"]
    block = footer_block(root)
    text = visible_text(block) if block is not None else ""
    whole = visible_text(root)
    tail = text or whole[-1500:]

    def find(pattern: str, *texts: str) -> str | None:
        for t in texts:
            m = re.search(pattern, t)
            if m:
                return re.sub(r"\s+", " ", m.group(1)).strip()
        return None

    mark, how = False, None
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ident = el.get("id") or ""
        if ident and any(i.lower() in ident.lower() for i in cfg["party_mark"]["ids"]):
            mark, how = True, f"#{ident}"
            break
        for attr in ("href", "src"):
            value = (el.get(attr) or "").lower()
            if value and any(h in urlsplit(value).netloc for h in cfg["party_mark"]["hosts"]):
                mark, how = True, value[:120]
                break
        if mark:
            break
        label = f"{el.get('alt') or ''} {el.get('title') or ''}"
        if el.tag in ("img", "a", "span") and has_any(label, cfg["party_mark"]["words"]):
            mark, how = True, label.strip()[:60]
            break
    return {
        "site_code": find(cfg["site_code"], tail, whole), "meta_site_code": meta.get("SiteIDCode"),
        "icp": find(cfg["icp"], tail, whole), "police": find(cfg["police"], tail, whole),
        "sponsor": find(cfg["sponsor"], tail), "party_mark": mark, "party_mark_how": how,
        "text": re.sub(r"\s+", " ", tail)[:300], "footer_found": block is not None,
    }


def search_form(root: lxml.html.HtmlElement, url: str) -> dict[str, Any] | None:
    """The site search form of a page: its action, method, fields, and the text field to fill."""
    cfg = data("publishing")["search"]
    for form in root.iter("form"):
        inputs = [i for i in form.iter("input")]
        texts = [i for i in inputs if (i.get("type") or "text").lower() in ("text", "search") and i.get("name")]
        if not texts:
            continue
        action = (form.get("action") or "").strip()
        buttons = " ".join(norm(b.get("value") or b.text_content() or "") for b in form.iter("input", "button")
                           if (b.get("type") or "").lower() in ("submit", "button", "image", ""))
        names = [i.get("name", "").lower() for i in texts]
        looks = has_any(action.lower(), cfg["action_words"]) or any(n in cfg["field_names"] for n in names) or (
            has_any(buttons, cfg["button_words"]))
        if not looks:
            continue
        field = next((i for i in texts if i.get("name", "").lower() in cfg["field_names"]), texts[0])
        hidden = [(i.get("name"), i.get("value") or "") for i in inputs
                  if (i.get("type") or "").lower() == "hidden" and i.get("name")]
        method = (form.get("method") or "get").lower()
        scripted = not action or action.lower().startswith("javascript:") or action == "#"
        return {"action": urljoin(url, action) if not scripted else action, "method": method,
                "param": field.get("name"), "hidden": hidden, "scripted": scripted,
                "onsubmit": bool(form.get("onsubmit"))}
    return None


class PublishingObserver(PageObserver):
    name = "publishing"

    def __init__(self) -> None:
        self.cfg = data("publishing")
        self.sites: PerRun[_Site] = PerRun(_Site)

    # -- the home page ---------------------------------------------------------------------------

    @guarded
    def on_home(self, page: PageContext) -> Iterator[Any]:
        yield page.observe("observer", {"name": self.name})
        meta = page.extract.meta if page.extract else {}
        yield page.observe("footer", read_footer(page.doc, meta))
        parts = urlsplit(page.url)
        host = parts.hostname or ""
        yield page.observe("domain", {"host": parts.netloc.lower(), "hostname": host, "scheme": parts.scheme,
                                      "port": parts.port, "ip_literal": _is_ip(host),
                                      "declared": meta.get("SiteDomain")})
        yield from self._error_report(page)
        yield from self._search(page)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if _is_ip(host) and ":" not in host:
            yield page.observe("ipv6", check_ipv6(host, port, parts.scheme))  # an IPv4 address: no DNS, no wait
        elif page.may_follow():
            yield page.in_thread(self, "on_ipv6", check_ipv6, host, port, parts.scheme, parts.path or "/",
                                 float(self.cfg["ipv6"]["timeout"]))

    @guarded
    def on_ipv6(self, page: PageContext, result: Any) -> Iterator[Any]:
        if isinstance(result, BaseException):
            result = {"host": urlsplit(page.url).hostname, "lookup": "error", "aaaa": [], "fetch": "not_testable",
                      "status": None, "reason": f"{result.__class__.__name__}: {result}"}
        yield page.observe("ipv6", result)

    def _error_report(self, page: PageContext) -> Iterator[Any]:
        cfg = self.cfg["error_report"]
        found = None
        for a in anchors(page.doc, page.url):
            if has_any(a.text, cfg["words"]) or (a.href and any(h in a.host for h in cfg["hosts"])):
                found = a
                break
        if found is None:
            yield page.observe("error_report", {"present": False})
            return
        query = dict(parse_qsl(urlsplit(found.href or "").query))
        yield page.observe("error_report", {"present": True, "href": found.href, "text": found.text,
                                            "host": found.host,
                                            "sitecode": query.get("sitecode") or query.get("siteCode")})

    def _search(self, page: PageContext) -> Iterator[Any]:
        form = search_form(page.doc, page.url)
        record: dict[str, Any] = {"form": form is not None}
        if form is None:
            yield page.observe("search", record)
            return
        record.update(action=form["action"], method=form["method"], param=form["param"])
        items = sorted((e for e in (page.extract.items if page.extract else []) if e.date and not e.pinned),
                       key=lambda e: (-e.date.toordinal(), e.position))
        if form["scripted"]:
            reason = "搜索框由脚本提交（表单没有可用的action）"
        elif form["method"] != "get":
            reason = "搜索表单以POST提交，未自动检验"
        elif not items:
            reason = "首页没有可供检索的已发布信息标题"
        else:
            reason = None
        if reason is not None:
            yield page.observe("search", {**record, "testable": False, "reason": reason})
            return
        item = items[0]
        query = item.title[: int(self.cfg["search"]["query_chars"])].strip()
        params = [*form["hidden"], (form["param"], query)]
        action = form["action"]
        sep = "&" if "?" in action else "?"
        target = action + sep + urlencode(params, encoding=charset_of(page.text or ""), errors="ignore")
        if not page.may_follow():
            yield page.observe("search", {**record, "testable": False, "reason": "检查时间已用完"})
            return
        yield page.follow(self, target, "on_search", record={**record, "testable": True, "query": query,
                                                             "query_url": target, "item_url": item.url,
                                                             "item_title": item.title})

    @guarded
    def on_search(self, page: PageContext) -> Iterator[Any]:
        record = dict(page.meta["record"])
        record["status"] = page.status
        if page.text is None:
            yield page.observe("search", {**record, "found": False, "results": 0, "error": page.error or "未能读取"},
                               url=page.meta["record"]["query_url"])
            return
        query, item_url = record["query"], record["item_url"]
        links = [a for a in anchors(page.doc, page.url) if a.href and not a.chrome and len(a.text) >= 4]
        limit = int(self.cfg["search"]["result_limit"])
        hits = [a for a in links[:limit] if key(a.href) == key(item_url) or query in a.text]
        yield page.observe("search", {**record, "found": bool(hits), "results": len(links),
                                      "hit": hits[0].href if hits else None}, url=record["query_url"])

    # -- policy documents and their 解读 ----------------------------------------------------------

    @guarded
    def on_column(self, page: PageContext) -> Iterator[Any]:
        if page.category != "policy" or page.extract is None:
            return
        name = page.column.name if page.column else ""
        words = self.cfg["interpretation_words"]
        if has_any(name, words):
            return
        site = self.sites.of(page)
        limits = self.cfg["policy"]
        docs = sorted((e for e in page.extract.items if e.date and not has_any(e.title, words)
                       and on_site(e.url, page.url, page.state.scope)),
                      key=lambda e: (-e.date.toordinal(), e.position))
        for entry in docs[: int(limits["per_column"])]:
            if key(entry.url) in site.docs or len(site.docs) >= int(limits["per_site"]) or not page.may_follow():
                continue
            site.docs.add(key(entry.url))
            yield page.follow(self, entry.url, "on_policy_doc", title=entry.title, column=name)

    @guarded
    def on_policy_doc(self, page: PageContext) -> Iterator[Any]:
        record = {"title": page.meta["title"], "column": page.meta["column"], "status": page.status}
        doc_url = page.url
        if page.text is None:
            yield page.observe("policy_doc", {**record, "error": page.error, "interpretation": None})
            return
        words = self.cfg["interpretation_words"]
        link = None
        for a in anchors(page.doc, page.url):
            if (a.href and not a.chrome and has_any(a.text, words) and key(a.href) != key(doc_url)
                    and key(a.href) not in page.state.columns and on_site(a.href, page.url, page.state.scope)):
                link = a
                break
        if link is None or not page.may_follow():
            yield page.observe("policy_doc", {**record, "interpretation": None, "back_link": None})
            return
        yield page.follow(self, link.href, "on_interpretation", record={**record, "interpretation": link.href,
                                                                        "interpretation_title": link.text},
                          doc_url=doc_url, doc_request=page.response.request.url if page.response else doc_url)

    @guarded
    def on_interpretation(self, page: PageContext) -> Iterator[Any]:
        record = dict(page.meta["record"])
        doc_urls = {key(page.meta["doc_url"]), key(page.meta["doc_request"])}
        if page.text is None:
            record.update(back_link=None, interpretation_error=page.error)
        else:
            record["back_link"] = any(a.href and key(a.href) in doc_urls for a in anchors(page.doc, page.url)
                                      if not a.chrome)
        yield page.observe("policy_doc", record, url=page.meta["doc_url"])


__all__ = ["PublishingObserver", "anchor_text", "read_footer", "search_form"]
