"""Signing in and out, the session cookie, CSRF on every form, and the login rate limit.

The cookie holds a random token (HttpOnly, SameSite=Strict, Secure when served over HTTPS); the database
keeps only its SHA-256 (storage/web.py). Every POST carries the session's CSRF token in a hidden field;
the sign-in form, before there is a session, carries one from a cookie of its own (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from govwatch.web.passwords import check_password
from govwatch.web.scope import Viewer
from storage.db import Database
from storage.repo import utcnow
from storage.web import audit, failed_logins_since, find_user, open_session, session_user

COOKIE = "govwatch_session"
LOGIN_COOKIE = "govwatch_login"
MAX_FAILURES = 5  # failed sign-ins of one name ...
MAX_ADDRESS_FAILURES = 20  # ... or from one address (an office behind one NAT address shares it) ...
FAILURE_WINDOW = timedelta(minutes=15)  # ... within this long, and the next ones are refused


class LoginRequired(Exception):
    """The request needs a signed-in user; answered with a redirect to the sign-in page."""


class Refused(Exception):
    """A request that is not allowed: `status` and a sentence in the users' words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_viewer(request: Request, db: Database) -> Viewer | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with db.session() as session:
        found = session_user(session, token)
        if found is None:
            return None
        row, user = found
        return Viewer(user.id, user.name, user.role, user.unit, row.csrf)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def check_csrf(expected: str | None, given: object) -> None:
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise Refused(403, "表单已失效或来源不明（缺少校验码），请刷新页面后重新提交")


def login_token(request: Request) -> str:
    """The sign-in form's CSRF token: the one in its cookie, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def sign_in(db: Database, name: str, password: str, where: str | None, hours: float) -> str:
    """A new session's token; Refused with the reason when the name, the password or the rate limit says no.
    Every attempt is in the audit log."""
    with db.session() as session:
        by_name, by_address = failed_logins_since(session, name, where, utcnow() - FAILURE_WINDOW)
        if by_name >= MAX_FAILURES or by_address >= MAX_ADDRESS_FAILURES:
            audit(session, name, "login-refused", name, {"reason": "rate-limit"}, where)
            session.commit()  # the refusal is logged although the request fails
            raise Refused(429, "登录失败次数过多，请 15 分钟后再试")
        user = find_user(session, name)
        if user is None or not user.enabled or not check_password(user.password_hash, password):
            audit(session, None, "login-failed", name, None, where)
            session.commit()
            raise Refused(401, "用户名或密码不正确")
        token = secrets.token_urlsafe(32)
        open_session(session, user, token, secrets.token_urlsafe(24), hours, where)
        audit(session, user.name, "login", user.name, {"role": user.role}, where)
        return token
