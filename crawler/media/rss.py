"""RSS/Atom feeds and HTML pages with a dated list (a 客户端's news list, an account's web mirror); HTML reuses
the website extractor's list items."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from lxml import etree

from crawler.dates import parse_date
from crawler.media.common import BEIJING, Fetcher, covered_span, failed, failure_of
from storage.media_repo import CollectionResult, PostSeen

_TAGS = re.compile(r"<[^>]+>")


def _when(text: str | None) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            found = parse_date(text, date.today())
            return datetime(found.value.year, found.value.month, found.value.day, tzinfo=BEIJING) if found else None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def parse_feed(data: bytes) -> list[PostSeen]:
    root = etree.fromstring(data, parser=etree.XMLParser(recover=True, resolve_entities=False))
    posts: list[PostSeen] = []
    for item in root.iter("{*}item", "{*}entry"):
        def first(*names: str, node: Any = item) -> str | None:
            for name in names:
                found = node.find(f"{{*}}{name}")
                if found is not None:
                    return found.get("href") if name == "link" and found.get("href") else (found.text or "")
            return None
        published = _when(first("pubDate", "published", "updated", "date"))
        if published is None:
            continue
        summary = html.unescape(_TAGS.sub(" ", first("description", "summary", "content") or ""))
        posts.append(PostSeen(published_at=published, title=(first("title") or "").strip() or None,
                              text=" ".join(summary.split()) or None,
                              url=(first("link") or "").strip() or None,
                              post_id=(first("guid", "id") or "").strip() or None))
    return posts


def parse_html_list(text: str, url: str, reference: date) -> list[PostSeen]:
    from crawler.extract import extract_page
    page = extract_page(text, url, reference)
    posts = []
    for item in page.items:
        if item.date is None:
            continue
        d = item.date
        posts.append(PostSeen(published_at=datetime(d.year, d.month, d.day, tzinfo=BEIJING), title=item.title or None,
                              url=item.url or None, pinned=bool(getattr(item, "pinned", False))))
    return posts


def is_feed(response: httpx.Response) -> bool:
    """An RSS/Atom answer, whatever the registry called the link: by its type or its first element."""
    content_type = response.headers.get("content-type", "").lower()
    if any(t in content_type for t in ("rss", "atom", "/xml")):
        return True
    head = response.content[:512].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in response.content[:2048].lower()
                                           or b"<feed" in response.content[:2048].lower())


def collect(url: str, *, kind: str, fetcher: Fetcher, seen_at: datetime) -> CollectionResult:
    source = kind
    try:
        response = fetcher.get(url)
    except httpx.HTTPError as exc:
        return failed(source, "error", f"连接失败：{type(exc).__name__}", url, fetcher)
    try:
        return _read(response, url, kind=kind, fetcher=fetcher, seen_at=seen_at)
    except Exception as exc:
        return failed(source, "error", f"页面无法解析（{type(exc).__name__}），已保留取得的回答", url, fetcher)


def _read(response: httpx.Response, url: str, *, kind: str, fetcher: Fetcher, seen_at: datetime) -> CollectionResult:
    source = kind
    if kind == "html" and response.status_code < 400 and is_feed(response):
        source = kind = "rss"  # a 客户端 registered with its feed as 链接
    if response.status_code >= 400:
        status = "not_found" if response.status_code in (404, 410) else "blocked" if response.status_code in (
            403, 412, 429) else "error"
        return failed(source, status, f"页面出错（HTTP {response.status_code}）", url, fetcher)
    hit = failure_of(response.text)
    if hit and kind == "html":
        return failed(source, hit[0], hit[1], url, fetcher)
    if kind == "rss":
        try:
            posts = parse_feed(response.content)
        except etree.XMLSyntaxError:
            return failed(source, "error", "订阅源不是有效的 RSS/Atom", url, fetcher)
    else:
        posts = parse_html_list(response.text, url, seen_at.date())
    if not posts:
        return failed(source, "error", "页面中没有读到带日期的发布列表，无法核验", url, fetcher)
    covered_from, covered_to = covered_span(posts, complete=False, seen_at=seen_at)
    return CollectionResult(source=source, status="ok", posts=posts, covered_from=covered_from,
                            covered_to=covered_to, url=url, evidence=list(fetcher.kept) or None,
                            detail={"kinds": ["all"]})
