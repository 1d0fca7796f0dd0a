"""Dark links (暗链): off-site links a reader cannot see, hidden by CSS (display:none, visibility,
off-screen positioning, zero size, colour equal to the background, tiny fonts, the `hidden`
attribute) or written by a script; and what a page shows a search-engine spider but not a browser
(cloaking). It records each link with how it was hidden and the words that make it suspect; the
rules decide what it counts for.

Styles are read from inline `style` attributes and from the page's own <style> blocks (class and id
selectors); external stylesheets are not fetched (a link hidden only by one is not seen).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
PX_RE = re.compile(r"^\s*(-?\d{1,6}(?:\.\d{1,3})?)\s*(px|em|pt|rem|%)?")
SCRIPT_HREF_RE = re.compile(r"""href\s*=\s*\\?["']?(https?://[^"'\\\s>]{1,300})""", re.I)
WRITES = ("document.write", "innerHTML", "insertAdjacentHTML")
COLOR_NAMES = {"white": "#ffffff", "black": "#000000", "#fff": "#ffffff", "#000": "#000000"}


def _decls(text: str) -> dict[str, str]:
    found = {}
    for decl in (text or "").split(";"):
        name, colon, value = decl.partition(":")
        if colon:
            found[name.strip().lower()] = value.strip().lower()
    return found


def _px(value: str) -> float | None:
    m = PX_RE.match(value or "")
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2) or "px"
    return number * 16 if unit in ("em", "rem") else number * 1.33 if unit == "pt" else number if unit == "px" else None


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace("!important", "").strip()
    return COLOR_NAMES.get(value, value)


@dataclass(slots=True)
class StyleSheet:
    """The page's own <style> rules by class and id (simple selectors; the last rule wins). Rule
    bodies are kept raw and read only for the classes and ids a suspect link's ancestors carry."""

    by_class: dict[str, list[str]] = field(default_factory=dict)
    by_id: dict[str, list[str]] = field(default_factory=dict)
    _read: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, root: lxml.html.HtmlElement) -> StyleSheet:
        sheet = cls()
        for style in root.iter("style"):
            # one pass over the blocks (split, not a backtracking rule pattern): linear in the sheet's size
            for block in COMMENT_RE.sub("", style.text or "").split("}"):
                head, brace, body = block.rpartition("{")
                if not brace:
                    continue
                for selector in head.split("{")[-1].split(","):
                    last = selector.strip().split()[-1] if selector.strip() else ""
                    for part in re.findall(r"[.#][\w-]{1,80}", last):
                        table = sheet.by_class if part[0] == "." else sheet.by_id
                        table.setdefault(part[1:], []).append(body)
        return sheet

    def _rules(self, table: dict[str, list[str]], kind: str, name: str) -> dict[str, str]:
        if (kind, name) not in self._read:
            decls: dict[str, str] = {}
            for body in table.get(name, ()):
                decls.update(_decls(body))
            self._read[(kind, name)] = decls
        return self._read[(kind, name)]

    def style(self, el: lxml.html.HtmlElement) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in (el.get("class") or "").split():
            if name in self.by_class:
                found.update(self._rules(self.by_class, ".", name))
        if el.get("id") in self.by_id:
            found.update(self._rules(self.by_id, "#", el.get("id")))
        found.update(_decls(el.get("style") or ""))
        return found


def hidden_how(style: dict[str, str], el: lxml.html.HtmlElement) -> list[str]:
    """The ways one element's own style hides it (in the users' words)."""
    how = []
    if el.get("hidden") is not None:
        how.append("hidden 属性")
    if style.get("display", "").startswith("none"):
        how.append("display:none")
    if style.get("visibility", "").startswith(("hidden", "collapse")):
        how.append("visibility:hidden")
    if style.get("opacity", "").startswith("0") and (_px(style["opacity"]) or 0) == 0:
        how.append("opacity:0")
    if style.get("position", "").startswith(("absolute", "fixed")):
        for side in ("left", "top", "right", "bottom", "margin-left", "margin-top"):
            v = _px(style.get(side, ""))
            if v is not None and v <= -500:
                how.append(f"移出屏幕（{side}:{style[side]}）")
                break
    indent = _px(style.get("text-indent", ""))
    if indent is not None and indent <= -500:
        how.append(f"移出屏幕（text-indent:{style['text-indent']}）")
    for side in ("width", "height"):
        v = _px(style.get(side, ""))
        if v is not None and v <= 1 and style.get("overflow", "").startswith("hidden"):
            how.append(f"零尺寸（{side}:{style[side]}，overflow:hidden）")
            break
    size = _px(style.get("font-size", ""))
    if size is not None and size <= 2:
        how.append(f"字号过小（font-size:{style['font-size']}）")
    return how


def is_off_site(host: str, site_host: str, trusted: list[str]) -> bool:
    if not host or host == site_host or host.endswith("." + site_host.split(":")[0]):
        return False
    bare = host.split(":")[0]
    return not any(bare == t.lstrip(".") or bare.endswith(t if t.startswith(".") else "." + t) for t in trusted)


@dataclass(slots=True)
class DarkLink:
    href: str
    text: str
    how: list[str]
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {"href": self.href, "text": self.text, "how": self.how, "snippet": self.snippet}


def hidden_links(root: lxml.html.HtmlElement, page_url: str, trusted: list[str]) -> Iterator[DarkLink]:
    """Off-site links a reader cannot see, each with every way it is hidden (itself or an ancestor)."""
    sheets: list[StyleSheet] = []  # read on the first suspect link only (most pages have none)
    site_host = urlsplit(page_url).netloc.lower()
    # keyed by the element itself: lxml's proxies are reused once freed, so id() would mix elements up
    memo: dict[lxml.html.HtmlElement, tuple[list[str], str | None, str | None]] = {}

    def chain(el: lxml.html.HtmlElement) -> tuple[list[str], str | None, str | None]:
        """(how hidden, text colour, background colour) inherited down to `el`."""
        if el in memo:
            return memo[el]
        parent = el.getparent()
        how, colour, background = chain(parent) if parent is not None else ([], None, None)
        if not sheets:
            sheets.append(StyleSheet.of(root))
        style = sheets[0].style(el)
        own = hidden_how(style, el)
        colour = _colour(style.get("color")) or colour
        background = _colour(style.get("background-color") or style.get("background")) or background
        memo[el] = ([*how, *own], colour, background)
        return memo[el]

    for a in root.iter("a"):
        raw = (a.get("href") or "").strip()
        if "//" not in raw:
            continue  # relative: on this site (most links of a page; no URL parsing for them)
        href = urljoin(page_url, raw)
        host = urlsplit(href).netloc.lower()
        if not href.startswith(("http://", "https://")) or not is_off_site(host, site_host, trusted):
            continue
        how, colour, background = chain(a)
        if colour and background and colour == background:
            how = [*how, f"文字颜色与背景相同（{colour}）"]
        if not how:
            continue
        text = re.sub(r"\s+", "", a.text_content() or "") or (a.get("title") or "")
        snippet = lxml.html.tostring(a, encoding="unicode", with_tail=False)[:300]
        yield DarkLink(href, text[:100], sorted(set(how), key=how.index), snippet)
    for script in root.iter("script"):
        code = script.text or ""
        if not any(w in code for w in WRITES):
            continue
        for m in SCRIPT_HREF_RE.finditer(code):
            host = urlsplit(m.group(1)).netloc.lower()
            if is_off_site(host, site_host, trusted):
                start = max(0, m.start() - 80)
                yield DarkLink(m.group(1), "", ["由脚本写入"], code[start:m.end() + 120])


def off_site_links(root: lxml.html.HtmlElement, page_url: str, trusted: list[str]) -> dict[str, str]:
    """Every off-site link of a page (href -> its text): what a cloaking diff compares."""
    site_host = urlsplit(page_url).netloc.lower()
    found: dict[str, str] = {}
    for a in root.iter("a"):
        raw = (a.get("href") or "").strip()
        if "//" not in raw:
            continue
        href = urljoin(page_url, raw)
        if href.startswith(("http://", "https://")) and is_off_site(urlsplit(href).netloc.lower(), site_host,
                                                                       trusted):
            found.setdefault(href, re.sub(r"\s+", "", a.text_content() or "")[:100])
    return found
