"""What every command shares: the consoles, the options, the error exit, the settings and database
handle, the monitoring time point."""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any
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



# -- Click's and Typer's own messages in Chinese -----------------------------------------------------------------
# Click marks its messages for gettext (`from gettext import gettext as _` in each module); the command is used
# by office clerks, so "Usage:", "Missing option", "No such option" and the like are given in Chinese here, for
# every command. Typer turns a wrong value into pydantic's English ("Input should be a valid integer"): its
# error types are given in Chinese too. A message not listed stays as Click writes it.
CLICK_WORDS: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Try '{command} {option}' for help.": "用 “{command} {option}” 查看帮助。",
    "Error: {message}": "错误：{message}",
    "Missing option": "缺少选项",
    "Missing argument": "缺少参数",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "Aborted!": "已中止！",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "{value!r} is not a valid boolean.": "{value!r} 不是“是/否”。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "unknown error": "未知错误",
}
CLICK_PLURALS: dict[str, str] = {
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
}
PYDANTIC_WORDS: dict[str, str] = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为“是/否”（true/false）",
    "date_parsing": "应为日期，写成 2023-11-20",
    "date_from_datetime_parsing": "应为日期，写成 2023-11-20",
    "datetime_parsing": "应为日期时间，写成 2023-11-20T08:00",
    "enum": "不是可选的值之一",
    "literal_error": "不是可选的值之一",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "missing": "缺少",
}


# Typer's own copy of Click writes its messages without gettext: they are translated as whole sentences.
USAGE_WORDS: tuple[tuple[str, str], ...] = (
    (r"^Missing option '(.+)'\.", r"缺少选项 \1。"),
    (r"^Missing argument '(.+)'\.", r"缺少参数 \1。"),
    (r"^Missing parameter: (.+)", r"缺少参数 \1"),
    (r"^No such option: (\S+) \(Possible options: (.+)\)", r"没有选项 \1（是不是：\2）"),
    (r"^No such option: (\S+)", r"没有选项 \1"),
    (r"^No such command '(.+)'\.", r"没有命令 \1。"),
    (r"^Invalid value for '(.+?)': ", r"\1 的值无效："),
    (r"^Invalid value: ", "值无效："),
    (r"^Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)", r"多余的参数（\1）"),
    (r"^Option '(.+)' requires an argument\.", r"选项 \1 需要一个值。"),
    (r"^Option '(.+)' requires (\d+) arguments\.", r"选项 \1 需要 \2 个值。"),
    (r"^Option '(.+)' does not take a value\.", r"选项 \1 不接受值。"),
    (r"^Missing command\.", "缺少命令。"),
    (r"'(.+?)' is not one of (.+)\.", r"\1 不是可选值（\2）之一。"),
    (r"'(.+?)' is not a valid (integer|float)\.", r"\1 不是有效的数字。"),
)
HELP_WORDS = {"Show this message and exit.": "显示本帮助并退出。", "[required]": "[必填]"}


def usage_words(message: str) -> str:
    """A Click usage error in Chinese (the sentences above); anything else as it is."""
    import re

    for pattern, words in USAGE_WORDS:
        message = re.sub(pattern, words, message)
    return message


def _show_usage_error(self: Any, file: IO[str] | None = None) -> None:
    """UsageError.show in Chinese: 用法, the help hint, 错误."""
    stream = file or sys.stderr
    ctx = getattr(self, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = f"用 “{ctx.command_path} {ctx.help_option_names[0]}” 查看帮助。\n"
        usage = ctx.get_usage().replace("Usage: ", "用法：", 1)
        stream.write(f"{usage}\n{hint}\n")
    stream.write(f"错误：{usage_words(self.format_message())}\n")


def _show_error(self: Any, file: IO[str] | None = None) -> None:
    (file or sys.stderr).write(f"错误：{usage_words(self.format_message())}\n")


def _zh(message: str) -> str:
    return CLICK_WORDS.get(message, message)


def _zh_plural(singular: str, plural: str, n: int) -> str:
    message = singular if n == 1 else plural
    return CLICK_PLURALS.get(message, message)


def _zh_error(exc: object) -> str:
    errors = exc.errors() if hasattr(exc, "errors") else []  # a pydantic ValidationError
    if errors and errors[0].get("type") in PYDANTIC_WORDS:
        return PYDANTIC_WORDS[errors[0]["type"]]
    return str(errors[0]["msg"]) if errors else str(exc)


def _chinese_help(formatter: type) -> None:
    """用法： for Usage:, and the help option's own words, in every help page."""
    write_usage, write_dl = formatter.write_usage, formatter.write_dl

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        write_usage(self, prog, args, "用法：" if prefix in (None, "Usage: ") else prefix)

    def rows(self: Any, items: Any, *args: Any, **kwargs: Any) -> None:
        translated = []
        for term, text in items:
            for english, chinese in HELP_WORDS.items():
                text = text.replace(english, chinese)
            translated.append((term, text))
        write_dl(self, translated, *args, **kwargs)

    if not getattr(formatter, "_govwatch_chinese", False):
        formatter.write_usage, formatter.write_dl = usage, rows
        formatter._govwatch_chinese = True


def chinese_click() -> None:
    """Click's and Typer's own messages in Chinese, for every command (called once by govwatch/cli/app.py)."""
    import importlib

    for package in ("click", "typer._click"):  # Typer ≥ 0.20 carries its own copy of Click
        for part in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils"):
            try:
                module = importlib.import_module(f"{package}.{part}")
            except ImportError:
                continue
            if callable(getattr(module, "_", None)):
                module._ = _zh
            if callable(getattr(module, "ngettext", None)):
                module.ngettext = _zh_plural
    for package in ("click", "typer._click"):
        try:
            exceptions = importlib.import_module(f"{package}.exceptions")
            formatting = importlib.import_module(f"{package}.formatting")
        except ImportError:
            continue
        exceptions.UsageError.show = _show_usage_error
        exceptions.ClickException.show = _show_error
        _chinese_help(formatting.HelpFormatter)
    for name in ("typer.core", "typer.rich_utils"):
        module = importlib.import_module(name)
        if callable(getattr(module, "_", None)):
            module._ = _zh
    try:
        import typer._coercion as coercion
    except ImportError:  # another Typer: its messages stay as they are
        return
    if hasattr(coercion, "get_error_msg"):
        coercion.get_error_msg = _zh_error
