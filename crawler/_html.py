"""lxml helpers shared by the page extractors: parsing, page chrome (nav/header/footer) detection,
text walking, script-built lists (Hanweb datastore, document.write), links and base URLs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import islice
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

__all__ = [
    "parse_html",
    "norm",
    "is_element",
    "ChromeIndex",
    "iter_text",
    "expand_script_lists",
    "base_url",
    "resolve",
    "Resolver",
    "link_target",
    "collect_links",
    "collect_images",
    "BLOCK_TAGS",
]

_WS_RE = re.compile(r"\s+")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_END_TAGS_RE = re.compile(r"</(?:html|body)\s*>", re.I)

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul center "
    "ucapcontent".split()
)


def norm(text: str | None) -> str:
    """Whitespace collapsed (including full-width and non-breaking spaces) and stripped."""
    return _WS_RE.sub(" ", text).strip() if text else ""


def is_element(el: object) -> bool:
    """True for real elements (not comments or processing instructions, whose tag is a function)."""
    return isinstance(getattr(el, "tag", None), str)


def _drop_server_tags(html: str) -> str:
    """JSP/ASP source leaked into the page (saved templates) is not content: <% ... %> blocks go,
    in one pass (an unclosed "<%" keeps the rest)."""
    parts: list[str] = []
    pos = 0
    while (start := html.find("<%", pos)) != -1:
        end = html.find("%>", start + 2)
        if end == -1:
            break
        parts.append(html[pos:start])
        pos = end + 2
    parts.append(html[pos:])
    return "".join(parts)


# lexbor's serialization parsed with one element class for every tag: lxml.html's per-tag lookup is a
# Python call per element proxy (a tenth of reading a home page), and no reader here needs its form
# element classes.
_PARSER = etree.HTMLParser(remove_blank_text=False)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def _html5(html: str) -> lxml.html.HtmlElement | None:
    """The tree a browser builds (the HTML5 tree-construction rules, lexbor), as lxml elements:
    lexbor builds it, its serialization is well-formed, so libxml2 reads it back as it stands."""
    try:
        serialized = LexborHTMLParser(html).html
    except (ValueError, RuntimeError, SelectolaxError):
        return None
    if not serialized:
        return None
    try:
        return lxml.html.document_fromstring(serialized, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _libxml2(html: str) -> lxml.html.HtmlElement | None:
    """libxml2's own tolerant parse, only where lexbor fails (it never has on the corpus)."""
    html = _END_TAGS_RE.sub("", html)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        try:
            return lxml.html.fragment_fromstring(html, create_parent="div")
        except (etree.ParserError, ValueError):
            return None


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """The document root as a browser builds it, or None for an empty or unparseable page.

    Every page goes through the HTML5 tree construction (lexbor): unclosed <li>/<div>/<a>, a news
    block nested in the menu's last <li>, a stray </html> mid-page or an unclosed comment give the
    tree the inspector's browser shows, not libxml2's guess (which nests the rest of the page in an
    unclosed link, or stops at </html>). JSP/ASP source leaked into saved templates is dropped
    first; the XML declaration too (lxml refuses strings that carry one)."""
    if not html or not html.strip():
        return None
    if html.lstrip()[:5].lower() == "<?xml":
        html = _XML_DECL_RE.sub("", html, count=1)
    if "<%" in html:
        html = _drop_server_tags(html)
    root = _html5(html)
    return root if root is not None else _libxml2(html)


# ---- page chrome ---------------------------------------------------------------------------------

_CHROME_TAGS = frozenset({"nav", "header", "footer", "menu"})
# class/id tokens of navigation, headers, footers, breadcrumbs, link farms. Checked per token so
# "xxgk_pos" (a content block) is not "position", and "topcenter1" is not "top".
_CHROME_SUBSTR_RE = re.compile(
    r"nav|menu|footer|header|breadcrumb|crumb|copyright|daohang|dhlm|sitemap|yqlj|friend|toolbar|"
    r"topbar|banner|weizhi|dangqian|youqing|wzdt|bottom",
    re.I,
)
_CHROME_TOKEN_RE = re.compile(r"^(?:foot|foot[-_].*|.*[-_]foot|links?|.*[-_]links?|links?[-_].*|"
                              r"(?:.*[-_])?(?:position|location)(?:[-_].*)?|top|top[-_].*|head|head[-_].*)$",
                              re.I)


_ROW_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|(?<!\d)\d{2}-\d{2}(?!\d)")


# Widgets whose dates are today's or the calendar's, never a publication: calendars, date pickers,
# weather boxes, "today is …" clocks. Substrings where the word cannot be part of another (rili,
# calendar); whole tokens or their parts between - and _ where it can (today, but not todaynews).
_WIDGET_RE = re.compile(
    r"calendar|rili|datepicker|date-picker|laydate|weather|tianqi|"
    r"(?:^|[\s\-_])(?:today|jintian|nowdate|nowtime|curdate|curtime|currentdate|currenttime|clock|showtime|"
    r"showdate)(?:$|[\s\-_])", re.I)
_WEEK_ROW_RE = re.compile(r"^[\s日一二三四五六七]*$")


def _calendar_table(el: lxml.html.HtmlElement) -> bool:
    """A month grid: a table whose first row is the week's days, 日一二三四五六."""
    first = el.find(".//tr")
    if first is None:
        return False
    head = "".join(first.text_content().split())
    return len(head) == 7 and "日" in head and "六" in head and bool(_WEEK_ROW_RE.match(head))


def is_widget(el: lxml.html.HtmlElement) -> bool:
    """A calendar, date picker, weather or "today" widget, by class/id or a week-day header."""
    ident = f"{el.get('class') or ''} {el.get('id') or ''}"
    if ident != " " and _WIDGET_RE.search(ident):
        return True
    return el.tag == "table" and _calendar_table(el)


_MENU_RE = re.compile(r"nav|menu|daohang|dhlm", re.I)


class ChromeIndex:
    """Which elements sit in page chrome (navigation, header, footer, menus, breadcrumbs, link
    farms). Judgments about content (items, blank pages, page dates) ignore chrome: a footer
    "© 2019" or a menu must not make a page look dated or non-blank."""

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self._memo: dict[object, bool] = {}
        self._root = root
        body = root.find("body") if root.tag == "html" else root
        self._body = body if body is not None else root
        self._body_len: int | None = None

    def _own(self, el: lxml.html.HtmlElement) -> bool:
        tag = el.tag
        if tag in ("body", "html"):
            return False
        if tag in _CHROME_TAGS:
            return self._not_whole_page(el)
        if el.get("role") == "navigation":
            return True
        cls = el.get("class") or ""
        ident = el.get("id") or ""
        if not cls and not ident:
            return False
        hit = False
        for token in cls.split():
            if _CHROME_SUBSTR_RE.search(token):
                hit = True
                break
        if not hit and ident:
            hit = bool(_CHROME_SUBSTR_RE.search(ident) or _CHROME_TOKEN_RE.match(ident))
        if not hit:
            for token in cls.split():
                if tag not in ("li", "tr", "a", "span", "td", "img") and _CHROME_TOKEN_RE.match(token):
                    hit = True
                    break
        return hit and self._not_whole_page(el) and not self._holds_news(el)

    def _holds_news(self, el: lxml.html.HtmlElement) -> bool:
        """A menu whose last <li> never closed swallows the news block after it (old CMS templates):
        the browser draws that block below the menu, as content. A block holding three or more
        dated rows inside one of its own rows is such a swallowed block, not chrome."""
        tag = el.tag
        if tag not in ("ul", "ol", "nav", "menu") and not (
                tag in ("div", "td", "table") and _MENU_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}")):
            return False  # only a menu swallows what follows its unclosed last item
        if sum(1 for _ in islice(_ROW_DATE_RE.finditer(el.text_content()), 3)) < 3:
            return False
        for li in el.iter("li", "tr"):
            inner = 0
            for row in li.iter("li", "tr", "dd"):
                if row is li or row.find(".//a") is None:
                    continue
                text = row.text_content()
                if len(text) <= 200 and _ROW_DATE_RE.search(text):
                    inner += 1
                    if inner >= 3:
                        return True
        return False

    def _not_whole_page(self, el: lxml.html.HtmlElement) -> bool:
        """A wrapper holding most of the page is layout, not chrome, whatever its class says."""
        if self._body_len is None:
            self._body_len = len(self._body.text_content())
        if self._body_len < 2000:
            return True
        return len(el.text_content()) < 0.6 * self._body_len

    def is_chrome(self, el: lxml.html.HtmlElement) -> bool:
        return in_marked_ancestor(el, self._memo, lambda cur: is_element(cur) and self._own(cur))


def in_marked_ancestor(el: lxml.html.HtmlElement, memo: dict[object, bool],
                       marked: Callable[[lxml.html.HtmlElement], bool], *,
                       stop: Callable[[lxml.html.HtmlElement], bool] | None = None, depth: int | None = None) -> bool:
    """Whether `el` or an ancestor is `marked`, walking up until `stop` or `depth` elements; every element
    walked gets the answer in `memo`, so the links of one block cost one walk."""
    path: list[object] = []
    cur = el
    result = False
    while cur is not None and (stop is None or not stop(cur)) and (depth is None or len(path) < depth):
        known = memo.get(cur)
        if known is not None:
            result = known
            break
        path.append(cur)
        if marked(cur):
            result = True
            break
        cur = cur.getparent()
    for node in path:
        memo[node] = result
    return result


# ---- text ----------------------------------------------------------------------------------------

_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "select", "option", "textarea",
                             "head", "title", "iframe", "object"})


def iter_text(root: lxml.html.HtmlElement, skip: Callable[[lxml.html.HtmlElement], bool] | None = None,
              ) -> Iterator[str]:
    """Text nodes in document order, with a newline at block boundaries; subtrees for which `skip`
    is true (and scripts/styles) are left out, their tails kept."""
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag
        if closing:
            if tag in BLOCK_TAGS:
                yield "\n"
            if el is not root and el.tail:
                yield el.tail
            continue
        if not isinstance(tag, str):  # comment / processing instruction
            if el is not root and el.tail:
                yield el.tail
            continue
        if tag in _SKIP_TEXT_TAGS or (skip is not None and skip(el)):
            if el is not root and el.tail:
                yield el.tail
            continue
        if tag in BLOCK_TAGS:
            yield "\n"
        if el.text:
            yield el.text
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))


# ---- lists built by scripts ----------------------------------------------------------------------

_RECORD_OPEN_RE = re.compile(r"<record\b[^<>]{0,500}>", re.I)
_MAX_LIST_SCRIPT_CHARS = 1024 * 1024  # a script holding a list is tens of KB; a bigger one is code or data
_DOC_WRITE_RE = re.compile(
    r"document\.write(?:ln)?\s*\(\s*((?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
    r"(?:\s*\+\s*(?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'))*)\s*\)"
)
_JS_STRING_RE = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'")
_JS_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": ""}
_DATEISH_RE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}|\d{1,2}[-/]\d{2}|\d{1,2}月\d{1,2}日")

DATASTORE_CLASS = "gw-datastore"
DOCWRITE_CLASS = "gw-docwrite"


def _js_unescape(s: str) -> str:
    def sub(mt: re.Match[str]) -> str:
        code = mt.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _JS_SIMPLE.get(code, code)

    return _JS_ESCAPE_RE.sub(sub, s)


def _container_for(fragments: list[str], cls: str) -> lxml.html.HtmlElement:
    """Parse script-held HTML into one element: <ul> for <li> records, <table> for <tr> records."""
    joined = "".join(fragments)
    head = joined.lstrip()[:4].lower()
    if head.startswith("<tr"):
        wrapper = lxml.html.fragment_fromstring(f"<table>{joined}</table>")
    elif head.startswith("<li"):
        wrapper = lxml.html.fragment_fromstring(f"<ul>{joined}</ul>")
    else:
        wrapper = lxml.html.fragment_fromstring(joined, create_parent="div")
    wrapper.set("class", cls)
    return wrapper


def _records(body: str) -> list[str]:
    """The contents of a datastore's <record> elements (CDATA unwrapped), in one linear pass; an
    unclosed record ends the list."""
    low = body.lower()
    out: list[str] = []
    pos = 0
    while (mt := _RECORD_OPEN_RE.search(body, pos)) is not None:
        end = low.find("</record>", mt.end())
        if end == -1:
            break
        inner = body[mt.end():end].strip()
        if inner.startswith("<![CDATA[") and inner.endswith("]]>"):
            inner = inner[9:-3]
        out.append(inner)
        pos = end + 9
    return out


def expand_script_lists(root: lxml.html.HtmlElement) -> int:
    """Put lists that only scripts render into the tree where the browser would show them:
    Hanweb JCMS keeps list records in <script type="text/xml"><datastore><recordset><record>
    <![CDATA[<li>…</li>]]>; some templates document.write literal HTML. Returns how many datastores
    were found (an empty datastore becomes an empty list container, which reads blank)."""
    datastores = 0
    todo: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement, bool]] = []
    for script in root.iter("script"):
        body = script.text or ""
        if not body or script.get("src") or len(body) > _MAX_LIST_SCRIPT_CHARS:
            continue
        low = body[:4000].lower()
        if "<datastore" in low or "<recordset" in low:
            datastores += 1
            records = [r for r in _records(body) if r.strip()]
            try:
                container = _container_for(records, DATASTORE_CLASS) if records else None
            except (etree.ParserError, ValueError):
                container = None
            if container is None:
                container = lxml.html.Element("ul")
                container.set("class", DATASTORE_CLASS)
            todo.append((script, container, True))
        elif "document.write" in body:
            parts: list[str] = []
            for mt in _DOC_WRITE_RE.finditer(body):
                for s1, s2 in _JS_STRING_RE.findall(mt.group(1)):
                    parts.append(_js_unescape(s1 or s2))
            joined = "".join(parts)
            if "<a" in joined.lower() and _DATEISH_RE.search(joined):
                try:
                    todo.append((script, _container_for(parts, DOCWRITE_CLASS), False))
                except (etree.ParserError, ValueError):
                    continue
    for script, container, replace in todo:
        parent = script.getparent()
        if parent is None:
            continue
        if replace:
            container.tail = script.tail
            parent.replace(script, container)
        else:
            container.tail = script.tail
            script.tail = None
            script.addnext(container)
    return datastores


# ---- URLs ----------------------------------------------------------------------------------------

_JUNK_BASE_RE = re.compile(r"[<>{}\s'\"$]")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:", "sms:")


def base_url(root: lxml.html.HtmlElement, url: str) -> str:
    """The URL relative links resolve against: <base href> when it is a usable URL (templates leave
    junk such as "<%=basePath%>" in it), else the page URL."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if not href or _JUNK_BASE_RE.search(href):
            continue
        joined = urljoin(url, href)
        if urlsplit(joined).scheme in ("http", "https"):
            return joined
        break
    return url


def resolve(base: str, href: str | None) -> str | None:
    """An absolute http(s) URL without fragment, or None for script/mail/anchor-only links."""
    if not href:
        return None
    href = href.strip()
    if "\n" in href or "\r" in href or "\t" in href:
        href = href.replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href[0] == "#":
        return None
    if href[:4].lower() != "http" and href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        absolute = urljoin(base, href)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urldefrag(absolute)[0] if parts.fragment or absolute.endswith("#") else absolute


_PLAIN_PATH_RE = re.compile(r"^/(?!/)[^\s#\\]*$")
# a relative path without scheme, query-only form, dot segments, whitespace or fragment
_PLAIN_REL_RE = re.compile(r"(?![a-zA-Z][a-zA-Z0-9+.\-]*:)[^/?#\s\\.][^\s#\\]*$")
_PLAIN_ABS_RE = re.compile(r"^https?://[^/\s#\\?\[\]]+(?:[/?][^\s#\\]*)?$", re.I)


class Resolver:
    """resolve() with a per-page memo and fast paths (urljoin costs ~15 µs; a home page has
    hundreds of links): plain absolute URLs and root-relative paths without dot segments need no
    joining."""

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        ok = parts.scheme in ("http", "https") and bool(parts.netloc)
        self._origin = f"{parts.scheme}://{parts.netloc}" if ok else None
        # the base's directory, for "./x.html" and "x.html" (TRS lists are full of them)
        self._dir = self._origin + parts.path[: parts.path.rfind("/") + 1] if ok and parts.path else (
            self._origin + "/" if ok else None)
        self._memo: dict[str, str | None] = {}

    def __call__(self, href: str | None) -> str | None:
        if not href:
            return None
        try:
            return self._memo[href]
        except KeyError:
            pass
        out: str | None
        if self._dir and href.startswith("./") and _PLAIN_REL_RE.match(href, 2):
            out = self._dir + href[2:]
        elif "/." in href or "\\" in href or href.startswith("."):
            out = resolve(self.base, href)
        elif self._origin and _PLAIN_PATH_RE.match(href):
            out = self._origin + href
        elif _PLAIN_ABS_RE.match(href):
            out = href
        elif self._dir and _PLAIN_REL_RE.match(href):
            out = self._dir + href
        else:
            out = resolve(self.base, href)
        self._memo[href] = out
        return out


# Navigation written as script: window.open('…'), location.href = '…', location.assign/replace('…').
_JS_NAVIGATE_RE = re.compile(
    r"(?:\bopen|\blocation(?:\.href)?\s*=|\blocation\.(?:assign|replace))\s*\(?\s*(['\"])([^'\"]{1,500})\1")
_JS_STRING_ARG_RE = re.compile(r"(['\"])([^'\"\s]{1,500})\1")
# a string argument that reads as an address: absolute, root- or dot-relative, or a page/file name
_URLISH_RE = re.compile(r"^(?:https?://|/(?!/)|\.\.?/)|\.(?:s?html?|jsp|aspx?|php|pdf|docx?|xlsx?|wps|ofd)(?:\?|$)",
                        re.I)
# script links that name an address but do not go there (set as home page, bookmark, share)
_NOT_NAVIGATION_RE = re.compile(r"sethomepage|addfavorite|addpanel|addtofavorite|bookmark|share|behavior", re.I)


def _script_url(code: str, resolver: Resolver) -> str | None:
    """The address a script link opens: window.open('/art/…'), location.href='…', or a call such
    as openArticle('/art/2024/1/2/art_1_2.html') whose string argument reads as an address. A
    string joined to a variable ('/art/' + id) is not an address."""
    if not code or _NOT_NAVIGATION_RE.search(code):
        return None
    for rx in (_JS_NAVIGATE_RE, _JS_STRING_ARG_RE):
        for mt in rx.finditer(code):
            if code[mt.end():mt.end() + 20].lstrip().startswith("+") or code[:mt.start(1)].rstrip().endswith("+"):
                continue
            candidate = mt.group(2).strip()
            if rx is _JS_STRING_ARG_RE and not _URLISH_RE.search(candidate):
                continue
            target = resolver(candidate)
            if target:
                return target
    return None


def link_target(el: lxml.html.HtmlElement, resolver: Resolver) -> str | None:
    """Where a link goes, as a browser user who clicks it lands: its href, or, for
    href="javascript:;" / "#" / none, the address its onclick (or javascript: href) opens. Real
    list templates write rows as <a href="javascript:;" onclick="window.open('/art/…')">."""
    href = el.get("href")
    target = resolver(href)
    if target is not None:
        return target
    code = (href or "").strip()
    if code and code[0] != "#" and not code[:11].lower().startswith("javascript:"):
        return None  # mailto:, tel:, or an address that does not resolve
    onclick = el.get("onclick")
    if onclick:
        target = _script_url(onclick, resolver)
        if target:
            return target
    return _script_url(code[11:], resolver) if len(code) > 11 else None


def collect_links(root: lxml.html.HtmlElement, resolver: Resolver) -> list[str]:
    """Every absolute http(s) link target (a/area href or the address its onclick opens,
    iframe/frame src) in page order, once."""
    seen: set[str] = set()
    out: list[str] = []
    for el in root.iter("a", "area", "iframe", "frame"):
        target = link_target(el, resolver) if el.tag in ("a", "area") else resolver(el.get("src"))
        if target and target not in seen:
            seen.add(target)
            out.append(target)
    return out


def collect_images(root: lxml.html.HtmlElement, resolver: Resolver) -> list[str]:
    """Every absolute http(s) `<img src>` in page order, once (data: images need no check)."""
    seen: set[str] = set()
    out: list[str] = []
    for el in root.iter("img"):
        target = resolver(el.get("src"))
        if target and target not in seen:
            seen.add(target)
            out.append(target)
    return out
