"""Collecting accounts from simulated platforms on 127.0.0.1: right posts, Beijing times and pinned flags; every
failure page is a collection with its status and evidence that covers nothing."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime

import pytest

from config.settings import Settings
from crawler.media.collect import collect_accounts
from govwatch.demo.media import CORPUS, serve_media
from storage.db import Database
from storage.media import Collection
from storage.media_repo import account_posts, to_beijing, upsert_account


@pytest.fixture
def media(tmp_path):
    with serve_media() as base:
        settings = Settings(home=tmp_path, bases=dict.fromkeys(("weibo", "wechat", "sogou", "bilibili"), base),
                            media_spacing=0.0, media_jitter=0.0, media_pages=5, timeout=10.0)
        settings.ensure_home()
        yield settings, Database(settings.database), base


def _register(db, **kwargs) -> int:
    with db.session() as session:
        account, _ = upsert_account(session, **kwargs)
        return account.id


def _run(settings, db, ids):
    got = collect_accounts(settings, db, ids)
    with db.session() as session:
        return {aid: session.get(Collection, cid) for aid, cid in got.items()}, session


def test_weibo_pages_pinned_and_exact_times(media) -> None:
    settings, db, _ = media
    aid = _register(db, name="某市发布", platform="weibo", account_id="1001")
    collections, _ = _run(settings, db, [aid])
    c = collections[aid]
    assert c.status == "ok" and c.posts_seen == 5
    with db.session() as session:
        posts = account_posts(session, aid)
        times = [(to_beijing(p.published_at).isoformat(), p.pinned) for p in posts]
    assert times[0] == ("2023-01-05T09:00:00+08:00", True)  # the pinned old post
    assert ("2024-06-14T20:38:03+08:00", False) in times  # year-less "06-14", exact second from the mid
    # the pinned post does not stretch the covered span back to 2023
    assert to_beijing(c.covered_from).isoformat() == "2024-06-01T23:23:03+08:00"
    assert c.detail["complete"] is True and c.evidence and all(e["path"] for e in c.evidence)
    assert (settings.evidence_dir / c.evidence[0]["path"]).exists()


def test_weibo_page_limit_covers_only_what_was_read(media) -> None:
    settings, db, _ = media
    aid = _register(db, name="长列表", platform="weibo", account_id="1005")
    collections, _ = _run(replace(settings, media_pages=3), db, [aid])
    c = collections[aid]
    assert c.status == "ok" and c.posts_seen == 3 and c.detail["complete"] is False
    assert to_beijing(c.covered_from).isoformat() == "2024-06-16T18:00:00+08:00"
    assert "前 3 页" in c.reason


@pytest.mark.parametrize(("uid", "status"), [("1003", "blocked"), ("1004", "deleted")])
def test_weibo_refusals_cover_nothing(media, uid: str, status: str) -> None:
    settings, db, _ = media
    settings = replace(settings, chromium_path="/nonexistent") if uid == "1004" else settings
    aid = _register(db, name=f"账号{uid}", platform="weibo", account_id=uid)
    if uid == "1003" and not settings.chromium():
        pytest.skip("no Chromium")
    collections, _ = _run(settings, db, [aid])
    c = collections[aid]
    assert c.status == status and c.posts_seen == 0
    assert c.covered_from is None and c.covered_to is None and c.reason and c.evidence


@pytest.mark.skipif(not shutil.which("chromium") and not Settings().chromium(), reason="no Chromium")
def test_weibo_visitor_cookies_from_chromium(media) -> None:
    settings, db, _ = media
    aid = _register(db, name="访客号", platform="weibo", account_id="1002")
    collections, _ = _run(settings, db, [aid])
    c = collections[aid]
    assert c.status == "ok" and c.posts_seen == 1
    with db.session() as session:
        [post] = account_posts(session, aid)
        assert to_beijing(post.published_at).isoformat() == "2024-06-15T10:00:00+08:00"


@pytest.mark.skipif(not CORPUS.exists(), reason="new-media corpus not on this machine")
def test_wechat_sources_and_failures(media) -> None:
    settings, db, base = media
    ids = {
        "sogou": _register(db, name="某市政务", platform="wechat", type="subscription"),
        "captcha": _register(db, name="频繁访问号", platform="wechat"),
        "after": _register(db, name="验证后的号", platform="wechat"),
        "expired": _register(db, name="过期链接号", platform="wechat", meta={"article_url": f"{base}/s/expired"}),
        "article": _register(db, name="长江日报", platform="wechat", meta={"article_url": f"{base}/s/article"}),
        "album": _register(db, name="合集号", platform="wechat", meta={"album_url": f"{base}/mp/appmsgalbum"}),
        "rss": _register(db, name="市政府客户端", platform="app", meta={"feed": f"{base}/feed.xml"}),
    }
    collections, _ = _run(settings, db, list(ids.values()))
    got = {key: collections[aid] for key, aid in ids.items()}
    assert got["sogou"].status == "ok" and got["sogou"].posts_seen == 1 and got["sogou"].covered_from is None
    assert got["captcha"].status == "captcha" and got["captcha"].evidence
    # the first captcha stops 搜狗 for the rest of the run
    assert got["after"].status == "captcha" and got["after"].detail == {"skipped": True}
    assert got["expired"].status == "not_found" and "链接已过期" in got["expired"].reason
    assert got["article"].status == "ok" and got["article"].posts_seen == 1
    # an album lists the articles put in it, not the account's posting: its posts count, its span is none
    assert got["album"].status == "ok" and got["album"].posts_seen == 3 and got["album"].covered_from is None
    assert got["album"].detail["kinds"] == ["album"] and "合集" in got["album"].reason
    assert got["rss"].status == "ok" and got["rss"].posts_seen == 2
    with db.session() as session:
        [post] = account_posts(session, ids["article"])
        assert to_beijing(post.published_at).isoformat() == "2018-03-19T05:30:00+08:00"


def test_slow_answer_is_an_error_not_no_posts(media) -> None:
    settings, db, base = media
    aid = _register(db, name="慢源", platform="app", meta={"feed": f"{base}/slow.xml?s=3"})
    collections, _ = _run(replace(settings, timeout=1.0), db, [aid])
    c = collections[aid]
    assert c.status == "error" and c.covered_from is None and "连接失败" in c.reason


def test_bilibili_reads_the_dynamics_feed(media) -> None:
    """Every kind of post (videos, 图文, reposts) from the dynamics feed, paged by offset; the pinned 图文 is
    read and flagged, and does not stretch the span; -352 without a cookie is blocked, never no posts."""
    settings, db, _ = media
    ok = _register(db, name="某市B站号", platform="bilibili", account_id="12345")
    risky = _register(db, name="风控号", platform="bilibili", account_id="666")
    collections, _ = _run(settings, db, [ok, risky])
    c = collections[ok]
    assert c.status == "ok" and c.posts_seen == 12 and c.detail["complete"] is True and c.detail["pages"] == 2
    assert to_beijing(c.covered_from).isoformat() == "2024-05-04T09:00:00+08:00"  # pinned 2021 ignored
    with db.session() as session:
        pinned = [p.title for p in account_posts(session, ok) if p.pinned]
        assert pinned == ["置顶：欢迎关注"]
    assert collections[risky].status == "blocked" and "-352" in collections[risky].reason
    assert collections[risky].covered_from is None and collections[risky].evidence


def test_nightly_collects_each_account_once(media) -> None:
    from scheduler import jobs

    settings, db, _ = media
    aid = _register(db, name="某市发布", platform="weibo", account_id="1001")
    closed = _register(db, name="关停号", platform="weibo", account_id="1001x", status="closed")
    jobs.use(jobs.Context(settings, db, "test-media"))
    assert list(jobs.accounts()) == [aid]  # 关停 accounts are not collected
    assert jobs.accounts() == {}  # already collected tonight
    assert jobs.nightly() == []  # no sites: the accounts were still considered, and not collected twice
    with db.session() as session:
        rows = session.query(Collection).filter(Collection.account_id.in_([aid, closed])).all()
        assert [(r.account_id, r.status) for r in rows] == [(aid, "ok")]


def test_html_list_and_login_wall(media) -> None:
    settings, db, base = media
    listed = _register(db, name="示例市客户端", platform="app", url=f"{base}/news/list.html")
    walled = _register(db, name="登录墙", platform="other", url=f"{base}/login-wall")
    collections, _ = _run(settings, db, [listed, walled])
    assert collections[listed].status == "ok" and collections[listed].posts_seen == 3
    assert to_beijing(collections[listed].covered_from).date().isoformat() == "2024-05-28"
    assert collections[walled].status == "login_required" and collections[walled].covered_from is None


@pytest.mark.skipif(not Settings().chromium(), reason="no Chromium")
def test_kuaishou_milliseconds_and_douyin_waf(media) -> None:
    settings, db, base = media
    settings = replace(settings, bases={**settings.bases, "kuaishou": base, "douyin": base})
    ks = _register(db, name="某市快手号", platform="kuaishou", account_id="3x")
    dy = _register(db, name="某市抖音号", platform="douyin", account_id="MS4wLjABAAAA")
    collections, _ = _run(settings, db, [ks, dy])
    assert collections[ks].status == "ok" and collections[ks].posts_seen == 2
    assert to_beijing(collections[ks].covered_from).isoformat() == "2024-06-13T09:00:00+08:00"
    assert collections[dy].status == "blocked" and "当前环境异常" in collections[dy].reason
    assert collections[dy].covered_from is None and collections[dy].evidence


@pytest.mark.skipif(not Settings().chromium(), reason="no Chromium")
def test_toutiao_reads_the_feed_the_page_requests(media) -> None:
    """今日头条: publish_time (never behot_time), the old 置顶 cell first never stretches the span, a video and a
    微头条 are posts too; a verification page and an empty WAF answer are their status, judged 无法核验."""
    from rules.accounts import evaluate_accounts
    from rules.profile import load_profile

    settings, db, base = media
    settings = replace(settings, bases={**settings.bases, "toutiao": base})
    ok = _register(db, name="某市头条号", platform="toutiao", account_id="MS4wLjABAAAAgov")
    verify = _register(db, name="验证页头条号", platform="toutiao", account_id="verify")
    waf = _register(db, name="空回答头条号", platform="toutiao", account_id="waf")
    collections, _ = _run(settings, db, [ok, waf, verify])  # the captcha last: it stops 头条 for the run
    c = collections[ok]
    assert c.status == "ok" and c.posts_seen == 4 and c.source == "toutiao"
    with db.session() as session:
        posts = {p.post_id: (to_beijing(p.published_at).isoformat(), p.pinned, p.title, p.url)
                 for p in account_posts(session, ok)}
    assert posts == {
        "7070000000000000001": ("2022-03-01T09:00:00+08:00", True, "置顶：办事指南汇总",
                                "https://www.toutiao.com/article/7070000000000000001/"),
        "7380000000000000002": ("2024-06-17T18:30:05+08:00", False, "关于做好防汛工作的通知",
                                "https://www.toutiao.com/article/7380000000000000002/"),
        "7380000000000000003": ("2024-06-12T10:00:00+08:00", False, "政策解读视频",
                                "https://www.toutiao.com/video/7380000000000000003/"),
        "7370000000000000004": ("2024-06-05T07:45:30+08:00", False, "今天上午，市政务服务中心举行开放日活动。",
                                "https://www.toutiao.com/w/7370000000000000004/"),
    }  # the cell with only a behot_time (2024-06-19) is no post
    assert to_beijing(c.covered_from).isoformat() == "2024-06-05T07:45:30+08:00"  # not back to the 2022 pin
    assert collections[verify].status == "captcha" and collections[verify].covered_from is None
    assert collections[waf].status == "blocked" and "不是数据" in collections[waf].reason
    assert collections[waf].covered_from is None and [e["kind"] for e in collections[waf].evidence] == [
        "page", "response"]
    results = {r.account_pk: r for r in evaluate_accounts(db, [ok, verify, waf], datetime(2024, 6, 20).date(),
                                                           load_profile("national-2019"))}
    assert results[ok].verdict == "pass"
    assert results[verify].verdict == results[waf].verdict == "unknown"  # 无法核验, never 不合格


def test_a_crawl_cut_short_stops_the_collection_beside_it(media) -> None:
    """Ctrl-C or a time limit on `govwatch crawl` sets `stop`: no further account is begun (none is stored as
    seen with nothing)."""
    import threading

    settings, db, _ = media
    aid = _register(db, name="某市发布", platform="weibo", account_id="1001")
    stop = threading.Event()
    stop.set()
    assert collect_accounts(settings, db, [aid], stop=stop) == {}
    with db.session() as session:
        assert session.query(Collection).count() == 0
