"""`govwatch notify`: the units' digest (新增不合格, 临期, 复查完成) sent now, or printed with --dry-run; and
the recipients (通知接收人) read from the registry files. The nightly job sends the same digest after its crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from config.masking import mask_secrets
from govwatch.cli._common import AsOf, JsonOpt, context, emit_json, fail, open_db, out, parse_as_of
from inspection.notify import send_digests
from inspection.registry.recipients import read_recipients
from inspection.registry.tables import TableFileError
from storage.web import all_recipients, messages, set_recipients

notify_app = typer.Typer(help="给各单位发送提醒：新增不合格、临期、复查完成（见 docs/web.md）。",
                         invoke_without_command=True)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")


@notify_app.callback()
def notify(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将发送的内容，不发送。")] = False,
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """发送今天给各单位的提醒（失败的会重试并记录）。"""
    if ctx.invoked_subcommand is not None:
        return
    settings, prof = context()
    db = open_db(settings)
    outcome = send_digests(db, settings, prof, parse_as_of(as_of), dry_run=dry_run)
    if json_out:
        emit_json({"sent": outcome.sent, "failed": outcome.failed, "waiting": outcome.waiting,
                   "lines": outcome.lines})
        return
    for line in outcome.lines:
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    if dry_run:
        if not outcome.lines:
            out.print("今天没有需要提醒的单位")
        return
    out.print(f"已发送 {outcome.sent} 条，失败 {outcome.failed} 条" + (f"，等待 {outcome.waiting} 条" if outcome.waiting
                                                                else "") + "（见 govwatch notify log）")
    if outcome.failed:
        raise typer.Exit(1)


@notify_app.command("recipients")
def recipients(
    files: Annotated[list[Path] | None, typer.Argument(
        help="网站或账号登记文件（含“主办单位”和“通知接收人”列）。")] = None,
    json_out: JsonOpt = False,
) -> None:
    """从登记文件读入各单位的通知接收人（邮箱或 Apprise 地址）；不给文件则列出。"""
    settings, _ = context()
    db = open_db(settings)
    for path in files or []:
        try:
            found = read_recipients(path)
        except TableFileError as exc:
            raise fail(str(exc)) from None
        with db.session() as session:
            for unit, addresses in found.items():
                set_recipients(session, unit, addresses, source=str(path))
        out.print(f"{path}：{len(found)} 个单位的通知接收人已读入")
    with db.session() as session:
        rows = all_recipients(session)
    if json_out:
        emit_json({unit: [mask_secrets(a) for a in addresses] for unit, addresses in rows.items()})
        return
    if not files:
        table = Table(title=f"通知接收人（{len(rows)} 个单位）")
        table.add_column("单位")
        table.add_column("接收人")
        for unit, addresses in rows.items():
            table.add_row(unit, "\n".join(mask_secrets(a) for a in addresses))
        out.print(table)


@notify_app.command("log")
def notify_log(json_out: JsonOpt = False) -> None:
    """最近发送的消息及其结果（发送失败的会在下次运行时重试）。"""
    settings, _ = context()
    with open_db(settings).session() as session:
        rows = [{"id": m.id, "unit": m.unit, "address": mask_secrets(m.address), "subject": m.subject,
                 "status": m.status, "attempts": m.attempts, "error": m.error,
                 "created_at": m.created_at.isoformat(timespec="seconds") + "Z"} for m in messages(session)]
    if json_out:
        emit_json(rows)
        return
    table = Table(title="消息记录")
    for column in ("编号", "单位", "发往", "状态", "尝试", "错误"):
        table.add_column(column, overflow="fold")
    words = {"sent": "已发送", "failed": "发送失败", "pending": "待发送"}
    for r in rows:
        table.add_row(str(r["id"]), r["unit"], r["address"], words.get(r["status"], r["status"]), str(r["attempts"]),
                      r["error"] or "")
    out.print(table)
