"""Alembic migrations: from nothing to head they build exactly the models, on SQLite and PostgreSQL;
an old create_all database is taken over without losing a row; `govwatch db` reports and upgrades."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from typer.testing import CliRunner

from storage import migrate
from storage.db import Database, make_engine
from storage.models import Base, CrawlRun, Site
from storage.repo import start_run, upsert_site
from tests.conftest import fresh_pg_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path):
    """An empty database (a fresh SQLite file, a fresh PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_pg_schema("gwm") as url:
        yield url


def test_upgrade_from_nothing_equals_the_models(empty_url: str) -> None:
    assert migrate.current(empty_url) is None
    assert migrate.upgrade(empty_url) == migrate.head()
    assert migrate.differences(empty_url) == []  # autogenerate finds nothing to change
    engine = make_engine(empty_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert migrate.upgrade(empty_url) == migrate.head()  # a second upgrade is a no-op


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.upgrade(empty_url, "0001")  # nothing to do: already past it
    from alembic import command

    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(connection=conn), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert migrate.upgrade(empty_url) == migrate.head()
    assert migrate.differences(empty_url) == []


def test_create_all_database_is_stamped_and_kept(tmp_path) -> None:
    """A database made by the old `create_all` (no alembic_version) is taken over, rows intact."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    old_tables = [Base.metadata.tables[n] for n in ("sites", "crawl_runs", "pages", "columns", "list_items",
                                                    "link_checks", "evaluations")]
    Base.metadata.create_all(engine, tables=old_tables)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (name, url, registered, created_at) "
                          "VALUES ('某县', 'http://www.x.gov.cn/', 1, '2023-11-01 00:00:00')"))
    engine.dispose()
    db = Database(url)
    try:
        assert migrate.current(db.engine) == migrate.head()
        assert migrate.differences(db.engine) == []
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Site)) == 1
            site, created = upsert_site(session, url="http://www.x.gov.cn")
            assert not created
            start_run(session, site, date(2023, 11, 20))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(CrawlRun)) == 1
    finally:
        db.dispose()


def test_full_create_all_database_is_stamped_at_head(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'all.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    assert migrate.upgrade(url) == migrate.head()
    assert migrate.differences(url) == []


def test_db_commands(tmp_path, monkeypatch) -> None:
    from govwatch.cli import app

    monkeypatch.setenv("GOVWATCH_HOME", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert "never migrated" in result.output
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"empty -> {migrate.head()}" in result.output
    result = runner.invoke(app, ["db", "current"])
    assert f"{migrate.head()} — up to date" in result.output
