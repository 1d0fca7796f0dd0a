"""The platforms of 政务新媒体, one record each: every fact govwatch keeps about a platform lives here.

A record says how an office writes the platform in its files (aliases), the words users read (terminal,
notice, export, 问题栏目), where the platform lives (base URLs, overridable by ``GOVWATCH_<KEY>_BASE``), how a
registry row's 链接 and 账号ID are parsed into the account's identity (crawler/media/targets.py does the
parsing), how that identity becomes tonight's collection target, and the adapter that reads each target.
Adding a platform is one record here plus one adapter module (docs/architecture.md, "A new platform").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from config.settings import Settings
from crawler.evidence import EvidenceStore
from crawler.media import bilibili, intercept, rss, sogou, targets, wechat, wechat_backend, weibo
from crawler.media.access import Access
from crawler.media.chromium import CrawlBrowser, PrivateBrowser
from crawler.media.common import USER_AGENT, Fetcher
from crawler.media.targets import Parsed, ProfileLink, Target
from storage.media import Account
from storage.media_repo import CollectionResult

__all__ = ["PLATFORMS", "Platform", "Target", "Visit", "adapter_for", "default_base", "host_of", "identity_of",
           "parse_registry", "target_for", "unroutable", "word"]


class Visit(Protocol):
    """What an adapter may use of the run collecting it: one fetcher per host (its spacing), the process's
    one browser, the evidence store, the office's sessions, the settings, and when the account was read."""

    settings: Settings
    access: Access
    evidence: EvidenceStore | None
    seen_at: datetime

    def fetcher(self, host: str) -> Fetcher: ...

    def browsers(self) -> CrawlBrowser | PrivateBrowser: ...

    def base(self, key: str) -> str: ...


Adapter = Callable[[Target, Visit], CollectionResult]
Parser = Callable[[str, str | None, str | None], Parsed]  # (platform words, 账号ID, 链接) -> identity, warnings
Router = Callable[[Account, Mapping[str, Any], Mapping[str, Any], Access], "Target | None"]  # meta, identity


@dataclass(frozen=True)
class Platform:
    key: str  # stored in accounts.platform
    aliases: tuple[str, ...]  # how offices write it in their files (matched case-insensitively)
    word: str  # terminal and JSON tables: 微信
    notice_word: str  # the notice's body and tables: 政务微信
    export_word: str  # the accounts export (imports again): 微信公众号
    column_word: str  # the notice's 问题栏目 (seed 003): 抖音短视频
    bases: Mapping[str, str]  # base-URL key -> default (GOVWATCH_<KEY>_BASE overrides)
    parse: Parser  # the registry row's 链接 and 账号ID -> the account's identity
    route: Router  # the identity (and the office's sessions) -> tonight's target; None: nothing to read
    adapter: Adapter | None  # reads the platform's own targets; None: only feeds and list pages


# -- adapters: one signature, (target, visit) -> CollectionResult ---------------------------------------------


def _feed_adapter(target: Target, visit: Visit) -> CollectionResult:
    return rss.collect(target.key, kind=target.kind, fetcher=visit.fetcher(target.kind), seen_at=visit.seen_at)


def _pages(visit: Visit) -> int:
    return int(visit.settings.media_pages)


def _weibo_adapter(target: Target, visit: Visit) -> CollectionResult:
    base = visit.base("weibo")

    def visitor() -> dict[str, str]:
        return visit.browsers().run(lambda browser: weibo.visitor_cookies(browser, base, target.key, USER_AGENT))

    return weibo.collect(target.key, base=base, fetcher=visit.fetcher("weibo"), max_pages=_pages(visit),
                         seen_at=visit.seen_at, visitor_cookies=visitor, login_cookie=visit.access.weibo_cookie,
                         domain=target.params.get("domain"))


def _wechat_adapter(target: Target, visit: Visit) -> CollectionResult:
    kind, base, seen_at = target.kind.split(":", 1)[1], visit.base("wechat"), visit.seen_at
    if kind == "sogou":
        return sogou.collect(target.key, base=visit.base("sogou"), fetcher=visit.fetcher("sogou"), seen_at=seen_at,
                             name=target.params.get("name"), wxid=target.params.get("wxid"))
    if kind == "backend":  # a fetcher of its own: the office's login cookie never goes with the public pages
        return wechat_backend.collect(target.key, access=visit.access, fetcher=visit.fetcher("wechat_backend"),
                                      seen_at=seen_at, max_pages=_pages(visit), base=base,
                                      name=target.params.get("name"), wxid=target.params.get("wxid"))
    fetcher = visit.fetcher("wechat")
    if kind == "album":
        url = target.key if "://" in target.key else None
        return wechat.collect_album(base, dict(target.params), fetcher=fetcher, seen_at=seen_at,
                                    max_pages=_pages(visit), url=url)
    if kind == "getmsg":
        return wechat.collect_getmsg(base, target.key, dict(target.params), fetcher=fetcher, seen_at=seen_at,
                                     max_pages=_pages(visit))
    if kind == "history":
        return wechat.collect_history(target.key, fetcher=fetcher, seen_at=seen_at)
    if kind == "article":
        return wechat.collect_article(target.key, fetcher=fetcher, seen_at=seen_at, base=base)
    raise KeyError(f"no WeChat reader for {target.kind!r}")


def _bilibili_adapter(target: Target, visit: Visit) -> CollectionResult:
    if target.kind == "bilibili:videos":  # the space's video tab, read in Chromium: videos only
        return _page_adapter(target, visit)
    return bilibili.collect(target.key, api=visit.base("bilibili_api"), fetcher=visit.fetcher("bilibili"),
                            seen_at=visit.seen_at, max_pages=_pages(visit), cookie=visit.access.bilibili_cookie)


def _page_adapter(target: Target, visit: Visit) -> CollectionResult:
    """Douyin, Toutiao, Kuaishou (and Bilibili's video tab): the public page rendered, its own list read."""
    return intercept.collect(intercept.PLATFORMS[target.kind], target.key, base=visit.base(target.kind.split(":")[0]),
                             browsers=visit.browsers(), seen_at=visit.seen_at, evidence=visit.evidence)


# -- routes: identity -> tonight's target ---------------------------------------------------------------------


def _profile_route(account: Account, meta: Mapping[str, Any], ident: Mapping[str, Any],
                   access: Access) -> Target | None:
    return Target(account.platform, ident["id"]) if ident.get("id") else None


def _list_route(account: Account, meta: Mapping[str, Any], ident: Mapping[str, Any],
                access: Access) -> Target | None:
    list_url = meta.get("list_url") or ident.get("list_url")
    return Target("html", list_url) if list_url else None


def _profile_parser(link: ProfileLink) -> Parser:
    def parse(label: str, account_id: str | None, url: str | None) -> Parsed:
        return targets.parse_profile(link, label, account_id, url)
    return parse


def _list_parser(label: str, account_id: str | None, url: str | None) -> Parsed:
    return targets.parse_feed_or_list(url, account_id)


PLATFORMS: dict[str, Platform] = {p.key: p for p in (
    Platform("wechat", ("wechat", "weixin", "微信公众号", "微信", "公众号", "政务微信", "微信服务号", "微信订阅号"),
             "微信", "政务微信", "微信公众号", "微信公众号",
             {"wechat": "https://mp.weixin.qq.com", "sogou": "https://weixin.sogou.com"},
             lambda label, account_id, url: targets.parse_wechat(account_id, url), targets.route_wechat,
             _wechat_adapter),
    Platform("weibo", ("weibo", "新浪微博", "微博", "政务微博"), "微博", "政务微博", "新浪微博", "新浪微博",
             {"weibo": "https://m.weibo.cn"}, lambda label, account_id, url: targets.parse_weibo(account_id, url),
             targets.route_weibo, _weibo_adapter),
    Platform("douyin", ("douyin", "抖音", "抖音短视频", "抖音号"), "抖音", "抖音", "抖音", "抖音短视频",
             {"douyin": "https://www.douyin.com"}, _profile_parser(targets.DOUYIN_LINK), _profile_route,
             _page_adapter),
    Platform("toutiao", ("toutiao", "今日头条", "头条号", "头条"), "头条", "今日头条", "今日头条", "今日头条",
             {"toutiao": "https://www.toutiao.com"}, _profile_parser(targets.TOUTIAO_LINK), _profile_route,
             _page_adapter),
    Platform("kuaishou", ("kuaishou", "快手"), "快手", "快手", "快手", "快手",
             {"kuaishou": "https://www.kuaishou.com"}, _profile_parser(targets.KUAISHOU_LINK), _profile_route,
             _page_adapter),
    Platform("bilibili", ("bilibili", "哔哩哔哩", "b站"), "B站", "哔哩哔哩", "哔哩哔哩", "哔哩哔哩",
             {"bilibili": "https://space.bilibili.com", "bilibili_api": "https://api.bilibili.com"},
             _profile_parser(targets.BILIBILI_LINK), _profile_route, _bilibili_adapter),
    Platform("app", ("app", "客户端", "移动客户端"), "客户端", "客户端", "客户端", "客户端", {}, _list_parser,
             _list_route, None),
    Platform("other", ("other", "其他", "其它"), "其他", "其他", "其他", "其他", {}, _list_parser, _list_route, None),
)}
FEED_KINDS = ("rss", "html")  # read alike for every platform: a feed or a dated list page


def platform(key: str) -> Platform | None:
    return PLATFORMS.get(key)


def default_base(key: str) -> str:
    """The default address behind a base-URL key (``sogou``, ``weibo``, ``bilibili_api`` ...)."""
    for record in PLATFORMS.values():
        if key in record.bases:
            return record.bases[key]
    raise KeyError(f"no platform has the base-URL key {key!r}")


def base_keys() -> tuple[str, ...]:
    return tuple(k for record in PLATFORMS.values() for k in record.bases)


def base_of(settings: Settings, key: str) -> str:
    """Where a platform's host lives tonight: `GOVWATCH_<KEY>_BASE`, else its own address. Bilibili's API
    follows a mirrored space address (a proxy, the test simulation) unless it is set on its own."""
    if key in settings.bases:
        return settings.bases[key]
    space = settings.bases.get("bilibili", "")
    if key == "bilibili_api" and space and not (urlsplit(space).hostname or "").endswith("bilibili.com"):
        return space
    return default_base(key)


def word(key: str | None, kind: str = "word") -> str:
    """A platform in the words users read: ``word`` (terminal), ``notice_word``, ``export_word``, ``column_word``."""
    record = PLATFORMS.get(key or "")
    return getattr(record, kind) if record else (key or "—")


def parse_registry(platform_key: str, account_id: str | None, url: str | None) -> Parsed:
    """The identity a registry row gives for its platform, and the warnings (no row number: the importer adds
    it). Every identity carries its platform."""
    record = PLATFORMS.get(platform_key) or PLATFORMS["other"]
    parsed = record.parse(record.notice_word, account_id, url)
    if parsed.identity is not None:
        parsed.identity = {"platform": platform_key, **parsed.identity}
    return parsed


def identity_of(account: Account) -> dict[str, Any]:
    """The stored identity, or (accounts registered before import parsed it) the row parsed now."""
    stored = (account.meta or {}).get("target")
    if isinstance(stored, dict) and stored.get("platform") == account.platform:
        return stored
    return parse_registry(account.platform, account.account_id, account.url).identity or {}


def target_for(account: Account, settings: Settings | None = None, access: Access | None = None) -> Target | None:
    """The path to read tonight: a feed where the registry gives one, else the platform's own way to the
    account its identity names, with the office's sessions. None: nothing to read."""
    meta, ident = account.meta or {}, identity_of(account)
    feed = meta.get("feed") or ident.get("feed")
    if feed:
        return Target("rss", feed)
    record = PLATFORMS.get(account.platform) or PLATFORMS["other"]
    return record.route(account, meta, ident, access or Access())


def unroutable(account: Account) -> str:
    """Why an account has no path to read, in the words of the registry row's warnings."""
    warnings = parse_registry(account.platform, account.account_id, account.url).warnings
    if warnings:
        return "登记信息无法用于采集：" + "；".join(warnings)
    return "登记信息不足（缺少账号ID或链接），无法采集"


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
