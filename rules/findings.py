"""What a check says about a site, and the small helpers every check shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta

from rules.observations import ColumnObs, LinkObs, SiteObs
from rules.profile import Indicator

# Kinds of finding. veto/deduction/observation/bonus are problems (or credit) the profile weighs;
# "insufficient" and "not_testable" say the evidence could not decide; "ok" carries the evidence of
# a check that passed (shown with the indicator, never as a problem).
PROBLEM_KINDS = ("veto", "deduction", "observation", "bonus")
UNDECIDED_KINDS = ("insufficient", "not_testable")


@dataclass(slots=True)
class Finding:
    indicator: str
    title: str
    kind: str  # veto | deduction | observation | bonus | insufficient | not_testable | ok
    detail: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    points: float | None = None  # what it costs (deduction) or adds (bonus), after caps
    trigger: str | None = None  # which part of the indicator, e.g. W-V5 "1" or "display"
    subjects: list[str] = field(default_factory=list)  # what it counts (column URLs ...): counted once
    count: int = 1  # occurrences, for points per occurrence
    source: str = "auto"  # auto | manual
    label: str = ""  # the notice's words
    overridden: dict[str, Any] | None = None  # an inspector said this automatic finding is wrong
    manual: dict[str, Any] | None = None  # who entered a manual finding, and when
    note: str = ""  # why it costs nothing (points unconfirmed, counted under another item ...)

    @property
    def active(self) -> bool:
        return self.overridden is None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"indicator": self.indicator, "title": self.title, "kind": self.kind,
                                "detail": self.detail, "points": self.points, "evidence": self.evidence,
                                "trigger": self.trigger, "label": self.label, "source": self.source,
                                "count": self.count}
        if self.subjects:
            data["subjects"] = self.subjects
        if self.overridden is not None:
            data["overridden"] = self.overridden
        if self.manual is not None:
            data["manual"] = self.manual
        if self.note:
            data["note"] = self.note
        return data


def window_start(as_of: date, window: dict[str, int]) -> date:
    """The first day inside a window such as {days: 14} or {months: 6} that ends at T0."""
    delta = relativedelta(days=window.get("days", 0), months=window.get("months", 0), years=window.get("years", 0),
                          weeks=window.get("weeks", 0))
    return as_of - delta


def add_window(day: date, window: dict[str, int]) -> date:
    return day + relativedelta(days=window.get("days", 0), months=window.get("months", 0),
                               years=window.get("years", 0), weeks=window.get("weeks", 0))


def describe_window(window: dict[str, int]) -> str:
    parts = [f"{window[k]}{unit}" for k, unit in (("years", "年"), ("months", "个月"), ("weeks", "周"), ("days", "天"))
             if window.get(k)]
    return "".join(parts)


def column_evidence(col: ColumnObs, **extra: Any) -> dict[str, Any]:
    reading = {"reading": col.reading} if col.reading else {}
    return {"column": col.name, "url": col.url, "category": col.category, "level": col.level,
            "latest_date": col.latest_date.isoformat() if col.latest_date else None, **reading, **extra}


def is_stale(col: ColumnObs, since: date, undated_counts: bool) -> bool:
    if col.latest_date is None:
        return undated_counts
    return col.latest_date < since


def judgeable(col: ColumnObs) -> bool:
    """Columns whose page was read and is not blank (blank columns are counted on their own)."""
    return col.fetched and not col.blank


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def observed(obs: SiteObs, observer: str) -> bool:
    """Whether the crawl ran a page observer (older crawls did not: their silence proves nothing)."""
    return any(r.get("name") == observer for r in obs.of_kind("observer"))


def not_observed(ind_id: str, title: str, observer: str) -> list[Finding]:
    return [Finding(ind_id, title, "not_testable", f"本次检查未运行{observer}观察（旧的检查数据），无法核验",
                    [{"observer": observer}])]


def link_results(obs: SiteObs) -> dict[str, LinkObs]:
    """Each checked link's result (the worst one when a link was checked from several pages)."""
    found: dict[str, LinkObs] = {}
    for x in obs.links:
        if x.url not in found or (found[x.url].outcome == "ok" and x.outcome != "ok"):
            found[x.url] = x
    return found


def column_by_url(obs: SiteObs) -> dict[str, ColumnObs]:
    return {c.url: c for c in obs.columns}


def netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def province_of(obs: SiteObs, settings: dict[str, Any]) -> str | None:
    """The province (2-digit administrative code) a site belongs to: the first two digits of its
    网站标识码, else the profile's `province` setting."""
    code = (obs.site_code or "").strip()
    if len(code) == 10 and code[:2].isdigit():
        return code[:2]
    value = settings.get("province")
    return str(value) if value else None


def host_matches(host_or_netloc: str, domains: list[str]) -> bool:
    """`a.b.gov.cn` matches the entry `b.gov.cn`; an entry with a port must match host:port exactly."""
    value = host_or_netloc.lower()
    host = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    for domain in domains:
        d = str(domain).lower().strip()
        if not d:
            continue
        if ":" in d:
            if value == d:
                return True
        elif host == d or host.endswith("." + d):
            return True
    return False


# Link outcomes that mean the link does not work (blocked and tls-error links do: see crawler/render.py).
DEAD_OUTCOMES = ("broken", "soft-404", "timeout")
# Statuses of a page that was read and says it is not there: only these prove a channel missing.
GONE_STATUSES = (404, 410)


def link_gone(x: LinkObs) -> bool:
    """The link's page was read and shows the thing missing (404, 410, a soft 404). A timeout, a reset,
    a 5xx or a 429 only says the page could not be read: that is no evidence of a missing channel."""
    return x.outcome == "soft-404" or (x.outcome == "broken" and x.status in GONE_STATUSES)


def link_unread(x: LinkObs) -> bool:
    """The link's page could not be read: timed out, reset, 5xx, or refused for now (429)."""
    return (x.outcome in DEAD_OUTCOMES and not link_gone(x)) or (x.outcome == "blocked" and x.status == 429)


def unread_reason(x: LinkObs) -> str:
    """Why a link's page could not be read, in the users' words."""
    if x.status is not None:
        return f"HTTP {x.status}"
    return x.error or x.outcome


def column_gone(col: ColumnObs) -> bool:
    """A column page that was not read because the server said it does not exist."""
    return not col.fetched and col.status in GONE_STATUSES


def reported(ind: Indicator, trigger: str) -> bool:
    """Whether the profile asks this indicator to report `trigger` (all of them when it names none)."""
    report = ind.params.get("report")
    return report is None or trigger in [str(r) for r in report]
