"""`govwatch users` as a user runs it: add each role (a unit needs its unit), list, reset, disable; passwords
stored only as argon2 hashes; `govwatch web --help` is there."""

from __future__ import annotations

import sqlite3

from tests.cli_support import govwatch


def test_users_add_list_passwd_disable(tmp_path) -> None:
    assert govwatch(tmp_path, "users", "add", "admin", "--role", "admin", "--password", "admin-123").code == 0
    result = govwatch(tmp_path, "users", "add", "mz", "--role", "unit", "--password", "unit-1234")
    assert result.code == 2 and "--unit" in result.stderr
    result = govwatch(tmp_path, "users", "add", "mz", "--role", "unit", "--unit", "州民政局", "--password", "unit-1234")
    assert result.code == 0 and "州民政局" in result.stdout
    assert "至少" in govwatch(tmp_path, "users", "add", "weak", "--role", "inspector", "--password", "123").stderr
    assert "已存在" in govwatch(tmp_path, "users", "add", "mz", "--role", "admin", "--password", "abc-12345").stderr
    rows = govwatch(tmp_path, "users", "list", "--json").json()
    assert [(r["name"], r["role"], r["unit"]) for r in rows] == [("admin", "admin", None), ("mz", "unit", "州民政局")]
    [stored] = sqlite3.connect(tmp_path / "govwatch.db").execute(
        "select password_hash from web_users where name = 'mz'").fetchone()
    assert stored.startswith("$argon2") and "unit-1234" not in stored
    assert govwatch(tmp_path, "users", "passwd", "mz", "--password", "new-pass-99").code == 0
    assert govwatch(tmp_path, "users", "disable", "mz").code == 0
    assert govwatch(tmp_path, "users", "list", "--json").json()[1]["enabled"] is False
    actions = [a for (a,) in sqlite3.connect(tmp_path / "govwatch.db").execute("select action from audit_log")]
    assert actions == ["user-add", "user-add", "user-reset", "user-disable"]
    result = govwatch(tmp_path, "web", "--help")
    assert result.code == 0 and "--demo" in result.stdout
