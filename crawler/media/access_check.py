"""What will work tonight, per platform, with the sessions present: rows of Chinese text for
`govwatch accounts check-access`. With `probe`, each configured session is tried with one light request
(公众平台 `searchbiz`, m.weibo.cn `api/config`, Bilibili `x/web-interface/nav`) so an expired login shows
before the night's run, not in its verdicts. Secrets never appear in a row."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from crawler.media.access import BILIBILI_EXPIRED, WEIBO_EXPIRED, Access, cookie_dict
from crawler.media.common import Fetcher
from crawler.media.platforms import default_base
from crawler.media.wechat_backend import Backend, BackendRefusal


@dataclass(frozen=True)
class AccessRow:
    platform: str
    path: str
    state: str  # 可用 | 未配置 | 已失效 | 受限 | 未检查
    detail: str

    def text(self) -> str:
        return f"{self.platform}｜{self.path}｜{self.state}｜{self.detail}"


@dataclass(frozen=True)
class Bases:
    """The platforms' addresses (the test simulation replaces them); the defaults are the platform records'."""

    wechat: str = field(default_factory=lambda: default_base("wechat"))
    weibo: str = field(default_factory=lambda: default_base("weibo"))
    bilibili_api: str = field(default_factory=lambda: default_base("bilibili_api"))


def _probe_wechat(access: Access, base: str, timeout: float) -> tuple[str, str]:
    fetcher = Fetcher(timeout=timeout)
    try:
        Backend(access, fetcher, base).search("人民日报")
        return "可用", "公众号后台登录有效：可读取任何公众号的完整发布列表（每页5篇，已放慢）"
    except BackendRefusal as refusal:
        return ("已失效" if refusal.status == "login_required" else "受限"), refusal.reason
    except httpx.HTTPError:
        return "未检查", "连接公众号后台失败，无法检查登录是否有效"
    finally:
        fetcher.close()


def _probe_json(url: str, cookie: str, timeout: float, headers: dict[str, str] | None = None) -> dict | None:
    fetcher = Fetcher(timeout=timeout)
    fetcher.cookies.update(cookie_dict(cookie))
    try:
        value = fetcher.get(url, headers=headers).json()
        return value if isinstance(value, dict) else None
    except (httpx.HTTPError, ValueError):
        return None
    finally:
        fetcher.close()


def check_access(access: Access, *, probe: bool = False, bases: Bases | None = None,
                 browser: bool = True, timeout: float = 15.0) -> list[AccessRow]:
    """One row per platform path: what works from public pages, what the sessions present add, and what
    the office does where neither works (the posts file from the platform's own export)."""
    bases = bases or Bases()
    rows: list[AccessRow] = []
    if access.wechat:
        state, detail = _probe_wechat(access, bases.wechat, timeout) if probe else (
            "未检查", "已配置公众号后台登录（cookie 与 token）；加 --probe 检查是否仍有效")
        rows.append(AccessRow("微信公众号", "公众号后台列表（appmsg list_ex）", state, detail))
    else:
        rows.append(AccessRow("微信公众号", "公众号后台列表（appmsg list_ex）", "未配置",
                              "未设置 GOVWATCH_WECHAT_SESSION（本单位公众号后台的 cookie|token）：没有完整发布列表，"
                              "只能读文章链接、合集和搜狗最近一篇，“2周未更新”多为无法核验"))
    rows.append(AccessRow("微信公众号", "文章链接 / 合集链接 / 搜狗最近文章", "可用",
                          "无需登录；只证明某篇文章的发布时间，不覆盖连续时段；搜狗常出现验证码或“暂无相关公众号”"))
    if access.weibo_cookie:
        state, detail = "未检查", "已配置微博登录 Cookie；加 --probe 检查是否仍有效"
        if probe:
            data = _probe_json(f"{bases.weibo.rstrip('/')}/api/config", access.weibo_cookie, timeout)
            login = bool(((data or {}).get("data") or {}).get("login"))
            state, detail = ("可用", "微博登录有效：发布列表按登录身份读取") if login else (
                ("已失效", WEIBO_EXPIRED) if data is not None else ("未检查", "连接微博失败，无法检查登录是否有效"))
        rows.append(AccessRow("新浪微博", "m.weibo.cn 发布列表（登录）", state, detail))
    else:
        rows.append(AccessRow("新浪微博", "m.weibo.cn 发布列表（访客）", "受限" if browser else "不可用",
                              ("访客身份需浏览器获取；2026年起多数账号对访客答 ok:-100（要求登录），"
                               "设置 GOVWATCH_WEIBO_COOKIE 后按登录读取") if browser else
                              "没有浏览器（Chromium），无法取得访客身份；请设置 GOVWATCH_WEIBO_COOKIE"))
    if access.bilibili_cookie:
        state, detail = "未检查", "已配置哔哩哔哩 Cookie；加 --probe 检查是否仍有效"
        if probe:
            data = _probe_json(f"{bases.bilibili_api.rstrip('/')}/x/web-interface/nav", access.bilibili_cookie,
                               timeout, {"Referer": "https://www.bilibili.com/"})
            login = bool(((data or {}).get("data") or {}).get("isLogin"))
            state, detail = ("可用", "哔哩哔哩登录有效：动态列表按登录身份读取") if login else (
                ("已失效", BILIBILI_EXPIRED) if data is not None else ("未检查", "连接哔哩哔哩失败，无法检查"))
        rows.append(AccessRow("哔哩哔哩", "空间动态列表（含视频、图文、转发）", state, detail))
    else:
        rows.append(AccessRow("哔哩哔哩", "空间动态列表（含视频、图文、转发）", "受限",
                              "无需登录即可请求；机房网络常被答 -352（风控），"
                              "设置 GOVWATCH_BILIBILI_COOKIE 可减少拦截"))
    page_state = "可用" if browser else "不可用"
    page_words = "用浏览器打开账号主页，读取页面自己请求的列表；常遇验证码或拦截页" if browser else \
        "没有浏览器（Chromium），无法打开账号主页"
    for platform in ("抖音", "今日头条", "快手"):
        rows.append(AccessRow(platform, "公开主页（浏览器）", page_state, page_words))
    rows.append(AccessRow("客户端 / 网站栏目", "RSS 订阅或栏目列表页", "可用", "无需登录"))
    rows.append(AccessRow("所有平台", "发布记录文件（posts import）", "可用",
                          "平台拦截或缺少登录时：从平台后台导出发布记录，"
                          "用 govwatch posts import 导入，覆盖文件写明的时段"))
    return rows


__all__ = ["AccessRow", "Bases", "check_access"]
