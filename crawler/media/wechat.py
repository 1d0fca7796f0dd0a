"""WeChat 公众号: article pages (`var ct`, unix seconds), the history page's `msgList` and the
`profile_ext?action=getmsg` list (`comm_msg_info.datetime`, several articles per 群发 sharing it), and 搜狗微信
results (`timeConvert('…')`). An HTTP-200 captcha or an expired link is a failure, never "no posts"."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import httpx
import lxml.html

from crawler.media.common import Fetcher, covered_span, failed, failure_of, from_unix
from storage.media_repo import CollectionResult, PostSeen

SOURCE = "wechat"
_CT = re.compile(r"var\s+ct\s*=\s*\"(\d{9,11})\"")
_TITLE = re.compile(r"var\s+msg_title\s*=\s*(?:'([^']*)'|\"([^\"]*)\")")
_LINK = re.compile(r"var\s+msg_link\s*=\s*\"([^\"]*)\"")
_MSGLIST = re.compile(r"var\s+msgList\s*=\s*(\{.*?\});\s*\n", re.S)
_SOGOU_TIME = re.compile(r"timeConvert\('(\d{9,11})'\)")


def _clean_url(url: str | None) -> str | None:
    if not url:
        return None
    url = html.unescape(url.replace("\\/", "/"))
    return "https://mp.weixin.qq.com" + url if url.startswith("/") else url


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
    return PostSeen(published_at=from_unix(m[1]), title=title, url=_clean_url(link[1] if link else url) or url)


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
                                  url=_clean_url(article.get("content_url")),
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


def parse_sogou(text: str) -> list[PostSeen]:
    """搜狗微信 results: each `<li>` with a title link and `timeConvert('unix')`."""
    root = lxml.html.fromstring(text)
    posts: list[PostSeen] = []
    for li in root.xpath('//ul[contains(@class,"news-list")]/li | //div[contains(@class,"news-box")]//li'):
        script = " ".join(li.xpath(".//script/text()"))
        m = _SOGOU_TIME.search(script)
        link = li.xpath('.//h3//a | .//div[@class="txt-box"]//h3//a | .//dd/a')
        if not m or not link:
            continue
        account = li.xpath('.//a[contains(@class,"account")]/text() | .//p[@class="tit"]//a//text()')
        posts.append(PostSeen(published_at=from_unix(m[1]), title=link[0].text_content().strip() or None,
                              url=_clean_url(link[0].get("href")),
                              meta={"account": account[0].strip() if account else None}))
    return posts


def parse_album(payload: dict) -> list[PostSeen]:
    """合集 (appmsgalbum) JSON: `getalbum_resp.article_list[]` with `create_time`, `title`, `url`."""
    resp = payload.get("getalbum_resp") or payload
    items = resp.get("article_list") or []
    if isinstance(items, dict):
        items = [items]
    return [PostSeen(published_at=from_unix(a["create_time"]), title=a.get("title") or None,
                     url=_clean_url(a.get("url")), post_id=str(a.get("msgid") or "") or None)
            for a in items if a.get("create_time")]


def parse_backend(payload: dict) -> list[PostSeen]:
    """The office's own 公众平台 list (`appmsgpublish` / `list_ex`): `create_time` or `update_time`-less items."""
    items = payload.get("app_msg_list") or []
    return [PostSeen(published_at=from_unix(a.get("create_time") or a.get("update_time")),
                     title=a.get("title") or None, url=_clean_url(a.get("link")),
                     post_id=str(a.get("aid") or a.get("appmsgid") or "") or None)
            for a in items if a.get("create_time") or a.get("update_time")]


def classify(text: str, status_code: int = 200) -> tuple[str, str] | None:
    if status_code in (403, 412, 429):
        return "blocked", f"微信/搜狗拒绝访问（HTTP {status_code}）"
    if status_code == 404:
        return "not_found", "页面不存在（HTTP 404）"
    if status_code >= 400:
        return "error", f"页面出错（HTTP {status_code}）"
    return failure_of(text)


def collect_page(kind: str, url: str, *, fetcher: Fetcher, seen_at: datetime, account_name: str | None = None,
                 **params: object) -> CollectionResult:
    """Read one WeChat-side page: kind is article | history | sogou | album | backend."""
    source = f"{SOURCE}:{kind}"
    try:
        response = fetcher.get(url, **params)
    except httpx.HTTPError as exc:
        return failed(source, "error", f"连接失败：{type(exc).__name__}", url, fetcher)
    text = response.text
    hit = classify(text, response.status_code)
    if hit:
        return failed(source, hit[0], hit[1], url, fetcher)
    if kind == "article":
        post = parse_article(text, url)
        posts = [post] if post else []
    elif kind == "history":
        posts = parse_history(text)
    elif kind == "sogou":
        posts = parse_sogou(text)
        if account_name:
            posts = [p for p in posts if (p.meta or {}).get("account") in (None, account_name)]
    else:
        try:
            payload = response.json()
        except ValueError:
            return failed(source, "error", "返回的不是数据（不是 JSON）", url, fetcher)
        base = payload.get("base_resp") or {}
        if base.get("ret") not in (None, 0, "0"):
            status = "login_required" if kind == "backend" else "blocked"
            message = base.get("err_msg") or ""
            return failed(source, status, f"接口拒绝（ret={base.get('ret')}{'，' + message if message else ''}）",
                          url, fetcher)
        posts = parse_album(payload) if kind == "album" else parse_backend(payload)
    if not posts and kind in ("article", "history"):
        return failed(source, "error", "页面不含发布时间，无法核验", url, fetcher)
    # an article or a 搜狗 entry shows the latest post only, not a list without gaps: it covers no span
    complete = kind in ("history", "album", "backend")
    covered_from, covered_to = covered_span(posts, complete=False, seen_at=seen_at) if complete else (None, None)
    return CollectionResult(source=source, status="ok", posts=posts, covered_from=covered_from,
                            covered_to=covered_to, url=url, evidence=list(fetcher.kept) or None,
                            reason=None if complete else "只读到单篇或最新文章，不覆盖连续时段")
