"""Inspectors' actions: queue a recheck (复查) of a site or an account and follow it, and add, override or
withdraw a manual finding, each with who, when and why and written to the audit log. Units only read."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.web.auth import Refused, address, check_csrf
from govwatch.web.background import queue_account_recheck
from govwatch.web.background import recheck_account as recheck_account_job
from govwatch.web.deps import MEDIA_TYPES, render, state, viewer
from govwatch.web.routes_account import visible_account
from govwatch.web.scope import Viewer
from govwatch.web.site_page import visible_site
from inspection.sites import evaluate_sites
from rules.accounts import evaluate_accounts
from rules.period import Period
from rules.profile import ProfileError, load_profile
from scheduler.queue import enqueue_recheck
from storage.content import DECISIONS, review
from storage.media import Account, AccountEvaluation
from storage.models import Evaluation, RecheckRequest, Site
from storage.records import ManualFinding
from storage.repo import utcnow
from storage.web import WebJob, audit

router = APIRouter()
Csrf = Annotated[str, Form()]
KINDS = {"veto": "单项否决", "deduction": "扣分", "bonus": "加分", "override": "更正（判定有误）"}


def _office(who: Viewer) -> None:
    if not who.office:
        raise Refused(403, "只有检查人员和管理员可以进行此操作")


def _acted_on(session: Session, who: Viewer, what: str, owner_id: int) -> Site | Account:
    """The site or account an inspector acts on: 404 where the viewer may not see it, 403 where a unit would act."""
    owner = (visible_site if what == "sites" else visible_account)(session, who, owner_id)
    if owner is None:
        raise HTTPException(404)
    _office(who)
    return owner


@router.post("/sites/{site_id}/recheck")
def recheck_site(request: Request, site_id: int, who: Annotated[Viewer, Depends(viewer)], csrf: Csrf = "") -> Response:
    check_csrf(who.csrf, csrf)
    web = state(request)
    with web.db.session() as session:
        name = _acted_on(session, who, "sites", site_id).name
    request_id = enqueue_recheck(web.db, site_id, as_of=None, profile=web.profile)
    with web.db.session() as session:
        audit(session, who.name, "recheck", name, {"site_id": site_id, "request": request_id}, address(request))
    return RedirectResponse(f"/rechecks/{request_id}", status_code=303)


@router.get("/rechecks/{request_id}")
def recheck_progress(request: Request, request_id: int, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    web = state(request)
    with web.db.session() as session:
        row = session.get(RecheckRequest, request_id)
        site = visible_site(session, who, row.site_id) if row else None
        if site is None:
            raise HTTPException(404)
        ev = session.get(Evaluation, row.evaluation_id) if row.evaluation_id else None
    return render(request, "recheck.html", row=row, site=site, ev=ev, refresh=row.status in ("queued", "running"),
                  runner=request.app.state.runner is not None)


@router.post("/accounts/{account_id}/recheck")
def recheck_account(request: Request, account_id: int, who: Annotated[Viewer, Depends(viewer)],
                    csrf: Csrf = "") -> Response:
    check_csrf(who.csrf, csrf)
    web = state(request)
    with web.db.session() as session:
        name = _acted_on(session, who, "accounts", account_id).name
    job_id = queue_account_recheck(web.db, account_id, None, web.profile, who.name)
    if request.app.state.runner is None:  # no queue thread in this process: the job runs beside the requests
        threading.Thread(target=recheck_account_job, args=(web.settings, web.db, job_id, web.today()),
                         name=f"govwatch-account-recheck-{job_id}", daemon=True).start()
    with web.db.session() as session:
        audit(session, who.name, "recheck-account", name, {"account_id": account_id, "job": job_id},
              address(request))
    return RedirectResponse(f"/accounts/{account_id}?job={job_id}", status_code=303)


def _day(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Refused(400, f"日期 {value!r} 应写成 2023-11-20") from None


@router.post("/{what}/{owner_id}/findings")
def add_finding(request: Request, what: str, owner_id: int, who: Annotated[Viewer, Depends(viewer)],
                csrf: Csrf = "", indicator: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
                detail: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                points: Annotated[str, Form()] = "", valid_from: Annotated[str, Form()] = "",
                valid_until: Annotated[str, Form()] = "") -> Response:
    """A manual finding (veto, deduction, bonus) or an override of an automatic one, as `govwatch findings` does."""
    check_csrf(who.csrf, csrf)
    if what not in ("sites", "accounts"):
        raise HTTPException(404)
    web = state(request)
    with web.db.session() as session:
        name = _acted_on(session, who, what, owner_id).name
    try:
        prof = load_profile(web.profile)
    except ProfileError as exc:
        raise Refused(400, str(exc)) from None
    ind = prof.indicator(indicator.strip())
    media = what == "accounts"
    if ind is None or (ind in prof.media_indicators) != media:
        raise Refused(400, f"指标体系 {prof.id} 没有{'政务新媒体' if media else '网站'}指标 {indicator!r}")
    if kind not in KINDS:
        raise Refused(400, "请选择问题类型")
    if not detail.strip() or (kind == "override" and not reason.strip()):
        raise Refused(400, "请填写问题描述；更正判定时须写明理由")
    try:
        value = float(points) if points.strip() else None
    except ValueError:
        raise Refused(400, f"分值 {points!r} 不是数字") from None
    if kind == "bonus" and (ind.kind != "bonus" or value is None):
        raise Refused(400, f"{ind.id} 不是加分项，或未填写分值")
    if value is not None and value < 0:
        raise Refused(400, "分值填正数（扣分自动扣减，加分自动加上）")
    with web.db.session() as session:
        row = ManualFinding(site_id=owner_id if not media else None, account_id=owner_id if media else None,
                            indicator=ind.id, kind=kind, points=value, detail=detail.strip(),
                            reason=reason.strip() or None, valid_from=_day(valid_from), valid_until=_day(valid_until),
                            entered_by=who.name, entered_at=utcnow())
        session.add(row)
        session.flush()
        audit(session, who.name, f"finding-{kind}", name, {"finding": row.id, "indicator": ind.id,
                                                           "reason": reason.strip() or None}, address(request))
    return RedirectResponse(f"/{what}/{owner_id}#manual", status_code=303)


@router.post("/findings/{finding_id}/withdraw")
def withdraw_finding(request: Request, finding_id: int, who: Annotated[Viewer, Depends(viewer)], csrf: Csrf = "",
                     reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(who.csrf, csrf)
    web = state(request)
    with web.db.session() as session:
        row = session.get(ManualFinding, finding_id)
        owner = None
        if row is not None:
            owner = (visible_site(session, who, row.site_id) if row.site_id else
                     visible_account(session, who, row.account_id or 0))
        if owner is None:
            raise HTTPException(404)
        _office(who)
        if row.withdrawn_at is None:
            row.withdrawn_at = utcnow()
            note = f"撤回：{who.name} {row.withdrawn_at.isoformat(timespec='seconds')}Z" + (
                f"，理由：{reason.strip()}" if reason.strip() else "")
            row.reason = f"{row.reason}；{note}" if row.reason else note
            audit(session, who.name, "finding-withdraw", owner.name, {"finding": finding_id,
                                                                      "reason": reason.strip() or None},
                  address(request))
        target = f"/sites/{row.site_id}" if row.site_id else f"/accounts/{row.account_id}"
    return RedirectResponse(target + "#manual", status_code=303)


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: int, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    _office(who)
    with state(request).db.session() as session:
        job = session.get(WebJob, job_id)
        if job is None:
            raise HTTPException(404)
    return render(request, "job.html", job=job, refresh=job.status in ("queued", "running"), files=job_files(job))


def job_files(job: WebJob) -> list[str]:
    """The files a report job wrote (its own folder only)."""
    folder = Path((job.options or {}).get("out") or "")
    if job.kind != "report" or not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file())


@router.get("/jobs/{job_id}/files/{name}")
def job_file(request: Request, job_id: int, name: str, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    _office(who)
    with state(request).db.session() as session:
        job = session.get(WebJob, job_id)
        if job is None or name not in job_files(job):
            raise HTTPException(404)
        audit(session, who.name, "report-download", name, {"job": job_id}, address(request))
    path = Path(job.options["out"]) / name
    return FileResponse(path, filename=name, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"))


def _decide(session: Session, request: Request, who: Viewer, name: str, key: str, decision: str, reason: str, *,
            site_id: int | None = None, account_id: int | None = None) -> None:
    """An inspector's decision on a content hit of a site or an account, stored and audited."""
    if decision not in DECISIONS:
        raise Refused(400, "请选择确认或排除")
    review(session, site_id, key.strip(), decision, who.name, reason.strip() or None, account_id=account_id)
    audit(session, who.name, f"content-{decision}", name, {"key": key, "reason": reason.strip() or None},
          address(request))


@router.post("/sites/{site_id}/content/{key}")
def review_content_hit(request: Request, site_id: int, key: str, who: Annotated[Viewer, Depends(viewer)],
                       csrf: Csrf = "", decision: Annotated[str, Form()] = "",
                       reason: Annotated[str, Form()] = "") -> Response:
    """An inspector confirms or dismisses a content hit (暗链, 称呼错误 ...), as `govwatch findings confirm` does;
    the site is judged again on the same crawl at once, so the page shows what the decision changes."""
    check_csrf(who.csrf, csrf)
    web = state(request)
    with web.db.session() as session:
        site = _acted_on(session, who, "sites", site_id)
        _decide(session, request, who, site.name, key, decision, reason, site_id=site_id)
        latest = session.scalars(select(Evaluation).where(Evaluation.site_id == site_id,
                                                          Evaluation.profile == web.profile)
                                 .order_by(Evaluation.as_of.desc(), Evaluation.id.desc())).first()
        basis = (latest.as_of, latest.run_id) if latest is not None else None
    if basis is not None:
        try:
            prof = load_profile(web.profile)
        except ProfileError as exc:
            raise Refused(400, str(exc)) from None
        evaluate_sites(web.db, [site_id], basis[0], prof, {site_id: basis[1]}, evidence_root=web.settings.evidence_dir)
    return RedirectResponse(f"/sites/{site_id}", status_code=303)


@router.post("/accounts/{account_id}/content/{key}")
def review_account_hit(request: Request, account_id: int, key: str, who: Annotated[Viewer, Depends(viewer)],
                       csrf: Csrf = "", decision: Annotated[str, Form()] = "",
                       reason: Annotated[str, Form()] = "") -> Response:
    """An inspector confirms or dismisses a content hit in an account's posts (称呼错误, 错别字 ...), as
    `govwatch findings confirm ACCOUNT KEY` does; the account is judged again at once on the same stored posts,
    time point and period, so the page shows what the decision changes."""
    check_csrf(who.csrf, csrf)
    web = state(request)
    with web.db.session() as session:
        account = _acted_on(session, who, "accounts", account_id)
        _decide(session, request, who, account.name, key, decision, reason, account_id=account_id)
        latest = session.scalars(select(AccountEvaluation).where(AccountEvaluation.account_id == account_id,
                                                                 AccountEvaluation.profile == web.profile)
                                 .order_by(AccountEvaluation.as_of.desc(), AccountEvaluation.id.desc())).first()
        basis = (latest.as_of, Period(latest.period_from, latest.period_to)) if latest is not None else None
    if basis is not None:
        try:
            prof = load_profile(web.profile)
        except ProfileError as exc:
            raise Refused(400, str(exc)) from None
        evaluate_accounts(web.db, [account_id], basis[0], prof, basis[1])
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)
