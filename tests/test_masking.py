"""Passwords in database and Redis URLs are never printed (issue 8, item 13)."""

from __future__ import annotations

from config.masking import mask_secrets
from tests.cli_support import govwatch


def test_url_passwords_are_masked_and_the_rest_kept() -> None:
    assert mask_secrets("postgresql+psycopg://gw:s3cr%40t@db:5432/gw") == "postgresql+psycopg://gw:***@db:5432/gw"
    assert mask_secrets("cannot reach Redis at redis://:pw123@redis:6379/0: refused") == (
        "cannot reach Redis at redis://:***@redis:6379/0: refused")
    assert mask_secrets("sqlite:////var/lib/govwatch.db") == "sqlite:////var/lib/govwatch.db"
    assert mask_secrets("http://127.0.0.1:8080/a@b") == "http://127.0.0.1:8080/a@b"


def test_db_upgrade_and_worker_never_print_the_password(tmp_path) -> None:
    env = {"GOVWATCH_DATABASE_URL": "postgresql+psycopg://gw:Hunter2Secret@127.0.0.1:1/gw",
           "GOVWATCH_REDIS_URL": "redis://:Hunter2Secret@127.0.0.1:1/0"}
    for args in (("db", "upgrade"), ("db", "current"), ("worker",)):
        result = govwatch(tmp_path, *args, env=env, timeout=60)
        assert result.code != 0, args
        assert "Hunter2Secret" not in result.stdout + result.stderr, (args, result.stderr)
        assert "***" in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
