"""`govwatch collect`: read registered accounts' public pages now and store what was seen (and what was not);
also the account side of `recheck`, `crawl` and `demo`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from config.settings import Settings
from crawler.media import platforms
from crawler.media.collect import collect_accounts
from govwatch.cli._common import context, emit_json, fail, open_db, out
from govwatch.demo.media import serve_media
from reports.media_verdict import account_json, print_account_results
from rules.accounts import AccountResult, evaluate_accounts
from rules.profile import Profile
from storage.db import Database
from storage.media import Account, Collection
from storage.media_repo import find_account, find_accounts, judged_accounts, to_beijing, upsert_account

STATUS_WORDS = {"ok": "已读取", "partial": "部分读取", "blocked": "被拦截", "captcha": "验证码",
                "login_required": "需登录",
                "not_found": "不存在", "deleted": "已注销/删除", "error": "出错"}


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)


def collection_json(account: Account, collection: Collection) -> dict:
    def iso(value: datetime | None) -> str | None:
        return to_beijing(value).isoformat() if value else None

    return {"account": account.name, "platform": account.platform, "account_id": account.account_id,
            "collection_id": collection.id, "source": collection.source, "status": collection.status,
            "posts_seen": collection.posts_seen, "covered_from": iso(collection.covered_from),
            "covered_to": iso(collection.covered_to), "reason": collection.reason, "url": collection.url,
            "evidence": collection.evidence or []}


def print_collection(console: Console, row: dict) -> None:
    """One account's collection, readable at 80 columns."""
    span = "不覆盖任何时段（无法核验）"
    if row["covered_from"] or row["covered_to"]:
        span = f"{(row['covered_from'] or '')[:16]} 至 {(row['covered_to'] or '')[:16]}"
    console.print(f"[bold]{row['account']}[/bold]（{row['platform']}）")
    console.print(f"  状态：{STATUS_WORDS.get(row['status'], row['status'])}（{row['status']}）  "
                  f"读到发布：{row['posts_seen']} 条")
    console.print(f"  完整覆盖：{span}")
    if row["reason"]:
        console.print(f"  说明：{row['reason']}")
    if row["evidence"]:
        console.print(f"  证据：{len(row['evidence'])} 个文件（证据目录 evidence/，路径见 --json）")


def collect_with_progress(settings: Settings, db: Database, ids: list[int], *, quiet: bool = False,
                          once_per_night: bool = False) -> list[dict]:
    """Collect accounts with a Rich progress bar on stderr; returns one JSON row per collected account."""
    rows: list[dict] = []
    progress = Progress(SpinnerColumn(), TextColumn("采集账号"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.description}"), TimeElapsedColumn(), console=Console(stderr=True),
                        disable=quiet, transient=True)
    with progress:
        task = progress.add_task("", total=len(ids))

        def done(account: Account, collection: Collection) -> None:
            rows.append(collection_json(account, collection))
            progress.update(task, advance=1, description=f"{account.name}：{collection.status}")

        collect_accounts(settings, db, ids, on_done=done, once_per_night=once_per_night)
    return rows


def collect(
    accounts: Annotated[list[str] | None, typer.Argument(help="账号：account ID, name or URL (default: every "
                                                              "registered 正常 account).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of text.")] = False,
) -> None:
    """立即采集账号的公开页面：读到的发布、采集状态、覆盖的时间段；失败时说明原因。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        if accounts:
            ids = []
            for key in accounts:
                found = find_accounts(session, key)
                if not found:
                    raise fail(f"{key!r} is not a registered account (see `govwatch accounts list`)")
                ids.extend(a.id for a in found)
        else:
            ids = [a.id for a in judged_accounts(session)]
    if not ids:
        raise fail("no registered accounts to collect")
    rows = collect_with_progress(settings, db, ids, quiet=json_out)
    if json_out:
        emit_json(rows)
        return
    for row in rows:
        print_collection(out, row)


def recheck_account(account_key: str, as_of: date, profile: Profile, *, json_out: bool) -> bool:
    """`recheck ACCOUNT`: collect one registered account now, then judge and print it. False as_of the key
    names no account (the caller treats it as a site)."""

    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        account = find_account(session, account_key)
        if account is None:
            return False
        account_id = account.id
    [row] = collect_with_progress(settings, db, [account_id], quiet=json_out) or [None]
    results = _judge(db, account_id, as_of, profile)
    if json_out:
        payload = {"collection": row}
        if results is not None:

            payload["verdict"] = [account_json(r) for r in results]
        emit_json(payload)
        return True
    print_collection(out, row)
    if results is not None:

        print_account_results(out, results)
    return True


def _judge(db: Database, account_id: int, as_of: date, profile: Profile) -> list[AccountResult]:
    """The account's verdict under the profile."""
    return evaluate_accounts(db, [account_id], as_of, profile)


DEMO_ACCOUNTS = (  # (name, platform, account ID, meta): simulated platforms in govwatch/demo/media.py
    ("示例市发布", "weibo", "1001", None),
    ("示例市政务（访客验证）", "weibo", "1002", None),
    ("示例区发布（已注销）", "weibo", "1004", None),
    ("示例市政务", "wechat", None, None),
    ("示例市客户端", "app", None, {"feed": "{base}/feed.xml"}),
)


@contextmanager
def demo_platforms(settings: Settings, db: Database) -> Iterator[tuple[Settings, list[int]]]:
    """Serve the simulated platforms on 127.0.0.1 and register a few accounts there; yields (settings pointing
    at them, account ids), for the demo to collect beside its crawl, in its one Chromium."""

    with serve_media() as base:
        local = replace(settings, bases=dict.fromkeys(platforms.base_keys(), base), media_spacing=0.0,
                        media_jitter=0.0)
        ids = []
        with db.session() as session:
            for name, platform, account_id, meta in DEMO_ACCOUNTS:
                if meta:
                    meta = {k: v.format(base=base) for k, v in meta.items()}
                account, _ = upsert_account(session, name=name, platform=platform, account_id=account_id,
                                            unit="示例市政府办公室", meta=meta)
                ids.append(account.id)
        yield local, ids
