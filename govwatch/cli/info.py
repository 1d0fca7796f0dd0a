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


PROFILE_USES = {
    "national-2019": "全国通用口径：国办秘函〔2019〕19号的单项否决、扣分和加分；扣分、加分只适用于政府门户网站。"
                     "不确定用哪个时选它",
    "henan": "河南省（新乡市2023年第一季度通报口径）：在全国指标上按河南细则判定，门户和部门网站都计分",
    "guangdong": "广东省（肇庆市2019年细则口径）：在全国指标上按广东细则判定",
}


def profiles(json_out: JsonOpt = False) -> None:
    """可用的指标体系，以及各自适用于什么检查。"""

    rows = []
    for name in available_profiles():
        try:
            prof = load_profile(name)
        except ProfileError as exc:
            rows.append({"id": name, "title": "", "use": f"无法读取：{exc}"})
            continue
        rows.append({"id": prof.id, "title": prof.title, "use": PROFILE_USES.get(prof.id, prof.title)})
    if json_out:
        emit_json(rows)
        return
    table = Table(title="指标体系（--profile 名称）")
    for name in ("名称", "标题", "适用于"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(r["id"], Text(r["title"]), Text(r["use"]))
    out.print(table)

