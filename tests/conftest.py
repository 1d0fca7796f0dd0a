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
        except Exception as exc:
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
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A database URL with an empty govwatch schema: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govwatch.db'}"
    url = request.getfixturevalue("pg_session_url")
    _truncate_all(url)
    return url


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only (the production store): the session schema with empty tables."""
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
    except Exception as exc:
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


# -- small government-like sites on 127.0.0.1, for the service tests ---------------------------------------------


class FarmServer:
    """Sites served by stdlib http.server threads: a home page with a navigation menu of columns,
    each column a dated list linking to articles. Counts every hit and the most requests in flight
    at once per host (IP), for politeness checks."""

    COLUMNS = ("政务动态", "通知公告", "政策文件", "人事信息", "规划计划", "工作动态")

    def __init__(self, count: int, *, host: str = "127.0.0.1", delay: float = 0.0, columns: int = 4,
                 today: str = "2026-11-20") -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.delay = delay
        self.today = today
        self.columns = self.COLUMNS[:columns]
        self.hits: dict[tuple[int, str], int] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.lock = threading.Lock()
        self.servers = []
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:
                pass

            def _serve(self, head_only: bool) -> None:
                import time

                index = self.server.site_index  # type: ignore[attr-defined]
                ip = self.server.server_address[0]
                with farm.lock:
                    farm.hits[(index, self.path)] = farm.hits.get((index, self.path), 0) + 1
                    farm.in_flight[ip] = farm.in_flight.get(ip, 0) + 1
                    farm.max_in_flight[ip] = max(farm.max_in_flight.get(ip, 0), farm.in_flight[ip])
                counted = True

                def answered() -> None:
                    # Counted out before the first byte leaves (headers are buffered until end_headers): once
                    # the client can see the answer it may send its next request, and a thread the server has
                    # not yet scheduled back must not make the two look in flight at once.
                    nonlocal counted
                    if counted:
                        counted = False
                        with farm.lock:
                            farm.in_flight[ip] -= 1

                try:
                    if farm.delay:
                        time.sleep(farm.delay)
                    status, body, *headers = farm.page(index, self.path)  # (status, body[, headers])
                    data = body.encode("utf-8")
                    self.send_response(status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers[0] if headers else {}).items():
                        self.send_header(name, value)
                    answered()
                    self.end_headers()
                    if not head_only:
                        self.wfile.write(data)
                except OSError:  # the client went away (a killed worker)
                    pass
                finally:
                    answered()

            def do_GET(self) -> None:
                self._serve(False)

            def do_HEAD(self) -> None:
                self._serve(True)

        for i in range(count):
            server = ThreadingHTTPServer((host, 0), Handler)
            server.daemon_threads = True
            server.site_index = i  # type: ignore[attr-defined]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    def url(self, index: int) -> str:
        host, port = self.servers[index].server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def urls(self) -> list[str]:
        return [self.url(i) for i in range(len(self.servers))]

    def page(self, index: int, path: str) -> tuple[int, str]:
        name = f"测试县{index + 1}人民政府"
        nav = "".join(f'<li><a href="/c{c}/">{title}</a></li>' for c, title in enumerate(self.columns))
        head = f'<html><head><meta charset="utf-8"><title>{name}</title><meta name="SiteName" content="{name}">'
        if path == "/":
            items = "".join(f'<li><a href="/c0/t20261120_{k}.html">要闻{k}</a><span>{self.today}</span></li>'
                            for k in range(3))
            return 200, (f'{head}</head><body><div class="nav"><ul>{nav}</ul></div>'
                         f'<div class="news"><ul>{items}</ul></div></body></html>')
        parts = path.strip("/").split("/")
        if parts and parts[0].startswith("c") and parts[0][1:].isdigit() and int(parts[0][1:]) < len(self.columns):
            c = int(parts[0][1:])
            if len(parts) == 1:
                items = "".join(
                    f'<li><a href="/c{c}/t20261120_{k}.html">{self.columns[c]}第{k}条</a><span>{self.today}</span></li>'
                    for k in range(5))
                return 200, (f'{head}<meta name="ColumnName" content="{self.columns[c]}"></head><body>'
                             f'<div class="nav"><ul>{nav}</ul></div><ul class="list">{items}</ul></body></html>')
            return 200, f"{head}</head><body><h1>{parts[-1]}</h1><p>发布时间：{self.today}</p></body></html>"
        return 404, f"{head}</head><body>404 页面不存在</body></html>"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def farm_factory() -> Iterator:
    made: list[FarmServer] = []

    def make(count: int, **kwargs) -> FarmServer:
        farm = FarmServer(count, **kwargs)
        made.append(farm)
        return farm

    yield make
    for farm in made:
        farm.close()
