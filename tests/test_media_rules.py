"""政务新媒体 rules on crafted timelines: M-V2's window, 贵州's monthly runs around the 2023 国庆 holiday,
posting days in Beijing time, 服务号, 河南's idle weeks, and 无法核验 wherever coverage is missing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from rules.accounts import evaluate_accounts
from rules.period import Period, default_period, parse_period
from rules.profile import load_profile
from rules.workdays import CalendarMissing, WorkCalendar
from storage.db import Database
from storage.media import AccountEvaluation
from storage.media_repo import BEIJING, CollectionResult, PostSeen, record_collection, upsert_account


@pytest.fixture
def db(db_url: str) -> Database:
    """SQLite, then PostgreSQL: the rules read both stores alike."""
    return Database(db_url)


def days(first: str, last: str, every: int = 1, hour: int = 9) -> list[datetime]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [datetime(d.year, d.month, d.day, hour, 0) for d in
            (start + timedelta(n) for n in range(0, (end - start).days + 1, every))]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def account(db: Database, name: str = "测试账号", *, platform: str = "wechat", type: str | None = "subscription",
            posts: list[datetime] = (), covered: tuple[str, str] | None = ("2023-08-01", "2023-11-21"),
            status: str = "ok", reason: str | None = None) -> int:
    with db.session() as session:
        acct, _ = upsert_account(session, name=name, platform=platform, type=type, account_id=f"id-{name}")
        if covered is not None or posts or status != "ok":
            cf = datetime.fromisoformat(covered[0]).replace(tzinfo=BEIJING) if covered else None
            ct = datetime.fromisoformat(covered[1]).replace(tzinfo=BEIJING) if covered else None
            record_collection(session, acct, CollectionResult(
                source="import", status=status, posts=[PostSeen(p, title=f"{name}{n}") for n, p in enumerate(posts)],
                covered_from=cf, covered_to=ct, reason=reason))
        return acct.id


def judge(db: Database, ids: list[int], as_of: str = "2023-11-20", profile: str = "guizhou",
          period: Period | None = None, calendar: WorkCalendar | None = None) -> list[dict]:
    results = evaluate_accounts(db, ids, date.fromisoformat(as_of), load_profile(profile), period,
                                calendar=calendar or WorkCalendar())
    return [r.data for r in results]


def month(data: dict, name: str) -> dict:
    return next(m for m in data["months"] if m["month"] == name)


# ---- calendar and period ---------------------------------------------------------------------------

def test_national_day_2023_workdays_and_make_up_days() -> None:
    cal = WorkCalendar()
    assert not cal.is_workday(date(2023, 9, 29)) and not cal.is_workday(date(2023, 10, 6))
    assert cal.is_workday(date(2023, 10, 7)) and cal.is_workday(date(2023, 10, 8))  # 调休 weekend
    assert cal.workdays(date(2023, 9, 27), date(2023, 10, 9)) == [
        date(2023, 9, 27), date(2023, 9, 28), date(2023, 10, 7), date(2023, 10, 8), date(2023, 10, 9)]


def test_a_year_without_calendar_data_is_never_guessed(tmp_path: Path) -> None:
    with pytest.raises(CalendarMissing, match="2027"):
        WorkCalendar().is_workday(date(2027, 3, 1))
    extra = tmp_path / "calendar.yaml"
    extra.write_text("years:\n  2027:\n    holidays: [2027-01-01 .. 2027-01-03]\n    workdays: [2027-01-09]\n",
                     "utf-8")
    cal = WorkCalendar([extra])
    assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 1, 9))  # a Saturday worked
    assert cal.is_workday(date(2027, 1, 4)) and not cal.is_workday(date(2027, 1, 10))


def test_period_defaults_to_three_full_months_before_t0() -> None:
    assert default_period(date(2023, 11, 20)) == Period(date(2023, 8, 1), date(2023, 10, 31))
    assert parse_period("2023Q3") == Period(date(2023, 7, 1), date(2023, 9, 30))
    assert parse_period("2023-08..2023-10") == Period(date(2023, 8, 1), date(2023, 10, 31))
    with pytest.raises(ValueError):
        parse_period("2023-10..2023-08")


# ---- M-V2 --------------------------------------------------------------------------------------------

def test_m_v2_window_counts_a_post_dated_t0_minus_14(db: Database) -> None:
    edge = account(db, "边界", posts=[at("2023-11-06 08:00")])
    stale = account(db, "超期", posts=[at("2023-11-05 23:59")])
    edge_data, stale_data = judge(db, [edge, stale], profile="national-2019")
    assert edge_data["verdict"] == "pass" and not edge_data["vetoes"]
    assert stale_data["verdict"] == "fail"
    assert stale_data["vetoes"] == [{"indicator": "M-V2", "title": "监测时间点前2周内无更新",
                                     "detail": "监测时间点前2周内无更新（最近更新：2023-11-05 23:59）"}]
    assert stale_data["latest_post"] == "2023-11-05T23:59:00+08:00"


def test_import_ending_before_t0_leaves_m_v2_unknown(db: Database) -> None:
    pk = account(db, "导入到10月底", posts=days("2023-08-01", "2023-10-31"), covered=("2023-08-01", "2023-11-01"))
    [data] = judge(db, [pk])
    assert [m["verdict"] for m in data["months"]] == ["pass", "pass", "pass"]
    assert data["verdict"] == "unknown" and not data["vetoes"]
    [why] = data["unknown"]
    assert why["indicator"] == "M-V2" and "2023-11-06起没有完整的发布记录" in why["detail"]
    assert "2023-08-01至2023-10-31" in why["detail"]
    # a month that fails on covered evidence still fails the account
    bad = account(db, "十月不足", posts=days("2023-08-01", "2023-09-30") + days("2023-10-09", "2023-10-12"),
                  covered=("2023-08-01", "2023-11-01"))
    [data] = judge(db, [bad])
    assert data["verdict"] == "fail" and month(data, "2023-10")["verdict"] == "fail"


def test_never_collected_and_blocked_accounts_are_unknown_with_the_reason(db: Database) -> None:
    never = account(db, "从未采集", covered=None)
    blocked = account(db, "被拦截", covered=None, status="captcha", reason="搜狗返回验证码页面")
    never_data, blocked_data = judge(db, [never, blocked])
    for data in (never_data, blocked_data):
        assert data["verdict"] == "unknown" and not data["vetoes"] and data["latest_post"] is None
        assert [m["verdict"] for m in data["months"]] == ["unknown"] * 3
    assert "从未导入或采集该账号的发布记录" in month(never_data, "2023-08")["reason"]
    assert "遇到验证码（搜狗返回验证码页面）" in month(blocked_data, "2023-09")["reason"]
    assert blocked_data["coverage"] == [{"from": None, "to": None, "source": "import", "status": "captcha",
                                         "reason": "搜狗返回验证码页面"}]


# ---- 贵州 monthly rule ---------------------------------------------------------------------------------

def twice_a_week(first: str, last: str) -> list[datetime]:
    return [d for d in days(first, last) if d.weekday() in (1, 3)]


def test_guizhou_runs_across_the_national_day_holiday(db: Database) -> None:
    # 10月: holiday posts on 10-03 and 10-05 do not fill the first run lying within the month,
    # {10-07 (Sat, worked), 10-08 (Sun, worked), 10-09, 10-10, 10-11}: only 10-11 holds a post.
    base = twice_a_week("2023-08-01", "2023-09-30") + twice_a_week("2023-10-12", "2023-11-20")
    holiday_only = account(db, "假期发布", posts=base + [at("2023-10-03 10:00"), at("2023-10-05 10:00"),
                                                        at("2023-10-11 10:00")])
    make_up_day = account(db, "调休日发布", posts=base + [at("2023-10-08 10:00"), at("2023-10-11 10:00")])
    bad, good = judge(db, [holiday_only, make_up_day])
    assert month(bad, "2023-10")["verdict"] == "fail"
    assert "10-07至10-11连续5个工作日仅1天更新" in month(bad, "2023-10")["reason"]
    assert month(good, "2023-10")["verdict"] == "pass", month(good, "2023-10")["reason"]
    assert good["verdict"] == "pass" and bad["verdict"] == "fail"
    assert bad["vetoes"][0]["indicator"] == "GZ-M1"


def test_a_weekend_post_inside_a_run_counts(db: Database) -> None:
    # the run {08-24 (Thu), 08-25, 08-28, 08-29, 08-30} holds a post on 08-28 and one on Saturday 08-26
    august = [datetime(2023, 8, d, 9) for d in (2, 7, 8, 11, 15, 17, 22, 23, 26, 28)]
    rest = twice_a_week("2023-09-01", "2023-11-20")
    with_saturday = account(db, "周末", posts=august + rest)
    without = account(db, "无周末", posts=[d for d in august if d.day != 26] + [at("2023-08-31 09:00")] + rest)
    good, bad = judge(db, [with_saturday, without])
    assert month(good, "2023-08")["verdict"] == "pass", month(good, "2023-08")["reason"]
    assert month(bad, "2023-08")["verdict"] == "fail"
    assert "08-24至08-30连续5个工作日仅1天更新" in month(bad, "2023-08")["reason"]


def test_posting_days_are_beijing_days_and_count_days_not_posts(db: Database) -> None:
    # 00:30 Beijing on 09-01 is 08-31 in UTC: it is a September posting day
    first = account(db, "零点半", posts=[datetime(2023, 9, 1, 0, 30, tzinfo=BEIJING)] + days("2023-11-10", "2023-11-19"))
    many = account(db, "一天多条", posts=[at("2023-08-15 08:00") + timedelta(minutes=n) for n in range(30)])
    first_data, many_data = judge(db, [first, many])
    assert month(first_data, "2023-08")["posting_days"] == 0 and month(first_data, "2023-09")["posting_days"] == 1
    assert first_data["posts"][0]["published_at"] == "2023-09-01T00:30:00+08:00"
    assert month(many_data, "2023-08")["posting_days"] == 1
    assert "当月更新1天，少于8天" in month(many_data, "2023-08")["reason"]


def test_wechat_service_account_rule(db: Database) -> None:
    # every 7 days: 4–5 posting days a month, never 14 days without one
    weekly = days("2023-08-03", "2023-11-20", every=7)
    service = account(db, "服务号", type="service", posts=weekly)
    subscription = account(db, "订阅号", type="subscription", posts=weekly)
    gap = account(db, "服务号断更", type="service",
                  posts=[d for d in weekly if not date(2023, 9, 5) <= d.date() <= date(2023, 9, 20)])
    service_data, subscription_data, gap_data = judge(db, [service, subscription, gap])
    assert service_data["verdict"] == "pass"
    assert subscription_data["verdict"] == "fail"  # 8 days a month for a 订阅号
    assert month(gap_data, "2023-09")["verdict"] == "fail"
    assert "连续14天更新不足1天" in month(gap_data, "2023-09")["reason"]


def test_a_month_of_a_year_without_calendar_is_unknown(db: Database, tmp_path: Path) -> None:
    daily = account(db, "2027日更", posts=days("2027-01-01", "2027-02-10"), covered=("2027-01-01", "2027-02-11"))
    [data] = judge(db, [daily], as_of="2027-02-10", period=parse_period("2027-01"))
    assert month(data, "2027-01")["verdict"] == "unknown" and "缺少2027年" in month(data, "2027-01")["reason"]
    assert data["verdict"] == "unknown"
    extra = tmp_path / "calendar.yaml"
    extra.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: []\n", "utf-8")
    [data] = judge(db, [daily], as_of="2027-02-10", period=parse_period("2027-01"), calendar=WorkCalendar([extra]))
    assert data["verdict"] == "pass"


# ---- 河南 idle weeks --------------------------------------------------------------------------------

def test_henan_natural_weeks_without_a_post(db: Database) -> None:
    posts = [d for d in twice_a_week("2023-07-01", "2023-10-31")
             if not (date(2023, 8, 7) <= d.date() <= date(2023, 8, 13) or date(2023, 9, 18) <= d.date() <= date(2023, 9, 24))]
    pk = account(db, "开封", posts=posts + days("2023-11-01", "2023-11-20"), covered=("2023-07-01", "2023-11-21"))
    [data] = judge(db, [pk], as_of="2023-11-20", profile="henan", period=parse_period("2023Q3"))
    assert data["verdict"] == "pass" and not data["vetoes"]
    assert data["problems"] == [{"indicator": "HN-M-WEEK", "title": "一周未更新",
                                 "detail": "一周未更新 2次（08-07至08-13、09-18至09-24）"}]
    assert [m["verdict"] for m in data["months"]] == [None, None, None]
    # the same timeline without coverage of September cannot be judged
    partial = account(db, "开封未覆盖", posts=[d for d in posts if d.month < 9], covered=("2023-07-01", "2023-09-01"))
    [data] = judge(db, [partial], profile="henan", period=parse_period("2023Q3"))
    assert data["problems"] == [] and any(u["indicator"] == "HN-M-WEEK" for u in data["unknown"])


def test_closed_accounts_are_not_judged_and_evaluations_are_saved(db: Database) -> None:
    live = account(db, "在用", posts=days("2023-08-01", "2023-11-20"))
    with db.session() as session:
        closed, _ = upsert_account(session, name="已关停", platform="weibo", status="closed")
        closed_id = closed.id
    results = judge(db, [live, closed_id])
    assert [r["account"]["name"] for r in results] == ["在用"]
    with db.session() as session:
        [row] = session.query(AccountEvaluation).all()
        assert row.verdict == "pass" and row.result["period"] == {"from": "2023-08-01", "to": "2023-10-31"}
