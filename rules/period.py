"""The period a check judges or a notice covers, and the one `--period` grammar.

Seed 002 checks on 11-15..11-20 and judges 8月/9月/10月, so `default_period(2023-11-20)` is
2023-08-01..2023-10-31. `--period` takes 2023Q3, 2023-08..2023-10 (also written with 至, ~ or —),
2023-08-01..2023-10-31, one month 2023-09, and the office's own words: 2023年第三季度, 2023年8月至10月,
2023年9月. A quarter keeps its number, so a notice can say 2023年第三季度; a profile may define its
quarters (`notice.quarters`: 贵州's 第四季度 is 8–10月, seed 002), and `name` overrides the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

NUMERALS = "一二三四五六七八九十"
GRAMMAR = "2023年第三季度、2023年8月至10月、2023Q3、2023-08..2023-10、2023-08-01..2023-10-31 或 2023-09"
QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# A quarter's months: (first month, last month), the year's calendar unless a profile says otherwise.
Quarters = dict[int, tuple[int, int]]
CALENDAR_QUARTERS: Quarters = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


class PeriodError(ValueError):
    """A --period that cannot be read; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Period:
    first: date  # first day, inclusive
    last: date  # last day, inclusive
    quarter: int | None = field(default=None, compare=False)  # a quarter's number, for its name
    name: str = field(default="", compare=False)  # the office's own name for it (--name)

    @property
    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        out, cursor = [], self.first.replace(day=1)
        while cursor <= self.last:
            out.append(cursor)
            cursor += relativedelta(months=1)
        return out

    @property
    def month_keys(self) -> list[str]:
        """The months as the notice's tables key them: 2023-08."""
        return [f"{m:%Y-%m}" for m in self.months]

    def named(self, name: str) -> Period:
        return Period(self.first, self.last, self.quarter, name)

    def refuse_after(self, as_of: date) -> None:
        """A period that has not ended at the monitoring time point cannot be judged: its last
        weeks are not there yet, and a notice would print 合格率 for days that did not happen."""
        if self.last > as_of:
            raise PeriodError(f"期间 {self.words}（{self.first}—{self.last}）在监测时间点 {as_of} 之后才结束，"
                              f"无法核验尚未到来的日子；请把 --as-of 设在 {self.last} 之后，或缩短 --period")

    def month_days(self, month: date) -> tuple[date, date]:
        """The days of one month that lie inside the period."""
        end = month + relativedelta(months=1) - timedelta(days=1)
        return max(month, self.first), min(end, self.last)

    @property
    def words(self) -> str:
        """The period as a notice names it: 2023年第四季度, or 2023年8月至10月."""
        if self.name:
            return self.name
        if self.quarter:
            return f"{self.last.year}年第{NUMERALS[self.quarter - 1]}季度"
        first, last = self.first, self.last
        if first.year == last.year:
            return f"{first.year}年{first.month}月至{last.month}月" if first.month != last.month \
                else f"{first.year}年{first.month}月"
        return f"{first.year}年{first.month}月至{last.year}年{last.month}月"


def default_period(as_of: date, months: int = 3) -> Period:
    this_month = as_of.replace(day=1)
    return Period(this_month - relativedelta(months=months), this_month - timedelta(days=1))


def _month_end(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(months=1) - timedelta(days=1)


def _bound(text: str, *, first: bool) -> date:
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(text)
        return date(year, month, 1) if first else _month_end(year, month)
    return date.fromisoformat(text)


def quarter_period(year: int, q: int, quarters: Quarters | None = None) -> Period:
    """Quarter q of a year, by the profile's definition (a quarter may start in the year before:
    a 第一季度 of 11–1月 belongs to the year its last month is in)."""
    first_month, last_month = (quarters or CALENDAR_QUARTERS)[q]
    start_year = year - 1 if first_month > last_month else year
    return Period(date(start_year, first_month, 1), _month_end(year, last_month), q)


def _chinese(value: str) -> str:
    """2023年8月至10月 → 2023-08..2023-10; 2023年8月至2024年1月 and 2023年9月 likewise."""
    value = value.replace(" ", "")
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(?:份)?(?:(?:至|到|—|-|~)(?:(\d{4})年)?(\d{1,2})月(?:份)?)?", value)
    if not m:
        return value
    start = f"{m[1]}-{int(m[2]):02d}"
    end = f"{m[3] or m[1]}-{int(m[4]):02d}" if m[4] else start
    return f"{start}..{end}"


def parse_period(text: str, quarters: Quarters | None = None) -> Period:
    """2023年第三季度 | 2023年8月至10月 | 2023Q3 | 2023-08..2023-10 | 2023-08-01..2023-10-31 | 2023-09;
    a quarter by the profile's `quarters` when given; a PeriodError says how to write it."""
    value = text.strip()
    if m := re.fullmatch(r"(\d{4})\s*[Qq]([1-4])", value):
        return quarter_period(int(m[1]), int(m[2]), quarters)
    if m := re.fullmatch(r"(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度?", value):
        return quarter_period(int(m[1]), QUARTER_WORDS[m[2]], quarters)
    value = _chinese(value)
    parts = [p.strip() for p in re.split(r"\.\.|—|至|~", value)]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(parts):
        raise PeriodError(f"--period {text!r} 应写作 {GRAMMAR}")
    try:
        start, end = _bound(parts[0], first=True), _bound(parts[1], first=False)
    except ValueError:
        raise PeriodError(f"--period {text!r} 应写作 {GRAMMAR}") from None
    if end < start:
        raise PeriodError(f"--period {text!r}：结束早于开始")
    quarter = next((q for q in (1, 2, 3, 4) if quarter_period(end.year, q, quarters) == Period(start, end)), None)
    return Period(start, end, quarter)


def profile_quarters(notice: dict) -> Quarters | None:
    """A profile's `notice.quarters` ({4: [8, 10], ...}) as Quarters; None: the calendar's."""
    raw = (notice or {}).get("quarters")
    if not raw:
        return None
    return {**CALENDAR_QUARTERS, **{int(k): (int(v[0]), int(v[1])) for k, v in raw.items()}}


__all__ = ["Period", "PeriodError", "default_period", "parse_period", "profile_quarters", "quarter_period"]
