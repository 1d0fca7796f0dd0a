"""`govwatch sites …`: the registry of sites, kept equal to the office's list from 信息报送系统.

import (xlsx/CSV/TSV/UTF-16 text/YAML; `--replace` makes the registry equal to the file), list,
export (the same shape, so it imports again), disable/enable (history kept), remove (history deleted).
The accounts registry (govwatch/cli_accounts.py, issue 9) follows the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from govwatch.cli._common import context, emit_json, fail, open_db, out
from inspection.registry.sites import KIND_WORDS, STATUS_WORDS, SitesFileError, apply_names, export_rows, read_sites
from inspection.registry.tables import TableFileError, write_table
from reports.plain import Wrapped, plain, ptext
from storage.models import Site
from storage.repo import find_site, registered_sites, remove_site, upsert_site

sites_app = typer.Typer(help="网站登记册：导入、查看、导出、停用、删除。", no_args_is_help=True)
Key = Annotated[list[str], typer.Argument(help="网站标识码、网站名称或网址（可写多个）。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取），不打印表格。")]


def register(app: typer.Typer) -> None:
    app.add_typer(sites_app, name="sites")


@sites_app.command("import")
def sites_import(
    file: Annotated[Path, typer.Argument(help="信息报送系统导出的 .xlsx，或 CSV、制表符分隔、“Unicode 文本”、YAML："
                                              "网站名称、网站标识码、首页网址、主办单位、网站类型、网站状态。")],
    replace: Annotated[bool, typer.Option("--replace", help="使登记册与文件一致：文件中没有的网站停用（保留历史，"
                                                            "不删除）。")] = False,
    json_out: JsonOpt = False,
) -> None:
    """登记文件中的网站。

    有一行错误就全部不写入，并指出文件和行号。"""

    settings, _ = context()
    try:
        read = read_sites(file)
    except SitesFileError as exc:
        raise fail(str(exc)) from None
    db = open_db(settings)
    added = updated = disabled = 0
    with db.session() as session:
        kept = set()
        for entry in read.entries:
            site, created = upsert_site(session, url=entry.url, name=entry.name, code=entry.code, unit=entry.unit,
                                        group=entry.group, kind=entry.kind, status=entry.status,
                                        enabled=entry.enabled if entry.enabled is not None else (True if replace
                                                                                                  else None))
            apply_names(site, entry)
            kept.add(site.id)
            added += created
            updated += not created
        if replace:
            for site in registered_sites(session):
                if site.id not in kept and site.enabled:
                    site.enabled = False
                    disabled += 1
    closed = sum(e.status != "normal" for e in read.entries)
    report = {"file": str(file), "added": added, "updated": updated, "disabled": disabled, "closed": closed,
              "header_line": read.header_line, "columns_used": read.used, "columns_ignored": read.ignored}
    if json_out:
        emit_json(report)
        return
    used = "、".join(read.used) or "—"
    out.print(Wrapped(plain(f"{file}：新增 {added} 个网站，更新 {updated} 个"
                            + (f"，停用 {disabled} 个（文件中没有，历史保留）" if replace else "")
                            + (f"；其中关停/注销 {closed} 个（保留，不抓取）" if closed else "")), indent=2))
    out.print(Wrapped(plain(f"表头在第 {read.header_line} 行；使用的列：{used}；"
                            f"未使用的列：{'、'.join(read.ignored) or '无'}"), indent=2))


def _rows(sites: Iterable[Site]) -> list[dict]:
    return [{"code": s.code, "name": s.name, "url": s.url, "unit": s.unit, "group": s.group,
             "kind": s.kind, "kind_text": KIND_WORDS.get(s.kind or "", ""), "status": s.status,
             "status_text": STATUS_WORDS.get(s.status, s.status), "enabled": s.enabled} for s in sites]


@sites_app.command("list")
def sites_list(json_out: JsonOpt = False) -> None:
    """已登记的网站（标明是否抓取）。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        rows = _rows(registered_sites(session))
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"已登记网站（{len(rows)}）")
    for name in ("网站标识码", "网站名称", "网址", "主办单位", "类型", "状态"):
        table.add_column(name, overflow="fold", no_wrap=name in ("类型",))
    for r in rows:
        state = r["status_text"] + ("" if r["enabled"] else "，已停用")
        if r["status"] != "normal" or not r["enabled"]:
            state += "（不抓取）"
        table.add_row(ptext(r["code"] or "—"), ptext(r["name"]), ptext(r["url"]), ptext(r["unit"] or "—"),
                      r["kind_text"] or ptext(r["group"] or "—"), state)
    out.print(table)


def _sites_named(session: Session, keys: list[str], *, registered_only: bool) -> list:
    """Every site the keys name, or a failure naming the first unknown key before anything is changed."""
    found = []
    for key in keys:
        site = find_site(session, key)
        if site is None or (registered_only and not site.registered):
            raise fail(f"登记册中没有网站 {key!r}（见 `govwatch sites list`）；未做任何修改")
        found.append(site)
    return found


def _set_enabled(keys: list[str], enabled: bool) -> None:
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        found = _sites_named(session, keys, registered_only=True)
        for site in found:
            site.enabled = enabled
    word = "启用" if enabled else "停用（保留历史，不再抓取）"
    for site in found:
        out.print(ptext(f"已{word}：{site.name}  {site.url}"))


@sites_app.command("disable")
def sites_disable(key: Key) -> None:
    """停用网站：不再抓取和评价，历史数据保留。"""
    _set_enabled(key, False)


@sites_app.command("enable")
def sites_enable(key: Key) -> None:
    """重新启用停用的网站。"""
    _set_enabled(key, True)


@sites_app.command("remove")
def sites_remove(
    key: Key,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="确认删除（连同全部历史数据）。")] = False,
) -> None:
    """删除网站及其全部历史数据。

    只想不再检查时请用 `sites disable`。"""

    if not yes:
        raise fail("删除会同时删除该网站的全部历史数据；确认请加 --yes，只想不再检查请用 `govwatch sites disable`")
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        found = [(site, site.name, site.url) for site in _sites_named(session, key, registered_only=False)]
        for site, _, _ in found:
            remove_site(session, site)
    for _, name, url in found:
        out.print(ptext(f"已删除：{name}  {url}"))


@sites_app.command("export")
def sites_export(
    file: Annotated[Path, typer.Argument(help="写到的文件：.xlsx 或 .csv（与导入的格式相同，可再次导入）。")],
) -> None:
    """导出登记册，格式与信息报送系统的表相同。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        headers, rows = export_rows(list(registered_sites(session)))
    try:
        write_table(file, headers, rows, sheet_title="网站列表", title="政府网站登记册（govwatch 导出）",
                    text_columns=(2,))  # 网站标识码 stays text
    except TableFileError as exc:
        raise fail(str(exc)) from None
    out.print(ptext(f"已导出 {len(rows)} 个网站到 {file}"))
