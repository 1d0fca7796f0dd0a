"""An account's page: monthly verdicts, the posting calendar of the period, coverage, and for what could
not be verified (无法核验) its reason and what to import."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.web import charts
from govwatch.web.auth import address
from govwatch.web.deps import SANDBOX, render, state, viewer
from govwatch.web.routes_overview import parse_day
from govwatch.web.scope import Viewer
from reports.media_verdict import platform_word
from storage.media import Account, AccountEvaluation, Collection
from storage.media_repo import account_collections
from storage.records import ManualFinding
from storage.web import WebJob, audit

router = APIRouter()


def visible_account(session: Session, who: Viewer, account_id: int) -> Account | None:
    """The account, if this viewer may see it (a unit: only its own); None is answered with 404."""
    return session.scalars(who.accounts(select(Account).where(Account.id == account_id))).first()


def import_advice(account: Account, period: dict[str, str]) -> str:
    """What to give govwatch so the period can be verified: the posts file, or an inspector's look."""
    return (f"导入该账号 {period['from']} 至 {period['to']} 的发布记录：govwatch posts import 发布记录.csv "
            f"--from {period['from']} --to {period['to']}；或由检查人员查看账号后登记："
            f"govwatch accounts observe {account.name} --latest-post \"YYYY-MM-DD HH:MM\" --screenshot 截图.png")


@router.get("/accounts/{account_id}")
def account_view(request: Request, account_id: int, who: Annotated[Viewer, Depends(viewer)],
                 as_of: str | None = None, profile: str | None = None) -> Response:
    web = state(request)
    when = parse_day(as_of, web.today())
    profile_name = profile or web.profile
    with web.db.session() as session:
        account = visible_account(session, who, account_id)
        if account is None:
            raise HTTPException(404)
        ev = session.scalars(select(AccountEvaluation).where(
            AccountEvaluation.account_id == account.id, AccountEvaluation.profile == profile_name,
            AccountEvaluation.as_of <= when).order_by(AccountEvaluation.as_of.desc(), AccountEvaluation.id.desc())
        ).first()
        history = session.execute(select(AccountEvaluation.id, AccountEvaluation.as_of, AccountEvaluation.verdict)
                                  .where(AccountEvaluation.account_id == account.id,
                                         AccountEvaluation.profile == profile_name)
                                  .order_by(AccountEvaluation.id.desc()).limit(20)).all()
        manual = list(session.scalars(select(ManualFinding).where(ManualFinding.account_id == account.id)
                                      .order_by(ManualFinding.id.desc())))
        jobs = [j for j in session.scalars(select(WebJob).where(WebJob.kind == "account-recheck")
                                           .order_by(WebJob.id.desc()).limit(50))
                if (j.options or {}).get("account_id") == account.id][:5]
        files = [(c, n, item) for c in account_collections(session, account.id)
                 for n, item in enumerate(c.evidence or []) if isinstance(item, dict) and item.get("path")]
        result = ev.result if ev else None
    weeks, advice = [], ""
    if result:
        first, last = date.fromisoformat(result["period"]["from"]), date.fromisoformat(result["period"]["to"])
        per_day = Counter(datetime.fromisoformat(p["published_at"]).date() for p in result.get("posts") or []
                          if p.get("published_at"))
        weeks = charts.calendar(first, last, per_day)
        advice = import_advice(account, result["period"]) if result.get("unknown") else ""
    return render(request, "account.html", account=account, ev=ev, result=result, weeks=weeks, advice=advice,
                  files=files,
                  history=history, manual=manual, jobs=jobs, as_of=when, platform=platform_word(
                      {"platform": account.platform, "type": account.type}), profile=profile_name)


@router.get("/accounts/{account_id}/evidence/{collection_id}/{index}")
def account_evidence(request: Request, account_id: int, collection_id: int, index: int,
                     who: Annotated[Viewer, Depends(viewer)]) -> Response:
    """A file a collection kept (a platform's answer, an inspector's screenshot): checked like a site's evidence."""
    web = state(request)
    with web.db.session() as session:
        account = visible_account(session, who, account_id)
        collection = session.get(Collection, collection_id) if account else None
        items = (collection.evidence or []) if collection and collection.account_id == account_id else []
        if not 0 <= index < len(items) or not isinstance(items[index], dict):
            raise HTTPException(404)
        root = web.settings.evidence_dir.resolve()
        path = (root / str(items[index].get("path") or "")).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise HTTPException(404)
        audit(session, who.name, "evidence", account.name, {"collection": collection_id, "file": index},
              address(request))
    if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
        return FileResponse(path, media_type="image/png" if path.suffix.lower() == ".png" else "image/jpeg")
    return FileResponse(path, media_type="application/octet-stream", filename=path.name,
                        headers={"Content-Security-Policy": SANDBOX})
