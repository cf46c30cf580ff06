"""The caseload schema and its one migration history, for SQLite and PostgreSQL alike.

The migrations are Alembic revisions in ``alembic/versions/`` (one file each,
forward only: never edit a released one, add a new one). Tables and columns are
named for what they hold; dates are ISO-8601 text and JSON is text, so an SQLite
file reads well in Datasette or the sqlite3 shell.

Files made before Alembic (by sqlite-utils' migrations, table
``_sqlite_migrations``) used the same names for the same two steps: they count
as applied, and `apply` records them in ``alembic_version`` first.

Opening a caseload only compares ``alembic_version`` with `REVISIONS` (Alembic
itself is loaded by `apply`, that is by ``db init`` and ``db upgrade``);
tests/test_store.py checks that `REVISIONS` is Alembic's history.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .backend import WRITE_LOCK, Connection
from .targets import is_postgres, sqlalchemy_url

#: Every revision, oldest first (the files in alembic/versions/).
REVISIONS: tuple[str, ...] = (
    "0001_initial_caseload",
    "0002_ruleset_versions",
    "0003_staff_and_access_log",
    "0004_audit_content",
    "0005_due_items",
    "0006_current_evaluation",
    "0007_staff_tokens",
    "0008_due_order_index",
    "0009_token_expiry",
    "0010_late_clocks_stay_listed",
    "0011_cases_evaluation_index",
    "0012_stability_interval",
    "0013_clock_closed_on",
    "0014_listing_columns_on_clocks",
    "0015_listed_text_on_clocks",
    "0016_caseworker_name_key",
    "0017_late_excused_cases_overdue",
)

#: Every table the migrations create, for checking that a database still has them all.
TABLES: tuple[str, ...] = (
    "case_documents",
    "cases",
    "children",
    "events",
    "evaluations",
    "conditions",
    "enrolments",
    "service_plans",
    "caseworkers",
    "assignments",
    "evaluation_runs",
    "determinations",
    "clocks",
    "audit_log",
    "audit_head",
    "ruleset_versions",
    "staff",
    "access_log",
    "audit_content",
    "staff_tokens",
)

SCRIPTS = Path(__file__).resolve().parent / "alembic"
LEGACY_TABLE = "_sqlite_migrations"


def _legacy(conn: Connection, names: list[str]) -> str | None:
    """The last revision a pre-Alembic SQLite file applied (None if it is not one)."""
    if conn.postgres or LEGACY_TABLE not in names:
        return None
    done = {
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {LEGACY_TABLE} WHERE migration_set = 'eirules'"  # noqa: S608
        )
    }
    known = [r for r in REVISIONS if r in done]
    return known[-1] if known else None


def current(conn: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    names = conn.table_names()
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is not None:
            return row[0]
    return _legacy(conn, names)


def applied(conn: Connection) -> list[str]:
    """Revisions applied to this database, oldest first."""
    at = current(conn)
    if at is None:
        return []
    if at not in REVISIONS:  # made by a newer eirules
        return list(REVISIONS)
    return list(REVISIONS[: REVISIONS.index(at) + 1])


def pending(conn: Connection) -> list[str]:
    """Revisions not yet applied to this database."""
    done = applied(conn)
    return [r for r in REVISIONS if r not in done]


def newer_than_code(conn: Connection) -> str | None:
    """The database's revision when this eirules does not know it (made by a newer version)."""
    at = current(conn)
    return at if at is not None and at not in REVISIONS else None


def _config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return config


def history() -> list[str]:
    """Alembic's own list of revisions, oldest first (what `REVISIONS` must equal)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def apply(target: str | Path) -> list[str]:
    """Apply every pending revision in one transaction holding the write lock; names applied.

    Two processes initialising at once: the second waits for the lock, then finds
    nothing pending.
    """
    import sqlalchemy as sa
    from alembic import command
    from sqlalchemy.pool import NullPool

    url = sqlalchemy_url(target)
    if is_postgres(target):
        engine = sa.create_engine(url, poolclass=NullPool)
    else:
        engine = sa.create_engine(
            url, poolclass=NullPool, connect_args={"timeout": 60, "isolation_level": None}
        )

        @sa.event.listens_for(engine, "begin")
        def _immediate(conn):  # take SQLite's write lock before reading the revision
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    config = _config()
    try:
        with engine.begin() as conn:
            if is_postgres(target):
                conn.execute(sa.text(WRITE_LOCK))
            dialect = "postgresql" if is_postgres(target) else "sqlite"
            raw = Connection(conn.connection.driver_connection, dialect)
            before = applied(raw)
            names = sa.inspect(conn).get_table_names()
            config.attributes["connection"] = conn
            if "alembic_version" not in names and before:
                command.stamp(config, before[-1])
            with warnings.catch_warnings():
                # SQLAlchemy cannot reflect clocks_due_order (an index of expressions)
                # when an earlier revision inspects the indexes of a set-back file.
                warnings.filterwarnings(
                    "ignore", "Skipped unsupported reflection of expression-based index"
                )
                command.upgrade(config, "head")
    finally:
        engine.dispose()
    return [r for r in REVISIONS if r not in before]


def tables() -> list[str]:
    return list(TABLES)


def latest() -> str:
    """The newest revision (the schema version this code expects)."""
    return REVISIONS[-1]
