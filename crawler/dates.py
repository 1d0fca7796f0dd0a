"""Publish dates as Chinese government pages write them.

A fast path of compiled regular expressions decides almost every date; dateparser is consulted
only where the regexes cannot decide (it is slow and wrong on short Chinese forms, see
spec/stack.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class FoundDate:
    value: date
    text: str  # the text the date was read from, as written ("[11-18]", "2023年11月18日")
    source: str  # "text" | "url" | "meta" | "dateparser"
    year_inferred: bool = False  # True for year-less dates such as "11-18"


def parse_date(text: str, reference: date) -> FoundDate | None:
    """The first date written in `text`; year-less dates take the year that puts them on or
    before `reference` (the monitoring time point)."""
    raise NotImplementedError


def find_dates(text: str, reference: date) -> list[FoundDate]:
    """Every date written in `text`, in order."""
    raise NotImplementedError


def date_from_url(url: str) -> date | None:
    """A date carried by an article URL: t20231118_123456.html, /2023/11/18/, /art/2023/11/18/,
    /202311/t20231118_..., content_2023-11-18 ..."""
    raise NotImplementedError
