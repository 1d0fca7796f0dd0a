"""What every command shares: the consoles, the options, the error exit, the settings and database
handle, the monitoring time point."""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from config.masking import mask_secrets
from config.settings import Settings, SettingsError, load_settings, settings_file
from reports.plain import plain
from rules.profile import Profile, ProfileError, load_profile
from storage.db import Database
from storage.interrupted import mark_abandoned_runs as mark
from storage.repo import find_site, utcnow

VERBOSITY = {"level": 0}  # -q: -1 (no progress), -v: 1 (say where the crawl log is)


def settings_file_path() -> Path:
    return settings_file(os.environ)

out = Console(soft_wrap=False)
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
                                          help="监测时间点（默认：北京时间今天）。")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="指标体系名称或 YAML 文件（见 govwatch profiles）。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取），不打印表格。")]


ERRORS = {1: "failed", 2: "usage", 3: "refused", 130: "interrupted", 143: "interrupted"}  # JSON `error` by status


def json_wanted() -> bool:
    """Whether the command line asks for --json: then every exit prints JSON, an error included."""
    return "--json" in sys.argv[1:]


def error_json(message: str, code: int, error: str | None = None) -> None:
    """The JSON a machine reads when no verdict is printed: what went wrong, the exit status, the sentence."""
    emit_json({"error": error or ERRORS.get(code, "failed"), "code": code, "message": plain(message, one_line=False)})


def fail(message: str, code: int = 2, *, error: str | None = None, printed: bool = False) -> typer.Exit:
    """Say what went wrong (stderr; with --json also as JSON on stdout, unless the verdict's JSON was `printed`
    already: stdout stays one JSON document) and exit with `code`."""
    if json_wanted() and not printed:
        error_json(message, code, error)
    err.print(Text.assemble(("错误：", "bold red"), plain(message, one_line=False)), highlight=False)
    return typer.Exit(code)


def today(settings: Settings | None = None) -> date:
    """Today where the office is (setting `timezone`, default Asia/Shanghai), not the machine's zone."""
    try:
        zone = (settings or load_settings()).timezone
    except SettingsError:
        zone = "Asia/Shanghai"
    return datetime.now(ZoneInfo(zone)).date()


def parse_as_of(value: str | None) -> date:
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of {value!r} 不是日期，应写成 2023-11-20") from None


def context(profile_name: str | None = None) -> tuple[Settings, Profile]:
    try:
        settings = load_settings()
        profile = load_profile(profile_name or settings.profile)
    except (SettingsError, ProfileError) as exc:
        raise fail(str(exc)) from None
    settings.ensure_home()
    return settings, profile


def open_db(settings: Settings) -> Database:
    try:
        return Database(settings.database)
    except SQLAlchemyError as exc:
        message = f"cannot open the database {settings.database}: {exc.__class__.__name__}: {exc}"
        raise fail(mask_secrets(message)) from None


def mark_abandoned_runs(db: Database) -> None:
    """Runs left "running" by a crawl killed outright (SIGKILL): marked interrupted before anything
    is crawled or judged, so no verdict silently rests on an older crawl (storage/interrupted.py)."""

    with db.session() as session:
        marked = mark(session, utcnow())
    if marked:
        err.print(Text(f"注意：{len(marked)} 个抓取中途停止（进程已不在），已标为“检查被中断”"
                       f"（抓取编号 {'、'.join(map(str, marked[:10]))}{'等' if len(marked) > 10 else ''}）"))


def registered_site_id(db: Database, key: str) -> int:
    """The id of a stored site named by code, name or URL, or a clear error."""
    with db.session() as session:
        found = find_site(session, key)
        if found is None:
            raise fail(f"no site {key!r} in the store (see `govwatch sites list`)")
        return found.id


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def who_entered(by: str | None) -> str:
    """Who entered a manual finding or a file: --by, else GOVWATCH_USER, else the login name."""
    if by:
        return by
    try:
        return os.environ.get("GOVWATCH_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

