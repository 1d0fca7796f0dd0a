"""Judging memory against the number of sites: judge N synthetic stored runs and report the peak RSS growth
per site, for N = 100 and N = 1000 (issue 22: judging memory flat in the number of sites). Not a timed test.

    .venv/bin/python bench/judging.py                      # SQLite file, N = 100 and 1000, every way
    .venv/bin/python bench/judging.py --pg                 # a fresh PostgreSQL schema at 127.0.0.1:5432/test
    .venv/bin/python bench/judging.py --sizes 100 1000 --way batch

Each site's run is stored as a crawl leaves it (30 columns, 31 pages, 300 link checks of which 10 dead,
150 list items, 40 observer records), under one batch. Each (way, N) is measured in a process of its own,
after judging 5 sites to warm up (imports, the profile, the caches), so the figure is what judging N more
sites adds to the peak:

- `one-session`: the old way (before issue 22): every site judged in one SQLAlchemy session, results kept;
- `sites`: inspection/sites.py evaluate_sites (one session per site), the full Evaluations kept (what
  `govwatch crawl` and `evaluate` print from);
- `batch`: scheduler/batches.py Judging (`ready` as runs close, then `finish`: one session per site, each
  verdict kept as the light `Judged`), what a nightly batch's coordinator holds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 20)
WAYS = ("one-session", "sites", "batch")
WARM = 5


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def populate(url: str, sites: int) -> int:
    """`sites` sites each with one finished run, all in one batch; returns the batch id."""
    from sqlalchemy import insert

    from storage.db import Database
    from storage.models import BatchRun, Column, CrawlBatch, CrawlRun, LinkCheck, ListItem, Page, Site
    from storage.records import Observation

    db = Database(url)
    now = datetime(2026, 11, 20, 3, 0)
    with db.session() as session:
        batch = CrawlBatch(kind="nightly", mode="local", owner="bench", as_of=AS_OF, profile="national-2019",
                           started_at=now - timedelta(hours=1), heartbeat_at=now, status="running")
        session.add(batch)
        session.flush()
        batch_id = batch.id
    conn_rows: dict[type, list[dict]] = {}
    with db.engine.begin() as conn:
        for s in range(1, sites + 1):
            host = f"http://www.bench{s}.gov.cn/"
            site_id = conn.execute(insert(Site).values(url=host, name=f"测试县{s}人民政府", code=f"52{s:08d}",
                                                       registered=True, created_at=now, status="normal",
                                                       enabled=True)).inserted_primary_key[0]
            run_id = conn.execute(insert(CrawlRun).values(
                site_id=site_id, started_at=now, finished_at=now + timedelta(minutes=3), reference_date=AS_OF,
                status="ok", home_url=host, home_latest_date=AS_OF - timedelta(days=s % 20),
                home_title=f"测试县{s}人民政府", home_meta={"SiteName": f"测试县{s}人民政府"},
                stats={"pages": 31})).inserted_primary_key[0]
            conn.execute(insert(BatchRun).values(batch_id=batch_id, site_id=site_id, run_id=run_id, attempt=1,
                                                 superseded=False))
            pages = [dict(run_id=run_id, url=host, final_url=host, role="home", status=200, elapsed_ms=120.0,
                          content_type="text/html", encoding="utf-8", size=80_000, fetched_at=now)]
            for c in range(30):
                column_url = f"{host}col{c}/"
                pages.append(dict(run_id=run_id, url=column_url, final_url=column_url, role="column", status=200,
                                  elapsed_ms=150.0, content_type="text/html", encoding="utf-8", size=40_000,
                                  fetched_at=now))
                column_id = conn.execute(insert(Column).values(
                    run_id=run_id, name=f"栏目{c}", url=column_url, level=1, category="news" if c % 3 else "notice",
                    category_source="keyword", page_kind="list", latest_date=AS_OF - timedelta(days=3 * c),
                    item_count=5, undated_count=0, page_count=1, blank=c == 29, status=200)).inserted_primary_key[0]
                conn_rows.setdefault(ListItem, []).extend(
                    dict(run_id=run_id, site_id=site_id, column_id=column_id, title=f"栏目{c}第{k}条信息标题",
                         url=f"{column_url}t2026_{k}.html", published=AS_OF - timedelta(days=3 * c + k),
                         date_text=(AS_OF - timedelta(days=3 * c + k)).isoformat(), date_source="list",
                         position=k, pinned=False, first_seen_at=now) for k in range(5))
            conn_rows.setdefault(Page, []).extend(pages)
            conn_rows.setdefault(LinkCheck, []).extend(
                dict(run_id=run_id, url=f"{host}link{k}.html", found_on=f"{host}col{k % 30}/",
                     link_text=f"链接{k}", status=404 if k < 10 else 200, outcome="broken" if k < 10 else "ok",
                     kind="link", error="HTTP 404" if k < 10 else None, method="GET", elapsed_ms=90.0,
                     checked_at=now) for k in range(300))
            conn_rows.setdefault(Observation, []).extend(
                dict(run_id=run_id, kind="bench", url=f"{host}col{k % 30}/", found_on=host,
                     data={"text": "页脚信息" * 20, "k": k}, observed_at=now) for k in range(40))
            if s % 50 == 0 or s == sites:
                for model, rows in conn_rows.items():
                    conn.execute(insert(model), rows)
                conn_rows.clear()
    db.dispose()
    return batch_id


def measure(url: str, batch_id: int, way: str, sites: int) -> dict:
    """In this process: judge WARM sites, then all; the peak RSS growth over the judging of the rest."""
    from sqlalchemy import select

    from config.settings import load_settings
    from inspection.sites import evaluate_sites
    from reports.verdict import verdict_json
    from rules.engine import evaluate
    from rules.observations import observations
    from rules.profile import load_profile
    from scheduler.batches import Judging
    from storage.db import Database
    from storage.models import Evaluation, Site
    from storage.repo import interrupted_runs_after, run_for_evaluation, save_evaluation

    db = Database(url)
    profile = load_profile("national-2019")
    evidence = load_settings().evidence_dir
    with db.session() as session:
        ids = list(session.scalars(select(Site.id).order_by(Site.id)))

    def one_session(site_ids: list[int]) -> list:  # evaluate_sites as it was before issue 22
        results = []
        with db.session() as session:
            for site_id in site_ids:
                site = session.get(Site, site_id)
                run = run_for_evaluation(session, site, AS_OF)
                newer = interrupted_runs_after(session, site, AS_OF, run)
                ev = evaluate(observations(site, run, session, evidence, interrupted=newer), AS_OF, profile)
                save_evaluation(session, site, run, verdict_json(ev))
                results.append(ev)
        return results

    kept: list = []
    if way == "batch":  # the warm-up: a throw-away batch would judge them twice; judge the first WARM sites
        kept += evaluate_sites(db, ids[:WARM], AS_OF, profile, evidence_root=evidence)
    elif way == "sites":
        kept += evaluate_sites(db, ids[:WARM], AS_OF, profile, evidence_root=evidence)
    else:
        kept += one_session(ids[:WARM])
    base_rss, base_peak = rss_mb(), peak_mb()
    rest = ids[WARM:]
    if way == "batch":
        with db.session() as session:  # the warm-up's verdicts are not the batch's: judged again in it
            for ev in session.scalars(select(Evaluation)):
                session.delete(ev)
        judging = Judging(db, batch_id, profile)
        judging.ready()
        kept = judging.finish()
    elif way == "sites":
        kept += evaluate_sites(db, rest, AS_OF, profile, evidence_root=evidence)
    else:
        kept += one_session(rest)
    judged = len(kept) - (WARM if way != "batch" else 0)
    growth = max(peak_mb(), rss_mb()) - max(base_peak, base_rss)
    db.dispose()
    return {"way": way, "sites": sites, "judged": judged, "base_mb": round(base_rss, 1),
            "peak_growth_mb": round(growth, 1), "per_site_kb": round(growth * 1024 / max(judged, 1), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--way", choices=WAYS, action="append")
    parser.add_argument("--pg", action="store_true", help="a fresh PostgreSQL schema instead of a SQLite file")
    parser.add_argument("--measure", nargs=4, metavar=("URL", "BATCH", "WAY", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        url, batch, way, n = args.measure
        print(json.dumps(measure(url, int(batch), way, int(n))))
        return
    rows = []
    for n in args.sizes:
        for way in args.way or WAYS:
            with tempfile.TemporaryDirectory() as tmp, _database(args.pg, tmp) as url:
                batch_id = populate(url, n)
                env = {"GOVWATCH_HOME": str(Path(tmp) / "home"), "PATH": "/usr/bin:/bin"}
                done = subprocess.run([sys.executable, __file__, "--measure", url, str(batch_id), way, str(n)],
                                      capture_output=True, text=True, env=env, cwd=ROOT, check=False)
                if done.returncode:
                    sys.exit(done.stderr[-3000:])
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(json.dumps(rows[-1]), flush=True)
    print()
    print("| way | sites | base RSS MB | peak growth MB | per site KB |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['way']} | {r['sites']} | {r['base_mb']} | {r['peak_growth_mb']} | {r['per_site_kb']} |")


class _database:
    """A SQLite file in `tmp`, or a fresh PostgreSQL schema (dropped afterwards)."""

    def __init__(self, pg: bool, tmp: str) -> None:
        self.pg, self.tmp, self._schema = pg, tmp, None

    def __enter__(self) -> str:
        if not self.pg:
            return f"sqlite:///{Path(self.tmp) / 'bench.db'}"
        from tests.conftest import fresh_pg_schema

        self._schema = fresh_pg_schema("bench")
        return self._schema.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._schema is not None:
            self._schema.__exit__(*exc)


if __name__ == "__main__":
    main()
