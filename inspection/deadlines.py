"""临期 and 已超期 for many units at once: the columns of each site's newest stored verdict and each account's
newest post, against the profile's windows (rules/due.py), as `govwatch due` reads them. The web's 临期 page
and the units' nightly messages both list what this returns, so they never disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from config.clock import to_beijing, to_utc
from rules.due import account_window, breaks_on, column_windows, due_account
from rules.findings import describe_window
from rules.profile import Profile
from storage.media import Account, Post
from storage.models import Evaluation, Site


@dataclass(frozen=True)
class Deadline:
    """A column or an account and the first day it counts as not updated; days_left ≤ 0: already overdue."""

    kind: str  # column | account
    unit: str
    name: str
    url: str
    latest: date | None
    breaks_on: date
    days_left: int
    window: str
    site_id: int | None = None
    account_id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left <= 0


def column_deadlines(columns: list[dict[str, Any]], profile: Profile, as_of: date) -> dict[str, tuple[date, str]]:
    """Column URL → (the first day it counts as not updated, the window's indicator and length)."""
    found: dict[str, tuple[date, str]] = {}
    for indicator, category, window in column_windows(profile):
        for col in columns:
            if col.get("category") != category or col.get("blank") or not col.get("latest_date"):
                continue
            if "level" in window and col.get("level") != window["level"]:
                continue
            day = breaks_on(date.fromisoformat(col["latest_date"]), window)
            if col["url"] not in found or found[col["url"]][0] > day:
                found[col["url"]] = (day, f"{indicator} {describe_window(window)}")
    return found


def newest_per_owner(model: Any, key: Any, profile: str, as_of: date) -> Any:
    """(owner, eid): each site's (or account's) newest evaluation under the profile on or before as_of — the
    latest time point, then the latest stored — as the notice picks it (reports/notice.py). Two groupings the
    index (profile, owner, as_of) answers; a window function joined to the owners is far slower in SQLite."""
    newest_day = (select(key.label("owner"), func.max(model.as_of).label("day"))
                  .where(model.profile == profile, model.as_of <= as_of).group_by(key).subquery())
    return (select(key.label("owner"), func.max(model.id).label("eid"))
            .join(newest_day, and_(newest_day.c.owner == key, newest_day.c.day == model.as_of))
            .where(model.profile == profile).group_by(key).subquery())


Scope = Callable[[Select[Any]], Select[Any]]


def _all(query: Select[Any]) -> Select[Any]:
    return query


def deadlines(session: Session, profile: Profile, as_of: date, within: int, *, sites_scope: Scope = _all,
              accounts_scope: Scope = _all, overdue: bool = True) -> list[Deadline]:
    """Everything that breaks its window within `within` days of as_of (and, with `overdue`, what already
    broke it), soonest first. The scopes narrow the sites and accounts (a unit sees its own)."""
    out: list[Deadline] = []
    latest = newest_per_owner(Evaluation, Evaluation.site_id, profile.id, as_of)
    query = sites_scope(select(Site, Evaluation.result["columns"]).join(latest, latest.c.owner == Site.id)
                        .join(Evaluation, Evaluation.id == latest.c.eid)
                        .where(Site.registered.is_(True), Site.enabled.is_(True), Site.status == "normal"))
    for site, stored in session.execute(query):  # only the columns of each verdict are read
        columns = {c["url"]: c for c in stored or [] if isinstance(c, dict)}
        for url, (day, window) in column_deadlines(list(columns.values()), profile, as_of).items():
            left = (day - as_of).days
            if left <= within and (overdue or left > 0):
                col = columns[url]
                out.append(Deadline("column", site.unit or site.name, f"{site.name} · {col['name']}", url,
                                    date.fromisoformat(col["latest_date"]), day, left, window, site_id=site.id))
    window, _source = account_window(profile)
    end = to_utc(datetime.combine(as_of, datetime.max.time()))
    newest = (select(Post.account_id, func.max(Post.published_at).label("latest")).where(Post.published_at <= end)
              .group_by(Post.account_id).subquery())
    query = accounts_scope(select(Account, newest.c.latest).join(newest, newest.c.account_id == Account.id)
                           .where(Account.enabled.is_(True), Account.status == "normal"))
    for account, last in session.execute(query):
        day = to_beijing(last).date()
        soon = due_account(account.unit or account.name, account.name, account.url or "", day, window, as_of, within)
        left = (breaks_on(day, window) - as_of).days
        if soon or (overdue and left <= 0):
            out.append(Deadline("account", account.unit or account.name, account.name, account.url or "", day,
                                breaks_on(day, window), left, f"M-V2 {describe_window(window)}",
                                account_id=account.id))
    return sorted(out, key=lambda d: (d.breaks_on, d.kind, d.unit, d.name))
