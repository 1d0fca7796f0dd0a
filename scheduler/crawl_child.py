"""The crawl of one batch, in a process of its own: `python -m scheduler.crawl_child --batch ID`.

The scheduler never runs Twisted's reactor itself (it can run only once per process); each crawl is
a child process that crawls the batch's unfinished runs and exits. SIGTERM stops it within seconds:
what it saw is stored, its runs are marked interrupted, and it exits 143.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler.crawl_child")
    parser.add_argument("--batch", type=int, required=True)
    args = parser.parse_args(argv)

    from config.settings import load_settings
    from crawler.runner import CrawlInterrupted, CrawlJob, run_crawls
    from scheduler.batches import jobs_of
    from storage.db import Database
    from storage.interrupted import mark_interrupted
    from storage.models import CrawlBatch
    from storage.repo import utcnow

    settings = load_settings()
    settings.ensure_home()
    db = Database(settings.database)
    with db.session() as session:
        as_of = session.get(CrawlBatch, args.batch).as_of
    jobs = [CrawlJob(j.site_id, j.run_id, j.url, j.url) for j in jobs_of(db, args.batch)]
    if jobs:
        try:
            run_crawls(settings, jobs, as_of, site_timeout=settings.site_timeout,
                       log_file=settings.log_dir / "crawl.log")
        except CrawlInterrupted as exc:  # the scheduler is stopping (scheduler/batches.py, stop_child)
            with db.session() as session:
                mark_interrupted(session, [j.run_id for j in jobs], str(exc), utcnow())
            return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
