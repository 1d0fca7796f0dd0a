"""`govwatch collect` and `govwatch recheck ACCOUNT` against the simulated platforms, as a user runs them."""

from __future__ import annotations

import pytest

from govwatch.demo.media import serve_media
from storage.db import Database
from storage.media_repo import upsert_account
from storage.repo import upsert_site
from tests.cli_support import govwatch


def _env(base: str) -> dict[str, str]:
    return {"GOVWATCH_WEIBO_BASE": base, "GOVWATCH_SOGOU_BASE": base, "GOVWATCH_WECHAT_BASE": base,
            "GOVWATCH_MEDIA_SPACING": "0", "GOVWATCH_MEDIA_JITTER": "0"}


def _register(home, **kwargs) -> None:
    home.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    with db.session() as session:
        upsert_account(session, **kwargs)


def test_collect_json_and_recheck_account(tmp_path) -> None:
    home = tmp_path / "home"
    _register(home, name="某市发布", platform="weibo", account_id="1001")
    _register(home, name="已注销号", platform="weibo", account_id="1004")
    with serve_media() as base:
        result = govwatch(home, "collect", "--json", env=_env(base))
        assert result.code == 0, result.stderr
        rows = {r["account"]: r for r in result.json()}
        assert rows["某市发布"]["status"] == "ok" and rows["某市发布"]["posts_seen"] == 5
        assert rows["某市发布"]["covered_from"].startswith("2024-06-01T23:23:03")
        assert rows["已注销号"]["status"] == "deleted" and rows["已注销号"]["covered_from"] is None
        text = govwatch(home, "recheck", "1004", "--as-of", "2024-06-20", env=_env(base))
        assert text.code == 0, text.stderr
        assert "已注销" in text.stdout and "不覆盖任何时段（无法核验）" in text.stdout
        missing = govwatch(home, "collect", "没有这个号", env=_env(base))
        assert missing.code == 2 and "not a registered account" in missing.stderr


def test_recheck_of_an_account_collects_and_judges_it(tmp_path) -> None:
    """Collected now, judged at once (issue 9's rules): a blocked or deleted account is 无法核验, never 不合格."""
    home = tmp_path / "home"
    _register(home, name="某市发布", platform="weibo", account_id="1001")
    _register(home, name="已注销号", platform="weibo", account_id="1004")
    with serve_media() as base:
        ok = govwatch(home, "recheck", "1001", "--as-of", "2024-06-20", "--json", env=_env(base))
        gone = govwatch(home, "recheck", "1004", "--as-of", "2024-06-20", "--json", env=_env(base))
    assert ok.code == 0 and gone.code == 0, ok.stderr + gone.stderr
    [judged] = ok.json()["verdict"]
    assert judged["account"]["name"] == "某市发布" and judged["latest_post"].startswith("2024-06")
    assert judged["verdict"] in ("pass", "fail")
    [undecided] = gone.json()["verdict"]
    assert undecided["verdict"] == "unknown"  # deleted: the collection covers nothing


def test_crawl_collects_accounts_in_the_crawls_one_chromium(tmp_path) -> None:
    """`govwatch crawl` with a site (its home page is always rendered) and accounts that need Chromium (a
    Bilibili page, Weibo visitor cookies): the accounts are collected beside the crawl, in its browser, so the
    process launches Chromium once. The Chromium here is a wrapper that counts its launches."""
    import os
    import stat

    from config.settings import Settings
    from storage.media import Collection

    real = Settings().chromium()
    if not real:
        pytest.skip("no Chromium")
    launches = tmp_path / "launches.txt"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho launch >> "{launches}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    home = tmp_path / "home"
    _register(home, name="某市B站号", platform="bilibili", account_id="12345")
    _register(home, name="访客号", platform="weibo", account_id="1002")
    with serve_media() as base:
        with Database(f"sqlite:///{(home / 'govwatch.db').resolve()}").session() as session:
            upsert_site(session, url=f"{base}/news/list.html", name="示例市客户端站", code="1000000001")
        env = _env(base) | {"GOVWATCH_BILIBILI_BASE": base, "GOVWATCH_CHROMIUM": str(wrapper),
                            "GOVWATCH_SITE_TIMEOUT": "60"}
        result = govwatch(home, "crawl", "--as-of", "2024-06-20", env=env)
    assert result.code in (0, 3), result.stderr
    assert "采集账号 2 个" in result.stdout
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    with db.session() as session:
        got = {c.source: (c.status, c.posts_seen) for c in session.query(Collection)}
    assert got == {"bilibili": ("ok", 12), "weibo": ("ok", 1)}  # Bilibili: the dynamics feed, every kind of post
    assert launches.read_text(encoding="utf-8").split() == ["launch"], os.listdir(tmp_path)
