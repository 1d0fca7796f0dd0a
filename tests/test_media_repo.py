"""The shared pieces under new media and the registries: storing what a collection saw (posts once,
coverage kept, Beijing time at the edges) and reading an office's table files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspection.registry.tables import TableFileError, read_table
from storage.db import Database
from storage.media import Collection, Post
from storage.media_repo import (
    CollectionResult,
    PostSeen,
    find_accounts,
    judged_accounts,
    posts_between,
    record_collection,
    to_beijing,
    to_utc,
    upsert_account,
)

FIELDS = {"name": ("网站名称", "name"), "code": ("网站标识码", "code"), "url": ("首页网址", "url")}


def test_naive_times_are_beijing_and_stored_as_utc() -> None:
    assert to_utc(datetime(2023, 10, 1, 0, 30)) == datetime(2023, 9, 30, 16, 30)
    assert to_utc(datetime(2023, 10, 1, 0, 30, tzinfo=UTC)) == datetime(2023, 10, 1, 0, 30)
    assert to_beijing(datetime(2023, 9, 30, 16, 30)).isoformat() == "2023-10-01T00:30:00+08:00"


def test_a_post_seen_twice_is_stored_once_and_each_collection_is_kept(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.session() as session:
            weibo, created = upsert_account(session, name="黔东南民政", platform="weibo", account_id="1669879400")
            wechat, _ = upsert_account(session, name="黔东南民政", platform="wechat", type="subscription")
            assert created and weibo.id != wechat.id
            again, created = upsert_account(session, name="黔东南民政", platform="weibo", account_id="1669879400",
                                            unit="黔东南州民政局")
            assert not created and again.id == weibo.id and again.unit == "黔东南州民政局"
            seen = [PostSeen(datetime(2023, 10, 1, 0, 30), "国庆", post_id="4607741009594608"),
                    PostSeen(datetime(2023, 9, 29, 9, 0), "中秋", url="https://m.weibo.cn/status/1", pinned=True)]
            record_collection(session, weibo, CollectionResult(
                "import", "ok", seen, covered_from=datetime(2023, 8, 1), covered_to=datetime(2023, 11, 1)))
            record_collection(session, weibo, CollectionResult("weibo", "ok", seen[:1]))
            record_collection(session, weibo, CollectionResult("weibo", "captcha", reason="遇到验证码页面"))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Post)) == 2
            assert session.scalar(select(func.count()).select_from(Collection)) == 3
            covered = session.scalars(select(Collection).where(Collection.source == "import")).one()
            assert covered.covered_from == datetime(2023, 7, 31, 16, 0)
            in_october = posts_between(session, weibo.id, datetime(2023, 10, 1), datetime(2023, 11, 1))
            assert [p.title for p in in_october] == ["国庆"]
            assert len(find_accounts(session, "黔东南民政")) == 2
            assert [a.id for a in judged_accounts(session)] == [weibo.id, wechat.id]
    finally:
        db.dispose()


def test_xlsx_header_is_found_below_a_title_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["全市政府网站名单（2023年）"])
    sheet.append([])
    sheet.append(["序号", "网站名称", "网站标识码", "首页网址", "备注"])
    sheet.append([1, "某县人民政府", 3699250001, "http://www.x.gov.cn", None])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "sites.xlsx"
    book.save(path)
    table = read_table(path, FIELDS, required=("url",), ignore=("序号",))
    assert table.header_line == 3
    assert [(r.line, r.values) for r in table.rows] == [
        (4, {"name": "某县人民政府", "code": "3699250001", "url": "http://www.x.gov.cn"})]
    assert table.ignored == ["备注"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "gb18030"])
def test_text_copies_in_any_office_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "sites.txt"
    path.write_bytes("网站名称\t首页网址\n某县人民政府\thttp://www.x.gov.cn\n".encode(encoding))
    table = read_table(path, FIELDS, required=("url",))
    assert [r.values for r in table.rows] == [{"name": "某县人民政府", "url": "http://www.x.gov.cn"}]


def test_no_header_names_the_file_and_what_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(TableFileError, match=r"sites\.csv.*首页网址"):
        read_table(path, FIELDS, required=("url",))
    path.write_text("网站名称,首页网址\n某县,http://x.gov.cn,多余\n", "utf-8")
    with pytest.raises(TableFileError, match=r"sites\.csv, line 2"):
        read_table(path, FIELDS, required=("url",))
