"""Evidence files through a checked route: by the file's id, only to a user who may see its site, and only
from inside the evidence folder. The kept HTML of a crawled page is never rendered in the app's origin: it
is downloaded, or shown in a sandboxed frame from this route under `Content-Security-Policy: sandbox`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from govwatch.web.auth import address
from govwatch.web.deps import SANDBOX, state, viewer
from govwatch.web.scope import Viewer
from govwatch.web.site_page import visible_site
from storage.models import CrawlRun
from storage.records import Evidence
from storage.web import audit

router = APIRouter()


def _file(request: Request, evidence_id: int, who: Viewer) -> tuple[Evidence, Path]:
    web = state(request)
    with web.db.session() as session:
        row = session.get(Evidence, evidence_id)
        run = session.get(CrawlRun, row.run_id) if row else None
        if run is None or visible_site(session, who, run.site_id) is None:
            raise HTTPException(404)
        root = web.settings.evidence_dir.resolve()
        path = (root / row.path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise HTTPException(404)
        if row.kind != "screenshot":  # a page's kept HTML is a download; screenshots are shown inline on the pages
            audit(session, who.name, "evidence", row.url, {"evidence": evidence_id, "kind": row.kind},
                  address(request))
    return row, path


@router.get("/evidence/{evidence_id}")
def evidence_file(request: Request, evidence_id: int, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    row, path = _file(request, evidence_id, who)
    if row.kind == "screenshot":
        return FileResponse(path, media_type="image/png")
    return FileResponse(path, media_type="application/octet-stream", filename=f"evidence-{row.id}.html",
                        headers={"Content-Security-Policy": SANDBOX})


@router.get("/evidence/{evidence_id}/view")
def evidence_view(request: Request, evidence_id: int, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    row, path = _file(request, evidence_id, who)
    if row.kind != "html":
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type="text/html",
                    headers={"Content-Security-Policy": SANDBOX, "X-Frame-Options": "SAMEORIGIN"})
