"""Tokens for `eirules serve`: each stands for one login on the staff list.

Only the SHA-256 of a token is kept, so reading the database does not give a
way in; a token is shown once, when it is made (`eirules staff token`), and
stops working when it is revoked or its login leaves the staff list.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_staff_tokens"
down_revision = "0006_current_evaluation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A file whose revision record was set back by hand may have the table already.
    if "staff_tokens" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "staff_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
        sa.Column("login", sa.Text, nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text),
    )
    op.create_index("staff_tokens_login", "staff_tokens", ["login"])
