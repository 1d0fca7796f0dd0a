"""The platforms of 政务新媒体, one record each: every fact govwatch keeps about a platform lives here.

A record says how an office writes the platform in its files (aliases), the words users read (terminal,
notice, export), where the platform lives (base URLs, overridable by ``GOVWATCH_<KEY>_BASE``), how a
registered account becomes a collection target, and the adapter that reads it. Adding a platform is one
record here plus one adapter module (docs/architecture.md, "A new platform").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from config.settings import Settings
from crawler.evidence import EvidenceStore
from crawler.media import intercept, rss, wechat, weibo
from crawler.media.chromium import CrawlBrowser, PrivateBrowser
from crawler.media.common import USER_AGENT, Fetcher
from storage.media import Account
from storage.media_repo import CollectionResult


@dataclass
class Target:
    """What to read for one account: the kind of source and the key or URL it needs."""

    kind: str  # weibo | wechat:article|history|sogou|album|backend | rss | html | douyin | toutiao | ...
    key: str


class Visit(Protocol):
    """What an adapter may use of the run collecting it: one fetcher per host (its spacing), the process's
    one browser, the evidence store, the settings, and when the account was read."""

    settings: Settings
    evidence: EvidenceStore | None
    seen_at: datetime

    def fetcher(self, host: str) -> Fetcher: ...

    def browsers(self) -> CrawlBrowser | PrivateBrowser: ...

    def base(self, key: str) -> str: ...


Adapter = Callable[[Target, "Visit"], CollectionResult]
Targeting = Callable[[Account, Settings], "Target | None"]


@dataclass(frozen=True)
class Platform:
    key: str  # stored in accounts.platform
    aliases: tuple[str, ...]  # how offices write it in their files (matched case-insensitively)
    word: str  # terminal and JSON tables: 微信
    notice_word: str  # the notice's body and tables: 政务微信
    export_word: str  # the accounts export (imports again): 微信公众号
    column_word: str  # the notice's 问题栏目 (seed 003): 抖音短视频
    bases: Mapping[str, str]  # base-URL key -> default (GOVWATCH_<KEY>_BASE overrides)
    target: Targeting | None  # how a registered account becomes a collection target; None: only a feed
    adapter: Adapter | None  # reads the platform's own targets; None: only feeds and list pages


def _feed_adapter(target: Target, visit: Visit) -> CollectionResult:
    return rss.collect(target.key, kind=target.kind, fetcher=visit.fetcher(target.kind), seen_at=visit.seen_at)


def _weibo_target(account: Account, settings: Settings) -> Target | None:
    uid = account.account_id or ""
    if not uid.isdigit():
        m = re.search(r"/(?:u|profile)/(\d+)", account.url or "")
        uid = m[1] if m else ""
    return Target("weibo", uid) if uid else None


def _weibo_adapter(target: Target, visit: Visit) -> CollectionResult:
    base = visit.base("weibo")
    return weibo.collect(target.key, base=base, fetcher=visit.fetcher("weibo"),
                         max_pages=visit.settings.media_pages, seen_at=visit.seen_at,
                         visitor_cookies=lambda: visit.browsers().run(lambda browser: weibo.visitor_cookies(
                             browser, base, target.key, USER_AGENT)))


def _wechat_target(account: Account, settings: Settings) -> Target | None:
    meta, url = account.meta or {}, account.url or ""
    if settings.wechat_session and meta.get("fakeid"):
        return Target("wechat:backend", str(meta["fakeid"]))
    for kind in ("album", "history", "article"):
        if meta.get(f"{kind}_url"):
            return Target(f"wechat:{kind}", meta[f"{kind}_url"])
    if "appmsgalbum" in url:
        return Target("wechat:album", url)
    return Target("wechat:sogou", account.name)


def _wechat_adapter(target: Target, visit: Visit) -> CollectionResult:
    kind = target.kind.split(":", 1)[1]
    if kind == "sogou":
        return wechat.collect_page("sogou", f"{visit.base('sogou').rstrip('/')}/weixin", fetcher=visit.fetcher("sogou"),
                                   seen_at=visit.seen_at, account_name=target.key, type=1, query=target.key)
    if kind == "backend":
        cookie, _, token = visit.settings.wechat_session.partition("|")
        fetcher = visit.fetcher("wechat")
        fetcher.client.headers["Cookie"] = cookie
        return wechat.collect_page("backend", f"{visit.base('wechat').rstrip('/')}/cgi-bin/appmsg", fetcher=fetcher,
                                   seen_at=visit.seen_at, action="list_ex", fakeid=target.key, token=token, begin=0,
                                   count=20, type=9, f="json", ajax=1)
    return wechat.collect_page(kind, target.key, fetcher=visit.fetcher("wechat"), seen_at=visit.seen_at)


def _page_target(account: Account, settings: Settings) -> Target | None:
    """Platforms read from the account's public page: the key is the 账号ID, else the link's last segment."""
    key = account.account_id or (account.url or "").rstrip("/").rsplit("/", 1)[-1]
    return Target(account.platform, key) if key else None


def _page_adapter(target: Target, visit: Visit) -> CollectionResult:
    return intercept.collect(intercept.PLATFORMS[target.kind], target.key, base=visit.base(target.kind),
                             browsers=visit.browsers(), seen_at=visit.seen_at, evidence=visit.evidence)


def _list_target(account: Account, settings: Settings) -> Target | None:
    """A 客户端 or another source: its list page, when the registry gives one."""
    meta = account.meta or {}
    url = meta.get("list_url") or account.url
    return Target("html", url) if url else None


PLATFORMS: dict[str, Platform] = {p.key: p for p in (
    Platform("wechat", ("wechat", "weixin", "微信公众号", "微信", "公众号", "政务微信", "微信服务号", "微信订阅号"),
             "微信", "政务微信", "微信公众号", "微信公众号",
             {"wechat": "https://mp.weixin.qq.com", "sogou": "https://weixin.sogou.com"},
             _wechat_target, _wechat_adapter),
    Platform("weibo", ("weibo", "新浪微博", "微博", "政务微博"), "微博", "政务微博", "新浪微博", "新浪微博",
             {"weibo": "https://m.weibo.cn"}, _weibo_target, _weibo_adapter),
    Platform("douyin", ("douyin", "抖音", "抖音短视频", "抖音号"), "抖音", "抖音", "抖音", "抖音短视频",
             {"douyin": "https://www.douyin.com"}, _page_target, _page_adapter),
    Platform("toutiao", ("toutiao", "今日头条", "头条号", "头条"), "头条", "今日头条", "今日头条", "今日头条",
             {"toutiao": "https://www.toutiao.com"}, _page_target, _page_adapter),
    Platform("kuaishou", ("kuaishou", "快手"), "快手", "快手", "快手", "快手",
             {"kuaishou": "https://www.kuaishou.com"}, _page_target, _page_adapter),
    Platform("bilibili", ("bilibili", "哔哩哔哩", "b站"), "B站", "哔哩哔哩", "哔哩哔哩", "哔哩哔哩",
             {"bilibili": "https://space.bilibili.com"}, _page_target, _page_adapter),
    Platform("app", ("app", "客户端", "移动客户端"), "客户端", "客户端", "客户端", "客户端", {}, _list_target, None),
    Platform("other", ("other", "其他", "其它"), "其他", "其他", "其他", "其他", {}, _list_target, None),
)}
FEED_KINDS = ("rss", "html")  # read alike for every platform: a feed or a dated list page


def platform(key: str) -> Platform | None:
    return PLATFORMS.get(key)


def default_base(key: str) -> str:
    """The default address behind a base-URL key (``sogou``, ``weibo`` ...)."""
    for record in PLATFORMS.values():
        if key in record.bases:
            return record.bases[key]
    raise KeyError(f"no platform has the base-URL key {key!r}")


def base_keys() -> tuple[str, ...]:
    return tuple(k for record in PLATFORMS.values() for k in record.bases)


def word(key: str | None, kind: str = "word") -> str:
    """A platform in the words users read: ``word`` (terminal), ``notice_word``, ``export_word``, ``column_word``."""
    record = PLATFORMS.get(key or "")
    return getattr(record, kind) if record else (key or "—")


def target_for(account: Account, settings: Settings) -> Target | None:
    """The registry row decides: a feed in meta, else the platform's own way to its account."""
    meta = account.meta or {}
    if meta.get("feed"):
        return Target("rss", meta["feed"])
    record = PLATFORMS.get(account.platform)
    if record is None or record.target is None:
        return _list_target(account, settings)
    return record.target(account, settings)


def adapter_for(target: Target) -> Adapter:
    if target.kind in FEED_KINDS:
        return _feed_adapter
    record = PLATFORMS.get(target.kind.split(":", 1)[0])
    if record is None or record.adapter is None:
        raise KeyError(f"no adapter reads {target.kind!r}")
    return record.adapter


def host_of(target: Target) -> str:
    """The host a target's requests go to, for spacing and for stopping a platform after a captcha: 搜狗 is its
    own host (its captcha stops 搜狗, not the WeChat pages)."""
    return "sogou" if target.kind == "wechat:sogou" else target.kind.split(":", 1)[0]


def collected_by_crawler(source: str) -> bool:
    """True for a collection source written by an adapter (not an import or a manual observation)."""
    head = source.split(":", 1)[0]
    return source in FEED_KINDS or (head in PLATFORMS and PLATFORMS[head].adapter is not None)
