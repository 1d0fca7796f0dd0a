"""Reading registry and post files: platform names, times, YAML lines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from inspection.registry.media_files import MediaFileError, parse_time, platform_of, read_accounts_file, read_posts_file
from storage.media_repo import BEIJING


@pytest.mark.parametrize(("name", "platform"), [
    ("微信公众号", "wechat"), ("微信", "wechat"), ("公众号", "wechat"), ("新浪微博", "weibo"), ("政务微博", "weibo"),
    ("抖音短视频", "douyin"), ("头条号", "toutiao"), ("今日头条", "toutiao"), ("快手", "kuaishou"),
    ("B站", "bilibili"), ("哔哩哔哩", "bilibili"), ("APP", "app"), ("客户端", "app"), ("其他", "other"),
])
def test_platform_names(name: str, platform: str) -> None:
    assert platform_of(name) == platform


def test_times() -> None:
    assert parse_time("2023-10-09 18:30", "x") == (datetime(2023, 10, 9, 18, 30, tzinfo=BEIJING), False)
    assert parse_time("2023/10/9 8:05", "x")[0] == datetime(2023, 10, 9, 8, 5, tzinfo=BEIJING)
    assert parse_time("2023-10-09", "x") == (datetime(2023, 10, 9, tzinfo=BEIJING), True)
    assert parse_time("2023-10-08T16:30:00Z", "x")[0].astimezone(BEIJING) == datetime(2023, 10, 9, 0, 30,
                                                                                        tzinfo=BEIJING)
    assert parse_time("1696840200", "x")[0] == datetime(2023, 10, 9, 8, 30, tzinfo=UTC)
    assert parse_time("1696840200000", "x")[0] == datetime(2023, 10, 9, 8, 30, tzinfo=UTC)
    with pytest.raises(MediaFileError, match="无法识别"):
        parse_time("昨天 10:00", "posts.csv, line 3")


def test_yaml_registry_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text("- name: 黔东南民政\n  platform: 微博\n- name: 黔东南统计\n  platform: 飞书\n", "utf-8")
    with pytest.raises(MediaFileError, match=r"accounts.yaml, line 3: 平台“飞书”无法识别"):
        read_accounts_file(path)
    path.write_text("- name: 黔东南民政\n  platform: 微信服务号\n", "utf-8")
    [entry] = read_accounts_file(path)
    assert (entry.platform, entry.type) == ("wechat", "service")


def test_posts_file_needs_an_account_on_every_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("平台,账号,发布时间\n微博,甲,2023-10-01 09:00\n微博,,2023-10-02 09:00\n", "utf-8")
    with pytest.raises(MediaFileError, match=r"posts.csv, line 3: 缺少账号"):
        read_posts_file(path)
