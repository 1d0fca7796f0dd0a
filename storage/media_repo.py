"""Repositories for 政务新媒体: register accounts, store what a collection saw, read posts and coverage.

Every source (a platform collector in crawler/media, `posts import`, `accounts observe`) stores through
`record_collection`, so posts are deduplicated and coverage is kept the same way whatever brought them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from config.clock import BEIJING, to_beijing, to_utc
from storage.media import Account, Collection, Post
from storage.repo import utcnow


@dataclass(slots=True)
class PostSeen:
    """A post as a source saw it. `published_at` may be aware or naive (naive = Beijing time)."""

    published_at: datetime
    title: str | None = None
    url: str | None = None
    post_id: str | None = None
    pinned: bool = False
    meta: dict[str, Any] | None = None
    text: str | None = None  # the post's own text (微博 text, 公众号 digest, video description ...)
    content: list[dict[str, Any]] | None = None  # the content scan's records (crawler/media/content.py)

    def key(self) -> str:
        if self.post_id:
            return f"id:{self.post_id}"[:500]
        if self.url:
            return f"url:{self.url}"[:500]
        return f"t:{to_utc(self.published_at).isoformat()}|{self.title or ''}"[:500]


@dataclass(slots=True)
class CollectionResult:
    """What one collection attempt found: its status, the span it covers completely, the posts."""

    source: str
    status: str  # ok | partial | blocked | captcha | login_required | not_found | deleted | error
    posts: list[PostSeen] = field(default_factory=list)
    covered_from: datetime | None = None  # aware or naive-Beijing; None: covers nothing
    covered_to: datetime | None = None
    reason: str | None = None
    url: str | None = None
    detail: dict[str, Any] | None = None
    evidence: list[dict[str, Any]] | None = None
    started_at: datetime | None = None  # UTC naive; default now
    entered_by: str | None = None
    note: str | None = None


def find_account(session: Session, key: str, platform: str | None = None) -> Account | None:
    """An account by account ID, name or URL (optionally on one platform)."""
    key = key.strip()
    query = select(Account).where(or_(Account.account_id == key, Account.name == key, Account.url == key))
    if platform:
        query = query.where(Account.platform == platform)
    return session.scalars(query.order_by(Account.id)).first()


def find_accounts(session: Session, key: str, platform: str | None = None) -> Sequence[Account]:
    """Every account a key names (the same name on two platforms is two accounts)."""
    key = key.strip()
    query = select(Account).where(or_(Account.account_id == key, Account.name == key, Account.url == key))
    if platform:
        query = query.where(Account.platform == platform)
    return session.scalars(query.order_by(Account.id)).all()


def upsert_account(
    session: Session,
    *,
    name: str,
    platform: str,
    type: str | None = None,
    account_id: str | None = None,
    url: str | None = None,
    unit: str | None = None,
    group: str | None = None,
    status: str = "normal",
    meta: dict[str, Any] | None = None,
) -> tuple[Account, bool]:
    """Register or update an account; returns (account, created). Matched by platform + account ID,
    then platform + name."""
    account = None
    if account_id:
        account = session.scalars(
            select(Account).where(Account.platform == platform, Account.account_id == account_id)).first()
    if account is None:
        account = session.scalars(
            select(Account).where(Account.platform == platform, Account.name == name).order_by(Account.id)).first()
    now = utcnow()
    created = account is None
    if account is None:
        account = Account(name=name, platform=platform, type=type, account_id=account_id or None, url=url,
                          unit=unit, group=group, status=status, enabled=True, meta=meta, created_at=now,
                          updated_at=now)
        session.add(account)
    else:
        account.name = name or account.name
        account.type = type or account.type
        account.account_id = account_id or account.account_id
        account.url = url or account.url
        account.unit = unit or account.unit
        account.group = group or account.group
        account.status = status or account.status
        account.meta = meta or account.meta
        account.updated_at = now
    session.flush()
    return account, created


def judged_accounts(session: Session) -> Sequence[Account]:
    """Accounts to collect and judge: enabled and 正常 (关停/注销 accounts keep their history)."""
    return session.scalars(
        select(Account).where(Account.enabled.is_(True), Account.status == "normal").order_by(Account.id)).all()


def record_collection(session: Session, account: Account, result: CollectionResult) -> Collection:
    """Store one collection and its posts. A post already stored (same key, or same time and title) is
    not stored again; a pinned flag seen later is kept."""
    now = utcnow()
    collection = Collection(
        account_id=account.id, source=result.source, status=result.status,
        started_at=result.started_at or now, finished_at=now,
        covered_from=to_utc(result.covered_from) if result.covered_from else None,
        covered_to=to_utc(result.covered_to) if result.covered_to else None,
        posts_seen=len(result.posts), reason=result.reason, url=result.url, entered_by=result.entered_by,
        note=result.note, detail=result.detail, evidence=result.evidence,
    )
    session.add(collection)
    session.flush()
    store_posts(session, account, result.posts, source=result.source, collection=collection)
    return collection


def store_posts(session: Session, account: Account, posts: Iterable[PostSeen], *, source: str,
                collection: Collection | None = None) -> int:
    """Add the posts not stored yet; returns how many were new."""
    posts = list(posts)
    if not posts:
        return 0
    keys = {p.key() for p in posts}
    known = {row.post_key: row for row in session.scalars(
        select(Post).where(Post.account_id == account.id, Post.post_key.in_(keys)))}
    times = {to_utc(p.published_at) for p in posts}
    by_time = {(row.published_at, row.title or ""): row for row in session.scalars(
        select(Post).where(Post.account_id == account.id, Post.published_at.in_(times)))}
    now = utcnow()
    added = 0
    for seen in posts:
        key = seen.key()
        published = to_utc(seen.published_at)
        row = known.get(key) or (by_time.get((published, seen.title or "")) if seen.title else None)
        if row is not None:
            row.pinned = row.pinned or seen.pinned
            row.url = row.url or seen.url
            row.post_id = row.post_id or seen.post_id
            # a newer scan replaces the older one unless it read less of the post (a title-only source)
            if seen.content is not None and (row.content is None or len(seen.text or "") >= len(row.text or "")):
                row.content = seen.content
                row.text = seen.text or row.text
            continue
        row = Post(account_id=account.id, post_key=key, published_at=published, title=(seen.title or None) and
                   seen.title[:500], url=seen.url, post_id=seen.post_id, pinned=seen.pinned, source=source,
                   first_seen_at=now, collection_id=collection.id if collection else None, meta=seen.meta,
                   text=seen.text or None, content=seen.content)
        session.add(row)
        known[key] = row
        by_time[(published, seen.title or "")] = row
        added += 1
    session.flush()
    return added


def posts_between(session: Session, account_id: int, start: datetime, end: datetime) -> Sequence[Post]:
    """Posts published in [start, end) (aware or naive-Beijing bounds), oldest first."""
    return session.scalars(
        select(Post).where(Post.account_id == account_id, Post.published_at >= to_utc(start),
                           Post.published_at < to_utc(end)).order_by(Post.published_at)).all()


def account_posts(session: Session, account_id: int) -> Sequence[Post]:
    return session.scalars(select(Post).where(Post.account_id == account_id).order_by(Post.published_at)).all()


def account_collections(session: Session, account_id: int) -> Sequence[Collection]:
    return session.scalars(
        select(Collection).where(Collection.account_id == account_id).order_by(Collection.started_at,
                                                                               Collection.id)).all()


__all__ = [
    "BEIJING", "CollectionResult", "PostSeen", "account_collections", "account_posts", "find_account",
    "find_accounts", "judged_accounts", "posts_between", "record_collection", "store_posts", "to_beijing",
    "to_utc", "upsert_account",
]
