"""WeChat 公众号 public pages: article pages (`var ct`, unix seconds), 合集 albums (`appmsgalbum … &f=json`), the
history page's `msgList` and the `profile_ext?action=getmsg` list a history link with `uin`/`key` allows
(`comm_msg_info.datetime`, several articles per 群发 sharing it). An HTTP-200 captcha, verify page, blocked
account or expired link is a failure with its Chinese reason, never "no posts"."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from urllib.parse import urljoin

import httpx
import lxml.etree
import lxml.html

from crawler.media.common import Fetcher, covered_span, failed, failure_of, from_unix, guarded, single_page
from storage.media_repo import CollectionResult, PostSeen

SOURCE = "wechat"
MP = "https://mp.weixin.qq.com"
_CT = re.compile(r"var\s+ct\s*=\s*\"(\d{9,11})\"")
_TITLE = re.compile(r"var\s+msg_title\s*=\s*(?:'([^']*)'|\"([^\"]*)\")")
_LINK = re.compile(r"var\s+msg_link\s*=\s*\"([^\"]*)\"")
_MSGLIST = re.compile(r"var\s+msgList\s*=\s*(\{.*?\});\s*\n", re.S)
ARTICLE_ONLY = ("只读到单篇文章，不是账号的发布列表，不覆盖连续时段"
                "（完整列表需要公众号后台登录：GOVWATCH_WECHAT_SESSION）")
ALBUM_ONLY = "合集只列出收入该合集的文章，不是账号的全部发布，不覆盖连续时段（完整列表需要公众号后台登录）"


def clean_url(url: str | None, *, escaped: bool = False, base: str = MP) -> str | None:
    """A link as the platform wrote it: JSON-escaped slashes undone; HTML entities undone once, only when the
    text is still escaped (JSON strings) — attribute values from the HTML parser already are; relative links
    against the page's own host."""
    if not url:
        return None
    url = url.replace("\\/", "/")
    if escaped:
        url = html.unescape(url)
    return urljoin(base.rstrip("/") + "/", url) if url.startswith("/") else url


def parse_article(text: str, url: str | None = None) -> PostSeen | None:
    """One article page → its post (publish time from `var ct`); None when the page has no `ct`."""
    m = _CT.search(text)
    if not m:
        return None
    title = None
    if t := _TITLE.search(text):
        title = html.unescape(t[1] or t[2] or "").strip() or None
    if not title:
        root = lxml.html.fromstring(text)
        node = root.xpath('//meta[@property="og:title"]/@content') or root.xpath("//title/text()")
        title = node[0].strip() if node else None
    link = _LINK.search(text)
    return PostSeen(published_at=from_unix(m[1]), title=title,
                    url=clean_url(link[1], escaped=True) if link and link[1] else url, text=article_text(text))


def article_text(page: str) -> str | None:
    """The article's body as a reader sees it (`#js_content`), lines kept; None when the page has none."""
    try:
        root = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return None
    nodes = root.xpath('//*[@id="js_content"]')
    if not nodes:
        return None
    for bad in nodes[0].xpath(".//script | .//style"):
        bad.drop_tree()
    lines = [" ".join(t.split()) for t in nodes[0].itertext()]
    return "\n".join(line for line in lines if line) or None


def _messages(items: list[dict]) -> list[PostSeen]:
    posts: list[PostSeen] = []
    for item in items:
        info = item.get("comm_msg_info") or {}
        when = info.get("datetime")
        if not when:
            continue
        published = from_unix(when)
        ext = item.get("app_msg_ext_info") or {}
        articles = [ext, *(ext.get("multi_app_msg_item_list") or [])] if ext else []
        if not articles:  # a text-only 群发
            posts.append(PostSeen(published_at=published, title=(info.get("content") or None),
                                  post_id=str(info.get("id")) if info.get("id") else None,
                                  meta={"msg_id": info.get("id")}))
            continue
        for index, article in enumerate(articles, start=1):
            if not (article.get("title") or article.get("content_url")):
                continue
            msg_id = info.get("id")
            posts.append(PostSeen(published_at=published, title=article.get("title") or None,
                                  text=html.unescape(article.get("digest") or "").replace("\\n", "\n") or None,
                                  url=clean_url(article.get("content_url"), escaped=True),
                                  post_id=f"{msg_id}-{index}" if msg_id else None,
                                  meta={"msg_id": msg_id, "idx": index}))
    return posts


def parse_history(text: str) -> list[PostSeen]:
    """The history page opened from 搜狗: `var msgList = {"list": [...]}` (the last 10 群发)."""
    m = _MSGLIST.search(text)
    if not m:
        return []
    raw = m[1]
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        data = json.loads(html.unescape(raw))
    return _messages(data.get("list") or [])


def parse_getmsg(payload: dict | list) -> list[PostSeen]:
    """`profile_ext?action=getmsg`: `general_msg_list` is a JSON string holding `list`; or the list itself."""
    if isinstance(payload, list):
        return _messages(payload)
    inner = payload.get("general_msg_list")
    if isinstance(inner, str):
        inner = json.loads(inner)
    return _messages((inner or {}).get("list") or [])


def album_articles(payload: dict) -> list[dict]:
    resp = payload.get("getalbum_resp") or payload
    items = resp.get("article_list") or []
    return [items] if isinstance(items, dict) else [a for a in items if isinstance(a, dict)]


def parse_album(payload: dict) -> list[PostSeen]:
    """合集 (appmsgalbum) JSON: `getalbum_resp.article_list[]` (an object when it holds one article) with
    `create_time` (a string), `title`, `url`."""
    return [PostSeen(published_at=from_unix(a["create_time"]), title=a.get("title") or None,
                     url=clean_url(a.get("url"), escaped=True),
                     post_id=f"{a.get('msgid')}-{a.get('itemidx') or 1}" if a.get("msgid") else None)
            for a in album_articles(payload) if str(a.get("create_time") or "").isdigit()]


def classify(text: str, status_code: int = 200) -> tuple[str, str] | None:
    if status_code in (403, 412, 429):
        return "blocked", f"微信拒绝访问（HTTP {status_code}）"
    if status_code == 404:
        return "not_found", "页面不存在（HTTP 404）"
    if status_code >= 400:
        return "error", f"页面出错（HTTP {status_code}）"
    return failure_of(text)


def _page(fetcher: Fetcher, url: str, **params: object) -> tuple[httpx.Response, tuple[str, str] | None]:
    response = fetcher.get(url, headers={"Referer": MP + "/"}, **params)
    hit = classify(response.text, response.status_code)
    if hit is None and "wappoc_appmsgcaptcha" in str(response.url):
        hit = ("captcha", "微信要求完成验证（验证页），未能读取")
    return response, hit


def collect_article(url: str, *, fetcher: Fetcher, seen_at: datetime, base: str = MP) -> CollectionResult:
    """One article page: its publish time, stored as a post; it covers no span."""
    source = f"{SOURCE}:article"
    full = urljoin(base.rstrip("/") + "/", url) if url.startswith("/") else url

    def work() -> CollectionResult:
        response, hit = _page(fetcher, full)
        if hit:
            return failed(source, hit[0], hit[1], full, fetcher)
        post = parse_article(response.text, full)
        if post is None:
            return failed(source, "error", "文章页面不含发布时间，无法核验", full, fetcher)
        return single_page(source, [post], full, fetcher, ARTICLE_ONLY, kinds=["article"])

    return guarded(source, full, fetcher, work, "微信")


def collect_history(url: str, *, fetcher: Fetcher, seen_at: datetime) -> CollectionResult:
    """The older history page with `var msgList` (the last 10 群发, not the whole list)."""
    source = f"{SOURCE}:history"

    def work() -> CollectionResult:
        response, hit = _page(fetcher, url)
        if hit:
            return failed(source, hit[0], hit[1], url, fetcher)
        posts = parse_history(response.text)
        if not posts:
            return failed(source, "error", "历史消息页面不含发布列表，无法核验", url, fetcher)
        covered_from, covered_to = covered_span(posts, complete=False, seen_at=seen_at)
        return CollectionResult(source=source, status="ok", posts=posts, covered_from=covered_from,
                                covered_to=covered_to, url=url, evidence=list(fetcher.kept) or None,
                                reason="历史消息页只列出最近的群发，覆盖其中最早一条以来的时段",
                                detail={"kinds": ["all"]})

    return guarded(source, url, fetcher, work, "微信")


def collect_album(base: str, params: dict, *, fetcher: Fetcher, seen_at: datetime, max_pages: int,
                  url: str | None = None) -> CollectionResult:
    """A public 合集 as its page asks for it: `appmsgalbum?action=getalbum&__biz&album_id&f=json&count=20`,
    further pages from the last item's `msgid`/`itemidx` while `continue_flag` is "1". The album lists only
    the articles put in it: posts stored, no span claimed for the account's posting."""
    source = f"{SOURCE}:album"
    api = url or base.rstrip("/") + "/mp/appmsgalbum"
    shown = api + ("&" if "?" in api else "?") + "&".join(f"{k}={v}" for k, v in params.items())

    def work() -> CollectionResult:
        posts: list[PostSeen] = []
        query = {**params, "f": "json", "count": 20}
        complete = False
        for _ in range(max(1, max_pages)):
            response, hit = _page(fetcher, api, **query)
            if hit:
                return failed(source, hit[0], hit[1], shown, fetcher, pages=len(posts))
            try:
                payload = response.json()
            except ValueError:
                return failed(source, "error", "合集接口返回的不是数据（不是 JSON），未能读取合集", shown, fetcher)
            base_resp = payload.get("base_resp") or {}
            ret = base_resp.get("ret")
            if ret not in (None, 0, "0"):
                return failed(source, "blocked", f"合集接口拒绝（ret={ret}），未能读取合集", shown, fetcher)
            items = album_articles(payload)
            posts.extend(parse_album(payload))
            resp = payload.get("getalbum_resp") or {}
            if str(resp.get("continue_flag", "0")) != "1" or not items:
                complete = True
                break
            last = items[-1]
            query = {**query, "begin_msgid": last.get("msgid"), "begin_itemidx": last.get("itemidx") or 1}
        if not posts:
            return failed(source, "not_found", "合集中没有读到文章，无法核验", shown, fetcher)
        return single_page(source, posts, shown, fetcher, ALBUM_ONLY, kinds=["album"], complete=complete)

    return guarded(source, shown, fetcher, work, "微信")


GETMSG_EXPIRED = "历史消息链接的 key 已失效（约30分钟有效），请在微信中重新打开该公众号的历史消息并复制链接"


def collect_getmsg(base: str, biz: str, session: dict, *, fetcher: Fetcher, seen_at: datetime,
                   max_pages: int) -> CollectionResult:
    """The history list the WeChat client reads (`profile_ext?action=getmsg`, 10 a page by `offset`), with the
    `uin`/`key` of a history link copied from the client. Complete when `can_msg_continue` is 0."""
    source = f"{SOURCE}:getmsg"
    api = base.rstrip("/") + "/mp/profile_ext"
    shown = f"{api}?action=getmsg&__biz={biz}"
    session = {k: v for k, v in session.items() if k != "__biz"}
    fetcher.secrets = sorted({*fetcher.secrets, *(v for k, v in session.items() if k != "uin" and v)},
                             key=len, reverse=True)

    def work() -> CollectionResult:
        posts: list[PostSeen] = []
        offset, complete, pages = 0, False, 0
        for _ in range(max(1, max_pages)):
            response, hit = _page(fetcher, api, action="getmsg", __biz=biz, f="json", offset=offset, count=10,
                                  is_ok=1, scene=124, **session)
            if hit:
                return failed(source, hit[0], hit[1], shown, fetcher)
            try:
                payload = response.json()
            except ValueError:
                return failed(source, "login_required", GETMSG_EXPIRED, shown, fetcher)
            ret = payload.get("ret")
            if ret not in (0, "0", None):
                status = "login_required" if ret in (-3, -6, 4, "-3") else "blocked"
                reason = GETMSG_EXPIRED if status == "login_required" else f"历史消息接口拒绝（ret={ret}）"
                return failed(source, status, reason, shown, fetcher)
            pages += 1
            posts.extend(parse_getmsg(payload))
            if not int(payload.get("can_msg_continue") or 0):
                complete = True
                break
            offset = int(payload.get("next_offset") or offset + 10)
        if not posts and not complete:
            return failed(source, "error", "历史消息接口没有返回发布列表，无法核验", shown, fetcher)
        covered_from, covered_to = covered_span(posts, complete=complete, seen_at=seen_at)
        return CollectionResult(source=source, status="ok", posts=posts, covered_from=covered_from,
                                covered_to=covered_to, url=shown, evidence=list(fetcher.kept) or None,
                                reason=None if complete else f"只读取了前 {pages} 页历史消息",
                                detail={"kinds": ["all"], "pages": pages, "complete": complete})

    return guarded(source, shown, fetcher, work, "微信")
