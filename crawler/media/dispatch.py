"""One target, one collector: the call each kind of target needs, with the platform's address, the page
limit and the office's sessions. `settings` is read by attribute only (the settings object of the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.media import bilibili, intercept, rss, sogou, wechat, wechat_backend, weibo
from crawler.media.access import Access
from crawler.media.common import USER_AGENT, Fetcher
from crawler.media.targets import Target
from storage.media_repo import CollectionResult

BILIBILI_API = "https://api.bilibili.com"


def host_of(target: Target) -> str:
    """The host a target's requests go to: a captcha there stops that host for the run (搜狗 is not WeChat)."""
    if target.kind == "wechat:sogou":
        return "sogou"
    return target.kind.split(":")[0]


def bilibili_api_of(settings: Any) -> str:
    """Bilibili's API host: the settings' own, else api.bilibili.com; a space address that is not bilibili.com
    (a mirror, the test simulation) answers the API itself."""
    own = getattr(settings, "bilibili_api_base", "")
    if own:
        return own
    space = str(getattr(settings, "bilibili_base", "") or "")
    host = urlsplit(space).hostname or ""
    return space if space and not host.endswith("bilibili.com") else BILIBILI_API


def run(target: Target, *, settings: Any, access: Access, fetcher: Callable[[str], Fetcher],
        browsers: Callable[[], Any], evidence: Any, seen_at: datetime,
        bilibili_api: str | None = None) -> CollectionResult:
    s = settings
    kind = target.kind
    pages = int(getattr(s, "media_pages", 5))
    if kind == "weibo":
        base = s.weibo_base

        def visitor() -> dict[str, str]:
            return browsers().run(lambda browser: weibo.visitor_cookies(browser, base, target.key, USER_AGENT))

        return weibo.collect(target.key, base=base, fetcher=fetcher("weibo"), max_pages=pages, seen_at=seen_at,
                             visitor_cookies=visitor, login_cookie=access.weibo_cookie,
                             domain=target.params.get("domain"))
    if kind == "wechat:sogou":
        return sogou.collect(target.key, base=s.sogou_base, fetcher=fetcher("sogou"), seen_at=seen_at,
                             name=target.params.get("name"), wxid=target.params.get("wxid"))
    if kind == "wechat:backend":
        # a fetcher of its own: the office's login cookie never goes with the public page requests
        return wechat_backend.collect(target.key, access=access, fetcher=fetcher("wechat_backend"), seen_at=seen_at,
                                      max_pages=pages, base=s.wechat_base, name=target.params.get("name"),
                                      wxid=target.params.get("wxid"))
    if kind == "wechat:album":
        url = target.key if "://" in target.key else None
        return wechat.collect_album(s.wechat_base, dict(target.params), fetcher=fetcher("wechat"), seen_at=seen_at,
                                    max_pages=pages, url=url)
    if kind == "wechat:getmsg":
        return wechat.collect_getmsg(s.wechat_base, target.key, dict(target.params), fetcher=fetcher("wechat"),
                                     seen_at=seen_at, max_pages=pages)
    if kind == "wechat:history":
        return wechat.collect_history(target.key, fetcher=fetcher("wechat"), seen_at=seen_at)
    if kind == "wechat:article":
        return wechat.collect_article(target.key, fetcher=fetcher("wechat"), seen_at=seen_at, base=s.wechat_base)
    if kind in ("rss", "html"):
        return rss.collect(target.key, kind=kind, fetcher=fetcher(kind), seen_at=seen_at)
    if kind == "bilibili":
        api = bilibili_api or bilibili_api_of(s)
        return bilibili.collect(target.key, api=api, fetcher=fetcher("bilibili"), seen_at=seen_at, max_pages=pages,
                                cookie=access.bilibili_cookie)
    platform = intercept.PLATFORMS[kind]
    base = getattr(s, f"{kind.split(':')[0]}_base")
    return intercept.collect(platform, target.key, base=base, browsers=browsers(), seen_at=seen_at,
                             evidence=evidence)


__all__ = ["host_of", "run"]
