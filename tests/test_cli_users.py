"""`govwatch users` as a user runs it: add each role (a unit needs its unit), reset, disable, list; passwords
stored only as argon2 hashes; every change in the audit log."""

from __future__ import annotations

import sqlite3

from tests.cli_support import govwatch


def test_users_add_passwd_disable_list(tmp_path) -> None:
    assert govwatch(tmp_path, "users", "add", "admin", "--role", "admin", "--password", "admin-123").code == 0
    result = govwatch(tmp_path, "users", "add", "mz", "--role", "unit", "--password", "unit-1234")
    assert result.code == 2 and "--unit" in result.stderr
    result = govwatch(tmp_path, "users", "add", "mz", "--role", "unit", "--unit", "州民政局", "--password", "unit-1234")
    assert result.code == 0 and "州民政局" in result.stdout
    assert "至少" in govwatch(tmp_path, "users", "passwd", "mz", "--password", "123").stderr
    assert govwatch(tmp_path, "users", "disable", "mz").code == 0
    rows = govwatch(tmp_path, "users", "list", "--json").json()
    assert [(r["name"], r["role"], r["unit"], r["enabled"]) for r in rows] == [
        ("admin", "admin", None, True), ("mz", "unit", "州民政局", False)]
    db = sqlite3.connect(tmp_path / "govwatch.db")
    [stored] = db.execute("select password_hash from web_users where name = 'mz'").fetchone()
    assert stored.startswith("$argon2") and "unit-1234" not in stored
    assert [a for (a,) in db.execute("select action from audit_log")] == ["user-add", "user-add", "user-disable"]
