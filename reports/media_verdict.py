"""政务新媒体 verdicts for people and machines: the JSON contract and a terminal table shaped like
seed 002's 附件2 (名称 · 主办单位 · 平台 · 8月 · 9月 · 10月 · 结论 · 最近更新)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from config.vocabulary import CONTENT_DISMISSED
from config.vocabulary import VERDICT_WORDS as VOCABULARY_VERDICTS
from crawler.media import platforms

VERDICT_WORDS = {**VOCABULARY_VERDICTS, None: "—"}
STYLES = {"pass": "green", "fail": "bold red", "unknown": "yellow"}


def account_json(result: Any) -> dict[str, Any]:
    """The JSON object of one account's verdict (from an AccountResult or a stored result dict)."""
    data = result if isinstance(result, dict) else result.data
    return copy.deepcopy(data)


def platform_word(account: dict[str, Any]) -> str:
    word = platforms.word(account.get("platform"))
    return word + ("服务号" if account.get("type") == "service" else "")


def _short_platform(account: dict[str, Any]) -> str:
    return "服务号" if account.get("type") == "service" else platform_word(account)


def _month_cell(month: dict[str, Any]) -> str:
    if month["verdict"] is None:
        return f"{month['posting_days']}天"
    text = VERDICT_WORDS[month["verdict"]]
    return f"[{STYLES[month['verdict']]}]{text}[/]"


def _latest(data: dict[str, Any]) -> str:
    latest = data.get("latest_post")
    if not latest:
        return "无记录"
    return latest[5:10] if latest[:4] == data["as_of"][:4] else latest[:10]


def print_account_results(console: Console, results: Sequence[Any]) -> None:
    rows = [account_json(r) for r in results]
    if not rows:
        console.print("没有需要评判的政务新媒体账号（见 `govwatch accounts list`）")
        return
    months = rows[0]["months"]
    first = rows[0]
    table = Table(title=f"政务新媒体更新情况（{first['profile']}，监测时间点 {first['as_of']}）", box=box.SIMPLE_HEAD,
                  pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("名称", ratio=1, overflow="fold")
    table.add_column("主办单位", ratio=1, overflow="fold")
    table.add_column("平台", no_wrap=True)
    for m in months:
        table.add_column(f"{int(m['month'][5:])}月", no_wrap=True)
    table.add_column("结论", no_wrap=True)
    table.add_column("最近更新", no_wrap=True)
    for data in rows:
        cells = [_month_cell(m) for m in data["months"]]
        cells += [""] * (len(months) - len(cells))
        table.add_row(data["account"]["name"], data["account"]["unit"] or "—", _short_platform(data["account"]),
                      *cells[:len(months)], f"[{STYLES[data['verdict']]}]{VERDICT_WORDS[data['verdict']]}[/]",
                      _latest(data))
    console.print(table)
    counts = {v: sum(1 for d in rows if d["verdict"] == v) for v in ("pass", "fail", "unknown")}
    console.print(f"共{len(rows)}个账号：合格{counts['pass']}个，不合格{counts['fail']}个，无法核验{counts['unknown']}个")
    for data in rows:
        hits = [f for f in data.get("content") or [] if not f.get("manual")]
        if data["verdict"] == "pass" and not data["problems"] and not hits:
            continue
        name = f"{data['account']['name']}（{platform_word(data['account'])}）"
        groups = (("单项否决", data["vetoes"]), ("存在问题", data["problems"]), ("无法核验", data["unknown"]))
        for kind, items in groups:
            for item in items:
                console.print(f"  {name} {kind}：{item['detail']}", soft_wrap=False, overflow="fold")
        for f in hits:  # waiting for an inspector (or dismissed): never counted
            post = next((e.get("post") for e in f.get("evidence") or [] if e.get("post")), None) or {}
            put_away = f"（{CONTENT_DISMISSED}）" if f.get("overridden") else ""
            console.print(f"  {name} {f['indicator']}：{f['detail']}{put_away}"
                          + (f"（{post.get('published_at', '')[:10]} {post.get('url') or ''}）" if post else ""),
                          soft_wrap=False, overflow="fold")


__all__ = ["account_json", "platform_word", "print_account_results"]
