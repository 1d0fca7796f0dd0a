"""Signing in and out, changing one's password, and the admin's pages: users, the audit log, the messages sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from config.masking import mask_secrets
from govwatch.web.auth import (
    COOKIE,
    LOGIN_COOKIE,
    Refused,
    address,
    check_csrf,
    login_token,
    set_cookie,
    sign_in,
)
from govwatch.web.deps import render, state, viewer
from govwatch.web.passwords import check_password, hash_password, weak_reason
from govwatch.web.scope import ROLE_WORDS, Viewer
from storage.repo import utcnow
from storage.web import (
    ROLES,
    WebUser,
    add_user,
    all_users,
    audit,
    audit_entries,
    close_session,
    close_sessions_of,
    find_user,
    messages,
)

router = APIRouter()
Csrf = Annotated[str, Form()]


def _safe_next(target: str | None) -> str:
    """Only a path of this app (never another host) is followed after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    token = login_token(request)
    response = render(request, "login.html", csrf=token, next=_safe_next(next))
    set_cookie(request, response, LOGIN_COOKIE, token, 3600)
    return response


@router.post("/login")
def login(request: Request, name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf: Csrf = "", next: Annotated[str, Form()] = "/") -> Response:
    check_csrf(request.cookies.get(LOGIN_COOKIE), csrf)
    web = state(request)
    try:
        token = sign_in(web.db, name, password, address(request), web.settings.web_session_hours)
    except Refused as exc:
        response = render(request, "login.html", status=exc.status, csrf=csrf, next=_safe_next(next),
                          error=exc.message, name=name)
        return response
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, COOKIE, token, int(web.settings.web_session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: Annotated[Viewer, Depends(viewer)], csrf: Csrf = "") -> Response:
    check_csrf(who.csrf, csrf)
    web = state(request)
    with web.db.session() as session:
        close_session(session, request.cookies.get(COOKIE, ""))
        audit(session, who.name, "logout", who.name, None, address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/password")
def password_page(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    return render(request, "password.html")


@router.post("/password")
def change_password(request: Request, who: Annotated[Viewer, Depends(viewer)], csrf: Csrf = "",
                    old: Annotated[str, Form()] = "", new: Annotated[str, Form()] = "",
                    again: Annotated[str, Form()] = "") -> Response:
    check_csrf(who.csrf, csrf)
    web = state(request)
    error = weak_reason(new) or ("两次输入的新密码不一致" if new != again else None)
    with web.db.session() as session:
        user = session.get(WebUser, who.id)
        if error is None and not check_password(user.password_hash, old):
            error = "原密码不正确"
        if error is None:
            user.password_hash, user.password_changed_at = hash_password(new), utcnow()
            close_sessions_of(session, user.id, keep=request.cookies.get(COOKIE))
            audit(session, who.name, "password-change", who.name, None, address(request))
    if error:
        return render(request, "password.html", status=400, error=error)
    return render(request, "password.html", done="密码已修改，其他已登录的浏览器需重新登录")


def _admin(who: Viewer) -> None:
    if not who.admin:
        raise Refused(404, "没有这个页面，或您无权查看")


@router.get("/admin/users")
def users_page(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    _admin(who)
    with state(request).db.session() as session:
        users = all_users(session)
    return render(request, "users.html", users=users, roles=ROLES, role_words=ROLE_WORDS)


@router.post("/admin/users")
def users_action(request: Request, who: Annotated[Viewer, Depends(viewer)], csrf: Csrf = "",
                 action: Annotated[str, Form()] = "add", name: Annotated[str, Form()] = "",
                 role: Annotated[str, Form()] = "inspector", unit: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "") -> Response:
    _admin(who)
    check_csrf(who.csrf, csrf)
    web = state(request)
    error = None
    with web.db.session() as session:
        user = find_user(session, name)
        if action == "add":
            error = ("请填写用户名" if not name.strip() else f"用户 {name} 已存在" if user else
                     "角色不正确" if role not in ROLES else "被检查单位用户须填写单位名称" if role == "unit" and
                     not unit.strip() else weak_reason(password))
            if error is None:
                add_user(session, name, role, hash_password(password), unit.strip() or None)
        elif user is None:
            error = f"没有用户 {name}"
        elif action in ("disable", "enable"):
            if user.id == who.id:
                error = "不能停用自己"
            else:
                user.enabled = action == "enable"
                close_sessions_of(session, user.id)
        elif action == "reset":
            error = weak_reason(password)
            if error is None:
                user.password_hash = hash_password(password)
                close_sessions_of(session, user.id)
        if error is None:
            audit(session, who.name, f"user-{action}", name, {"role": role, "unit": unit} if action == "add" else None,
                  address(request))
        users = all_users(session)
    return render(request, "users.html", status=400 if error else 200, users=users, roles=ROLES,
                  role_words=ROLE_WORDS, error=error, done=None if error else "已保存")


@router.get("/admin/audit")
def audit_page(request: Request, who: Annotated[Viewer, Depends(viewer)], page: int = 1) -> Response:
    _admin(who)
    with state(request).db.session() as session:
        entries = audit_entries(session, 200, (max(1, page) - 1) * 200)
    return render(request, "audit.html", entries=entries, page=max(1, page))


@router.get("/admin/messages")
def messages_page(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    _admin(who)
    with state(request).db.session() as session:
        rows = [(m, mask_secrets(m.address)) for m in messages(session)]
    return render(request, "messages.html", rows=rows)
