"""Opening a caseload (an SQLite file or a PostgreSQL database) and one write transaction.

An SQLite file is opened through sqlite-utils with foreign keys on, WAL
(readers run beside a writer) and a busy timeout (a second writer waits
instead of failing). Every write runs in one transaction holding the
database's write lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
PostgreSQL) that also appends its audit entries, so a crash or a bad record
leaves the database exactly as it was.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from ..chunks import canonical_json as canonical_json  # shared with the workers
from ..chunks import sha256 as sha256
from ..errors import Problem, StorageError
from ..private_files import make_private_folder
from . import migrations
from .audit import AuditWriter
from .backend import BUSY_TIMEOUT_SECONDS, Connection, connect_postgres
from .new_file import check_path, creation_failed
from .targets import (
    database_errors,
    display,
    is_postgres,
    login_refused,
    permission_error,
    sqlite_file,
    sqlite_path,
)
from .workers import default_jobs

DB_ENV = "EIRULES_DB"
CHUNK = 1000

#: Case statuses kept in `cases.status`: the most urgent clock of the latest determination.
CASE_STATUSES = (
    "overdue",
    "due_soon",
    "pending",
    "needs_information",
    "no_open_clocks",
    "not_evaluated",
    "changed_since_evaluation",
    "evaluation_failed",
)


def data_dir() -> Path:
    """$XDG_DATA_HOME/eirules, else ~/.local/share/eirules (the default caseload's folder)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "eirules"


def default_db_path() -> Path | str:
    """$EIRULES_DB (a file or a postgresql:// URL), else ~/.local/share/eirules/caseload.db.

    ($XDG_DATA_HOME/eirules/caseload.db when XDG_DATA_HOME is set.)
    """
    if os.environ.get(DB_ENV):
        text = os.environ[DB_ENV]
        return text if is_postgres(text) else Path(text)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "eirules" / "caseload.db"


def default_user() -> str:
    """The operating-system account this process runs as (the person on an SQLite file).

    Read from the account database by the process's user id (`pwd.getpwuid`), not
    from $USER or $LOGNAME, which anyone running the command can set: the one reader
    of the OS user (`people.os_login`). Where there is no `pwd` (Windows) it falls back
    to `getpass.getuser()`, which reads those variables (docs/threat-model.md).
    """
    try:
        import pwd
    except ImportError:  # not a POSIX system
        pwd = None
    if pwd is not None:
        with contextlib.suppress(KeyError):  # a user id with no account entry (a container)
            return pwd.getpwuid(os.getuid()).pw_name
    try:
        return getpass.getuser()
    except Exception:  # no login name at all: still record something
        return "unknown"


def create_private(path: Path) -> None:
    """Create a caseload file readable by its owner only, in a folder only the owner may enter.

    A folder made for it is 0700 and the file 0600; SQLite gives its -wal and -shm
    files the database file's permissions. Every child's record is in this file: any
    other local user must not be able to read it (docs/threat-model.md).
    """
    make_private_folder(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    elif path.stat().st_size == 0 or path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # `db init` on an existing caseload tightens it too


def open_db(path: str | Path, *, create: bool = False) -> sqlite3.Connection:
    """Open (or with create=True, create) a caseload file with the store's pragmas set.

    Plain sqlite3: every command that opens a caseload comes through here, and
    importing sqlite-utils costs about a second where pandas is installed (it
    imports pandas and numpy at start-up; OR-Tools, the solver extra, brings pandas).
    """
    given, path = path, Path(path)  # `given` keeps a trailing slash (check_path)
    if not create and not path.exists():
        # A file in the way of its folder: the `db init` below would fail.
        check_path(given, data_dir(), "--db")
        raise StorageError(
            f"no caseload database at {path}",
            [
                Problem(
                    "",
                    "the file does not exist",
                    f"create it with: eirules db init {path}; or, if your caseload is another "
                    "file, name it with --db FILE or $EIRULES_DB",
                )
            ],
        )
    if not create and not path.is_file():  # a device or a pipe: said before it is opened
        check_path(path, data_dir(), "--db")
    if create:
        # Refused before anything is made, opened or has its mode changed (new_file).
        check_path(given, data_dir())
        try:
            create_private(path)
        except OSError as exc:
            raise creation_failed(path, exc, data_dir()) from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = wal")  # kept in the file from then on
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
    return conn


def connect(target: str | Path, *, create: bool = False) -> Connection:
    """A connection to a caseload: an SQLite file (created with create=True) or a PostgreSQL URL."""
    if is_postgres(target):
        return connect_postgres(target)
    return Connection(open_db(sqlite_path(target), create=create), "sqlite")


class StoreBase:
    """One open caseload database: its connection, engine and write transaction.

    `Store` adds what the caseload holds (see the package docstring); `engine`
    is needed for imports, events and evaluation.
    """

    def __init__(
        self,
        conn: Connection,
        engine=None,
        *,
        target: str | Path | None = None,
        jobs: int | None = None,
    ):
        #: Worker processes for bulk imports and evaluations (1 = in this process).
        self.jobs = jobs or default_jobs()
        self.conn = conn
        self.engine = engine
        #: The file of an SQLite caseload (None on PostgreSQL).
        self.path = None if conn.postgres or target is None else sqlite_file(target)
        #: The database as shown in messages (a URL without its password, or the file).
        self.target = display(target) if target is not None else ""

    # Lifecycle ---------------------------------------------------------------------

    @classmethod
    def init(cls, target: str | Path, engine=None) -> tuple[Self, list[str]]:
        """Create the database if needed and apply every migration; the store and names applied."""
        shown = display(target)
        conn = connect(target, create=True)
        try:
            if not conn.postgres:
                conn.raw.commit()  # WAL set: the migrations run on a connection of their own
            applied = migrations.apply(target)
        except database_errors() as exc:
            conn.close()
            raise StorageError(f"{shown} cannot be initialised ({exc})") from None
        except Exception as exc:  # SQLAlchemy wraps the driver's errors
            conn.close()
            if type(exc).__module__.startswith("sqlalchemy"):
                raise StorageError(f"{shown} cannot be initialised ({exc.args[0]})") from None
            raise
        return cls(conn, engine, target=target), applied

    @classmethod
    def open(cls, target: str | Path, engine=None) -> Self:
        """Open an initialised, up-to-date caseload, or raise StorageError saying what to run."""
        shown = display(target)
        conn = connect(target)
        try:
            cls._check_schema(conn, shown, None if conn.postgres else sqlite_file(target))
        except BaseException:
            conn.close()
            raise
        return cls(conn, engine, target=target)

    @staticmethod
    def _check_schema(conn: Connection, shown: str, path: Path | None = None) -> None:
        try:
            pending = migrations.pending(conn)
            applied = migrations.applied(conn)
            newer = migrations.newer_than_code(conn)
            present = set(conn.table_names())
        except database_errors() as exc:
            refused = permission_error(exc, shown)
            if refused is not None:
                raise refused from None
            raise StorageError(f"{shown} is not a caseload database ({exc})") from None
        if (
            not applied
            and conn.postgres
            and conn.execute("SELECT current_schema()").fetchone()[0] is None
        ):
            # The search path names no schema this login may use: no USAGE on it.
            raise login_refused(shown, "no schema on the search path it may use")
        if not applied and path is not None:
            # A device or another program's file: `db init` is not the fix.
            check_path(path, data_dir(), "--db")
        if not applied:
            raise StorageError(
                f"{shown} is not an eirules caseload",
                [Problem("", "no schema", f"run: eirules db init {shown}")],
            )
        if newer:
            raise StorageError(
                f"{shown} was made by a newer eirules",
                [Problem("", f"its schema is at {newer}", "upgrade eirules")],
            )
        if pending:
            raise StorageError(
                f"{shown} needs upgrading",
                [
                    Problem(
                        "",
                        f"migrations not applied: {', '.join(pending)}",
                        "run: eirules db upgrade",
                    )
                ],
            )
        missing = [t for t in migrations.tables() if t not in present]
        if missing:
            raise StorageError(
                f"{shown} is damaged: tables missing",
                [
                    Problem(
                        "",
                        f"{', '.join(missing)} not found (dropped outside eirules?)",
                        "restore the file from a backup",
                    )
                ],
            )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(
        self, user: str, *, label: str = "write", durable: bool = True
    ) -> Iterator[AuditWriter]:
        """One write transaction with its audit writer; rolled back on any error.

        `label` names the kind of write in lock-hold timings (`WriteTimings`).
        ``durable=False`` is for a write whose content the next run derives again
        (a part of `evaluate`): on PostgreSQL its COMMIT does not wait for the WAL
        to reach the disk (``synchronous_commit = off``), so the write lock is not
        held through a disk flush. A crash can lose such a write, never half of one,
        and only with every write committed after it (the WAL is replayed in order
        up to the last record on disk): the audit chain and its head stay whole,
        and the next durable commit (a coordinator's, the run's last) flushes it.
        SQLite in WAL mode with ``synchronous = NORMAL`` already commits so.
        """
        try:
            self.conn.begin_write(label, durable=durable)
        except database_errors() as exc:
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
            self.conn.commit()
        except BaseException:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise

    def _need_engine(self):
        if self.engine is None:
            from ..engine import Engine

            self.engine = Engine()
        return self.engine
