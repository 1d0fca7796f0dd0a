"""The period a new-media check judges: whole calendar months, by default the three before T0.

Seed 002 checks on 11-15..11-20 and judges 8月/9月/10月, so `default_period(2023-11-20)` is
2023-08-01..2023-10-31. `--period 2023-08..2023-10`, `--period 2023Q3` or `--period 2023-09` set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True, slots=True)
class Period:
    first: date  # first day, inclusive
    last: date  # last day, inclusive

    @property
    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        out, cursor = [], self.first.replace(day=1)
        while cursor <= self.last:
            out.append(cursor)
            cursor += relativedelta(months=1)
        return out

    def month_days(self, month: date) -> tuple[date, date]:
        """The days of one month that lie inside the period."""
        end = month + relativedelta(months=1) - timedelta(days=1)
        return max(month, self.first), min(end, self.last)


def default_period(as_of: date, months: int = 3) -> Period:
    this_month = as_of.replace(day=1)
    return Period(this_month - relativedelta(months=months), this_month - timedelta(days=1))


_MONTH = r"(\d{4})-(\d{1,2})"


def _month(text: str) -> date:
    m = re.fullmatch(_MONTH, text.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"{text!r} 不是月份（如 2023-08）")
    return date(int(m[1]), int(m[2]), 1)


def parse_period(text: str) -> Period:
    """2023-08..2023-10, 2023Q3, 2023-09 (whole months)."""
    text = text.strip()
    quarter = re.fullmatch(r"(\d{4})\s*[Qq]([1-4])", text)
    if quarter:
        first = date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
        return Period(first, first + relativedelta(months=3) - timedelta(days=1))
    parts = [p for p in re.split(r"\.\.|至|~", text) if p.strip()]
    if len(parts) not in (1, 2):
        raise ValueError(f"--period {text!r} 应写作 2023-08..2023-10、2023Q3 或 2023-09")
    try:
        first, last = _month(parts[0]), _month(parts[-1])
    except ValueError as exc:
        raise ValueError(f"--period {text!r}: {exc}") from None
    if last < first:
        raise ValueError(f"--period {text!r}: 结束月份早于开始月份")
    return Period(first, last + relativedelta(months=1) - timedelta(days=1))


__all__ = ["Period", "default_period", "parse_period"]
