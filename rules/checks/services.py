"""办事服务: W-V6 (no service offered; guides missing key elements), W-D7 (guides complete, forms
download), W-D8 (办事统计 kept up), W-D9 (links to the provincial 政务服务网 present, right, working).

Records (crawler/observers/services.py): "service_entry", "portal_link" (a link that looks like a
政务服务 platform, with where it led), "service_guide" (elements present and missing), "form",
"service_stats". Which platform is right for a province is profile data (settings.service_portals).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.findings import (
    DEAD_OUTCOMES,
    Finding,
    column_by_url,
    column_gone,
    describe_window,
    host_matches,
    link_results,
    link_unread,
    netloc,
    not_observed,
    observed,
    parse_day,
    province_of,
    reported,
    unread_reason,
    window_start,
)
from rules.observations import SiteObs
from rules.profile import Indicator, Profile

OBSERVER = "services"



def portal_opened(p: dict) -> bool:
    return not p.get("error") and p.get("status") is not None and int(p["status"]) < 400


def effective_entries(obs: SiteObs) -> list[dict]:
    """Service entries that lead somewhere: a column that is not blank, a link that opens."""
    return entries_by_state(obs)[0]


def entries_by_state(obs: SiteObs) -> tuple[list[dict], list[tuple[dict, str]]]:
    """(entries that lead somewhere, entries whose page could not be read with the reason). A column
    or link that timed out, was reset or answered 5xx/429 proves nothing: only a page that was read
    and is blank or gone (404, soft 404) counts as no service."""
    columns = column_by_url(obs)
    results = link_results(obs)
    good, unread = [], []
    for e in obs.of_kind("service_entry"):
        col = columns.get(e["url"])
        if col is not None:
            if col.fetched and not col.blank:
                good.append(e)
            elif not col.fetched and not column_gone(col):
                unread.append((e, f"HTTP {col.status}" if col.status else (col.error or "未能读取")))
            continue
        result = results.get(e["url"])
        if result is not None and link_unread(result):
            unread.append((e, unread_reason(result)))
        elif result is None or result.outcome not in DEAD_OUTCOMES:
            good.append(e)
    good += [p for p in obs.of_kind("portal_link") if portal_opened(p)]
    return good, unread


def guides(obs: SiteObs) -> list[dict]:
    """Followed pages that are service guides: not a list, and named as a guide or carrying at least
    two key-element labels."""
    return [g for g in obs.of_kind("service_guide") if not g.get("error") and not g.get("list_like")
            and (g.get("guide_words") or len(g.get("present") or []) >= 2)]


def _guide_evidence(g: dict) -> dict[str, Any]:
    return {"title": g.get("title"), "url": g["url"], "missing": g.get("missing"), "present": g.get("present")}


def service_offering(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-V6 服务不实用: (1) no service offered; (2) guides missing >= min_missing of the ten key
    elements number >= guides (both UNCONFIRMED, profile params)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "办事服务")
    findings: list[Finding] = []
    if reported(ind, "1"):
        good, unread = entries_by_state(obs)
        if not good and unread:
            names = "、".join(str(e.get("name") or e.get("url")) for e, _ in unread)
            findings.append(Finding(ind.id, ind.title, "insufficient",
                                    f"办事服务入口（{names}）的页面未能读取（{unread[0][1]}），无法核验是否提供办事服务",
                                    [{"name": e.get("name"), "url": e["url"], "why": f"页面未能读取：{why}"}
                                     for e, why in unread], trigger="1"))
        elif not good:
            dead = [{"name": e.get("name"), "url": e["url"], "why": "空白或打不开"}
                    for e in obs.of_kind("service_entry")]
            findings.append(Finding(ind.id, ind.title, ind.kind, "未提供办事服务",
                                    [{"url": obs.home_url, "searched": "首页及办事服务栏目"}, *dead], trigger="1",
                                    subjects=["service:none"]))
        else:
            findings.append(Finding(ind.id, ind.title, "ok", f"办事服务入口{len(good)}个",
                                    [{"name": e.get("name"), "url": e["url"]} for e in good[:10]], trigger="1"))
    if reported(ind, "2"):
        min_missing = int(ind.params.get("min_missing", 4))
        threshold = int(ind.params.get("guides", 5))
        found = guides(obs)
        bad = [g for g in found if len(g.get("missing") or []) >= min_missing]
        if len(bad) >= threshold:
            findings.append(Finding(ind.id, ind.title, ind.kind,
                                    f"办事指南重点要素缺失{min_missing}类及以上的{len(bad)}个（达到{threshold}个即单项否决）",
                                    [_guide_evidence(g) for g in bad], trigger="2",
                                    subjects=[g["url"] for g in bad], count=len(bad)))
        elif bad:
            findings.append(Finding(ind.id, f"{ind.title}（未达否决线）", "observation",
                                    f"办事指南重点要素缺失{min_missing}类及以上的{len(bad)}个（否决线为{threshold}个）",
                                    [_guide_evidence(g) for g in bad], trigger="2"))
    return findings


def service_guides(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D7 办事指南: each guide missing key elements, and each form that does not download, is one
    occurrence."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "办事服务")
    found = guides(obs)
    findings: list[Finding] = []
    if not found:
        return [Finding(ind.id, ind.title, "not_testable", "本站未找到办事指南（可能在政务服务网上），未检查", [])]
    min_missing = int(ind.params.get("min_missing", 1))
    bad = [g for g in found if len(g.get("missing") or []) >= min_missing]
    if bad and reported(ind, "incomplete"):
        findings.append(Finding(ind.id, ind.title, ind.kind,
                                f"{len(bad)}个办事指南要素不全：" + "；".join(
                                    f"{g.get('title')}缺{'、'.join(g.get('missing') or [])}" for g in bad),
                                [_guide_evidence(g) for g in bad], trigger="incomplete",
                                subjects=[g["url"] for g in bad], count=len(bad)))
    forms = obs.of_kind("form")
    broken = [f for f in forms if not f.get("ok")]
    if broken and reported(ind, "forms"):
        findings.append(Finding(ind.id, ind.title, ind.kind, f"{len(broken)}个表格无法下载",
                                [{"name": f.get("name"), "url": f["url"], "guide": f.get("guide"),
                                  "status": f.get("status"), "error": f.get("error")} for f in broken],
                                trigger="forms", subjects=[f["url"] for f in broken], count=len(broken)))
    if not findings:
        findings.append(Finding(ind.id, ind.title, "ok",
                                f"抽查办事指南{len(found)}个，要素齐全；表格{len(forms)}个可下载",
                                [_guide_evidence(g) for g in found]))
    return findings


def service_stats(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D8 办事统计: "在监测时间点前3个月内，未及时更新办事统计数据" (missing counts too: 未公开办事统计数据)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "办事服务")
    window = ind.params.get("window", {"months": 3})
    since = window_start(as_of, window)
    pages = [s for s in obs.of_kind("service_stats") if not s.get("error")]
    if not pages:
        if reported(ind, "missing"):
            return [Finding(ind.id, ind.title, ind.kind, "未公开办事统计数据",
                            [{"url": obs.home_url, "searched": "首页及办事服务栏目"}], trigger="missing",
                            subjects=["service:stats"])]
        return []
    dates = [d for d in (parse_day(s.get("latest_date")) for s in pages) if d is not None]
    newest = max(dates) if dates else None
    evidence = [{"name": s.get("name"), "url": s["url"], "latest_date": s.get("latest_date")} for s in pages]
    if newest is None or newest < since:
        if not reported(ind, "stale"):
            return []
        when = newest.isoformat() if newest else "无日期"
        return [Finding(ind.id, ind.title, ind.kind,
                        f"办事统计最新为{when}，监测时间点前{describe_window(window)}内未更新", evidence,
                        trigger="stale", subjects=["service:stats"])]
    return [Finding(ind.id, ind.title, "ok", f"办事统计最新为{newest.isoformat()}", evidence)]


def expected_portals(obs: SiteObs, profile: Profile) -> tuple[str | None, list[str]]:
    settings = profile.settings
    province = province_of(obs, settings)
    table = {str(k): v for k, v in (settings.get("service_portals") or {}).items()}
    domains = list(table.get(province or "", []) or [])
    if domains:
        domains += list(settings.get("portals_everywhere") or [])
    return province, domains


def service_links(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D9 政务服务链接: (missing) no link to a 政务服务 platform; (wrong) a link that leads to a platform
    other than the province's (settings.service_portals by the 网站标识码's province); (broken) a
    platform link or a link on a service page that does not open."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "办事服务")
    portals = obs.of_kind("portal_link")
    findings: list[Finding] = []
    province, expected = expected_portals(obs, profile)

    def where(p: dict) -> dict[str, Any]:
        return {"name": p.get("name"), "url": p["url"], "found_on": p.get("found_on"), "status": p.get("status"),
                "final_url": p.get("final_url"), "error": p.get("error"), "expected": expected}

    if not portals:
        if reported(ind, "missing"):
            findings.append(Finding(ind.id, ind.title, ind.kind, "未链接政务服务网",
                                    [{"url": obs.home_url, "searched": "首页及办事服务栏目", "expected": expected}],
                                    trigger="missing", subjects=["portal:missing"]))
        return findings
    if reported(ind, "wrong"):
        if not expected:
            findings.append(Finding(ind.id, ind.title, "not_testable",
                                    f"未配置省份{province or '（未知）'}的政务服务网域名，无法核验链接是否正确",
                                    [where(p) for p in portals], trigger="wrong"))
        else:
            wrong = [p for p in portals if not host_matches(netloc(p["url"]), expected)
                     and not host_matches(netloc(p.get("final_url") or p["url"]), expected)]
            if wrong:
                findings.append(Finding(ind.id, ind.title, ind.kind,
                                        f"{len(wrong)}个政务服务网链接错误（应链接{'、'.join(expected)}）",
                                        [where(p) for p in wrong], trigger="wrong",
                                        subjects=[p["url"] for p in wrong], count=len(wrong)))
    if reported(ind, "broken"):
        dead = [where(p) for p in portals if not portal_opened(p)]
        service_pages = {c.url for c in obs.columns if c.category == "service"}
        seen = {d["url"] for d in dead}
        for x in obs.links:
            # a picture that does not show on a service page is no broken service (W-D15 counts it)
            if (x.found_on in service_pages and x.outcome in DEAD_OUTCOMES and x.kind != "image"
                    and x.url not in seen):
                seen.add(x.url)
                dead.append({"url": x.url, "found_on": x.found_on, "status": x.status, "error": x.error})
        if dead:
            findings.append(Finding(ind.id, ind.title, ind.kind, f"{len(dead)}个办事服务链接打不开", dead,
                                    trigger="broken", subjects=[d["url"] for d in dead], count=len(dead)))
    if not any(f.kind != "not_testable" for f in findings):
        findings.append(Finding(ind.id, ind.title, "ok", f"政务服务网链接{len(portals)}个",
                                [where(p) for p in portals]))
    return findings


CHECKS = {
    "service_offering": service_offering,
    "service_guides": service_guides,
    "service_stats": service_stats,
    "service_links": service_links,
}
