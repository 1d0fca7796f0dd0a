"""The office's own 公众平台 login (cookie + token): the complete list of any 公众号's 群发, read as the web
editor's "超链接 → 选择其他公众号" dialog reads it: `cgi-bin/searchbiz?action=search_biz` finds the `fakeid`
(which is the account's `__biz`), `cgi-bin/appmsg?action=list_ex&type=9` lists its articles 5 a page, newest
first, with `app_msg_cnt` the total. An expired login or frequency control is 无法核验 with what to do."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from crawler.media.access import WECHAT_EXPIRED, Access, cookie_dict
from crawler.media.common import Fetcher, covered_span, failed, from_unix, guarded
from crawler.media.wechat import MP, clean_url
from storage.media_repo import CollectionResult, PostSeen

SOURCE = "wechat:backend"
PAGE_SIZE = 5  # what the web client sends; larger pages draw frequency control sooner
EXPIRED_RETS = (200003, 200040, -6, 200002)  # invalid session / invalid csrf token / login timeout
FREQ_RETS = (200013,)
FREQ = "公众号后台提示操作过于频繁（freq control），今晚暂停读取，明天再试"


class BackendRefusal(Exception):
    """The backend refused: (status, reason)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_list_ex(payload: dict) -> list[PostSeen]:
    posts = []
    for a in payload.get("app_msg_list") or []:
        when = a.get("create_time") or a.get("update_time")
        if not when or a.get("is_deleted"):
            continue
        aid = str(a.get("aid") or "") or (f"{a.get('appmsgid')}_{a.get('itemidx') or 1}" if a.get("appmsgid")
                                          else None)
        posts.append(PostSeen(published_at=from_unix(when), title=a.get("title") or None, text=a.get("digest") or None,
                              url=clean_url(a.get("link"), escaped=True), post_id=aid or None,
                              meta={"appmsgid": a.get("appmsgid"), "itemidx": a.get("itemidx")}))
    return posts


def _answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON answer, or the refusal it is: the login page (session gone), frequency control, other rets."""
    if "/cgi-bin/loginpage" in str(response.url) or response.status_code in (301, 302):
        raise BackendRefusal("login_required", WECHAT_EXPIRED)
    if response.status_code >= 400:
        raise BackendRefusal("error", f"公众号后台返回 HTTP {response.status_code}")
    try:
        payload = response.json()
    except (ValueError, json.JSONDecodeError):
        text = response.text
        if "登录" in text or "login" in text.lower():
            raise BackendRefusal("login_required", WECHAT_EXPIRED) from None
        raise BackendRefusal("error", "公众号后台返回的不是数据（不是 JSON）") from None
    ret = (payload.get("base_resp") or {}).get("ret")
    if ret in (0, "0", None):
        return payload
    ret = int(ret) if str(ret).lstrip("-").isdigit() else ret
    if ret in EXPIRED_RETS:
        raise BackendRefusal("login_required", WECHAT_EXPIRED)
    if ret in FREQ_RETS:
        raise BackendRefusal("blocked", FREQ)
    message = (payload.get("base_resp") or {}).get("err_msg") or ""
    raise BackendRefusal("error", f"公众号后台拒绝（ret={ret}{'，' + message if message else ''}）")


class Backend:
    """Requests as the web editor sends them: its cookie, `token`, `lang=zh_CN&f=json&ajax=1`, a Referer."""

    def __init__(self, access: Access, fetcher: Fetcher, base: str = MP) -> None:
        self.access = access
        self.fetcher = fetcher
        self.base = base.rstrip("/")
        fetcher.secrets = access.secrets()
        fetcher.cookies.update(cookie_dict(access.wechat_cookie))

    def get(self, path: str, **params: object) -> dict[str, Any]:
        referer = f"{self.base}/cgi-bin/appmsg?t=media/appmsg_edit_v2&action=edit&isNew=1&type=77" \
                  f"&token={self.access.wechat_token}&lang=zh_CN"
        response = self.fetcher.get(f"{self.base}{path}", headers={"Referer": referer,
                                                                   "X-Requested-With": "XMLHttpRequest"},
                                    token=self.access.wechat_token, lang="zh_CN", f="json", ajax=1, **params)
        return _answer(response)

    def search(self, query: str) -> list[dict[str, Any]]:
        payload = self.get("/cgi-bin/searchbiz", action="search_biz", begin=0, count=5, query=query)
        return [a for a in payload.get("list") or [] if isinstance(a, dict)]

    def fakeid(self, name: str | None, wxid: str | None) -> str | None:
        """The fakeid of the account whose 微信号 (alias) or exact name matches; None when none does."""
        for query in [q for q in (wxid, name) if q]:
            for found in self.search(query):
                if (wxid and str(found.get("alias") or "").lower() == wxid.lower()) or (
                        name and found.get("nickname") == name):
                    return str(found.get("fakeid") or "") or None
        return None

    def page(self, fakeid: str, begin: int) -> dict[str, Any]:
        return self.get("/cgi-bin/appmsg", action="list_ex", begin=begin, count=PAGE_SIZE, fakeid=fakeid,
                        type=9, query="")


def collect(fakeid: str, *, access: Access, fetcher: Fetcher, seen_at: datetime, max_pages: int,
            base: str = MP, name: str | None = None, wxid: str | None = None) -> CollectionResult:
    """The account's articles from the office's backend, newest first, `max_pages` pages of 5 (spaced by the
    fetcher). Complete when `app_msg_cnt` is reached: then its span starts at the oldest article."""
    shown = f"{base.rstrip('/')}/cgi-bin/appmsg?action=list_ex&fakeid={fakeid or '?'}"
    if not access.wechat:
        return failed(SOURCE, "login_required", "未配置公众号后台登录（GOVWATCH_WECHAT_SESSION），无法读取完整发布列表",
                      shown, fetcher)
    if fetcher.halted:  # an expired login or frequency control earlier tonight: no further request
        return failed(SOURCE, fetcher.halted[0], f"{fetcher.halted[1]}（本轮已暂停读取公众号后台）", shown, fetcher)
    backend = Backend(access, fetcher, base)

    def work() -> CollectionResult:
        key = fakeid
        try:
            if not key:
                key = backend.fakeid(name, wxid) or ""
                if not key:
                    return failed(SOURCE, "not_found", f"公众号后台搜索不到名称或微信号为“{wxid or name}”的公众号，"
                                  "请在登记表中填写它的文章链接（含 __biz）", shown, fetcher)
            posts: list[PostSeen] = []
            total, pages, begin, complete = None, 0, 0, False
            for _ in range(max(1, max_pages)):
                payload = backend.page(key, begin)
                pages += 1
                items = payload.get("app_msg_list") or []
                total = int(payload.get("app_msg_cnt") or 0) if str(payload.get("app_msg_cnt", "")).isdigit() \
                    else total
                posts.extend(parse_list_ex(payload))
                begin += len(items)
                if not items or (total is not None and begin >= total):
                    complete = True
                    break
        except BackendRefusal as refusal:
            if refusal.status in ("login_required", "blocked"):
                fetcher.halted = (refusal.status, refusal.reason)
            return failed(SOURCE, refusal.status, refusal.reason, shown, fetcher, fakeid=key or None)
        covered_from, covered_to = covered_span(posts, complete=complete, seen_at=seen_at)
        return CollectionResult(
            source=SOURCE, status="ok", posts=posts, covered_from=covered_from, covered_to=covered_to,
            url=fetcher.masked(shown), evidence=list(fetcher.kept) or None,
            reason=None if complete else f"只读取了前 {pages} 页（每页 {PAGE_SIZE} 篇），覆盖最早一篇以来的时段",
            detail={"kinds": ["all"], "fakeid": key, "pages": pages, "total": total, "complete": complete})

    return guarded(SOURCE, shown, fetcher, work, "公众号后台")
