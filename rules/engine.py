"""Judging observations at a monitoring time point (T0) under a profile.

Each indicator's `check` names a function here; its windows and thresholds come from the profile.
A verdict is "fail" when any veto holds, "pass" when none does, and "unknown" when the crawl saw
too little to judge (the home page never opened): an inspector must not cite a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from rules.observations import ColumnObs, SiteObs
from rules.profile import Indicator, Profile


@dataclass(slots=True)
class Finding:
    indicator: str
    title: str
    kind: str  # veto | deduction | observation
    detail: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    points: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "title": self.title, "kind": self.kind, "detail": self.detail,
                "points": self.points, "evidence": self.evidence}


@dataclass(slots=True)
class Evaluation:
    obs: SiteObs
    as_of: date
    profile: Profile
    verdict: str
    findings: list[Finding]
    score: float | None = None

    @property
    def vetoes(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "veto"]

    @property
    def deductions(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "deduction"]


def window_start(as_of: date, window: dict[str, int]) -> date:
    """The first day inside a window such as {days: 14} or {months: 6} that ends at T0."""
    delta = relativedelta(days=window.get("days", 0), months=window.get("months", 0), years=window.get("years", 0))
    return as_of - delta


def describe_window(window: dict[str, int]) -> str:
    parts = [f"{window[k]}{unit}" for k, unit in (("years", "年"), ("months", "个月"), ("days", "天")) if window.get(k)]
    return "".join(parts)


def _column_evidence(col: ColumnObs, **extra: Any) -> dict[str, Any]:
    return {"column": col.name, "url": col.url, "category": col.category, "level": col.level,
            "latest_date": col.latest_date.isoformat() if col.latest_date else None, **extra}


def is_stale(col: ColumnObs, since: date, undated_counts: bool) -> bool:
    if col.latest_date is None:
        return undated_counts
    return col.latest_date < since


def judgeable(col: ColumnObs) -> bool:
    """Columns whose page was read and is not blank (blank columns are counted on their own)."""
    return col.fetched and not col.blank


def home_not_updated(obs: SiteObs, as_of: date, ind: Indicator) -> list[Finding]:
    window = ind.params["window"]
    since = window_start(as_of, window)
    span = describe_window(window)
    if obs.home_latest_date is not None:
        if obs.home_latest_date >= since:
            return []
        return [Finding(ind.id, ind.title, ind.kind,
                        f"首页最新信息日期为{obs.home_latest_date.isoformat()}，监测时间点前{span}内无更新",
                        [{"url": obs.home_url, "latest_date": obs.home_latest_date.isoformat()}])]
    if ind.params.get("navigation_only_uses_columns", True):
        dated = [c for c in obs.columns if c.latest_date is not None]
        if any(c.latest_date >= since for c in dated):
            return []
        return [Finding(ind.id, ind.title, ind.kind,
                        f"首页无带日期的信息（视为栏目导航入口），所有栏目监测时间点前{span}内均无更新",
                        [{"url": obs.home_url, "latest_date": None}])]
    return [Finding(ind.id, ind.title, ind.kind, "首页无带日期的信息，视为不更新", [{"url": obs.home_url}])]


def columns_not_updated(obs: SiteObs, as_of: date, ind: Indicator) -> list[Finding]:
    undated_counts = ind.params.get("undated_counts_as_stale", True)
    findings: list[Finding] = []
    for trigger in ind.params["triggers"]:
        threshold = int(trigger["threshold"])
        hits: list[dict[str, Any]] = []
        if trigger.get("blank"):
            hits = [_column_evidence(c, reason=c.blank_reason) for c in obs.columns if c.fetched and c.blank]
            label = f"空白栏目{len(hits)}个"
        else:
            for col in obs.columns:
                rule = trigger["windows"].get(col.category)
                if rule is None or not judgeable(col) or ("level" in rule and col.level != rule["level"]):
                    continue
                since = window_start(as_of, rule)
                if is_stale(col, since, undated_counts):
                    hits.append(_column_evidence(col, window=describe_window(rule), since=since.isoformat()))
            label = f"{trigger['title']}{len(hits)}个"
        if len(hits) >= threshold:
            findings.append(Finding(ind.id, ind.title, ind.kind,
                                    f"{label}（达到{threshold}个即单项否决）", hits))
        elif hits:
            findings.append(Finding(ind.id, f"{ind.title}（未达否决线）", "observation",
                                    f"{label}（否决线为{threshold}个）", hits))
    return findings


def broken_links(obs: SiteObs, as_of: date, ind: Indicator) -> list[Finding]:
    outcomes = set(ind.params.get("outcomes", ["broken"]))
    bad = [x for x in obs.links if x.outcome in outcomes]
    if not bad:
        return []
    evidence = [{"url": x.url, "found_on": x.found_on, "status": x.status, "outcome": x.outcome, "error": x.error}
                for x in bad]
    urls = len({x.url for x in bad})
    return [Finding(ind.id, ind.title, ind.kind, f"不可用链接{urls}个", evidence)]


def certificate_problems(obs: SiteObs, as_of: date, ind: Indicator) -> list[Finding]:
    own = [{"url": r["url"], "host": r.get("host"), "error": r.get("error")} for r in obs.of_kind("tls")
           if not r.get("ok")]
    linked = [{"url": x.url, "found_on": x.found_on, "error": x.error} for x in obs.links if x.outcome == "tls-error"]
    if not own and not linked:
        return []
    detail = f"网站证书无效：{own[0]['error']}" if own else f"链接的网站证书无效{len({x['url'] for x in linked})}个"
    return [Finding(ind.id, ind.title, ind.kind, detail, own + linked)]


CHECKS: dict[str, Callable[[SiteObs, date, Indicator], list[Finding]]] = {
    "home_not_updated": home_not_updated,
    "columns_not_updated": columns_not_updated,
    "broken_links": broken_links,
    "certificate_problems": certificate_problems,
}


def evaluate(obs: SiteObs, as_of: date, profile: Profile) -> Evaluation:
    if obs.run_status in ("failed", "none") or obs.home_url is None:
        reason = obs.run_error or "the home page was not read"
        finding = Finding("CRAWL", "无法检查", "observation", f"本次未能读取网站首页，无法判定：{reason}",
                          [{"url": obs.site_url, "run_id": obs.run_id}])
        return Evaluation(obs, as_of, profile, "unknown", [finding])
    findings: list[Finding] = []
    for ind in profile.indicators:
        check = CHECKS.get(ind.check)
        if check is None:
            raise ValueError(f"{profile.path}: indicator {ind.id} names an unknown check {ind.check!r}")
        findings.extend(check(obs, as_of, ind))
    verdict = "fail" if any(f.kind == "veto" for f in findings) else "pass"
    return Evaluation(obs, as_of, profile, verdict, findings)
