"""The SQL `eirules db grants` prints, without a server (tests/test_pg_grants.py runs it on one)."""

from __future__ import annotations

from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.store.grants import PRIVILEGES, default_prefix, statements


def test_group_roles_are_named_after_the_database_and_a_schema_other_than_public():
    assert default_prefix("caseload", "public") == "caseload_"
    assert default_prefix("state", "north_county") == "state_north_county_"
    sql = statements("state", "north_county")
    assert 'DO $eirules$ BEGIN CREATE ROLE "state_north_county_auditor" NOLOGIN; ' in "\n".join(sql)
    assert 'GRANT USAGE ON SCHEMA "north_county" TO "state_north_county_auditor";' in sql
    prefixed = statements("state", "public", prefix="ei_")
    assert 'GRANT CONNECT ON DATABASE "state" TO "ei_data_manager";' in prefixed


def test_names_are_quoted_so_they_cannot_end_the_statement():
    sql = statements('odd"name', 'sch"ema')
    assert 'GRANT CONNECT ON DATABASE "odd""name" TO "odd""name_sch""ema_coordinator";' in sql
    assert all(line.endswith(";") for line in sql if not line.startswith("--"))


def test_one_grant_line_a_table_and_a_transaction_around_all():
    sql = statements("caseload", "public")
    assert sql[0] == "BEGIN;" and sql[-1] == "COMMIT;"
    for role, privileges in PRIVILEGES.items():
        lines = [s for s in sql if s.startswith("GRANT ") and " ON TABLE " in s
                 and s.endswith(f'"caseload_{role}";')]  # fmt: skip
        assert len(lines) == len(privileges), role
    assert 'GRANT INSERT ON TABLE "public"."audit_log" TO "caseload_coordinator";' in sql
    assert not [s for s in sql if "audit_log" in s and ("UPDATE" in s or "DELETE" in s)]


def test_db_grants_on_an_sqlite_file_says_there_are_no_logins(tmp_path):
    result = CliRunner().invoke(cli, ["db", "grants", "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: grants are for a caseload on PostgreSQL",
        f"  --db: {tmp_path / 'c.db'} is an SQLite file: who may use it is the file's "
        "permissions (and eirules staff); give the caseload's postgresql://USER@HOST/DATABASE URL",
    ]
