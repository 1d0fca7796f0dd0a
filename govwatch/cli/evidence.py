"""`govwatch evidence`: the files behind a site's findings, listed by 栏目 and finding, and packed
into a folder a unit can be handed: screenshots named by 栏目 and finding, each stamped (in its
name and in a one-page HTML summary) with its URL and capture time."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from config.clock import to_beijing
from config.vocabulary import VERDICT_WORDS
from govwatch.cli._common import context, emit_json, fail, open_db, out, parse_as_of, registered_site_id
from inspection.evidence_stamp import StampJob, stamp_screenshots
from inspection.sites import evaluate_sites
from reports.plain import plain, ptext
from reports.verdict import verdict_json
from storage.db import Database
from storage.records import Evidence


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence)


def _captured(db: Database, run_id: int | None) -> dict[tuple[str, str], datetime]:
    """(page URL, kind) -> when the file was captured (UTC)."""
    if run_id is None:
        return {}

    with db.session() as session:
        rows = session.execute(select(Evidence.url, Evidence.kind, Evidence.created_at)
                               .where(Evidence.run_id == run_id)).all()
    return {(url, kind): at for url, kind, at in rows}


def _beijing(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return to_beijing(at).strftime("%Y-%m-%d %H:%M")


def _safe(text: str, limit: int = 40) -> str:
    """A file-name part: the words people read, without characters a file system refuses."""
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "_", plain(text)).strip("._")
    return cleaned[:limit] or "页面"


def evidence_rows(report: dict[str, Any], indicator: str | None, captured: dict) -> list[dict[str, Any]]:
    rows = []
    for finding in report["findings"]:
        if indicator and finding["indicator"] != indicator:
            continue
        for entry in finding["evidence"]:
            files = entry.get("files") or {}
            page = entry.get("found_on") or entry.get("url")
            column = entry.get("column") or ("首页" if page == report["site"].get("url") or
                                              page == report.get("home_url") else "")
            when = captured.get((page, "screenshot")) or captured.get((entry.get("url"), "screenshot"))
            rows.append({"indicator": finding["indicator"], "title": finding["title"], "column": column,
                         "page": page, "about": entry.get("url"), "screenshot": files.get("screenshot"),
                         "html": files.get("html"), "captured_at": _beijing(when) or None})
    return rows


def write_pack(folder: Path, report: dict[str, Any], rows: list[dict[str, Any]], zip_it: bool,
               chromium: str | None = None) -> Path:
    """One folder per site: screenshots and HTML named 序号_指标_栏目_时间, each screenshot stamped with
    its page's URL, capture time, finding and 栏目 (drawn above the picture), and 证据说明.html, a
    one-page summary. Returns the folder (or zip)."""

    site = report["site"]
    target = folder / _safe(f"{site.get('code') or ''}_{site['name']}", 60)
    target.mkdir(parents=True, exist_ok=True)
    items = []
    stamps: list[StampJob] = []
    for n, row in enumerate(rows, 1):
        stem = "_".join(filter(None, (f"{n:02d}", row["indicator"], _safe(row["column"] or row["title"], 30),
                                      (row["captured_at"] or "").replace("-", "").replace(" ", "-").replace(":", ""))))
        names = {}
        for kind, suffix in (("screenshot", ".png"), ("html", ".html")):
            source = row.get(kind)
            if source and Path(source).is_file():
                name = stem + ("_源码" if kind == "html" else "") + suffix
                if kind == "screenshot":
                    stamps.append(StampJob(Path(source), target / name, (
                        f"网址：{plain(row['page'] or '')}", f"截图时间：{row['captured_at'] or '—'}（北京时间）",
                        f"问题：{row['indicator']} {plain(row['title'])}　栏目：{plain(row['column']) or '—'}")))
                else:
                    shutil.copyfile(source, target / name)
                names[kind] = name
        items.append((row, names))
    unstamped = stamp_screenshots(stamps, chromium)
    if unstamped:
        for job in stamps:
            shutil.copyfile(job.source, job.target)
        report = {**report, "stamp_note": unstamped}
    (target / "证据说明.html").write_text(_summary_html(report, items), encoding="utf-8")
    if not zip_it:
        return target
    archive = target.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(target.iterdir()):
            zf.write(path, f"{target.name}/{path.name}")
    shutil.rmtree(target)
    return archive


def _summary_html(report: dict[str, Any], items: list[tuple[dict, dict]]) -> str:
    e = html.escape
    site = report["site"]
    words = VERDICT_WORDS
    parts = [f"<!doctype html><meta charset='utf-8'><title>{e(site['name'])} 证据</title>",
             "<style>body{font-family:sans-serif;margin:2em}figure{margin:1em 0;border:1px solid #999;padding:.5em}"
             ".stamp{background:#fffbe6;border:1px solid #d4b106;padding:.3em;font-size:90%}"
             "img{max-width:100%}td,th{border:1px solid #ccc;padding:.2em .5em}</style>",
             f"<h1>{e(site['name'])}</h1><p>网址 {e(site['url'])}　网站标识码 {e(site.get('code') or '—')}</p>",
             f"<p>结论 <b>{e(words.get(report['verdict'], report['verdict']))}</b>　监测时间点 {e(report['as_of'])}"
             f"　指标体系 {e(report['profile'])}　主要问题 {e(plain(report.get('problems') or '无'))}</p>",
             f"<p class='stamp'>{e(report['stamp_note'])}</p>" if report.get("stamp_note") else "",
             "<table><tr><th>序号</th><th>问题</th><th>栏目</th><th>页面</th><th>截图时间（北京时间）</th><th>文件</th></tr>"]
    for n, (row, names) in enumerate(items, 1):
        files = "、".join(f"<a href='{e(v)}'>{e(v)}</a>" for v in names.values()) or "（无文件）"
        parts.append(f"<tr><td>{n}</td><td>{e(row['indicator'])} {e(plain(row['title']))}</td>"
                     f"<td>{e(plain(row['column']) or '—')}</td><td>{e(plain(row['page'] or ''))}</td>"
                     f"<td>{e(row['captured_at'] or '—')}</td><td>{files}</td></tr>")
    parts.append("</table>")
    for n, (row, names) in enumerate(items, 1):
        if "screenshot" not in names:
            continue
        parts.append(f"<figure><div class='stamp'>{n}. {e(row['indicator'])} {e(plain(row['title']))}"
                     f"　栏目：{e(plain(row['column']) or '—')}<br>网址：{e(plain(row['page'] or ''))}"
                     f"<br>截图时间：{e(row['captured_at'] or '—')}（北京时间）</div>"
                     f"<img src='{e(names['screenshot'])}' alt='{e(names['screenshot'])}'></figure>")
    return "\n".join(parts) + "\n"


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def evidence(
    site: Annotated[str, typer.Argument(help="已登记网站的网站标识码、名称或网址。")],
    indicator: Annotated[str | None, typer.Argument(help="只看这个指标的问题，如 W-V4。")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="监测时间点。")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="指标体系名称或 YAML 文件。")] = None,
    pack: Annotated[Path | None, typer.Option("--pack", metavar="目录",
                                              help="把截图按栏目和问题命名导出到该目录，附一页证据说明。")] = None,
    zip_it: Annotated[bool, typer.Option("--zip", help="与 --pack 一起用：打成一个 zip 文件。")] = False,
    open_files: Annotated[bool, typer.Option("--open", help="用桌面看图程序打开截图。")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取），不打印表格。")] = False,
) -> None:
    """网站各问题的证据：截图和网页源码。"""
    settings, prof = context(profile)
    when = parse_as_of(as_of)
    db = open_db(settings)
    [ev] = evaluate_sites(db, [registered_site_id(db, site)], when, prof, save=False,
                          evidence_root=settings.evidence_dir)
    report = verdict_json(ev)
    rows = evidence_rows(report, indicator, _captured(db, ev.obs.run_id))
    if indicator and not rows:
        raise fail(f"{report['site']['name']}：监测时间点 {when.isoformat()} 没有 {indicator!r} 的问题")
    if open_files and not has_display():
        raise fail("这台机器没有图形界面（DISPLAY 未设置），无法打开截图；请用 --pack 目录 导出后拷走查看", code=1)
    packed = None
    if pack is not None:
        try:
            packed = write_pack(pack, report, rows, zip_it, settings.chromium())
        except OSError as exc:
            raise fail(f"{pack}: 无法写入：{exc.strerror}") from None
    if json_out:
        emit_json({"rows": rows, "pack": str(packed)} if packed else rows)
    else:
        table = Table(title=f"{plain(report['site']['name'])} 证据（监测时间点 {report['as_of']}）")
        for name in ("问题", "栏目", "页面", "截图时间"):
            table.add_column(name, overflow="fold", no_wrap=name == "截图时间")
        for row in rows:
            table.add_row(ptext(f"{row['indicator']} {row['title']}"), ptext(row["column"] or "—"),
                          ptext(row["page"] or "—"), row["captured_at"] or ("无截图" if not row["screenshot"] else "—"))
        out.print(table)
        if packed:
            out.print(ptext(f"已导出到 {packed}（打开其中的 证据说明.html）"))
        else:
            out.print(ptext("文件路径见 --json；用 --pack 目录 导出按栏目和问题命名的截图和证据说明"))
    if open_files:
        viewer = shutil.which("xdg-open") or shutil.which("open")
        shots = sorted({r["screenshot"] for r in rows if r["screenshot"]})
        if viewer is None:
            raise fail("这台机器没有看图程序（xdg-open）；请用 --pack 导出", code=1)
        for shot in shots:
            subprocess.Popen([viewer, shot])
