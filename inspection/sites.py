"""Inspection as the CLI, the demo and the scheduler run it: crawl sites, then judge them."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from config.settings import Settings, load_settings
from crawler.runner import CrawlInterrupted, CrawlJob, run_crawls
from reports.verdict import verdict_json
from rules.engine import Evaluation, evaluate
from rules.findings import DEAD_OUTCOMES, Finding
from rules.observations import ColumnObs, LinkObs, observations
from rules.profile import Profile
from storage.db import Database
from storage.interrupted import mark_interrupted, signal_reason
from storage.models import CrawlRun, Site
from storage.models import Evaluation as StoredEvaluation
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
            name_from_home(session.get(Site, job.site_id), run)


def name_from_home(site: Site, run: CrawlRun | None) -> None:
    """A site met only by URL takes the name its home page gives."""
    if run is not None and site.name == site.url and run.home_title:
        site.name = (run.home_meta or {}).get("SiteName") or run.home_title.split("_")[-1].strip()[:200]


def judge_site(
    db: Database,
    site_id: int,
    as_of: date,
    profile: Profile,
    run_id: int | None = None,
    *,
    save: bool = True,
    evidence_root: Path | None = None,
    name_site: bool = False,
) -> tuple[Evaluation, int | None, dict]:
    """Judge one site (on `run_id`, else its newest finished run on or before `as_of`) in a session of its
    own, opened and closed here: nothing of the ORM outlives the call. Returns the evaluation, the id of the
    stored Evaluation row (None when not saved) and its JSON (reports/verdict.py verdict_json)."""
    if evidence_root is None:
        evidence_root = load_settings().evidence_dir
    with db.session() as session:
        site = session.get(Site, site_id)
        run = run_for_evaluation(session, site, as_of, run_id)
        if name_site and run_id is not None:
            name_from_home(site, session.get(CrawlRun, run_id))
        newer = interrupted_runs_after(session, site, as_of, run)
        ev = evaluate(observations(site, run, session, evidence_root, interrupted=newer), as_of, profile)
        report = verdict_json(ev)
        stored = save_evaluation(session, site, run, report).id if save else None
    return ev, stored, report


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
    """Judge each site on its run (`run_ids`, else its newest finished run on or before `as_of`), each in a
    session of its own, so judging many sites holds no more of the store than judging one."""
    if evidence_root is None:
        evidence_root = load_settings().evidence_dir
    return [judge_site(db, site_id, as_of, profile, (run_ids or {}).get(site_id), save=save,
                       evidence_root=evidence_root)[0] for site_id in site_ids]


@dataclass(frozen=True, slots=True)
class Judged:
    """A site's verdict as a batch keeps it while the others go on: the stored Evaluation's id and a slim
    evaluation for the tables of many sites (reports/verdict.py summary_table). Not enough for
    `verdict_json`: the full JSON is the stored row's (`stored_verdicts`)."""

    site_id: int
    run_id: int | None
    evaluation_id: int | None
    verdict: str
    summary: Evaluation


_READ_COLUMN = ColumnObs("", "", "", 1, None, 0, 0, False)  # a column as a table counts it: read, or blank
_BLANK_COLUMN = replace(_READ_COLUMN, blank=True)


def slim(ev: Evaluation) -> Evaluation:
    """Only what a summary table of many sites shows (reports/verdict.py Summary: name, code, verdict, score,
    vetoes, problems, the home page's newest date, the columns and blank ones counted, the dead links counted,
    the crawl it rests on), a few hundred bytes: records, evidence files, probes, indicators, the columns'
    and links' details and the findings' evidence are dropped."""
    obs = ev.obs
    crawl = {k: obs.crawl[k] for k in ("run_id", "status", "error", "basis", "interrupted_runs") if k in obs.crawl}
    dead = {x.url: LinkObs(x.url, "", None, x.outcome, None) for x in obs.links if x.outcome in DEAD_OUTCOMES}
    columns = tuple(_BLANK_COLUMN if c.blank else _READ_COLUMN for c in obs.columns)
    light = replace(obs, columns=columns, links=tuple(dead.values()), crawl=crawl, records={}, evidence={},
                    probes=(), probe_loader=None, manual=(), reviews={}, previous={})
    vetoes = [Finding(f.indicator, f.title, f.kind, "") for f in ev.vetoes]
    return replace(ev, obs=light, findings=vetoes, indicators=[], scoring={})


def judge_sites(
    db: Database,
    site_ids: Sequence[int],
    as_of: date,
    profile: Profile,
    run_ids: dict[int, int] | None = None,
    *,
    evidence_root: Path | None = None,
    name_site: bool = False,
) -> list[Judged]:
    """`evaluate_sites`, stored, keeping only the light `Judged` of each site: for many sites at once (a
    crawl of the registry), printed as a table (`.summary`) or as the stored JSON (`stored_verdicts`)."""
    if evidence_root is None:
        evidence_root = load_settings().evidence_dir
    results = []
    for site_id in site_ids:
        run_id = (run_ids or {}).get(site_id)
        ev, evaluation_id, _ = judge_site(db, site_id, as_of, profile, run_id, evidence_root=evidence_root,
                                          name_site=name_site)
        results.append(Judged(site_id, ev.obs.run_id, evaluation_id, ev.verdict, slim(ev)))
    return results


def stored_verdicts(db: Database, judged: Sequence[Judged]) -> list[dict]:
    """The JSON of each verdict as stored (verdict_json of the full evaluation), in the order given."""
    ids = [j.evaluation_id for j in judged if j.evaluation_id is not None]
    found: dict[int, dict] = {}
    with db.session() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found |= dict(session.execute(select(StoredEvaluation.id, StoredEvaluation.result)
                                          .where(StoredEvaluation.id.in_(chunk))).all())
    return [found[i] for i in ids if i in found]
