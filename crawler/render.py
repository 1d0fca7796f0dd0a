"""Reading pages the way an inspector's browser does, only where the plain fetch cannot decide.

`render_reason` says why a page must be seen in the browser before any verdict is drawn from it
(the decision is recorded with the column); `blocked_reason` tells an anti-bot wall from a dead
link; `snapshot` takes what the rendered page shows: its HTML, its frames, a screenshot, the layout
measurements and hidden links of the home page, and a crop around each word a content hit names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from config.vocabulary import reason
from crawler.bounds import bound_html
from crawler.extract import PageExtract
from crawler.linkcheck import visible_text

if TYPE_CHECKING:
    from playwright.async_api import Page

# Every pattern here runs over whole pages in the reactor thread: each is linear in the page (no lazy
# `.*?` spanning the page, no unbounded run before a test that can fail), and pages are cut first
# (crawler/bounds.py). A `document.cookie=` ... `location.reload` challenge is two searches, not one
# lazy match retried from every cookie assignment (quadratic on 500 KB of cookie scripts).
COOKIE_SET = re.compile(r"document\.cookie\s*=", re.I)
RELOAD = re.compile(r"location\.(?:reload|href|replace)|window\.location", re.I)
JS_REDIRECT = re.compile(r"(window\.|document\.|top\.|self\.)?location(\.href)?\s*(=|\.replace\(|\.assign\()", re.I)
SCRIPT_OPEN = re.compile(r"<script\b[^<>]{0,2000}>", re.I)
# Literal needles (found with str.find, fast) and, where the needle alone is not enough, the pattern
# that must match where the needle stands; over lower-cased script text.
_LIST_NEEDLES: tuple[tuple[str, re.Pattern[str] | None], ...] = (
    ("xmlhttprequest", None), ("fetch", re.compile(r"\bfetch\s*\(")),
    ("$.", re.compile(r"\$\.(?:ajax|get|post|getjson)\b")), (".load", re.compile(r"\.load\s*\(")),
    ("axios", None), ("innerhtml", None), ("appendchild", None),
    ("insertadjacenthtml", None), ("vue", re.compile(r"new\s+vue")), ("createapp", None),
    ("v-for=", None), ("{{", re.compile(r"\{\{\s*\w")),
)


def script_texts(html: str) -> list[str]:
    """The bodies of the page's closed <script> elements, in one linear pass."""
    low = html.lower()
    out: list[str] = []
    pos = 0
    while (mt := SCRIPT_OPEN.search(html, pos)) is not None:
        end = low.find("</script>", mt.end())
        if end == -1:
            break
        out.append(html[mt.end():end])
        pos = end + 9
    return out


def challenge_script(scripts: str) -> bool:
    """A cookie is set, then the page reloads or navigates: an anti-bot challenge."""
    mt = COOKIE_SET.search(scripts)
    return mt is not None and RELOAD.search(scripts, mt.end()) is not None


def obfuscated(scripts: str) -> bool:
    """A script carrying a long unbroken token (packed code or an encrypted payload), found in one linear pass."""
    return max(map(len, scripts.split()), default=0) >= 400


def list_script(scripts: str) -> bool:
    """Scripts that fetch or build the page's content (XHR, fetch, jQuery loads, innerHTML, Vue)."""
    low = scripts.lower()
    for needle, pattern in _LIST_NEEDLES:
        at = low.find(needle)
        while at != -1:
            if pattern is None:
                return True
            start = max(0, at - 16) if needle == "vue" else at  # the pattern starts before "vue"
            if pattern.search(low, start, at + len(needle) + 64):
                return True
            at = low.find(needle, at + 1)
    return False


IFRAME = re.compile(r"<i?frame\b[^<>]{0,2000}?\bsrc\s*=", re.I)
DOC_WRITE = re.compile(r"document\.write(?:ln)?\s*\(")
_LITERAL = r"(?:\"(?:[^\"\\\n]|\\.){0,4000}\"|'(?:[^'\\\n]|\\.){0,4000}')"
# document.write of string literals only (joined by +, or in unescape()): what it writes is in the raw
# page already (crawler._html expands dated ones into the tree), so the browser shows nothing more.
# Literals are bounded (a longer one is not taken as static), so each match costs at most 4000 characters.
STATIC_WRITE = re.compile(r"document\.write(?:ln)?\s*\(\s*(?:unescape\s*\(\s*)?" + _LITERAL
                          + r"(?:\s*\+\s*" + _LITERAL + r")*\s*\)?\s*\)")
WAF_WORDS = ("防火墙", "拦截", "安全威胁", "访问受限", "访问频繁", "请求过于频繁", "安全狗", "云锁", "人机验证",
             "滑动验证", "验证码", "Access Denied", "Forbidden", "Request blocked", "WAF", "Too Many Requests")
BLOCK_STATUSES = {403, 412, 429, 503, 521}
CHALLENGE_ROUNDS = 4


def render_reason(status: int | None, html: str | None, extract: PageExtract | None) -> str | None:
    """Why this page must be read in the browser, or None when the plain fetch is enough."""
    if html is None:
        return None
    html, _ = bound_html(html)
    scripts = " ".join(script_texts(html))
    if status in BLOCK_STATUSES and "<script" in html.lower():
        return "challenge page"
    if challenge_script(scripts) and len(visible_text(html)) < 300:
        return "challenge page"
    if len(scripts) > 2000 and obfuscated(scripts) and len(visible_text(html).strip()) < 20 \
            and "<a " not in html.lower():
        return "challenge page"  # nothing to read but obfuscated code to run: an anti-bot page (瑞数 and the like)
    if extract is not None and extract.script_list and extract.items:
        return extract.script_list  # the dated rows are what the script left, not the list
    if extract is not None and extract.items:
        return None
    if extract is not None and extract.refresh_url:
        return "meta refresh"
    if JS_REDIRECT.search(scripts) and len(visible_text(html)) < 200:
        return "JavaScript redirect"
    if IFRAME.search(html) and (extract is None or extract.blank or extract.kind != "article"):
        return "list in an iframe"  # an article (its own date, its body) is read without its frames
    if (list_script(scripts) or _writes_list(scripts)) and (
            extract is None or extract.blank or extract.kind != "article"):
        return "list built by script"
    if extract is not None and extract.script_list:
        return extract.script_list
    return None


def _writes_list(scripts: str) -> bool:
    """Whether a document.write writes what only running the script tells: a variable or a string
    joined to one. The badge nearly every government page writes (document.write(unescape(
    "%3Cspan id='_ideConac'…"))) and other literal strings are already in the raw page."""
    return any(not STATIC_WRITE.match(scripts, mt.start()) for mt in DOC_WRITE.finditer(scripts))


def blocked_reason(status: int | None, html: str | None) -> str | None:
    """An anti-bot answer (WAF page, challenge, rate limit) rather than a missing page."""
    if status not in BLOCK_STATUSES:
        return None
    if status in (412, 429):
        return f"HTTP {status}"
    text = html or ""
    if any(word in text for word in WAF_WORDS) or "<script" in text.lower():
        return f"HTTP {status} (WAF or challenge page)"
    if status == 403:
        return "HTTP 403"
    return None


# Measures the first screen of the home page: fixed/absolute floating boxes and the share of the
# viewport they cover, horizontal overflow, and images that did not load.
LAYOUT_JS = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const floating = [];
  for (const el of document.querySelectorAll('body *')) {
    const st = getComputedStyle(el);
    const floats = ['fixed', 'sticky'].includes(st.position) ||
      (st.position === 'absolute' && parseInt(st.zIndex || 0) >= 100);
    if (!floats) continue;
    if (st.display === 'none' || st.visibility === 'hidden' || parseFloat(st.opacity) === 0) continue;
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    const share = (w * h) / (vw * vh);
    if (share < 0.005) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    floating.push({selector: name, share: Math.round(share * 1000) / 1000});
  }
  const broken = [...document.images].filter(i => i.complete && i.naturalWidth === 0 && i.src).map(i => i.src);
  const overflow = Math.max(0, document.documentElement.scrollWidth - vw);
  return {viewport: [vw, vh], floating: floating,
          max_floating_share: floating.reduce((m, f) => Math.max(m, f.share), 0),
          horizontal_overflow_px: overflow, broken_images: broken.slice(0, 50)};
}"""


# Off-site links the rendered page does not show a reader, judged by the styles the browser computed
# (external stylesheets and scripts included, which the fetched HTML alone cannot tell): the words of
# `how` are those of crawler/observers/darklinks.py, with "（浏览器计算样式）" where only this saw it.
HIDDEN_LINKS_JS = r"""() => {
  const host = location.host, out = [];
  const vw = document.documentElement.scrollWidth, vh = document.documentElement.scrollHeight;
  const bg = el => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(c)) return c; } return 'rgb(255, 255, 255)'; };
  for (const a of document.querySelectorAll('a[href]')) {
    let url; try { url = new URL(a.href, location.href); } catch (e) { continue; }
    if (!/^https?:$/.test(url.protocol) || url.host === host) continue;
    const how = [];
    for (let e = a; e && e !== document.body; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.display === 'none') { how.push('display:none'); break; }
      if (st.visibility === 'hidden') { how.push('visibility:hidden'); break; }
      if (parseFloat(st.opacity) === 0) { how.push('opacity:0'); break; }
    }
    if (!how.length) {
      const r = a.getBoundingClientRect(), st = getComputedStyle(a);
      const left = r.left + scrollX, top = r.top + scrollY;
      if (r.width * r.height === 0 && a.getClientRects().length) how.push('零尺寸');
      else if (left + r.width <= 0 || top + r.height <= 0 || left >= vw || top >= vh) how.push('移出屏幕');
      if (parseFloat(st.fontSize) < 2) how.push('字号过小（font-size:' + st.fontSize + '）');
      if (a.textContent.trim() && st.color === bg(a)) how.push('文字颜色与背景相同（' + st.color + '）');
    }
    if (how.length) out.push({href: url.href, text: a.textContent.trim().slice(0, 100), how: how,
                              snippet: a.outerHTML.slice(0, 300)});
    if (out.length >= 200) break;
  }
  return out;
}"""


# Where a word first shows on the page (document coordinates), for a screenshot crop around it.
FIND_TEXT_JS = """(word) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(word);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + word.length);
    const r = range.getBoundingClientRect();
    if (r.width * r.height === 0) continue;
    return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
  }
  return null;
}"""
CROP_MARGIN = (240, 60)  # pixels of context left/right and above/below the word
MAX_CROPS = 10


@dataclass
class RenderedPage:
    url: str
    html: str
    frames: list[tuple[str, str]] = field(default_factory=list)  # (frame URL, frame HTML), child frames only
    screenshot: bytes | None = None
    layout: dict[str, Any] | None = None
    error: str | None = None
    hidden_links: list[dict[str, Any]] | None = None  # HIDDEN_LINKS_JS, where asked for
    crops: list[tuple[str, bytes]] = field(default_factory=list)  # (word, PNG around where it shows)


async def _crops(page: Page, words: list[str]) -> list[tuple[str, bytes]]:
    """A small screenshot around each word where the page shows it (the evidence of a content hit)."""
    from playwright.async_api import Error as PlaywrightError

    out = []
    size = await page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    for word in list(dict.fromkeys(words))[:MAX_CROPS]:
        try:
            box = await page.evaluate(FIND_TEXT_JS, word)
            if not box:
                continue
            x, y = max(0.0, box["x"] - CROP_MARGIN[0]), max(0.0, box["y"] - CROP_MARGIN[1])
            width = min(box["width"] + 2 * CROP_MARGIN[0], size[0] - x)
            height = min(box["height"] + 2 * CROP_MARGIN[1], size[1] - y)
            if width <= 0 or height <= 0:
                continue
            clip = {"x": x, "y": y, "width": width, "height": height}
            out.append((word, await page.screenshot(clip=clip, full_page=True, type="png", timeout=15000)))
        except PlaywrightError:
            continue
    return out


async def snapshot(page: Page, *, screenshot: bool, layout: bool, settle_ms: int = 300, idle: bool = True,
                   first_screen: bool = False,
                   crop_words: Callable[[str], list[str]] | None = None) -> RenderedPage:
    """What the browser shows now; the page is always closed afterwards.

    `idle=False` for a page the server sends whole (its lists are in the HTML): the navigation has
    already waited for the load event, so waiting for the network to fall quiet (up to 5 s of ads,
    counters and chat widgets) buys nothing. `first_screen`: the screenshot shows the viewport only
    (the layout checks' first screen), not the whole page."""
    from playwright.async_api import Error as PlaywrightError

    try:
        html = ""
        for _ in range(CHALLENGE_ROUNDS if idle else 1):
            # A challenge page sets its cookie and reloads: wait until what is shown is no longer it.
            try:
                if idle:
                    await page.wait_for_load_state("networkidle", timeout=5000)
                    if settle_ms:
                        await page.wait_for_timeout(settle_ms)
                html = await page.content()
            except PlaywrightError:
                continue  # navigating right now (the reload): look again
            if render_reason(None, html, None) != "challenge page":
                break
        if not html:
            html = await page.content()
        frames = []
        for frame in page.frames:
            if frame is page.main_frame or not frame.url.startswith("http"):
                continue
            try:
                frames.append((frame.url, await frame.content()))
            except PlaywrightError:
                continue
        shot = await page.screenshot(full_page=not first_screen, type="png", timeout=15000) if screenshot else None
        measured = await page.evaluate(LAYOUT_JS) if layout else None
        hidden = await page.evaluate(HIDDEN_LINKS_JS) if layout else None  # the home page, seen once
        words = crop_words(html) if crop_words is not None else []  # the hits of what is shown now
        crops = await _crops(page, words) if words else []
        return RenderedPage(page.url, html, frames, shot, measured, hidden_links=hidden, crops=crops)
    except PlaywrightError as exc:
        return RenderedPage(page.url, "", error=reason("browser", error=str(exc).splitlines()[0][:300]))
    finally:
        try:
            await page.close()
        except PlaywrightError:
            pass
