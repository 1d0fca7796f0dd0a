"""Shared fixtures: a database on every backend, a Redis key prefix of the test run's own.

`db_url` runs a test once on SQLite (a temporary file) and once on the PostgreSQL at
127.0.0.1:5432 (database `test`, trust auth), in a schema made for this test session (`gw_<random>`)
and dropped at its end; each test starts with empty tables. PostgreSQL and Redis tests are skipped,
with the reason shown, only when the server does not answer. Set GOVWATCH_TEST_PG_URL /
GOVWATCH_TEST_REDIS_URL to point them elsewhere.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest

PG_URL = os.environ.get("GOVWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("GOVWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

_pg_error: list[str | None] = []


def _pg_plain_url() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers (asked once per session)."""
    if not _pg_error:
        try:
            import psycopg

            with psycopg.connect(_pg_plain_url(), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_error.append(None)
        except Exception as exc:  # noqa: BLE001 - any failure means: skip, and say why
            _pg_error.append(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {exc}".strip())
    return _pg_error[0]


def _pg_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_plain_url(), autocommit=True) as conn:
        conn.execute(sql)


def schema_url(schema: str) -> str:
    """A SQLAlchemy URL whose connections use `schema` first."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}', safe='')}"


@contextmanager
def fresh_pg_schema(label: str = "gw") -> Iterator[str]:
    """A new, empty PostgreSQL schema (yields its URL); dropped with everything in it afterwards."""
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"{label}_{secrets.token_hex(4)}"
    _pg_execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema_url(schema)
    finally:
        _pg_execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """One PostgreSQL schema for the whole test session, migrated to head."""
    with fresh_pg_schema("gw") as url:
        from storage.migrate import upgrade

        upgrade(url)
        yield url


def _truncate_all(url: str) -> None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # noqa: ANN001
    """A database URL with an empty govwatch schema: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govwatch.db'}"
    url = request.getfixturevalue("pg_session_url")
    _truncate_all(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}: {exc}")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of this test's own; every key under it is deleted afterwards."""
    import redis

    prefix = f"gwtest:{secrets.token_hex(4)}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
