"""Named locks in the database, shared by every process that uses it (schedulers, `govwatch nightly`).

A lock has a holder and an expiry; the holder renews it while it works (`LockKeeper`), and a lock
whose holder died expires and can be taken over. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ServiceLock
from storage.repo import utcnow

log = logging.getLogger("govwatch.locks")


def acquire(db: Database, name: str, holder: str, ttl: float) -> bool:
    """Take the lock if it is free, expired, or already ours; True when we hold it."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    with db.session() as session:
        taken = session.execute(
            update(ServiceLock).where(ServiceLock.name == name,
                                      or_(ServiceLock.expires_at < now, ServiceLock.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=expires)
        ).rowcount
    if taken:
        return True
    try:
        with db.session() as session:
            session.add(ServiceLock(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:
        return False


def renew(db: Database, name: str, holder: str, ttl: float) -> bool:
    with db.session() as session:
        return bool(session.execute(
            update(ServiceLock).where(ServiceLock.name == name, ServiceLock.holder == holder)
            .values(expires_at=utcnow() + timedelta(seconds=ttl))
        ).rowcount)


def release(db: Database, name: str, holder: str) -> None:
    with db.session() as session:
        session.execute(delete(ServiceLock).where(ServiceLock.name == name, ServiceLock.holder == holder))


def holder_of(db: Database, name: str) -> str | None:
    """Who holds the lock now (None when free or expired)."""
    with db.session() as session:
        lock = session.scalars(select(ServiceLock).where(ServiceLock.name == name)).first()
        return lock.holder if lock is not None and lock.expires_at >= utcnow() else None


class LockKeeper:
    """Renews a held lock from a background thread until stopped."""

    def __init__(self, db: Database, name: str, holder: str, ttl: float) -> None:
        self.db, self.name, self.holder, self.ttl = db, name, holder, ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lock-{name}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                if not renew(self.db, self.name, self.holder, self.ttl):
                    log.error("lock %s was lost by %s", self.name, self.holder)
            except Exception:
                log.warning("lock %s: renewal failed", self.name, exc_info=True)

    def start(self) -> LockKeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()


@contextmanager
def held(db: Database, name: str, holder: str, ttl: float = 120.0) -> Iterator[bool]:
    """`with held(db, "nightly", me) as ok:` ok is False when someone else holds it (nothing waits)."""
    if not acquire(db, name, holder, ttl):
        yield False
        return
    keeper = LockKeeper(db, name, holder, ttl).start()
    try:
        yield True
    finally:
        keeper.stop()
        release(db, name, holder)
