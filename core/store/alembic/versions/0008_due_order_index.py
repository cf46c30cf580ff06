"""An index of open clock rows in the order `due` lists them (issue 15).

The whole caseload's `eirules due` (no --caseworker) lists every open clock
row most urgent first. Without an index in that order the database sorts
every open row before it can give the first: 8.4 s at 100,000 cases. With
`clocks_due_order` it reads the rows in order and the first comes at once.

Its expressions are exactly the ORDER BY of `listing.ListingMixin._urgency_sql`
(a planner uses an expression index only for the same expression). On
PostgreSQL the text keys are compared byte by byte (COLLATE "C"), as SQLite
and Python compare them, so the listing's order is the same on both.
"""

from alembic import op

revision = "0008_due_order_index"
down_revision = "0007_staff_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    c = ' COLLATE "C"' if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(
        "CREATE INDEX IF NOT EXISTS clocks_due_order ON clocks (is_open, "
        "(CASE WHEN due IS NULL AND status IN ('pending', 'needs_information') "
        "THEN 1 ELSE 0 END), "
        f"(coalesce(due, ''){c}), case_id{c}, kind{c}, "
        f"(coalesce(clock, ''){c}), (coalesce(subject, ''){c}))"
    )
