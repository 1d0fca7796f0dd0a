"""The normal route against the platforms' answers (tests/sites/media.py over real HTTP, no mocking): an
accounts file with 账号名称, 平台 and 链接 only, imported, then collected; the office's sessions; every failure
a status with its Chinese reason and the answer kept; no collection `ok` with 0 posts unless a complete list
was read; no coverage for post kinds that were not listed; no traceback."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from config.settings import Settings
from crawler.media import intercept
from crawler.media.access import WECHAT_EXPIRED, Access, install_log_mask
from crawler.media.access_check import Bases, check_access
from crawler.media.collect import Collector, collect_accounts
from crawler.media.targets import Target
from govwatch.demo import media as sim
from inspection.registry.media_files import read_accounts_file
from inspection.registry.media_import import import_accounts
from storage.db import Database
from storage.media import Account, Collection
from storage.media_repo import account_posts, to_beijing, upsert_account

AS_OF = date(2024, 6, 20)
OFFICE = Access(wechat_cookie=sim.MP_COOKIE, wechat_token=sim.MP_TOKEN)
ARTICLE = f"https://mp.weixin.qq.com/s?__biz={sim.BIZ}&mid=2650000001&idx=1&sn=abc#rd"
ALBUM = f"https://mp.weixin.qq.com/mp/appmsgalbum?__biz={sim.BIZ}&action=getalbum&album_id={{}}#wechat_redirect"


@pytest.fixture
def platforms(tmp_path):
    sim.SEEN.clear()
    with sim.serve_platforms() as served:
        b = served.base
        bases = dict.fromkeys(("weibo", "wechat", "sogou", "bilibili", "douyin", "toutiao", "kuaishou"), b)
        settings = Settings(home=tmp_path, bases={**bases, "bilibili_api": served.bilibili_api}, media_spacing=0.0,
                            media_jitter=0.0, media_pages=5, timeout=10.0, chromium_path="/nonexistent")
        settings.ensure_home()
        yield settings, Database(settings.database), served


def _import(db, tmp_path, rows: list[tuple[str, str, str]]):
    path = tmp_path / "accounts.csv"
    path.write_text("账号名称,平台,链接\n" + "".join(f"{n},{p},{u}\n" for n, p, u in rows), encoding="utf-8")
    with db.session() as session:
        summary = import_accounts(session, read_accounts_file(path))
        ids = {a.name: a.id for a in session.query(Account)}
    return ids, summary


def _collect(settings, db, served, ids, access: Access | None = None):
    collector = Collector(settings, access=access or Access())
    try:
        got = collect_accounts(settings, db, list(ids), collector=collector)
    finally:
        collector.close()
    with db.session() as session:
        return {aid: session.get(Collection, cid) for aid, cid in got.items()}


def _verdicts(db, ids):
    from rules.accounts import evaluate_accounts
    from rules.profile import load_profile

    return {r.account_pk: r for r in evaluate_accounts(db, list(ids), AS_OF, load_profile("national-2019"),
                                                        save=False)}


def _register(db, **kwargs) -> int:
    with db.session() as session:
        return upsert_account(session, **kwargs)[0].id


def test_an_accounts_file_reaches_each_platforms_list(platforms, tmp_path) -> None:
    settings, db, served = platforms
    ids, summary = _import(db, tmp_path, [
        ("示例市人民政府", "微信公众号", ARTICLE),
        ("防汛合集号", "微信公众号", ALBUM.format("100")),
        ("某市发布", "新浪微博", "https://weibo.com/u/1001"),
        ("个性域名号", "新浪微博", "https://weibo.com/gzfb"),
        ("某市B站号", "哔哩哔哩", "https://space.bilibili.com/12345/dynamic"),
        ("示例市客户端", "客户端", f"{served.base}/app/rss"),
        ("示例区客户端", "客户端", f"{served.base}/app/latest.jsp"),
        ("示例县文旅", "抖音", "https://v.douyin.com/iRNBho6u/"),
    ])
    assert summary.warnings == ["第9行（示例县文旅）：链接是抖音的分享短链接，无法离线解析，请在浏览器打开后复制主页地址"]
    got = {name: c for name, c in zip(ids, _collect(settings, db, served, ids.values()).values(), strict=True)}
    assert (got["示例市人民政府"].source, got["示例市人民政府"].status, got["示例市人民政府"].posts_seen) == (
        "wechat:article", "ok", 1)
    assert got["示例市人民政府"].covered_from is None and "GOVWATCH_WECHAT_SESSION" in got["示例市人民政府"].reason
    assert (got["防汛合集号"].source, got["防汛合集号"].posts_seen, got["防汛合集号"].covered_from) == (
        "wechat:album", 3, None)
    assert got["某市发布"].posts_seen == 5 and got["个性域名号"].posts_seen == 5
    assert got["某市B站号"].posts_seen == 12 and got["某市B站号"].detail["kinds"] == ["all"]
    assert (got["示例市客户端"].source, got["示例市客户端"].posts_seen) == ("rss", 2)
    assert (got["示例区客户端"].source, got["示例区客户端"].posts_seen) == ("rss", 2)  # read as the feed it is
    assert got["示例县文旅"].status == "error" and "分享短链接" in got["示例县文旅"].reason
    album_requests = [q for path, q, _ in sim.SEEN if path == "/mp/appmsgalbum"]
    assert all(q["f"] == "json" and q["album_id"] == "100" for q in album_requests) and len(album_requests) == 2
    verdicts = _verdicts(db, ids.values())
    assert verdicts[ids["某市发布"]].verdict == "pass" and verdicts[ids["某市B站号"]].verdict == "pass"
    wechat = verdicts[ids["示例市人民政府"]]
    assert wechat.verdict == "unknown" and "GOVWATCH_WECHAT_SESSION" in wechat.data["unknown"][0]["detail"]


def test_with_the_office_session_the_backend_list_is_read(platforms, tmp_path, caplog) -> None:
    settings, db, served = platforms
    ids, _ = _import(db, tmp_path, [("示例市人民政府", "微信公众号", ARTICLE), ("示例市人民政府办公室", "微信公众号", "")])
    caplog.set_level(logging.INFO)
    got = _collect(settings, db, served, ids.values(), OFFICE)
    by_link, by_name = got[ids["示例市人民政府"]], got[ids["示例市人民政府办公室"]]
    assert (by_link.source, by_link.status, by_link.posts_seen) == ("wechat:backend", "ok", 12), by_link.reason
    assert by_link.detail["complete"] is True and by_link.detail["pages"] == 3 and by_link.detail["fakeid"] == sim.BIZ
    assert to_beijing(by_link.covered_from).isoformat() == "2024-05-31T20:00:00+08:00"
    assert by_name.status == "ok" and by_name.detail["fakeid"] == sim.BIZ_OTHER  # found by searchbiz
    lists = [(q, h) for path, q, h in sim.SEEN if path == "/cgi-bin/appmsg"]
    assert {q["count"] for q, _ in lists} == {"5"} and [q["begin"] for q, _ in lists][:3] == ["0", "5", "10"]
    assert all(q["action"] == "list_ex" and q["type"] == "9" and h.get("X-Requested-With") for q, h in lists)
    # the session never shows: not in what is stored, not in the log
    with db.session() as session:
        stored = repr([(c.url, c.reason, c.evidence, c.detail) for c in session.query(Collection)])
    for secret in (sim.MP_TOKEN, "SIM-SECRET-SID-0001", "TICKET-SECRET"):
        assert secret not in stored and secret not in caplog.text
    assert "token=***" in stored
    assert _verdicts(db, [ids["示例市人民政府"]])[ids["示例市人民政府"]].verdict == "pass"


def test_an_expired_session_is_unverifiable_with_what_to_do(platforms, tmp_path) -> None:
    """The first expired answer stops the backend for the run: the next account asks nothing more."""
    settings, db, served = platforms
    ids, _ = _import(db, tmp_path, [("示例市人民政府", "微信公众号", ARTICLE), ("示例市人民政府办公室", "微信公众号", "")])
    got = _collect(settings, db, served, ids.values(), replace(OFFICE, wechat_token="111111111"))
    first, second = got[ids["示例市人民政府"]], got[ids["示例市人民政府办公室"]]
    assert (first.status, first.reason, first.posts_seen, first.covered_from) == (
        "login_required", WECHAT_EXPIRED, 0, None)
    assert first.evidence
    assert second.status == "login_required" and "本轮已暂停" in second.reason and second.evidence is None
    assert len([p for p, _, _ in sim.SEEN if p.startswith("/cgi-bin/")]) == 1
    verdict = _verdicts(db, ids.values())[ids["示例市人民政府"]]
    assert verdict.verdict == "unknown" and WECHAT_EXPIRED in verdict.data["unknown"][0]["detail"]


def test_sogou_rows_are_read_right(platforms) -> None:
    settings, db, served = platforms
    ids = {key: _register(db, name=name, platform="wechat", account_id=wxid) for key, name, wxid in [
        ("em", "山东高考指南", None), ("wxid", "山东省高考指南（登记名不同）", "sdgkzn"), ("lookalike", "某市政务", None),
        ("none", "无结果号", None), ("no_latest", "无文章号", None), ("unnamed", "名称不明号", None),
        ("empty", "空白号", None), ("captcha", "频繁访问号", None)]}
    got = {k: c for k, c in zip(ids, _collect(settings, db, served, ids.values()).values(), strict=True)}
    assert got["em"].status == "ok" and got["em"].detail["account"] == {"name": "山东高考指南", "wxid": "sdgkzn"}
    assert got["wxid"].status == "ok" and got["wxid"].posts_seen == 1  # matched on the 微信号
    with db.session() as session:
        [post] = account_posts(session, ids["em"])
        [other] = account_posts(session, ids["lookalike"])
    assert post.url.startswith(f"{served.base}/link?url=") and "&timestamp=1718359200&signature=sig0" in post.url
    assert other.title == "某市政务：本周政务要闻"  # not the look-alike 某市政务服务中心's newer article
    for key in ("em", "wxid", "lookalike"):
        assert got[key].covered_from is None and "最近一篇" in got[key].reason
    assert got["none"].status == "not_found" and "暂无相关公众号" in got["none"].reason and got["none"].evidence
    assert got["no_latest"].status == "not_found" and "没有显示最近文章" in got["no_latest"].reason
    assert got["unnamed"].status == "not_found" and got["unnamed"].posts_seen == 0  # never credited
    assert got["empty"].status == "blocked" and "空白页面" in got["empty"].reason and got["empty"].evidence
    assert got["captcha"].status == "captcha" and got["captcha"].evidence
    for key in ("none", "no_latest", "unnamed", "empty", "captcha"):
        assert got[key].posts_seen == 0 and got[key].covered_from is None


@pytest.mark.parametrize(("album", "status", "words"), [
    ("blocked", "deleted", "屏蔽"), ("temp", "not_found", "过期"), ("verify", "captcha", "验证")])
def test_album_failure_pages(platforms, album: str, status: str, words: str) -> None:
    settings, db, served = platforms
    aid = _register(db, name=f"合集{album}", platform="wechat", url=ALBUM.format(album))
    [c] = _collect(settings, db, served, [aid]).values()
    assert c.status == status and words in c.reason and c.evidence and c.posts_seen == 0


def test_the_album_page_is_html_unless_json_is_asked(platforms) -> None:
    import httpx

    _, _, served = platforms
    page = httpx.get(f"{served.base}/mp/appmsgalbum?__biz={sim.BIZ}&action=getalbum&album_id=1")
    assert page.headers["content-type"].startswith("text/html") and "js_album_list" in page.text
    data = httpx.get(f"{served.base}/mp/appmsgalbum?__biz={sim.BIZ}&action=getalbum&album_id=1&f=json").json()
    assert data["getalbum_resp"]["continue_flag"] == "1"


def test_history_link_with_client_key_reads_getmsg(platforms, tmp_path) -> None:
    settings, db, served = platforms
    link = "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={}&uin=MTIzNDU2&key={}&pass_ticket=pt"
    ids, summary = _import(db, tmp_path, [("历史号", "微信公众号", link.format(sim.BIZ, "KEY-OK")),
                                          ("过期号", "微信公众号", link.format(sim.BIZ_OTHER, "KEY-OLD"))])
    got = _collect(settings, db, served, ids.values())
    ok, old = got[ids["历史号"]], got[ids["过期号"]]
    assert (ok.source, ok.status, ok.posts_seen, ok.detail["complete"], ok.detail["pages"]) == (
        "wechat:getmsg", "ok", 14, True, 2)
    assert old.status == "login_required" and "key 已失效" in old.reason and old.evidence
    assert "KEY-OK" not in repr((ok.url, ok.evidence))


def test_weibo_requests_as_the_mobile_page_and_login_cookie(platforms) -> None:
    settings, db, served = platforms
    listed = _register(db, name="某市发布", platform="weibo", account_id="1001")
    login_only = _register(db, name="登录可见号", platform="weibo", account_id="1006")
    got = _collect(settings, db, served, [listed, login_only])
    assert got[listed].status == "ok" and got[listed].detail["complete"] is True
    calls = [(q, h) for path, q, h in sim.SEEN if path == "/api/container/getIndex" and q.get("value") == "1001"]
    assert all(h.get("MWeibo-Pwa") == "1" and h.get("X-Requested-With") == "XMLHttpRequest"
               and h.get("Referer", "").endswith("/u/1001") for _, h in calls)
    assert [q.get("since_id") for q, _ in calls if "containerid" in q] == [None, "S2"] and not any(
        "page" in q for q, _ in calls)
    assert got[login_only].status == "login_required" and "GOVWATCH_WEIBO_COOKIE" in got[login_only].reason
    again = _collect(settings, db, served, [login_only], Access(weibo_cookie=sim.WEIBO_LOGIN))
    assert again[login_only].status == "ok" and again[login_only].posts_seen == 1
    assert "office-login-secret" not in repr(again[login_only].evidence)


def test_weibo_432_without_a_browser_is_blocked_in_chinese(platforms, caplog) -> None:
    settings, db, served = platforms
    aid = _register(db, name="访客号", platform="weibo", account_id="1002")
    caplog.set_level(logging.INFO)
    [c] = _collect(settings, db, served, [aid]).values()
    assert c.status == "blocked" and "432" in c.reason and "获取微博访客身份失败" in c.reason
    assert c.reason.isascii() is False and "Error" not in c.reason and "Playwright" not in c.reason
    assert c.evidence and "Traceback" not in caplog.text


def test_bilibili_on_its_own_host_with_cookie(platforms) -> None:
    settings, db, served = platforms
    risky = _register(db, name="风控号", platform="bilibili", account_id="666")
    [blocked] = _collect(settings, db, served, [risky]).values()
    assert blocked.status == "blocked" and "GOVWATCH_BILIBILI_COOKIE" in blocked.reason
    [ok] = _collect(settings, db, served, [risky], Access(bilibili_cookie=sim.BILI_COOKIE)).values()
    assert ok.status == "ok" and ok.posts_seen == 12 and "bili-secret" not in repr(ok.evidence)
    calls = [h for path, _, h in sim.SEEN if path == "/x/polymer/web-dynamic/v1/feed/space"]
    assert all(h.get("Referer", "").startswith("https://space.bilibili.com/") for h in calls)


@pytest.mark.skipif(not Settings().chromium(), reason="no Chromium")
def test_a_video_only_list_claims_no_coverage(platforms) -> None:
    """The space's video tab lists videos only: its posts are kept, no span is claimed, and the account whose
    图文 of 06-17 it missed is 无法核验, not 不合格."""
    from crawler.media.common import BEIJING

    settings, db, served = platforms
    settings = replace(settings, chromium_path="")
    aid = _register(db, name="只看视频", platform="bilibili", account_id="12345")
    collector = Collector(settings, access=Access())
    try:
        from datetime import datetime

        from crawler.media.platforms import adapter_for

        target = Target("bilibili:videos", "12345")
        collector.seen_at = datetime.now(BEIJING)
        result = adapter_for(target)(target, collector)
    finally:
        collector.close()
    assert result.status == "ok" and len(result.posts) == 6 and result.covered_from is None
    assert result.detail["kinds"] == ["video"] and "只列出视频" in result.reason
    from storage.media_repo import record_collection

    with db.session() as session:
        record_collection(session, session.get(Account, aid), result)
    assert _verdicts(db, [aid])[aid].verdict == "unknown"
    assert intercept.PLATFORMS["bilibili:videos"].kinds == ("video",)


def test_kuaishou_pinned_flag() -> None:
    posts = intercept.parse_kuaishou({"data": {"visionProfilePhotoList": {"feeds": [
        {"photo": {"id": "a", "timestamp": 1718240400000, "profileUserTopPhoto": True}},
        {"photo": {"id": "b", "timestamp": 1718326800000}}]}}})
    assert [(p.post_id, p.pinned) for p in posts] == [("a", True), ("b", False)]


def test_check_access_says_what_works_tonight(platforms) -> None:
    _, _, served = platforms
    bases = Bases(wechat=served.base, weibo=served.base, bilibili_api=served.bilibili_api)
    bare = {r.platform + r.path: r.state for r in check_access(Access(), bases=bases)}
    assert bare["微信公众号公众号后台列表（appmsg list_ex）"] == "未配置"
    full = Access(sim.MP_COOKIE, sim.MP_TOKEN, sim.WEIBO_LOGIN, sim.BILI_COOKIE)
    rows = check_access(full, probe=True, bases=bases)
    states = {r.platform: r.state for r in rows if r.state != "可用" or r.platform in ("微信公众号", "新浪微博", "哔哩哔哩")}
    assert states["微信公众号"] == "可用" and states["新浪微博"] == "可用" and states["哔哩哔哩"] == "可用"
    expired = check_access(replace(full, wechat_token="1", weibo_cookie="SUB=old", bilibili_cookie="SESSDATA=old"),
                           probe=True, bases=bases)
    gone = [r for r in expired if r.state == "已失效"]
    assert len(gone) == 3 and WECHAT_EXPIRED in gone[0].detail
    text = "\n".join(r.text() for r in rows + expired)
    for secret in ("SIM-SECRET-SID-0001", sim.MP_TOKEN, "office-login-secret", "bili-secret-sessdata"):
        assert secret not in text


def test_sessions_from_the_environment_are_masked(caplog) -> None:
    access = Access.from_env({"GOVWATCH_WECHAT_SESSION": f"{sim.MP_COOKIE}|{sim.MP_TOKEN}",
                              "GOVWATCH_WEIBO_COOKIE": sim.WEIBO_LOGIN})
    assert access.wechat and access.wechat_token == sim.MP_TOKEN and access.weibo_cookie == sim.WEIBO_LOGIN
    assert "SIM-SECRET" not in repr(access) and sim.MP_TOKEN not in str(access)
    assert Access.from_mapping({"wechat_session": '{"cookie": "a=bcdef", "token": "123456"}'}).wechat_token == "123456"
    install_log_mask(access)
    caplog.set_level(logging.INFO)
    logging.getLogger("httpx").info("HTTP Request: GET %s", f"https://mp.weixin.qq.com/cgi-bin/appmsg?token={sim.MP_TOKEN}")
    logging.getLogger("crawler.media.collect").warning("cookie was %s", "SIM-SECRET-SID-0001")
    assert sim.MP_TOKEN not in caplog.text and "SIM-SECRET-SID-0001" not in caplog.text
    assert access.mask(f"x {sim.MP_COOKIE} y") == "x *** y"


@pytest.mark.skipif(not Settings().chromium(), reason="no Chromium")
def test_profile_links_reach_the_pages_lists(platforms, tmp_path) -> None:
    """Douyin, Toutiao, Kuaishou from their profile links: the page's own list request is read (Kuaishou's
    old pinned video excluded from the span), or the page's refusal is the status."""
    settings, db, served = platforms
    settings = replace(settings, chromium_path="")
    ids, summary = _import(db, tmp_path, [
        ("某市头条号", "今日头条", "https://www.toutiao.com/c/user/token/MS4wLjABAAAAgov/?source=profile"),
        ("某市快手号", "快手", "https://www.kuaishou.com/profile/3xk46q9cdnvgife"),
        ("某市抖音号", "抖音", "https://www.douyin.com/user/MS4wLjABAAAAgovdouyin?from_tab_name=main"),
    ])
    assert summary.warnings == []
    got = _collect(settings, db, served, ids.values())
    toutiao, kuaishou, douyin = (got[ids[n]] for n in ("某市头条号", "某市快手号", "某市抖音号"))
    assert toutiao.status == "ok" and toutiao.posts_seen == 4
    assert kuaishou.status == "ok" and kuaishou.posts_seen == 2
    assert to_beijing(kuaishou.covered_from).isoformat() == "2024-06-13T09:00:00+08:00"  # not the 2020 pin
    assert douyin.status == "blocked" and douyin.posts_seen == 0 and douyin.evidence


def test_a_list_of_unexpected_shape_is_an_error_with_its_answer_kept(tmp_path) -> None:
    from datetime import datetime

    from crawler.evidence import EvidenceStore
    from crawler.media.common import BEIJING

    class Runner:
        def run(self, work):
            return intercept.PageRead("http://127.0.0.1/user/x", 200, "<html></html>",
                                      [("http://127.0.0.1/aweme/v1/web/aweme/post/",
                                        {"aweme_list": [{"create_time": "昨天"}]}, b"{}")])

    result = intercept.collect(intercept.PLATFORMS["douyin"], "MS4wLjABAAAAx", base="http://127.0.0.1",
                               browsers=Runner(), seen_at=datetime.now(BEIJING), evidence=EvidenceStore(tmp_path))
    assert result.status == "error" and "无法解析" in result.reason and len(result.evidence) == 2

    empty = intercept.result_of(intercept.PLATFORMS["douyin"], intercept.PageRead(
        "http://127.0.0.1/user/x", 200, "<html></html>", [("http://127.0.0.1/aweme/v1/web/aweme/post/",
                                                          {"status_code": 0, "aweme_list": [], "has_more": 0}, b"{}")]),
        seen_at=datetime.now(BEIJING))
    assert empty.status == "error" and "没有作品" in empty.reason and not empty.posts  # never "ok, 0 posts"

    class NoBrowser:
        def run(self, work):
            raise RuntimeError("Executable doesn't exist at /nonexistent")

    result = intercept.collect(intercept.PLATFORMS["kuaishou"], "3x", base="http://127.0.0.1", browsers=NoBrowser(),
                               seen_at=datetime.now(BEIJING))
    assert result.status == "error" and result.reason == "浏览器（Chromium）不可用或启动失败，未能打开账号主页"
