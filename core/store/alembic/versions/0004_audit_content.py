"""The content of audit entries about a child, kept apart from the hash chain.

An entry about a case keeps in `audit_log.before` / `after` only the SHA-256
of its content ({"sha256": ...}); the content itself (which may hold the
child's name or notes) is here, so `eirules cases destroy` can erase it while
the chain still verifies (34 CFR 300.624, 303.416). Entries written before
this revision keep their content inline.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_audit_content"
down_revision = "0003_staff_and_access_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_content",
        sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("about_case", sa.Text, nullable=False),
        sa.Column("before_text", sa.Text),
        sa.Column("after_text", sa.Text),
    )
    op.create_index("audit_content_about_case", "audit_content", ["about_case"])
