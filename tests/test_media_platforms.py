"""Every platform record (crawler/media/platforms.py) has what each consumer needs: the importer its aliases,
the terminal, notice and export their words, the collector its base URLs, target and adapter; no other table of
platform facts is left in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.settings import Settings, load_settings, to_environ
from crawler.media import platforms
from crawler.media.platforms import PLATFORMS, Target, adapter_for, default_base, parse_registry, target_for
from inspection.registry.media_files import platform_of
from storage.media import Account

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("key", sorted(PLATFORMS))
def test_every_record_serves_every_consumer(key: str) -> None:
    record = PLATFORMS[key]
    assert record.key == key and key in record.aliases
    for alias in record.aliases:  # the importer reads every alias as this platform
        assert platform_of(alias, "accounts.csv 第2行") == key
    for kind in ("word", "notice_word", "export_word", "column_word"):
        word = platforms.word(key, kind)
        assert word and re.search(r"[\u4e00-\u9fff]", word), (key, kind)
    for base_key, url in record.bases.items():
        assert url.startswith("https://") and default_base(base_key) == url
    assert callable(record.parse) and callable(record.route)
    if record.adapter is not None:  # a platform with its own reader says where it lives
        assert record.bases
    parsed = parse_registry(key, None, "not a link")  # the importer's warning names the platform's words
    assert parsed.identity is None and parsed.warnings and all(re.search(r"[\u4e00-\u9fff]", w) for w in parsed.warnings)


def test_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for record in PLATFORMS.values():
        for alias in record.aliases:
            assert seen.setdefault(alias.lower(), record.key) == record.key, alias


def test_targets_and_adapters_of_registered_accounts() -> None:
    settings = Settings()
    cases = {
        ("weibo", "2656274875", None): "weibo",
        ("weibo", None, "https://m.weibo.cn/u/2656274875"): "weibo",
        ("wechat", None, "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzA&album_id=1"): "wechat:album",
        ("wechat", None, None): "wechat:sogou",
        ("bilibili", "12345", None): "bilibili",
        ("app", None, "http://app.example.gov.cn/list.html"): "html",
    }
    for (key, account_id, url), kind in cases.items():
        account = Account(name="示例", platform=key, account_id=account_id, url=url, meta={})
        target = target_for(account, settings)
        assert target is not None and target.kind == kind, (key, target)
        assert callable(adapter_for(target))
    feed = Account(name="示例", platform="douyin", meta={"feed": "http://example.gov.cn/rss.xml"})
    assert target_for(feed, settings) == Target("rss", "http://example.gov.cn/rss.xml")
    assert target_for(Account(name="示例", platform="weibo", meta={}), settings) is None  # no uid: nothing to read


def test_base_urls_are_one_table_read_by_pattern() -> None:
    env = {"GOVWATCH_HOME": "/tmp/gw", "GOVWATCH_WEIBO_BASE": "http://127.0.0.1:1", "GOVWATCH_SOGOU_BASE": "http://x"}
    settings = load_settings(env)
    assert settings.bases == {"weibo": "http://127.0.0.1:1", "sogou": "http://x"}
    assert to_environ(settings)["GOVWATCH_WEIBO_BASE"] == "http://127.0.0.1:1"  # a child process gets them too


def test_no_other_table_of_platform_facts() -> None:
    """A platform's words or aliases written as a table anywhere else would drift from its record."""
    offenders = []
    for path in [*ROOT.glob("*/**/*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv", "tests/", "govwatch/demo/", "bench/")) or rel == "crawler/media/platforms.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\{\s*\"wechat\"\s*:\s*\"", text) or re.search(r"\"douyin\"\s*:\s*\(", text):
            offenders.append(rel)
    assert offenders == []
