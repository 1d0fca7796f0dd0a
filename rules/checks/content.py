"""Checks on the home page, the columns and the links: W-V3, W-V4, W-D3, blank columns, W-D15."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.findings import Finding, column_evidence, column_gone, describe_window, is_stale, judgeable, window_start
from rules.observations import SiteObs
from rules.profile import Indicator, Profile
from rules.reasons import reason_words


def home_not_updated(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    window = ind.params["window"]
    since = window_start(as_of, window)
    span = describe_window(window)
    if obs.home_latest_date is not None:
        if obs.home_latest_date >= since:
            return [Finding(ind.id, ind.title, "ok", f"首页最新信息日期为{obs.home_latest_date.isoformat()}",
                            [{"url": obs.home_url, "latest_date": obs.home_latest_date.isoformat()}])]
        return [Finding(ind.id, ind.title, ind.kind,
                        f"首页最新信息日期为{obs.home_latest_date.isoformat()}，监测时间点前{span}内无更新",
                        [{"url": obs.home_url, "latest_date": obs.home_latest_date.isoformat()}])]
    if ind.params.get("navigation_only_uses_columns", True):
        dated = [c for c in obs.columns if c.latest_date is not None]
        if any(c.latest_date >= since for c in dated):
            return [Finding(ind.id, ind.title, "ok", "首页无带日期的信息（视为栏目导航入口），栏目有更新",
                            [{"url": obs.home_url, "latest_date": None}])]
        unread = [c for c in obs.columns if not c.fetched and not column_gone(c)]
        if unread:
            # A column that could not be read may well be up to date: no veto on what was not seen.
            return [Finding(ind.id, ind.title, "insufficient",
                            f"首页无带日期的信息，{len(unread)}个栏目页面未能读取，无法核验栏目是否更新",
                            [{"url": obs.home_url, "latest_date": None}]
                            + [column_evidence(c, why=f"页面未能读取：{reason_words(c.error)}") for c in unread[:20]])]
        return [Finding(ind.id, ind.title, ind.kind,
                        f"首页无带日期的信息（视为栏目导航入口），所有栏目监测时间点前{span}内均无更新",
                        [{"url": obs.home_url, "latest_date": None}])]
    return [Finding(ind.id, ind.title, ind.kind, "首页无带日期的信息，视为不更新", [{"url": obs.home_url}])]


def columns_not_updated(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    undated_counts = ind.params.get("undated_counts_as_stale", True)
    findings: list[Finding] = []
    for trigger in ind.params["triggers"]:
        threshold = int(trigger["threshold"])
        hits: list[dict[str, Any]] = []
        if trigger.get("blank"):
            hits = [column_evidence(c, reason=c.blank_reason) for c in obs.columns if c.fetched and c.blank]
            label = f"空白栏目{len(hits)}个"
        else:
            for col in obs.columns:
                rule = trigger["windows"].get(col.category)
                if rule is None or not judgeable(col) or ("level" in rule and col.level != rule["level"]):
                    continue
                since = window_start(as_of, rule)
                if is_stale(col, since, undated_counts):
                    hits.append(column_evidence(col, window=describe_window(rule), since=since.isoformat()))
            label = f"{trigger['title']}{len(hits)}个"
        tid = str(trigger.get("id", ""))
        if len(hits) >= threshold:
            findings.append(Finding(ind.id, ind.title, ind.kind, f"{label}（达到{threshold}个即单项否决）", hits,
                                    trigger=tid))
        elif hits:
            findings.append(Finding(ind.id, f"{ind.title}（未达否决线）", "observation",
                                    f"{label}（否决线为{threshold}个）", hits, trigger=tid))
    return findings


def stale_columns(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """Columns of some categories (and level) with nothing new inside a window, each one an
    occurrence: W-D3 (政策文件类一级栏目6个月未更新)."""
    window = ind.params["window"]
    since = window_start(as_of, window)
    categories = set(ind.params.get("categories", []))
    level = ind.params.get("level")
    undated_counts = ind.params.get("undated_counts_as_stale", True)
    cols = [c for c in obs.columns if c.category in categories and (level is None or c.level == level)
            and judgeable(c)]
    stale = [c for c in cols if is_stale(c, since, undated_counts)]
    if not stale:
        return [Finding(ind.id, ind.title, "ok", f"{len(cols)}个栏目监测时间点前{describe_window(window)}内有更新",
                        [column_evidence(c) for c in cols])]
    names = "、".join(c.name for c in stale)
    return [Finding(ind.id, ind.title, ind.kind, f"{names}监测时间点前{describe_window(window)}内未更新",
                    [column_evidence(c, since=since.isoformat()) for c in stale],
                    subjects=[c.url for c in stale], count=len(stale))]


def blank_columns(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """Every blank column is one occurrence (the veto at five and more is W-V4 (3))."""
    blank = [c for c in obs.columns if c.fetched and c.blank]
    if not blank:
        return [Finding(ind.id, ind.title, "ok", f"{len(obs.columns)}个栏目中没有空白栏目", [])]
    return [Finding(ind.id, ind.title, ind.kind, f"空白栏目{len(blank)}个：" + "、".join(c.name for c in blank),
                    [column_evidence(c, reason=c.blank_reason) for c in blank],
                    subjects=[c.url for c in blank], count=len(blank))]


# What a dead image or attachment means to a reader of the notice (a page link is just 不可用链接).
DEAD_KIND_WORDS = {"image": "图片无法显示", "attachment": "附件无法下载"}
KIND_NAMES = {"link": "链接", "image": "图片", "attachment": "附件"}


def broken_links(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """Dead links, images and attachments alike (each URL once); the detail says how many are images
    that do not show and attachments that cannot be downloaded."""
    outcomes = set(ind.params.get("outcomes", ["broken"]))
    bad = [x for x in obs.links if x.outcome in outcomes]
    if not bad:
        return []
    evidence = [{"url": x.url, "found_on": x.found_on, "status": x.status, "outcome": x.outcome, "error": x.error,
                 "kind": x.kind} for x in bad]
    kinds = {x.url: x.kind for x in bad}
    urls = sorted(kinds)
    dead = "blocked" not in outcomes
    counts = [(DEAD_KIND_WORDS[k] if dead else KIND_NAMES[k], n) for k in ("image", "attachment")
              if (n := sum(1 for u in urls if kinds[u] == k))]
    among = "、".join(f"{word}{n}个" for word, n in counts)
    detail = f"不可用链接{len(urls)}个" + (f"（其中{among}）" if among else "")
    return [Finding(ind.id, ind.title, ind.kind, detail, evidence, subjects=urls, count=len(urls))]


def certificate_problems(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    own = [{"url": r["url"], "host": r.get("host"), "error": r.get("error")} for r in obs.of_kind("tls")
           if not r.get("ok")]
    linked = [{"url": x.url, "found_on": x.found_on, "error": x.error} for x in obs.links if x.outcome == "tls-error"]
    if not own and not linked:
        return []
    detail = f"网站证书无效：{own[0]['error']}" if own else f"链接的网站证书无效{len({x['url'] for x in linked})}个"
    return [Finding(ind.id, ind.title, ind.kind, detail, own + linked)]


CHECKS = {
    "home_not_updated": home_not_updated,
    "columns_not_updated": columns_not_updated,
    "stale_columns": stale_columns,
    "blank_columns": blank_columns,
    "broken_links": broken_links,
    "certificate_problems": certificate_problems,
}
