"""scheduler/batches.py Judging: each site of a batch judged as soon as its run closes, while the others are
still crawled (local child process and `crawl --workers`), each in its own session; exactly one verdict per
site per batch, also when the batch is adopted after its coordinator died."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

from sqlalchemy import select

from inspection.sites import Judged, stored_verdicts
from rules.profile import load_profile
from scheduler import jobs
from scheduler.batches import Judging, create_batch, run_batch
from storage.db import Database
from storage.interrupted import INTERRUPTED
from storage.models import BatchRun, Column, CrawlBatch, CrawlRun, Evaluation, LinkCheck
from storage.repo import upsert_site, utcnow
from tests.test_scheduler import settings_for

AS_OF = date(2026, 11, 20)


def _links(db: Database, batch_id: int) -> list[BatchRun]:
    with db.session() as session:
        return list(session.scalars(select(BatchRun).where(BatchRun.batch_id == batch_id,
                                                           BatchRun.superseded.is_(False)).order_by(BatchRun.id)))


def _close(db: Database, run_id: int, status: str = "ok") -> None:
    with db.session() as session:
        run = session.get(CrawlRun, run_id)
        run.status, run.finished_at = status, utcnow()
        run.home_url = "http://www.a.gov.cn/" if status == "ok" else None


def _evaluations(db: Database) -> list[tuple[int, int | None]]:
    with db.session() as session:
        return sorted(session.execute(select(Evaluation.site_id, Evaluation.run_id)).all(),
                      key=lambda r: (r[0], r[1] or 0))


def test_ready_judges_closed_runs_once_and_finish_the_rest(tmp_path, db_url) -> None:
    """No crawl: runs closed by hand. `ready` judges only closed runs (never a running or interrupted one),
    never twice; `finish` judges the rest once (the interrupted run on no crawl: 无法核验) and a second
    coordinator over the same batch judges nothing again."""
    db = Database(db_url)
    with db.session() as session:
        ids = [upsert_site(session, url=f"http://www.s{i}.gov.cn/", name=f"站{i}")[0].id for i in range(4)]
    batch_id = create_batch(db, ids, AS_OF, "national-2019", kind="nightly", mode="local", owner="test")
    runs = [link.run_id for link in _links(db, batch_id)]
    profile = load_profile("national-2019")
    judging = Judging(db, batch_id, profile)
    assert judging.ready() == 0  # all still running
    _close(db, runs[0])
    with db.session() as session:  # what the summary counts: columns, blank ones, dead links (by URL)
        for k, blank in enumerate((False, True, False)):
            session.add(Column(run_id=runs[0], name=f"栏目{k}", url=f"http://www.a.gov.cn/c{k}/", category="news",
                               category_source="keyword", blank=blank, latest_date=AS_OF - timedelta(days=k)))
        for k, outcome in enumerate(("broken", "broken", "ok", "timeout")):
            session.add(LinkCheck(run_id=runs[0], url=f"http://www.a.gov.cn/x{k % 2 if k < 2 else k}.html",
                                  found_on=f"http://www.a.gov.cn/c{k % 3}/", status=404, outcome=outcome,
                                  checked_at=utcnow()))
    _close(db, runs[1], "failed")
    _close(db, runs[2], INTERRUPTED)  # crawled again under a new run, unless it is the last attempt
    assert judging.ready() == 2
    assert _evaluations(db) == [(ids[0], runs[0]), (ids[1], runs[1])]
    assert judging.ready() == 0  # not twice
    assert Judging(db, batch_id, profile).ready() == 0  # nor by another coordinator: read from the store
    results = judging.finish()
    assert [type(j) for j in results] == [Judged] * 4
    assert [j.site_id for j in results] == ids  # the batch's order, not the order judged
    # The open run was failed by the crawl's end in real life; here it is judged as it stands (no crawl), the
    # interrupted one on no crawl (its evaluation names no run).
    assert _evaluations(db) == sorted([(ids[0], runs[0]), (ids[1], runs[1]), (ids[2], None), (ids[3], None)],
                                      key=lambda r: (r[0], r[1] or 0))
    assert [j.verdict for j in results][1:] == ["unknown"] * 3
    with db.session() as session:
        assert session.get(CrawlBatch, batch_id).status == "done"
    assert Judging(db, batch_id, profile).finish() == []  # everything judged: nothing again
    assert len(_evaluations(db)) == 4
    # The JSON callers print is the stored one, in the order given; the slim evaluation is enough for tables.
    verdicts = stored_verdicts(db, results)
    assert [v["site"]["url"] for v in verdicts] == [f"http://www.s{i}.gov.cn/" for i in range(4)]
    assert all(j.summary.obs.records == {} and j.summary.indicators == [] for j in results)
    # The slim evaluation prints the same summary (table on a wide terminal, blocks on a narrow one) as the full.
    from io import StringIO

    from rich.console import Console

    from inspection.sites import evaluate_sites
    from reports.verdict import summary_table

    full = evaluate_sites(db, ids, AS_OF, profile, {j.site_id: j.run_id for j in results if j.run_id}, save=False)
    for width in (200, 80):
        shown = []
        for evs in (full, [j.summary for j in results]):
            console = Console(file=StringIO(), width=width, color_system=None)
            console.print(summary_table(evs))
            shown.append(console.file.getvalue())
        assert shown[0] == shown[1] and "站0" in shown[0]
    assert (len(results[0].summary.obs.columns), len(results[0].summary.obs.links)) == (3, 3)
    db.dispose()


def test_a_judged_site_is_not_judged_again_after_recovery(tmp_path, farm_factory) -> None:
    """A coordinator died mid-batch: one site finished and judged, one finished and not judged, one not
    finished. The adopting scheduler crawls only the unfinished one and judges the two unjudged: one
    Evaluation per site, the judged one kept as it was."""
    farm = farm_factory(1, columns=2)
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    db = Database(settings.database)
    jobs.use(jobs.Context(settings, db, "new-scheduler"))
    with db.session() as session:
        ids = [upsert_site(session, url=u, name=f"站{i}")[0].id
               for i, u in enumerate(["http://www.judged.gov.cn/", "http://www.waiting.gov.cn/", farm.urls[0]])]
    batch_id = create_batch(db, ids, AS_OF, "national-2019", kind="nightly", mode="local", owner="dead-process")
    judged_run, waiting_run, cut_run = [link.run_id for link in _links(db, batch_id)]
    _close(db, judged_run)
    _close(db, waiting_run)
    Judging(db, batch_id).ready()  # the dead coordinator judged both finished sites ...
    with db.session() as session:
        first = session.scalars(select(Evaluation).where(Evaluation.run_id == waiting_run)).one()
        session.delete(first)  # ... no: it died before the second verdict was stored
    with db.session() as session:
        [kept] = session.scalars(select(Evaluation.id)).all()
        session.get(CrawlBatch, batch_id).heartbeat_at = utcnow() - timedelta(minutes=10)
    assert jobs.recover() == [batch_id]
    with db.session() as session:
        current = {link.site_id: link.run_id for link in session.scalars(select(BatchRun)) if not link.superseded}
        assert current[ids[0]] == judged_run and current[ids[1]] == waiting_run and current[ids[2]] != cut_run
        rows = session.execute(select(Evaluation.id, Evaluation.site_id, Evaluation.run_id)).all()
        assert sorted((s, r) for _, s, r in rows) == sorted(current.items())  # one per site, on its run
        assert kept in {i for i, _, _ in rows}  # the verdict stored before the crash is the one kept
        assert session.get(CrawlBatch, batch_id).status == "done"
    assert jobs.recover() == []
    db.dispose()


class Gate:
    """Holds the slow site's first column page until the fast site's verdict is stored (at most `limit` s),
    noting what it saw then: the order of events, not their timing."""

    def __init__(self, farm, db: Database, fast_site: int, slow_site: int, limit: float = 25.0) -> None:
        self.db, self.fast_site, self.slow_site, self.limit = db, fast_site, slow_site, limit
        self.seen: dict[str, object] = {}
        self.lock = threading.Lock()
        original = farm.page

        def page(index: int, path: str):
            if path != "/":
                with self.lock:
                    if not self.seen:
                        self.seen.update(self.wait())
            return original(index, path)

        farm.page = page

    def wait(self) -> dict[str, object]:
        deadline = time.monotonic() + self.limit
        while True:
            with self.db.session() as session:
                judged = session.scalars(select(Evaluation.id).where(Evaluation.site_id == self.fast_site)).first()
                slow = session.scalars(select(CrawlRun.status).where(CrawlRun.site_id == self.slow_site)
                                       .order_by(CrawlRun.id.desc())).first()
            if judged is not None or time.monotonic() > deadline:
                return {"fast_judged": judged is not None, "slow_status": slow}
            time.sleep(0.1)


def test_local_batch_judges_a_site_while_another_is_crawled(tmp_path, db_url, farm_factory) -> None:
    """The crawl child crawls two sites; the fast one is judged (its Evaluation stored) while the slow one's
    run is still running, and each is judged once."""
    fast = farm_factory(1, columns=2)
    slow = farm_factory(1, host="127.0.0.2", columns=2)
    settings = settings_for(tmp_path, db_url, GOVWATCH_TIMEOUT="40")
    db = Database(settings.database)
    with db.session() as session:
        fast_id = upsert_site(session, url=fast.urls[0], name="快站")[0].id
        slow_id = upsert_site(session, url=slow.urls[0], name="慢站")[0].id
    gate = Gate(slow, db, fast_id, slow_id)
    batch_id = create_batch(db, [slow_id, fast_id], AS_OF, "national-2019", kind="nightly", mode="local",
                            owner="test")
    results = run_batch(settings, db, batch_id, "test", profile=load_profile("national-2019"))
    assert gate.seen == {"fast_judged": True, "slow_status": "running"}
    assert [j.site_id for j in results] == [slow_id, fast_id]  # the batch's order
    current = {link.site_id: link.run_id for link in _links(db, batch_id)}
    assert _evaluations(db) == sorted(current.items())  # once each, on its run
    with db.session() as session:
        assert {r.status for r in session.scalars(select(CrawlRun))} == {"ok"}
        fast_ev, slow_ev = (session.scalars(select(Evaluation).where(Evaluation.site_id == s)).one()
                            for s in (fast_id, slow_id))
        assert fast_ev.created_at < session.get(CrawlRun, current[slow_id]).finished_at <= slow_ev.created_at
    db.dispose()


def test_workers_batch_judges_a_site_while_another_is_crawled(tmp_path, pg_url, redis_url, redis_prefix,
                                                              farm_factory) -> None:
    """`govwatch crawl --workers`: the same through a worker on Redis; the JSON printed is every site's
    stored verdict."""
    from crawler.workqueue import WorkQueue, connect
    from tests.test_workers import ROOT, register, service_env, start_worker, stop, wait_workers_ready

    fast = farm_factory(1, columns=2)
    slow = farm_factory(1, host="127.0.0.2", columns=2)
    db = Database(pg_url)
    fast_id, slow_id = register(db, fast.urls + slow.urls)
    gate = Gate(slow, db, fast_id, slow_id)
    env = service_env(tmp_path, pg_url, redis_url, redis_prefix, GOVWATCH_TIMEOUT="40", GOVWATCH_WORKER_SITES="2")
    queue = WorkQueue(connect(redis_url), redis_prefix)
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        wait_workers_ready(queue, 1)
        crawl = subprocess.run([sys.executable, "-m", "govwatch.cli", "crawl", "--workers", "--as-of",
                                AS_OF.isoformat(), "--json"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    finally:
        stop([worker])
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    verdicts = json.loads(crawl.stdout)
    assert [v["site"]["url"] for v in verdicts] == fast.urls + slow.urls  # the registry's order
    assert {v["crawl"]["status"] for v in verdicts} == {"ok"}
    assert gate.seen == {"fast_judged": True, "slow_status": "running"}
    with db.session() as session:
        runs = {r.site_id: r.id for r in session.scalars(select(CrawlRun))}
    assert _evaluations(db) == sorted(runs.items())
    db.dispose()


def test_a_judging_error_during_the_crawl_waits_for_the_end(tmp_path, monkeypatch) -> None:
    """A site whose judging raises while the others crawl does not stop them: it is skipped by `ready` (not
    tried again every turn) and judged at the end, where an error still fails loudly."""
    import pytest

    import inspection.sites

    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    with db.session() as session:
        ids = [upsert_site(session, url=f"http://www.s{i}.gov.cn/", name=f"站{i}")[0].id for i in range(2)]
    batch_id = create_batch(db, ids, AS_OF, "national-2019", kind="nightly", mode="local", owner="test")
    for link in _links(db, batch_id):
        _close(db, link.run_id)
    real, tries = inspection.sites.judge_site, []

    def judge_site(db, site_id, *args, **kwargs):
        tries.append(site_id)
        if site_id == ids[0] and len(tries) < 4:
            raise RuntimeError("a check's bug")
        return real(db, site_id, *args, **kwargs)

    monkeypatch.setattr(inspection.sites, "judge_site", judge_site)
    judging = Judging(db, batch_id, load_profile("national-2019"))
    assert judging.ready() == 1 and judging.ready() == 0
    assert tries == [ids[0], ids[1]]
    assert [s for s, _ in _evaluations(db)] == [ids[1]]
    with pytest.raises(RuntimeError):
        Judging(db, batch_id).finish()  # still failing: the batch is not closed (adopted and tried again later)
    with db.session() as session:
        assert session.get(CrawlBatch, batch_id).status == "running"
    assert [j.site_id for j in judging.finish()] == ids  # the third try works: judged once, at the end
    assert [s for s, _ in _evaluations(db)] == ids
    db.dispose()


def test_cli_nightly_prints_the_stored_verdicts(tmp_path, farm_factory, monkeypatch) -> None:
    """`govwatch nightly --local --json` prints each site's stored verdict JSON; without --json the table."""
    from typer.testing import CliRunner

    from govwatch.cli import app

    farm = farm_factory(2, columns=2)
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    db = Database(settings.database)
    with db.session() as session:
        for i, u in enumerate(farm.urls):
            upsert_site(session, url=u, name=f"夜站{i}", code=f"97000000{i:02d}")
    for key, value in {"GOVWATCH_HOME": str(settings.home), "GOVWATCH_DATABASE_URL": settings.database,
                       "GOVWATCH_BROWSER": "0"}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["nightly", "--local", "--as-of", AS_OF.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    verdicts = json.loads(result.stdout)
    with db.session() as session:
        stored = [ev.result for ev in session.scalars(select(Evaluation).order_by(Evaluation.site_id))]
    assert verdicts == stored and [v["site"]["url"] for v in verdicts] == farm.urls
    table = CliRunner().invoke(app, ["nightly", "--local", "--as-of", AS_OF.isoformat(), "--force"],
                               env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "夜站0" in table.stdout and "夜站1" in table.stdout and "共 2 个网站" in table.stdout
    db.dispose()
