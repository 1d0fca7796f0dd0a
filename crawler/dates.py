"""Publish dates as Chinese government pages write them.

A fast path of compiled regular expressions decides almost every date; dateparser is consulted
only where the regexes cannot decide (it is slow and wrong on short Chinese forms, see
spec/stack.md §4).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["FoundDate", "parse_date", "find_dates", "date_from_url", "infer_year", "MIN_YEAR"]

MIN_YEAR = 1990  # government sites did not exist before; older "dates" are history in the text


@dataclass(frozen=True, slots=True)
class FoundDate:
    value: date
    text: str  # the text the date was read from, as written ("[11-18]", "2023年11月18日")
    source: str  # "text" | "url" | "meta" | "dateparser"
    year_inferred: bool = False  # True for year-less dates such as "11-18"


# One alternation, scanned left to right, so a span is claimed by the most specific form first.
# Guards: a date glued to other digits, hyphens or dots is part of a number (phone, index number,
# version, decimal); a date followed by a CJK unit (月, 年, 万, %, 条 ...) is a range or a quantity.
_UNIT_AFTER = r"(?!\s*[年月日号万亿元个天周时分秒%％条项页期次件人户名家岁倍])"
_TIME = r"(?:(?:\s*|[T\-])(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?(?![\d]))?"

_DATE_RE = re.compile(
    # 2023年11月18日 [10:30]
    r"(?<!\d)(?P<cy>(?:19|20)\d{2})\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})\s*[日号]?(?!\d)"
    r"(?:\s*(?P<cH>\d{1,2})[:：](?P<cM>\d{2})(?:[:：](?P<cS>\d{2}))?(?!\d))?"
    # 2023-11-18 / 2023/11/18 / 2023.11.18 [ 09:30[:00]]
    r"|(?<![\d\-/.vV])(?P<y>(?:19|20)\d{2})(?P<sep>[\-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?!\d)" + _TIME + r"(?![\-/.]?\d)"
    # relative: 3天前, 2小时前, 30分钟前, 1周前, 2个月前
    r"|(?<!\d)(?P<rn>\d{1,3})\s*(?P<ru>秒钟?|分钟|小时|天|周|星期|个月|年)前"
    # 刚刚 / 今天 08:15 / 昨天 / 前天
    r"|(?P<word>刚刚|今天|今日|昨天|昨日|前天|大前天)(?:\s*(?P<wH>\d{1,2})[:：](?P<wM>\d{2}))?"
    # 11月18日
    r"|(?<![\d年])(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日号](?!\d)"
    # 11-18, [11-18], 11/18: both parts two digits, not glued to a time, number or unit
    r"|(?<![\d\-/.:：])(?P<mm>\d{2})(?P<msep>[\-/])(?P<md>\d{2})(?![\d:：]|[\-/.]\d)" + _UNIT_AFTER
)

# Office hours and time ranges ("8：30-11：30", "9:00—17:00") are blanked out before matching.
_TIME_RANGE_RE = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}\s*[-—–~～至到]\s*\d{1,2}\s*[:：]\s*\d{2}")

_WORD_DAYS = {"刚刚": 0, "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}

# Text that may hold a date dateparser can read but the regexes cannot (English month names); the
# matched span, not the whole text, goes to dateparser (it fails on surrounding words).
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATELIKE_RE = re.compile(
    r"(?i)\b" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s*(?P<y1>\d{4})\b)?"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r",?\s+(?P<y2>\d{4})\b"
)


def _valid(y: int, m: int, d: int, reference: date) -> date | None:
    """A real calendar date inside the plausible window, else None."""
    if not (MIN_YEAR <= y <= reference.year + 1):
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _valid_time(h: str | None, mi: str | None) -> bool:
    return h is None or (int(h) < 24 and mi is not None and int(mi) < 60)


def infer_year(month: int, day: int, reference: date) -> date | None:
    """The year that puts a year-less MM-DD on or before `reference`: a date more than a day after
    the reference is last year's (lists show recent items; a one-day allowance covers time zones
    and pages generated just after midnight)."""
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 02-29 in a non-leap year: try the previous year
            continue
        if candidate <= reference + timedelta(days=1):
            return candidate
    return None


def _months_back(reference: date, months: int) -> date:
    y, m = divmod(reference.year * 12 + reference.month - 1 - months, 12)
    m += 1
    return date(y, m, min(reference.day, calendar.monthrange(y, m)[1]))


def _from_match(mt: re.Match[str], reference: date) -> FoundDate | None:
    """The date one alternative of _DATE_RE matched, or None when it is not a real date."""
    g = mt.group
    text = mt.group(0).strip()
    if g("cy"):
        if not _valid_time(g("cH"), g("cM")):
            return None
        v = _valid(int(g("cy")), int(g("cm")), int(g("cd")), reference)
        return FoundDate(v, text, "text") if v else None
    if g("y"):
        if not _valid_time(g("H"), g("M")):
            return None
        v = _valid(int(g("y")), int(g("m")), int(g("d")), reference)
        return FoundDate(v, text, "text") if v else None
    if g("rn"):
        n, unit = int(g("rn")), g("ru")
        if unit == "天":
            v = reference - timedelta(days=n)
        elif unit in ("周", "星期"):
            v = reference - timedelta(weeks=n)
        elif unit == "个月":
            v = _months_back(reference, n)
        elif unit == "年":
            v = _months_back(reference, 12 * n)
        else:  # seconds, minutes, hours: the reference day (a date carries no time of day)
            v = reference
        return FoundDate(v, text, "text") if v.year >= MIN_YEAR else None
    if g("word"):
        if not _valid_time(g("wH"), g("wM")):
            return None
        return FoundDate(reference - timedelta(days=_WORD_DAYS[g("word")]), text, "text")
    if g("zm"):
        v = infer_year(int(g("zm")), int(g("zd")), reference)
        return FoundDate(v, text, "text", year_inferred=True) if v else None
    if g("mm"):
        v = infer_year(int(g("mm")), int(g("md")), reference)
        return FoundDate(v, text, "text", year_inferred=True) if v else None
    return None


def _mask_time_ranges(text: str) -> str:
    """Blank office hours so "8：30-11：30" cannot read as a date; offsets are preserved."""
    if ":" not in text and "：" not in text:
        return text
    return _TIME_RANGE_RE.sub(lambda mt: " " * len(mt.group(0)), text)


def find_dates(text: str, reference: date) -> list[FoundDate]:
    """Every date written in `text`, in order."""
    if not text:
        return []
    masked = _mask_time_ranges(text)
    found: list[FoundDate] = []
    for mt in _DATE_RE.finditer(masked):
        fd = _from_match(mt, reference)
        if fd is not None:
            found.append(FoundDate(fd.value, _as_written(text, mt.start(), mt.end()), fd.source,
                                   fd.year_inferred))
    return found


_BRACKETS = {"[": "]", "【": "】", "(": ")", "（": "）", "〔": "〕"}


def _as_written(text: str, start: int, end: int) -> str:
    """The matched text as the page wrote it (not as masked), with its brackets when it has them:
    "[11-18]" reads as one token in a list row."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start > 0 and end < len(text) and _BRACKETS.get(text[start - 1]) == text[end]:
        start, end = start - 1, end + 1
    return text[start:end]


def parse_date(text: str, reference: date) -> FoundDate | None:
    """The first date written in `text`; year-less dates take the year that puts them on or
    before `reference` (the monitoring time point)."""
    if not text:
        return None
    found = find_dates(text, reference)
    if found:
        return found[0]
    mt = _DATELIKE_RE.search(text)
    if mt:
        has_year = bool(mt.group("y1") or mt.group("y2"))
        return _dateparser_fallback(mt.group(0), reference, year_inferred=not has_year)
    return None


# dateparser: loaded on first need (its import and language data cost ~0.3 s). RELATIVE_BASE is a
# construction-time setting, so one parser is kept per reference date (normally one per crawl).
_PARSERS: dict[date, Any] = {}


def _parser_for(reference: date) -> Any:
    parser = _PARSERS.get(reference)
    if parser is None:
        from dateparser.date import DateDataParser

        if len(_PARSERS) >= 4:
            _PARSERS.clear()
        parser = DateDataParser(
            languages=["zh", "en"],
            settings={
                "PREFER_DATES_FROM": "past",
                "RELATIVE_BASE": datetime(reference.year, reference.month, reference.day, 12, 0),
            },
        )
        _PARSERS[reference] = parser
    return parser


def _dateparser_fallback(text: str, reference: date, year_inferred: bool = False) -> FoundDate | None:
    """dateparser on a date-like span the regexes could not read (English month names)."""
    try:
        data = _parser_for(reference).get_date_data(text[:200])
    except Exception:  # dateparser raises assorted errors on odd input; a miss is not fatal
        return None
    dt = getattr(data, "date_obj", None)
    if dt is None:
        return None
    v = dt.date()
    if not (MIN_YEAR <= v.year <= reference.year + 1):
        return None
    if v > reference + timedelta(days=1) and year_inferred:
        return None
    return FoundDate(v, text.strip(), "dateparser", year_inferred)


# ---- dates in URLs -------------------------------------------------------------------------------

_URL_PATTERNS = [
    # TRS: t20231118_123456.html, /202311/t20231118_...
    re.compile(r"(?<![A-Za-z0-9])t(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    # /2023/11/18/, /art/2023/11/18/art_..., /2023/7/2-hash.html
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?=[/\-_])"),
    # /2023-11/18/ (gov.cn content pages)
    re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})/(?P<d>\d{2})/"),
    # content_2023-11-18, /2023-11-18/
    re.compile(r"(?:content_|/)(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?=[/_.\-]|$)"),
    # /20231118/
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})/"),
]


def date_from_url(url: str) -> date | None:
    """A date carried by an article URL: t20231118_123456.html, /2023/11/18/, /art/2023/11/18/,
    /202311/t20231118_..., content_2023-11-18 ..."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    upper = date.today().year + 1
    for rx in _URL_PATTERNS:
        for mt in rx.finditer(path):
            y, m, d = int(mt.group("y")), int(mt.group("m")), int(mt.group("d"))
            if not (MIN_YEAR <= y <= upper):
                continue
            try:
                return date(y, m, d)
            except ValueError:
                continue
    return None
