"""The recheck queue (复查): `govwatch recheck --queue` and the web page add requests; the scheduler's
`rechecks` job drains them within seconds, one batch per (time point, profile)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select, update

from config.settings import Settings
from storage.db import Database
from storage.models import RecheckRequest
from storage.repo import utcnow

log = logging.getLogger("govwatch.rechecks")


def enqueue_recheck(db: Database, site_id: int, *, as_of: date | None, profile: str) -> int:
    """Queue a recheck of one site; returns the request id. `as_of` None: the day it runs."""
    with db.session() as session:
        request = RecheckRequest(site_id=site_id, as_of=as_of, profile=profile, requested_at=utcnow(),
                                 status="queued")
        session.add(request)
        session.flush()
        return request.id


def claim_queued(db: Database, limit: int = 50) -> list[RecheckRequest]:
    """Mark up to `limit` queued requests as running; each is claimed by one process only."""
    claimed = []
    with db.session() as session:
        ids = list(session.scalars(select(RecheckRequest.id).where(RecheckRequest.status == "queued")
                                   .order_by(RecheckRequest.id).limit(limit)))
    for request_id in ids:
        with db.session() as session:
            won = session.execute(update(RecheckRequest)
                                  .where(RecheckRequest.id == request_id, RecheckRequest.status == "queued")
                                  .values(status="running", started_at=utcnow())).rowcount
            if won:
                claimed.append(session.get(RecheckRequest, request_id))
    return claimed


def drain(settings: Settings, db: Database, owner: str, *, today: date | None = None) -> list[int]:
    """Run every queued recheck now (crawl, store, judge); returns the request ids handled."""
    from rules.profile import load_profile
    from scheduler.batches import BatchStopped, create_batch, run_batch

    requests = claim_queued(db)
    if not requests:
        return []
    groups: dict[tuple[date, str], list[RecheckRequest]] = {}
    for request in requests:
        groups.setdefault((request.as_of or today or date.today(), request.profile), []).append(request)
    for (as_of, profile_name), group in groups.items():
        try:
            profile = load_profile(profile_name)
        except Exception as exc:
            _fail(db, [r.id for r in group], f"profile {profile_name!r}: {exc}")
            continue
        batch_id = create_batch(db, [r.site_id for r in group], as_of, profile.id, kind="recheck",
                                mode=settings.crawl_mode, owner=owner)
        with db.session() as session:
            session.execute(update(RecheckRequest).where(RecheckRequest.id.in_([r.id for r in group]))
                            .values(batch_id=batch_id))
        log.info("recheck of %d site(s) at %s under %s (batch %s)", len(group), as_of, profile.id, batch_id)
        try:
            run_batch(settings, db, batch_id, owner, profile=profile)
        except BatchStopped:  # the service is stopping: the batch (and these rechecks) finish at the next start
            raise
        except Exception as exc:
            _fail(db, [r.id for r in group], f"{exc.__class__.__name__}: {exc}")
    return [r.id for r in requests]


def _fail(db: Database, request_ids: list[int], error: str) -> None:
    with db.session() as session:
        session.execute(update(RecheckRequest).where(RecheckRequest.id.in_(request_ids))
                        .values(status="failed", error=error, finished_at=utcnow()))


def requeue_orphaned_claims(db: Database, older_than: float = 60.0) -> int:
    """Requests claimed by a process that died before it made their batch go back to the queue.
    (Requests whose batch exists are finished by whoever adopts the batch.)"""
    from datetime import timedelta

    limit = utcnow() - timedelta(seconds=older_than)
    with db.session() as session:
        return session.execute(update(RecheckRequest)
                               .where(RecheckRequest.status == "running", RecheckRequest.batch_id.is_(None),
                                      RecheckRequest.started_at < limit)
                               .values(status="queued", started_at=None)).rowcount
