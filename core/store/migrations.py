"""The caseload database schema, built by forward-only versioned migrations.

Each migration is one function applied inside one transaction together with
its record in ``_sqlite_migrations`` (sqlite-utils' `Migrations`). Never edit a
released migration: add a new one. Tables and columns are named for what they
hold and every date is an ISO-8601 string, so the file reads well in Datasette
or the sqlite3 shell.
"""

from __future__ import annotations

import re

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("eirules")

#: Statuses of a clock that still needs action (see `eirules.core.decisions.OPEN_STATUSES`).
_INITIAL = """
-- Every version of every case file ever stored, by the SHA-256 of its canonical JSON.
CREATE TABLE case_documents (
    hash TEXT PRIMARY KEY,
    document TEXT NOT NULL
);
-- One row per case; `document_hash` points at the current case file.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    ruleset TEXT,
    district TEXT,
    programs TEXT NOT NULL DEFAULT '',
    document_hash TEXT NOT NULL REFERENCES case_documents(hash),
    status TEXT NOT NULL DEFAULT 'not_evaluated',
    source TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_determination_id INTEGER
);
CREATE INDEX cases_status ON cases(status);
CREATE TABLE children (
    case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    name TEXT,
    birth_date TEXT NOT NULL,
    gestational_age_weeks INTEGER,
    risk_factors TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    type TEXT NOT NULL,
    date TEXT NOT NULL,
    program TEXT,
    reason TEXT,
    outcome TEXT,
    category TEXT,
    service TEXT,
    until TEXT,
    note TEXT
);
CREATE INDEX events_case_id ON events(case_id);
CREATE INDEX events_type_date ON events(type, date);
CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    date TEXT NOT NULL,
    instrument TEXT,
    program TEXT,
    informed_clinical_opinion TEXT,
    note TEXT,
    scores TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX evaluations_case_id ON evaluations(case_id);
CREATE TABLE conditions (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    code TEXT,
    diagnosed TEXT
);
CREATE INDEX conditions_case_id ON conditions(case_id);
CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    program TEXT NOT NULL,
    start TEXT,
    "end" TEXT
);
CREATE INDEX enrolments_case_id ON enrolments(case_id);
CREATE TABLE service_plans (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    meetings TEXT NOT NULL DEFAULT '[]',
    services TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX service_plans_case_id ON service_plans(case_id);
CREATE TABLE caseworkers (
    name TEXT PRIMARY KEY,
    added_at TEXT NOT NULL
);
-- A case has at most one current assignment (ended_at IS NULL); ended ones are history.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    caseworker TEXT NOT NULL REFERENCES caseworkers(name),
    assigned_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE UNIQUE INDEX assignments_current ON assignments(case_id) WHERE ended_at IS NULL;
CREATE INDEX assignments_caseworker ON assignments(caseworker, ended_at);
CREATE TABLE evaluation_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    as_of TEXT NOT NULL,
    user TEXT NOT NULL,
    cases INTEGER NOT NULL DEFAULT 0,
    changes INTEGER NOT NULL DEFAULT 0
);
-- Every determination ever made: the inputs (case file version), the ruleset
-- version and engine that decided, the as-of date, and the full result as JSON.
CREATE TABLE determinations (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    run_id INTEGER REFERENCES evaluation_runs(id),
    as_of TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    ruleset_version TEXT NOT NULL,
    engine TEXT NOT NULL,
    inputs_hash TEXT NOT NULL REFERENCES case_documents(hash),
    result TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX determinations_case_number ON determinations(case_id, number);
-- The clocks of each case's latest determination, one row each, for `eirules due`.
CREATE TABLE clocks (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    determination_id INTEGER NOT NULL REFERENCES determinations(id) ON DELETE CASCADE,
    clock TEXT NOT NULL,
    program TEXT,
    label TEXT,
    subject TEXT,
    start TEXT,
    opens TEXT,
    due TEXT,
    status TEXT NOT NULL,
    is_open INTEGER NOT NULL,
    met_on TEXT,
    excused_by TEXT,
    reason TEXT,
    citation TEXT
);
CREATE INDEX clocks_open_due ON clocks(is_open, due);
CREATE INDEX clocks_case_id ON clocks(case_id);
-- Append-only history of every write, each entry hash-chained to the one before.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id TEXT,
    summary TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_case_id ON audit_log(case_id);
-- The chain's head (entry count and last hash), so deleting the newest entries shows.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entries INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
"""


_RULESET_VERSIONS = """
-- The files of each ruleset version a determination used, so a replay can
-- rebuild that exact version after the installed ruleset has changed.
-- `files` is JSON: the lineage nearest first, [{"id": ..., "files": {name: text}}].
CREATE TABLE ruleset_versions (
    full_version TEXT PRIMARY KEY,
    ruleset TEXT NOT NULL,
    files TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
"""

#: The schema scripts of every migration, oldest first (see `tables`).
_SCRIPTS: list[str] = [_INITIAL, _RULESET_VERSIONS]


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@migrations(name="0001_initial_caseload")
def initial_caseload(db: Database) -> None:
    """Cases, children, events, evaluations, plans, caseworkers, determinations, audit log."""
    for statement in _statements(_INITIAL):
        db.execute(statement)


@migrations(name="0002_ruleset_versions")
def ruleset_versions(db: Database) -> None:
    """A copy of each ruleset version's files, for replaying old determinations."""
    for statement in _statements(_RULESET_VERSIONS):
        db.execute(statement)


def tables() -> list[str]:
    """Every table the migrations create, for checking that a file still has them all."""
    return [
        name
        for script in _SCRIPTS
        for name in re.findall(r"^CREATE TABLE (\w+)", script, flags=re.MULTILINE)
    ]


def pending(db: Database) -> list[str]:
    """Names of migrations not yet applied to this database."""
    return [m.name for m in migrations.pending(db)]


def applied(db: Database) -> list[str]:
    """Names of migrations applied to this database, oldest first."""
    return [m.name for m in migrations.applied(db)]


def apply(db: Database) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    names = pending(db)
    migrations.apply(db)
    return names


def latest() -> str:
    """The newest migration's name (the schema version this code expects)."""
    return migrations._migrations[-1].name
