"""Where a caseload lives, and what its database's refusals mean in words.

A target is a file path (SQLite) or a URL: ``postgresql://user@host/db`` (also
``postgres://`` and ``postgresql+psycopg://``) or ``sqlite:///path``; shown in
messages without its password (`display`). A refusal for want of permission becomes
one StorageError with what to do (`permission_error`, `login_refused`).
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import Problem, StorageError

POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_postgres(target: str | Path) -> bool:
    return str(target).startswith(POSTGRES_SCHEMES)


def sqlite_path(target: str | Path) -> str:
    """The path of an SQLite target (a path, or a sqlite:/// URL) as given (a trailing
    slash kept, for `db init` to refuse: new_file.check_path)."""
    return str(target).removeprefix("sqlite:///")


def sqlite_file(target: str | Path) -> Path:
    """The file of an SQLite target (a path, or a sqlite:/// URL)."""
    return Path(sqlite_path(target))


#: A password in a URL's query: libpq reads `password` and `sslpassword` there too.
_QUERY_SECRET = re.compile(r"([?&](?:ssl)?password=)[^&]*", re.IGNORECASE)


def display(target: str | Path) -> str:
    """The target as shown in messages: a URL without its password, whether it is given
    as `user:password@` or in the query (`?password=`, `&sslpassword=`)."""
    text = str(target)
    if is_postgres(text):
        text = re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", text)
        return _QUERY_SECRET.sub(r"\1***", text)
    return text


def libpq_url(target: str | Path) -> str:
    """A URL psycopg accepts (it does not know SQLAlchemy's driver suffix)."""
    text = str(target)
    return "postgresql://" + text.split("://", 1)[1]


def sqlalchemy_url(target: str | Path) -> str:
    if is_postgres(target):
        return "postgresql+psycopg://" + str(target).split("://", 1)[1]
    return f"sqlite:///{sqlite_file(target)}"


def database_errors() -> tuple[type[BaseException], ...]:
    """The driver errors a damaged or unreachable database raises (psycopg's only once loaded)."""
    errors: list[type[BaseException]] = [sqlite3.DatabaseError]
    if "psycopg" in sys.modules:
        errors.append(sys.modules["psycopg"].Error)
    return tuple(errors)


def permission_error(exc: BaseException, shown: str) -> StorageError | None:
    """What to do when the database refused for want of permission; None for other errors.

    The one reading of such a refusal, for every place a driver error becomes a message.
    Every command writes: each read of a case goes on its record of access (34 CFR
    300.614, 303.405), so a caseload that can only be read cannot be worked on.
    """
    if isinstance(exc, sqlite3.Error) and (
        getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY")
    ):
        return StorageError(
            f"the caseload {shown} cannot be written ({exc})",
            [
                Problem(
                    "",
                    "every command writes to the caseload, even due and cases show: each "
                    "read of a case goes on its record of access (34 CFR 300.614, 303.405); "
                    "SQLite also makes its write-ahead log (-wal, -shm files) in the file's folder",
                    "give your account write permission on the file and on its folder "
                    "(chmod u+w FILE FOLDER, or ask their owner)",
                )
            ],
        )
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return login_refused(shown, str(exc).strip().splitlines()[0])
    return None


def login_refused(shown: str, why: str) -> StorageError:
    """A PostgreSQL login without the privileges its eirules role needs: what to grant.

    For a refused statement, a schema the login may not use and a database it may
    not connect to alike (`grants` holds what each role needs).
    """
    from .grants import group_roles

    database = urlsplit(libpq_url(shown)).path.strip("/") if is_postgres(shown) else ""
    roles = group_roles(database or "DATABASE")
    return StorageError(
        f"the caseload {shown} refused this login ({why})",
        [
            Problem(
                "",
                "the database login lacks a privilege this command needs on the caseload; "
                "each eirules role has a group role on the server holding exactly what its "
                "commands need",
                "ask the database administrator to make the login a member of the group "
                f"role of its eirules role ({', '.join(roles.values())}; e.g. GRANT "
                f"{roles['coordinator']} TO LOGIN); eirules db grants --db URL prints the "
                "SQL that creates them with their grants (docs/agencies.md)",
            )
        ],
    )
