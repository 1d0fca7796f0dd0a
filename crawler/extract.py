"""What the crawler sees on one page: its dated list items, its own date, whether it reads as
blank, its column meta, its links. Pure functions over HTML text: no network, no judging."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class ListEntry:
    title: str
    url: str  # absolute
    date: date | None
    date_text: str | None  # the text the date came from
    date_source: str | None  # "text" | "url" | "meta" | "dateparser"
    position: int  # 0-based order on the page
    pinned: bool = False  # marked 置顶 / top


@dataclass(slots=True)
class PageExtract:
    url: str
    title: str  # <title> (or ArticleTitle meta), stripped
    kind: str  # "list" (dated items), "article" (a document with its own date), "other"
    items: list[ListEntry] = field(default_factory=list)
    latest_date: date | None = None  # newest list item; for an article, its own date
    page_date: date | None = None  # the page's own publish date (PubDate meta, 发布时间 label)
    blank: bool = False
    blank_reason: str | None = None  # e.g. "placeholder: 暂无信息", "empty list"
    meta: dict[str, str] = field(default_factory=dict)  # SiteName, SiteIDCode, ColumnName, ...
    links: list[str] = field(default_factory=list)  # every absolute http(s) href, page order, no dups
    page_count: int | None = None  # pagination total when the pager says (createPageHTML(...))
    refresh_url: str | None = None  # <meta http-equiv=refresh> target, absolute


def extract_page(html: str, url: str, reference: date) -> PageExtract:
    raise NotImplementedError
