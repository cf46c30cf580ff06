"""Issue 11: tamper evidence covers the data, not only the log.

Each scenario edits the caseload file the way someone with write access to it
could (the sqlite3 shell), then runs `eirules audit verify`. Before the fix every
one of these reported "Audit log intact" except the chain edits; now each is
named, exit 1. A consistent rewrite of the log cannot be seen from inside the
file: `audit anchor` kept outside it catches that.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.cli.synthetic import DEMO_AS_OF, generate, records
from eirules.core.store import Store
from eirules.core.store.audit import GENESIS, entry_hash


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, engine) -> Path:
    db = tmp_path_factory.mktemp("tamper") / "caseload.db"
    store, _ = Store.init(db, engine)
    store.import_records(records(generate(part_c=12, part_b=6)), user="setup", today=DEMO_AS_OF)
    store.evaluate(as_of=DEMO_AS_OF, user="setup")
    store.add_event("SYN-C-0002", "service_started", date(2026, 2, 1), user="cm", today=DEMO_AS_OF)
    store.evaluate(as_of=DEMO_AS_OF, user="setup")
    store.close()
    return db


@pytest.fixture
def db(pristine, tmp_path) -> Path:
    copy = tmp_path / "caseload.db"
    with sqlite3.connect(pristine) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def verify(db: Path, *extra: str):
    return CliRunner().invoke(
        cli, ["audit", "verify", "--db", str(db), *extra], catch_exceptions=False
    )


def sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def scalar(db: Path, query: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


def test_an_untouched_caseload_verifies(db):
    result = verify(db)
    assert result.exit_code == 0, result.output
    assert "the caseload's 18 cases match it" in result.output


OVERDUE = "SELECT case_id FROM clocks WHERE status = 'overdue' AND is_open = 1 LIMIT 1"


@pytest.mark.parametrize(
    "statements, named",
    [
        (["DELETE FROM audit_log", "DELETE FROM audit_head"], "has no audit entry"),
        (
            [
                "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)",
                "UPDATE audit_head SET entries = (SELECT count(*) FROM audit_log), "
                "last_id = (SELECT max(id) FROM audit_log), "
                "last_hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)",
            ],
            "",
        ),
        ([f"DELETE FROM clocks WHERE case_id = ({OVERDUE}) AND status = 'overdue'"], "clock rows"),
        (
            [f"UPDATE clocks SET due = date(due, '+1 year') WHERE case_id = ({OVERDUE})"],
            "clock rows",
        ),
        (
            [
                "UPDATE case_documents SET document = replace(document, '\"2026-', '\"2025-') "
                "WHERE hash = (SELECT document_hash FROM cases ORDER BY id LIMIT 1)"
            ],
            "no longer matches its hash",
        ),
        (
            [
                "UPDATE determinations SET result = replace(result, '\"overdue\"', '\"met\"') "
                "WHERE id = (SELECT max(id) FROM determinations WHERE result LIKE '%\"overdue\"%')"
            ],
            "are not what entry",
        ),
        (
            ["UPDATE cases SET status = 'no_open_clocks' WHERE status = 'overdue'"],
            'status "no_open_clocks" is not',
        ),
        (
            [
                "INSERT OR IGNORE INTO caseworkers (name, added_at) VALUES ('Mallory', '2026-01-01')",
                "UPDATE assignments SET caseworker = 'Mallory' WHERE ended_at IS NULL "
                "AND case_id = (SELECT min(case_id) FROM assignments)",
            ],
            "the current caseworker is not the one",
        ),
        (
            ["PRAGMA foreign_keys = ON", "DELETE FROM cases WHERE id = 'SYN-C-0003'"],
            "case SYN-C-0003 is recorded in the log but missing",
        ),
        (
            ["UPDATE children SET name = 'Someone Else' WHERE case_id = 'SYN-C-0004'"],
            "case SYN-C-0004: its children rows differ from its case document",
        ),
        (["DELETE FROM evaluation_runs WHERE id = 1"], "run 1 is recorded in the log but missing"),
    ],
    ids=[
        "log-and-head-deleted",
        "tail-truncated-head-fixed",
        "overdue-clock-deleted",
        "clock-moved-a-year",
        "document-edited-under-its-hash",
        "determination-status-edited",
        "case-status-edited",
        "assignment-changed",
        "case-deleted",
        "child-row-edited",
        "run-deleted",
    ],
)
def test_tampering_with_the_data_is_detected(db, statements, named):
    sql(db, *statements)
    result = verify(db)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Audit log BROKEN")
    assert named in result.output


def _rewrite_chain(db: Path) -> None:
    """What a careful forger does: edit an entry and recompute every hash and the head."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            'SELECT id, at, "user", action, case_id, summary, before, after FROM audit_log '
            "ORDER BY id"
        ).fetchall()
        prev = GENESIS
        for entry_id, at, user, action, case_id, summary, before, after in rows:
            if entry_id == 1:
                summary = summary + " (rewritten)"
            digest = entry_hash(prev, entry_id, at, user, action, case_id, summary, before, after)
            conn.execute(
                "UPDATE audit_log SET summary = ?, prev_hash = ?, hash = ? WHERE id = ?",
                (summary, prev, digest, entry_id),
            )
            prev = digest
        conn.execute("UPDATE audit_head SET last_hash = ?", (prev,))
        conn.commit()
    finally:
        conn.close()


def test_a_consistent_rewrite_passes_verify_but_not_an_anchor_kept_elsewhere(db, tmp_path):
    anchor = tmp_path / "elsewhere" / "caseload.anchor"
    anchor.parent.mkdir()
    run = CliRunner().invoke(
        cli, ["audit", "anchor", "--db", str(db), "--write", str(anchor)], catch_exceptions=False
    )
    assert run.exit_code == 0, run.output
    head = json.loads(anchor.read_text())
    assert head["hash"] == scalar(db, "SELECT last_hash FROM audit_head")
    assert head["entry"] == scalar(db, "SELECT max(id) FROM audit_log")
    check = ["audit", "anchor", "--db", str(db), "--check", str(anchor)]
    assert CliRunner().invoke(cli, check).exit_code == 0
    _rewrite_chain(db)
    assert verify(db).exit_code == 0  # nothing inside the file can tell
    result = CliRunner().invoke(cli, check)
    assert result.exit_code == 1
    assert "Anchor does NOT hold" in result.output
    by_hash = CliRunner().invoke(cli, [*check[:-1], head["hash"]])
    assert by_hash.exit_code == 1


def test_anchor_prints_the_head(db):
    result = CliRunner().invoke(cli, ["audit", "anchor", "--db", str(db)])
    assert result.exit_code == 0
    last = scalar(db, "SELECT last_hash FROM audit_head")
    assert result.output.startswith("Audit head: entry ") and last in result.output


def test_a_copy_of_the_caseload_keeps_verifying(db, tmp_path):
    """A backup restored elsewhere is the same data: it verifies."""
    other = tmp_path / "restored" / "caseload.db"
    other.parent.mkdir()
    shutil.copy(db, other)
    assert verify(other).exit_code == 0


def test_an_anchor_file_is_written_owner_only_and_never_through_a_link(db, tmp_path):
    """The anchor is kept apart from the caseload (docs/threat-model.md): like every file
    eirules writes, it is 0600 and replaces its target whole; a symbolic link is refused."""
    anchor = tmp_path / "head.anchor"
    run = CliRunner().invoke(cli, ["audit", "anchor", "--db", str(db), "--write", str(anchor)])
    assert run.exit_code == 0, run.output
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    assert json.loads(anchor.read_text())["schema"] == "eirules/audit-anchor@1"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "link.anchor"
    link.symlink_to(victim)
    refused = CliRunner().invoke(cli, ["audit", "anchor", "--db", str(db), "--write", str(link)])
    assert refused.exit_code == 2, refused.output
    assert "Traceback" not in refused.output
    assert victim.read_text() == "keep me\n"
