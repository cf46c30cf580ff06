"""The two databases a caseload can live in: an SQLite file or a PostgreSQL server.

`Connection` runs the store's SQL on either. The SQL is written once, in the
dialect both share (``?`` placeholders, ``ON CONFLICT``, ``RETURNING``,
``"user"`` quoted); the few differences are methods here (`json_int`, the
write lock). Statements go straight to the driver (sqlite3 or psycopg) with
``executemany`` for bulk rows: the store's hot paths write thousands of rows
per batch and pay no per-statement compilation. The schema and its migration
history are SQLAlchemy/Alembic (see `migrations`), the same for both.

Where a caseload lives (a file path or a URL, `is_postgres`, `display`) and what a
refusal for want of permission says are core/store/targets.py.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .targets import display, libpq_url, login_refused

#: Rows a listing's server-side cursor fetches first (then `stream`'s size at a time).
FIRST_BATCH = 50
#: Seconds a writer waits for another process's write to finish before giving up, on
#: both backends (SQLite's busy timeout; PostgreSQL's lock_timeout for the write lock).
BUSY_TIMEOUT_SECONDS = 60.0
#: The advisory lock every PostgreSQL write transaction takes: writers queue, as on SQLite.
WRITE_LOCK_KEY = 0x65697275  # "eiru"
#: Taking it: one lock per caseload, that is per schema (advisory locks belong to the
#: database), so two caseloads kept as schemas of one database never queue together.
WRITE_LOCK = (
    f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY}, hashtext(coalesce(current_schema(), '')))"
)


#: Binding None: Python's sqlite3 (3.11, 3.12) looks for a way to adapt every parameter
#: that is not an exact int, float, str or bytearray, and for None that search (an
#: adapter look-up, then `__adapt__` and `__conform__`) costs more than binding the
#: value: about 0.5 us a NULL, and an import binds about 40 NULLs a case (clock and
#: event rows are mostly empty columns). An adapter registered for None is found at
#: the first look-up; `dict.get` of an empty dict answers None for any value, in C.
#: Process-wide, like every sqlite3 adapter, and it changes nothing stored (NULL
#: stays NULL); one an application registered for None first is left in place.
_NULL = (type(None), sqlite3.PrepareProtocol)
if _NULL not in sqlite3.adapters:
    sqlite3.register_adapter(type(None), {}.get)


#: SQLite's page cache while a bulk command writes (`cases import`, `evaluate --all`), in
#: KiB; SQLite's default is 2 MiB. Each clock row goes into the covering `clocks_due_order`
#: index (with its listed text since revision 0015) in `due` order, at scattered pages:
#: with the default cache each insert or delete evicted and read pages again (an import
#: of 10,000 cases, alternated: clock rows 231-240 -> 152-163 us a case; a nightly
#: `evaluate --all` at 100,000 cases: see docs/scale.md). Pages are cached as used, up to this.
WRITE_CACHE_KIB = 64 * 1024


@contextlib.contextmanager
def page_cache(conn, kib: int) -> Iterator[None]:
    """SQLite's page cache at `kib` KiB for the block, then as it was (PostgreSQL: as is)."""
    if conn.postgres:
        yield
        return
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


@lru_cache(maxsize=512)
def _to_format(sql: str) -> str:
    """qmark placeholders to psycopg's %s, outside quoted text; a literal % doubled."""
    parts = re.split(r"('(?:[^']|'')*')", sql)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a quoted literal
            out.append(part.replace("%", "%%"))
        else:
            out.append(part.replace("%", "%%").replace("?", "%s"))
    return "".join(out)


class WriteTimings:
    """How long each write transaction held the write lock, split by what it did.

    Set `Connection.timings` to one to record (benchmarks/caseload.py does);
    None, the default, records nothing. Each finished write appends a dict to
    `holds`: ``hold`` (lock taken to COMMIT done), ``wait`` (waiting for the lock),
    ``commit`` (the COMMIT itself: on PostgreSQL with fsync on, the WAL flush),
    ``audit`` (the audit chain's statements) and ``sql`` (every other statement),
    all in seconds; ``statements`` (seconds by the statement's first words) and
    ``label`` (what the transaction was, set by the writer) and ``cpu`` (seconds of
    CPU this process used while it held the lock: a hold much longer than its
    ``sql + audit + commit`` and its ``cpu`` was spent waiting for a core).
    """

    def __init__(self) -> None:
        self.holds: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None

    def begin(self, waited: float, label: str) -> None:
        self._open = {
            "label": label, "wait": waited, "sql": 0.0, "audit": 0.0, "commit": 0.0,
            "statements": {},
        }  # fmt: skip
        self._start = time.perf_counter()
        self._cpu = time.process_time()

    def statement(self, sql: str, took: float) -> None:
        if self._open is not None:
            self._open["audit" if "audit_" in sql[:40] else "sql"] += took
            head = " ".join(sql.split()[:4])  # "DELETE FROM clocks WHERE", a COPY's table
            self._open["statements"][head] = self._open["statements"].get(head, 0.0) + took

    def end(self, commit: float) -> None:
        if self._open is not None:
            self._open["commit"] = commit
            self._open["hold"] = time.perf_counter() - self._start
            self._open["cpu"] = time.process_time() - self._cpu
            self.holds.append(self._open)
            self._open = None

    def discard(self) -> None:
        """A rolled-back write: not counted."""
        self._open = None


class Connection:
    """One connection to the caseload database, SQLite or PostgreSQL, with the same methods."""

    def __init__(self, raw: Any, dialect: str):
        self.raw = raw
        self.dialect = dialect
        self.postgres = dialect == "postgresql"
        #: Lock-hold timings of each write transaction, when a `WriteTimings` is set.
        self.timings: WriteTimings | None = None
        #: Row generators still open on this connection, oldest first (`track`).
        self._open: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self._opened = 0

    def track(self, rows: Iterator[Any]) -> Iterator[Any]:
        """Have `close` close the generator `rows` first, if it is still open then.

        A listing stopped by an error (a full disk or a closed pipe under the rows
        being printed) is left suspended in the error's traceback: without this it
        would be finalized after the connection closed, and its `finally` (ending a
        PostgreSQL cursor, putting the listed cases on the record of access) would
        fail with "Cannot operate on a closed database" instead of running.
        """
        self._opened += 1
        self._open[self._opened] = rows
        return rows

    # Statements -----------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()):
        """Run one statement; the cursor has fetchone, fetchall and iterates over rows."""
        if self.timings is not None:
            start = time.perf_counter()
            cur = self._execute(sql, params)
            self.timings.statement(sql, time.perf_counter() - start)
            return cur
        return self._execute(sql, params)

    def _execute(self, sql: str, params: Sequence[Any]):
        if not self.postgres:
            return self.raw.execute(sql, params)
        cur = self.raw.cursor()
        if params:
            cur.execute(_to_format(sql), tuple(params))
        else:  # without parameters psycopg takes the text as it is (a % stays single)
            cur.execute(sql)
        return cur

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self.timings is not None:
            start = time.perf_counter()
            self._executemany(sql, rows)
            self.timings.statement(sql, time.perf_counter() - start)
        else:
            self._executemany(sql, rows)

    def _executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        if not self.postgres:
            self.raw.executemany(sql, rows)
            return
        with self.raw.cursor() as cur:
            cur.executemany(_to_format(sql), rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert many rows into `table`: COPY on PostgreSQL, executemany on SQLite.

        COPY sends every row in one stream instead of one statement each, so a
        batch of thousands of rows holds the write lock for milliseconds.
        """
        if not rows:
            return
        start = time.perf_counter()
        self._insert_rows(table, columns, rows)
        if self.timings is not None:
            self.timings.statement(table, time.perf_counter() - start)

    def _insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        if not self.postgres:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def update_rows(
        self,
        table: str,
        key: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        casts: dict[str, str] | None = None,
        changed_only: bool = False,
    ) -> None:
        """Set `columns` of many rows of `table`: each row gives the new values in
        `columns` order, then the `key` of the row to change.

        One ``UPDATE ... FROM (VALUES ...)`` per 500 rows on both databases (SQLite
        3.33 and later), not one statement a row: a part of `evaluate` spent most of
        its time in the write lock updating its 250 cases one by one. `casts` gives
        a column's SQL type where the database must be told (PostgreSQL reads a
        VALUES column of NULLs as text). With `changed_only`, a row already holding
        the values is left alone (no new row version, nothing to log).
        """
        if not rows:
            return
        casts = casts or {}
        width = len(columns) + 1

        def value(i: int, column: str) -> str:
            ref = f"v.column{i + 1}"
            return f"CAST({ref} AS {casts[column]})" if column in casts else ref

        sets = ", ".join(f'"{c}" = {value(i, c)}' for i, c in enumerate(columns))
        where = f'{table}."{key}" = v.column{width}'
        if changed_only:
            same = "IS NOT DISTINCT FROM" if self.postgres else "IS"
            held = " AND ".join(
                f'{table}."{c}" {same} {value(i, c)}' for i, c in enumerate(columns)
            )
            where += f" AND NOT ({held})"
        for i in range(0, len(rows), 500):
            part = rows[i : i + 500]
            marks = ",".join(["(" + ",".join("?" * width) + ")"] * len(part))
            self.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {marks}) AS v WHERE {where}",
                [x for row in part for x in row],
            )

    def execute_for(self, sql: str, ids: Sequence[Any], params: Sequence[Any] = ()):
        """Run `sql` (with ``{ids}`` where the id list goes) for ids, 500 at a time.

        `params` come before the ids. Yields nothing; use `select_for` for rows.
        """
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            self.execute(sql.format(ids=",".join("?" * len(part))), [*params, *part])

    def select_for(self, sql: str, ids: Sequence[Any], params: Sequence[Any] = ()) -> list:
        """Rows of `sql` (with ``{ids}`` where the id list goes) for ids, 500 at a time."""
        out: list = []
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            cur = self.execute(sql.format(ids=",".join("?" * len(part))), [*params, *part])
            out.extend(cur.fetchall())
        return out

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts keyed by column name."""
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    def stream(self, sql: str, params: Sequence[Any] = (), *, size: int = 2000) -> Iterator[tuple]:
        """Rows as they are read, never all in memory: for listings of a whole caseload.

        SQLite steps its statement row by row already. On PostgreSQL a client
        cursor would fetch the whole result first, so this reads through a
        server-side cursor, `size` rows at a time, inside a read transaction
        that ends when the rows do (or when the caller stops reading, or `close`).
        """
        return self.track(self._stream(sql, params, size))

    def _stream(self, sql: str, params: Sequence[Any], size: int) -> Iterator[tuple]:
        if not self.postgres:
            yield from self.raw.execute(sql, params)
            return
        with self.raw.transaction(), self.raw.cursor(name="eirules_stream") as cur:
            cur.itersize = size
            cur.execute(_to_format(sql), tuple(params))
            # A small first batch, so the first row is not kept waiting for `size` rows.
            yield from cur.fetchmany(FIRST_BATCH)
            yield from cur

    def order_text(self, expr: str) -> str:
        """`expr` compared by code point, as Python compares text (PostgreSQL's locale would not)."""
        return f'{expr} COLLATE "C"' if self.postgres else expr

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT ... RETURNING id and return the new row's id."""
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    # Transactions ---------------------------------------------------------------------

    def begin_write(self, label: str = "write", *, durable: bool = True) -> None:
        """Start a write transaction holding the database's one write lock.

        ``durable=False``: on PostgreSQL the COMMIT does not wait for the disk
        (`StoreBase.write` says when that is safe).
        """
        start = time.perf_counter()
        if self.postgres:
            # One round trip (the simple query protocol takes several statements). The
            # wait for the lock is bounded as SQLite's busy timeout bounds it there.
            relaxed = "" if durable else "SET LOCAL synchronous_commit = off; "
            wait = f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}; "
            try:
                self.raw.execute(f"BEGIN; {relaxed}{wait}{WRITE_LOCK}")
            except BaseException:
                self.rollback()  # the transaction is aborted: end it
                raise
        else:
            self.raw.execute("BEGIN IMMEDIATE")
        if self.timings is not None:
            self.timings.begin(time.perf_counter() - start, label)

    @property
    def in_transaction(self) -> bool:
        if self.postgres:
            from psycopg.pq import TransactionStatus

            return self.raw.info.transaction_status != TransactionStatus.IDLE
        return self.raw.in_transaction

    def commit(self) -> None:
        start = time.perf_counter()
        if self.postgres:
            if self.in_transaction:
                self.raw.execute("COMMIT")
        else:
            self.raw.commit()
        if self.timings is not None:
            self.timings.end(time.perf_counter() - start)

    def rollback(self) -> None:
        if self.postgres:
            if self.in_transaction:
                self.raw.execute("ROLLBACK")
        else:
            self.raw.rollback()
        if self.timings is not None:
            self.timings.discard()

    def close(self) -> None:
        """Close the generators still reading (newest first: a listing before the rows it
        wraps), then the connection."""
        for key in sorted(self._open.keys(), reverse=True):
            rows = self._open.get(key)
            if rows is not None:
                # A listing's last step failing here (the database gone too) must not
                # keep the connection open or hide the error that stopped the listing.
                with contextlib.suppress(Exception):
                    rows.close()
        self.raw.close()

    # Dialect differences --------------------------------------------------------------

    def json_int(self, column: str, key: str) -> str:
        """SQL for an integer member of a JSON text column."""
        if self.postgres:
            return f"CAST(CAST({column} AS json) ->> '{key}' AS INTEGER)"
        return f"json_extract({column}, '$.{key}')"

    def json_text(self, column: str, key: str) -> str:
        """SQL for a text member of a JSON text column."""
        if self.postgres:
            return f"(CAST({column} AS json) ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def table_names(self) -> list[str]:
        if self.postgres:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        return sorted(r[0] for r in self.execute(sql))


def connect_postgres(target: str | Path) -> Connection:
    """Connect to a PostgreSQL caseload; writes take `begin_write`'s lock, reads autocommit."""
    import psycopg

    from ..errors import Problem, StorageError

    try:
        raw = psycopg.connect(libpq_url(target), autocommit=True, connect_timeout=10)
        # No JIT compilation: the store's queries are short, indexed reads, and a listing's
        # cursor (costed for its whole result) spent 120 ms of its first row's 400 ms
        # compiling at 100,000 cases. A session setting, so no server change is needed.
        raw.execute("SET jit = off")
        # A custom plan for every execution of a prepared statement. psycopg prepares a
        # statement run five times, and PostgreSQL then keeps one generic plan, costed for
        # the table sizes it saw then: an import prepared `case_id IN (500 ids)` against
        # an empty `assignments`, kept a sequential scan (500 comparisons a row) for the
        # whole import, and at 100,000 cases each call took 0.4-2 s instead of 1 ms.
        raw.execute("SET plan_cache_mode = force_custom_plan")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "permission denied for database" in first:  # no CONNECT privilege
            raise login_refused(display(target), first.split("FATAL:")[-1].strip()) from None
        raise StorageError(
            f"cannot connect to the caseload database {display(target)}",
            [
                Problem(
                    "--db",
                    first,
                    "check the URL (postgresql://USER@HOST:PORT/DATABASE), that the server "
                    "is running and that your login may connect",
                )
            ],
        ) from None
    return Connection(raw, "postgresql")
