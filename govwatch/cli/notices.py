"""`govwatch notices`: the notices written so far (each `govwatch report` stores one), newest first.

    govwatch notices [--profile guizhou] [--json]

A 复查 names one of them with `report --compare-with 编号`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from govwatch.cli._common import context, emit_json, open_db, out
from storage.notices import stored_notices


def register(app: typer.Typer) -> None:
    app.command("notices")(notices)


def notices(
    profile: Annotated[str | None, typer.Option("--profile", help="只列这个指标体系的通报。")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取）。")] = False,
) -> None:
    """列出已保存的通报（每次 govwatch report 保存一份快照），供复查时 --compare-with 编号 对照。"""
    settings, _ = context(None)
    db = open_db(settings)
    with db.session() as session:
        rows = [{"id": n.id, "profile": n.profile, "period": {"from": n.period_from.isoformat(),
                                                               "to": n.period_to.isoformat(),
                                                               "words": (n.data or {}).get("period", {}).get("words")},
                 "quarter": n.quarter, "as_of": n.as_of.isoformat(), "title": n.title, "doc_number": n.doc_number,
                 "compare_with": n.compare_with, "totals": (n.data or {}).get("totals"), "files": n.files or [],
                 "created_by": n.created_by, "created_at": n.created_at.isoformat(timespec="seconds")}
                for n in stored_notices(session, profile=profile)]
    if json_out:
        emit_json({"notices": rows})
        return
    if not rows:
        out.print("还没有保存的通报：govwatch report 每次写通报时保存一份。", highlight=False)
        return
    table = Table(title=f"已保存的通报（{len(rows)} 份，新的在前）")
    for name in ("编号", "期间", "监测时间点", "指标体系", "网站合格率", "新媒体合格率", "对照", "文号"):
        table.add_column(name, overflow="fold")
    for r in rows:
        totals = r["totals"] or {}
        table.add_row(str(r["id"]), r["period"]["words"] or f"{r['period']['from']}—{r['period']['to']}", r["as_of"],
                      r["profile"], (totals.get("sites") or {}).get("pass_rate", "—"),
                      (totals.get("accounts") or {}).get("pass_rate", "—"),
                      f"通报{r['compare_with']}" if r["compare_with"] else "", r["doc_number"] or "")
    out.print(table)
