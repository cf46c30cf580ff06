"""Opening a caseload: the file's pragmas, its migrations, and one write transaction.

Opened through sqlite-utils with foreign keys on, WAL (readers run beside a
writer) and a busy timeout (a second writer waits instead of failing). Every
write runs in one ``BEGIN IMMEDIATE`` transaction that also appends its audit
entries, so a crash or a bad record leaves the file exactly as it was.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from sqlite_utils import Database

from ..errors import Problem, StorageError
from . import migrations
from .audit import AuditWriter
from .workers import default_jobs

DB_ENV = "EIRULES_DB"
USER_ENV = "EIRULES_USER"
#: Seconds a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_SECONDS = 60.0
CHUNK = 1000

#: Case statuses kept in `cases.status`: the most urgent clock of the latest determination.
CASE_STATUSES = (
    "overdue",
    "due_soon",
    "pending",
    "no_open_clocks",
    "not_evaluated",
    "changed_since_evaluation",
    "evaluation_failed",
)


def default_db_path() -> Path:
    """$EIRULES_DB, else $XDG_DATA_HOME/eirules/caseload.db (~/.local/share/eirules/caseload.db)."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "eirules" / "caseload.db"


def default_user() -> str:
    """$EIRULES_USER, else the operating-system user name."""
    user = os.environ.get(USER_ENV)
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. in a container): still record something
        return "unknown"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces: the same data always gives the same text and hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_db(path: str | Path, *, create: bool = False) -> Database:
    """Open (or with create=True, create) a caseload file with the store's pragmas set."""
    path = Path(path)
    if not create and not path.exists():
        raise StorageError(
            f"no caseload database at {path}",
            [Problem("", "the file does not exist", f"create it with: eirules db init {path}")],
        )
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StorageError(
            f"{path} cannot be opened as a caseload database",
            [
                Problem(
                    "",
                    str(exc),
                    "check the path (--db, $EIRULES_DB), or create a new caseload with: "
                    "eirules db init NEW.db",
                )
            ],
        ) from None
    return db


def _foreign_tables(path: Path) -> list[str]:
    """Tables of another program in an existing SQLite file (none for a caseload or a new file)."""
    if not path.is_file() or path.stat().st_size == 0:
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            if (
                "_sqlite_migrations" in names
                and conn.execute(
                    "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ?",
                    (migrations.migrations.name,),
                ).fetchone()
            ):
                return []
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return []  # not an SQLite file at all: open_db says so
    return [n for n in names if n != "_sqlite_migrations"]


class StoreBase:
    """One open caseload database: its connection, engine and write transaction.

    `Store` adds what the caseload holds (see the package docstring); `engine`
    is needed for imports, events and evaluation.
    """

    def __init__(
        self, db: Database, engine=None, *, path: str | Path | None = None, jobs: int | None = None
    ):
        #: Worker processes for bulk imports and evaluations (1 = in this process).
        self.jobs = jobs or default_jobs()
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.engine = engine
        self.path = Path(path) if path else None

    # Lifecycle ---------------------------------------------------------------------

    @classmethod
    def init(cls, path: str | Path, engine=None) -> tuple[Self, list[str]]:
        """Create the file if needed and apply every migration; returns the store and names applied."""
        foreign = _foreign_tables(Path(path))
        if foreign:
            raise StorageError(
                f"{path} is not an eirules caseload: it holds other tables "
                f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''})",
                [
                    Problem(
                        "PATH",
                        "refusing to add the caseload's tables to another program's database",
                        "choose a new file name",
                    )
                ],
            )
        db = open_db(path, create=True)
        try:
            applied = _apply_migrations(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{path} cannot be initialised ({exc})") from None
        return cls(db, engine, path=path), applied

    @classmethod
    def open(cls, path: str | Path, engine=None) -> Self:
        """Open an initialised, up-to-date caseload, or raise StorageError saying what to run."""
        db = open_db(path)
        try:
            pending = migrations.pending(db)
            applied = migrations.applied(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{path} is not a caseload database ({exc})") from None
        if not applied:
            raise StorageError(
                f"{path} is not an eirules caseload",
                [Problem("", "no schema", f"run: eirules db init {path}")],
            )
        if pending:
            raise StorageError(
                f"{path} needs upgrading",
                [
                    Problem(
                        "",
                        f"migrations not applied: {', '.join(pending)}",
                        "run: eirules db upgrade",
                    )
                ],
            )
        present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in migrations.tables() if t not in present]
        if missing:
            raise StorageError(
                f"{path} is damaged: tables missing",
                [
                    Problem(
                        "",
                        f"{', '.join(missing)} not found (dropped outside eirules?)",
                        "restore the file from a backup",
                    )
                ],
            )
        return cls(db, engine, path=path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self, user: str) -> Iterator[AuditWriter]:
        """One write transaction with its audit writer; rolled back on any error."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(
                f"the caseload is busy ({exc})",
                [
                    Problem(
                        "",
                        f"another process held the write lock for {BUSY_TIMEOUT_SECONDS:g} s",
                        "try again",
                    )
                ],
            ) from None
        audit = AuditWriter(self.conn, user)
        try:
            yield audit
            audit.flush()
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _need_engine(self):
        if self.engine is None:
            from ..engine import Engine

            self.engine = Engine()
        return self.engine


def _apply_migrations(db: Database) -> list[str]:
    # Two processes may initialise at once: take the write lock first so the second waits,
    # then sees the migrations applied.
    names = migrations.pending(db)
    if names:
        migrations.apply(db)
    return names
