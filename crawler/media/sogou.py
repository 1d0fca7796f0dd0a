"""搜狗微信 account search (`weixin?type=1&query=…`): one row per account with its name (the whole title node,
`<em>` highlighting included), its 微信号 (`label[name=em_weixinhao]`) and its 最近文章 (`timeConvert('unix')`).
Only a row whose name or 微信号 is the registered one is credited; a no-result page, a row without 最近文章,
an empty answer or the `/antispider/` captcha are failures with their reason, never "no posts"."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.html
from lxml.etree import ParserError

from crawler.media.common import Fetcher, failed, failure_of, from_unix, guarded, single_page
from crawler.media.wechat import clean_url
from storage.media_repo import CollectionResult, PostSeen

SOURCE = "wechat:sogou"
SOGOU = "https://weixin.sogou.com"
_TIME = re.compile(r"timeConvert\('(\d{9,11})'\)")
NO_RESULT = ("暂无与", "没有找到相关的微信公众号", "没有找到相关", "抱歉！暂无")
LATEST_ONLY = "搜狗只显示该公众号的最近一篇文章，不覆盖连续时段（完整列表需要公众号后台登录：GOVWATCH_WECHAT_SESSION）"


@dataclass
class SogouAccount:
    """One row of the account search."""

    name: str | None
    wxid: str | None
    latest: PostSeen | None


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _root(text: str) -> Any:
    try:
        return lxml.html.fromstring(text)
    except (ParserError, ValueError):
        return None


def parse_accounts(text: str, base: str = SOGOU) -> list[SogouAccount]:
    root = _root(text) if text.strip() else None
    if root is None:
        return []
    rows = []
    for li in root.xpath('//ul[contains(@class,"news-list2")]/li'):
        title = li.xpath('.//a[starts-with(@uigs,"account_name")] | .//p[contains(@class,"tit")]//a')
        name = re.sub(r"\s+", "", title[0].text_content()) if title else None
        label = li.xpath('.//label[@name="em_weixinhao"]')
        wxid = label[0].text_content().strip() if label else None
        if not wxid:
            m = re.search(r"微信号[：:]\s*([A-Za-z][-_A-Za-z0-9]{4,19})", li.text_content())
            wxid = m[1] if m else None
        latest = None
        for dd in li.xpath('.//dl[dt[contains(., "最近文章")]]/dd'):
            script = " ".join(dd.xpath(".//script/text()"))
            m = _TIME.search(script)
            link = dd.xpath('.//a[starts-with(@uigs,"account_article")] | .//a')
            if m and link:
                latest = PostSeen(published_at=from_unix(m[1]), title=link[0].text_content().strip() or None,
                                  url=clean_url(link[0].get("href"), base=base),
                                  meta={"account": name, "wxid": wxid, "temporary_link": True})
        rows.append(SogouAccount(name or None, wxid or None, latest))
    return rows


def parse_article_results(text: str, base: str = SOGOU) -> list[PostSeen]:
    """搜狗 article search (type=2): each result with its title link, account and `timeConvert('unix')`."""
    root = _root(text) if text.strip() else None
    if root is None:
        return []
    posts: list[PostSeen] = []
    for li in root.xpath('//ul[contains(@class,"news-list")]/li | //div[contains(@class,"news-box")]//li'):
        m = _TIME.search(" ".join(li.xpath(".//script/text()")))
        link = li.xpath('.//h3//a | .//dd/a')
        if not m or not link:
            continue
        account = li.xpath('.//a[contains(@class,"account")]')
        posts.append(PostSeen(published_at=from_unix(m[1]), title=link[0].text_content().strip() or None,
                              url=clean_url(link[0].get("href"), base=base),
                              meta={"account": account[0].text_content().strip() if account else None}))
    return posts


def matching(rows: list[SogouAccount], name: str | None, wxid: str | None) -> SogouAccount | None:
    """The row that is the registered account: same 微信号, else exactly the same name. A row whose name
    cannot be read is never credited."""
    if wxid:
        for row in rows:
            if row.wxid and row.wxid.lower() == wxid.lower():
                return row
    for row in rows:
        if name and row.name and _norm(row.name) == _norm(name):
            return row
    return None


def collect(query: str, *, base: str, fetcher: Fetcher, seen_at: datetime, name: str | None,
            wxid: str | None) -> CollectionResult:
    """Search the account on 搜狗 as its web page does, and read the matching row's 最近文章."""
    url = f"{base.rstrip('/')}/weixin?type=1&query={query}"

    def work() -> CollectionResult:
        response = fetcher.get(f"{base.rstrip('/')}/weixin", headers={"Referer": base.rstrip("/") + "/"},
                               type=1, query=query, ie="utf8", s_from="input")
        text = response.text
        if "antispider" in str(response.url) or (hit := failure_of(text)) and hit[0] == "captcha":
            return failed(SOURCE, "captcha", "搜狗要求输入验证码（访问过于频繁），未能读取", url, fetcher)
        if response.status_code >= 400:
            status = "blocked" if response.status_code in (403, 429) else "error"
            return failed(SOURCE, status, f"搜狗返回 HTTP {response.status_code}，未能读取", url, fetcher)
        if not text.strip():
            return failed(SOURCE, "blocked", "搜狗返回空白页面（可能被限制访问），未能读取", url, fetcher)
        rows = parse_accounts(text, base)
        if not rows:
            if any(marker in text for marker in NO_RESULT):
                return failed(SOURCE, "not_found", f"搜狗未找到“{query}”（搜狗提示暂无相关公众号），无法核验", url,
                              fetcher)
            return failed(SOURCE, "error", "搜狗页面中没有读到公众号结果，无法核验", url, fetcher)
        row = matching(rows, name, wxid)
        if row is None:
            shown = "、".join(r.name or "（名称无法读取）" for r in rows[:5])
            return failed(SOURCE, "not_found", f"搜狗结果中没有与登记名称或微信号一致的公众号"
                          f"（结果：{shown}），无法核验",
                          url, fetcher, results=[{"name": r.name, "wxid": r.wxid} for r in rows[:10]])
        if row.latest is None:
            return failed(SOURCE, "not_found", f"搜狗结果中“{row.name}”没有显示最近文章，无法读取发布时间", url,
                          fetcher)
        return single_page(SOURCE, [row.latest], url, fetcher, LATEST_ONLY, kinds=["latest"],
                           account={"name": row.name, "wxid": row.wxid})

    return guarded(SOURCE, url, fetcher, work, "搜狗")
