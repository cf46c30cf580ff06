"""Each eirules role's PostgreSQL group role holds exactly what its commands need.

On PostgreSQL the person is the database login, and the server's grants are what
really limits a login (anyone may connect with psql). Measured on a live server
(set $EIRULES_TEST_POSTGRES to a superuser's URL; scripts/pg-cluster): a database
with PUBLIC's default privileges revoked, as a hardened server has it, a caseload
made by its owner login, the group roles made by the SQL `eirules db grants`
prints (`grants.statements`, the list the permission-denied message points to),
and one login per role holding nothing but membership of its group. Every command
of each role runs; what a role must not do (change the staff list or an audit
entry, read the record of access, make tables) the server itself refuses.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from click.testing import CliRunner
from conftest import POSTGRES_ENV
from helpers import referred_case

from eirules.cli import cli
from eirules.core.store.grants import PRIVILEGES, SERIAL_TABLES, group_roles
from eirules.core.store.migrations import TABLES

psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV) and not os.environ.get("CI"),
    reason=f"no PostgreSQL server (set ${POSTGRES_ENV}; see scripts/pg-cluster)",
)

AS_OF = "2026-03-02"
#: Login of each role's person (suffixed per run: logins belong to the whole server).
PEOPLE = {"data_manager": "dm", "coordinator": "coord", "supervisor": "sup", "auditor": "aud"}


class Server:
    """A database of its own on the test server, with an owner and one login per role."""

    def __init__(self, admin_url: str, tmp: Path):
        self.admin_url = admin_url
        self.tag = f"g{uuid.uuid4().hex[:10]}"
        self.database = self.tag
        self.tmp = tmp
        self.passwords: dict[str, str] = {}
        self.roles = group_roles(self.database)
        self.roles_extra: list[str] = []  # group roles a test made for another schema

    def url(self, login: str, database: str | None = None) -> str:
        parts = urlsplit(self.admin_url.replace("postgresql+psycopg://", "postgresql://"))
        password = quote(self.passwords[login], safe="")
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
        return f"postgresql://{login}:{password}@{host}{port}/{database or self.database}"

    def admin(self, database: str | None = None):
        """A superuser connection to the test database (or, with '', the server's own)."""
        if database == "":
            return psycopg.connect(self.admin_url, autocommit=True)
        parts = urlsplit(self.admin_url)
        url = parts._replace(path=f"/{database or self.database}").geturl()
        return psycopg.connect(url, autocommit=True)

    def login(self, name: str, *member_of: str) -> str:
        """A login holding nothing but membership of `member_of`."""
        login = f"{self.tag}_{name}"
        self.passwords[login] = secrets.token_hex(12)
        with self.admin("") as conn:
            conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{self.passwords[login]}'")
            for group in member_of:
                conn.execute(f"GRANT {group} TO {login}")
        return login

    def as_login(self, login: str):
        return psycopg.connect(self.url(login), autocommit=True)


def run(url: str, *args, code: int = 0) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"EIRULES_DB": url})
    assert result.exit_code == code, f"{args}: {result.output}"
    assert "refused this login" not in result.output, f"{args}: {result.output}"
    return result.output


def case_files(folder: Path) -> Path:
    """Three fictional cases; G-1 has every part a case file can have (each its own table)."""
    folder.mkdir()
    first = referred_case("G-1", district="North Hollow USD", referred="2026-01-05")
    first["events"].append({"type": "consent_for_evaluation", "date": "2026-01-09"})
    first["evaluations"] = [
        {
            "date": "2026-01-20",
            "instrument": "BDI-3",
            "scores": [{"domain": "communication", "standard_score": 70, "mean": 100, "sd": 15}],
        }
    ]
    first["conditions"] = [{"name": "Down syndrome", "code": "Q90.9", "diagnosed": "2025-01-10"}]
    first["enrolments"] = [{"program": "part_c", "start": "2026-01-05"}]
    first["service_plans"] = [{"kind": "ifsp", "meetings": ["2026-02-12"]}]
    cases = [
        first,
        referred_case("G-2", district="North Hollow USD", referred="2026-01-12"),
        referred_case("G-3", district="Cedar Flats USD", referred="2026-01-19"),
    ]
    for case in cases:
        (folder / f"{case['id']}.json").write_text(json.dumps(case))
    (folder / "assignments.csv").write_text(
        "case_id,caseworker\nG-1,Rhea Tallowby\nG-2,Bram Kettleworth\nG-3,Rhea Tallowby\n"
    )
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.fail(f"CI must run the PostgreSQL tests: set ${POSTGRES_ENV}")
    srv = Server(admin_url, tmp_path_factory.mktemp("grants"))
    try:
        owner = f"{srv.tag}_owner"
        srv.passwords[owner] = secrets.token_hex(12)
        with srv.admin("") as conn:
            conn.execute(f"CREATE ROLE {owner} LOGIN PASSWORD '{srv.passwords[owner]}'")
            conn.execute(f"CREATE DATABASE {srv.database} OWNER {owner}")
            conn.execute(f"REVOKE ALL ON DATABASE {srv.database} FROM PUBLIC")
        with srv.admin() as conn:
            conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        srv.owner = owner
        run(srv.url(owner), "db", "init")
        srv.grants_sql = run(srv.url(owner), "db", "grants")
        with srv.admin() as conn:
            conn.execute(srv.grants_sql)
        srv.people = {role: srv.login(name, srv.roles[role]) for role, name in PEOPLE.items()}
        dm = srv.url(srv.people["data_manager"])
        run(dm, "cases", "import", case_files(srv.tmp / "cases"), "--new-caseworker", "--jobs", 1)
        run(dm, "staff", "add", srv.people["coordinator"], "--role", "coordinator",
            "--caseworker", "Rhea Tallowby")  # fmt: skip
        run(dm, "staff", "add", srv.people["supervisor"], "--role", "supervisor",
            "--district", "North Hollow USD")  # fmt: skip
        run(dm, "staff", "add", srv.people["auditor"], "--role", "auditor")
        yield srv
    finally:
        with srv.admin("") as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {srv.database} WITH (FORCE)")
            for login in [*srv.passwords, *srv.roles.values(), *srv.roles_extra]:
                conn.execute(f"DROP ROLE IF EXISTS {login}")


def test_the_group_roles_hold_exactly_the_listed_privileges(server):
    """The server's grants are `PRIVILEGES`, no more; every table and sequence of the
    schema is covered (a migration adding one must say who may use it)."""
    with server.admin() as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}  # fmt: skip
        sequences = {r[0] for r in conn.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")}  # fmt: skip
        for role, group in server.roles.items():
            held: dict[str, set[str]] = {}
            for table, privilege in conn.execute(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = %s",
                (group,),
            ):
                held.setdefault(table, set()).add(privilege)
            assert held == {t: set(p) for t, p in PRIVILEGES[role].items()}, role
    assert tables == {*TABLES, "alembic_version"} == set(PRIVILEGES["data_manager"])
    assert sequences == {f"{t}_id_seq" for t in SERIAL_TABLES}


def test_running_the_grants_again_makes_them_exact(server):
    """After `db upgrade` the DBA runs them again: a privilege granted by hand is gone."""
    coordinator = server.roles["coordinator"]
    with server.admin() as conn:
        conn.execute(f"GRANT UPDATE, DELETE ON audit_log TO {coordinator}")
        conn.execute(server.grants_sql)
        extra = conn.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'audit_log'",
            (coordinator,),
        ).fetchall()
    assert extra == [("INSERT",)]


def test_a_coordinator_login_runs_every_coordinator_command(server, tmp_path):
    url = server.url(server.people["coordinator"])
    # A ruleset version this caseload has not stored yet (after a ruleset upgrade): the
    # coordinator's evaluation stores it.
    with server.admin() as conn:
        conn.execute("DELETE FROM ruleset_versions")
    run(url, "staff", "whoami")
    run(url, "due", "--as-of", AS_OF)
    run(url, "overdue", "--as-of", AS_OF)
    run(url, "cases", "list", "--as-of", AS_OF, "--format", "json")
    run(url, "cases", "show", "G-1")
    run(url, "cases", "show", "G-1", "--determination", 1, "--replay")
    run(url, "cases", "export", "G-1", "-o", tmp_path / "g1.json")
    run(url, "cases", "add-event", "G-1", "ifsp_meeting_held", "2026-02-16")
    run(url, "evaluate", "--case", "G-1", "--as-of", "2026-03-03", "--jobs", 1)
    run(url, "meetings", "check", "G-1", "--as-of", AS_OF)
    run(url, "plans", "show", "G-1", "--as-of", AS_OF)
    run(url, "caseworkers", "list")
    with server.admin() as conn:
        for table in ("ruleset_versions", "evaluations", "conditions", "service_plans"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] >= 1, table
        assert conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'event.added' AND \"user\" = %s",
            (server.people["coordinator"],),
        ).fetchone()[0] == 1  # fmt: skip


def test_a_supervisor_login_runs_every_supervisor_command(server):
    url = server.url(server.people["supervisor"])
    run(url, "staff", "whoami")
    run(url, "due", "--as-of", AS_OF)
    run(url, "overdue", "--as-of", AS_OF)
    run(url, "cases", "list", "--as-of", AS_OF)
    run(url, "cases", "show", "G-2")
    run(url, "cases", "add-event", "G-2", "consent_for_evaluation", "2026-01-14")
    run(url, "cases", "assign", "G-2", "Rhea Tallowby")
    run(url, "cases", "assign", "G-2", "Wren Ashdown", "--new-caseworker")
    run(url, "evaluate", "--case", "G-2", "--as-of", "2026-03-03", "--jobs", 1)
    run(url, "indicators", "--year", "2025-26")
    run(url, "caseworkers", "list")


def test_an_auditor_login_runs_every_auditor_command(server, tmp_path):
    url = server.url(server.people["auditor"])
    run(url, "staff", "whoami")
    run(url, "staff", "list")
    run(url, "staff", "tokens")
    run(url, "audit", "verify")
    run(url, "audit", "log")
    run(url, "audit", "access", "--case", "G-1")
    run(url, "audit", "anchor", "--write", tmp_path / "head.anchor")
    run(url, "audit", "anchor", "--check", tmp_path / "head.anchor")
    run(url, "due", "--as-of", AS_OF)
    run(url, "cases", "list", "--as-of", AS_OF)
    run(url, "cases", "show", "G-3")
    run(url, "indicators", "--year", "2025-26")


def test_a_data_manager_login_runs_every_data_manager_command(server, tmp_path):
    url = server.url(server.people["data_manager"])
    temp = server.login("temp")
    run(url, "caseworkers", "add", "Odile Farrowind")
    run(url, "staff", "add", temp, "--role", "coordinator", "--caseworker", "Odile Farrowind")
    run(url, "staff", "token", server.people["coordinator"], "--label", "laptop")
    run(url, "staff", "tokens")
    run(url, "staff", "token", server.people["coordinator"], "--revoke")
    run(url, "staff", "remove", temp)
    run(url, "evaluate", "--all", "--as-of", AS_OF, "--jobs", 1)
    run(url, "evaluate", "--all", "--as-of", "2026-03-04", "--force", "--jobs", 1)
    run(url, "indicators", "--year", "2025-26")
    run(url, "db", "prune")
    run(url, "cases", "destroy", "G-3", "--yes", "--reason", "parents' request",
        "--permanent-record", tmp_path / "g3.keep.json")  # fmt: skip
    changed = tmp_path / "changed"
    case_files(changed)
    case = json.loads((changed / "G-2.json").read_text())
    case["child"]["name"] = "Child G-2 Renamed"
    (changed / "G-2.json").write_text(json.dumps(case))
    # G-1 and G-2 have events recorded with add-event that the files lack: kept.
    run(url, "cases", "import", changed, "--caseload-changes", "keep", "--jobs", 1)
    run(url, "audit", "verify")


def test_db_grants_before_db_init_says_so_and_the_fixes_work(server):
    """A schema of its own (the caseload of a second county in the same database): before
    it exists, and before db init, db grants says what to run; after, its group roles
    carry the schema's name."""
    owner_url = server.url(server.owner) + "?options=-csearch_path%3Dnorth"
    result = CliRunner().invoke(cli, ["db", "grants", "--db", owner_url])
    assert result.exit_code == 2
    assert "the search path names no schema that exists; create the schema (CREATE SCHEMA" in (
        " ".join(result.output.split())
    )
    with server.admin() as conn:
        conn.execute(f"CREATE SCHEMA north AUTHORIZATION {server.owner}")
    result = CliRunner().invoke(cli, ["db", "grants", "--db", owner_url])
    assert result.exit_code == 2
    shown = owner_url.replace(server.passwords[server.owner], "***")
    assert f"no caseload in it yet; run eirules db init {shown} as its owner" in (
        " ".join(result.output.split())
    )
    run(owner_url, "db", "init")
    sql = run(owner_url, "db", "grants")
    assert f'GRANT USAGE ON SCHEMA "north" TO "{server.database}_north_coordinator";' in sql
    with server.admin() as conn:
        conn.execute(sql)
        conn.execute("DROP SCHEMA north CASCADE")
    server.roles_extra = [f"{server.database}_north_{role}" for role in PRIVILEGES]


def test_eirules_serve_as_a_data_managers_login_acts_for_a_coordinators_token(server, engine):
    """The server's login reads the tokens and acts for whoever a token stands for
    (docs/agencies.md: the data manager's group); each read is recorded as that person."""
    pytest.importorskip("fastapi")
    from test_serve_logins import get

    from eirules.core.store import Store
    from eirules.http_api import create_app

    dm_url = server.url(server.people["data_manager"])
    store = Store.open(dm_url, engine)
    try:
        token = store.issue_token(server.people["coordinator"], "front desk")
    finally:
        store.close()
    app = create_app(engine, db=dm_url)
    status, body, _ = get(app, "/v1/due?as_of=2026-03-02&purpose=review", token)
    assert status == 200, body
    listed = {r["case_id"] for r in body["clocks"]}  # Rhea Tallowby's: G-1 (and G-3 until
    assert "G-1" in listed and "G-2" not in listed  # the data manager's test destroys it)
    status, body, _ = get(app, "/v1/cases/G-1/history?purpose=call", token)
    assert status == 200 and body["id"] == "G-1", body
    with server.admin() as conn:
        logged = conn.execute(
            "SELECT login, action FROM access_log WHERE purpose IN ('review', 'call')"
        ).fetchall()
    coordinator = server.people["coordinator"]
    assert set(logged) == {(coordinator, "http due"), (coordinator, "http history")}


@pytest.mark.parametrize(
    ("role", "sql"),
    [
        ("coordinator", "INSERT INTO staff (login, role, added_at, added_by) "
                        "VALUES ('me', 'data_manager', 'now', 'me')"),
        ("coordinator", "UPDATE audit_log SET summary = 'nothing happened'"),
        ("coordinator", "DELETE FROM audit_log"),
        ("coordinator", "SELECT count(*) FROM access_log"),
        ("coordinator", "SELECT count(*) FROM staff_tokens"),
        ("coordinator", "UPDATE assignments SET caseworker = 'Rhea Tallowby'"),
        ("supervisor", "DELETE FROM cases"),
        ("auditor", "UPDATE cases SET status = 'overdue'"),
        ("auditor", "INSERT INTO audit_log (id) VALUES (0)"),
        ("data_manager", "UPDATE audit_log SET summary = 'nothing happened'"),
        ("data_manager", "DELETE FROM audit_log"),
        ("data_manager", "DELETE FROM access_log"),
        ("data_manager", "CREATE TABLE notes (line text)"),
        ("data_manager", "CREATE TEMP TABLE notes (line text)"),
        ("data_manager", "TRUNCATE cases CASCADE"),
    ],
)  # fmt: skip
def test_what_a_role_may_not_do_the_server_refuses(server, role, sql):
    """Least privilege: a login going around eirules (psql) still cannot do these."""
    with (
        server.as_login(server.people[role]) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(sql)


@pytest.mark.parametrize(
    ("holds", "refusal"),
    [
        ([], "permission denied for database"),
        (["CONNECT ON DATABASE {db}"], "no schema on the search path it may use"),
        (["CONNECT ON DATABASE {db}", "USAGE ON SCHEMA public"],
         "permission denied for table alembic_version"),
    ],
)  # fmt: skip
def test_a_login_without_grants_is_told_the_fix_that_works(server, holds, refusal):
    """Whatever the login lacks (the database, the schema, the tables), the message names
    the group roles; granting one as it says is enough."""
    login = server.login(f"newcomer{len(holds)}")
    url = server.url(login)
    with server.admin() as conn:
        for grant in holds:
            conn.execute(f"GRANT {grant.format(db=server.database)} TO {login}")
    result = CliRunner().invoke(cli, ["due", "--as-of", AS_OF], env={"EIRULES_DB": url})
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert f"refused this login ({refusal}" in text
    assert f"GRANT {server.roles['coordinator']} TO LOGIN" in text
    assert ", ".join(server.roles.values()) in text and "eirules db grants --db URL" in text
    with server.admin() as conn:
        conn.execute(f"GRANT {server.roles['auditor']} TO {login}")
    # Granted: now eirules itself answers (not on the staff list), not the server.
    result = CliRunner().invoke(cli, ["staff", "whoami"], env={"EIRULES_DB": url})
    assert result.exit_code == 0, result.output
    assert f"{login} (not on this caseload's staff list)" in result.output, result.output
