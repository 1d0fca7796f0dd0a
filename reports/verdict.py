"""One site's verdict as the JSON contract (README, "JSON output") and as a terminal table."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from config.vocabulary import UNKNOWN
from config.vocabulary import VERDICT_WORDS as VOCABULARY_VERDICTS
from crawler.columns import category_labels
from reports.plain import Wrapped, plain, ptext
from rules.checks.content import DEAD_KIND_WORDS
from rules.engine import STATUS_WORDS, Evaluation, IndicatorResult, evaluate
from rules.findings import DEAD_OUTCOMES
from rules.profile import ProfileError, available_profiles, load_profile

VERDICT_WORDS = {v: (VOCABULARY_VERDICTS[v], colour) for v, colour in (("pass", "green"), ("fail", "red"),
                                                                        ("unknown", "yellow"))}


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
                "reading": c.reading,
                "evidence": _files(ev, c.url),
            }
            for c in obs.columns
        ],
        "broken_links": [
            {"url": x.url, "found_on": x.found_on, "status": x.status, "error": x.error, "outcome": x.outcome,
             "kind": x.kind, "evidence": _files(ev, x.found_on)}
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


def _indicator_json(ev: Evaluation, result: IndicatorResult) -> dict[str, Any]:
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


NARROW = 140  # below this many columns the summary is one block per site instead of a table


def _line(*parts: tuple[str, str] | str, indent: int = 0) -> Wrapped:
    return Wrapped([(p, "") if isinstance(p, str) else p for p in parts], indent=indent)


def link_reason(error: str) -> str:
    """A link's error as one plain sentence: a certificate failure or a Twisted failure is not
    printed as the exception's repr."""
    from rules.reasons import reason_words

    text = plain(error)
    technical = ("Failure" in text or "<" in text or "SSL" in text or "TLS" in text or len(text) > 120
                 or text.isascii() and not text.startswith("HTTP "))  # English from the crawler: its plain words
    return reason_words(text) if technical else text


def _stale_marks(ev: Evaluation) -> dict[str, list[str]]:
    """Column URL -> the indicators that count it as not updated in time (the names JSON lists)."""
    marks: dict[str, list[str]] = {}
    for f in ev.findings:
        for e in f.evidence:
            if isinstance(e, dict) and e.get("url") and "since" in e and f.indicator not in marks.get(e["url"], []):
                marks.setdefault(e["url"], []).append(f.indicator)
    return marks


def profile_line(ev: Evaluation) -> str:
    return f"指标体系 {ev.profile.id}（{plain(ev.profile.title)}）"


def verdict_panel(ev: Evaluation) -> Panel:
    """One site: every line wraps at the terminal's width, and a verdict, a count or a threshold is
    never cut (reports/plain.py)."""
    data = verdict_json(ev)
    word, colour = VERDICT_WORDS[ev.verdict]
    labels = category_labels()
    parts: list[Any] = [
        _line((plain(data["site"]["name"]), "bold"), "  ", plain(data["site"]["url"]),
              f"  网站标识码 {plain(data['site']['code'])}" if data["site"]["code"] else "", indent=2),
        _line("结论 ", (word, f"bold {colour}"), f"   监测时间点 {data['as_of']}   ",
              f"首页最新信息 {data['home_latest_date'] or '—'}", indent=2),
        _line(profile_line(ev), indent=2),
    ]
    if data["crawl"].get("basis"):  # which crawl the verdict rests on (a newer interrupted one is named)
        parts.append(_line(plain(data["crawl"]["basis"]), indent=2))
    if ev.scoring.get("scored") or ev.problems not in ("", "无"):
        shown = ev.notice.get("评分") or "—"
        parts.append(_line("评分 ", (shown, "bold"), "   主要问题 ", plain(ev.problems or "无"), indent=2))
    if ev.vetoes:
        parts.append(Text("单项否决", style="bold red"))
        for f in ev.vetoes:
            parts.append(_line((f.indicator, "red"), " ", plain(f.title), "：", plain(f.detail), indent=4))
    marks = _stale_marks(ev)
    columns = Table(title=f"栏目（{len(data['columns'])}）", title_justify="left", expand=False)
    for name in ("栏目", "类别", "级", "最新更新", "条数", "状态"):
        columns.add_column(name, no_wrap=name in ("级", "最新更新", "条数"), overflow="fold",
                           min_width=10 if name == "最新更新" else None)
    for c in data["columns"]:
        state = Text()
        if c["url"] in marks:
            state.append("超期未更新 " + "、".join(marks[c["url"]]), style="red")
        if c["blank"]:
            state.append((" " if state else "") + "空白", style="yellow")
        if c["error"]:
            state.append((" " if state else "") + link_reason(c["error"]), style="red")
        columns.add_row(ptext(c["name"]), labels.get(c["category"], c["category"]), str(c["level"]),
                        c["latest_date"] or "—", str(c["items"]), state)
    if data["columns"]:
        parts.append(columns)
    if data["broken_links"]:
        parts.append(Text(f"不可用链接（{len(data['broken_links'])}）", style="bold"))
        for x in data["broken_links"]:
            what = DEAD_KIND_WORDS.get(x.get("kind", "link"), "")
            parts.append(_line("• ", (what + " ") if what else "", plain(x["url"]),
                               f"  状态 {x['status'] or '—'}  {x['outcome']}",
                               f"：{link_reason(x['error'])}" if x["error"] else "", indent=4))
            parts.append(_line("  所在页面 ", plain(x["found_on"]), indent=4))
    shown = [r for r in ev.indicators if r.status not in ("pass", "manual")]
    if shown:
        styles = {"fail": "red", "deducted": "red", "problem": "yellow", "insufficient": "yellow",
                  "not_testable": "dim", "overridden": "cyan", "bonus": "green", "unknown": "dim"}
        parts.append(Text("指标", style="bold"))
        for r in shown:
            sign = "+" if r.indicator.kind == "bonus" else "-"
            points = f"  {sign}{r.points:g}分" if r.points else ""
            parts.append(_line(r.indicator.id, " ", plain(r.indicator.title), "  ",
                               (STATUS_WORDS.get(r.status, r.status), styles.get(r.status, "")), points, indent=4))
            detail = "；".join(plain(f.detail) for f in r.problems)
            if detail:
                parts.append(_line("    ", detail, indent=6))
    if ev.verdict == "unknown":
        parts.append(Wrapped([(plain(ev.findings[0].detail), "yellow")], indent=2))
    return Panel(Group(*parts), border_style=colour)


def _counts(ev: Evaluation) -> tuple[str, str, str, str]:
    obs = ev.obs
    return (obs.home_latest_date.isoformat() if obs.home_latest_date else "—", str(len(obs.columns)),
            str(sum(c.blank for c in obs.columns)), str(len({x.url for x in obs.links if x.outcome in DEAD_OUTCOMES})))


def _vetoes(ev: Evaluation) -> str:
    return "、".join(sorted({f.indicator for f in ev.vetoes})) or "—"


def totals_line(evaluations: list[Evaluation]) -> str:
    counts = {k: sum(ev.verdict == k for ev in evaluations) for k in VERDICT_WORDS}
    line = (f"共 {len(evaluations)} 个网站：合格 {counts['pass']}，不合格 {counts['fail']}，"
            f"{UNKNOWN} {counts['unknown']}")
    profiles = sorted({ev.profile.id for ev in evaluations})
    if evaluations:
        line += f"；{profile_line(evaluations[0]) if len(profiles) == 1 else '指标体系 ' + '、'.join(profiles)}"
        line += f"；监测时间点 {evaluations[0].as_of.isoformat()}"
    return line


def basis_line(evaluations: list[Evaluation]) -> str:
    """Which crawls the verdicts rest on: the run numbers, and every site whose newest crawl was
    interrupted (judged on an older crawl, or 无法核验)."""
    runs = sorted(ev.obs.run_id for ev in evaluations if ev.obs.run_id is not None)
    cut = [ev for ev in evaluations if ev.obs.crawl.get("interrupted_runs")]
    if not runs and not cut:
        return ""
    if len(evaluations) == 1:
        return plain(evaluations[0].obs.crawl.get("basis") or "")
    if len(runs) == 1:
        line = f"依据第 {runs[0]} 号抓取"
    elif runs:
        line = f"依据各网站最新完成的抓取（第 {runs[0]}–{runs[-1]} 号）"
    else:
        line = "没有完成的抓取"
    for ev in cut:
        line += f"；{plain(ev.obs.site_name)}：{plain(ev.obs.crawl['basis'])}"
    return line


class Summary:
    """The results of many sites: a table on a wide terminal, one block per site on a narrow one."""

    def __init__(self, evaluations: list[Evaluation]) -> None:
        self.evaluations = evaluations

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= NARROW
        if wide:
            yield self._table()
        else:
            yield Text("检查结果", style="bold")
            for n, ev in enumerate(self.evaluations, 1):
                yield from self._block(n, ev)
        yield Wrapped(totals_line(self.evaluations), indent=2)
        basis = basis_line(self.evaluations) if wide else ""  # a block names its own crawl
        if basis:
            yield Wrapped(basis, indent=2)

    def _block(self, n: int, ev: Evaluation) -> list[Wrapped]:
        word, colour = VERDICT_WORDS[ev.verdict]
        obs = ev.obs
        home, cols, blank, dead = _counts(ev)
        return [
            _line((f"{n}. {plain(obs.site_name)}", "bold"), f"  {plain(obs.site_code)}" if obs.site_code else "",
                  "  ", plain(obs.site_url), indent=3),
            _line("   结论 ", (word, f"bold {colour}"), f"  评分 {ev.notice.get('评分') or '—'}",
                  f"  否决项 {_vetoes(ev)}", indent=3),
            _line("   主要问题 ", plain(ev.problems or "无"), indent=3),
            _line(f"   首页最新 {home}  栏目 {cols}  空白 {blank}  不可用链接 {dead}", indent=3),
            *([_line("   ", plain(obs.crawl["basis"]), indent=3)] if obs.crawl.get("basis") else []),
        ]

    def _table(self) -> Table:
        table = Table(title="检查结果")
        for name in ("网站", "标识码", "结论", "评分", "否决项", "主要问题", "首页最新", "栏目", "空白", "不可用链接"):
            table.add_column(name, overflow="fold", no_wrap=name in ("结论", "评分", "首页最新", "栏目", "空白"),
                             min_width={"网站": 12, "主要问题": 24, "首页最新": 10}.get(name))
        for ev in self.evaluations:
            word, colour = VERDICT_WORDS[ev.verdict]
            table.add_row(ptext(ev.obs.site_name), ptext(ev.obs.site_code or "—"), Text(word, style=colour),
                          ev.notice.get("评分") or "—", _vetoes(ev), Wrapped(plain(ev.problems or "无")), *_counts(ev))
        return table


def summary_table(evaluations: list[Evaluation]) -> Summary:
    return Summary(evaluations)


def print_evaluation(console: Console, ev: Evaluation) -> None:
    console.print(verdict_panel(ev))
