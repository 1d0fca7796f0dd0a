"""发布解读 and 功能设计: W-D4 (政策解读 linked both ways), W-D13 (site search), W-D14 (domain and
identity marks), W-D16 (IPv6), W-D17 (我为政府网站找错 entry), and the home page layout.

Records (crawler/observers/publishing.py): "policy_doc", "search", "footer", "domain", "ipv6",
"error_report"; "layout" comes from the browser render of the home page (crawler/render.py).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Any

from rules.findings import Finding, host_matches, netloc, not_observed, observed, reported
from rules.observations import SiteObs
from rules.profile import Indicator, Profile
from rules.scoring import is_portal

OBSERVER = "publishing"



def _one(obs: SiteObs, kind: str) -> dict | None:
    records = obs.of_kind(kind)
    return records[-1] if records else None


def policy_interpretation(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D4 政策解读: sampled policy documents without a linked 解读 (missing), and 解读 that do not
    link back to their document (backlink)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "发布解读")
    docs = [d for d in obs.of_kind("policy_doc") if not d.get("error")]
    if not docs:
        return [Finding(ind.id, ind.title, "not_testable", "未抽到政策文件，无法检查解读", [])]

    def ev(d: dict) -> dict[str, Any]:
        return {"title": d.get("title"), "url": d["url"], "column": d.get("column"),
                "interpretation": d.get("interpretation"), "back_link": d.get("back_link")}

    findings: list[Finding] = []
    missing = [d for d in docs if not d.get("interpretation")]
    one_way = [d for d in docs if d.get("interpretation") and d.get("back_link") is False]
    if missing and reported(ind, "missing"):
        findings.append(Finding(ind.id, ind.title, ind.kind, f"抽查政策文件{len(docs)}个，{len(missing)}个未关联解读",
                                [ev(d) for d in missing], trigger="missing", subjects=[d["url"] for d in missing],
                                count=len(missing)))
    if one_way and reported(ind, "backlink"):
        findings.append(Finding(ind.id, ind.title, ind.kind, f"{len(one_way)}个解读未关联回政策文件（未双向关联）",
                                [ev(d) for d in one_way], trigger="backlink",
                                subjects=[str(d.get("interpretation")) for d in one_way], count=len(one_way)))
    if not findings:
        findings.append(Finding(ind.id, ind.title, "ok", f"抽查政策文件{len(docs)}个，均与解读双向关联",
                                [ev(d) for d in docs]))
    return findings


def site_search(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D13 搜索功能: a search form on the home page, and a search for a title the site shows that
    finds it."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "功能设计")
    s = _one(obs, "search")
    if s is None or not s.get("form"):
        if not reported(ind, "missing"):
            return []
        return [Finding(ind.id, ind.title, ind.kind, "首页未提供站内搜索", [{"url": obs.home_url}], trigger="missing",
                        subjects=["search"])]
    evidence = [{"action": s.get("action"), "query": s.get("query"), "query_url": s.get("query_url"),
                 "status": s.get("status"), "results": s.get("results"), "found": s.get("found"),
                 "reason": s.get("reason"), "error": s.get("error")}]
    if not s.get("testable"):
        return [Finding(ind.id, ind.title, "not_testable", f"有搜索框，但无法自动检验：{s.get('reason') or '未知'}",
                        evidence)]
    if not s.get("found"):
        if not reported(ind, "broken"):
            return []
        why = s.get("error") or f"搜索“{s.get('query')}”未找到该信息"
        return [Finding(ind.id, ind.title, ind.kind, f"站内搜索不可用：{why}", evidence, trigger="broken",
                        subjects=["search"])]
    return [Finding(ind.id, ind.title, "ok", f"搜索“{s.get('query')}”找到了该信息", evidence)]


def _ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _domain_pattern(obs: SiteObs, ind: Indicator, profile: Profile, host: str) -> str | None:
    """47号: a portal uses www.□□□.gov.cn, a department ○○○.□□□.gov.cn under its government's domain."""
    portal = is_portal(obs, profile.scoring or {})
    rule = (ind.params.get("domain_patterns") or {}).get("portal" if portal else "department")
    if not rule or re.fullmatch(rule["pattern"], host.split(":")[0]):
        return None
    return f"{rule['text']}（现为{host}）"


def site_identity(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D14 域名、网站标识: the domain ends in .gov.cn (a site addressed by IP is judged on the
    SiteDomain it declares), and the footer shows the 网站标识码 (the registered one), ICP and 公安
    filing numbers and the 党政机关网站标识."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "功能设计")
    footer = _one(obs, "footer") or {}
    domain = _one(obs, "domain") or {}
    problems: list[tuple[str, str]] = []
    notes: list[str] = []
    suffixes = [str(s).lower() for s in ind.params.get("domain_suffixes", [".gov.cn"])]
    host = str(domain.get("host") or netloc(obs.home_url or obs.site_url)).lower()
    judged = host
    if _ip(host.rsplit(":", 1)[0] if host.count(":") == 1 else host):
        judged = str(domain.get("declared") or "").lower()
        notes.append(f"网站以IP地址访问，按其声明的域名{judged or '（未声明）'}判定")
    if reported(ind, "domain"):
        if not judged:
            notes.append("无法核验域名")
        elif not any(judged.split(":")[0].endswith(s) for s in suffixes):
            problems.append(("domain", f"域名{judged}不是{'、'.join(suffixes)}域名"))
        elif reported(ind, "domain_pattern") and (wrong := _domain_pattern(obs, ind, profile, judged)):
            problems.append(("domain_pattern", wrong))
    code = footer.get("site_code")
    if reported(ind, "site_code"):
        if not code:
            problems.append(("site_code", "页面底部未展示网站标识码"))
        elif obs.site_code and code != obs.site_code:
            problems.append(("site_code", f"页面底部的网站标识码{code}与登记的{obs.site_code}不一致"))
    if reported(ind, "icp") and not footer.get("icp"):
        problems.append(("icp", "页面底部未展示ICP备案编号"))
    if reported(ind, "police") and not footer.get("police"):
        problems.append(("police", "页面底部未展示公安机关备案号"))
    if reported(ind, "party_mark") and not footer.get("party_mark"):
        problems.append(("party_mark", "页面底部未展示党政机关网站标识"))
    evidence = [{"url": obs.home_url, "host": host, "declared_domain": domain.get("declared"), "site_code": code,
                 "icp": footer.get("icp"), "police": footer.get("police"), "party_mark": footer.get("party_mark"),
                 "footer": footer.get("text")}]
    note = "；".join(notes)
    if not problems:
        return [Finding(ind.id, ind.title, "ok", "域名与网站标识符合要求" + (f"（{note}）" if note else ""), evidence)]
    detail = "；".join(p for _, p in problems) + (f"（{note}）" if note else "")
    return [Finding(ind.id, ind.title, ind.kind, detail, evidence, trigger="、".join(t for t, _ in problems),
                    subjects=[f"identity:{t}" for t, _ in problems], count=len(problems))]


def ipv6(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D16 IPv6: the host has an AAAA record and the home page opens over IPv6. Where this machine
    has no IPv6 route the fetch is "not testable", said as such."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "功能设计")
    r = _one(obs, "ipv6")
    if r is None:
        return [Finding(ind.id, ind.title, "not_testable", "未记录IPv6检测结果", [])]
    evidence = [{k: r.get(k) for k in ("host", "lookup", "aaaa", "fetch", "status", "reason")}]
    lookup = r.get("lookup")
    if lookup not in ("found", "none"):
        why = r.get("reason") or "未能查询AAAA记录"
        return [Finding(ind.id, ind.title, "not_testable", f"无法检测：{why}", evidence)]
    if lookup == "none":
        return [Finding(ind.id, ind.title, ind.kind, f"域名{r.get('host')}没有IPv6（AAAA）解析记录", evidence,
                        trigger="aaaa", subjects=["ipv6"])]
    addresses = "、".join((r.get("aaaa") or [])[:3])
    if r.get("fetch") == "failed":
        return [Finding(ind.id, ind.title, ind.kind,
                        f"有IPv6解析（{addresses}）但经IPv6打不开首页：{r.get('reason')}",
                        evidence, trigger="fetch", subjects=["ipv6"])]
    if r.get("fetch") != "ok":
        why = r.get("reason") or "未能经IPv6访问"
        return [Finding(ind.id, ind.title, "not_testable", f"有IPv6解析（{addresses}），但{why}，未检验经IPv6访问",
                        evidence)]
    return [Finding(ind.id, ind.title, "ok", f"有IPv6解析（{addresses}），经IPv6可访问首页", evidence)]


def error_report_entry(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D17 "我为政府网站找错" 入口: on the home page, linked to the national platform (its hosts are
    settings.error_report_hosts)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "功能设计")
    r = _one(obs, "error_report") or {}
    evidence = [{"url": obs.home_url, "href": r.get("href"), "text": r.get("text"), "sitecode": r.get("sitecode")}]
    if not r.get("present"):
        return [Finding(ind.id, ind.title, ind.kind, "首页未设置“我为政府网站找错”入口", evidence, trigger="missing",
                        subjects=["error_report"])]
    hosts = list(profile.settings.get("error_report_hosts") or [])
    if hosts and not host_matches(netloc(r.get("href") or ""), hosts):
        return [Finding(ind.id, ind.title, ind.kind,
                        f"“我为政府网站找错”入口未链接到国办找错平台（{'、'.join(hosts)}）",
                        evidence, trigger="link", subjects=["error_report"])]
    if obs.site_code and r.get("sitecode") and r.get("sitecode") != obs.site_code:
        return [Finding(ind.id, ind.title, ind.kind,
                        f"找错入口的网站标识码{r.get('sitecode')}与本站{obs.site_code}不一致",
                        evidence, trigger="sitecode", subjects=["error_report"])]
    return [Finding(ind.id, ind.title, "ok", "首页设有“我为政府网站找错”入口", evidence)]


def home_layout(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """首页布局: measured in the browser on the first screen of the home page (kind "layout"): a
    floating window (飘窗) covering too much of it, content wider than the screen (错位), images that
    do not load (多处空白). Thresholds are profile params."""
    layouts = obs.of_kind("layout")
    if not layouts:
        return [Finding(ind.id, ind.title, "not_testable", "未在浏览器中测量首页布局（未配置浏览器），无法核验", [])]
    layout = layouts[-1]
    p = ind.params
    max_share = float(p.get("max_floating_share", 0.15))
    max_overflow = int(p.get("max_overflow_px", 40))
    max_images = int(p.get("max_broken_images", 3))
    problems: list[tuple[str, str]] = []
    floating = sorted(layout.get("floating") or [], key=lambda f: -float(f.get("share") or 0))
    biggest = max([float(layout.get("max_floating_share") or 0)] + [float(f.get("share") or 0) for f in floating])
    if biggest >= max_share:
        problems.append(("floating", f"飘窗过大（遮挡首屏{biggest:.0%}，上限{max_share:.0%}）"))
    overflow = int(layout.get("horizontal_overflow_px") or 0)
    if overflow >= max_overflow:
        problems.append(("overflow", f"页面横向错位（超出屏幕{overflow}像素）"))
    broken = layout.get("broken_images") or []
    if len(broken) >= max_images:
        problems.append(("images", f"{len(broken)}张图片无法显示（多处空白）"))
    evidence = [{"url": layout.get("url") or obs.home_url, "viewport": layout.get("viewport"),
                 "floating": floating[:10], "horizontal_overflow_px": overflow, "broken_images": broken[:20]}]
    if not problems:
        return [Finding(ind.id, ind.title, "ok", f"首屏最大浮动窗口占{biggest:.0%}，无横向错位", evidence)]
    return [Finding(ind.id, ind.title, ind.kind, "首页布局混乱：" + "；".join(t for _, t in problems), evidence,
                    trigger="、".join(t for t, _ in problems), subjects=["layout"])]


def manual(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """Items a crawler cannot see (严重表述错误, 泄密, 舆情, the bonus part): only inspectors' entries
    (`govwatch findings add`) decide them; they are applied by the scoring step."""
    return []


CHECKS = {
    "policy_interpretation": policy_interpretation,
    "site_search": site_search,
    "site_identity": site_identity,
    "ipv6": ipv6,
    "error_report_entry": error_report_entry,
    "home_layout": home_layout,
    "manual": manual,
}
