"""`govwatch info` and `govwatch profiles`: where things are, and which profile is for what."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from config.masking import mask_secrets
from config.settings import SettingsError, load_settings
from govwatch import __version__
from govwatch.cli._common import JsonOpt, emit_json, fail, out, settings_file_path, today
from rules.profile import ProfileError, available_profiles, load_profile


def register(app: typer.Typer) -> None:
    app.command()(info)
    app.command()(profiles)


def info(json_out: JsonOpt = False) -> None:
    """数据目录、数据库、设置文件和默认指标体系在哪里。"""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None
    data = {"version": __version__, "home": str(settings.home.resolve()), "database": mask_secrets(settings.database),
            "settings_file": str(settings_file_path()), "profile": settings.profile, "timezone": settings.timezone,
            "today": today(settings).isoformat()}
    if json_out:
        emit_json(data)
        return
    words = {"version": "版本", "home": "数据目录（GOVWATCH_HOME）", "database": "数据库",
             "settings_file": "设置文件（GOVWATCH_SETTINGS）", "profile": "默认指标体系", "timezone": "时区",
             "today": "今天"}
    for key, value in data.items():
        out.print(Text(f"{words[key]}：{value}"))


def profiles(json_out: JsonOpt = False) -> None:
    """可用的指标体系，以及各自适用于什么检查。"""
    rows = []
    for name in available_profiles():
        try:
            prof = load_profile(name)
        except ProfileError as exc:
            rows.append({"id": name, "title": "", "use": f"无法读取：{exc}"})
            continue
        rows.append({"id": prof.id, "title": prof.title, "use": prof.purpose or prof.title})
    if json_out:
        emit_json(rows)
        return
    table = Table(title="指标体系（--profile 名称）")
    for name in ("名称", "标题", "适用于"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(r["id"], Text(r["title"]), Text(r["use"]))
    out.print(table)

