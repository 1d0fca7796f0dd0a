"""The registry row is the target: what an office writes as 链接 and 账号ID, parsed into the identity each
platform's collector needs (WeChat `__biz`/album/article/history, Weibo uid or custom domain, Douyin sec_uid,
Bilibili mid, Toutiao token, Kuaishou id, a feed or list URL). Pure functions, no network: what cannot be
parsed is a Chinese warning naming what was wrong; the importer adds the row number.

The identity is stored in `Account.meta["target"]` at import; at collection time the platform's route
(crawler/media/platforms.py; `route_wechat`, `route_weibo` here) picks the path that the identity and the
office's sessions allow."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from crawler.media.access import Access

WECHAT_HOSTS = ("mp.weixin.qq.com", "weixin.qq.com")
_BIZ = re.compile(r"^Mz[A-Za-z0-9+/]{6,}={0,2}$")
_GH = re.compile(r"^gh_[0-9a-f]{12}$")
_WXID = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$")
_SEC_UID = re.compile(r"MS4wLjABAAAA[-_A-Za-z0-9]*")
_TOKEN = re.compile(r"[-_A-Za-z0-9]{2,120}")
_FEED_PATH = re.compile(r"(\.(xml|rss|atom)$|/(rss|feed|atom)(\.[a-z]+)?/?$|[?&](feed|rss)=|/rss/)", re.I)
TEMPORARY_KEYS = ("timestamp", "signature")


@dataclass
class Parsed:
    """One registry row's identity (None: nothing usable) and the warnings about what was not usable."""

    identity: dict[str, Any] | None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """What to read for one account: the collector (`kind`), its key, and the parameters it needs."""

    kind: str  # weibo | wechat:backend|history|album|article|sogou | rss | html | douyin | toutiao | ...
    key: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)


def _url(text: str | None) -> tuple[str, str, dict[str, str]] | None:
    """(host, path, query) of a link as offices paste it: HTML-escaped once, with or without a scheme."""
    text = html.unescape((text or "").strip())
    if not text:
        return None
    if not re.match(r"^[a-z]+://", text, re.I):
        if not re.match(r"^[\w.-]+\.[a-z]{2,}(:\d+)?(/|$)", text, re.I):
            return None
        text = "https://" + text
    parts = urlsplit(text)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return parts.hostname or "", parts.path or "/", query


def _biz_ok(biz: str) -> bool:
    """A `__biz` is base64 of a decimal number (MzA4ODUzNjAxOA== → 3088536018)."""
    try:
        return base64.b64decode(biz + "=" * (-len(biz) % 4), validate=True).decode("ascii").isdigit()
    except (ValueError, UnicodeDecodeError):
        return False


def parse_wechat(account_id: str | None, url: str | None) -> Parsed:
    identity: dict[str, Any] = {}
    warnings: list[str] = []
    key = (account_id or "").strip()
    if key:
        if _GH.match(key):
            identity["gh"] = key
        elif _BIZ.match(key) and _biz_ok(key):
            identity["biz"] = key
        elif _WXID.match(key):
            identity["wxid"] = key
        else:
            warnings.append(f"账号ID“{key}”不是微信号、gh_ 原始ID或 __biz，已忽略")
    link = _url(url)
    if url and not link:
        warnings.append(f"链接“{url.strip()}”不是网址，已忽略")
    if link:
        host, path, query = link
        biz = query.get("__biz", "")
        if biz and not _biz_ok(biz):
            warnings.append(f"链接中的 __biz“{biz}”无效，已忽略")
            biz = ""
        if biz:
            identity.setdefault("biz", biz)
            if identity["biz"] != biz:
                warnings.append(f"链接中的 __biz（{biz}）与账号ID（{identity['biz']}）不一致，以链接为准")
                identity["biz"] = biz
        if host.endswith("sogou.com"):
            warnings.append("链接是搜狗的临时跳转链接，会失效，请改填公众号文章的永久链接或合集链接")
        elif path.rstrip("/") == "/mp/appmsgalbum":
            if not (biz and query.get("album_id")):
                warnings.append("合集链接缺少 __biz 或 album_id，无法读取合集")
            else:
                identity["album"] = {"__biz": biz, "album_id": query["album_id"]}
        elif path.rstrip("/") == "/mp/profile_ext":
            if not biz:
                warnings.append("历史消息链接缺少 __biz")
            session = {k: query[k] for k in ("uin", "key", "pass_ticket", "appmsg_token") if query.get(k)}
            if biz and {"uin", "key"} <= session.keys():
                identity["history"] = {"__biz": biz, **session}
            elif biz:
                warnings.append("历史消息链接缺少 uin/key（只有在微信客户端内打开时才有，约30分钟失效），"
                                "已按 __biz 登记；读取历史消息需要重新复制带 key 的链接")
        elif path == "/s" or path.startswith("/s/") or path == "/mp/homepage":
            if any(k in query for k in TEMPORARY_KEYS) and not query.get("mid"):
                warnings.append("这是文章的临时链接（含 timestamp/signature），会失效，"
                                "请改填永久链接（含 __biz、mid、idx、sn）")
            elif path.startswith("/s/") and len(path) > 3:
                identity["article"] = path
            elif path == "/s" and biz and query.get("mid"):
                identity["article"] = "/s?" + urlencode({k: query[k] for k in ("__biz", "mid", "idx", "sn")
                                                          if k in query})
            elif path == "/s":
                warnings.append("文章链接缺少 __biz 或 mid，无法定位文章")
        elif host and not host.endswith(WECHAT_HOSTS) and host not in ("127.0.0.1", "localhost"):
            if _FEED_PATH.search(path):
                identity["feed"] = url.strip()
            else:
                warnings.append(f"链接的网站 {host} 不是微信公众平台（mp.weixin.qq.com），无法用来定位公众号")
        elif not biz:
            warnings.append("链接不是公众号文章、合集或历史消息链接，无法定位公众号")
    return Parsed(identity or None, warnings)


def parse_weibo(account_id: str | None, url: str | None) -> Parsed:
    identity: dict[str, Any] = {}
    warnings: list[str] = []
    key = (account_id or "").strip()
    if key.isdigit() and 3 <= len(key) <= 12:
        identity["uid"] = key
    elif key:
        m = re.fullmatch(r"@?([A-Za-z][\w-]{3,29})", key)
        if m:
            identity["domain"] = m[1]
        else:
            warnings.append(f"账号ID“{key}”不是微博 uid（数字）或个性域名，已忽略")
    link = _url(url)
    if url and not link:
        warnings.append(f"链接“{url.strip()}”不是网址，已忽略")
    elif link:
        host, path, query = link
        parts = [p for p in path.split("/") if p]
        uid = None
        if host.endswith("weibo.cn") or host.endswith("weibo.com") or host in ("127.0.0.1", "localhost"):
            if len(parts) >= 2 and parts[0] in ("u", "profile") and parts[1].isdigit():
                uid = parts[1]
            elif len(parts) >= 2 and parts[0] == "p" and re.fullmatch(r"100\d{3}\d{5,12}", parts[1]):
                uid = parts[1][6:]
            elif query.get("uid", "").isdigit():
                uid = query["uid"]
            elif query.get("value", "").isdigit():
                uid = query["value"]
            elif parts and parts[0].isdigit() and 3 <= len(parts[0]) <= 12:
                uid = parts[0]
            elif parts and parts[0] in ("n",) and len(parts) >= 2:
                identity.setdefault("screen_name", parts[1])
            elif parts and re.fullmatch(r"[A-Za-z][\w-]{3,29}", parts[0]) and parts[0] not in (
                    "status", "detail", "search", "login", "signup", "p"):
                identity.setdefault("domain", parts[0])
            else:
                warnings.append("微博链接中读不到 uid 或个性域名"
                                "（应如 weibo.com/u/1234567890 或 m.weibo.cn/u/1234567890）")
        else:
            warnings.append(f"链接的网站 {host} 不是微博（weibo.com / m.weibo.cn）")
        if uid:
            if identity.get("uid") and identity["uid"] != uid:
                warnings.append(f"链接中的 uid（{uid}）与账号ID（{identity['uid']}）不一致，以链接为准")
            identity["uid"] = uid
    if identity.get("uid"):
        identity.pop("domain", None)
    return Parsed(identity or None, warnings)


@dataclass(frozen=True)
class ProfileLink:
    """How a platform's profile link names its account: the hosts, the path patterns, what a valid id looks
    like, the share hosts that cannot be read offline, the id's name in the users' words."""

    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    valid: re.Pattern[str]
    short_hosts: tuple[str, ...]
    id_name: str
    id_hint: str = ""  # said when the 账号ID alone cannot name the account


DOUYIN_LINK = ProfileLink(("douyin.com", "iesdouyin.com"), (r"/user/([^/?#]+)", r"/share/user/([^/?#]+)"), _SEC_UID,
                          ("v.douyin.com",), "sec_uid（MS4wLjABAAAA 开头）",
                          "抖音号不能直接定位主页：请填写 www.douyin.com/user/ 开头的主页链接")
TOUTIAO_LINK = ProfileLink(("toutiao.com",), (r"/c/user/token/([^/?#]+)",), _TOKEN, ("m.toutiao.com/is",),
                           "token（MS4wLjABAAAA 开头）")
KUAISHOU_LINK = ProfileLink(("kuaishou.com", "gifshow.com"), (r"/profile/([^/?#]+)", r"/u/([^/?#]+)"),
                            re.compile(r"[-_0-9A-Za-z]{2,40}"), ("v.kuaishou.com",), "用户ID")
BILIBILI_LINK = ProfileLink(("bilibili.com",), (r"^/(\d+)", r"/space/(\d+)"), re.compile(r"\d{1,20}"), ("b23.tv",),
                            "mid（数字）")


def parse_profile(link_rule: ProfileLink, label: str, account_id: str | None, url: str | None) -> Parsed:
    """Douyin, Toutiao, Kuaishou, Bilibili: one id, from the account ID or from the profile link's path."""
    hosts, paths, valid, short_hosts, id_name = (link_rule.hosts, link_rule.paths, link_rule.valid,
                                                 link_rule.short_hosts, link_rule.id_name)
    warnings: list[str] = []
    found: str | None = None
    key = (account_id or "").strip()
    if key:
        if valid.fullmatch(key):
            found = key
        else:
            warnings.append(f"账号ID“{key}”不是{label}的{id_name}，已忽略（请填写主页链接）")
    link = _url(url)
    if url and not link:
        warnings.append(f"链接“{url.strip()}”不是网址，已忽略")
    elif link:
        host, path, query = link
        if host.endswith(short_hosts):
            warnings.append(f"链接是{label}的分享短链接，无法离线解析，请在浏览器打开后复制主页地址")
        elif host.endswith(hosts) or host in ("127.0.0.1", "localhost"):
            value = None
            for pattern in paths:
                m = re.search(pattern, path)
                if m:
                    value = m[1]
                    break
            value = value or query.get("sec_uid") or query.get("mid") or query.get("token")
            if value and valid.fullmatch(value):
                if found and found != value:
                    warnings.append(f"链接中的{id_name}与账号ID不一致，以链接为准")
                found = value
            else:
                warnings.append(f"{label}链接中读不到{id_name}")
        else:
            warnings.append(f"链接的网站 {host} 不是{label}")
    if link_rule.id_hint and account_id and not found:
        warnings.append(link_rule.id_hint)
    return Parsed({"id": found} if found else None, warnings)


def parse_feed_or_list(url: str | None, account_id: str | None = None) -> Parsed:
    """A 客户端 or 网站栏目: its RSS/Atom feed, else a web page with a dated list."""
    link = _url(url)
    if not link:
        missing = "缺少链接（RSS 订阅地址或栏目网址）"
        warnings = [f"链接“{url.strip()}”不是网址" if url and url.strip() else missing]
        if account_id:
            warnings.append("客户端或网站栏目需要 RSS 订阅地址或栏目网址作为链接")
        return Parsed(None, warnings)
    text = url.strip()
    if not re.match(r"^[a-z]+://", text, re.I):
        text = "https://" + text
    parts = urlsplit(text)
    feed = _FEED_PATH.search(parts.path) or _FEED_PATH.search("?" + parts.query)
    return Parsed({"feed": text} if feed else {"list_url": text})


def route_wechat(account: Any, meta: Mapping[str, Any], ident: Mapping[str, Any], access: Access) -> Target | None:
    """WeChat, in order of completeness: the office's backend (every article), the history list, an album, an
    article, and last 搜狗's entry (one latest article)."""
    biz = ident.get("biz")
    if access.wechat and (meta.get("fakeid") or biz or ident.get("wxid") or account.name):
        return Target("wechat:backend", str(meta.get("fakeid") or biz or ""),
                      {"name": account.name, "wxid": ident.get("wxid"), "biz": biz})
    if meta.get("history_url"):
        return Target("wechat:history", meta["history_url"])
    if ident.get("history"):
        return Target("wechat:getmsg", biz, dict(ident["history"]))
    if meta.get("album_url"):
        return Target("wechat:album", meta["album_url"])
    if ident.get("album"):
        return Target("wechat:album", "/mp/appmsgalbum", {"action": "getalbum", **ident["album"]})
    if meta.get("article_url"):
        return Target("wechat:article", meta["article_url"])
    if ident.get("article"):
        return Target("wechat:article", ident["article"])
    return Target("wechat:sogou", ident.get("wxid") or account.name, {"name": account.name, "wxid": ident.get("wxid")})


def route_weibo(account: Any, meta: Mapping[str, Any], ident: Mapping[str, Any], access: Access) -> Target | None:
    if ident.get("uid"):
        return Target("weibo", ident["uid"])
    if ident.get("domain"):
        return Target("weibo", "", {"domain": ident["domain"]})
    return None


__all__ = ["BILIBILI_LINK", "DOUYIN_LINK", "KUAISHOU_LINK", "TOUTIAO_LINK", "Parsed", "ProfileLink", "Target",
           "parse_feed_or_list", "parse_profile", "parse_wechat", "parse_weibo", "route_wechat", "route_weibo"]
