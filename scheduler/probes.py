"""Availability probes spread over the day: each site `probes_per_day` times (24 by default; W-V2
needs more than 20), at its own offset inside each period so that sites are not all hit at once.

Site s is due in the slot that starts at  offset(s) + k * period  (period = 86400 / probes_per_day
seconds, times in UTC seconds since the epoch) until it has been probed in that slot. A slot missed
for longer than a quarter period (the scheduler was down) is skipped, not caught up, so a restart
does not probe every site at the same moment.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select

from config.settings import Settings
from storage.db import Database
from storage.models import Probe, Site
from storage.repo import utcnow

log = logging.getLogger("govwatch.probes")
GOLDEN = 0.6180339887498949
EPOCH = datetime(1970, 1, 1)


def period_seconds(probes_per_day: int) -> float:
    return 86400.0 / max(1, probes_per_day)


def site_offset(site_id: int, probes_per_day: int) -> float:
    """A stable offset in [0, period): consecutive site ids land far apart (golden-ratio spacing)."""
    return ((site_id * GOLDEN) % 1.0) * period_seconds(probes_per_day)


def slot_start(site_id: int, now: datetime, probes_per_day: int) -> datetime:
    period = period_seconds(probes_per_day)
    t = (now - EPOCH).total_seconds()
    offset = site_offset(site_id, probes_per_day)
    return EPOCH + timedelta(seconds=t - ((t - offset) % period))


def due_sites(db: Database, probes_per_day: int, now: datetime | None = None) -> list[tuple[int, str]]:
    """Registered sites whose current slot has begun (less than a quarter period ago) and that have
    not been probed since it began."""
    now = now or utcnow()
    window = timedelta(seconds=period_seconds(probes_per_day) / 4)
    with db.session() as session:
        last = dict(session.execute(select(Probe.site_id, func.max(Probe.probed_at)).group_by(Probe.site_id)).all())
        sites = session.execute(select(Site.id, Site.url).where(Site.registered.is_(True)).order_by(Site.id)).all()
    due = []
    for site_id, url in sites:
        start = slot_start(site_id, now, probes_per_day)
        if now - start < window and (last.get(site_id) is None or last[site_id] < start):
            due.append((site_id, url))
    return due


def probe_due(settings: Settings, db: Database, now: datetime | None = None) -> Sequence:
    from crawler.probe import probe_sites

    due = due_sites(db, settings.probes_per_day, now)
    if not due:
        return []
    results = probe_sites(db, [site_id for site_id, _ in due], timeout=settings.probe_timeout,
                          concurrency=settings.probe_concurrency)
    failed = [r for r in results if not r.ok]
    log.info("probed %d site(s), %d failed", len(results), len(failed))
    return results
