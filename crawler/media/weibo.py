"""Weibo: the m.weibo.cn container API an account's mobile page reads (uid → the weibo tab's containerid →
pages of cards). Times: the post id (mid) holds the exact second, `(mid >> 22) + 515483463`; `created_at`
(RFC-style, "06-14", "昨天 10:00", "3小时前") is read only when the id does not decode."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import httpx

from crawler.chromium import SAFE_CONTEXT_OPTIONS, guard_context
from crawler.media.common import BEIJING, Fetcher, covered_span, failed, failure_of, from_unix, guarded
from storage.media_repo import CollectionResult, PostSeen

if TYPE_CHECKING:
    from playwright.async_api import Browser

SOURCE = "weibo"
MID_EPOCH = 515483463
_TAG = re.compile(r"<[^>]+>")


def time_from_mid(mid: str | int) -> datetime | None:
    """The exact publish time a Weibo post id carries (ids after 2012; older ones do not decode)."""
    try:
        value = int(mid)
    except (TypeError, ValueError):
        return None
    seconds = (value >> 22) + MID_EPOCH
    if not 1_300_000_000 < seconds < 4_000_000_000:
        return None
    return from_unix(seconds)


def parse_created_at(text: str, seen_at: datetime) -> datetime | None:
    """Every `created_at` form m.weibo.cn writes, relative to the moment the page was read (Beijing)."""
    text = (text or "").strip()
    now = seen_at.astimezone(BEIJING)
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).astimezone(BEIJING)  # "Sat Jun 15 11:44:46 +0800 2019"
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(BEIJING)
    except ValueError:
        pass
    if text == "刚刚":
        return now
    if m := re.fullmatch(r"(\d+)\s*秒前", text):
        return now - timedelta(seconds=int(m[1]))
    if m := re.fullmatch(r"(\d+)\s*分钟前", text):
        return now - timedelta(minutes=int(m[1]))
    if m := re.fullmatch(r"(\d+)\s*小时前", text):
        return now - timedelta(hours=int(m[1]))
    if m := re.fullmatch(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})", text):
        back = {"今天": 0, "昨天": 1, "前天": 2}[m[1]]
        day = (now - timedelta(days=back)).date()
        return datetime(day.year, day.month, day.day, int(m[2]), int(m[3]), tzinfo=BEIJING)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?", text):
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), tzinfo=BEIJING)
    if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?", text):
        # year-less: this year unless that lies after the moment of reading, then last year
        year = now.year
        candidate = datetime(year, int(m[1]), int(m[2]), int(m[3] or 0), int(m[4] or 0), tzinfo=BEIJING)
        if candidate > now + timedelta(days=1):
            candidate = candidate.replace(year=year - 1)
        return candidate
    return None


def post_from_mblog(mblog: dict, seen_at: datetime) -> PostSeen | None:
    mid = str(mblog.get("mid") or mblog.get("id") or "")
    published = time_from_mid(mid) or parse_created_at(str(mblog.get("created_at") or ""), seen_at)
    if published is None:
        return None
    pinned = bool(mblog.get("isTop")) or mblog.get("mblogtype") == 2
    text = _TAG.sub("", str(mblog.get("raw_text") or mblog.get("text") or "")).strip()
    bid = mblog.get("bid")
    url = f"https://m.weibo.cn/status/{bid or mid}" if (bid or mid) else None
    return PostSeen(published_at=published, title=text[:120] or None, url=url, post_id=mid or None, pinned=pinned,
                    text=text or None,
                    meta={"created_at": mblog.get("created_at"), "bid": bid})


def posts_from_cards(payload: dict, seen_at: datetime) -> list[PostSeen]:
    """Posts of one getIndex page (cards of card_type 9, and 9s nested in card_group)."""
    posts: list[PostSeen] = []
    for card in (payload.get("data") or {}).get("cards") or []:
        for item in [card, *(card.get("card_group") or [])]:
            mblog = item.get("mblog")
            if item.get("card_type") == 9 and isinstance(mblog, dict):
                post = post_from_mblog(mblog, seen_at)
                if post:
                    posts.append(post)
    return posts


def weibo_containerid(user_info: dict, uid: str) -> str:
    """The weibo tab's containerid from a `type=uid` answer; 107603+uid when the tabs do not say."""
    data = user_info.get("data") or {}
    tabs = (data.get("tabsInfo") or {}).get("tabs") or []
    for tab in tabs if isinstance(tabs, list) else tabs.values():
        if isinstance(tab, dict) and tab.get("tab_type") == "weibo" and tab.get("containerid"):
            return str(tab["containerid"])
    return f"107603{uid}"


def refusal(response: httpx.Response, payload: dict | None) -> tuple[str, str] | None:
    """(status, reason) when the API refused: 432/418/403, ok:-100 (visitor cookies wanted), a failure page."""
    if response.status_code in (403, 418, 432):
        return "blocked", f"微博接口拒绝访问（HTTP {response.status_code}），未能读取发布列表"
    if response.status_code == 404:
        return "not_found", "微博账号页面不存在（HTTP 404）"
    if response.status_code >= 400:
        return "error", f"微博接口出错（HTTP {response.status_code}）"
    if payload is None:
        return failure_of(response.text) or ("error", "微博接口返回的不是数据（不是 JSON）")
    if payload.get("ok") == -100:
        return "login_required", "微博接口要求访客身份或登录（ok:-100），未能读取发布列表"
    if payload.get("ok") not in (1, "1", True):
        message = str(payload.get("msg") or "")
        hit = failure_of(message)
        if hit:
            return hit
        if "不存在" in message or "注销" in message:
            return "deleted", f"微博账号不存在或已注销（{message}）"
        return None  # ok:0 on a later page is the list's end
    return None


def _json(response: httpx.Response) -> dict | None:
    try:
        value = response.json()
    except (json.JSONDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def client_headers(base: str, uid: str) -> dict[str, str]:
    """What the m.weibo.cn page's own requests carry."""
    return {"Accept": "application/json, text/plain, */*", "MWeibo-Pwa": "1", "X-Requested-With": "XMLHttpRequest",
            "Referer": f"{base.rstrip('/')}/u/{uid}"}


def resolve_domain(domain: str, *, base: str, fetcher: Fetcher) -> str | None:
    """A custom domain (weibo.com/gzfb) as a uid: the profile page redirects to /u/{uid} or names its oid."""
    response = fetcher.get(f"{base.rstrip('/')}/{domain}")
    m = re.search(r"/(?:u|profile)/(\d{3,12})", str(response.url)) or re.search(
        r"(?:\$CONFIG\['oid'\]\s*=\s*'|\"uid\"\s*:\s*\"?|/u/)(\d{3,12})", response.text)
    return m[1] if m else None


VISITOR_FAILED = "获取微博访客身份失败（浏览器不可用或打开失败）"
NEED_LOGIN = "微博要求登录才能查看发布列表（ok:-100），未配置微博登录 Cookie（GOVWATCH_WEIBO_COOKIE）"


def collect(uid: str, *, base: str, fetcher: Fetcher, max_pages: int, seen_at: datetime,
            visitor_cookies: Callable[[], dict[str, str]] | None = None, login_cookie: str = "",
            domain: str | None = None) -> CollectionResult:
    """Read an account's weibo tab as the mobile page does: `type=uid` for the tab's containerid, then its
    pages by `since_id`. The office's login cookie, when set, is sent from the first request (timelines
    answer `ok:-100` to visitors); without it, `visitor_cookies()` (Chromium) is asked once when the API
    refuses the first request. A refusal after that is the collection's status, what was read kept."""
    url = f"{base.rstrip('/')}/u/{uid or domain}"

    def work() -> CollectionResult:
        return _collect(uid, base=base, fetcher=fetcher, max_pages=max_pages, seen_at=seen_at,
                        visitor_cookies=visitor_cookies, login_cookie=login_cookie, domain=domain)

    return guarded(SOURCE, url, fetcher, work, "微博")


def _collect(uid: str, *, base: str, fetcher: Fetcher, max_pages: int, seen_at: datetime,
             visitor_cookies: Callable[[], dict[str, str]] | None, login_cookie: str,
             domain: str | None) -> CollectionResult:
    from crawler.media.access import WEIBO_EXPIRED, cookie_dict

    if login_cookie:
        fetcher.cookies.update(cookie_dict(login_cookie))
        fetcher.secrets = sorted({*fetcher.secrets, login_cookie, *cookie_dict(login_cookie).values()},
                                 key=len, reverse=True)
    if not uid and domain:
        uid = resolve_domain(domain, base=base, fetcher=fetcher) or ""
        if not uid:
            return failed(SOURCE, "not_found", f"无法从个性域名“{domain}”读出微博 uid，"
                          "请在登记表中填写 weibo.com/u/ 开头的链接",
                          f"{base.rstrip('/')}/{domain}", fetcher)
    api = base.rstrip("/") + "/api/container/getIndex"
    url = f"{base.rstrip('/')}/u/{uid}"
    headers = client_headers(base, uid)
    response = fetcher.get(api, headers=headers, type="uid", value=uid)
    payload = _json(response)
    hit = refusal(response, payload)
    if hit and not login_cookie and visitor_cookies is not None and hit[0] in ("blocked", "login_required"):
        try:
            got = visitor_cookies() or {}
        except Exception:
            return failed(SOURCE, hit[0], f"{hit[1]}；{VISITOR_FAILED}", url, fetcher)
        fetcher.cookies.update(got)
        response = fetcher.get(api, headers=headers, type="uid", value=uid)
        payload = _json(response)
        hit = refusal(response, payload)
    if hit:
        return failed(SOURCE, hit[0], _login_words(hit, login_cookie, WEIBO_EXPIRED), url, fetcher)
    if not (payload.get("data") or {}).get("userInfo") and payload.get("ok") not in (1, "1"):
        return failed(SOURCE, "deleted", "微博账号不存在或已注销", url, fetcher)
    containerid = weibo_containerid(payload, uid)
    posts: list[PostSeen] = []
    complete = False
    pages = 0
    since_id = None
    for _ in range(max(1, max_pages)):
        params = {"type": "uid", "value": uid, "containerid": containerid}
        if since_id:
            params["since_id"] = since_id
        response = fetcher.get(api, headers=headers, **params)
        payload = _json(response)
        hit = refusal(response, payload)
        if hit:
            if not posts:
                return failed(SOURCE, hit[0], _login_words(hit, login_cookie, WEIBO_EXPIRED), url, fetcher,
                              pages=pages)
            break  # what was read before the refusal still counts, as a partial list
        pages += 1
        found = posts_from_cards(payload, seen_at)
        posts.extend(found)
        info = (payload.get("data") or {}).get("cardlistInfo") or {}
        since_id = info.get("since_id")
        if payload.get("ok") not in (1, "1") or not found or not since_id:
            complete = True
            break
    if not posts:  # visitors and some privacy settings see an empty timeline: never evidence of no posts
        return failed(SOURCE, "error", "微博列表中没有读到微博（可能仅登录可见或设置了仅部分时间可见），无法核验", url,
                      fetcher, pages=pages)
    covered_from, covered_to = covered_span(posts, complete=complete, seen_at=seen_at)
    status = "partial" if hit else "ok"
    reason = None
    if not complete:
        reason = f"只读取了前 {pages} 页，覆盖最早一条非置顶微博以来的时段"
        if hit:
            reason = f"读到第 {pages} 页后被拒绝：{hit[1]}"
    return CollectionResult(source=SOURCE, status=status, posts=posts, covered_from=covered_from,
                            covered_to=covered_to, reason=reason, url=url,
                            detail={"containerid": containerid, "pages": pages, "complete": complete,
                                    "kinds": ["all"], "login": bool(login_cookie)},
                            evidence=list(fetcher.kept) or None)


def _login_words(hit: tuple[str, str], login_cookie: str, expired: str) -> str:
    if hit[0] != "login_required":
        return hit[1]
    return expired if login_cookie else NEED_LOGIN


async def visitor_cookies(browser: Browser, base: str, uid: str, user_agent: str) -> dict[str, str]:
    """Weibo visitor cookies: open the account's mobile page in Chromium and keep what it set."""
    context = await browser.new_context(user_agent=user_agent, **SAFE_CONTEXT_OPTIONS)
    guard_context(context)
    try:
        page = await context.new_page()
        await page.goto(f"{base.rstrip('/')}/u/{uid}", wait_until="domcontentloaded", timeout=30000)
        try:
            await page.wait_for_load_state("networkidle", timeout=5000)
        except Exception:
            pass
        return {c["name"]: c["value"] for c in await context.cookies()}
    finally:
        await context.close()
