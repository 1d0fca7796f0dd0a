"""The `govwatch` command: the app, its global options, and the command groups, one module each."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from config.settings import SettingsError, load_settings
from govwatch import __version__
from govwatch.cli import (
    accounts,
    demo,
    evidence,
    extract,
    findings,
    info,
    inspect,
    media,
    notices,
    notify,
    report,
    service,
    sites,
    users,
    web,
)
from govwatch.cli._common import VERBOSITY, chinese_click, error_json, json_wanted, settings_file_path

chinese_click()

app = typer.Typer(help="按国办秘函〔2019〕19号及各地细则检查政府网站，输出结论、扣分和通报所需的表。",
                  no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool) -> None:
    if value:

        try:
            settings = load_settings()
            where = f"数据目录 {settings.home.resolve()}；设置文件 {settings_file_path()}"
        except SettingsError as exc:
            where = f"设置有误：{exc}"
        sys.stdout.write(f"govwatch {__version__}\n{where}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本和数据目录。")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度。")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="多显示一些：抓取日志在哪里。")] = False,
) -> None:
    """按国办秘函〔2019〕19号及各地细则检查政府网站。"""
    VERBOSITY["level"] = -1 if quiet else 1 if verbose else 0


def _register_commands() -> None:
    for module in (inspect, extract, demo, info, sites, media, service, accounts, evidence, findings,
                   report, notices, web, users, notify):
        module.register(app)


_register_commands()


def main() -> None:
    """The command as a program: a usage error is said in Chinese terms and, with --json, as JSON too."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        sys.stderr.write("已取消\n")
        sys.exit(1)
    except typer.TyperException as exc:  # Click's usage errors (Typer vendors Click)
        code = int(getattr(exc, "exit_code", 2))
        if json_wanted():
            error_json(exc.format_message() if hasattr(exc, "format_message") else str(exc), code, "usage")
        if hasattr(exc, "show"):
            exc.show()
        else:
            sys.stderr.write(f"错误：{exc}\n")
        sys.exit(code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
