"""The period a check judges or a notice covers, and the one `--period` grammar.

Seed 002 checks on 11-15..11-20 and judges 8月/9月/10月, so `default_period(2023-11-20)` is
2023-08-01..2023-10-31. `--period` takes 2023Q3, 2023-08..2023-10 (also written with 至, ~ or —),
2023-08-01..2023-10-31, or one month 2023-09. A calendar quarter keeps its number, so a notice can say
2023年第三季度.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

NUMERALS = "一二三四五六七八九十"
GRAMMAR = "2023Q3、2023-08..2023-10、2023-08-01..2023-10-31 或 2023-09"


class PeriodError(ValueError):
    """A --period that cannot be read; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Period:
    first: date  # first day, inclusive
    last: date  # last day, inclusive
    quarter: int | None = field(default=None, compare=False)  # a calendar quarter's number, for its name

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

    def month_days(self, month: date) -> tuple[date, date]:
        """The days of one month that lie inside the period."""
        end = month + relativedelta(months=1) - timedelta(days=1)
        return max(month, self.first), min(end, self.last)

    @property
    def words(self) -> str:
        """The period as a notice names it: 2023年第四季度, or 2023年8月至10月."""
        if self.quarter:
            return f"{self.first.year}年第{NUMERALS[self.quarter - 1]}季度"
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


def parse_period(text: str) -> Period:
    """2023Q3 | 2023-08..2023-10 | 2023-08-01..2023-10-31 | 2023-09; a PeriodError says how to write it."""
    value = text.strip()
    if m := re.fullmatch(r"(\d{4})\s*[Qq]([1-4])", value):
        year, q = int(m[1]), int(m[2])
        return Period(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), q)
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
    quarter = (start.month + 2) // 3 if (start.day == 1 and start.month % 3 == 1
                                         and end == _month_end(start.year, start.month + 2)) else None
    return Period(start, end, quarter)


__all__ = ["Period", "PeriodError", "default_period", "parse_period"]
