"""Bilibili: the space's dynamics feed (`api.bilibili.com/x/polymer/web-dynamic/v1/feed/space?host_mid=…`),
which lists every kind of post (videos, 图文/opus, reposts, articles), paged by `offset` while `has_more`;
`modules.module_author.pub_ts` is the publish time, `module_tag.text == "置顶"` the pinned one. The video list
alone (`arc/search`) covers videos only and is never enough for a rule that counts every post."""

from __future__ import annotations

from datetime import datetime

from crawler.media.access import BILIBILI_EXPIRED, cookie_dict
from crawler.media.common import Fetcher, covered_span, failed, from_unix, guarded
from storage.media_repo import CollectionResult, PostSeen

SOURCE = "bilibili"
API = "https://api.bilibili.com"
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
KINDS = {"DYNAMIC_TYPE_AV": "video", "DYNAMIC_TYPE_DRAW": "图文", "DYNAMIC_TYPE_WORD": "文字",
         "DYNAMIC_TYPE_FORWARD": "转发", "DYNAMIC_TYPE_ARTICLE": "专栏", "DYNAMIC_TYPE_OPUS": "图文",
         "DYNAMIC_TYPE_LIVE_RCMD": "直播"}
REFUSED = {-352: "风控校验失败", -412: "请求被拦截", -799: "请求过于频繁", -101: "未登录", -404: "账号不存在"}


def _title(modules: dict) -> str | None:
    dynamic = modules.get("module_dynamic") or {}
    major = dynamic.get("major") or {}
    for key in ("archive", "opus", "article"):
        node = major.get(key) or {}
        text = node.get("title") or (node.get("summary") or {}).get("text")
        if text:
            return str(text)[:120]
    desc = dynamic.get("desc") or {}
    return (str(desc.get("text") or "")[:120]) or None


def _text(modules: dict) -> str | None:
    """The dynamic's own words and the video's or article's description (both when both are there)."""
    dynamic = modules.get("module_dynamic") or {}
    major = dynamic.get("major") or {}
    parts = [str((dynamic.get("desc") or {}).get("text") or "")]
    for key in ("archive", "opus", "article"):
        node = major.get(key) or {}
        parts.append(str(node.get("desc") or (node.get("summary") or {}).get("text") or ""))
    text = "\n".join(p for p in dict.fromkeys(parts) if p.strip())
    return text or None


def parse_dynamics(payload: dict) -> list[PostSeen]:
    data = payload.get("data") or {}
    posts = []
    for item in data.get("items") or []:
        modules = item.get("modules") or {}
        author = modules.get("module_author") or {}
        if not author.get("pub_ts"):
            continue
        kind = KINDS.get(str(item.get("type")), str(item.get("type") or ""))
        dyn_id = str(item.get("id_str") or "") or None
        archive = ((modules.get("module_dynamic") or {}).get("major") or {}).get("archive") or {}
        url = f"https://www.bilibili.com/video/{archive['bvid']}" if archive.get("bvid") else (
            f"https://t.bilibili.com/{dyn_id}" if dyn_id else None)
        posts.append(PostSeen(published_at=from_unix(author["pub_ts"]), title=_title(modules), url=url,
                              post_id=dyn_id, pinned=(modules.get("module_tag") or {}).get("text") == "置顶",
                              meta={"kind": kind, "bvid": archive.get("bvid")}, text=_text(modules)))
    return posts


def _refusal(code: object, message: str, has_cookie: bool) -> tuple[str, str]:
    words = REFUSED.get(code if isinstance(code, int) else -1, message or "")
    if code == -101:
        return "login_required", BILIBILI_EXPIRED if has_cookie else "哔哩哔哩要求登录（code -101）"
    if code == -404:
        return "not_found", "哔哩哔哩账号不存在（code -404）"
    hint = "" if has_cookie else "；可配置哔哩哔哩 Cookie（GOVWATCH_BILIBILI_COOKIE）后重试"
    if code in (-352, -412, -799):
        return "blocked", f"哔哩哔哩风控拒绝了动态列表请求（code {code}：{words}）{hint}"
    return "error", f"哔哩哔哩返回错误（code {code}：{words}）"


def collect(mid: str, *, api: str, fetcher: Fetcher, seen_at: datetime, max_pages: int,
            cookie: str = "") -> CollectionResult:
    """The space's dynamics, as the space page requests them (its Referer, Origin, desktop UA, timezone and
    features), `max_pages` pages by `offset`. Complete when `has_more` is false."""
    endpoint = f"{api.rstrip('/')}/x/polymer/web-dynamic/v1/feed/space"
    shown = f"{endpoint}?host_mid={mid}"
    if cookie:
        fetcher.cookies.update(cookie_dict(cookie))
        fetcher.secrets = sorted({*fetcher.secrets, cookie, *cookie_dict(cookie).values()}, key=len, reverse=True)
    headers = {"Referer": f"https://space.bilibili.com/{mid}/dynamic", "Origin": "https://space.bilibili.com",
               "User-Agent": DESKTOP_UA, "Accept": "application/json, text/plain, */*"}

    def work() -> CollectionResult:
        posts: list[PostSeen] = []
        offset, pages, complete = "", 0, False
        refused = None
        for _ in range(max(1, max_pages)):
            response = fetcher.get(endpoint, headers=headers, offset=offset, host_mid=mid, timezone_offset=-480,
                                   platform="web", features="itemOpusStyle,listOnlyfans,opusBigCover,onlyfansVote")
            if response.status_code >= 400:
                refused = ("blocked" if response.status_code in (403, 412, 429) else "error",
                           f"哔哩哔哩返回 HTTP {response.status_code}")
                break
            try:
                payload = response.json()
            except ValueError:
                refused = ("blocked", "哔哩哔哩动态接口返回的不是数据（不是 JSON），未能读取")
                break
            code = payload.get("code")
            if code not in (0, "0"):
                refused = _refusal(code, str(payload.get("message") or ""), bool(cookie))
                break
            pages += 1
            posts.extend(parse_dynamics(payload))
            data = payload.get("data") or {}
            offset = str(data.get("offset") or "")
            if not data.get("has_more") or not offset:
                complete = True
                break
        if refused and not posts:
            return failed(SOURCE, refused[0], refused[1], shown, fetcher, pages=pages)
        covered_from, covered_to = covered_span(posts, complete=complete, seen_at=seen_at)
        reason = None
        if refused:
            reason = f"读到第 {pages} 页后被拒绝：{refused[1]}"
        elif not complete:
            reason = f"只读取了前 {pages} 页动态，覆盖最早一条非置顶动态以来的时段"
        kinds = sorted({(p.meta or {}).get("kind") or "" for p in posts} - {""})
        return CollectionResult(source=SOURCE, status="partial" if refused else "ok", posts=posts,
                                covered_from=covered_from, covered_to=covered_to, url=shown,
                                evidence=list(fetcher.kept) or None, reason=reason,
                                detail={"kinds": ["all"], "seen_kinds": kinds, "pages": pages, "complete": complete})

    return guarded(SOURCE, shown, fetcher, work, "哔哩哔哩")
