"""Beijing time, in one place. Government pages, posts and notices are dated in Beijing time; the database
stores naive UTC. Every conversion between the two goes through here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def to_utc(moment: datetime) -> datetime:
    """A stored (naive UTC) time from any datetime; a time without a zone is Beijing time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_beijing(stored: datetime) -> datetime:
    """A stored naive-UTC time as an aware Beijing time."""
    return stored.replace(tzinfo=UTC).astimezone(BEIJING)


def midnight(day: date) -> datetime:
    """00:00 Beijing time of a day, as stored (naive UTC)."""
    return datetime.combine(day, time(), BEIJING).astimezone(UTC).replace(tzinfo=None)


def beijing_now() -> datetime:
    return datetime.now(UTC).astimezone(BEIJING)
