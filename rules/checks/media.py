"""政务新媒体 checks: each reads one account's posts and coverage (`MediaObs`) and never fetches.

A check returns an `Outcome`: pass, fail (on covered evidence only) or unknown (无法核验) with the
reason. A span is judged only when the stored collections cover it completely; what a posting day
is (a calendar day in Asia/Shanghai with at least one post), what a working day is
(rules/workdays.py), and every threshold come from the profile's `params`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from config.clock import midnight, to_beijing
from config.vocabulary import CONTENT_PENDING
from rules.checks.content_words import Records, candidates, content_findings
from rules.findings import window_start
from rules.period import Period
from rules.profile import Indicator, Profile
from rules.workdays import CalendarMissing, WorkCalendar

STATUS_WORDS = {"ok": "完整", "partial": "部分", "blocked": "被拦截", "captcha": "遇到验证码",
                "login_required": "需要登录", "not_found": "账号不存在",
                "deleted": "已删除", "error": "出错", "running": "进行中"}
COVERING = ("ok", "partial")  # collections whose span is trusted


beijing = to_beijing  # a stored time in Beijing


def show(stored: datetime, end: bool = False) -> str:
    """A stored time in Beijing; an end at 00:00 is shown as the day before (the span ends with it)."""
    moment = beijing(stored)
    if moment.time() == time():
        return (moment.date() - timedelta(days=1) if end else moment.date()).isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


@dataclass(slots=True)
class CollectionObs:
    source: str
    status: str
    covered_from: datetime | None  # naive UTC
    covered_to: datetime | None
    reason: str | None = None
    started_at: datetime | None = None


@dataclass(slots=True)
class ManualObs:
    indicator: str
    kind: str  # veto | deduction | bonus | override
    detail: str
    reason: str | None = None


@dataclass
class MediaObs:
    """What the rules know about one account: its posts (naive UTC, up to the end of T0), coverage, entries."""

    service: bool  # 微信服务号
    posts: list[datetime]
    collections: list[CollectionObs]
    calendar: WorkCalendar
    manual: list[ManualObs] = field(default_factory=list)
    content: Records = field(default_factory=Records)  # the content scan's records of the judged posts
    reviews: dict[str, dict] = field(default_factory=dict)  # inspectors' decisions on them, by hit key

    def __post_init__(self) -> None:
        self.days = sorted({beijing(p).date() for p in self.posts})
        self._day_set = set(self.days)
        spans = sorted((c.covered_from, c.covered_to) for c in self.collections
                       if c.status in COVERING and c.covered_from and c.covered_to and c.covered_to > c.covered_from)
        merged: list[list[datetime]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.spans = [(a, b) for a, b in merged]

    def posted(self, day: date) -> bool:
        return day in self._day_set

    def posting_days(self, first: date, last: date) -> int:
        return sum(1 for d in self.days if first <= d <= last)

    def uncovered(self, start: datetime, end: datetime) -> str | None:
        """None when [start, end) (naive UTC) is covered completely; else why not, in Chinese."""
        cursor = start
        for a, b in self.spans:
            if a <= cursor < b:
                cursor = b
            if cursor >= end:
                return None
        if not self.collections:
            return "从未导入或采集该账号的发布记录"
        # failures, and reads that cover no span (an article, an album, 搜狗's latest): each says why
        failed = [c for c in self.collections if c.status not in COVERING or (c.covered_from is None and c.reason)]
        last_failed = ""
        if failed:
            c = failed[-1]
            if c.status in COVERING:
                last_failed = f"；{c.source}：{c.reason}"
            else:
                last_failed = f"；{c.source}采集{STATUS_WORDS.get(c.status, c.status)}"
                last_failed += f"（{c.reason}）" if c.reason else ""
        if not self.spans:
            return "没有覆盖该时段的完整发布记录" + last_failed
        covered = "、".join(f"{show(a)}至{show(b, end=True)}" for a, b in self.spans)
        return f"{show(cursor)}起没有完整的发布记录（已有记录覆盖{covered}）{last_failed}"


@dataclass(slots=True)
class MonthOutcome:
    month: str  # 2023-08
    verdict: str | None  # pass | fail | unknown; None: the profile has no monthly rule
    posting_days: int
    reason: str


@dataclass(slots=True)
class Outcome:
    indicator: Indicator
    status: str  # pass | fail | unknown | overridden
    detail: str
    months: list[MonthOutcome] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


MediaCheck = Callable[[MediaObs, date, Period, Indicator, Profile], Outcome]


def media_not_updated(obs: MediaObs, as_of: date, period: Period, ind: Indicator, profile: Profile) -> Outcome:
    """M-V2: no post dated T0−14 days or later (W-V3's window convention); judged only when the
    days before T0 in the window are covered."""
    window = ind.params.get("window") or {"days": 14}
    since = window_start(as_of, window)
    start, end = midnight(since), midnight(as_of + timedelta(days=1))
    inside = [p for p in obs.posts if start <= p < end]
    evidence = {"window_from": since.isoformat(), "window_to": as_of.isoformat()}
    if inside:
        return Outcome(ind, "pass", f"{since:%m-%d}以来有更新（最近 {show(max(inside))}）", evidence=evidence)
    why = obs.uncovered(start, midnight(as_of))
    if why:
        return Outcome(ind, "unknown", f"无法核验{since:%m-%d}至{as_of:%m-%d}是否更新：{why}", evidence=evidence)
    latest = max(obs.posts) if obs.posts else None
    return Outcome(ind, "fail", f"监测时间点前2周内无更新（最近更新：{show(latest) if latest else '无记录'}）",
                   evidence=evidence)


def _service_month(obs: MediaObs, first: date, last: date, rule: dict[str, Any]) -> list[str]:
    problems = []
    run, need = int(rule.get("day_run", 14)), int(rule.get("run_min_days", 1))
    day = first
    while day + timedelta(days=run - 1) <= last:
        end = day + timedelta(days=run - 1)
        if obs.posting_days(day, end) < need:
            problems.append(f"{day:%m-%d}至{end:%m-%d}连续{run}天更新不足{need}天")
            day = end + timedelta(days=1)  # report the next idle span, not every overlapping one
            continue
        day += timedelta(days=1)
    return problems


def _workday_month(obs: MediaObs, first: date, last: date, rule: dict[str, Any], calendar: WorkCalendar) -> list[str]:
    run, need = int(rule.get("workday_run", 5)), int(rule.get("run_min_days", 2))
    between = bool(rule.get("count_days_between", True))
    workdays = calendar.workdays(first, last)
    problems, i = [], 0
    while i + run <= len(workdays):
        days = workdays[i:i + run]
        held = obs.posting_days(days[0], days[-1]) if between else sum(obs.posted(d) for d in days)
        if held < need:
            problems.append(f"{days[0]:%m-%d}至{days[-1]:%m-%d}连续{run}个工作日仅{held}天更新")
            i += run
            continue
        i += 1
    return problems


def monthly_frequency(obs: MediaObs, as_of: date, period: Period, ind: Indicator, profile: Profile) -> Outcome:
    """贵州: each month judged on its own — runs of working days (服务号: of calendar days) lying within
    the month, and posting days in the month."""
    rule = dict(ind.params.get("default") or {})
    if obs.service and ind.params.get("service"):
        rule = dict(ind.params["service"])
    months = []
    for month in period.months:
        first, last = period.month_days(month)
        label = f"{month.month}月"
        count = obs.posting_days(first, last)
        why = obs.uncovered(midnight(first), midnight(last + timedelta(days=1)))
        if why:
            months.append(MonthOutcome(f"{month:%Y-%m}", "unknown", count, f"{label}无法核验：{why}"))
            continue
        problems = []
        least = int(rule.get("month_min_days", 0))
        if count < least:
            problems.append(f"当月更新{count}天，少于{least}天")
        try:
            problems += (_service_month(obs, first, last, rule) if "day_run" in rule
                         else _workday_month(obs, first, last, rule, obs.calendar))
        except CalendarMissing as exc:
            if not problems:
                months.append(MonthOutcome(f"{month:%Y-%m}", "unknown", count, f"{label}无法核验：{exc}"))
                continue
            problems.append(f"（连续工作日未核验：{exc}）")
        if problems:
            months.append(MonthOutcome(f"{month:%Y-%m}", "fail", count, f"{label}：" + "；".join(problems)))
        else:
            months.append(MonthOutcome(f"{month:%Y-%m}", "pass", count, f"{label}更新{count}天"))
    failed = [m for m in months if m.verdict == "fail"]
    unknown = [m for m in months if m.verdict == "unknown"]
    if failed:
        return Outcome(ind, "fail", "；".join(m.reason for m in failed), months)
    if unknown:
        return Outcome(ind, "unknown", "；".join(m.reason for m in unknown), months)
    return Outcome(ind, "pass", "各月更新频次达标", months)


def idle_weeks(obs: MediaObs, as_of: date, period: Period, ind: Indicator, profile: Profile) -> Outcome:
    """河南: natural weeks (Monday–Sunday) lying within the period without a post."""
    least = int(ind.params.get("min_times", 2))
    monday = period.first + timedelta(days=(7 - period.first.weekday()) % 7)
    idle, unknown = [], []
    while monday + timedelta(days=6) <= period.last:
        sunday = monday + timedelta(days=6)
        if obs.posting_days(monday, sunday) == 0:
            why = obs.uncovered(midnight(monday), midnight(sunday + timedelta(days=1)))
            (unknown if why else idle).append((monday, sunday, why))
        monday += timedelta(days=7)
    spans = "、".join(f"{a:%m-%d}至{b:%m-%d}" for a, b, _ in idle)
    evidence = {"idle_weeks": [[a.isoformat(), b.isoformat()] for a, b, _ in idle],
                "unverified_weeks": [[a.isoformat(), b.isoformat()] for a, b, _ in unknown]}
    if len(idle) >= least:
        return Outcome(ind, "fail", f"{ind.label_for()} {len(idle)}次（{spans}）", evidence=evidence)
    if len(idle) + len(unknown) >= least:
        return Outcome(ind, "unknown", f"{len(unknown)}个自然周无法核验：{unknown[0][2]}"
                       + (f"；无更新的周：{spans}" if idle else ""), evidence=evidence)
    return Outcome(ind, "pass", f"自然周未更新{len(idle)}次" + (f"（{spans}）" if idle else ""), evidence=evidence)


def manual(obs: MediaObs, as_of: date, period: Period, ind: Indicator, profile: Profile) -> Outcome:
    """Items only an inspector can see (M-V1, M-V3): their entries (`govwatch findings add`) decide."""
    entries = [m for m in obs.manual if m.indicator == ind.id and m.kind in ("veto", "deduction")]
    if entries:
        return Outcome(ind, "fail", "；".join(m.detail for m in entries))
    return Outcome(ind, "pass", "未录入问题")


def media_content(obs: MediaObs, as_of: date, period: Period, ind: Indicator, profile: Profile) -> Outcome:
    """M-V1: the inspectors' entries (as `manual`), and the content scan's hits in the posts published from
    the period's first day to T0 (title and text: wrong titles, phrases, typos, sensitive words, personal
    data). A hit is "需人工确认" until an inspector confirms it (`govwatch findings confirm ACCOUNT KEY`);
    confirmed, it counts as `params.content.confirmed_as` says (veto: the account fails; observation:
    listed). The findings travel in `evidence["content"]` (the account JSON's `content`)."""
    params = ind.params.get("content", {})
    findings = content_findings(candidates(obs.content, params), obs.reviews, ind, params, owner="账号")
    entries = [m.detail for m in obs.manual if m.indicator == ind.id and m.kind in ("veto", "deduction")]
    evidence = {"content": [f.as_dict() for f in findings]}
    vetoes = [f.detail for f in findings if f.kind == "veto" and f.overridden is None]
    if entries or vetoes:
        return Outcome(ind, "fail", "；".join([*entries, *vetoes]), evidence=evidence)
    pending = sum(1 for f in findings if f.manual is None and f.overridden is None)
    listed = sum(1 for f in findings if f.manual is not None and f.overridden is None)
    detail = "未录入问题" + (f"；发布内容中{pending}处{CONTENT_PENDING}" if pending else "") + \
        (f"；已确认{listed}处（不属于单项否决）" if listed else "")
    return Outcome(ind, "pass", detail, evidence=evidence)


CHECKS: dict[str, MediaCheck] = {
    "media_content": media_content,
    "media_not_updated": media_not_updated,
    "monthly_frequency": monthly_frequency,
    "idle_weeks": idle_weeks,
    "manual": manual,
}

__all__ = ["CHECKS", "CollectionObs", "ManualObs", "MediaObs", "MonthOutcome", "Outcome", "midnight", "show"]
