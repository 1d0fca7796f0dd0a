"""The registry is the target: 链接 and 账号ID as offices write them parse to each platform's identity; what
cannot be used is a Chinese warning naming what was wrong; the route follows the identity and the sessions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from crawler.media.access import Access
from crawler.media.platforms import parse_registry, target_for


def route(account, *, wechat_backend: bool = False):
    """Tonight's target of a registry row, with or without the office's 公众平台 session."""
    return target_for(account, access=Access("cookie=1", "123") if wechat_backend else Access())

BIZ = "MzA4ODUzNjAxOA=="
SEC = "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM"


@pytest.mark.parametrize(("account_id", "url", "expected"), [
    (None, f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000001&idx=1&sn=abc#rd",
     {"biz": BIZ, "article": f"/s?__biz={BIZ.replace('=', '%3D')}&mid=2650000001&idx=1&sn=abc"}),
    (None, f"https://mp.weixin.qq.com/s?__biz={BIZ}&amp;mid=1&amp;idx=2&amp;sn=x",  # pasted HTML-escaped
     {"biz": BIZ, "article": f"/s?__biz={BIZ.replace('=', '%3D')}&mid=1&idx=2&sn=x"}),
    (None, f"https://mp.weixin.qq.com/mp/appmsgalbum?__biz={BIZ}&action=getalbum&album_id=123456#wechat_redirect",
     {"biz": BIZ, "album": {"__biz": BIZ, "album_id": "123456"}}),
    (None, f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={BIZ}&uin=MTIz&key=abc&pass_ticket=p",
     {"biz": BIZ, "history": {"__biz": BIZ, "uin": "MTIz", "key": "abc", "pass_ticket": "p"}}),
    ("gh_9381891f8dd8", "https://mp.weixin.qq.com/s/AbCdEf123", {"gh": "gh_9381891f8dd8", "article": "/s/AbCdEf123"}),
    ("shishislszf", None, {"wxid": "shishislszf"}),
    (BIZ, None, {"biz": BIZ}),
])
def test_wechat_links_and_ids(account_id, url, expected) -> None:
    parsed = parse_registry("wechat", account_id, url)
    assert parsed.identity == {"platform": "wechat", **expected}
    assert parsed.warnings == []


@pytest.mark.parametrize(("account_id", "url", "words"), [
    ("微信 号!", None, "不是微信号"),
    (None, "https://weixin.sogou.com/link?url=abc", "搜狗的临时跳转链接"),
    (None, "https://mp.weixin.qq.com/s?src=3&timestamp=1500052504&ver=1&signature=xyz", "临时链接"),
    (None, "https://mp.weixin.qq.com/mp/appmsgalbum?action=getalbum&album_id=1", "缺少 __biz"),
    (None, f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={BIZ}", "缺少 uin/key"),
    (None, "https://www.example.gov.cn/wx.html", "不是微信公众平台"),
    (None, "not a link", "不是网址"),
    (None, "https://mp.weixin.qq.com/s?__biz=notbase64!&mid=1", "__biz"),
])
def test_wechat_warnings_name_what_was_wrong(account_id, url, words) -> None:
    parsed = parse_registry("wechat", account_id, url)
    assert any(words in w for w in parsed.warnings), parsed.warnings


@pytest.mark.parametrize(("account_id", "url", "expected"), [
    ("1669879400", None, {"uid": "1669879400"}),
    (None, "https://weibo.com/u/1669879400", {"uid": "1669879400"}),
    (None, "https://m.weibo.cn/u/1669879400?uid=1669879400&luicode=10000011", {"uid": "1669879400"}),
    (None, "https://m.weibo.cn/profile/1669879400", {"uid": "1669879400"}),
    (None, "weibo.com/1669879400", {"uid": "1669879400"}),
    (None, "https://weibo.com/p/1005051669879400/home", {"uid": "1669879400"}),
    (None, "https://weibo.com/gzfb", {"domain": "gzfb"}),
    ("1669879400", "https://weibo.com/gzfb", {"uid": "1669879400"}),
])
def test_weibo_uid_and_custom_domains(account_id, url, expected) -> None:
    parsed = parse_registry("weibo", account_id, url)
    assert parsed.identity == {"platform": "weibo", **expected} and parsed.warnings == []


def test_weibo_wrong_site_and_conflicts_warn() -> None:
    assert "不是微博" in parse_registry("weibo", None, "https://www.douyin.com/user/x").warnings[0]
    parsed = parse_registry("weibo", "1111111111", "https://weibo.com/u/2222222222")
    assert parsed.identity["uid"] == "2222222222" and "不一致" in parsed.warnings[0]


@pytest.mark.parametrize(("platform", "account_id", "url", "key"), [
    ("douyin", None, f"https://www.douyin.com/user/{SEC}?from_tab_name=main", SEC),
    ("douyin", SEC, None, SEC),
    ("bilibili", None, "https://space.bilibili.com/12345/dynamic", "12345"),
    ("bilibili", "12345", None, "12345"),
    ("toutiao", None, f"https://www.toutiao.com/c/user/token/{SEC}/?source=profile", SEC),
    ("kuaishou", None, "https://www.kuaishou.com/profile/3xk46q9cdnvgife", "3xk46q9cdnvgife"),
    ("kuaishou", None, "https://live.kuaishou.com/profile/3xk46q9cdnvgife", "3xk46q9cdnvgife"),
])
def test_profile_ids(platform, account_id, url, key) -> None:
    parsed = parse_registry(platform, account_id, url)
    assert parsed.identity == {"platform": platform, "id": key} and parsed.warnings == []


@pytest.mark.parametrize(("platform", "account_id", "url", "words"), [
    ("douyin", "demo_county_travel", None, "抖音号不能直接定位主页"),
    ("douyin", None, "https://v.douyin.com/iRNBho6u/", "分享短链接"),
    ("bilibili", None, "https://b23.tv/abc", "分享短链接"),
    ("bilibili", None, "https://www.bilibili.com/video/BV1xx", "读不到mid"),
    ("kuaishou", None, "https://www.weibo.com/u/1", "不是快手"),
])
def test_profile_warnings(platform, account_id, url, words) -> None:
    parsed = parse_registry(platform, account_id, url)
    assert parsed.identity is None and any(words in w for w in parsed.warnings), parsed.warnings


def test_feeds_and_lists_for_apps_and_columns() -> None:
    assert parse_registry("app", None, "https://app.example.gov.cn/rss/news.xml").identity == {
        "platform": "app", "feed": "https://app.example.gov.cn/rss/news.xml"}
    assert parse_registry("app", None, "https://app.example.gov.cn/feed").identity["feed"]
    assert parse_registry("other", None, "https://www.example.gov.cn/col/list.html").identity == {
        "platform": "other", "list_url": "https://www.example.gov.cn/col/list.html"}
    assert "缺少链接" in parse_registry("app", None, None).warnings[0]


def _account(platform: str, account_id=None, url=None, meta=None, name="示例号"):
    return SimpleNamespace(platform=platform, account_id=account_id, url=url, meta=meta, name=name)


def test_route_follows_the_identity_and_the_session() -> None:
    album = f"https://mp.weixin.qq.com/mp/appmsgalbum?__biz={BIZ}&action=getalbum&album_id=7"
    account = _account("wechat", url=album)
    assert route(account).kind == "wechat:album" and route(account).params["album_id"] == "7"
    backend = route(account, wechat_backend=True)
    assert backend.kind == "wechat:backend" and backend.key == BIZ  # the fakeid is the __biz
    by_name = route(_account("wechat", name="示例市人民政府"), wechat_backend=True)
    assert by_name.kind == "wechat:backend" and by_name.key == "" and by_name.params["name"] == "示例市人民政府"
    sogou = route(_account("wechat", account_id="shishislszf"))
    assert sogou.kind == "wechat:sogou" and sogou.params == {"name": "示例号", "wxid": "shishislszf"}
    assert route(_account("app", url="https://app.example.gov.cn/rss.xml")).kind == "rss"
    assert route(_account("weibo", url="https://weibo.com/gzfb")).params == {"domain": "gzfb"}
    assert route(_account("bilibili", url="https://space.bilibili.com/9/video")).key == "9"
    assert route(_account("douyin", account_id="demo_county_travel")) is None
    # the identity stored at import wins over a re-parse; older meta keys still work
    stored = _account("wechat", meta={"target": {"platform": "wechat", "article": "/s/x"}})
    assert route(stored).kind == "wechat:article" and route(stored).key == "/s/x"
    assert route(_account("wechat", meta={"album_url": "http://h/mp/appmsgalbum"})).key == "http://h/mp/appmsgalbum"
