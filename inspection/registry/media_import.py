"""Storing what the registry and post files say, through the same repositories the collectors use.

`import_posts` stores each named account's posts as one collection (source `import`) whose covered
span is --from..--to (whole days, Beijing time), or the file's earliest to latest posting day: the
file is the complete list of that account's posts in the span. `observe` stores an inspector's look
at an account: the latest post seen, covering the span from it to the moment of the look.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.media.content import scan_posts
from crawler.media.platforms import parse_registry
from inspection.registry.media_files import AccountEntry, MediaFileError, PostEntry
from inspection.registry.sites import apply_names
from storage.media import Account
from storage.media_repo import BEIJING, CollectionResult, PostSeen, find_accounts, record_collection, upsert_account


@dataclass(slots=True)
class ImportSummary:
    added: int = 0
    updated: int = 0
    disabled: int = 0
    warnings: list[str] = field(default_factory=list)  # 链接/账号ID that could not be used, by row


def import_accounts(session: Session, entries: list[AccountEntry], *, replace: bool = False) -> ImportSummary:
    summary = ImportSummary()
    kept: set[int] = set()
    for entry in entries:
        account, created = upsert_account(session, name=entry.name, platform=entry.platform, type=entry.type,
                                          account_id=entry.account_id, url=entry.url, unit=entry.unit,
                                          group=entry.group, status=entry.status)
        parsed = parse_registry(entry.platform, entry.account_id, entry.url)
        account.meta = {**(account.meta or {}), "target": parsed.identity}
        summary.warnings += [f"第{entry.line}行（{entry.name}）：{w}" for w in parsed.warnings]
        apply_names(account, entry)
        if entry.enabled is not None:
            account.enabled = entry.enabled
        elif replace:
            account.enabled = True
        kept.add(account.id)
        summary.added += created
        summary.updated += not created
    if replace:
        for account in session.scalars(select(Account).where(Account.enabled.is_(True))).all():
            if account.id not in kept:
                account.enabled = False
                summary.disabled += 1
    session.flush()
    return summary


def resolve_account(session: Session, key: str, platform: str | None, where: str) -> Account:
    found = find_accounts(session, key, platform)
    if not found:
        raise MediaFileError(f"{where}: 没有登记账号“{key}”" + (f"（{platform}）" if platform else "")
                             + "，请先 `govwatch accounts import`")
    if len(found) > 1:
        raise MediaFileError(f"{where}: “{key}”对应多个账号（{'、'.join(a.platform for a in found)}），请填写平台")
    return found[0]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), BEIJING)


def import_posts(session: Session, path: Path, entries: list[PostEntry], *, start: date | None = None,
                 end: date | None = None, entered_by: str | None = None) -> dict[str, int]:
    """Store the posts of every account the file names; returns {account name (platform): posts}.
    Raises MediaFileError (nothing stored by the caller's transaction) on an unknown account."""
    by_account: dict[int, list[PostEntry]] = defaultdict(list)
    accounts: dict[int, Account] = {}
    for entry in entries:
        account = resolve_account(session, entry.account, entry.platform, f"{path}, line {entry.line}")
        accounts[account.id] = account
        by_account[account.id].append(entry)
    dated = [e.published_at for e in entries if e.published_at]
    if (start is None or end is None) and not dated:
        raise MediaFileError(f"{path}: 文件中没有带发布时间的记录，请用 --from/--to 写明它覆盖的时段")
    first = start or min(d.astimezone(BEIJING).date() for d in dated)
    last = end or max(d.astimezone(BEIJING).date() for d in dated)
    if last < first:
        raise MediaFileError(f"{path}: --to 早于 --from")
    counts = {}
    for account_pk, rows in by_account.items():
        account = accounts[account_pk]
        posts = [PostSeen(e.published_at, e.title, e.url, e.post_id, e.pinned,
                          {k: v for k, v in (("来源", e.source), ("date_only", e.date_only or None)) if v}, e.text)
                 for e in rows if e.published_at]
        scan_posts(posts)  # imported titles are read as collected ones are
        record_collection(session, account, CollectionResult(
            source="import", status="ok", posts=posts, covered_from=_day_start(first),
            covered_to=_day_start(last + timedelta(days=1)), url=str(path), entered_by=entered_by,
            detail={"file": str(path), "from": first.isoformat(), "to": last.isoformat(),
                    "lines": [e.line for e in rows]}))
        counts[f"{account.name}（{account.platform}）"] = len(posts)
    return counts


def observe(session: Session, account: Account, latest_post: datetime, *, at: datetime,
            evidence: list[dict] | None = None, by: str | None = None, note: str | None = None) -> None:
    """An inspector looked at the account at `at` and saw `latest_post` as its latest post."""
    record_collection(session, account, CollectionResult(
        source="observe", status="ok", posts=[PostSeen(latest_post, meta={"observed_latest": True})],
        covered_from=latest_post, covered_to=at, evidence=evidence, entered_by=by, note=note,
        detail={"latest_post": latest_post.isoformat(), "observed_at": at.isoformat()}))


__all__ = ["ImportSummary", "import_accounts", "import_posts", "observe", "resolve_account"]
