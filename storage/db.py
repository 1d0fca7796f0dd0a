"""Engines and sessions. SQLite by default (one file, no server); PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import make_engine
from storage.migrate import upgrade_engine


def create_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic). Existing tables and their rows are kept; a
    database made by the old create_all is recognised and stamped, never recreated."""
    upgrade_engine(engine, create_unmigrated=True)


class Database:
    """One engine and its session factory, created from a URL; the schema is migrated to head on open."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            create_schema(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
