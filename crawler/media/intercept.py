"""Douyin, Toutiao, Kuaishou, Bilibili: the account's public page rendered in Chromium; the posts come from the
list the page itself requests (its own signed request), read from the intercepted JSON responses. No signing
code of ours. One generic collector, configured per platform by the URL pattern of the list and the fields."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.chromium import SAFE_CONTEXT_OPTIONS, guard_context
from crawler.evidence import EvidenceStore
from crawler.media.common import covered_span, failure_of, from_unix
from storage.media_repo import CollectionResult, PostSeen

if TYPE_CHECKING:
    from playwright.async_api import Browser
    from playwright.async_api import Response as PlaywrightResponse


@dataclass(frozen=True)
class Platform:
    name: str
    page: str  # the public page, "{base}" and "{id}" filled in
    list_pattern: str  # regex on the URL of the list request the page makes
    parse: Callable[[dict], list[PostSeen]]
    refused: Callable[[dict], tuple[str, str] | None]
    kinds: tuple[str, ...] = ("all",)  # the kinds of post its list lists; ("all",): every post of the account


NOT_JSON = "not-json"  # a list answer that was not JSON (an empty or WAF page)


def _items(payload: dict, *path: str) -> list[dict]:
    node = payload
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return []
    return node if isinstance(node, list) else []


def parse_douyin(payload: dict) -> list[PostSeen]:
    return [PostSeen(published_at=from_unix(a["create_time"]), title=(a.get("desc") or None),
                     text=a.get("desc") or None, post_id=str(a.get("aweme_id")), url=f"https://www.douyin.com/video/{a.get('aweme_id')}",
                     pinned=bool(a.get("is_top")))
            for a in _items(payload, "aweme_list") if a.get("create_time")]


TOUTIAO_PATHS = {0: "video", 49: "video", 32: "w"}  # cell_type -> URL path; other cells are articles


def parse_toutiao(payload: dict) -> list[PostSeen]:
    """`api/pc/list/feed` cells: `publish_time` is the publish time. `behot_time` is when the cell entered the
    feed, never a publish time: a cell without publish_time (or create_time) is not taken as a post."""
    posts = []
    for a in _items(payload, "data"):
        when = a.get("publish_time") or a.get("create_time")
        if not when:
            continue
        gid = str(a.get("group_id") or a.get("item_id") or a.get("id") or "") or None
        url = a.get("display_url") or a.get("share_url") or a.get("article_url")
        if not url and gid:
            url = f"https://www.toutiao.com/{TOUTIAO_PATHS.get(a.get('cell_type'), 'article')}/{gid}/"
        title = a.get("title") or a.get("abstract") or (a.get("content") or "")[:60] or None
        text = "\n".join(t for t in dict.fromkeys([a.get("abstract") or "", a.get("content") or ""]) if t) or None
        posts.append(PostSeen(published_at=from_unix(when), title=title, post_id=gid, url=url, text=text,
                              pinned=bool(a.get("is_stick") or a.get("stick_label") == "置顶")))
    return posts


def parse_kuaishou(payload: dict) -> list[PostSeen]:
    feeds = _items(payload, "data", "visionProfilePhotoList", "feeds") or _items(payload, "feeds")
    posts = []
    for f in feeds:
        photo = f.get("photo") or f
        if photo.get("timestamp"):
            posts.append(PostSeen(published_at=from_unix(photo["timestamp"]), title=photo.get("caption") or None,
                                  text=photo.get("caption") or None,
                                  post_id=str(photo.get("id") or "") or None,
                                  pinned=bool(photo.get("profileUserTopPhoto") or photo.get("isTop")
                                              or f.get("isTop") or photo.get("tags") == "置顶")))
    return posts


def parse_bilibili(payload: dict) -> list[PostSeen]:
    """`x/space/wbi/arc/search` (vlist[].created), `x/space/top/arc` (the pinned one), app archive cursor
    (item[].ctime, not in time order)."""
    data = payload.get("data") or {}
    if not isinstance(data, dict):
        return []
    posts = []
    for v in ((data.get("list") or {}).get("vlist") or []):
        if v.get("created"):
            posts.append(PostSeen(published_at=from_unix(v["created"]), title=v.get("title") or None,
                                  text=v.get("description") or None,
                                  post_id=v.get("bvid") or str(v.get("aid")), url=f"https://www.bilibili.com/video/{v.get('bvid')}",
                                  pinned=bool(v.get("is_top"))))
    for v in data.get("item") or []:
        if v.get("ctime"):
            bvid = v.get("bvid") or v.get("param")
            posts.append(PostSeen(published_at=from_unix(v["ctime"]), title=v.get("title") or None, post_id=str(bvid),
                                  url=f"https://www.bilibili.com/video/{bvid}"))
    if data.get("bvid") and data.get("pubdate"):  # top/arc: the one pinned video
        posts.append(PostSeen(published_at=from_unix(data["pubdate"]), title=data.get("title") or None,
                              text=data.get("desc") or None,
                              post_id=data["bvid"], url=f"https://www.bilibili.com/video/{data['bvid']}", pinned=True))
    return posts


def _code_refusal(payload: dict) -> tuple[str, str] | None:
    code = payload.get("code", payload.get("status_code", payload.get("err_no", 0)))
    if code == NOT_JSON:
        return "blocked", "发布列表请求的回答不是数据（空页面或拦截页），未能读取发布列表"
    if code in (0, "0", None, 53016):  # 53016: no pinned video
        return None
    if code in (-352, -412, 412, -403):
        return "blocked", f"平台风控拒绝了列表请求（code {code}），未能读取发布列表"
    if code in (-101, 8, "8"):
        return "login_required", f"平台要求登录（code {code}）"
    if code in (-404, 404, 2053):
        return "not_found", f"账号不存在（code {code}）"
    return "error", f"平台返回错误（code {code}：{payload.get('message') or payload.get('status_msg') or ''}）"


PLATFORMS: dict[str, Platform] = {
    "douyin": Platform("douyin", "{base}/user/{id}", r"/aweme/v1/web/aweme/post/", parse_douyin, _code_refusal),
    "toutiao": Platform("toutiao", "{base}/c/user/token/{id}/", r"/api/pc/list/(user/)?feed|/pgc/ma/|/api/pc/feed",
                        parse_toutiao, _code_refusal),
    "kuaishou": Platform("kuaishou", "{base}/profile/{id}", r"/graphql|/rest/v/profile/feed", parse_kuaishou,
                         _code_refusal),
    # the space's video tab: videos only (the dynamics feed, crawler/media/bilibili.py, lists every post)
    "bilibili:videos": Platform("bilibili:videos", "{base}/{id}/upload/video", r"/x/space/(wbi/)?arc/search|"
                                r"/x/space/top/arc|/x/v2/space/archive/cursor", parse_bilibili, _code_refusal,
                                kinds=("video",)),
}


DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@dataclass
class PageRead:
    """What the rendered page gave: its answer, its final HTML and the list responses it received."""

    url: str
    status: int = 0
    text: str = ""
    payloads: list[tuple[str, dict, bytes]] = field(default_factory=list)
    error: str | None = None


async def read_page(browser: Browser, platform: Platform, account_key: str, *, base: str,
                    wait_ms: int = 8000) -> PageRead:
    """Open the public page in a fresh context of the (shared) Chromium; keep the list responses it receives."""
    url = platform.page.format(base=base.rstrip("/"), id=account_key)
    pattern = re.compile(platform.list_pattern)
    read = PageRead(url)
    grabs: list[asyncio.Task] = []

    async def grab(response: PlaywrightResponse) -> None:
        body = b""
        try:
            body = await response.body()
            payload = json.loads(body)
        except Exception:
            payload = {"code": NOT_JSON}  # its body is kept as evidence all the same
        if isinstance(payload, dict):
            read.payloads.append((response.url, payload, body))

    def on_response(response: PlaywrightResponse) -> None:
        if pattern.search(response.url):
            grabs.append(asyncio.ensure_future(grab(response)))

    context = await browser.new_context(user_agent=DESKTOP_UA, locale="zh-CN", **SAFE_CONTEXT_OPTIONS)
    guard_context(context)
    try:
        page = await context.new_page()
        page.on("response", on_response)
        answer = await page.goto(url, wait_until="domcontentloaded", timeout=30000)
        try:
            await page.wait_for_load_state("networkidle", timeout=wait_ms)
        except Exception:
            pass
        if grabs:
            await asyncio.wait(grabs, timeout=10)
        read.text = await page.content()
        read.status = answer.status if answer is not None else 0
    except Exception as exc:
        read.error = f"页面打开失败：{type(exc).__name__}"
    finally:
        await context.close()
    return read


def collect(platform: Platform, account_key: str, *, base: str, browsers: Any, seen_at: datetime,
            wait_ms: int = 8000, evidence: EvidenceStore | None = None) -> CollectionResult:
    """Render the public page in the process's one Chromium (`browsers`: crawler/media/chromium.py) and turn
    the list responses it received into posts, or into the failure the page shows."""
    try:
        read = browsers.run(lambda browser: read_page(browser, platform, account_key, base=base, wait_ms=wait_ms))
    except Exception:
        return CollectionResult(source=platform.name, status="error", url=platform.page.format(
            base=base.rstrip("/"), id=account_key), reason="浏览器（Chromium）不可用或启动失败，未能打开账号主页")
    try:
        return result_of(platform, read, seen_at=seen_at, evidence=evidence)
    except Exception as exc:
        return CollectionResult(source=platform.name, status="error", url=read.url,
                                evidence=_kept(read, evidence) or None,
                                reason=f"平台列表的回答无法解析（{type(exc).__name__}），已保留取得的回答")


KIND_WORDS = {"video": "视频"}


def _kept(read: PageRead, evidence: EvidenceStore | None) -> list[dict]:
    """The rendered page and every list answer it received, kept as evidence (also when the read failed)."""
    kept: list[dict] = []
    if evidence is None:
        return kept
    if read.text:
        stored = evidence.put(read.text.encode("utf-8"), ".html", compress=True)
        kept.append({"kind": "page", "url": read.url, "path": stored.path, "sha256": stored.sha256})
    for list_url, _payload, body in read.payloads:
        stored = evidence.put(body, ".json", compress=True)
        kept.append({"kind": "response", "url": list_url, "path": stored.path, "sha256": stored.sha256})
    return kept


def result_of(platform: Platform, read: PageRead, *, seen_at: datetime,
              evidence: EvidenceStore | None = None) -> CollectionResult:
    url = read.url
    if read.error:
        return CollectionResult(source=platform.name, status="error", url=url, reason=read.error,
                                evidence=_kept(read, evidence) or None)
    kept = _kept(read, evidence)
    status_code = read.status
    if status_code == 404:
        return CollectionResult(source=platform.name, status="not_found", url=url, reason="账号页面不存在（HTTP 404）",
                                evidence=kept or None)
    posts: list[PostSeen] = []
    refusal = None
    for _list_url, payload, _body in read.payloads:
        refusal = refusal or platform.refused(payload)
        posts.extend(platform.parse(payload))
    if not posts:
        empty = ("error", "账号主页的列表中没有作品（公开主页的列表不能证明没有发布），无法核验") \
            if read.payloads else None
        hit = failure_of(read.text) or refusal or empty or (
            ("blocked", f"页面没有发出或没有收到发布列表请求（HTTP {status_code}），未能读取发布列表"))
        return CollectionResult(source=platform.name, status=hit[0], reason=hit[1], url=url, evidence=kept or None)
    if platform.kinds != ("all",):  # a list of some kinds only covers no span of the account's posting
        words = "、".join(KIND_WORDS.get(k, k) for k in platform.kinds)
        return CollectionResult(source=platform.name, status="partial" if refusal else "ok", posts=posts, url=url,
                                evidence=kept or None, reason=f"该列表只列出{words}，不含其他类型的发布，"
                                f"不覆盖连续时段",
                                detail={"responses": len(read.payloads), "kinds": list(platform.kinds)})
    covered_from, covered_to = covered_span(posts, complete=False, seen_at=seen_at)
    return CollectionResult(source=platform.name, status="partial" if refusal else "ok", posts=posts,
                            covered_from=covered_from, covered_to=covered_to, url=url, evidence=kept or None,
                            reason=refusal[1] if refusal else
                            "只读取了页面首屏请求的列表，覆盖其中最早一条非置顶作品以来的时段",
                            detail={"responses": len(read.payloads), "kinds": list(platform.kinds)})
