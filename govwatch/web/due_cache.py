"""The office-wide 临期 list, kept between requests: reading the columns of 2,000 stored verdicts takes about a
second, and they change only when something new is stored. An entry is used while the newest evaluation, the
newest post and the number of judged sites and accounts are what they were, and for at most TTL seconds."""

from __future__ import annotations

import threading
import time
from datetime import date

from sqlalchemy import func, select

from inspection.deadlines import Deadline, deadlines
from rules.profile import Profile
from storage.db import Database
from storage.media import Account, Post
from storage.models import Evaluation, Site

TTL = 300.0
KEEP = 16  # entries (as_of, within, profile) kept


class DeadlineCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[tuple, float, list[Deadline]]] = {}

    def get(self, db: Database, profile: Profile, as_of: date, within: int) -> list[Deadline]:
        key = (profile.id, as_of, within)
        with db.session() as session:
            stamp = (session.scalar(select(func.max(Evaluation.id))), session.scalar(select(func.max(Post.id))),
                     session.scalar(select(func.count(Site.id)).where(Site.enabled.is_(True),
                                                                      Site.status == "normal")),
                     session.scalar(select(func.count(Account.id)).where(Account.enabled.is_(True),
                                                                         Account.status == "normal")))
            with self._lock:
                found = self._entries.get(key)
            if found and found[0] == stamp and time.monotonic() - found[1] < TTL:
                return found[2]
            items = deadlines(session, profile, as_of, within)
        with self._lock:
            if len(self._entries) >= KEEP:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (stamp, time.monotonic(), items)
        return items
