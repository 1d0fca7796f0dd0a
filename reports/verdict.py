"""One site's verdict as the JSON contract (README, "JSON output") and as a terminal table."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crawler.columns import category_labels
from rules.engine import STATUS_WORDS, Evaluation, evaluate
from rules.findings import DEAD_OUTCOMES
from rules.profile import ProfileError, available_profiles, load_profile

VERDICT_WORDS = {"pass": ("合格", "green"), "fail": ("不合格", "red"), "unknown": ("无法判定", "yellow")}




def _files(ev: Evaluation, url: str | None) -> dict[str, str] | None:
    return ev.obs.evidence.get(url) if url else None


def _with_files(ev: Evaluation, entry: dict[str, Any]) -> dict[str, Any]:
    """A finding's evidence entry with the files that prove it (the page it is about, or the page
    a broken link sits on)."""
    files = _files(ev, entry.get("found_on")) or _files(ev, entry.get("url"))
    return {**entry, "files": files} if files else entry


def verdict_json(ev: Evaluation) -> dict[str, Any]:
    obs = ev.obs
    links = [x for x in obs.links if x.outcome != "ok"]
    findings = [{**f.as_dict(), "evidence": [_with_files(ev, e) for e in f.evidence]} for f in ev.findings]
    return {
        "site": {"url": obs.site_url, "name": obs.site_name, "code": obs.site_code},
        "as_of": ev.as_of.isoformat(),
        "profile": ev.profile.id,
        "verdict": ev.verdict,
        "score": ev.score,
        "vetoes": [{"indicator": f.indicator, "title": f.title, "detail": f.detail} for f in ev.vetoes],
        "deductions": [{"indicator": f.indicator, "points": f.points, "detail": f.detail} for f in ev.deductions],
        "columns": [
            {
                "name": c.name,
                "url": c.url,
                "category": c.category,
                "level": c.level,
                "latest_date": c.latest_date.isoformat() if c.latest_date else None,
                "items": c.items,
                "blank": c.blank,
                "blank_reason": c.blank_reason,
                "status": c.status,
                "error": c.error,
                "evidence": _files(ev, c.url),
            }
            for c in obs.columns
        ],
        "broken_links": [
            {"url": x.url, "found_on": x.found_on, "status": x.status, "error": x.error, "outcome": x.outcome,
             "evidence": _files(ev, x.found_on)}
            for x in links if x.outcome in DEAD_OUTCOMES
        ],
        "blocked_links": [
            {"url": x.url, "found_on": x.found_on, "status": x.status, "error": x.error}
            for x in links if x.outcome == "blocked"
        ],
        "certificate_problems": [
            {"url": x.url, "found_on": x.found_on, "error": x.error} for x in links if x.outcome == "tls-error"
        ] + [
            {"url": r["url"], "found_on": None, "error": r.get("error")} for r in obs.of_kind("tls") if not r.get("ok")
        ],
        "home_latest_date": obs.home_latest_date.isoformat() if obs.home_latest_date else None,
        "home_evidence": _files(ev, obs.home_url),
        "findings": findings,
        "crawl": obs.crawl or {"status": obs.run_status, "error": obs.run_error},
        # Indicators and scoring (rules/): every indicator of the profile with its status and evidence,
        # the score and how it was reached, the notice's words, and the same site under each bundled
        # profile (the same observations judged again: nothing is fetched).
        "problems": ev.problems,
        "notice": ev.notice,
        "scoring": ev.scoring,
        "indicators": [_indicator_json(ev, r) for r in ev.indicators],
        "manual_findings": [f for f in findings if f.get("source") == "manual"]
        + [{**f.as_dict(), "override": True} for r in ev.indicators for f in r.findings if f.overridden],
        "undecided": [{"indicator": f.indicator, "kind": f.kind, "detail": f.detail} for f in ev.undecided],
        "profiles": profiles_json(ev),
    }


def _indicator_json(ev: Evaluation, result) -> dict[str, Any]:  # noqa: ANN001
    data = result.as_dict()
    data["evidence"] = [_with_files(ev, e) for e in data["evidence"]]
    for f in data["findings"]:
        f["evidence"] = [_with_files(ev, e) for e in f["evidence"]]
    return data


def _summary(ev: Evaluation) -> dict[str, Any]:
    return {"title": ev.profile.title, "verdict": ev.verdict, "score": ev.score, "problems": ev.problems,
            "notice": ev.notice, "vetoes": sorted({f.indicator for f in ev.vetoes}),
            "deducted": ev.scoring.get("deducted"), "scored": ev.scoring.get("scored"),
            "statuses": {r.indicator.id: r.status for r in ev.indicators}}


def profiles_json(ev: Evaluation) -> dict[str, Any]:
    """The verdict and score of the same observations under every bundled profile (and this one)."""
    out: dict[str, Any] = {ev.profile.id: _summary(ev)}
    for name in available_profiles():
        if name in out:
            continue
        try:
            other = evaluate(ev.obs, ev.as_of, load_profile(name))
        except (ProfileError, ValueError) as exc:
            out[name] = {"error": str(exc)}
            continue
        out[name] = _summary(other)
    return out


def verdict_panel(ev: Evaluation) -> Panel:
    data = verdict_json(ev)
    word, colour = VERDICT_WORDS[ev.verdict]
    labels = category_labels()
    head = Text.assemble(
        (f"{data['site']['name']}", "bold"), f"  {data['site']['url']}\n",
        "结论 ", (word, f"bold {colour}"), f"   监测时间点 {data['as_of']}   指标 {data['profile']}   ",
        f"首页最新信息 {data['home_latest_date'] or '—'}",
    )
    parts: list[Any] = [head]
    if ev.scoring.get("scored") or ev.problems not in ("", "无"):
        shown = ev.notice.get("评分") or "—"
        parts.append(Text.assemble("评分 ", (shown, "bold"), f"   主要问题 {ev.problems}"))
    if ev.vetoes:
        vetoes = Table(title="单项否决", title_justify="left", show_header=False, box=None)
        for f in ev.vetoes:
            vetoes.add_row(Text(f.indicator, style="red"), f.title, f.detail)
        parts.append(vetoes)
    columns = Table(title=f"栏目（{len(data['columns'])}）", title_justify="left", expand=False)
    for name in ("栏目", "类别", "级", "最新更新", "条数", "状态"):
        columns.add_column(name, no_wrap=name != "栏目")
    for c in data["columns"]:
        state = Text("空白", style="yellow") if c["blank"] else (Text(c["error"], style="red") if c["error"] else "")
        columns.add_row(c["name"], labels.get(c["category"], c["category"]), str(c["level"]),
                        c["latest_date"] or "—", str(c["items"]), state)
    parts.append(columns)
    if data["broken_links"]:
        links = Table(title=f"不可用链接（{len(data['broken_links'])}）", title_justify="left")
        for name in ("链接", "所在页面", "状态", "原因"):
            links.add_column(name, overflow="fold")
        for x in data["broken_links"]:
            links.add_row(x["url"], x["found_on"], str(x["status"] or "—"), f"{x['outcome']}: {x['error'] or ''}")
        parts.append(links)
    shown = [r for r in ev.indicators if r.status not in ("pass", "manual")]
    if shown:
        table = Table(title="指标", title_justify="left")
        for name in ("指标", "名称", "结果", "扣分", "说明"):
            table.add_column(name, overflow="fold", no_wrap=name in ("指标", "结果"))
        styles = {"fail": "red", "deducted": "red", "problem": "yellow", "insufficient": "yellow",
                  "not_testable": "dim", "overridden": "cyan", "bonus": "green", "unknown": "dim"}
        for r in shown:
            detail = "；".join(f.detail for f in r.problems)[:300]
            table.add_row(r.indicator.id, r.indicator.title,
                          Text(STATUS_WORDS.get(r.status, r.status), style=styles.get(r.status, "")),
                          "" if not r.points else f"-{r.points:g}" if r.indicator.kind != "bonus" else f"+{r.points:g}",
                          detail)
        parts.append(table)
    if ev.verdict == "unknown":
        parts.append(Text(ev.findings[0].detail, style="yellow"))
    return Panel(Group(*parts), border_style=colour)


def summary_table(evaluations: list[Evaluation]) -> Table:
    table = Table(title="检查结果")
    for name in ("网站", "标识码", "结论", "评分", "否决项", "主要问题", "首页最新", "栏目", "空白", "不可用链接"):
        table.add_column(name)
    for ev in evaluations:
        word, colour = VERDICT_WORDS[ev.verdict]
        obs = ev.obs
        table.add_row(
            obs.site_name, obs.site_code or "—", Text(word, style=colour), ev.notice.get("评分") or "—",
            "、".join(sorted({f.indicator for f in ev.vetoes})) or "—", ev.problems or "—",
            obs.home_latest_date.isoformat() if obs.home_latest_date else "—",
            str(len(obs.columns)), str(sum(c.blank for c in obs.columns)),
            str(len({x.url for x in obs.links if x.outcome in DEAD_OUTCOMES})),
        )
    return table


def print_evaluation(console: Console, ev: Evaluation) -> None:
    console.print(verdict_panel(ev))
