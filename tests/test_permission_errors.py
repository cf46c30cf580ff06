"""A caseload the person may not write, or a login without privileges: say why and how to fix.

A read-only SQLite caseload said "could not be read or written ... the file may be
damaged ... restore the file from a backup": wrong advice. Every command writes,
even `due`: each read of a case goes on its record of access (34 CFR 300.614,
303.405). A PostgreSQL login without grants was told the database "is not a
caseload database (permission denied for table alembic_version)" with no fix.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.importing import Record
from eirules.core.store import Store
from eirules.core.store.targets import permission_error

READ_ONLY = [
    "Error: the caseload {db} cannot be written (attempt to write a readonly database)",
    "every command writes to the caseload, even due and cases show: each read of a case "
    "goes on its record of access (34 CFR 300.614, 303.405); SQLite also makes its "
    "write-ahead log (-wal, -shm files) in the file's folder; give your account write "
    "permission on the file and on its folder (chmod u+w FILE FOLDER, or ask their owner)",
]


@pytest.fixture
def caseload(tmp_path, engine) -> Path:
    db = tmp_path / "caseload.db"
    store, _ = Store.init(db, engine)
    doc = {
        "schema": "eirules/case@1",
        "id": "P-1",
        "ruleset": "us",
        "child": {"birth_date": "2024-11-02", "name": "Child P-1"},
        "events": [{"type": "referral_received", "date": "2026-01-05"}],
    }
    store.import_records([Record("a.json", "1", doc, caseworker="Rhea Tallowby")], user="setup")
    store.close()
    return db


def words(text: str) -> str:
    return " ".join(text.split())


def due(db: Path):
    return CliRunner().invoke(cli, ["due", "--db", str(db), "--as-of", "2026-03-02"])


def test_a_caseload_opened_read_only_says_every_read_is_recorded(caseload, monkeypatch):
    """The file opened as the driver opens a file it may only read (mode=ro): the same
    SQLITE_READONLY refusal a file without write permission gives, also as root."""
    real = sqlite3.connect

    def read_only(target, *args, **kwargs):
        if str(target) == str(caseload):
            return real(f"{caseload.resolve().as_uri()}?mode=ro", *args, uri=True, **kwargs)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    result = due(caseload)
    assert result.exit_code == 1, result.output
    assert words(result.output) == words(" ".join(READ_ONLY).format(db=caseload))
    assert "backup" not in result.output and "damaged" not in result.output


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write any file"
)
def test_a_caseload_file_without_write_permission(caseload):
    caseload.chmod(stat.S_IRUSR)
    try:
        result = due(caseload)
    finally:
        caseload.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert result.exit_code == 1, result.output
    assert words(result.output) == words(" ".join(READ_ONLY).format(db=caseload))


def test_a_postgresql_login_without_privileges_is_told_what_to_grant():
    psycopg = pytest.importorskip("psycopg")
    refused = permission_error(
        psycopg.errors.InsufficientPrivilege("permission denied for table alembic_version"),
        "postgresql://stranger@db.example/eirules",
    )
    assert str(refused).splitlines() == [
        "the caseload postgresql://stranger@db.example/eirules refused this login "
        "(permission denied for table alembic_version)",
        "  the database login lacks a privilege this command needs on the caseload; each "
        "eirules role has a group role on the server holding exactly what its commands need; "
        "ask the database administrator to make the login a member of the group role of its "
        "eirules role (eirules_coordinator, eirules_supervisor, eirules_data_manager, "
        "eirules_auditor; e.g. GRANT eirules_coordinator TO LOGIN); eirules db grants --db URL "
        "prints the SQL that creates them with their grants (docs/agencies.md)",
    ]
    assert permission_error(sqlite3.OperationalError("database is locked"), "x.db") is None
