"""Binding None on SQLite (core/store/backend.py): found at once, stored as NULL, never replaced."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date

from eirules.core.importing import Record
from eirules.core.store import Store, backend


def test_none_has_an_adapter_so_sqlite3_does_not_search_for_one():
    """The store's import registers it: without one, every NULL an import binds (about
    40 a case) goes through sqlite3's adapter search (__adapt__, __conform__)."""
    assert backend._NULL in sqlite3.adapters
    assert sqlite3.adapters[backend._NULL](None) is None


def test_an_imported_case_keeps_its_empty_columns_null(tmp_path, engine):
    """An event without a program and an unmet clock: their empty columns are SQL NULL
    (typeof 'null'), not a text or a number, so `IS NULL` filters and listings still hold.
    The referral on 2026-01-05 opens the 45-day initial IFSP clock (34 CFR 303.310(a)),
    due 2026-02-19 and not met by 2026-02-10."""
    store, _ = Store.init(tmp_path / "c.db", engine)
    doc = {
        "schema": "eirules/case@1",
        "id": "T-NULL-1",
        "ruleset": "us",
        "child": {"birth_date": "2024-11-02", "name": "Ada Fictional"},
        "events": [{"type": "referral_received", "date": "2026-01-05"}],
    }
    store.import_records(
        [Record("t.json", "record 1", doc)], user="tester", evaluate_as_of=date(2026, 2, 10)
    )
    conn = store.conn
    assert conn.execute(
        "SELECT typeof(program), typeof(note), typeof(until) FROM events WHERE case_id = ?",
        ("T-NULL-1",),
    ).fetchall() == [("null", "null", "null")]
    assert conn.execute(
        "SELECT due, typeof(met_on), typeof(excused_by) FROM clocks "
        "WHERE case_id = ? AND clock = 'initial_ifsp_meeting'",
        ("T-NULL-1",),
    ).fetchall() == [("2026-02-19", "null", "null")]
    store.close()


def test_an_adapter_the_application_registered_first_is_kept():
    code = (
        "import sqlite3\n"
        "mine = lambda v: None\n"
        "sqlite3.register_adapter(type(None), mine)\n"
        "import eirules.core.store.backend\n"
        "assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)] is mine\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
