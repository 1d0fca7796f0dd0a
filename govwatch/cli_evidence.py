"""`govwatch evidence`: the files behind a site's findings, to open or to cite."""

from __future__ import annotations

import shutil
import subprocess
from typing import Annotated

import typer
from rich.table import Table


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence)


def evidence(
    site: Annotated[str, typer.Argument(help="已登记网站的网站标识码、名称或网址。")],
    indicator: Annotated[str | None, typer.Argument(help="Only this finding's indicator, e.g. W-V4.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitoring time point, YYYY-MM-DD.")] = None,
    profile: Annotated[str | None, typer.Option("--profile")] = None,
    open_files: Annotated[bool, typer.Option("--open", help="Open the screenshots with the desktop viewer.")] = False,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print (or open) the screenshots and stored HTML that prove a site's findings."""
    from govwatch.cli import context, emit_json, fail, open_db, out, parse_as_of, registered_site_id
    from govwatch.inspect import evaluate_sites
    from reports.verdict import verdict_json

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    db = open_db(settings)
    [ev] = evaluate_sites(db, [registered_site_id(db, site)], when, prof, save=False,
                          evidence_root=settings.evidence_dir)
    report = verdict_json(ev)
    rows = []
    for finding in report["findings"]:
        if indicator and finding["indicator"] != indicator:
            continue
        for entry in finding["evidence"]:
            files = entry.get("files") or {}
            rows.append({"indicator": finding["indicator"], "title": finding["title"],
                         "page": entry.get("found_on") or entry.get("url"), "about": entry.get("url"),
                         "screenshot": files.get("screenshot"), "html": files.get("html")})
    if indicator and not rows:
        raise fail(f"{report['site']['name']}: no finding {indicator!r} at {when.isoformat()}")
    if json_out:
        emit_json(rows)
    else:
        table = Table(title=f"{report['site']['name']} 证据（监测时间点 {report['as_of']}）")
        for name in ("指标", "页面", "截图", "网页源码"):
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(f"{row['indicator']} {row['title']}", row["page"] or "—", row["screenshot"] or "—",
                          row["html"] or "—")
        out.print(table)
    if open_files:
        viewer = shutil.which("xdg-open") or shutil.which("open")
        shots = sorted({r["screenshot"] for r in rows if r["screenshot"]})
        if viewer is None:
            raise fail("no desktop viewer (xdg-open) on this machine; the paths are printed above")
        for shot in shots:
            subprocess.Popen([viewer, shot])  # noqa: S603
