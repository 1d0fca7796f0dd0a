"""What the crawler sees on one page: its dated list items, its own date, whether it reads as
blank, its column meta, its links. Pure functions over HTML text: no network, no judging."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from config.clock import BEIJING
from crawler._html import (
    DATASTORE_CLASS,
    ChromeIndex,
    Resolver,
    base_url,
    collect_images,
    collect_links,
    expand_script_lists,
    in_marked_ancestor,
    is_element,
    is_widget,
    iter_text,
    link_target,
    norm,
    parse_html,
)
from crawler.bounds import bound_html
from crawler.dates import FoundDate, date_from_url, find_dates, parse_date


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
    images: list[str] = field(default_factory=list)  # every absolute http(s) <img src>, page order, no dups
    page_count: int | None = None  # pagination total when the pager says (createPageHTML(...))
    refresh_url: str | None = None  # <meta http-equiv=refresh> target, absolute
    undated_count: int = 0  # list rows (li/tr/dd) with a title link but no date anywhere
    page_date_source: str | None = None  # where page_date came from: "meta" | "text" | "script"
    cut: str | None = None  # set when a huge page was read only in part (crawler/bounds.py), says where
    # Why the page's list is one a script fills and the tree shows unfilled (a Chinese reason): the page
    # is then read in the browser, and neither "blank" nor its latest date is drawn from what is left.
    script_list: str | None = None
    # What the page is to an inspector: "home" | "gateway" | "column" | "article" | "search". "Blank" is
    # a column judgment: a gateway, a home page, a search page or an article is never a blank column.
    page_kind: str = "column"
    entry_url: str | None = None  # for a gateway: the page it leads to (the site is read from there)
    # The parsed page (script-held lists expanded), so the crawler and observers need not parse it again.
    root: Any = field(default=None, repr=False, compare=False)


# ---- meta ----------------------------------------------------------------------------------------

_META_NAMES = {
    n.lower(): n
    for n in ("SiteName", "SiteIDCode", "SiteDomain", "ColumnName", "ColumnType", "ColumnDescription",
              "ArticleTitle", "PubDate", "ContentSource", "Keywords")
}
# Article publish-time metas of other platforms, in order of trust (gov.cn: firstpublishedtime; it
# is the original date, unlike "页面生成时间", the regeneration time).
_PUBLISH_METAS = ("pubdate", "firstpublishedtime", "publishdate", "publish_date", "article:published_time",
                  "og:article:published_time", "dc.date.issued", "dcterms.issued")

_REFRESH_URL_RE = re.compile(r"url\s*=\s*['\"]?\s*([^'\";]+)", re.I)


def _read_meta(root: lxml.html.HtmlElement) -> tuple[dict[str, str], dict[str, str], str | None]:
    """Canonical column/article metas, other publish-time metas (lower-case names), and the raw
    refresh target."""
    meta: dict[str, str] = {}
    extra: dict[str, str] = {}
    refresh: str | None = None
    for el in root.iter("meta"):
        content = norm(el.get("content"))
        equiv = (el.get("http-equiv") or "").strip().lower()
        if equiv == "refresh" and refresh is None and content:
            mt = _REFRESH_URL_RE.search(content)
            refresh = mt.group(1).strip() if mt else None
            continue
        name = (el.get("name") or el.get("property") or "").strip().lower()
        if not name or not content:
            continue
        canonical = _META_NAMES.get(name)
        if canonical and canonical not in meta:
            meta[canonical] = content
        if name in _PUBLISH_METAS and name not in extra:
            extra[name] = content
    return meta, extra, refresh


def _title(root: lxml.html.HtmlElement, meta: dict[str, str]) -> str:
    """<title> (IE-saved pages write <TITLE>; lxml lower-cases it), else the ArticleTitle meta."""
    head = root.find("head")
    el = head.find("title") if head is not None else None
    if el is None:
        el = root.find(".//title")
    text = norm(el.text_content()) if el is not None else ""
    return text or meta.get("ArticleTitle", "")


# ---- pagination ----------------------------------------------------------------------------------

_SEP = r"(?:\s|&nbsp;|<[^>]{0,200}>)*"
# (substring that must be present, pattern): the substring test keeps a 100 KB page cheap, since a
# pattern opening with \b or a look-behind cannot use the regex engine's literal-prefix scan.
_PAGER_RES = [
    ("createPageHTML", re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?\d+")),  # TRS WCM
    ("countPage", re.compile(r"(?<![A-Za-z_])countPage\s*=\s*['\"]?(\d+)")),  # TRS document.write pagers
    ("pagecount", re.compile(r"(?<![a-z_])page_?count\s*[:=]\s*['\"]?(\d+)")),  # jQuery pagers (lower-cased)
    ("totalpage", re.compile(r"(?<![a-z_])totalpages?\s*[:=]\s*['\"]?(\d+)")),
    ("共", re.compile(r"共计?" + _SEP + r"(\d+)" + _SEP + r"页")),  # rendered "共25页"
]
_HANWEB_TOTAL_RE = re.compile(r"(?<![a-z_])totalrecord\s*[:=]\s*['\"]?(\d+)")
_HANWEB_PER_RE = re.compile(r"(?<![a-z_])perpage\s*[:=]\s*['\"]?(\d+)")


_LOWERED: tuple[str, str] = ("", "")  # the last page text and its lower-case copy, swapped as one tuple


def _lowered(raw: str) -> str:
    """raw.lower(), once per page: the pager and the page-date searches both need it, and
    lower-casing a 2 MB page costs milliseconds. One tuple is swapped at a time, so pages read in
    threads never see each other's copy."""
    global _LOWERED
    cached = _LOWERED
    if cached[0] is raw:
        return cached[1]
    low = raw.lower()
    _LOWERED = (raw, low)
    return low


def _page_count(raw: str) -> int | None:
    """The pager's total: TRS createPageHTML(total, current, ...), countPage = N, page-count
    options of pager plugins, a rendered 共N页, or Hanweb's totalRecord / perPage."""
    low: str | None = None
    for needle, rx in _PAGER_RES:
        if needle.islower() and needle.isascii():
            if low is None:
                low = _lowered(raw)
            hay = low
        else:
            hay = raw
        if needle not in hay:
            continue
        for mt in rx.finditer(hay):
            n = int(mt.group(1))
            if 0 < n < 100000:
                return n
    if low is None:
        low = _lowered(raw)
    if "totalrecord" in low and "perpage" in low:
        total, per = _HANWEB_TOTAL_RE.search(low), _HANWEB_PER_RE.search(low)
        if total and per and int(per.group(1)) > 0:
            return max(1, math.ceil(int(total.group(1)) / int(per.group(1))))
    return None


# ---- list items ----------------------------------------------------------------------------------

_ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})  # dt: its date sits in the following dd
_LIST_TAGS = frozenset({"ul", "ol", "table", "tbody", "thead", "dl", "body", "html", "form"})
# "More", attachment and "read the interpretation" links: never an entry's title (and they would
# otherwise make a row look like it holds two entries)
_MORE_RE = re.compile(
    r"^[\s>»›\[【(（]*(?:更多|查看更多|更多信息|更多内容|更多新闻|更多>>|点击查看|查看详情|详情|详细|进入|"
    r"附件|下载|附件下载|点击下载|下载附件|原文|查看原文|全文|阅读全文|解读|图解|视频|音频|"
    r"pdf|docx?|xlsx?|wps|ofd|more|read more|view more)[\s>»›.。…\]】)）]*$",
    re.I,
)
_PIN_TEXT = ("置顶",)
_PIN_TITLE_RE = re.compile(r"^\s*[\[【(（]?\s*置顶\s*[\]】)）]?\s*|\s*[\[【(（]\s*置顶\s*[\]】)）]\s*$")
_PIN_CLASS_RE = re.compile(r"^(?:top|zhiding|zd|istop|is[-_]top|settop|set[-_]top|sticky|stick|pinned|ding)$|"
                           r"zhiding|settop|istop", re.I)
_PIN_CLASS_HINT_RE = re.compile(r"top|zhiding|zd|stick|pin|ding", re.I)
_PIN_IMG_RE = re.compile(r"(?:^|[/_\-])(?:top|zhiding|zd|ding|settop|istop)\d*\.(?:gif|png|jpe?g)$", re.I)
_NEW_MARK_RE = re.compile(r"\s*(?:new|NEW|New|HOT|hot)\s*$")
_URL_TITLE_MIN = 8  # an entry dated only by its URL needs a title that reads like a document's
_MAYBE_DATE_RE = re.compile(r"\d|今|昨|前天|刚刚")
_ELLIPSIS = ("...", "…", "..", "。。。")
_LABEL_RESIDUE_RE = re.compile(
    r"[\s\[\]【】()（）<>《》:：|｜/\-—_·•,，.。]|发布|发刊|更新|时间|日期|发文|成文|印发|公开|上传|录入|提交|"
    r"dated?|time|posted", re.I)


def _date_only(text: str, reference: date) -> FoundDate | None:
    """The date when `text` is nothing but a date (with brackets or a label such as 发布日期：)."""
    if not text or len(text) > 40:
        return None
    found = find_dates(text, reference)
    if len(found) != 1:
        return None
    rest = text.replace(found[0].text, "", 1)
    if _LABEL_RESIDUE_RE.sub("", rest):
        return None
    return found[0]


# Links beside a document that are not entries of a list: 上一篇/下一篇 (the neighbours of an
# article), the source credit (来源：<a>新华网</a>), and a search result's address written as its text.
_NEIGHBOUR_TEXT_RE = re.compile(r"^[\s\[【(（]*(?:上一篇|下一篇|上一条|下一条|上一则|下一则|上篇|下篇|前一篇|后一篇)")
_NEIGHBOUR_LEAD_RE = re.compile(
    r"(?:上一篇|下一篇|上一条|下一条|上一则|下一则|上篇|下篇|前一篇|后一篇|来源|来源于|信息来源|文章来源|稿件来源|出处|转载自)"
    r"\s*[:：]?\s*$")
_LEAD_ENDS = frozenset("篇条则源处于自：: ")


def _lead_text(a: lxml.html.HtmlElement) -> str:
    """The text right before a link in its block, up to two levels up: where the 上一篇： and
    来源： labels sit ("上一篇：<a>…", "<span>来源：</span><a>…", "<p>来源：<span><a>…")."""
    el = a
    for _ in range(3):
        prev = el.getprevious()
        while prev is not None:
            tail = (prev.tail or "").strip()
            if tail:
                return tail[-12:]
            if is_element(prev) and prev.tag not in ("script", "style"):
                text = norm(prev.text_content())
                if text:
                    return text[-12:]
            prev = prev.getprevious()
        parent = el.getparent()
        if parent is None:
            return ""
        text = (parent.text or "").strip()
        if text:
            return text[-12:]
        if parent.tag in _ROW_TAGS or parent.tag in _LIST_TAGS:
            return ""  # the row before is another entry, not a label of this one
        el = parent
    return ""


_SITE_ROOT_RE = re.compile(r"^https?://[^/?#]+/?(?:(?:index|default|main)\.[a-z]{2,5})?$", re.I)


def _neighbour_link(a: lxml.html.HtmlElement, url: str, text: str) -> bool:
    """上一篇/下一篇 and source links, addresses shown as link text, and links to a site's home
    page (the site a search result or an article credits): never a list entry."""
    if text and ((("篇" in text[:6] or "条" in text[:6] or "则" in text[:6]) and _NEIGHBOUR_TEXT_RE.match(text))
                 or text[:4].lower() in ("http", "www.")):
        return True
    if url.count("/") <= 3 and _SITE_ROOT_RE.match(url):
        return True
    lead = _lead_text(a)
    return bool(lead) and lead[-1] in _LEAD_ENDS and bool(_NEIGHBOUR_LEAD_RE.search(lead))


# Related-reading blocks of an article page: a heading that says so, or a class/id that does.
_RELATED_HEAD_RE = re.compile(
    r"^[\s\[【■●>·]*(?:相关(?:阅读|文章|稿件|新闻|信息|链接|文件|推荐|政策|解读|报道|内容|附件|专题)|"
    r"关联(?:稿件|文章|文件|信息|阅读|解读)|您可能|你可能|猜你|推荐阅读|延伸阅读|扩展阅读)")
_RELATED_MAX = 20  # related-reading blocks list a handful of documents
_RELATED_ID_RE = re.compile(r"related|reldoc|(?:^|[-_])rel(?:[-_]|$)|^xg(?:wz|yd|xw|wj|xx|lj|gj|nr)|"
                            r"recommend|tuijian", re.I)


# elements a click opens a document from, with no link inside: the title rows of some list templates
_CLICKABLE_XPATH = etree.XPath(
    "//*[@onclick][self::p or self::li or self::span or self::div or self::td or self::h3 or self::h4 or self::dt"
    " or self::dd or self::font or self::em][not(.//a) and not(.//*[@onclick])]")


@dataclass(slots=True)
class _Anchor:
    el: lxml.html.HtmlElement
    url: str
    text: str  # visible text, normalized
    attr: str  # title attribute, normalized


@dataclass(slots=True)
class _Found:
    anc: _Anchor
    row: lxml.html.HtmlElement | None
    title: str
    value: date
    date_text: str
    source: str
    group: object


class _ListScanner:
    """Finds dated entries: for each title link, the row it sits in and the date of that row."""

    def __init__(self, root: lxml.html.HtmlElement, resolver: Resolver, reference: date,
                 chrome: ChromeIndex, page_url: str = "") -> None:
        self.root = root
        self.page_url = page_url.split("#", 1)[0]
        self.resolve = resolver
        self.reference = reference
        self.chrome = chrome
        self.anchors: list[_Anchor] = []
        self._anchor_els: set[object] = set()
        self._date_only_memo: dict[str, FoundDate | None] = {}  # list dates repeat row after row
        self._owners: dict[object, set[str]] = {}
        self.rows: list[lxml.html.HtmlElement] = []  # rows of dated entries (kept out of page-date search)
        self.row_ids: set[int] = set()
        self.undated_urls: set[str] = set()
        self.list_rows = 0  # dated entries that sit in li/tr/dd rows
        self._entry_links: dict[int, list[lxml.html.HtmlElement]] = {}  # id(entry) -> its links
        self._related_memo: dict[object, bool] = {}

    # -- anchors

    def _links(self) -> list[lxml.html.HtmlElement]:
        """The page's <a> links and, in page order among them, the rows written as a clickable element
        without a link (<p onclick="window.open('./detail2.html?…')" title="…">): a browser user clicks
        them like links."""
        clickable = [el for el in _CLICKABLE_XPATH(self.root) if link_target(el, self.resolve) is not None]
        if not clickable:
            return list(self.root.iter("a"))
        picked = set(clickable)
        return [el for el in self.root.iter() if el.tag == "a" or el in picked]

    def collect(self) -> None:
        """Title-like links (text or title attribute of 4+ characters, not 更多/附件 links), and for
        every ancestor which different title links it holds (capped at two: enough to know that
        an element is a list, not a row)."""
        for a in self._links():
            url = link_target(a, self.resolve)
            if url is None or url == self.page_url:
                continue  # a link to the page itself (share buttons, "#" anchors) is never an entry
            text = norm(a.text_content())
            attr = norm(a.get("title"))
            if len(text) < 4 and len(attr) < 4:
                continue
            if _MORE_RE.match(text) or (not text and _MORE_RE.match(attr)):
                continue
            if _neighbour_link(a, url, text):
                continue
            self.anchors.append(_Anchor(a, url, text, attr))
        # which ancestors hold two or more different title links: a row never does
        owners = self._owners
        for anc in self.anchors:
            key = anc.url
            el = anc.el.getparent()
            while el is not None:
                s = owners.get(el)
                if s is None:
                    s = owners[el] = set()
                if key in s or len(s) >= 2:
                    break
                s.add(key)
                el = el.getparent()

    def _multi(self, el: lxml.html.HtmlElement) -> bool:
        s = self._owners.get(el)
        return s is not None and len(s) >= 2

    def holds_titles(self, el: lxml.html.HtmlElement) -> bool:
        """Whether the element holds a title link (every ancestor of one is an owner)."""
        return el in self._owners

    def drop_related(self, entries: list[ListEntry]) -> list[ListEntry]:
        """The entries without those whose every link sits in a related-reading block (相关阅读,
        关联稿件, 您可能感兴趣): on an article page they are other documents, not its list."""
        return [e for e in entries if not all(self._in_related(a) for a in self._entry_links.get(id(e), ()))]

    def _in_related(self, a: lxml.html.HtmlElement) -> bool:
        """Whether a link sits in a block marked as related reading: by its class/id
        (article-reldocuments, xgwz, related), by a heading just before it (<h3>相关阅读</h3><ul>)
        or by the block's opening words (<div>相关文章：<ul>…)."""
        def marked(el: lxml.html.HtmlElement) -> bool:
            ident = f"{el.get('class') or ''} {el.get('id') or ''}"
            if ident != " " and any(_RELATED_ID_RE.search(tok) for tok in ident.split()):
                return True
            if el is not a and self._opens_related(el):
                return True
            prev = el.getprevious()
            while prev is not None and not is_element(prev):
                prev = prev.getprevious()
            return prev is not None and self._related_heading(prev)

        return in_marked_ancestor(a, self._related_memo, marked, stop=lambda el: el.tag in ("body", "html"),
                                  depth=10)

    def _opens_related(self, el: lxml.html.HtmlElement) -> bool:
        """A block that opens with related-reading words: <div>相关文章：<ul>…, or its first child
        is such a heading (<div><span>相关链接：</span><a>…<br><a>…)."""
        opening = el.text.strip() if el.text else ""
        if opening:
            return len(opening) <= 14 and bool(_RELATED_HEAD_RE.match(opening))
        first = next((child for child in el if is_element(child)), None)
        return first is not None and self._related_heading(first)

    def _related_heading(self, el: lxml.html.HtmlElement) -> bool:
        """A short heading (相关阅读：, 您可能感兴趣的文章) that holds no title link itself."""
        if len(el) > 3 or el.tag in ("a", "script", "style") or self.holds_titles(el):
            return False
        text = norm(el.text_content())
        return len(text) <= 14 and bool(_RELATED_HEAD_RE.match(text))

    # -- rows

    def row_of(self, a: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        """The smallest block around the link that holds no other title link: li/tr/dd, or a small
        div/p/span/h* container; None when the link's parent already holds other links."""
        row = None
        el = a.getparent()
        depth = 0
        while el is not None and depth < 6:
            tag = el.tag
            if not isinstance(tag, str) or tag in _LIST_TAGS or self._multi(el):
                break
            row = el
            if tag in _ROW_TAGS:
                break
            if len(el.text_content()) > 400:  # a section, not a row
                break
            el = el.getparent()
            depth += 1
        return row

    # -- dates

    def _date_cells(self, row: lxml.html.HtmlElement, a: lxml.html.HtmlElement,
                    ) -> list[tuple[object, FoundDate]]:
        """Elements of the row whose whole text is a date ("2023-11-18", "[11-18]", "发布日期：…"):
        the strongest evidence of the entry's date, stronger than dates in summaries."""
        out: list[tuple[object, FoundDate]] = []
        around = set()  # the link's ancestors inside the row hold its title: never date-only
        cur = a.getparent()
        while cur is not None and cur is not row:
            around.add(cur)
            cur = cur.getparent()
        if cur is row:
            around.add(row)
        else:  # a sibling block (the <dd> after a <dt>): the link is not inside it
            around.clear()
        for el in row.iter():
            if el is a or el in around or not is_element(el) or el.tag in ("script", "style"):
                continue
            text = el.text_content()
            fd = None
            if len(text) <= 60 and _MAYBE_DATE_RE.search(text):
                key = norm(text)
                try:
                    fd = self._date_only_memo[key]
                except KeyError:
                    fd = self._date_only_memo[key] = _date_only(key, self.reference)
            if fd is None and len(el) and el.text and len(el.text) <= 60 and _MAYBE_DATE_RE.search(el.text):
                # the date leads, a note follows in a child: <span>发刊时间：2013-5-10 <span>2013年第13号</span></span>
                fd = _date_only(norm(el.text), self.reference)
            if fd is None:
                continue
            # an element and its only child can both read as the date: keep the outer one once
            if out and any(prev is el.getparent() for prev, _ in out):
                continue
            out.append((el, fd))
        return out

    def _header_pick(self, row: lxml.html.HtmlElement, cells: list[tuple[object, FoundDate]]) -> FoundDate:
        """In a table row with several date cells (成文日期 and 发布日期), take the column headed
        发布; without headers, the last one (publication columns come last)."""
        table = row.getparent()
        if table is not None and table.tag in ("tbody", "thead"):
            table = table.getparent()
        if table is not None:
            header = None
            for tr in table.iter("tr"):
                if tr.find("th") is not None or any("日期" in norm(td.text_content())[:10] for td in tr):
                    header = tr
                    break
            if header is not None and header is not row:
                labels = [norm(c.text_content()) for c in header if is_element(c)]
                columns = [c for c in row if is_element(c)]
                for cell, fd in cells:
                    column = cell  # the row's child (td) that holds the date element
                    while column is not None and column.getparent() is not row:  # type: ignore[attr-defined]
                        column = column.getparent()  # type: ignore[attr-defined]
                    idx = next((i for i, c in enumerate(columns) if c is column), None)
                    if idx is not None and idx < len(labels) and "发布" in labels[idx]:
                        return fd
        return cells[-1][1]

    def _row_date(self, row: lxml.html.HtmlElement, a: lxml.html.HtmlElement, text: str,
                  ) -> tuple[FoundDate | None, bool]:
        """The row's date and whether it was read inside the link text (then it is cut from the
        title)."""
        row_text = row.text_content()
        if not _MAYBE_DATE_RE.search(row_text) and row.tag != "dt":
            return None, False  # no digit, no 今/昨: no date in this row (most navigation links)
        cells = self._date_cells(row, a)
        if not cells and row.tag == "dt":
            sib = row.getnext()
            while sib is not None and not cells and (not is_element(sib) or sib.tag == "dd"):
                if is_element(sib):
                    cells = self._date_cells(sib, a)
                sib = sib.getnext()
        if cells:
            inside = any(_is_descendant(cell, a) for cell, _ in cells[:1])
            if len(cells) > 1 and row.tag == "tr":
                return self._header_pick(row, cells), False
            return cells[0][1], inside
        row_text = norm(row_text)
        outside = row_text.replace(text, " ", 1) if text else row_text
        outside = norm(outside)
        if outside:
            found = find_dates(outside, self.reference)
            if found:
                if len(outside) <= 60:
                    return found[0], False
                # a summary paragraph: its dates are events ("2017年6月13日，…召开"); only a
                # date closing the row belongs to the entry
                fd = found[-1]
                if outside.rfind(fd.text) + len(fd.text) >= len(outside) - 2:
                    return fd, False
        return self._anchor_text_date(text), True

    def _anchor_text_date(self, text: str) -> FoundDate | None:
        """A date written at the start or end of the link text ("标题 2023-11-18")."""
        if not text:
            return None
        found = find_dates(text, self.reference)
        if not found:
            return None
        last, first = found[-1], found[0]
        pos = text.rfind(last.text)
        if not text[pos + len(last.text):].strip(" )）]】"):
            return last
        if not text[: text.find(first.text)].strip(" (（[【"):
            return first
        return None  # "关于2024年1月1日起施行…": a date inside a title is the title's

    def _sibling_date(self, a: lxml.html.HtmlElement) -> FoundDate | None:
        """For a link loose in a container: the text right after it up to the next title link or
        <br>, or a date element right before it."""
        pieces = [a.tail or ""]
        sib = a.getnext()
        n = 0
        while sib is not None and n < 3:
            if not is_element(sib):
                pieces.append(sib.tail or "")
                sib = sib.getnext()
                continue
            if sib.tag == "br" or sib in self._owners or (sib.tag == "a" and sib in self._anchor_els):
                break
            pieces.append(sib.text_content())
            pieces.append(sib.tail or "")
            sib = sib.getnext()
            n += 1
        after = norm(" ".join(pieces))
        if after and len(after) <= 60:
            found = find_dates(after, self.reference)
            if found:
                return found[0]
        prev = a.getprevious()
        if prev is not None and is_element(prev) and not (prev.tail or "").strip():
            return _date_only(norm(prev.text_content()), self.reference)
        return None

    # -- entries

    def _group_of(self, a: lxml.html.HtmlElement, row: lxml.html.HtmlElement | None) -> object:
        """The list an entry belongs to: the nearest ancestor holding other title links."""
        el = (row if row is not None else a).getparent()
        while el is not None and not self._multi(el):
            el = el.getparent()
        return el

    def scan(self) -> list[ListEntry]:
        """Dated entries in page order, de-duplicated on (url, title)."""
        self.collect()
        self._anchor_els = {anc.el for anc in self.anchors}
        found: list[_Found] = []
        for anc in self.anchors:
            a = anc.el
            if self.chrome.is_chrome(a):
                continue
            row = self.row_of(a)
            inside = False
            if row is not None:
                fd, inside = self._row_date(row, a, anc.text)
                up = row.getparent()
                if fd is None and row.tag == "li" and up is not None and up.tag in ("ul", "ol") \
                        and not self._multi(up) and len(up) >= 2:
                    # <ul class="list"><li>…</li><li><p>title</p></li><li class="list-time">[2025-06-03]</li></ul>:
                    # one ul per row, its li are the row's cells
                    fd, inside = self._row_date(up, a, anc.text)
                    if fd is not None:
                        row = up
            else:
                fd = self._sibling_date(a)
                if fd is None:  # <a><div class="t">title</div><div class="d">2023-11-18</div></a>
                    cells = self._date_cells(a, a)
                    fd, inside = (cells[0][1], True) if cells else (self._anchor_text_date(anc.text), True)
            title = self._title(anc, fd if inside else None)
            if len(title) < 4:
                continue
            if fd is not None:
                value, date_text, source = fd.value, fd.text, fd.source
                if fd.year_inferred:
                    u = date_from_url(anc.url)
                    if u is not None and (u.month, u.day) == (value.month, value.day):
                        value = u  # the URL carries the year the text left out
            else:
                u = date_from_url(anc.url)
                if u is None or u > self.reference + timedelta(days=1):
                    if row is not None and row.tag in _ROW_TAGS:
                        self.undated_urls.add(anc.url)
                    continue
                value, date_text, source = u, anc.url, "url"
            found.append(_Found(anc, row, title, value, date_text, source, self._group_of(a, row)))

        # Calendars, date pickers, weather and "today" widgets: their dates are the calendar's, never a
        # publication (an events calendar lists next month's meetings); nor is a date after the crawl
        # itself (today, or the monitoring time point where that is later): nothing is published in the
        # future, so such a row is an event or a deadline, and its date is not the entry's.
        if found:
            memo: dict[object, bool] = {}
            crawled = max(date.today(), self.reference) + timedelta(days=1)
            found = [f for f in found if f.value <= crawled and not in_marked_ancestor(f.anc.el, memo, is_widget,
                                                                                       depth=12)]

        # A date only in the URL counts where the link sits among other dated links (a list whose
        # template shows no dates) and reads like an article title; a lone navigation tile to a
        # guide page, or a link farm of ministries (国务院研究室 → /2005-12/26/content_…), does not.
        found = [f for f in found if f.source != "url" or len(f.title) >= _URL_TITLE_MIN]
        per_group: dict[int, int] = {}
        for f in found:
            per_group[id(f.group)] = per_group.get(id(f.group), 0) + 1

        entries: list[ListEntry] = []
        index: dict[tuple[str, str], ListEntry] = {}
        # url -> (entry, its row): a second link to the same document, dated the same, inside the row of
        # that entry (a search result's title and its 来源 line <a>单位名</a> 2022-05-06) is that entry again
        by_url: dict[str, tuple[ListEntry, lxml.html.HtmlElement]] = {}
        for f in found:
            if f.source == "url" and per_group[id(f.group)] < 2:
                if f.row is not None and f.row.tag in _ROW_TAGS:
                    self.undated_urls.add(f.anc.url)
                continue
            pinned = self._pinned(f.row if f.row is not None else f.anc.el, title_text=f.anc.text)
            key = (f.anc.url, f.title)
            prev = index.get(key)
            if prev is None and f.row is not None and f.anc.url in by_url:
                same, same_row = by_url[f.anc.url]
                if same.date == f.value and _is_descendant(f.row, same_row):
                    prev = same
            if prev is not None:
                if prev.date_source == "url" and f.source != "url":
                    prev.date, prev.date_text, prev.date_source = f.value, f.date_text, f.source
                prev.pinned = prev.pinned or pinned
                self._entry_links[id(prev)].append(f.anc.el)
                continue
            entry = ListEntry(title=f.title, url=f.anc.url, date=f.value, date_text=f.date_text,
                              date_source=f.source, position=len(entries), pinned=pinned)
            index[key] = entry
            self._entry_links[id(entry)] = [f.anc.el]
            entries.append(entry)
            row = f.row
            if row is not None:
                by_url.setdefault(f.anc.url, (entry, row))
                if id(row) not in self.row_ids:
                    self.row_ids.add(id(row))
                    self.rows.append(row)
                if row.tag in _ROW_TAGS:
                    self.list_rows += 1
        self.undated_urls -= {e.url for e in entries}
        return entries

    def _title(self, anc: _Anchor, fd: FoundDate | None) -> str:
        """The entry title: link text without its date and 置顶/NEW marks, or the title attribute
        when the text is cut or masked."""
        text = anc.text
        if fd is not None and fd.text in text:
            text = norm(text.replace(fd.text, " ", 1))
        if "置顶" in text:
            text = _PIN_TITLE_RE.sub("", text)
        if len(text) > 6 and text[-1] in "wWtT":
            text = norm(_NEW_MARK_RE.sub("", text))
        attr = _PIN_TITLE_RE.sub("", anc.attr) if "置顶" in anc.attr else anc.attr
        if len(attr) >= 4 and (len(text) < 4 or len(attr) > len(text) or text.endswith(_ELLIPSIS)):
            # the visible text is cut ("关于公布…") or masked; the title attribute is whole
            return attr
        return text

    def _pinned(self, row: lxml.html.HtmlElement, title_text: str) -> bool:
        """置顶 in the row's text, a class such as "top"/"zhiding", or a top.gif-style icon."""
        if "置顶" in title_text or "置顶" in row.text_content():
            return True
        for el in row.iter():
            tag = el.tag
            if not isinstance(tag, str):
                continue
            cls = el.get("class")
            if cls and _PIN_CLASS_HINT_RE.search(cls) and any(_PIN_CLASS_RE.search(t) for t in cls.split()):
                return True
            if tag == "img":
                if "置顶" in (el.get("alt") or "") + (el.get("title") or ""):
                    return True
                src = (el.get("src") or "").split("?")[0]
                if _PIN_IMG_RE.search(src):
                    return True
        return False


def _is_descendant(el: object, ancestor: lxml.html.HtmlElement) -> bool:
    cur = el
    while cur is not None:
        if cur is ancestor:
            return True
        cur = cur.getparent()  # type: ignore[attr-defined]
    return False


# ---- the page's own date -------------------------------------------------------------------------

_WECHAT_CT_RE = re.compile(r"\bvar\s+ct\s*=\s*[\"']?(\d{10})[\"']?")
_PUBTIME_ID_RE = re.compile(r"publish[-_]?time|pub[-_]?(?:time|date)|fbsj|fbrq|post[-_]?date", re.I)
_PUBTIME_WORDS = ("publish", "pubtime", "pub_time", "pub-time", "pubdate", "pub_date", "pub-date", "fbsj",
                  "fbrq", "postdate", "post_date", "post-date")
# a cheap C-side preselection of elements whose id/class may name the publish time
# (elements without id or class are dropped first: the contains() tests are then run on a few)
_PUBTIME_XPATH = etree.XPath(
    "//*[@id or @class][" + " or ".join(f"contains(@id,'{w}') or contains(@class,'{w}')" for w in ("ub", "fb", "ost"))
    + "]"
)
_LABEL_RE = re.compile(
    r"(发布时间|发布日期|发表时间|发表日期|发稿时间|发布于|时间|日期|更新时间|更新日期)\s*[:：]\s*"
)
_STRONG_LABELS = ("发布", "发表", "发稿")


_REGENERATED_RE = re.compile(r"页面生成时间\s*[:：]?\s*([0-9][0-9\-/.年月日 :]{5,30})")


def _regenerated_on(root: lxml.html.HtmlElement, raw: str, reference: date) -> date | None:
    """When the CMS last regenerated the page (开普云/gov.cn: <meta name="others" content="页面生成时间
    2024-05-06 10:11:12">; Hanweb: <meta name="Maketime">): not when it was published."""
    if "页面生成时间" in raw:
        mt = _REGENERATED_RE.search(raw)
        fd = parse_date(mt.group(1), reference) if mt else None
        if fd:
            return fd.value
    for el in root.iter("meta"):
        if (el.get("name") or "").strip().lower() == "maketime":
            fd = parse_date(norm(el.get("content")), reference)
            return fd.value if fd else None
    return None


def _page_date(root: lxml.html.HtmlElement, meta: dict[str, str], extra: dict[str, str], raw: str,
               reference: date, main_text: str) -> tuple[FoundDate | None, str | None]:
    """The page's own publish date: PubDate-style metas, then gov.cn's firstpublishedtime, then
    WeChat's `var ct` timestamp, then an element marked as the publish time, then a 发布时间/日期:
    label in the main text (never footer years or 页面生成时间). A meta that only repeats the
    page-regeneration time (templates fill PubDate with it on every rebuild) yields to the date the
    page shows, and is used only where the page shows none."""
    regenerated: date | None = None
    deferred: FoundDate | None = None
    for content in [meta.get("PubDate")] + [extra.get(name) for name in _PUBLISH_METAS[1:]]:
        fd = parse_date(content, reference) if content else None
        if not fd:
            continue
        if regenerated is None:
            regenerated = _regenerated_on(root, raw, reference) or date.min
        if fd.value != regenerated:
            return FoundDate(fd.value, content, "meta"), "meta"
        deferred = deferred or FoundDate(fd.value, content, "meta")
    shown = _shown_date(root, raw, reference, main_text)
    if shown[0] is not None:
        return shown
    return (deferred, "meta") if deferred else (None, None)


def _shown_date(root: lxml.html.HtmlElement, raw: str, reference: date, main_text: str,
                ) -> tuple[FoundDate | None, str | None]:
    """The date the page itself shows: WeChat's `var ct`, an element marked as the publish time,
    or a 发布时间/日期: label in the main text."""
    mt = _WECHAT_CT_RE.search(raw) if "var ct" in raw else None
    if mt:
        stamp = datetime.fromtimestamp(int(mt.group(1)), tz=BEIJING).date()
        if stamp <= reference + timedelta(days=1):
            return FoundDate(stamp, mt.group(0), "text"), "script"
    low = _lowered(raw)
    marked = any(word in low for word in _PUBTIME_WORDS)
    for el in _PUBTIME_XPATH(root) if marked else ():
        ident = (el.get("id") or "") + " " + (el.get("class") or "")
        if _PUBTIME_ID_RE.search(ident):
            fd = _date_only(norm(el.text_content()), reference)
            if fd:
                return fd, "text"
    strong: FoundDate | None = None
    weak: FoundDate | None = None
    for mt in _LABEL_RE.finditer(main_text):
        if main_text[max(0, mt.start() - 4):mt.start()].endswith("页面生成"):
            continue  # 页面生成时间：the regeneration time, shown in a page's corner
        after = main_text[mt.end():mt.end() + 40]
        found = find_dates(after, reference)
        if not found or after.find(found[0].text) > 1:
            continue
        if any(word in mt.group(1) for word in _STRONG_LABELS):
            strong = found[0]
            break
        if weak is None:
            weak = found[0]
    chosen = strong or weak
    return (chosen, "text") if chosen else (None, None)


# ---- article bodies and blank pages --------------------------------------------------------------

_BODY_TAGS = frozenset({"ucapcontent", "article"})
_BODY_IDS = re.compile(r"^(?:zoom|zoomcon|ucap-content|js_content|content|article|fontzoom|"
                       r"vsb_content\w*|artibody|newstext|article[-_]?content)$", re.I)
_BODY_CLASSES = re.compile(r"^(?:trs_editor|trs_ueditor|article|article[-_]content|article[-_]body|"
                           r"pages_content|rich_media_content|view|detail[-_]content|content[-_]text|"
                           r"zw|news_content|con_text|text_content)$", re.I)

_PLACEHOLDERS = ("暂无信息", "暂无内容", "暂无数据", "暂无记录", "暂无相关信息", "暂无文章", "暂无公告",
                 "正在建设中", "栏目建设中", "正在建设", "建设中", "信息正在更新", "正在更新中",
                 "没有记录", "没有相关信息", "无相关信息", "没有找到相关", "没有信息", "无记录", "暂无")
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in _PLACEHOLDERS))
_ZERO_COUNT_RE = re.compile(r"共\s*0\s*(?:条|篇|项|个|记录)")
_LISTISH_RE = re.compile(r"list|lb|liebiao|news|xxgk|gkml|info|article|data|item|result|record|wenzhang",
                         re.I)


def _has_body(root: lxml.html.HtmlElement, chrome: ChromeIndex) -> bool:
    """An article body: a known content container with real text, or a block whose own text (not
    its children's) is paragraph-long."""
    for el in root.iter():
        if not is_element(el):
            continue
        tag = el.tag
        hit = tag in _BODY_TAGS
        if not hit:
            ident = el.get("id")
            if ident and _BODY_IDS.match(ident):
                hit = True
            else:
                cls = el.get("class")
                if cls and any(_BODY_CLASSES.match(tok) for tok in cls.split()):
                    hit = True
        if hit and len(norm(el.text_content())) >= 80 and not chrome.is_chrome(el):
            return True
        if tag in ("script", "style", "a", "title", "textarea", "option", "body", "html"):
            continue
        text = el.text
        own = len(text.strip()) if text else 0
        if len(el):
            for child in el:
                tail = child.tail
                if tail:
                    own += len(tail.strip())
        if own >= 200 and not chrome.is_chrome(el):
            return True
    return False


def _empty_container(el: lxml.html.HtmlElement) -> bool:
    """A list container that holds no rows with text."""
    return not norm(el.text_content())


_STATE_CLASSES = frozenset({"on", "active", "cur", "current", "curr", "selected", "show", "hide", "hidden", "act",
                            "open", "in", "fade", "block", "none", "first", "last"})


def _panel_key(el: lxml.html.HtmlElement) -> tuple[str, str, str]:
    """What tab panels of one tab box share: tag, class without state words (on/active/hide), and
    id without its number (con_1, con_2)."""
    cls = " ".join(sorted(t for t in (el.get("class") or "").split() if t.lower() not in _STATE_CLASSES))
    return el.tag, cls, re.sub(r"\d+", "", el.get("id") or "")


def _filled_sibling_tab(owner: lxml.html.HtmlElement, holds_titles: Callable[[lxml.html.HtmlElement], bool],
                        ) -> bool:
    """Whether a placeholder sits in one panel of a tab box whose other panels hold title links:
    "暂无数据" in an empty tab of four says nothing about the page."""
    el = owner
    for _ in range(5):
        parent = el.getparent()
        if parent is None or el.tag in ("body", "html"):
            return False
        key = _panel_key(el)
        for sib in parent:
            if sib is not el and is_element(sib) and _panel_key(sib) == key and holds_titles(sib):
                return True
        if holds_titles(parent):
            return False  # the placeholder sits beside links that are not tabs like it
        el = parent
    return False


def _blank(root: lxml.html.HtmlElement, chrome: ChromeIndex, main_text: str, links: list[str],
           holds_titles: Callable[[lxml.html.HtmlElement], bool] = lambda el: False) -> str | None:
    """Why a page without dated items or a body reads blank, or None: a placeholder in the main
    area (暂无信息, 共0条) that is not one empty tab beside filled ones, an empty list container
    (ul/table/datastore) where the main area holds no real links, or next to no text at all. `links`
    are the visible texts of non-chrome title links; `holds_titles` tells elements holding any."""
    for el in root.iter():
        if not is_element(el) or el.tag in ("script", "style", "title", "option", "textarea", "noscript"):
            continue
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if text and len(text.strip()) <= 40:
                mt = _PLACEHOLDER_RE.search(text)
                if mt and owner is not None and not chrome.is_chrome(owner) and not _filled_sibling_tab(
                        owner, holds_titles):
                    return f"placeholder: {mt.group(0)}"
    mt = _ZERO_COUNT_RE.search(main_text)
    if mt:
        return f"placeholder: {norm(mt.group(0))}"
    # a frameset, or a main area that embeds its content in an iframe, is read through the frames
    if root.find(".//frame") is not None or any(not chrome.is_chrome(f) for f in root.iter("iframe")):
        return None
    # Column names in a side menu are short; article titles are long. An empty list next to a menu
    # is still an empty column.
    titles = sum(1 for text in links if len(text) >= 10)
    for el in root.iter("ul", "ol", "table", "tbody", "dl"):
        if chrome.is_chrome(el) or not _empty_container(el):
            continue
        ident = f"{el.get('class') or ''} {el.get('id') or ''}"
        if DATASTORE_CLASS in ident or (_LISTISH_RE.search(ident) and titles < 3) or len(links) < 3:
            return "empty list"
    compact = re.sub(r"\s+", "", main_text)
    if len(compact) < 30:
        return "no content"
    return None


# ---- lists a script fills -----------------------------------------------------------------------

_LIST_JS_RE = re.compile(r"(?<!drop)list[^/]*\.js$", re.I)  # xxgkList.js, newslist.min.js, list.js
_PAGING_INPUTS = frozenset({"page", "pagesize", "page_size", "pageno", "page_no", "pageindex", "curpage",
                            "currpage", "currentpage", "pagenum", "totalpage", "totalpages", "rows"})
_XHR_WORDS = ("ajax", "$.get", "$.post", "getJSON", "XMLHttpRequest", "fetch", "axios", "jsonp", "callback=?")
_XHR_RE = re.compile(r"\$\.(?:ajax|get|post|getJSON)\s*\(|XMLHttpRequest|\bfetch\s*\(|axios|jsonp|callback=\?")
# a script that is a call writing a list where it stands: homelist('tzgg', 8); getNewsList("/zwyw/")
_LIST_CALL_RE = re.compile(r"\s*(?:<!--)?\s*[a-z_$][\w$]{0,40}list[\w$]{0,40}\s*\(", re.I)
_LIST_ENDPOINT_RE = re.compile(r"list|query|search|page|article|info|xxgk|getdata|channel|column|lm", re.I)
_MAX_LIST_CALL_SCRIPT = 4000  # a call that writes one list is a line or two; a bigger script is a library
_MAX_LIST_SCRIPT_SCAN = 64 * 1024  # of a script naming a request, the part searched for the list endpoint
_DATEISH_ROW_RE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}")


def _comment_rows(text: str) -> bool:
    """An HTML comment holding list rows (server rows commented out when the script list came)."""
    low = text.lower()
    return low.count("<a ") >= 2 and ("<li" in low or "<tr" in low) and bool(_DATEISH_ROW_RE.search(text))


def _has_empty_list(root: lxml.html.HtmlElement, chrome: ChromeIndex) -> bool:
    """Whether the content holds a list container (ul/ol/table/dl, or an empty div named like a
    list) without any text: the place a script fills."""
    for el in root.iter("ul", "ol", "table", "tbody", "dl", "div"):
        if el.tag == "div" and (len(el) or not _LISTISH_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}")):
            continue
        if _empty_container(el) and not chrome.is_chrome(el):
            return True
    return False


_APP_MOUNT_IDS = frozenset(("app", "root", "__nuxt", "__next", "main-app"))
_NOSCRIPT_JS_RE = re.compile(r"javascript|启用\s*js|开启\s*js|启用脚本|开启脚本", re.I)


def _app_shell(root: lxml.html.HtmlElement) -> bool:
    """A single-page app's shell: an empty mount point (<div id="app"></div>) and a <noscript> asking for
    JavaScript, with no link of its own to read. What a browser shows is all the script's."""
    if any(True for _ in root.iter("a")):
        return False
    if not any(_NOSCRIPT_JS_RE.search(el.text_content() or "") for el in root.iter("noscript")):
        return False
    return any((el.get("id") or "").lower() in _APP_MOUNT_IDS and _empty_container(el) for el in root.iter("div"))


def _script_list(root: lxml.html.HtmlElement, chrome: ChromeIndex,
                 holds_titles: Callable[[lxml.html.HtmlElement], bool], text_dated: bool) -> str | None:
    """Why the page's list is one a script fills and the tree shows unfilled, or None.

    An empty list container beside a list script (a *list*.js, hidden page/pageSize inputs,
    createPageHTML left in a comment, an XHR/JSONP call to a list endpoint) or beside the server's
    rows commented out; or an inline call that writes a list (<script>homelist('tzgg', 8)</script>)
    in a block that holds no title link. Once the browser has run the scripts, the container is
    filled (or shown empty: then it is blank) and the call sits beside the rows it wrote. A page
    whose rows are dated in their text already shows its lists: an empty box beside them (a widget
    a script fills) does not make it unread."""
    for script in root.iter("script"):
        body = script.text or ""
        if script.get("src") or not body or len(body) > _MAX_LIST_CALL_SCRIPT:
            continue
        if "list" not in body.lower() or not _LIST_CALL_RE.match(body) or "function" in body:
            continue
        parent = script.getparent()
        if parent is None or parent.tag in ("head", "html") or chrome.is_chrome(parent):
            continue
        if parent.tag == "body" or not holds_titles(parent):
            return "列表由页面脚本调用写出（如 homelist(…)），原始网页中没有"
    if text_dated:
        return None
    if _app_shell(root):
        return "页面由脚本生成（单页应用，挂载点为空，<noscript> 要求启用 JavaScript），原始网页中没有内容"
    empty: list[bool] = []

    def has_empty() -> bool:
        if not empty:
            empty.append(_has_empty_list(root, chrome))
        return empty[0]

    reason = _list_script_signal(root, has_empty)
    return reason if reason is not None and has_empty() else None


def _list_script_signal(root: lxml.html.HtmlElement, has_empty: Callable[[], bool]) -> str | None:
    """The sign that a script fills the page's empty list: a *list*.js, hidden paging inputs,
    createPageHTML or server rows in a comment, an XHR/JSONP call to a list endpoint (one walk;
    the XHR pattern runs only on scripts that name a request, and only once a list is empty)."""
    calls: list[str] = []
    for el in root.iter("script", "input", etree.Comment):
        tag = el.tag
        if tag == "script":
            src = el.get("src")
            if src:
                src = src.split("?", 1)[0]
                if _LIST_JS_RE.search(src):
                    return f"列表由脚本 {src.rsplit('/', 1)[-1][:60]} 生成，原始网页中列表为空"
            elif el.text and any(word in el.text for word in _XHR_WORDS):
                calls.append(el.text[:_MAX_LIST_SCRIPT_SCAN])
        elif tag == "input":
            if (el.get("type") or "").lower() == "hidden" and (
                    (el.get("name") or el.get("id") or "").lower() in _PAGING_INPUTS):
                return "列表由脚本按隐藏的分页参数（page/pageSize）读取生成，原始网页中列表为空"
        else:
            text = el.text or ""
            if "createPageHTML" in text:
                return "列表及分页由脚本生成（注释中有 createPageHTML），原始网页中列表为空"
            if _comment_rows(text):
                return "列表条目在网页注释中，页面显示的列表由脚本生成，原始网页中列表为空"
    if not calls or not has_empty():
        return None
    for body in calls:
        for mt in _XHR_RE.finditer(body):
            if _LIST_ENDPOINT_RE.search(body, mt.end(), mt.end() + 300):
                return "列表由脚本从接口读取（XHR/JSONP），原始网页中列表为空"
    return None


# ---- what kind of page -----------------------------------------------------------------------------

_HOME_PATH_RE = re.compile(r"^/?(?:(?:index|default|main|home|portal)(?:\.[a-z]{2,5})?)?$", re.I)
_SEARCH_RE = re.compile(r"search|sousuo|jsearch|/so/", re.I)
# what an entry page's links say: 进入主站, 门户网站, 镜像站点, IPv6站点 (not 网站首页: every menu has one)
_ENTRY_WORDS_RE = re.compile(r"进入|主站|门户|镜像|站点|中文版|简体版")
_INTO_WORDS_RE = re.compile(r"进入|主站|门户|中文版|简体版")
_GATEWAY_MAX_LINKS = 16
_GATEWAY_MAX_TEXT = 600


def _page_kind(url: str, document: bool, listed: bool, links: list[str], main_text: str, root: lxml.html.HtmlElement,
               resolver: Resolver) -> tuple[str, str | None]:
    """(page kind, the page a gateway leads to). A gateway is a site's entry page: at the site's
    root, a few section and mirror links (one saying 进入主站, 门户, 镜像站点 …), no dated list,
    little text; the site is read from the page it leads to (the link saying 进入/主站/门户, else
    its first same-site link)."""
    if document:
        return "article", None
    parts = urlsplit(url)
    if _SEARCH_RE.search(parts.path) or "搜索结果" in main_text[:3000] or "检索结果" in main_text[:3000]:
        return "search", None
    if not _HOME_PATH_RE.match(parts.path):
        return "column", None
    if listed or not 2 <= len(links) <= _GATEWAY_MAX_LINKS or len(re.sub(r"\s+", "", main_text)) > _GATEWAY_MAX_TEXT:
        return "home", None
    anchors = [(target, norm(a.text_content()) or norm(a.get("title"))) for a in root.iter("a")
               if (target := link_target(a, resolver)) and target != url]
    if not any(_ENTRY_WORDS_RE.search(text) for _, text in anchors):
        return "home", None  # a small home page, not an entry page
    target = next((u for u, text in anchors if _INTO_WORDS_RE.search(text)), None)
    if target is None:
        target = next((u for u, _ in anchors if urlsplit(u).netloc == parts.netloc), None)
    return "gateway", target


# ---- the page ------------------------------------------------------------------------------------


def extract_page(html: str, url: str, reference: date) -> PageExtract:
    """Everything one page says about itself, as observed (raw HTML: hidden tabs count, scripts do
    not run except the list-holding ones described in crawler._html.expand_script_lists). A huge
    page is read up to crawler.bounds.MAX_HTML_BYTES, and `cut` says so."""
    html, cut = bound_html(html)
    root = parse_html(html)
    if root is None:
        return PageExtract(url=url, title="", kind="other", blank=True, blank_reason="empty page", cut=cut)

    expand_script_lists(root)
    meta, extra, refresh_raw = _read_meta(root)
    resolver = Resolver(base_url(root, url))
    chrome = ChromeIndex(root)

    scanner = _ListScanner(root, resolver, reference, chrome, url)
    items = scanner.scan()

    row_ids = scanner.row_ids
    main_text = "".join(iter_text(root, lambda el: id(el) in row_ids or chrome.is_chrome(el)))
    page_fd, page_src = _page_date(root, meta, extra, html, reference, main_text)
    page_date = page_fd.value if page_fd else None

    article_meta = bool(meta.get("ArticleTitle") or meta.get("PubDate") or "firstpublishedtime" in extra
                        or (page_src == "script"))
    n = len(items)
    # a search answering with one result is a list of one, not the document it names
    listed = n >= 2 or (n == 1 and (scanner.list_rows >= 1 or bool(_SEARCH_RE.search(urlsplit(url).path))))
    body: list[bool] = []  # computed at most once, and only when the answer matters

    def has_body() -> bool:
        if not body:
            body.append(_has_body(root, chrome))
        return body[0]

    # An article's related-reading list (相关阅读, 关联稿件, 您可能感兴趣) names other documents: it
    # neither makes the page a list nor gives it entries.
    # (a page with many dated entries and no date of its own is a list: its blocks are not walked)
    maybe_article = article_meta or page_date is not None or len(items) <= _RELATED_MAX
    own = scanner.drop_related(items) if items and maybe_article else items
    if len(own) == len(items) or not (article_meta or has_body()):
        own = items  # nothing related, or a list page whose 相关栏目 entries stay its own
        if any(e.date_source != "url" for e in items):
            # but a recommendation block (您可能感兴趣) that shows no date beside a list that shows its
            # dates is not that list: its links are dated by their URLs alone
            kept = [e for e in items if e.date_source != "url" or scanner.drop_related([e])]
            if len(kept) < len(items):
                items = own = kept
                for position, entry in enumerate(items):
                    entry.position = position
    elif not (len(own) >= 2 or (own and scanner.list_rows >= 1)):
        listed = False
    if article_meta:
        kind = "article"
    elif page_date is not None and has_body():
        kind = "article"
    elif listed:
        kind = "list"
    elif page_date is not None or has_body():
        kind = "article"
    else:
        kind = "other"

    if kind == "article" and own is not items:
        items = own
        for position, entry in enumerate(items):
            entry.position = position
    # a date after the monitoring time point (a deadline, a scheduled meeting, a calendar's next
    # month) never makes a page fresh: the crawl cannot have seen a publication from the future
    horizon = reference + timedelta(days=1)
    if kind == "article":
        latest = page_date if page_date is None or page_date <= horizon else None
    elif items:
        latest = max((e.date for e in items if e.date is not None and e.date <= horizon), default=None)
    else:
        latest = page_date if page_date is None or page_date <= horizon else None

    # A list a script fills and the tree shows unfilled: its latest date is not read from the static
    # links left around it (a guide page whose URL carries 2020), only from rows dated in their text.
    text_dated = any(e.date_source != "url" for e in items)
    script_list = None if kind == "article" else _script_list(root, chrome, scanner.holds_titles, text_dated)
    if script_list is not None:
        shown = [e.date for e in items if e.date is not None and e.date_source != "url" and e.date <= horizon]
        latest = max(shown) if len(shown) >= 2 else None

    links = collect_links(root, resolver)
    document = kind == "article" and (article_meta or has_body())
    page_kind, entry_url = _page_kind(url, document, len(items) or script_list is not None, links, main_text, root,
                                      resolver)

    # Blank is a column judgment: pages with dated entries, an article body, or article metas
    # (ArticleTitle/PubDate: a document, even if its body was cut) are never blank columns, nor are
    # home pages, gateways and search pages.
    blank_reason = None
    if not items and not article_meta and page_kind == "column" and not has_body():
        seen: dict[str, str] = {}
        for anc in scanner.anchors:
            if anc.url not in seen and not chrome.is_chrome(anc.el):
                seen[anc.url] = anc.text or anc.attr
        blank_reason = _blank(root, chrome, main_text, list(seen.values()), scanner.holds_titles)

    refresh_url = resolver(refresh_raw) if refresh_raw else None

    return PageExtract(
        url=url,
        title=_title(root, meta),
        kind=kind,
        items=items,
        latest_date=latest,
        page_date=page_date,
        blank=blank_reason is not None,
        blank_reason=blank_reason,
        meta=meta,
        links=links,
        images=collect_images(root, resolver),
        page_count=_page_count(html),
        refresh_url=refresh_url,
        undated_count=len(scanner.undated_urls),
        page_date_source=page_src,
        cut=cut,
        script_list=script_list,
        page_kind=page_kind,
        entry_url=entry_url,
        root=root,
    )
