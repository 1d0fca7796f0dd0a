"""总览 (counts, 合格率, the red/green lists, the trend over the stored notices) and 临期/已超期."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from govwatch.web import charts, overview
from govwatch.web.auth import Refused
from govwatch.web.deps import render, state, viewer
from govwatch.web.due_cache import DeadlineCache
from govwatch.web.scope import Viewer
from inspection.deadlines import deadlines
from rules.profile import ProfileError, load_profile
from storage.notices import StoredNotice

router = APIRouter()
CACHE = DeadlineCache()
MAX_WITHIN = 90
SHOWN = 200  # rows of each list on the page; choose a unit to see all of its own


def parse_day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused(400, f"日期 {value!r} 应写成 2023-11-20") from None


def _trend(session: Any, profile: str) -> dict[str, Any]:
    """合格率 of each stored notice, oldest first; of each notice only its totals are read (a notice's JSON holds
    every row it printed)."""
    rows = session.execute(select(StoredNotice.period_from, StoredNotice.period_to,
                                  StoredNotice.data["totals"].label("totals"))
                           .where(StoredNotice.profile == profile)
                           .order_by(StoredNotice.as_of, StoredNotice.id)).all()
    notices = [{"label": f"{r.period_from:%Y.%m}–{r.period_to:%m}", "totals": r.totals if isinstance(r.totals, dict)
                else None} for r in rows]
    sites, accounts = charts.trend(notices, "sites"), charts.trend(notices, "accounts")
    return {"sites": sites, "accounts": accounts, "sites_line": charts.polyline(sites),
            "accounts_line": charts.polyline(accounts), "width": charts.WIDTH, "height": charts.HEIGHT,
            "pad": charts.PAD}


@router.get("/")
def overview_page(request: Request, who: Annotated[Viewer, Depends(viewer)], as_of: str | None = None,
                  profile: str | None = None, group: str = "", unit: str = "", verdict: str = "",
                  page: int = 1, kind: str = "sites", region: str = "") -> Response:
    web = state(request)
    f = overview.Filters(parse_day(as_of, web.today()), profile or web.profile, group, unit, verdict, page, region)
    first_page = overview.Filters(f.as_of, f.profile, group, unit, verdict, 1, region)
    with web.db.session() as session:
        sites = overview.sites(session, who, f if kind == "sites" else first_page)
        accounts = overview.accounts(session, who, f if kind == "accounts" else first_page)
        trend = _trend(session, f.profile)
        profiles = overview.profiles(session, web.profile)
    return render(request, "overview.html", f=f, sites=sites, accounts=accounts, trend=trend, profiles=profiles,
                  kind=kind)


@router.get("/due")
def due_page(request: Request, who: Annotated[Viewer, Depends(viewer)], as_of: str | None = None,
             within: int = 7, profile: str | None = None, unit: str = "") -> Response:
    """临期 and 已超期, soonest first; each list shows its first SHOWN rows (the counts are of all of them)."""
    web = state(request)
    when = parse_day(as_of, web.today())
    within = min(max(1, within), MAX_WITHIN)
    try:
        prof = load_profile(profile or web.profile)
    except ProfileError as exc:
        raise Refused(400, str(exc)) from None
    if who.office:
        items = CACHE.get(web.db, prof, when, within)
    else:  # a unit's own few sites and accounts are read at once
        with web.db.session() as session:
            items = deadlines(session, prof, when, within, sites_scope=who.sites, accounts_scope=who.accounts)
    units = sorted({i.unit for i in items})
    chosen = [i for i in items if not unit or i.unit == unit]
    soon, late = [i for i in chosen if not i.overdue], [i for i in chosen if i.overdue]
    return render(request, "due.html", items=soon[:SHOWN], overdue=late[:SHOWN], counts=(len(soon), len(late)),
                  shown=SHOWN, as_of=when, within=within, units=units, unit=unit)
