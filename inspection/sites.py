"""Inspection as the CLI, the demo and the scheduler run it: crawl sites, then judge them."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from config.settings import Settings, load_settings
from crawler.runner import CrawlInterrupted, CrawlJob, run_crawls
from reports.verdict import verdict_json
from rules.engine import Evaluation, evaluate
from rules.observations import observations
from rules.profile import Profile
from storage.db import Database
from storage.interrupted import mark_interrupted, signal_reason
from storage.models import CrawlRun, Site
from storage.repo import interrupted_runs_after, run_for_evaluation, save_evaluation, start_run, utcnow


def crawl_sites(
    settings: Settings,
    db: Database,
    site_ids: Sequence[int],
    reference_date: date,
    *,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[CrawlJob], None] | None = None,
    site_timeout: float | None = None,
    side_work: Callable[[threading.Event], object] | None = None,
) -> dict[int, int]:
    """Crawl the sites; returns {site_id: run_id}. Runs are stored before the first request, so a
    crash leaves them marked as running rather than lost (and interrupted at the next start, see
    storage/interrupted.py). Ctrl-C/SIGTERM: the runs are closed as interrupted and CrawlInterrupted raised.
    `side_work` runs beside the crawl (run_crawls)."""
    jobs: list[CrawlJob] = []
    with db.session() as session:
        for site_id in site_ids:
            site = session.get(Site, site_id)
            run = start_run(session, site, reference_date)
            jobs.append(CrawlJob(site.id, run.id, site.url, site.name))
    if on_start is not None:
        on_start(len(jobs))
    stopped_by: int | None = None
    try:
        if jobs:
            run_crawls(settings, jobs, reference_date, on_done=on_done,
                       site_timeout=site_timeout or settings.site_timeout, log_file=settings.log_dir / "crawl.log",
                       side_work=side_work)
    except CrawlInterrupted as exc:
        stopped_by = exc.signum
        raise
    except KeyboardInterrupt:  # Ctrl-C before the crawl's own handlers were installed
        stopped_by = signal.SIGINT
        raise CrawlInterrupted(signal.SIGINT) from None
    finally:
        _close_runs(db, jobs, stopped_by)
    return {job.site_id: job.run_id for job in jobs}


def _close_runs(db: Database, jobs: Sequence[CrawlJob], stopped_by: int | None = None) -> None:
    """No run is left "running" once its crawl is over, whatever ended it; a site met by bare URL
    takes the name its home page gives."""
    with db.session() as session:
        for job in jobs:
            run = session.get(CrawlRun, job.run_id)
            if run.status == "running" and stopped_by is not None:  # stopped before the spider closed it
                mark_interrupted(session, [run.id], signal_reason(stopped_by), utcnow())
            elif run.status == "running":  # the spider never opened it (a bad URL, a crawl that could not run)
                run.status, run.error = "failed", run.error or "the crawl did not start"
            site = session.get(Site, job.site_id)
            if site.name == site.url and run.home_title:
                site.name = (run.home_meta or {}).get("SiteName") or run.home_title.split("_")[-1].strip()[:200]


def evaluate_sites(
    db: Database,
    site_ids: Sequence[int],
    as_of: date,
    profile: Profile,
    run_ids: dict[int, int] | None = None,
    *,
    save: bool = True,
    evidence_root: Path | None = None,
) -> list[Evaluation]:
    results: list[Evaluation] = []
    if evidence_root is None:
        evidence_root = load_settings().evidence_dir
    with db.session() as session:
        for site_id in site_ids:
            site = session.get(Site, site_id)
            run = run_for_evaluation(session, site, as_of, (run_ids or {}).get(site_id))
            newer = interrupted_runs_after(session, site, as_of, run)
            ev = evaluate(observations(site, run, session, evidence_root, interrupted=newer), as_of, profile)
            if save:
                save_evaluation(session, site, run, verdict_json(ev))
            results.append(ev)
    return results
