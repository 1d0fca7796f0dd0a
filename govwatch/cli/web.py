"""`govwatch web`: the office's and the units' pages, served by uvicorn on the same settings and database as
every other command (docs/web.md)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy import func, select

from govwatch.cli._common import context, err, open_db, today
from rules.accounts import evaluate_accounts
from rules.profile import Profile
from storage.db import Database
from storage.media import AccountEvaluation
from storage.web import all_users


def register(app: typer.Typer) -> None:
    app.command("web")(web)


def web(
    host: Annotated[str, typer.Option("--host", help="监听地址（默认只在本机）。")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="查看 govwatch demo 的演示数据（数据目录下的 demo）。")] = False,
    run_queue: Annotated[bool | None, typer.Option("--run-queue/--no-run-queue",
                                                   help="本进程也执行复查队列（小规模部署、无 govwatch schedule 时）。"
                                                   "默认按设置 web_run_queue。")] = None,
) -> None:
    """网页服务：总览、网站和账号页面、临期、通报、复查和人工录入（见 docs/web.md）。"""
    # Imported here, not at the top: FastAPI, Starlette, Pydantic and Jinja2 cost every other command ~0.5 s.
    import uvicorn

    from govwatch.web.app import create_app

    settings, prof = context()
    if demo:  # `govwatch demo` keeps its data in $GOVWATCH_HOME/demo
        settings = dataclasses.replace(settings, home=settings.home / "demo", database_url="")
        settings.ensure_home()
    db = open_db(settings)
    if demo:
        _judge_demo_accounts(db, prof)
    with db.session() as session:
        users = len(all_users(session))
    if not users:
        err.print(Text("还没有用户：先用 govwatch users add 名称 --role admin 添加管理员"
                       + ("（加 --demo 时用 GOVWATCH_HOME=…/demo）" if demo else "")))
    err.print(Text(f"网页服务 http://{host}:{port}/ ；数据 {settings.database.split('@')[-1]}"))
    uvicorn.run(create_app(settings, db, run_queue=run_queue), host=host, port=port, log_level="warning",
                proxy_headers=False)


def _judge_demo_accounts(db: Database, prof: Profile) -> None:
    """The demo collects its accounts but judges them elsewhere: their verdicts are stored once for the pages."""
    with db.session() as session:
        judged = session.scalar(select(func.count(AccountEvaluation.id)))
    if not judged:
        evaluate_accounts(db, None, today(), prof)
