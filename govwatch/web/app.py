"""The FastAPI application: security headers, error pages, and the routers of each page. `create_app` is
what `govwatch web` serves and the tests start."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.settings import Settings
from govwatch.web import (
    routes_account,
    routes_actions,
    routes_admin,
    routes_evidence,
    routes_notices,
    routes_overview,
    routes_site,
)
from govwatch.web.auth import LoginRequired, Refused
from govwatch.web.background import QueueRunner
from govwatch.web.deps import HERE, WebState, render, templates
from storage.db import Database

# Scripts only from the app itself; no inline script or style anywhere; nothing frames the app.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
           "Cross-Origin-Opener-Policy": "same-origin",
           "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


def create_app(settings: Settings, db: Database, *, profile: str | None = None,
               today: Callable[[], date] | None = None, run_queue: bool | None = None) -> FastAPI:
    def local_today() -> date:
        return datetime.now(ZoneInfo(settings.timezone)).date()

    web = WebState(settings, db, profile or settings.profile, templates(), today or local_today)
    runner = QueueRunner(settings, db, web.today) if (
        run_queue if run_queue is not None else bool(settings.web_run_queue)) else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()

    app = FastAPI(title="govwatch", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web
    app.state.runner = runner

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return render(request, "error.html", status=exc.status, message=exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        words = {404: "没有这个页面，或您无权查看", 405: "不支持这种请求"}.get(exc.status_code, str(exc.detail))
        return render(request, "error.html", status=exc.status_code, message=words)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (routes_admin, routes_overview, routes_site, routes_account, routes_actions, routes_notices,
                   routes_evidence):
        app.include_router(module.router)
    return app
