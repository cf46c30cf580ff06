"""The PostgreSQL privileges each eirules role's database login needs, and no more.

On PostgreSQL the person is the database login (`people`), so the server's
grants are the real limit on what a login can do: anyone may connect with psql
and run any statement their grants allow, past eirules' own role checks. Each
eirules role therefore gets a group role of its own holding only what that
role's commands run (measured against a live server: tests/test_pg_grants.py):

* every login reads the case tables, the staff list and the schema version,
  and adds to the record of access (each read is on it: 34 CFR 300.614, 303.405);
* an auditor also reads the audit log, the record of access and the tokens,
  and writes nothing else;
* a coordinator also changes and evaluates cases (their rows are rewritten,
  the audit log and its head appended), never the staff list, the tokens,
  or an audit entry already written;
* a supervisor also assigns cases (a caseworker name new to the caseload is added);
* a data manager also imports, destroys and prunes, reads the logs and manages
  the staff and their tokens.

Nobody but the owner (`db init`, `db upgrade`) creates or alters tables, and no
role may UPDATE or DELETE an audit entry (`cases destroy` deletes only the content
of a destroyed child's entries, kept apart in audit_content).

`statements` writes the SQL a database administrator runs; `eirules db grants`
prints it and the permission-denied message points to it.
"""

from __future__ import annotations

from collections.abc import Mapping

ROLES = ("coordinator", "supervisor", "data_manager", "auditor")

#: Tables whose id comes from a sequence (``TABLE_id_seq``): an INSERT needs its USAGE.
SERIAL_TABLES = frozenset(
    {
        "access_log",
        "assignments",
        "clocks",
        "conditions",
        "enrolments",
        "evaluation_runs",
        "evaluations",
        "events",
        "service_plans",
        "staff_tokens",
    }
)

#: The tables a case's file is stored in, rewritten whole when the case changes.
_CASE_PARTS = ("children", "events", "evaluations", "conditions", "enrolments", "service_plans")
#: Every table but the logs: what any login reads to show, list and evaluate cases.
_CASE_TABLES = (
    "alembic_version",
    "assignments",
    "audit_head",
    "case_documents",
    "cases",
    "caseworkers",
    "clocks",
    "determinations",
    "evaluation_runs",
    "ruleset_versions",
    "staff",
    *_CASE_PARTS,
)
_LOGS = ("audit_log", "audit_content", "access_log", "staff_tokens")

Privileges = dict[str, frozenset[str]]


def _grant(*parts: Mapping[str, tuple[str, ...]]) -> Privileges:
    out: dict[str, set[str]] = {}
    for part in parts:
        for table, privileges in part.items():
            out.setdefault(table, set()).update(privileges)
    return {t: frozenset(p) for t, p in sorted(out.items())}


_EVERY_LOGIN = {
    **{t: ("SELECT",) for t in _CASE_TABLES},
    "access_log": ("INSERT",),
}
_READ_LOGS = {t: ("SELECT",) for t in _LOGS}
#: Changing a case (add-event) and evaluating it: its rows rewritten, the audit chain extended.
_CHANGE = {
    **{t: ("INSERT", "DELETE") for t in _CASE_PARTS},
    "case_documents": ("INSERT",),
    "cases": ("UPDATE",),
    "clocks": ("INSERT", "UPDATE", "DELETE"),
    "determinations": ("INSERT",),
    "evaluation_runs": ("INSERT", "UPDATE"),
    "ruleset_versions": ("INSERT",),  # a ruleset version evaluated for the first time
    "audit_log": ("INSERT",),
    "audit_content": ("INSERT",),
    "audit_head": ("INSERT", "UPDATE"),
}
_ASSIGN = {"caseworkers": ("INSERT",), "assignments": ("INSERT", "UPDATE")}
#: Importing, destroying a child's records, pruning old determinations, the staff list.
_MANAGE = {
    "cases": ("INSERT", "DELETE"),
    "case_documents": ("DELETE",),
    "determinations": ("DELETE",),
    "assignments": ("DELETE",),
    "audit_content": ("DELETE",),  # only a destroyed child's: the entries stay
    "staff": ("INSERT", "DELETE"),
    "staff_tokens": ("INSERT", "UPDATE"),
}

#: Each eirules role's privileges, table by table.
PRIVILEGES: dict[str, Privileges] = {
    "auditor": _grant(_EVERY_LOGIN, _READ_LOGS),
    "coordinator": _grant(_EVERY_LOGIN, _CHANGE),
    "supervisor": _grant(_EVERY_LOGIN, _CHANGE, _ASSIGN),
    "data_manager": _grant(_EVERY_LOGIN, _READ_LOGS, _CHANGE, _ASSIGN, _MANAGE),
}

_ORDER = ("SELECT", "INSERT", "UPDATE", "DELETE")


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def group_role(prefix: str, role: str) -> str:
    """The server's group role for an eirules role, e.g. ``caseload_coordinator``."""
    return f"{prefix}{role}"


def default_prefix(database: str, schema: str) -> str:
    """Group roles belong to the whole server: named after the caseload's database (and
    schema, when not public) so that two caseloads on one server never share one."""
    return f"{database}_" if schema == "public" else f"{database}_{schema}_"


def group_roles(database: str, schema: str = "public", prefix: str | None = None) -> dict[str, str]:
    """The group role of each eirules role on the server."""
    prefix = default_prefix(database, schema) if prefix is None else prefix
    return {role: group_role(prefix, role) for role in ROLES}


def statements(database: str, schema: str, prefix: str | None = None) -> list[str]:
    """The SQL that makes each role's group role hold exactly its privileges.

    Safe to run again (after an upgrade that adds tables): the roles are created
    when missing, and their privileges on the schema's tables and sequences are
    revoked and granted again in one transaction, so they are exact afterwards.
    """
    s = quote(schema)
    out = ["BEGIN;"]
    for role, group in group_roles(database, schema, prefix).items():
        name = quote(group)
        out += [
            f"-- {role}",
            f"DO $eirules$ BEGIN CREATE ROLE {name} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $eirules$;",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {name};",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {name};",
            f"GRANT CONNECT ON DATABASE {quote(database)} TO {name};",
            f"GRANT USAGE ON SCHEMA {s} TO {name};",
        ]
        for table, privileges in PRIVILEGES[role].items():
            listed = ", ".join(p for p in _ORDER if p in privileges)
            out.append(f"GRANT {listed} ON TABLE {s}.{quote(table)} TO {name};")
        for table in sorted(t for t, p in PRIVILEGES[role].items() if "INSERT" in p):
            if table in SERIAL_TABLES:
                out.append(f"GRANT USAGE ON SEQUENCE {s}.{quote(table + '_id_seq')} TO {name};")
    out.append("COMMIT;")
    return out
