"""Working days (工作日) in the official calendar: weekends, holidays and 调休 make-up days.

`chinese_calendar` (pinned) knows the State Council's schedule for the years it was released with;
an office adds a year it lacks (the notice usually comes out in November–December) in a calendar YAML
file, the bundled `rules/data/calendar.yaml` or `calendar.yaml` in the govwatch home folder:

    years:
      2027:
        holidays: [2027-01-01, 2027-02-05 .. 2027-02-11]   # 放假 (a day or a range "A .. B")
        workdays: [2027-02-14]                              # 调休上班 (a Saturday or Sunday worked)

A year listed in a file is taken from the file alone (it overrides the package). A day of a year
that neither knows raises `CalendarMissing`: a rule counting working days is then judged unknown,
never with a Monday–Friday guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import yaml


class CalendarMissing(LookupError):
    """No calendar data for a year; the message says which and how to add it."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"缺少{year}年的节假日与调休数据（chinese_calendar 未收录），"
                         f"请在 calendar.yaml 中补充{year}年的放假和调休上班日期")


class CalendarFileError(ValueError):
    """A calendar file that cannot be read; the message names the file and the entry."""


@dataclass(slots=True)
class YearData:
    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)


def _days(value: object, where: str) -> set[date]:
    """A list of dates and "A .. B" ranges."""
    days: set[date] = set()
    for item in value or []:
        text = str(item).strip()
        try:
            if ".." in text:
                first, last = (date.fromisoformat(p.strip()) for p in text.split("..", 1))
                if last < first:
                    raise ValueError("range ends before it starts")
                days.update(first + timedelta(n) for n in range((last - first).days + 1))
            else:
                days.add(item if isinstance(item, date) else date.fromisoformat(text))
        except ValueError as exc:
            raise CalendarFileError(f"{where}: {text!r} 不是日期（YYYY-MM-DD）或日期范围（A .. B）：{exc}") from None
    return days


def read_calendar_file(path: Path | str, text: str | None = None) -> dict[int, YearData]:
    where = str(path)
    try:
        data = yaml.safe_load(text if text is not None else Path(path).read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarFileError(f"{where}: 无法读取：{exc}") from None
    years = data.get("years") if isinstance(data, dict) else None
    if years is None:
        years = {}
    if not isinstance(years, dict):
        raise CalendarFileError(f"{where}: `years` 应为 年份: {{holidays: [...], workdays: [...]}}")
    out: dict[int, YearData] = {}
    for year, entry in years.items():
        if not isinstance(entry, dict):
            raise CalendarFileError(f"{where}: {year}: 应有 holidays 和 workdays 两项")
        yd = YearData(_days(entry.get("holidays"), f"{where}: {year}.holidays"),
                      _days(entry.get("workdays"), f"{where}: {year}.workdays"))
        stray = sorted(d for d in yd.holidays | yd.workdays if d.year != int(year))
        if stray:
            raise CalendarFileError(f"{where}: {year}: {stray[0].isoformat()} 不属于{year}年")
        out[int(year)] = yd
    return out


class WorkCalendar:
    """Is a day a working day? From calendar files first, then chinese_calendar; else CalendarMissing."""

    def __init__(self, files: Iterable[Path | str] = ()) -> None:
        self.years: dict[int, YearData] = {}
        bundled = resources.files("rules").joinpath("data", "calendar.yaml")
        if bundled.is_file():
            self.years.update(read_calendar_file("rules/data/calendar.yaml", bundled.read_text("utf-8")))
        for path in files:
            if Path(path).is_file():
                self.years.update(read_calendar_file(path))

    def is_workday(self, day: date) -> bool:
        data = self.years.get(day.year)
        if data is not None:
            if day in data.workdays:
                return True
            return day.weekday() < 5 and day not in data.holidays
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarMissing(day.year) from None

    def workdays(self, first: date, last: date) -> list[date]:
        """Working days from first to last inclusive (CalendarMissing if a year is unknown)."""
        return [first + timedelta(n) for n in range((last - first).days + 1)
                if self.is_workday(first + timedelta(n))]


def load_calendar(home: Path | None = None) -> WorkCalendar:
    """The bundled calendar plus the office's own `calendar.yaml` in the govwatch home folder."""
    return WorkCalendar([home / "calendar.yaml"] if home else [])


__all__ = ["CalendarFileError", "CalendarMissing", "WorkCalendar", "YearData", "load_calendar",
           "read_calendar_file"]
