"""Judging observations at a monitoring time point (T0) under a profile.

Each indicator's `check` names a function in rules/checks; its windows, thresholds and points come
from the profile. Then (rules/scoring.py) inspectors' manual findings and overrides are applied,
deductions are counted once per column or link, capped per item, and the score is banded.

A verdict is "fail" when any veto holds or the score is under the pass line, "pass" otherwise, and
"unknown" when the crawl saw too little to judge (the home page never opened): an inspector must not
cite a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from config.vocabulary import FINDING_STATUS_WORDS
from rules.checks import CHECKS, WITHOUT_CRAWL
from rules.findings import (
    UNDECIDED_KINDS,
    Finding,
    column_evidence,
    describe_window,
    is_stale,
    judgeable,
    window_start,
)
from rules.observations import SiteObs
from rules.profile import Indicator, Profile
from rules.validate import validate_profile

__all__ = ["CHECKS", "Evaluation", "Finding", "IndicatorResult", "describe_window", "evaluate", "is_stale",
           "judgeable", "validate_profile", "window_start", "column_evidence"]

STATUS_WORDS = FINDING_STATUS_WORDS


@dataclass(slots=True)
class IndicatorResult:
    indicator: Indicator
    status: str = ""
    findings: list[Finding] = field(default_factory=list)
    points: float | None = None  # what the item cost (deduction) or added (bonus), after caps

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.kind != "ok"]

    @property
    def evidence(self) -> list[dict[str, Any]]:
        return [e for f in self.findings if f.kind == "ok" for e in f.evidence]

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator
        ok = [f for f in self.findings if f.kind == "ok"]
        return {
            "id": ind.id, "title": ind.title, "kind": ind.kind, "area": ind.area, "label": ind.label_for(),
            "status": self.status, "status_text": STATUS_WORDS.get(self.status, self.status), "points": self.points,
            "points_each": ind.points, "cap": ind.cap, "basis": ind.basis, "rule": ind.rule,
            "detail": "；".join(f.detail for f in (self.problems or ok)),
            "findings": [f.as_dict() for f in self.problems], "evidence": self.evidence,
        }


@dataclass(slots=True)
class Evaluation:
    obs: SiteObs
    as_of: date
    profile: Profile
    verdict: str
    findings: list[Finding]
    score: float | None = None
    indicators: list[IndicatorResult] = field(default_factory=list)
    scoring: dict[str, Any] = field(default_factory=dict)
    problems: str = ""  # the notice's 主要问题, e.g. "没有咨询建言(单否);空白栏目-10"
    notice: dict[str, Any] = field(default_factory=dict)  # {评分, 结果, 主要问题}

    @property
    def vetoes(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "veto" and f.active]

    @property
    def deductions(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "deduction" and f.active and (f.points or 0) > 0]

    @property
    def undecided(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in UNDECIDED_KINDS]

    def indicator(self, indicator_id: str) -> IndicatorResult | None:
        for r in self.indicators:
            if r.indicator.id == indicator_id:
                return r
        return None


def _normalise(found: list[Finding], ind: Indicator) -> list[Finding]:
    for f in found:
        f.label = f.label or ind.label_for(f.trigger)
        if f.kind == "deduction" and ind.points is None:
            f.kind = "observation"
            f.note = "分值未确认（UNCONFIRMED），仅提示，不扣分；可在指标体系中设置分值"
    return found


def evaluate(obs: SiteObs, as_of: date, profile: Profile) -> Evaluation:
    from rules.scoring import apply_manual, score

    validate_profile(profile)
    crawled = not (obs.run_status in ("failed", "none", "interrupted") or obs.home_url is None)
    results: list[IndicatorResult] = []
    for ind in profile.indicators:
        if not crawled and ind.check not in WITHOUT_CRAWL:
            results.append(IndicatorResult(ind, "unknown"))
            continue
        found = CHECKS[ind.check](obs, as_of, ind, profile)
        if "content" in ind.params:  # W-V1: the content checks' hits join the inspectors' item, to be confirmed
            from rules.checks.content_words import content_v1

            found = [*found, *content_v1(obs, as_of, ind, profile)]
        results.append(IndicatorResult(ind, "", _normalise(found, ind)))
    elsewhere = apply_manual(results, obs, as_of, profile)
    outcome = score(results, obs, profile, crawled)
    if elsewhere:
        outcome.details["manual_not_in_profile"] = elsewhere
    findings = [f for r in results for f in r.findings if f.kind != "ok"]
    if not crawled:
        from rules.reasons import reason_words, unread_problem

        reason = reason_words(obs.run_error)
        lead = ("监测时间点前没有这个网站的抓取记录，无法核验" if obs.run_status == "none"
                else obs.crawl["basis"] if obs.run_status == "interrupted" else "本次未能读取网站首页，无法核验")
        crawl = Finding("CRAWL", "无法检查", "observation", f"{lead}：{reason}",
                        [{"url": obs.site_url, "run_id": obs.run_id, "error": obs.run_error}])
        outcome.problems = unread_problem(obs.run_status, obs.run_error)
        return Evaluation(obs, as_of, profile, "unknown", [crawl, *findings], None, results, outcome.details,
                          outcome.problems, outcome.notice("unknown"))
    return Evaluation(obs, as_of, profile, outcome.verdict, findings, outcome.score, results, outcome.details,
                      outcome.problems, outcome.notice(outcome.verdict))
