"""The web service's own records: its users and their sessions, the audit log of every action, the
recipients of each unit's messages and the log of every message sent (or not), and the background
jobs the pages start (a notice being written).

Passwords are never stored, only their argon2 hash (written by the face); a session cookie is never
stored either, only its SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.media import AccountEvaluation
from storage.models import Base, Evaluation
from storage.repo import utcnow

ROLES = ("admin", "inspector", "unit")

# The pages ask "each owner's newest verdict under a profile on or before a day" of every site and account at once:
# these indexes answer it from the index alone (bench/web.py: 20,000 accounts in ~20 ms instead of ~250 ms).
Index("ix_evaluations_profile_site_as_of", Evaluation.profile, Evaluation.site_id, Evaluation.as_of)
Index("ix_account_evaluations_profile_account_as_of", AccountEvaluation.profile, AccountEvaluation.account_id,
      AccountEvaluation.as_of)


class WebUser(Base):
    """Someone who signs in: the office's admin, an inspector, or a unit (部门/县区) seeing only its own."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # admin | inspector | unit
    unit: Mapped[str | None] = mapped_column(String(200))  # 主办单位 as the registry writes it (role unit)
    password_hash: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser: the cookie's SHA-256, its CSRF token, where it came from, when it ends."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    address: Mapped[str | None] = mapped_column(String(100))


class AuditEntry(Base):
    """One action: who, what, on what, when (naive UTC), from where."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))  # login | login-failed | recheck | finding-add ...
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(100))


class UnitRecipient(Base):
    """Where a unit's messages go: an e-mail address or an Apprise URL (dingtalk://, wecombot://, feishu://,
    json://...), as the registry's 通知接收人 column gives it."""

    __tablename__ = "unit_recipients"
    __table_args__ = (Index("ix_unit_recipients_unit", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str | None] = mapped_column(String(300))  # the registry file it came from
    created_at: Mapped[datetime] = mapped_column(DateTime)


class NotificationLog(Base):
    """One message to one unit: what it said, where it went, each attempt; a failure stays here to be sent again."""

    __tablename__ = "notification_log"
    __table_args__ = (Index("ix_notification_log_unit_key", "unit", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))  # digest:<unit>:<day>, so a digest goes out once
    unit: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(1000))  # masked when shown
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebJob(Base):
    """Work a page started in a background process (a notice written by `govwatch report`), and its result."""

    __tablename__ = "web_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # report
    options: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | done | failed
    output: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- users ---------------------------------------------------------------------------------------------------


def find_user(session: Session, name: str) -> WebUser | None:
    return session.scalars(select(WebUser).where(WebUser.name == name.strip())).first()


def all_users(session: Session) -> Sequence[WebUser]:
    return session.scalars(select(WebUser).order_by(WebUser.role, WebUser.name)).all()


def add_user(session: Session, name: str, role: str, password_hash: str, unit: str | None = None) -> WebUser:
    if role not in ROLES:
        raise ValueError(f"role {role!r}")
    user = WebUser(name=name.strip(), role=role, unit=unit if role == "unit" else None, password_hash=password_hash,
                   enabled=True, created_at=utcnow(), password_changed_at=utcnow())
    session.add(user)
    session.flush()
    return user


# -- sessions ------------------------------------------------------------------------------------------------


def open_session(session: Session, user: WebUser, token: str, csrf: str, hours: float,
                 address: str | None) -> WebSession:
    now = utcnow()
    row = WebSession(token_hash=token_hash(token), user_id=user.id, csrf=csrf, created_at=now,
                     expires_at=now + timedelta(hours=hours), address=address)
    session.add(row)
    session.flush()
    return row


def session_user(session: Session, token: str) -> tuple[WebSession, WebUser] | None:
    """The live session of a cookie and its user; None when unknown, expired or the user is disabled."""
    row = session.execute(select(WebSession, WebUser).join(WebUser, WebUser.id == WebSession.user_id)
                          .where(WebSession.token_hash == token_hash(token))).first()
    if row is None or row[0].expires_at < utcnow() or not row[1].enabled:
        return None
    return row[0], row[1]


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def close_sessions_of(session: Session, user_id: int, keep: str | None = None) -> None:
    """Every other session of a user ends (a password changed, a user disabled)."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        query = query.where(WebSession.token_hash != token_hash(keep))
    session.execute(query)


# -- the audit log -------------------------------------------------------------------------------------------


def audit(session: Session, user: str | None, action: str, target: str | None = None,
          detail: dict[str, Any] | None = None, address: str | None = None) -> None:
    session.add(AuditEntry(at=utcnow(), user=user, action=action, target=(target or None) and target[:300],
                           detail=detail, address=address))


def audit_entries(session: Session, limit: int = 200, offset: int = 0) -> Sequence[AuditEntry]:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()


def failed_logins_since(session: Session, name: str, address: str | None, since: datetime) -> tuple[int, int]:
    """Failed sign-ins of a name, and from an address, since a moment (the rate limit reads them)."""
    failed = select(func.count(AuditEntry.id)).where(AuditEntry.action == "login-failed", AuditEntry.at >= since)
    return (session.scalar(failed.where(AuditEntry.target == name)) or 0,
            session.scalar(failed.where(AuditEntry.address == address)) or 0)


# -- recipients and the notification log ---------------------------------------------------------------------


def recipients_of(session: Session, unit: str) -> list[str]:
    return list(dict.fromkeys(session.scalars(select(UnitRecipient.address).where(UnitRecipient.unit == unit)
                                              .order_by(UnitRecipient.id))))


def all_recipients(session: Session) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in session.scalars(select(UnitRecipient).order_by(UnitRecipient.unit, UnitRecipient.id)):
        if row.address not in out.setdefault(row.unit, []):
            out[row.unit].append(row.address)
    return out


def set_recipients(session: Session, unit: str, addresses: Sequence[str], source: str | None = None) -> None:
    """A unit's recipients become exactly these (a registry file imported again replaces its column)."""
    session.execute(delete(UnitRecipient).where(UnitRecipient.unit == unit))
    for address in dict.fromkeys(a.strip() for a in addresses if a.strip()):
        session.add(UnitRecipient(unit=unit, address=address, source=source, created_at=utcnow()))
    session.flush()


def logged_message(session: Session, key: str, unit: str, address: str) -> NotificationLog | None:
    return session.scalars(select(NotificationLog).where(NotificationLog.key == key, NotificationLog.unit == unit,
                                                         NotificationLog.address == address)).first()


def unsent_messages(session: Session, max_attempts: int) -> Sequence[NotificationLog]:
    """Messages whose delivery failed and may be tried again."""
    return session.scalars(select(NotificationLog).where(NotificationLog.status != "sent",
                                                         NotificationLog.attempts < max_attempts)
                           .order_by(NotificationLog.id)).all()


def messages(session: Session, limit: int = 200) -> Sequence[NotificationLog]:
    return session.scalars(select(NotificationLog).order_by(NotificationLog.id.desc()).limit(limit)).all()


__all__ = [
    "ROLES", "AuditEntry", "NotificationLog", "UnitRecipient", "WebJob", "WebSession", "WebUser", "add_user",
    "all_recipients", "all_users", "audit", "audit_entries", "close_session", "close_sessions_of",
    "failed_logins_since", "find_user", "logged_message", "messages", "open_session", "recipients_of",
    "session_user", "set_recipients", "token_hash", "unsent_messages",
]
