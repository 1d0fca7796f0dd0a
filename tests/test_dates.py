"""Dates as Chinese government pages write them (crawler/dates.py): the regex fast path, year
inference for MM-DD, relative forms, traps that must not read as dates, and dates in URLs."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import date_from_url, find_dates, infer_year, parse_date

REF = date(2023, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-11-18", date(2023, 11, 18)),
        ("2023年11月18日", date(2023, 11, 18)),
        ("2023年1月8日", date(2023, 1, 8)),
        ("2023/11/18", date(2023, 11, 18)),
        ("2023.11.18", date(2023, 11, 18)),
        ("2023-11-18 09:30:00", date(2023, 11, 18)),
        ("2023-11-18 09:30", date(2023, 11, 18)),
        ("[2023-11-18]", date(2023, 11, 18)),
        ("(2023-11-18)", date(2023, 11, 18)),
        ("（2023-11-18）", date(2023, 11, 18)),
        ("【2023年11月18日】", date(2023, 11, 18)),
        ("发布时间：2023年11月20日 10:30", date(2023, 11, 20)),
        ("日期：2023-11-20 09:00:00", date(2023, 11, 20)),
        ("时间:2023-11-20", date(2023, 11, 20)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),  # gov.cn firstpublishedtime
        ("2023-11-18日", date(2023, 11, 18)),
    ],
)
def test_absolute_dates(text: str, expected: date) -> None:
    found = parse_date(text, REF)
    assert found is not None, text
    assert found.value == expected
    assert not found.year_inferred
    assert found.source == "text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11-18", date(2023, 11, 18)),
        ("[11-18]", date(2023, 11, 18)),
        ("11月18日", date(2023, 11, 18)),
        ("11/18", date(2023, 11, 18)),
        ("11-23", date(2023, 11, 23)),  # one day after the reference: same year (time zones)
        ("11-24", date(2022, 11, 24)),  # further in the future: last year's
        ("12-25", date(2022, 12, 25)),
        ("01-05", date(2023, 1, 5)),
    ],
)
def test_year_less_dates_take_the_year_before_the_reference(text: str, expected: date) -> None:
    found = parse_date(text, REF)
    assert found is not None
    assert found.value == expected
    assert found.year_inferred


def test_year_less_dates_across_new_year() -> None:
    january = date(2024, 1, 5)
    assert parse_date("12-28", january).value == date(2023, 12, 28)
    assert parse_date("01-04", january).value == date(2024, 1, 4)
    assert infer_year(2, 29, date(2024, 3, 1)) == date(2024, 2, 29)
    assert infer_year(2, 29, date(2023, 3, 1)) is None  # no leap year in reach


def test_found_date_keeps_the_text_as_written() -> None:
    assert parse_date("[11-18]", REF).text == "[11-18]"
    assert parse_date("（2023-11-18）", REF).text == "（2023-11-18）"
    assert parse_date("发布时间：2023年11月20日 10:30", REF).text == "2023年11月20日 10:30"
    assert parse_date("  标题 11-18 ", REF).text == "11-18"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3天前", date(2023, 11, 19)),
        ("昨天", date(2023, 11, 21)),
        ("昨天 18:30", date(2023, 11, 21)),
        ("前天", date(2023, 11, 20)),
        ("今天", REF),
        ("今天 08:15", REF),
        ("刚刚", REF),
        ("2小时前", REF),
        ("30分钟前", REF),
        ("1周前", date(2023, 11, 15)),
        ("2个月前", date(2023, 9, 22)),
        ("1年前", date(2022, 11, 22)),
    ],
)
def test_relative_dates(text: str, expected: date) -> None:
    found = parse_date(text, REF)
    assert found is not None, text
    assert found.value == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023-13-01",  # month 13
        "2023-02-30",  # Feb 30
        "2023年2月30日",
        "13-45",
        "02-30",
        "8：30-11：30",  # office hours (page 20's footer)
        "工作时间 9:00-12:00 13:30-17:30",
        "0477-2258659",  # phone numbers
        "400-819-0789",
        "010-12345678",
        "v2019.10.1",  # version numbers
        "2.1.1",
        "jQuery 1.12.4",
        "1989-06-01",  # before government websites
        "1949年10月1日",
        "2025-01-01",  # more than a year after the reference
        "增长5.3%",
        "1-10月德清县固定资产投资",  # a month range, not January 10th
        "2023年度工作总结",
        "5日前提交材料",  # "before the 5th", not "5 days ago"
        "000014348/2020-35428",  # 索引号
        "014742224A/2023-0043406",
        "2012-12-25-1234",
        "共12-15条",
    ],
)
def test_traps_are_not_dates(text: str) -> None:
    assert parse_date(text, REF) is None, text


def test_office_hours_next_to_a_real_date() -> None:
    found = find_dates("服务时间 8：30-11：30 发布：2023-11-01", REF)
    assert [f.value for f in found] == [date(2023, 11, 1)]


def test_find_dates_in_order() -> None:
    text = "10月9日至10日，市委书记调研 [10-11] 发布时间：2023-11-01 更新于 3天前"
    found = find_dates(text, REF)
    assert [f.value for f in found] == [date(2023, 10, 9), date(2023, 10, 11), date(2023, 11, 1),
                                         date(2023, 11, 19)]
    assert [f.year_inferred for f in found] == [True, True, False, False]
    assert find_dates("", REF) == []


def test_dateparser_fallback_only_for_date_like_text() -> None:
    found = parse_date("Posted Nov 18, 2023", REF)
    assert found is not None
    assert found.value == date(2023, 11, 18)
    assert found.source == "dateparser"
    assert parse_date("18 November 2023", REF).value == date(2023, 11, 18)
    assert parse_date("关于开展安全生产检查的通知", REF) is None  # no date-like text: no dateparser call
    assert parse_date("", REF) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html", date(2020, 8, 2)),
        ("./202311/t20231118_123456.html", date(2023, 11, 18)),
        ("http://www.coscoshipping.com/art/2018/3/16/art_6864_74580.html", date(2018, 3, 16)),
        ("/art/2023/11/18/art_1201_5001.html", date(2023, 11, 18)),
        ("http://x.gov.cn/2023/11/18/abc.html", date(2023, 11, 18)),
        ("http://www.gov.cn/guoqing/2018-05/03/content_5287353.htm", date(2018, 5, 3)),
        ("http://www.gov.cn/zhengce/content_2023-11-18.htm", date(2023, 11, 18)),
        ("/main/a/20200709/12323944.shtml", date(2020, 7, 9)),
        ("/dfaets/contents/2020/7/2-b51327b18dff4d8aa163774fcd9240e6.html", date(2020, 7, 2)),
    ],
)
def test_dates_in_urls(url: str, expected: date) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/ycsrmzf/zwyw/202310/02264b867b4b4b6d91a3844f29b22154.shtml",  # month only
        "/Upload/File/202004/20200429175329_3226.pdf",  # a timestamp glued to other digits
        "http://x.gov.cn/t20231345_1.html",  # no 45th of the 13th month
        "/2023/13/45/x.html",
        "/1985/01/01/x.html",
        "http://x.gov.cn/col/col1201/index.html",
        "",
    ],
)
def test_implausible_url_dates(url: str) -> None:
    assert date_from_url(url) is None
