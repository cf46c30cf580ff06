"""Staff and their roles, and the record of access to children's records.

`staff`: who may use the caseload (their login: the PostgreSQL login, or the
operating-system user on an SQLite file) and in which role; a coordinator's
caseload is the cases assigned to their `caseworker` name, a supervisor's the
cases of their `district` (every district when empty).

`access_log`: each read of a child's record (show, export, drill-down) with
who, when and the stated purpose (34 CFR 300.614, 303.405).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_staff_and_access_log"
down_revision = "0002_ruleset_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("login", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("caseworker", sa.Text),
        sa.Column("district", sa.Text),
        sa.Column("added_at", sa.Text, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.CheckConstraint(
            "role IN ('coordinator', 'supervisor', 'data_manager', 'auditor')",
            name="staff_role_known",
        ),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("login", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
    )
    op.create_index("access_log_case_id", "access_log", ["case_id", "id"])
