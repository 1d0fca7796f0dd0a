"""Finding a site's columns (栏目) in its navigation, and naming their indicator category.

The category table is data (`crawler/data/column_categories.yaml`) so an office can teach
govwatch its own column names without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import yaml
from lxml import html as lxml_html
from lxml.html import HtmlElement

from crawler import _html

NAV_HINT = re.compile(
    r"(^|[\s_-])(nav|navs|navbar|menu|menus|mainnav|topnav|daohang|dh|lanmu|lm|channel|column|subnav|"
    r"leftnav|left_nav|left-nav|sidenav|sidebar|side|left|sub|submenu|secnav|tab_menu|menu_list)"
    r"([\s_\-\d]|$)",
    re.I,
)
ARTICLE_URL = re.compile(
    r"(t20\d{6}_\d+|/art/\d{4}/|/content_\d+|/20\d{2}[-/]?\d{2}/\d{1,2}/|art_\d+_\d+|\d{8,}\.s?html?$)"
)
FILE_URL = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|bmp|mp4|mp3|wps|et|ofd|txt|apk)$", re.I)
SKIP_NAMES = {
    "首页", "网站首页", "返回首页", "主页", "english", "无障碍", "无障碍浏览", "长者模式", "关怀版", "登录",
    "注册", "繁体", "简体", "繁體", "设为首页", "加入收藏", "收藏本站", "网站地图", "联系方式", "更多", "more",
    "上一页", "下一页", "尾页", "末页", "打印", "关闭", "返回顶部", "手机版", "移动版", "ipv6",
}
MORE_TEXT = re.compile(r"^\s*(更多|more|更多>+|>>|》》|更多»|查看更多|more>+|\+)\s*$", re.I)
NAME_OK = re.compile(r"^[\u4e00-\u9fff\w·、（）()《》 ]{2,16}$")


@dataclass(frozen=True, slots=True)
class NavLink:
    name: str
    url: str  # as the site links it (absolute): the URL that is fetched and reported
    source: str  # "nav" | "more" | "cluster"

    @property
    def key(self) -> str:
        """One spelling per column page, to tell whether two links lead to the same column."""
        return normalize_url(self.url)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def categories() -> tuple[tuple[Category, ...], str]:
    data = yaml.safe_load(resources.files("crawler").joinpath("data/column_categories.yaml").read_text("utf-8"))
    cats = tuple(
        Category(c["id"], c["label"], tuple(c["keywords"]), tuple(c.get("exclude", ()))) for c in data["categories"]
    )
    return cats, data.get("default", "other")


def category_labels() -> dict[str, str]:
    cats, default = categories()
    return {c.id: c.label for c in cats} | {default: "其他"}


def classify(name: str, column_type: str | None = None) -> tuple[str, str]:
    """(category, source): the `ColumnType` meta wins where it names a category; else the name."""
    cats, default = categories()
    for text, source in ((column_type, "meta"), (name, "keyword")):
        if not text:
            continue
        for cat in cats:
            if any(k in text for k in cat.keywords) and not any(x in text for x in cat.exclude):
                return cat.id, source
    return default, "default"


def site_scope(url: str) -> str:
    """The part of a host that makes two URLs the same site: `*.xx.gov.cn`, or host:port for IPs."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        return parts.netloc.lower()
    labels = host.split(".")
    keep = 3 if host.endswith((".gov.cn", ".org.cn", ".com.cn", ".edu.cn", ".net.cn")) else 2
    return ".".join(labels[-keep:])


def same_site(url: str, scope: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    return parts.netloc.lower() == scope or host == scope or host.endswith("." + scope)


def normalize_url(url: str) -> str:
    """One spelling per column page: no fragment, `dir/index.html` is `dir/`."""
    url = urldefrag(url)[0]
    return re.sub(r"/(index|default)\.(s?html?|jsp|aspx?|php)$", "/", url, flags=re.I)


def _text(el: HtmlElement) -> str:
    return re.sub(r"\s+", "", el.text_content() or "")


def _anchor_name(a: HtmlElement) -> str:
    text = _text(a)
    if not text:
        text = re.sub(r"\s+", "", a.get("title") or "")
        if not text:
            imgs = a.xpath(".//img/@alt")
            text = re.sub(r"\s+", "", imgs[0]) if imgs else ""
    return text.strip("·•>》» ")


def _is_column_link(name: str, url: str, scope: str) -> bool:
    if not name or name.lower() in SKIP_NAMES or not NAME_OK.match(name):
        return False
    if not same_site(url, scope) or FILE_URL.search(urlsplit(url).path) or ARTICLE_URL.search(url):
        return False
    return True


def _in_nav(a: HtmlElement) -> bool:
    for anc in a.iterancestors():
        if anc.tag in ("nav",):
            return True
        if anc.tag in ("footer",):
            return False
        hint = f"{anc.get('class', '')} {anc.get('id', '')}"
        if hint.strip() and NAV_HINT.search(hint):
            if re.search(r"(foot|bottom|copyright|link|friend|yqlj)", hint, re.I):
                return False
            return True
        if anc.tag == "body":
            break
    return False


def _inside_row(el: HtmlElement, stop: HtmlElement) -> bool:
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc.tag in ("li", "tr", "dd"):
            return True
    return False


def _more_name(a: HtmlElement) -> str | None:
    """The section title a "更多" link belongs to: the first short heading-like text in its block,
    outside the list rows."""
    for anc in list(a.iterancestors())[:4]:
        for el in anc.iter("h1", "h2", "h3", "h4", "h5", "span", "strong", "b", "em", "a", "div", "p", "td"):
            if el is a or a in el.iterancestors() or el in a.iterancestors():
                continue
            if _inside_row(el, anc):
                continue
            text = _text(el)
            if text and len(text) <= 10 and NAME_OK.match(text) and not MORE_TEXT.match(text):
                return text
    return None


def _clusters(anchors: list, base_url: str, scope: str) -> set:
    """Anchors of navigation bars that carry no class or id hints (old table layouts): the smallest
    blocks holding four or more short same-site links and little text besides them."""
    candidates = [a for a in anchors if _is_column_link(_anchor_name(a), urljoin(base_url, a.get("href", "")), scope)]
    by_block: dict = {}
    for a in candidates:
        for block in a.iterancestors("td", "div", "ul", "p", "nav", "tr", "table"):
            by_block.setdefault(block, []).append(a)
            break
    chosen: set = set()
    for block, members in by_block.items():
        if len(members) < 4:
            continue
        link_text = sum(len(_text(a)) for a in members)
        if len(_text(block)) <= link_text * 1.5 + 2 * len(members):
            chosen.update(members)
    return chosen


def discover_columns(doc: HtmlElement, page_url: str, scope: str) -> list[NavLink]:
    """Column links of a page, in page order: navigation menus (by their class/id, or, where a page
    marks none, by their shape), and "更多" links named by their section title."""
    base = doc.xpath("//base/@href")
    base_url = urljoin(page_url, base[0]) if base else page_url
    anchors = [a for a in doc.xpath("//a[@href]")
               if not (a.get("href") or "").strip().startswith(("javascript:", "#", "mailto:", "tel:"))]
    names = {a: _anchor_name(a) for a in anchors}  # each anchor's name and address worked out once
    urls = {a: urljoin(base_url, (a.get("href") or "").strip()) for a in anchors}
    nav = {a for a in anchors if _in_nav(a)}
    if sum(_is_column_link(names[a], urls[a], scope) for a in nav) < 3:
        nav |= _clusters(anchors, base_url, scope)
    found: dict[str, NavLink] = {}
    page = normalize_url(page_url)
    for a in anchors:
        url = urls[a].split("#", 1)[0]
        name = names[a]
        if MORE_TEXT.match(name or "") or MORE_TEXT.match(a.get("title") or "x"):
            link = NavLink(_more_name(a) or "", url, "more")
        elif a in nav:
            link = NavLink(name, url, "nav")
        else:
            continue
        if link.key != page and link.key not in found and _is_column_link(link.name, url, scope):
            found[link.key] = link
    return list(found.values())


def parse_html(text: str) -> Any:
    """The same tolerant parse the extractor uses (stray </html>, leaked JSP); an empty document for
    an empty page."""
    return _html.parse_html(text) if text and text.strip() else lxml_html.document_fromstring("<html></html>")
