"""From findings to a score, a verdict and the words of a notice.

指标说明 (国办秘函〔2019〕19号): any veto → 不合格, the other indicators are not scored; otherwise the
deduction part (100) is scored, under 60 → 不合格, over 80 → the bonus part is added. Each item's
deductions are capped at its weight ("单项指标扣分之和不超过本项指标总分值"), and a column (or link)
already deducted under one item is not deducted again under another (counted under the first item in
profile order). Inspectors' entries (`govwatch findings`) add vetoes, deductions and bonus points a
crawler cannot see, and can mark an automatic finding wrong (override) with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from config.vocabulary import VERDICT_WORDS
from rules.findings import Finding
from rules.observations import ManualObs, SiteObs
from rules.profile import Indicator, Profile

if TYPE_CHECKING:
    from rules.engine import IndicatorResult

DEFAULT_SCORING = {"total": 100, "fail_below": 60, "bonus_above": 80, "bonus_max": 30, "applies_to": "all"}
DEFAULT_NOTICE = {"veto_suffix": "(单否)", "separator": ";", "none": "无", **VERDICT_WORDS}


def fmt_points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _manual_meta(m: ManualObs) -> dict[str, Any]:
    return {"id": m.id, "entered_by": m.entered_by, "entered_at": m.entered_at.isoformat(timespec="seconds") + "Z",
            "reason": m.reason,
            "valid_from": m.valid_from.date().isoformat() if m.valid_from else None,
            "valid_until": m.valid_until.date().isoformat() if m.valid_until else None}


def _matches(f: Finding, subject: str) -> bool:
    if not subject:
        return True
    if subject in f.subjects:
        return True
    return any(subject in (e.get("url"), e.get("href"), e.get("found_on")) for e in f.evidence)


def apply_manual(results: list, obs: SiteObs, as_of: date, profile: Profile) -> list[dict[str, Any]]:
    """Manual vetoes, deductions and bonus points join their indicator; overrides mark automatic
    findings of an indicator (all, or those about one URL given as the override's detail) wrong.
    Entries for an indicator this profile does not have (a regional item judged under another
    profile) do not apply; they are returned, to be shown as such."""
    by_id = {r.indicator.id: r for r in results}
    elsewhere: list[dict[str, Any]] = []
    for m in obs.manual:
        if not m.applies(as_of):
            continue
        target = by_id.get(m.indicator)
        if target is None:
            elsewhere.append({"indicator": m.indicator, "kind": m.kind, "detail": m.detail, **_manual_meta(m)})
            continue
        if m.kind == "override":
            for f in target.findings:
                if f.source == "auto" and f.kind != "ok" and f.overridden is None and _matches(f, m.detail.strip()):
                    f.overridden = {**_manual_meta(m), "subject": m.detail.strip() or None}
            continue
        ind = target.indicator
        kind = m.kind
        if kind == "deduction" and m.points is None and ind.points is None:
            kind = "observation"
        target.findings.append(Finding(
            ind.id, ind.title, kind, m.detail, [{"manual_id": m.id, "entered_by": m.entered_by}], points=m.points,
            subjects=[f"manual:{m.id}"], source="manual", label=ind.label_for(), manual=_manual_meta(m)))
    return elsewhere


@dataclass
class Outcome:
    verdict: str
    score: float | None
    problems: str
    details: dict[str, Any] = field(default_factory=dict)
    words: dict[str, Any] = field(default_factory=dict)

    def notice(self, verdict: str) -> dict[str, Any]:
        """The row of a notice's attachment table: 评分, 结果, 主要问题."""
        shown = "" if self.score is None else fmt_points(self.score)
        return {"评分": shown, "结果": self.words.get(verdict, verdict), "主要问题": self.problems}


def is_portal(obs: SiteObs, scoring: dict[str, Any]) -> bool:
    """A 政府门户网站: its 网站类型 (门户/部门, from the office's registry) says so; without one, its 分组
    names a portal group, or, registered without a 分组 (a bare-URL recheck), its name says so
    (…人民政府, townships excepted)."""
    if obs.site_kind in ("portal", "department"):
        return obs.site_kind == "portal"
    group = obs.site_group or ""
    if group:
        return any(str(g) in group for g in scoring.get("portal_groups") or [])
    rule = scoring.get("ungrouped") or {}
    name = (obs.site_name or "").strip()
    return any(name.endswith(s) for s in rule.get("portal_name_suffixes", [])) and not any(
        name.endswith(s) for s in rule.get("except_suffixes", []))


def scored_site(obs: SiteObs, scoring: dict[str, Any]) -> tuple[bool, str]:
    if scoring.get("applies_to", "all") == "all" or is_portal(obs, scoring):
        return True, ""
    if obs.site_kind == "department":
        return False, "本指标体系的扣分、加分指标只适用于政府门户网站（本站网站类型：部门）"
    if not obs.site_group:
        who = (obs.site_name or "").strip() or "本站"
        return False, f"本指标体系的扣分、加分指标只适用于政府门户网站（{who}未登记分组，按名称不是门户网站）"
    return False, f"本指标体系的扣分、加分指标只适用于政府门户网站（本站分组：{obs.site_group}）"


def _points_each(f: Finding, ind: Indicator) -> float | None:
    if f.source == "manual" and f.points is not None:
        return None  # a manual entry gives its own total
    return ind.points


def score(results: list, obs: SiteObs, profile: Profile, crawled: bool) -> Outcome:
    scoring = {**DEFAULT_SCORING, **(profile.scoring or {})} if profile.scoring is not None else None
    words = {**DEFAULT_NOTICE, **(profile.notice or {})}
    scored, why_not = (scored_site(obs, scoring) if scoring is not None else (False, "本指标体系不评分"))
    counted: dict[str, str] = {}  # subject -> indicator that deducted it
    area_total: dict[str, float] = {}
    areas = (scoring or {}).get("areas") or {}
    deducted = bonus = 0.0
    for r in results:
        ind: Indicator = r.indicator
        item_total = 0.0
        for f in r.findings:
            if not f.active or f.kind not in ("deduction", "bonus"):
                continue
            if not scored:
                f.kind, f.note, f.points = "observation", why_not, None
                continue
            new = [s for s in f.subjects if s not in counted] if f.kind == "deduction" else list(f.subjects)
            if f.kind == "deduction" and f.subjects and not new:
                f.points = 0.0
                f.note = "已在" + "、".join(sorted({counted[s] for s in f.subjects})) + "项下扣分，不重复扣分"
                continue
            each = _points_each(f, ind)
            raw = f.points if each is None else each * (len(new) if f.subjects else f.count)
            raw = float(raw or 0)
            if ind.cap is not None:
                raw = max(0.0, min(raw, ind.cap - item_total))
            area_cap = areas.get(ind.area) if f.kind == "deduction" else None
            if area_cap is not None:
                raw = max(0.0, min(raw, float(area_cap) - area_total.get(ind.area, 0.0)))
                area_total[ind.area] = area_total.get(ind.area, 0.0) + raw
            f.points = raw
            item_total += raw
            if f.kind == "deduction":
                for s in new:
                    counted[s] = ind.label_for() or ind.id
        if any(f.active and f.kind in ("deduction", "bonus") for f in r.findings):
            r.points = item_total
        if r.findings and all(f.kind == "ok" for f in r.findings) and ind.kind in ("deduction", "bonus"):
            r.points = 0.0
        for f in r.findings:
            if f.active and f.kind == "deduction":
                deducted += f.points or 0.0
            elif f.active and f.kind == "bonus":
                bonus += f.points or 0.0
    for r in results:
        r.status = status_of(r)
    vetoed = any(f.active and f.kind == "veto" for r in results for f in r.findings)
    details: dict[str, Any] = {"scored": scored and scoring is not None, "why_not_scored": why_not or None,
                               "deducted": deducted, "bonus_entered": bonus}
    value: float | None = None
    verdict = "fail" if vetoed else "pass"
    if scoring is not None and scored:
        details.update({k: scoring.get(k) for k in ("total", "fail_below", "bonus_above", "bonus_max",
                                                     "applies_to")})
        base = max(0.0, float(scoring["total"]) - deducted)
        details["deduction_score"] = base
        if vetoed:
            details["band"] = "veto"
            details["why_not_scored"] = "存在单项否决项，不再对其他指标进行评分"
        elif base < float(scoring["fail_below"]):
            value, verdict, details["band"] = base, "fail", "below"
        elif base > float(scoring["bonus_above"]):
            added = min(bonus, float(scoring.get("bonus_max") or 0))
            value, details["band"], details["bonus"] = base + added, "bonus", added
        else:
            value, details["band"] = base, "middle"
    details["score"] = value
    text = problem_text(results, words, scored and scoring is not None, details.get("band") == "bonus")
    return Outcome(verdict if crawled else "unknown", value if crawled else None, text, details, words)


def status_of(r: IndicatorResult) -> str:
    if r.status == "unknown":
        return "unknown"
    active = [f for f in r.findings if f.active and f.kind != "ok"]
    kinds = {f.kind for f in active}
    if "veto" in kinds:
        return "fail"
    if any(f.kind == "deduction" and (f.points or 0) > 0 for f in active):
        return "deducted"
    if any(f.kind == "bonus" and (f.points or 0) > 0 for f in active):
        return "bonus"
    if kinds & {"deduction", "observation"}:
        return "problem"
    if "insufficient" in kinds:
        return "insufficient"
    if "not_testable" in kinds:
        return "not_testable"
    if any(not f.active for f in r.findings):
        return "overridden"
    if r.indicator.check == "manual":
        return "manual"
    return "pass"


def problem_text(results: list, words: dict[str, Any], scored: bool, bonus: bool = False) -> str:
    """The notice's 主要问题: vetoes first ("没有咨询建言(单否)"), then each item that cost points
    ("空白栏目-10"), in profile order, as the notices print them."""
    vetoes: list[str] = []
    points: list[str] = []
    for r in results:
        for f in r.findings:
            if f.active and f.kind == "veto":
                label = f.label or r.indicator.label_for(f.trigger)
                if label not in vetoes:
                    vetoes.append(label)
        if scored and r.points and r.indicator.kind != "bonus":
            points.append(f"{r.indicator.label_for()}-{fmt_points(r.points)}")
        elif scored and bonus and r.points and r.indicator.kind == "bonus":
            points.append(f"{r.indicator.label_for()}+{fmt_points(r.points)}")
    parts = [f"{v}{words['veto_suffix']}" for v in vetoes] + points
    return words["separator"].join(parts) if parts else words["none"]
