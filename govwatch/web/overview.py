"""总览: the stored verdicts of every site and account at a monitoring time point, counted and listed.

Each owner's newest verdict is kept in memory (VerdictIndex), counted and filtered there, and only one page of
rows reads its details and the few parts of its stored JSON it shows, so the page answers as fast with 2,000 sites
and 20,000 accounts as with ten (bench/web.py, docs/web.md).
A verdict is the newest evaluation on or before the chosen as_of, under the chosen profile.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govwatch.web.scope import Viewer
from inspection.deadlines import newest_per_owner
from storage.media import Account, AccountEvaluation
from storage.models import Evaluation, Site

PAGE = 100
NOT_CHECKED = "none"  # no stored verdict at that time point: 未检查 (not a verdict)


@dataclass(frozen=True)
class Filters:
    as_of: date
    profile: str
    group: str = ""
    unit: str = ""
    verdict: str = ""  # pass | fail | unknown | none
    page: int = 1
    region: str = ""  # 所属地区 of the registry

    def query(self, **change: Any) -> dict[str, Any]:
        values = {"as_of": self.as_of.isoformat(), "profile": self.profile, "group": self.group, "unit": self.unit,
                  "verdict": self.verdict, "page": self.page, "region": self.region, **change}
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Listing:
    """One kind (sites or accounts): counts by verdict, 合格率, one page of rows, the filter choices."""

    counts: dict[str, int]
    rows: list[dict[str, Any]]
    total: int
    pages: int
    groups: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    @property
    def rate(self) -> str:
        """合格率 over the verdicts that were reached (无法核验 and 未检查 are not counted), as the notice does."""
        judged = self.counts.get("pass", 0) + self.counts.get("fail", 0)
        if not judged:
            return "—"
        tenths = self.counts.get("pass", 0) * 1000 // judged
        return f"{tenths // 10}.{tenths % 10}%" if tenths % 10 else f"{tenths // 10}%"


def _latest(model: Any, key: Any, f: Filters) -> Any:
    return newest_per_owner(model, key, f.profile, f.as_of)


# 不合格 first, then 无法核验, 合格, 未检查: the list is read from the top for what needs work.
RANK = {"fail": 0, "unknown": 1, "pass": 2}


@dataclass(frozen=True, slots=True)
class Entry:
    """One site or account in the index: what the filters, the counts and the order need."""

    id: int
    group: str | None
    unit: str | None
    verdict: str | None
    eid: int | None
    region: str | None = None


class VerdictIndex:
    """Every owner's newest verdict at a time point, kept in memory between requests: counting and filtering
    20,000 rows in Python takes a few milliseconds, where the grouping query takes a few hundred. An entry is used
    while the newest stored verdict and the number (and newest id) of sites or accounts are what they were, and for
    at most TTL seconds (a registry edit of a unit or group shows within that)."""

    TTL = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, date], tuple[tuple, float, list[Entry]]] = {}

    def entries(self, session: Session, kind: str, f: Filters) -> list[Entry]:
        owner, model, key, base = KINDS[kind]
        stamp = (session.scalar(select(func.max(model.id))),
                 *session.execute(select(func.count(owner.id), func.max(owner.id)).where(base)).one())
        cache_key = (kind, f.profile, f.as_of)
        with self._lock:
            found = self._entries.get(cache_key)
        if found and found[0] == stamp and time.monotonic() - found[1] < self.TTL:
            return found[2]
        latest = _latest(model, key, f)
        rows = [Entry(*r) for r in session.execute(
            select(owner.id, owner.group, owner.unit, model.verdict, model.id, owner.region).select_from(owner)
            .outerjoin(latest, latest.c.owner == owner.id).outerjoin(model, model.id == latest.c.eid).where(base))]
        rows.sort(key=lambda e: (RANK.get(e.verdict or "", 3), e.group or "", e.id))
        with self._lock:
            if len(self._entries) >= 32:
                self._entries.pop(next(iter(self._entries)))
            self._entries[cache_key] = (stamp, time.monotonic(), rows)
        return rows


INDEX = VerdictIndex()
KINDS: dict[str, tuple[Any, Any, Any, Any]] = {
    "sites": (Site, Evaluation, Evaluation.site_id, Site.registered.is_(True)),
    "accounts": (Account, AccountEvaluation, AccountEvaluation.account_id, Account.enabled.is_(True)),
}


def _listing(session: Session, viewer: Viewer, f: Filters, kind: str) -> tuple[Listing, list[Entry]]:
    every = INDEX.entries(session, kind, f)
    if not viewer.office:
        every = [e for e in every if e.unit == viewer.unit]
    scoped = [e for e in every if (not f.group or e.group == f.group) and (not f.unit or e.unit == f.unit)
              and (not f.region or e.region == f.region)]
    counts = Counter(e.verdict or NOT_CHECKED for e in scoped)
    chosen = [e for e in scoped if not f.verdict or (e.verdict or NOT_CHECKED) == f.verdict]
    page = max(1, f.page)
    shown = chosen[(page - 1) * PAGE:page * PAGE]
    listing = Listing(dict(counts), [], len(chosen), max(1, -(-len(chosen) // PAGE)),
                      sorted({e.group for e in every if e.group}), sorted({e.unit for e in every if e.unit}),
                      sorted({e.region for e in every if e.region}))
    return listing, shown


def sites(session: Session, viewer: Viewer, f: Filters) -> Listing:
    """The registered sites with their verdicts; a page of rows carries each verdict's 主要问题."""
    listing, shown = _listing(session, viewer, f, "sites")
    owners = {r.id: r for r in session.execute(select(Site.id, Site.name, Site.url, Site.code, Site.unit, Site.group,
                                                      Site.status).where(Site.id.in_([e.id for e in shown])))}
    ids = [e.eid for e in shown if e.eid]
    # Only the parts the list shows are read out of each stored verdict (a verdict's JSON is ~70 kB).
    results = {r.id: r for r in session.execute(
        select(Evaluation.id, Evaluation.score, Evaluation.as_of, Evaluation.result["problems"].label("problems"),
               Evaluation.result["vetoes"].label("vetoes")).where(Evaluation.id.in_(ids)))} if ids else {}
    for e in shown:
        ev = results.get(e.eid)
        problems, vetoes = (ev.problems, ev.vetoes) if ev else ("", [])
        listing.rows.append({**owners[e.id]._asdict(), "eid": e.eid, "verdict": e.verdict,
                             "score": ev.score if ev else None, "as_of": ev.as_of if ev else None,
                             "problems": problems if isinstance(problems, str) else "",
                             "vetoes": sorted({v["indicator"] for v in vetoes or [] if isinstance(v, dict)})})
    return listing


def accounts(session: Session, viewer: Viewer, f: Filters) -> Listing:
    listing, shown = _listing(session, viewer, f, "accounts")
    owners = {r.id: r for r in session.execute(
        select(Account.id, Account.name, Account.platform, Account.type, Account.unit, Account.group, Account.status)
        .where(Account.id.in_([e.id for e in shown])))}
    ids = [e.eid for e in shown if e.eid]
    days = {eid: day for eid, day in session.execute(select(AccountEvaluation.id, AccountEvaluation.as_of)
                                                     .where(AccountEvaluation.id.in_(ids)))} if ids else {}
    for e in shown:
        listing.rows.append({**owners[e.id]._asdict(), "eid": e.eid, "verdict": e.verdict, "as_of": days.get(e.eid)})
    return listing


def profiles(session: Session, default: str) -> list[str]:
    """The profiles verdicts were stored under (the settings' profile first)."""
    found = set(session.scalars(select(Evaluation.profile).distinct()))
    found |= set(session.scalars(select(AccountEvaluation.profile).distinct()))
    return [default, *sorted(found - {default})]
