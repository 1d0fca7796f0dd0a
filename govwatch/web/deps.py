"""What every page shares: the app's state (settings, database, templates), the signed-in viewer, rendering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from config.clock import to_beijing
from config.settings import Settings
from config.vocabulary import CONTENT_DISMISSED, FINDING_STATUS_WORDS, POST_WHERE, UNKNOWN, VERDICT_WORDS, verdict_word
from govwatch.web.auth import LoginRequired, current_viewer
from govwatch.web.scope import Viewer
from storage.db import Database

HERE = Path(__file__).resolve().parent
# A kept crawled page may do nothing: no script, no form, no request anywhere, no same origin; only our page frames it.
SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
MEDIA_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               ".csv": "text/csv; charset=utf-8", ".json": "application/json"}


@dataclass
class WebState:
    settings: Settings
    db: Database
    profile: str
    templates: Environment
    today: Callable[[], date]


def _beijing(moment: Any) -> str:
    """A stored naive-UTC time as Beijing time for people."""
    if moment is None:
        return "—"
    return to_beijing(moment).strftime("%Y-%m-%d %H:%M")


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(verdict_word=verdict_word, VERDICT_WORDS=VERDICT_WORDS, UNKNOWN=UNKNOWN,
                       STATUS_WORDS=FINDING_STATUS_WORDS, POST_WHERE=POST_WHERE, CONTENT_DISMISSED=CONTENT_DISMISSED)
    env.filters["beijing"] = _beijing
    return env


def state(request: Request) -> WebState:
    return request.app.state.web


def viewer(request: Request) -> Viewer:
    """The signed-in user, or a redirect to the sign-in page."""
    found = current_viewer(request, state(request).db)
    if found is None:
        raise LoginRequired()
    request.state.viewer = found
    return found


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    web = state(request)
    html = web.templates.get_template(template).render(request=request, viewer=getattr(request.state, "viewer", None),
                                                   today=web.today(), **context)
    return HTMLResponse(html, status_code=status)


