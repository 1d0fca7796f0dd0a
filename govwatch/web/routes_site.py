"""A site's page: verdict, score, vetoes and deductions with their evidence, columns, broken links, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from crawler.columns import category_labels
from govwatch.web import site_page
from govwatch.web.deps import render, state, viewer
from govwatch.web.routes_overview import parse_day
from govwatch.web.scope import Viewer
from rules.profile import ProfileError, load_profile

router = APIRouter()


@router.get("/sites/{site_id}")
def site_view(request: Request, site_id: int, who: Annotated[Viewer, Depends(viewer)], as_of: str | None = None,
              profile: str | None = None) -> Response:
    web = state(request)
    when = parse_day(as_of, web.today())
    profile_name = profile or web.profile
    with web.db.session() as session:
        site = site_page.visible_site(session, who, site_id)
        if site is None:
            raise HTTPException(404)
        ev = site_page.evaluation_at(session, site.id, profile_name, when)
        result = ev.result if ev else None
        files = site_page.evidence_index(session, ev.run_id if ev else None, web.settings.evidence_dir)
        try:
            deadlines = site_page.column_days(result or {}, load_profile(profile_name), when)
        except ProfileError:
            deadlines = {}
        context = {
            "site": site, "ev": ev, "result": result, "files": files, "deadlines": deadlines, "as_of": when,
            "labels": category_labels(), "history": site_page.history(session, site.id, profile_name),
            "manual": site_page.manual_findings(session, site.id), "rechecks": site_page.rechecks(session, site.id),
            "run": site_page.run_of(session, ev.run_id if ev else None), "profile": profile_name,
        }
    return render(request, "site.html", **context)
