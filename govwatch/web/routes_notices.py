"""通报: the stored notices (storage/notices.py), their files, and a new one written by the real
`govwatch report` in a background process. A unit sees and downloads only its own rows of a notice."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from openpyxl import Workbook
from sqlalchemy import select

from config.vocabulary import verdict_word
from govwatch.web.auth import Refused, address, check_csrf
from govwatch.web.background import start_report
from govwatch.web.deps import MEDIA_TYPES, render, state, viewer
from govwatch.web.scope import Viewer
from storage.notices import StoredNotice
from storage.web import audit

router = APIRouter()
Csrf = Annotated[str, Form()]
FORMATS = ("xlsx", "docx", "csv", "json")
def own_rows(data: dict[str, Any] | None, unit: str | None) -> dict[str, list[dict[str, Any]]]:
    """A unit's rows of a stored notice: matched on the registry's 主办单位 (`owner`; the notice names units by
    their short name in `unit`), or on `unit` in notices stored before short names."""
    data = data or {}

    def mine(row: object) -> bool:
        return isinstance(row, dict) and (row.get("owner") or row.get("unit")) == unit

    return {"sites": [s for s in data.get("sites") or [] if mine(s)],
            "accounts": [a for a in data.get("accounts") or [] if mine(a)]}


@router.get("/notices")
def notices_page(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    """Newest first. Of each notice the office's list reads its totals; a unit's, its own rows."""
    web = state(request)
    with web.db.session() as session:
        notices = session.execute(select(
            StoredNotice.id, StoredNotice.title, StoredNotice.doc_number, StoredNotice.period_from,
            StoredNotice.period_to, StoredNotice.as_of, StoredNotice.files,
            StoredNotice.data["totals"].label("totals")).order_by(StoredNotice.as_of.desc(),
                                                                  StoredNotice.id.desc())).all()
        rows = {}
        if not who.office:
            rows = {i: own_rows({"sites": sites, "accounts": accounts}, who.unit) for i, sites, accounts in
                    session.execute(select(StoredNotice.id, StoredNotice.data["sites"],
                                           StoredNotice.data["accounts"]))}
    return render(request, "notices.html", notices=notices, rows=rows, formats=FORMATS, as_of=web.today())


def _download_name(path: Path) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(path.name)}"}


@router.get("/notices/{notice_id}/files/{index}")
def notice_file(request: Request, notice_id: int, index: int, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    """A file of a notice, for the office only (a unit gets its own rows instead)."""
    if not who.office:
        raise HTTPException(404)
    with state(request).db.session() as session:
        notice = session.get(StoredNotice, notice_id)
    files = (notice.files or []) if notice else []
    if not 0 <= index < len(files) or not Path(files[index]).is_file():
        raise HTTPException(404)
    path = Path(files[index])
    with state(request).db.session() as session:
        audit(session, who.name, "notice-download", path.name, {"notice": notice_id}, address(request))
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                        headers=_download_name(path))


@router.get("/notices/{notice_id}/mine.xlsx")
def own_rows_file(request: Request, notice_id: int, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    """A unit's own rows of a notice as a workbook: its sites and accounts, verdicts and problems."""
    with state(request).db.session() as session:
        notice = session.get(StoredNotice, notice_id)
        if notice is None:
            raise HTTPException(404)
        audit(session, who.name, "notice-download-own", notice.title, {"notice": notice_id}, address(request))
    rows = own_rows(notice.data, who.unit)
    book = Workbook()
    sheet = book.active
    sheet.title = "网站"
    sheet.append(["序号", "网站名称", "网址", "结论", "评分", "主要问题"])
    for n, s in enumerate(rows["sites"], 1):
        sheet.append([n, s.get("name"), s.get("url"), verdict_word(s.get("verdict")), s.get("score"),
                      "；".join(p.get("label") or p.get("detail") or "" for p in s.get("problems") or []) or "无"])
    media = book.create_sheet("政务新媒体")
    media.append(["序号", "账号名称", "平台", "结论", "问题"])
    for n, a in enumerate(rows["accounts"], 1):
        media.append([n, a.get("name"), a.get("platform"), verdict_word(a.get("verdict")),
                      "；".join(p.get("label") or p.get("detail") or "" for p in a.get("problems") or []) or "无"])
    buffer = io.BytesIO()
    book.save(buffer)
    name = Path(re.sub(r'[\\/:*?"<>|]', "_", f"{notice.title}（{who.unit or ''}）.xlsx"))
    return Response(buffer.getvalue(), media_type=MEDIA_TYPES[".xlsx"], headers=_download_name(name))


@router.post("/notices/new")
def new_notice(request: Request, who: Annotated[Viewer, Depends(viewer)], csrf: Csrf = "",
               period: Annotated[str, Form()] = "", as_of: Annotated[str, Form()] = "",
               formats: Annotated[list[str] | None, Form()] = None, office: Annotated[str, Form()] = "",
               title: Annotated[str, Form()] = "", recipients: Annotated[str, Form()] = "",
               deadline: Annotated[str, Form()] = "", region: Annotated[str, Form()] = "",
               compare_with: Annotated[str, Form()] = "") -> Response:
    """Options go to `govwatch report` as they are (it checks them and says what is wrong)."""
    check_csrf(who.csrf, csrf)
    if not who.office:
        raise Refused(403, "只有检查人员和管理员可以撰写通报")
    if not period.strip():
        raise Refused(400, "请填写检查期间，如 2023Q4 或 2023-08..2023-10")
    chosen = [f for f in formats or [] if f in FORMATS] or ["xlsx", "docx"]
    args = ["--period", period.strip(), "--format", ",".join(chosen)]
    for option, value in (("--as-of", as_of), ("--office", office), ("--title", title),
                          ("--recipients", recipients), ("--deadline", deadline), ("--region", region),
                          ("--compare-with", compare_with)):
        if value.strip():
            args += [option, value.strip()]
    web = state(request)
    out_dir = web.settings.home / "notices" / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    job_id = start_report(web.settings, web.db, args, who.name, out_dir)
    with web.db.session() as session:
        audit(session, who.name, "report", period.strip(), {"args": args, "job": job_id}, address(request))
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
