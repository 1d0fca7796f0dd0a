"""The `govwatch` command."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from govwatch.settings import Settings, SettingsError, load_settings
from govwatch.sites_file import SitesFileError, read_sites_file
from rules.profile import Profile, ProfileError, load_profile

app = typer.Typer(help="Inspect government websites against 国办秘函〔2019〕19号 and regional rules.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
sites_app = typer.Typer(help="The registry of sites to inspect.", no_args_is_help=True)
app.add_typer(sites_app, name="sites")

out = Console(soft_wrap=False)
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Monitoring time point, YYYY-MM-DD (default: today).")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="Indicator profile name or YAML file.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def parse_as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of {value!r} is not a date like 2023-11-20") from None


def context(profile_name: str | None = None) -> tuple[Settings, Profile]:
    try:
        settings = load_settings()
        profile = load_profile(profile_name or settings.profile)
    except (SettingsError, ProfileError) as exc:
        raise fail(str(exc)) from None
    settings.ensure_home()
    return settings, profile


def open_db(settings: Settings):  # noqa: ANN201
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database

    try:
        return Database(settings.database)
    except SQLAlchemyError as exc:
        raise fail(f"cannot open the database {settings.database}: {exc.__class__.__name__}: {exc}") from None


def registered_site_id(db, key: str) -> int:  # noqa: ANN001
    """The id of a stored site named by code, name or URL, or a clear error."""
    from storage.repo import find_site

    with db.session() as session:
        found = find_site(session, key)
        if found is None:
            raise fail(f"no site {key!r} in the store (see `govwatch sites list`)")
        return found.id


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def crawl_with_progress(settings: Settings, db, site_ids: list[int], as_of: date, quiet: bool) -> dict[int, int]:  # noqa: ANN001
    from crawler.runner import CrawlError
    from govwatch.inspect import crawl_sites

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, disable=quiet, transient=False)
    with progress:
        task = progress.add_task("crawling", total=len(site_ids))

        def done(job) -> None:  # noqa: ANN001
            progress.update(task, advance=1, description=f"crawled {job.label}")

        try:
            return crawl_sites(settings, db, site_ids, as_of, on_done=done)
        except CrawlError as exc:
            raise fail(str(exc)) from None


@app.command()
def recheck(
    site: Annotated[str, typer.Argument(help="A URL, or a registered site's code, name or URL.")],
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
    queue: Annotated[bool, typer.Option("--queue", help="Queue it for the scheduler instead of crawling now.")] = False,
) -> None:
    """Crawl one site now (复查), store what was seen, judge it and print the verdict."""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import print_evaluation, verdict_json
    from storage.repo import find_site, upsert_site

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    if not queue:  # a registered account (账号) is collected and judged now; see govwatch/cli_media.py
        from govwatch.cli_media import recheck_account

        if recheck_account(site, when, prof, json_out=json_out):
            return
    db = open_db(settings)
    with db.session() as session:
        found = find_site(session, site)
        if found is None:
            if "." not in site and "://" not in site:
                raise fail(f"{site!r} is neither a registered site nor a URL (see `govwatch sites list`)")
            found, _ = upsert_site(session, url=site, registered=False)
        site_id = found.id
    if queue:
        from scheduler.queue import enqueue_recheck

        request_id = enqueue_recheck(db, site_id, as_of=when if as_of else None, profile=prof.id)
        if json_out:
            emit_json({"queued": request_id, "site_id": site_id})
        else:
            out.print(f"recheck of {site} queued (request {request_id}); the scheduler runs it next")
        return
    runs = crawl_with_progress(settings, db, [site_id], when, quiet=json_out)
    [ev] = evaluate_sites(db, [site_id], when, prof, runs)
    if json_out:
        emit_json(verdict_json(ev))
    else:
        print_evaluation(out, ev)


@app.command()
def evaluate(
    site: Annotated[list[str] | None, typer.Option("--site", help="Site code, name or URL (repeatable).")] = None,
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Judge stored observations again, without touching the network."""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import print_evaluation, summary_table, verdict_json
    from storage.repo import registered_sites

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    db = open_db(settings)
    if site:
        ids = [registered_site_id(db, key) for key in site]
    else:
        with db.session() as session:
            ids = [s.id for s in registered_sites(session)]
    results = evaluate_sites(db, ids, when, prof)
    if json_out:
        emit_json([verdict_json(ev) for ev in results])
        return
    for ev in results if site else []:
        print_evaluation(out, ev)
    out.print(summary_table(results))


@app.command()
def crawl(
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
    workers: Annotated[bool, typer.Option("--workers", help="Hand the sites to `govwatch worker` processes "
                                                           "through Redis and wait for them.")] = False,
) -> None:
    """Crawl every registered site (a failing site never stops the others), then judge them."""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import summary_table, verdict_json
    from storage.repo import registered_sites

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    db = open_db(settings)
    with db.session() as session:
        ids = [s.id for s in registered_sites(session)]
    if not ids:
        raise fail("no registered sites; add some with `govwatch sites import FILE`")
    if workers:  # the service path: see govwatch/cli_service.py and scheduler/batches.py
        from govwatch.cli_service import inspect_with_workers

        results = inspect_with_workers(settings, db, ids, when, prof, quiet=json_out)
    else:
        runs = crawl_with_progress(settings, db, ids, when, quiet=json_out)
        results = evaluate_sites(db, ids, when, prof, runs)
    accounts = _collect_accounts(settings, db, quiet=json_out)
    if json_out:
        emit_json([verdict_json(ev) for ev in results])
    else:
        out.print(summary_table(results))
        if accounts:
            out.print(f"采集账号 {len(accounts)} 个：" + "，".join(
                f"{status} {sum(r['status'] == status for r in accounts)}" for status in sorted(
                    {r["status"] for r in accounts})))


def _collect_accounts(settings: Settings, db, *, quiet: bool) -> list[dict]:  # noqa: ANN001
    """The registered 正常 accounts, collected after the sites (govwatch/collect.py)."""
    from govwatch.cli_media import collect_with_progress
    from storage.media_repo import judged_accounts

    with db.session() as session:
        ids = [a.id for a in judged_accounts(session)]
    return collect_with_progress(settings, db, ids, quiet=quiet) if ids else []


@sites_app.command("import")
def sites_import(
    file: Annotated[Path, typer.Argument(help="CSV or YAML: code 网站标识码, name, url, unit 主办单位, group.")],
) -> None:
    """Register sites from a file; a bad line stops the import and nothing is written."""
    from storage.repo import upsert_site

    settings, _ = context()
    try:
        entries = read_sites_file(file)
    except SitesFileError as exc:
        raise fail(str(exc)) from None
    db = open_db(settings)
    added = updated = 0
    with db.session() as session:
        for entry in entries:
            _, created = upsert_site(session, url=entry.url, name=entry.name, code=entry.code, unit=entry.unit,
                                     group=entry.group)
            added += created
            updated += not created
    out.print(f"{file}: {added} site(s) added, {updated} updated")


@sites_app.command("list")
def sites_list(json_out: JsonOpt = False) -> None:
    """The registered sites."""
    from storage.repo import registered_sites

    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        rows = [{"code": s.code, "name": s.name, "url": s.url, "unit": s.unit, "group": s.group}
                for s in registered_sites(session)]
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"已登记网站（{len(rows)}）")
    for name in ("网站标识码", "网站名称", "网址", "主办单位", "分组"):
        table.add_column(name)
    for r in rows:
        table.add_row(r["code"] or "—", r["name"], r["url"], r["unit"] or "—", r["group"] or "—")
    out.print(table)


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="An HTML file or a URL.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's own URL (for a file).")] = None,
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """What the crawler sees on one page: dated items, latest date, blank or not, column meta."""
    from govwatch.extract_cmd import extract_source, print_extract

    when = parse_as_of(as_of)
    try:
        result = extract_source(source, url, when)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    if json_out:
        emit_json(result)
    else:
        print_extract(out, result)


@app.command()
def demo(
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """Serve the bundled test sites on 127.0.0.1, register them, crawl, judge and print the results."""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import print_evaluation, summary_table, verdict_json
    from storage.repo import upsert_site

    try:
        from tests.sites.server import serve_test_sites
    except ImportError:
        raise fail("the bundled test sites (tests/sites) are not installed; run from a source checkout") from None
    settings, prof = context()
    when = parse_as_of(as_of)
    db = open_db(settings)
    with serve_test_sites(when) as sites:
        ids = []
        with db.session() as session:
            for s in sites:
                row, _ = upsert_site(session, url=s.url, name=s.name, code=s.code, unit=s.unit, group=s.group)
                ids.append(row.id)
        if not json_out:
            err.print(f"serving {len(sites)} test sites on 127.0.0.1; database {settings.database}")
        runs = crawl_with_progress(settings, db, ids, when, quiet=json_out)
    results = evaluate_sites(db, ids, when, prof, runs)
    from govwatch.cli_media import demo_accounts, print_collection

    accounts = demo_accounts(settings, db, quiet=json_out)  # simulated 政务新媒体 accounts (tests/sites/media.py)
    if json_out:
        emit_json([verdict_json(ev) for ev in results])
        return
    for ev in results:
        print_evaluation(out, ev)
    for row in accounts:
        print_collection(out, row)
    out.print(summary_table(results))


def _register_commands() -> None:
    """Further commands live in modules of their own: the service deployment (db, schedule, worker,
    probe), evidence, and the findings inspectors enter by hand."""
    from govwatch import cli_evidence, cli_findings, cli_media, cli_service

    cli_media.register(app)
    cli_service.register(app)
    cli_evidence.register(app)
    cli_findings.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
