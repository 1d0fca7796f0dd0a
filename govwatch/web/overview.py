"""总览: the stored verdicts of every site and account at a monitoring time point, counted and listed.

Counted and filtered in SQL on the verdict columns, and only one page of rows reads its stored JSON,
so the page answers as fast with 2,000 sites and 20,000 accounts as with ten (bench/web.py).
A verdict is the newest evaluation on or before the chosen as_of, under the chosen profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from govwatch.web.scope import Viewer
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

    def query(self, **change: Any) -> dict[str, Any]:
        values = {"as_of": self.as_of.isoformat(), "profile": self.profile, "group": self.group, "unit": self.unit,
                  "verdict": self.verdict, "page": self.page, **change}
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

    @property
    def rate(self) -> str:
        """合格率 over the verdicts that were reached (无法核验 and 未检查 are not counted), as the notice does."""
        judged = self.counts.get("pass", 0) + self.counts.get("fail", 0)
        if not judged:
            return "—"
        tenths = self.counts.get("pass", 0) * 1000 // judged
        return f"{tenths // 10}.{tenths % 10}%" if tenths % 10 else f"{tenths // 10}%"


def _latest(model: Any, key: Any, f: Filters) -> Any:
    return (select(key.label("owner"), func.max(model.id).label("eid"))
            .where(model.profile == f.profile, model.as_of <= f.as_of).group_by(key).subquery())


def _filtered(query: Select[Any], owner: Any, verdict: Any, f: Filters) -> Select[Any]:
    if f.group:
        query = query.where(owner.group == f.group)
    if f.unit:
        query = query.where(owner.unit == f.unit)
    if f.verdict == NOT_CHECKED:
        query = query.where(verdict.is_(None))
    elif f.verdict:
        query = query.where(verdict == f.verdict)
    return query


def _worst_first(verdict: Any) -> Any:
    """不合格 first, then 无法核验, 合格, 未检查: the list is read from the top for what needs work."""
    return case((verdict == "fail", 0), (verdict == "unknown", 1), (verdict == "pass", 2), else_=3)


def _listing(session: Session, viewer: Viewer, f: Filters, owner: Any, model: Any, key: Any,
             scope: Any, base: Any, columns: list[Any], order: list[Any]) -> Listing:
    latest = _latest(model, key, f)
    joined = (select(*columns).select_from(owner).outerjoin(latest, latest.c.owner == owner.id)
              .outerjoin(model, model.id == latest.c.eid).where(base))
    joined = scope(joined)
    count_query = scope(select(model.verdict, func.count()).select_from(owner)
                        .outerjoin(latest, latest.c.owner == owner.id)
                        .outerjoin(model, model.id == latest.c.eid).where(base))
    count_query = _filtered(count_query, owner, model.verdict, Filters(f.as_of, f.profile, f.group, f.unit))
    counts = {verdict or NOT_CHECKED: n for verdict, n in session.execute(count_query.group_by(model.verdict))}
    total = sum(n for v, n in counts.items() if not f.verdict or v == f.verdict)
    page = max(1, f.page)
    rows = [dict(r._mapping) for r in session.execute(
        _filtered(joined, owner, model.verdict, f).order_by(*order).limit(PAGE).offset((page - 1) * PAGE))]
    groups = [g for g in session.scalars(scope(select(owner.group).where(base).distinct())) if g]
    units = [u for u in session.scalars(scope(select(owner.unit).where(base).distinct())) if u]
    return Listing(counts, rows, total, max(1, -(-total // PAGE)), sorted(groups), sorted(units))


def sites(session: Session, viewer: Viewer, f: Filters) -> Listing:
    """The registered sites with their verdicts; a page of rows carries each verdict's 主要问题."""
    listing = _listing(
        session, viewer, f, Site, Evaluation, Evaluation.site_id, viewer.sites, Site.registered.is_(True),
        [Site.id, Site.name, Site.url, Site.code, Site.unit, Site.group, Site.status, Evaluation.id.label("eid"),
         Evaluation.verdict, Evaluation.score, Evaluation.as_of],
        [_worst_first(Evaluation.verdict), Site.group, Site.id])
    ids = [r["eid"] for r in listing.rows if r["eid"]]
    results = {eid: result for eid, result in session.execute(
        select(Evaluation.id, Evaluation.result).where(Evaluation.id.in_(ids)))} if ids else {}
    for row in listing.rows:
        result = results.get(row["eid"]) or {}
        row["problems"] = result.get("problems") or ""
        row["vetoes"] = sorted({v["indicator"] for v in result.get("vetoes") or []})
    return listing


def accounts(session: Session, viewer: Viewer, f: Filters) -> Listing:
    return _listing(
        session, viewer, f, Account, AccountEvaluation, AccountEvaluation.account_id, viewer.accounts,
        Account.enabled.is_(True),
        [Account.id, Account.name, Account.platform, Account.type, Account.unit, Account.group, Account.status,
         AccountEvaluation.id.label("eid"), AccountEvaluation.verdict, AccountEvaluation.as_of],
        [_worst_first(AccountEvaluation.verdict), Account.group, Account.id])


def profiles(session: Session, default: str) -> list[str]:
    """The profiles verdicts were stored under (the settings' profile first)."""
    found = set(session.scalars(select(Evaluation.profile).distinct()))
    found |= set(session.scalars(select(AccountEvaluation.profile).distinct()))
    return [default, *sorted(found - {default})]
