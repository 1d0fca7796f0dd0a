"""`govwatch users`: who may sign in to `govwatch web`, with which role (admin, inspector, unit)."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer
from rich.table import Table

from govwatch.cli._common import JsonOpt, context, emit_json, fail, open_db, out
from govwatch.web.passwords import hash_password, weak_reason
from govwatch.web.scope import ROLE_WORDS
from storage.repo import utcnow
from storage.web import ROLES, add_user, all_users, audit, close_sessions_of, find_user

users_app = typer.Typer(help="网页服务的用户：管理员、检查人员、被检查单位。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _password(given: str | None) -> str:
    """--password, else GOVWATCH_PASSWORD (scripts), else asked twice without echo."""
    password = given or os.environ.get("GOVWATCH_PASSWORD")
    if not password:
        password = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != password:
            raise fail("两次输入的密码不一致")
    reason = weak_reason(password)
    if reason:
        raise fail(reason)
    return password


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="用户名（登录用）。")],
    role: Annotated[str, typer.Option("--role", help="admin（管理员）| inspector（检查人员）| unit（被检查单位）。")],
    unit: Annotated[str | None, typer.Option("--unit", help="被检查单位的名称，与登记册“主办单位”一致。")] = None,
    password: Annotated[str | None, typer.Option("--password", help="初始密码（不给则提示输入）。")] = None,
) -> None:
    """添加用户。"""
    if role not in ROLES:
        raise fail(f"--role {role!r} 应为 admin、inspector 或 unit")
    if role == "unit" and not (unit or "").strip():
        raise fail("被检查单位用户须给出 --unit 单位名称（与登记册“主办单位”一致）")
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        if find_user(session, name):
            raise fail(f"用户 {name} 已存在")
    secret = _password(password)
    with db.session() as session:
        add_user(session, name, role, hash_password(secret), (unit or "").strip() or None)
        audit(session, getpass.getuser(), "user-add", name, {"role": role, "unit": unit, "via": "cli"}, None)
    out.print(f"已添加用户 {name}（{ROLE_WORDS[role]}{'·' + unit if role == 'unit' and unit else ''}）")


@users_app.command("list")
def list_users(json_out: JsonOpt = False) -> None:
    """列出用户。"""
    settings, _ = context()
    with open_db(settings).session() as session:
        rows = [{"name": u.name, "role": u.role, "unit": u.unit, "enabled": u.enabled,
                 "created_at": u.created_at.isoformat(timespec="seconds") + "Z"} for u in all_users(session)]
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"用户（{len(rows)}）")
    for column in ("用户名", "角色", "单位", "状态"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], ROLE_WORDS[r["role"]], r["unit"] or "—", "正常" if r["enabled"] else "已停用")
    out.print(table)


@users_app.command("passwd")
def passwd(
    name: Annotated[str, typer.Argument(help="用户名。")],
    password: Annotated[str | None, typer.Option("--password", help="新密码（不给则提示输入）。")] = None,
) -> None:
    """重设密码（该用户已登录的浏览器都需重新登录）。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        if find_user(session, name) is None:
            raise fail(f"没有用户 {name}")
    secret = _password(password)
    with db.session() as session:
        user = find_user(session, name)
        user.password_hash, user.password_changed_at = hash_password(secret), utcnow()
        close_sessions_of(session, user.id)
        audit(session, getpass.getuser(), "user-reset", name, {"via": "cli"}, None)
    out.print(f"已重设 {name} 的密码")


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="用户名。")]) -> None:
    """停用用户（保留记录，立即退出登录）。"""
    settings, _ = context()
    with open_db(settings).session() as session:
        user = find_user(session, name)
        if user is None:
            raise fail(f"没有用户 {name}")
        user.enabled = False
        close_sessions_of(session, user.id)
        audit(session, getpass.getuser(), "user-disable", name, {"via": "cli"}, None)
    out.print(f"已停用 {name}")
