"""The 政务新媒体 commands as a user runs them: registry import/export/replace, posts import, observe
with a screenshot, findings on an account, evaluate --accounts; malformed files name file and line
and store nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli_support import govwatch

ACCOUNTS = """账号名称,平台,账号类型,账号ID,链接,主办单位,分组,状态
黔东南民政,新浪微博,,5000000001,,黔东南州民政局,州直部门,正常
黔东南民政,微信公众号,订阅号,gh_mz,,黔东南州民政局,州直部门,运行
黔东南政务服务,公众号,服务号,gh_zwfw,,黔东南州政务服务中心,州直部门,正常
剑河县政务微博,政务微博,,5000000002,,剑河县人民政府办公室,县(市),关停
"""
POSTS = """平台,账号,发布时间,标题,链接,是否置顶,来源
微博,5000000001,2023-11-10 09:00,今日关注,,否,报送系统
微信,黔东南民政,2023-11-01 00:30,民政动态,,是,公众平台导出
微信,黔东南民政,2023-11-01 08:00,民政动态二,,否,公众平台导出
"""


def count(home: Path, table: str) -> int:
    """Rows in a table (0 when the import never got as far as opening the database)."""
    if not (home / "govwatch.db").is_file():
        return 0
    with sqlite3.connect(home / "govwatch.db") as conn:
        if not conn.execute("select 1 from sqlite_master where name = ?", (table,)).fetchone():
            return 0
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, "utf-8-sig")
    result = govwatch(tmp_path, "accounts", "import", str(tmp_path / "accounts.csv"))
    assert result.code == 0, result.stderr
    assert "新增4个账号" in result.stdout
    return tmp_path


def test_registry_normalises_and_keeps_two_platforms_apart(home: Path) -> None:
    rows = govwatch(home, "accounts", "list", "--json").json()
    assert [(r["name"], r["platform"], r["type"], r["status"]) for r in rows] == [
        ("黔东南民政", "weibo", None, "normal"), ("黔东南民政", "wechat", "subscription", "normal"),
        ("黔东南政务服务", "wechat", "service", "normal"), ("剑河县政务微博", "weibo", None, "closed")]
    # importing again updates by platform + ID; --replace disables what the file leaves out
    (home / "two.yaml").write_text("accounts:\n  - 账号名称: 黔东南民政\n    平台: 微博\n    账号ID: '5000000001'\n"
                                   "    主办单位: 黔东南州民政局（新）\n  - name: 黔东南民政\n    platform: 微信\n", "utf-8")
    result = govwatch(home, "accounts", "import", str(home / "two.yaml"), "--replace")
    assert result.code == 0, result.stderr
    assert "新增0个账号，更新2个，停用2个" in result.stdout
    rows = govwatch(home, "accounts", "list", "--json", "--all").json()
    assert [r["enabled"] for r in rows] == [True, True, False, False] and rows[0]["unit"] == "黔东南州民政局（新）"
    export = home / "out.csv"
    assert govwatch(home, "accounts", "export", str(export)).code == 0
    # Issue 18: 简称 and 所属地区 are exported (made from 主办单位 and 分组 when not registered).
    assert export.read_text("utf-8-sig").splitlines()[0] == "账号名称,平台,账号类型,账号ID,链接,主办单位,分组,状态,启用,简称,所属地区"
    assert govwatch(home, "accounts", "enable", "黔东南政务服务").code == 0
    assert govwatch(home, "accounts", "import", str(export)).code == 0  # the export reads back
    assert [r["enabled"] for r in govwatch(home, "accounts", "list", "--json", "--all").json()] == [
        True, True, False, False]
    removed = govwatch(home, "accounts", "remove", "剑河县政务微博")
    assert removed.code == 0 and count(home, "accounts") == 3


@pytest.mark.parametrize(("text", "line", "words"), [
    ("账号名称,平台\n甲,微信\n乙,飞书\n", 3, "平台“飞书”无法识别"),
    ("账号名称,平台,状态\n甲,微信,正常\n乙,微博,暂停\n", 3, "状态“暂停”无法识别"),
    ("账号名称,平台,账号类型\n甲,微博,服务号\n", 2, "只适用于微信公众号"),
    ("账号名称,平台\n甲,微信\n甲,公众号\n", 3, "与第2行重复"),
])
def test_a_bad_accounts_line_names_file_and_line_and_stores_nothing(tmp_path: Path, text: str, line: int,
                                                                     words: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(text.encode("gb18030"))
    result = govwatch(tmp_path, "accounts", "import", str(bad))
    assert result.code == 2
    assert f"bad.csv, line {line}" in result.stderr and words in result.stderr
    assert count(tmp_path, "accounts") == 0


def test_posts_import_stores_coverage_and_a_bad_line_stores_nothing(home: Path) -> None:
    bad = home / "bad.csv"
    bad.write_text(POSTS + "微信,黔东南民政,2023-13-01 08:00,坏日期,,否,\n", "utf-8")
    result = govwatch(home, "posts", "import", str(bad))
    assert result.code == 2 and "bad.csv, line 5" in result.stderr and "不是有效日期" in result.stderr
    unknown = home / "unknown.csv"
    unknown.write_text(POSTS + "微信,不存在的号,2023-11-01 08:00,标题,,否,\n", "utf-8")
    result = govwatch(home, "posts", "import", str(unknown))
    assert result.code == 2 and "unknown.csv, line 5" in result.stderr and "没有登记账号“不存在的号”" in result.stderr
    ambiguous = home / "ambiguous.csv"
    ambiguous.write_text("账号,发布时间\n黔东南民政,2023-11-01 08:00\n", "utf-8")
    result = govwatch(home, "posts", "import", str(ambiguous))
    assert result.code == 2 and "line 2" in result.stderr and "请填写平台" in result.stderr
    assert count(home, "posts") == 0 and count(home, "collections") == 0

    good = home / "posts.csv"
    good.write_text(POSTS, "utf-8")
    result = govwatch(home, "posts", "import", str(good), "--from", "2023-08-01", "--to", "2023-11-20")
    assert result.code == 0, result.stderr
    assert govwatch(home, "posts", "import", str(good), "--from", "2023-08-01", "--to", "2023-11-20").code == 0
    assert count(home, "posts") == 3 and count(home, "collections") == 4  # the same post twice is stored once
    data = govwatch(home, "evaluate", "--accounts", "--account", "黔东南民政", "--as-of", "2023-11-20",
                    "--profile", "guizhou", "--json").json()
    weibo, wechat = data
    assert weibo["account"]["platform"] == "weibo" and wechat["account"]["platform"] == "wechat"
    assert wechat["latest_post"] == "2023-11-01T08:00:00+08:00"
    assert wechat["posts"] == []  # the period is 8–10月; 00:30 on 11-01 Beijing is 10-31 in UTC, still November
    assert [m["posting_days"] for m in wechat["months"]] == [0, 0, 0]
    assert wechat["verdict"] == "fail" and {v["indicator"] for v in wechat["vetoes"]} == {"M-V2", "GZ-M1"}
    assert wechat["coverage"][0] == {"from": "2023-08-01T00:00:00+08:00", "to": "2023-11-21T00:00:00+08:00",
                                     "source": "import", "status": "ok", "reason": None}
    assert wechat["period"] == {"from": "2023-08-01", "to": "2023-10-31"} and wechat["profile"] == "guizhou"
    q3 = govwatch(home, "evaluate", "--account", "5000000001", "--as-of", "2023-11-20", "--period", "2023Q3",
                  "--json").json()
    assert [m["month"] for m in q3[0]["months"]] == ["2023-07", "2023-08", "2023-09"]


def test_observe_keeps_the_screenshot_and_covers_from_the_post_to_the_look(home: Path) -> None:
    shot = home / "shot.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"screenshot of the account" * 10)
    result = govwatch(home, "accounts", "observe", "gh_zwfw", "--latest-post", "2023-11-10 21:15", "--at",
                      "2023-11-20 10:00", "--screenshot", str(shot), "--by", "顾思明", "--note", "手机端查看")
    assert result.code == 0, result.stderr
    digest = hashlib.sha256(shot.read_bytes()).hexdigest()
    assert (home / "evidence" / digest[:2] / digest[2:4] / f"{digest}.png").is_file()
    with sqlite3.connect(home / "govwatch.db") as conn:
        source, by, evidence = conn.execute("select source, entered_by, evidence from collections").fetchone()
    assert (source, by) == ("observe", "顾思明") and json.loads(evidence)[0]["sha256"] == digest
    [data] = govwatch(home, "evaluate", "--account", "gh_zwfw", "--as-of", "2023-11-20", "--json").json()
    assert data["verdict"] == "pass" and data["latest_post"] == "2023-11-10T21:15:00+08:00"
    assert data["coverage"][0]["to"] == "2023-11-20T10:00:00+08:00"
    # the look proves nothing about August: under guizhou the months are 无法核验, never 不合格
    [data] = govwatch(home, "evaluate", "--account", "gh_zwfw", "--as-of", "2023-11-20", "--profile", "guizhou",
                      "--json").json()
    assert data["verdict"] == "unknown" and [m["verdict"] for m in data["months"]] == ["unknown"] * 3


def test_manual_veto_on_an_account_and_evaluate_judges_sites_and_accounts(home: Path) -> None:
    result = govwatch(home, "findings", "add", "gh_mz", "M-V3", "--kind", "veto", "--detail", "未提供有效互动功能")
    assert result.code == 0, result.stderr
    wrong = govwatch(home, "findings", "add", "gh_mz", "W-V1", "--kind", "veto", "--detail", "x")
    assert wrong.code == 2 and "not an indicator for a 政务新媒体账号" in wrong.stderr
    data = govwatch(home, "evaluate", "--as-of", "2023-11-20", "--json").json()  # neither --site nor --accounts
    by_name = {(d["account"]["name"], d["account"]["platform"]): d for d in data if "account" in d}
    assert len(by_name) == 3  # the 关停 account is not judged
    veto = by_name[("黔东南民政", "wechat")]
    assert veto["verdict"] == "fail" and veto["vetoes"] == [
        {"indicator": "M-V3", "title": "互动回应差", "detail": "未提供有效互动功能"}]
    assert by_name[("黔东南民政", "weibo")]["verdict"] == "unknown"  # never collected
    table = govwatch(home, "evaluate", "--accounts", "--as-of", "2023-11-20", env={"COLUMNS": "80"})
    assert table.code == 0 and "无法核验" in table.stdout and "共3个账号：合格0个，不合格1个，无法核验2个" in table.stdout
