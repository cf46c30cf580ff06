"""Cases, children, events, evaluations, plans, caseworkers, determinations, audit log.

Dates are ISO-8601 text and JSON is text on both databases, so an SQLite file
reads well in Datasette or the sqlite3 shell and the store's SQL is the same.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial_caseload"
down_revision = None
branch_labels = None
depends_on = None

T, I = sa.Text, sa.Integer  # noqa: E741


def _case_fk() -> sa.ForeignKey:
    return sa.ForeignKey("cases.id", ondelete="CASCADE")


def upgrade() -> None:
    # Every version of every case file ever stored, by the SHA-256 of its canonical JSON.
    op.create_table(
        "case_documents",
        sa.Column("hash", T, primary_key=True),
        sa.Column("document", T, nullable=False),
    )
    # One row per case; `document_hash` points at the current case file.
    op.create_table(
        "cases",
        sa.Column("id", T, primary_key=True),
        sa.Column("ruleset", T),
        sa.Column("district", T),
        sa.Column("programs", T, nullable=False, server_default=""),
        sa.Column("document_hash", T, sa.ForeignKey("case_documents.hash"), nullable=False),
        sa.Column("status", T, nullable=False, server_default="not_evaluated"),
        sa.Column("source", T),
        sa.Column("created_at", T, nullable=False),
        sa.Column("updated_at", T, nullable=False),
        sa.Column("last_determination_id", I),
    )
    op.create_index("cases_status", "cases", ["status"])
    op.create_table(
        "children",
        sa.Column("case_id", T, _case_fk(), primary_key=True),
        sa.Column("name", T),
        sa.Column("birth_date", T, nullable=False),
        sa.Column("gestational_age_weeks", I),
        sa.Column("risk_factors", T, nullable=False, server_default="[]"),
    )
    parts = {
        "events": [
            sa.Column("position", I, nullable=False),
            sa.Column("type", T, nullable=False),
            sa.Column("date", T, nullable=False),
            *(sa.Column(n, T) for n in ("program", "reason", "outcome", "category", "service")),
            sa.Column("until", T),
            sa.Column("note", T),
        ],
        "evaluations": [
            sa.Column("position", I, nullable=False),
            sa.Column("date", T, nullable=False),
            *(sa.Column(n, T) for n in ("instrument", "program", "informed_clinical_opinion")),
            sa.Column("note", T),
            sa.Column("scores", T, nullable=False, server_default="[]"),
        ],
        "conditions": [
            sa.Column("name", T, nullable=False),
            sa.Column("code", T),
            sa.Column("diagnosed", T),
        ],
        "enrolments": [
            sa.Column("program", T, nullable=False),
            sa.Column("start", T),
            sa.Column("end", T),
        ],
        "service_plans": [
            sa.Column("position", I, nullable=False),
            sa.Column("kind", T, nullable=False),
            sa.Column("meetings", T, nullable=False, server_default="[]"),
            sa.Column("services", T, nullable=False, server_default="[]"),
        ],
    }
    for table, columns in parts.items():
        op.create_table(
            table,
            sa.Column("id", I, primary_key=True),
            sa.Column("case_id", T, _case_fk(), nullable=False),
            *columns,
        )
        op.create_index(f"{table}_case_id", table, ["case_id"])
    op.create_index("events_type_date", "events", ["type", "date"])
    op.create_table(
        "caseworkers",
        sa.Column("name", T, primary_key=True),
        sa.Column("added_at", T, nullable=False),
    )
    # A case has at most one current assignment (ended_at IS NULL); ended ones are history.
    op.create_table(
        "assignments",
        sa.Column("id", I, primary_key=True),
        sa.Column("case_id", T, _case_fk(), nullable=False),
        sa.Column("caseworker", T, sa.ForeignKey("caseworkers.name"), nullable=False),
        sa.Column("assigned_at", T, nullable=False),
        sa.Column("ended_at", T),
    )
    current = sa.text("ended_at IS NULL")
    op.create_index(
        "assignments_current",
        "assignments",
        ["case_id"],
        unique=True,
        sqlite_where=current,
        postgresql_where=current,
    )
    op.create_index("assignments_caseworker", "assignments", ["caseworker", "ended_at"])
    op.create_table(
        "evaluation_runs",
        sa.Column("id", I, primary_key=True),
        sa.Column("started_at", T, nullable=False),
        sa.Column("finished_at", T),
        sa.Column("as_of", T, nullable=False),
        sa.Column("user", T, nullable=False),
        sa.Column("cases", I, nullable=False, server_default="0"),
        sa.Column("changes", I, nullable=False, server_default="0"),
    )
    # Every determination ever made: the inputs (case file version), the ruleset
    # version and engine that decided, the as-of date, and the full result as JSON.
    op.create_table(
        "determinations",
        sa.Column("id", I, primary_key=True, autoincrement=False),
        sa.Column("case_id", T, _case_fk(), nullable=False),
        sa.Column("number", I, nullable=False),
        sa.Column("run_id", I, sa.ForeignKey("evaluation_runs.id")),
        sa.Column("as_of", T, nullable=False),
        sa.Column("ruleset", T, nullable=False),
        sa.Column("ruleset_version", T, nullable=False),
        sa.Column("engine", T, nullable=False),
        sa.Column("inputs_hash", T, sa.ForeignKey("case_documents.hash"), nullable=False),
        sa.Column("result", T, nullable=False),
        sa.Column("created_at", T, nullable=False),
    )
    op.create_index(
        "determinations_case_number", "determinations", ["case_id", "number"], unique=True
    )
    # The clocks of each case's latest determination, one row each, for `eirules due`.
    op.create_table(
        "clocks",
        sa.Column("id", I, primary_key=True),
        sa.Column("case_id", T, _case_fk(), nullable=False),
        sa.Column(
            "determination_id",
            I,
            sa.ForeignKey("determinations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("clock", T, nullable=False),
        *(sa.Column(n, T) for n in ("program", "label", "subject", "start", "opens", "due")),
        sa.Column("status", T, nullable=False),
        sa.Column("is_open", I, nullable=False),
        *(sa.Column(n, T) for n in ("met_on", "excused_by", "reason", "citation")),
    )
    op.create_index("clocks_open_due", "clocks", ["is_open", "due"])
    op.create_index("clocks_case_id", "clocks", ["case_id"])
    # Append-only history of every write, each entry hash-chained to the one before.
    op.create_table(
        "audit_log",
        sa.Column("id", I, primary_key=True, autoincrement=False),
        sa.Column("at", T, nullable=False),
        sa.Column("user", T, nullable=False),
        sa.Column("action", T, nullable=False),
        sa.Column("case_id", T),
        sa.Column("summary", T, nullable=False),
        sa.Column("before", T),
        sa.Column("after", T),
        sa.Column("prev_hash", T, nullable=False),
        sa.Column("hash", T, nullable=False),
    )
    op.create_index("audit_log_case_id", "audit_log", ["case_id"])
    # The chain's head (entry count and last hash), so deleting the newest entries shows.
    op.create_table(
        "audit_head",
        sa.Column("id", I, primary_key=True, autoincrement=False),
        sa.Column("entries", I, nullable=False),
        sa.Column("last_id", I, nullable=False),
        sa.Column("last_hash", T, nullable=False),
        sa.CheckConstraint("id = 1", name="audit_head_one_row"),
    )
