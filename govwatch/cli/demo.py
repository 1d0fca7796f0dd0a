"""`govwatch demo`: the bundled sites and accounts served on 127.0.0.1, crawled and judged."""

from __future__ import annotations

import dataclasses

import typer
from rich.text import Text

from govwatch.cli._common import AsOf, JsonOpt, context, emit_json, err, open_db, out, parse_as_of
from govwatch.cli.media import demo_platforms, print_collection
from govwatch.cli.progress import crawl_with_progress
from govwatch.demo.accounts import judge_demo_accounts
from govwatch.demo.sites.server import serve_test_sites
from inspection.sites import evaluate_sites
from reports.media_verdict import account_json, print_account_results
from reports.verdict import print_evaluation, summary_table, verdict_json
from storage.repo import upsert_site


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """演示：抓取并判定自带的本机测试网站。

    测试网站在 127.0.0.1 上提供；数据单独存放，不进入登记册。"""

    settings, prof = context()
    # The test sites never enter the user's registry: the demo keeps its own data folder.
    settings = dataclasses.replace(settings, home=settings.home / "demo", database_url="")
    settings.ensure_home()
    when = parse_as_of(as_of)
    db = open_db(settings)

    collected: list[dict] = []  # simulated platforms on 127.0.0.1 (govwatch/demo/media.py), beside the crawl
    with serve_test_sites(when) as sites, demo_platforms(settings, db) as (local, account_ids):
        ids = []
        with db.session() as session:
            for s in sites:
                row, _ = upsert_site(session, url=s.url, name=s.name, code=s.code, unit=s.unit, group=s.group)
                ids.append(row.id)
        if not json_out:
            err.print(Text(f"在 127.0.0.1 上提供 {len(sites)} 个测试网站；演示数据单独存放在 {settings.home}"
                           "（不进入你的登记册）"))
        runs = crawl_with_progress(local, db, ids, when, quiet=json_out, accounts=account_ids, collected=collected)
    results = evaluate_sites(db, ids, when, prof, runs, evidence_root=settings.evidence_dir)

    media = judge_demo_accounts(when, prof)  # bundled posts of a few accounts (govwatch/demo/media/*.csv)
    if json_out:

        emit_json([verdict_json(ev) for ev in results] + [account_json(r) for r in media])
        return
    for ev in results:
        print_evaluation(out, ev)
    for row in collected:
        print_collection(out, row)
    out.print(summary_table(results))

    print_account_results(out, media)

