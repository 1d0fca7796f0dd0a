"""Public message boards (留言板, 信箱): the letters a list page shows (title, ask date, reply date,
status), what a letter's own page says, the board's statistics, and where its next page is.

Pure functions over HTML; the keyword lists are crawler/data/interaction.yaml ("board").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from crawler._html import ChromeIndex, Resolver, base_url, expand_script_lists, is_element, norm, parse_html
from crawler.dates import find_dates
from crawler.observers._common import anchor_text, data, has_any, visible_text

_TITLE_MIN = 4


@dataclass(slots=True)
class Letter:
    title: str
    url: str | None
    asked: date | None
    replied: date | None
    status: str  # answered | pending | unknown
    status_text: str | None = None

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data["asked"] = self.asked.isoformat() if self.asked else None
        data["replied"] = self.replied.isoformat() if self.replied else None
        return data


def _cfg() -> dict[str, Any]:
    return data("interaction")["board"]


def _label_re(labels: list[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, labels)) + r")\s*[:：]?\s*")


def _first_date(text: str, reference: date) -> date | None:
    found = find_dates(text, reference)
    return found[0].value if found else None


def _labelled_date(text: str, labels: list[str], reference: date) -> date | None:
    """The date written right after one of the labels ("回复时间：2023-11-18")."""
    for match in _label_re(labels).finditer(text):
        found = find_dates(text[match.end():match.end() + 40], reference)
        if found and text[match.end():match.end() + 40].find(found[0].text) <= 2:
            return found[0].value
    return None


def status_of(text: str) -> str:
    cfg = _cfg()
    if has_any(text, cfg["pending_words"]):
        return "pending"
    if has_any(text, cfg["answered_words"]):
        return "answered"
    return "unknown"


def _header(row: lxml.html.HtmlElement) -> list[str] | None:
    """The labels of the table a row sits in: its first row with <th>, or whose cells name the ask
    date, reply date or status."""
    table = row.getparent()
    if table is not None and table.tag in ("tbody", "thead"):
        table = table.getparent()
    if table is None or table.tag != "table":
        return None
    cfg = _cfg()
    words = cfg["ask_labels"] + cfg["reply_labels"] + cfg["status_labels"]
    for tr in table.iter("tr"):
        cells = [c for c in tr if is_element(c) and c.tag in ("th", "td")]
        labels = [norm(c.text_content()) for c in cells]
        if tr.find("th") is not None or (tr.find(".//a") is None and any(has_any(x, words) for x in labels)):
            return labels if tr is not row else None
    return None


def _row_of(a: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    el = a.getparent()
    depth = 0
    while el is not None and depth < 5:
        if el.tag in ("tr", "li", "dd", "dl"):
            return el
        if el.tag in ("ul", "ol", "table", "tbody", "body"):
            return None
        el = el.getparent()
        depth += 1
    return None


def parse_letters(html: str, url: str, reference: date) -> list[Letter]:
    """The letters a board's list page shows, in page order."""
    root = parse_html(html)
    if root is None:
        return []
    expand_script_lists(root)
    cfg = _cfg()
    resolve = Resolver(base_url(root, url))
    chrome = ChromeIndex(root)
    letters: list[Letter] = []
    seen: set[str] = set()
    for a in root.iter("a"):
        title = anchor_text(a)
        if len(title) < _TITLE_MIN or chrome.is_chrome(a):
            continue
        row = _row_of(a)
        if row is None or len([x for x in row.iter("a") if len(anchor_text(x)) >= _TITLE_MIN]) != 1:
            continue
        href = resolve(a.get("href"))
        row_text = norm(" ".join(norm(t) for t in row.itertext()))
        outside = row_text.replace(norm(a.text_content()), " ", 1)
        asked = replied = None
        status_text = None
        labels = _header(row) if row.tag == "tr" else None
        if labels:
            cells = [c for c in row if is_element(c) and c.tag in ("td", "th")]
            for label, cell in zip(labels, cells, strict=False):
                text = norm(cell.text_content())
                if a in cell.iter("a"):
                    continue
                if has_any(label, cfg["reply_labels"]):
                    replied = replied or _first_date(text, reference)
                elif has_any(label, cfg["ask_labels"]):
                    asked = asked or _first_date(text, reference)
                elif has_any(label, cfg["status_labels"]):
                    status_text = text or None
        if asked is None:
            asked = _labelled_date(outside, cfg["ask_labels"], reference)
        if replied is None:
            replied = _labelled_date(outside, cfg["reply_labels"], reference)
        if asked is None and not labels:
            found = find_dates(outside, reference)
            if found:
                asked = found[0].value
                if replied is None and len(found) > 1:
                    replied = found[1].value
        status = status_of(status_text or outside)
        if status_text is None:
            words = [w for w in cfg["answered_words"] + cfg["pending_words"] if w in outside]
            status_text = words[0] if words else None
        if asked is None and status == "unknown":
            continue  # a link without a date or a status: not a letter
        if replied is not None and status == "unknown":
            status = "answered"
        ident = href or title
        if ident in seen:
            continue
        seen.add(ident)
        letters.append(Letter(title, href, asked, replied, status, status_text))
    return letters


def read_letter(html: str, reference: date) -> tuple[date | None, date | None, str]:
    """(asked, replied, status) from a letter's own page."""
    root = parse_html(html)
    text = visible_text(root)
    cfg = _cfg()
    asked = _labelled_date(text, cfg["ask_labels"], reference)
    replied = _labelled_date(text, cfg["reply_labels"], reference)
    status = status_of(text)
    if replied is not None:
        status = "answered"
    elif status == "unknown" and has_any(text, cfg["reply_words"]):
        status = "answered"
    return asked, replied, status


def statistics(html: str) -> str | None:
    """The board's statistics (信件统计) as shown, or None."""
    root = parse_html(html)
    for line in visible_text(root).split("\n"):
        if has_any(line, _cfg()["statistics_words"]):
            return line[:120]
    return None


def next_page(html: str, url: str, page_count: int | None, page_no: int) -> str | None:
    """The URL of page `page_no + 1`: a TRS createPageHTML board (index_1.html ...), or the link
    named 下一页."""
    if page_count is not None and page_count > page_no:
        path = urlsplit(url).path
        match = re.search(r"/(index|default)(_\d+)?\.(s?html?)$", path)
        if match:
            head = url[: url.rfind("/") + 1]
            return f"{head}{match.group(1)}_{page_no}.{match.group(3)}"
        if path.endswith("/"):
            return f"{url.split('?')[0]}index_{page_no}.html"
    root = parse_html(html)
    if root is None:
        return None
    resolve = Resolver(base_url(root, url))
    for a in root.iter("a"):
        if anchor_text(a) in _cfg()["next_page_words"]:
            target = resolve(a.get("href"))
            if target and target != url:
                return target
    return None
