"""A copy of each ruleset version's files, for replaying old determinations.

`files` is JSON: the lineage nearest first, [{"id": ..., "files": {name: text}}].
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_ruleset_versions"
down_revision = "0001_initial_caseload"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ruleset_versions",
        sa.Column("full_version", sa.Text, primary_key=True),
        sa.Column("ruleset", sa.Text, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("stored_at", sa.Text, nullable=False),
    )
