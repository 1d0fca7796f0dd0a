"""A writer thread: what a crawl observes is written in bulk, off the crawl's event loop.

The crawl hands rows (`insert`) and small pieces of work that need an answer from the database
(`call`: a column's id for its list items, a run's row to close) to one thread, through a bounded
queue, in the order they were made. The thread takes whatever has queued up (at most `batch` pieces),
writes the rows of each table with one executemany, runs the calls in between in order, and commits
once. So the event loop never waits on the database (only on a full queue, which is the back-pressure
a slow database must exert), and a thousand rows cost one round trip instead of a thousand ORM flushes.

A failed transaction is written again piece by piece, each in its own transaction, so one bad row
costs only itself; what cannot be written is logged with its run. `done` callbacks run in the writer
thread once their piece is committed (or has failed, with the error): a worker acknowledges a site
only after its run's close is stored.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table

log = logging.getLogger(__name__)

Done = Callable[[BaseException | None], None]


@dataclass(slots=True)
class _Insert:
    table: Table
    row: dict[str, Any]
    run_id: int | None


@dataclass(slots=True)
class _Call:
    fn: Callable[[Connection], None]
    done: Done | None
    run_id: int | None


@dataclass(slots=True)
class _Sync:
    event: threading.Event


_STOP = object()


class BulkWriter:
    """One thread writing rows and calls in order, many per transaction."""

    def __init__(self, engine: Engine, *, batch: int = 2000, max_queued: int = 20000,
                 name: str = "govwatch-writer") -> None:
        self.engine = engine
        self.batch = batch
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_queued)
        self.name = name
        self._thread: threading.Thread | None = None  # started with the first piece, again after close()
        self._started = False
        self._lock = threading.Lock()
        self.failures = 0  # pieces that could not be written (each logged)

    # -- what the crawl calls ------------------------------------------------------------------

    def insert(self, table: Table, row: dict[str, Any], run_id: int | None = None) -> None:
        self._put(_Insert(table, row, run_id))

    def call(self, fn: Callable[[Connection], None], done: Done | None = None, run_id: int | None = None) -> None:
        self._put(_Call(fn, done, run_id))

    def sync(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed (or has failed and been logged)."""
        if not self._started:
            return True
        event = threading.Event()
        self._put(_Sync(event))
        return event.wait(timeout)

    def close(self, timeout: float | None = 60.0) -> None:
        """Write what is queued, then stop the thread."""
        if not self._started:
            return
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)
        self._started = False

    def _put(self, piece: object) -> None:
        if not self._started:
            with self._lock:
                if not self._started:
                    self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                    self._thread.start()
                    self._started = True
        self._queue.put(piece)

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            pieces = [first]
            while len(pieces) < self.batch and pieces[-1] is not _STOP:
                try:
                    pieces.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = pieces[-1] is _STOP
            work = [p for p in pieces if p is not _STOP]
            if work:
                self._write(work)
            if stop:
                return

    def _write(self, pieces: list[Any]) -> None:
        try:
            with self.engine.begin() as conn:
                self._apply(conn, pieces)
        except Exception as exc:
            log.warning("storage: a batch of %d could not be written together (%s); writing them one by one",
                        len(pieces), exc.__class__.__name__)
            for piece in pieces:
                self._write_one(piece)
            return
        self._after(pieces, None)

    def _write_one(self, piece: Any) -> None:
        try:
            with self.engine.begin() as conn:
                self._apply(conn, [piece])
        except Exception as exc:
            self.failures += 1
            what = piece.table.name if isinstance(piece, _Insert) else getattr(piece.fn, "__name__", "call")
            log.error("storage: could not write %s of run %s: %s", what, getattr(piece, "run_id", None), exc,
                      exc_info=not isinstance(exc, OSError))
            self._after([piece], exc)
            return
        self._after([piece], None)

    @staticmethod
    def _apply(conn: Connection, pieces: list[Any]) -> None:
        rows: dict[Table, list[dict[str, Any]]] = {}

        def flush() -> None:
            for table, batch in rows.items():
                conn.execute(table.insert(), batch)
            rows.clear()

        for piece in pieces:
            if isinstance(piece, _Insert):
                rows.setdefault(piece.table, []).append(piece.row)
            elif isinstance(piece, _Call):
                flush()
                piece.fn(conn)
        flush()

    @staticmethod
    def _after(pieces: list[Any], error: BaseException | None) -> None:
        for piece in pieces:
            if isinstance(piece, _Sync):
                piece.event.set()
            elif isinstance(piece, _Call) and piece.done is not None:
                try:
                    piece.done(error)
                except Exception:
                    log.exception("storage: a done callback failed")
