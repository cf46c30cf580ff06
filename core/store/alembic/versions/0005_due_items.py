"""Referrals beside clocks in the due index (`clocks.kind`), and an index by case.

`clocks` also holds each latest determination's referrals still to make (kind
'referral'), so `eirules due` lists every obligation from one index (issue 10).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_due_items"
down_revision = "0004_audit_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    # A file whose revision record was set back by hand may have the column already.
    if "kind" not in {c["name"] for c in inspector.get_columns("clocks")}:
        op.add_column("clocks", sa.Column("kind", sa.Text, nullable=False, server_default="clock"))
    if "clocks_case_open" not in {i["name"] for i in inspector.get_indexes("clocks")}:
        op.create_index("clocks_case_open", "clocks", ["case_id", "is_open"])
