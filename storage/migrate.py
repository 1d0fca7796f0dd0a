"""Alembic, configured from code: bring a database to the newest schema, say where it stands.

    upgrade(url)        # what `govwatch db upgrade` and every `Database(url)` do
    current(url)        # the revision the database is at (None: never migrated)
    differences(url)    # what autogenerate would still change: [] when the schema equals the models

A database made by the old `create_all` (tables but no `alembic_version`) is recognised and stamped
with the revision its tables match, then upgraded; nothing in it is dropped or rewritten.
Several processes may open the same database at once (scheduler and workers starting together):
PostgreSQL migrates under an advisory lock; SQLite serialises writers itself, and a process that
lost the race finds the schema at head when it looks again.
"""

from __future__ import annotations

import logging
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from storage.engine import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")
# Tables in the same database that are not govwatch's models (APScheduler keeps its job store here).
FOREIGN_TABLES = frozenset({"apscheduler_jobs", "alembic_version"})
# Databases made by create_all before migrations existed hold the tables of revisions 0001-0003
# (the models as they were then): such a database gets the missing ones of those and is stamped 0003.
LEGACY_REVISION = "0003"
LEGACY_TABLES = frozenset({
    "sites", "crawl_runs", "pages", "columns", "list_items", "link_checks", "evaluations",  # 0001
    "probes", "crawl_batches", "batch_runs", "recheck_requests", "service_locks", "service_notices",  # 0002
    "observations", "evidence", "manual_findings",  # 0003
})
_PG_LOCK = 7_311_842_205  # pg_advisory_xact_lock key: "govwatch migrations"

log = logging.getLogger(__name__)


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Autogenerate looks only at govwatch's own tables."""
    if type_ == "table":
        return name not in FOREIGN_TABLES
    return True


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    cfg.attributes["configure_logger"] = False
    return cfg


@lru_cache(maxsize=1)
def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _engine(url_or_engine: str | Engine) -> tuple[Engine, bool]:
    if isinstance(url_or_engine, Engine):
        return url_or_engine, False
    return make_engine(url_or_engine), True


def current(url_or_engine: str | Engine) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    engine, own = _engine(url_or_engine)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if own:
            engine.dispose()


def _legacy_revision(conn: Connection) -> str | None:
    """For tables made by create_all without Alembic: make the rest of the legacy schema, and say
    which revision that is (None: not a legacy database)."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables or not tables & LEGACY_TABLES:
        return None
    from storage.models import Base

    missing = [Base.metadata.tables[name] for name in sorted(LEGACY_TABLES - tables)]
    if missing:
        Base.metadata.create_all(conn, tables=missing)
    return LEGACY_REVISION


def _upgrade_once(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        context = MigrationContext.configure(conn)
        at = context.get_current_revision()
        if at == revision or (revision == "head" and at == head()):
            return
        cfg = alembic_config(connection=conn)
        if at is None and (legacy := _legacy_revision(conn)) is not None:
            log.warning("database has govwatch tables but no migration record: stamping revision %s", legacy)
            command.stamp(cfg, legacy)
        command.upgrade(cfg, revision)


def _unmigrated_tables(engine: Engine) -> None:
    """Model tables no migration creates yet (a model added without its migration): made with
    create_all so the code runs, and reported loudly; tests/test_migrations.py fails until the
    migration exists."""
    from storage.models import Base

    missing = [t for name, t in Base.metadata.tables.items() if name not in set(inspect(engine).get_table_names())]
    if missing:
        log.error("tables without a migration, created directly: %s -- add one with "
                  "`python -m storage.migrate revision -m ...`", ", ".join(t.name for t in missing))
        Base.metadata.create_all(engine, tables=missing)


def upgrade_engine(engine: Engine, revision: str = "head", *, create_unmigrated: bool = False) -> None:
    """Migrate to `revision`. `create_unmigrated` (what opening a Database does): also create model
    tables that no migration makes yet, with an error in the log, so work in progress still runs."""
    if revision == "head" and current(engine) == head():
        if create_unmigrated:
            _unmigrated_tables(engine)
        return  # the common case: one query
    for attempt in range(3):
        try:
            _upgrade_once(engine, revision)
            if revision == "head" and create_unmigrated:
                _unmigrated_tables(engine)
            return
        except DBAPIError:
            # Another process created the same tables first (SQLite has no advisory lock): look again.
            if attempt == 2 or (revision == "head" and current(engine) == head()):
                if revision == "head" and current(engine) == head():
                    return
                raise
            time.sleep(0.2 * (attempt + 1))


def upgrade(url: str, revision: str = "head") -> str | None:
    """Bring the database at `url` to `revision` (default: the newest); returns where it now is."""
    engine, own = _engine(url)
    try:
        upgrade_engine(engine, revision)
        return current(engine)
    finally:
        if own:
            engine.dispose()


def differences(url_or_engine: str | Engine) -> list[Any]:
    """What autogenerate would change to make the database equal the models; [] when they are equal."""
    from storage.models import Base

    engine, own = _engine(url_or_engine)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name, "compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        if own:
            engine.dispose()


def _revision(message: str) -> None:
    """Autogenerate a new revision against a scratch SQLite database at head."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/scratch.db"
        upgrade(url)
        rev_id = f"{int(head()) + 1:04d}"
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)
        head.cache_clear()


if __name__ == "__main__":  # python -m storage.migrate revision -m "message"
    if len(sys.argv) >= 4 and sys.argv[1] == "revision" and sys.argv[2] == "-m":
        _revision(sys.argv[3])
    else:
        sys.exit('usage: python -m storage.migrate revision -m "what changed"')
