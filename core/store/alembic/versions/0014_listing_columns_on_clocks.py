"""The statewide `due` reads one index, in order, for every column it lists (issue 15).

Streaming the whole caseload's list cost 15-20 us a row at 100,000 cases on SQLite
(the target is 5): each row read the clock row from the table (scattered: the rows are
stored by case, listed by date) and joined three more (the case, for currency; the
child's name; the current caseworker). Now:

- `clocks.child` and `clocks.caseworker` keep the child's name and the current
  caseworker on each clock row. Every write that changes them changes the clock rows
  in the same transaction (an evaluation writes them with the rows; a case file
  written again, an assignment); destroying a case deletes its clock rows with the
  rest, so the name is in no other place afterwards. `audit verify` checks them against
  `children` and `assignments`.
- On SQLite `clocks_due_order` (revision 0008) holds, after its keys, every column a
  listing reads, so the list is answered from the index alone in its order (a covering
  index). PostgreSQL keeps the index as it was: a B-tree entry there is limited to
  about 2.7 kB, and a clock's reason and label may be longer; it reads the clock rows
  in the index's order, without the joins.

The cases the stored rows cannot answer for are found by index before the first row
(revision 0011), so the whole caseload's list no longer joins `cases` row by row.
"""

from alembic import op

revision = "0014_listing_columns_on_clocks"
down_revision = "0013_clock_closed_on"
branch_labels = None
depends_on = None

#: The columns a listing reads besides the index's keys (listing.ListingMixin._indexed_sql).
LISTED = (
    "due, clock, subject, status, child, program, label, caseworker, citation, reason, closed_on"
)


def upgrade() -> None:
    import sqlalchemy as sa

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    have = {c["name"] for c in sa.inspect(bind).get_columns("clocks")}
    for name in ("child", "caseworker"):
        if name not in have:
            op.add_column("clocks", sa.Column(name, sa.Text))
    op.execute(
        "UPDATE clocks SET child = (SELECT ch.name FROM children ch "
        "WHERE ch.case_id = clocks.case_id), "
        "caseworker = (SELECT a.caseworker FROM assignments a "
        "WHERE a.case_id = clocks.case_id AND a.ended_at IS NULL)"
    )
    if postgres:
        return
    keys = (
        "is_open, (CASE WHEN due IS NULL AND status IN ('pending', 'needs_information') "
        "THEN 1 ELSE 0 END), (coalesce(due, '')), case_id, kind, "
        "(coalesce(clock, '')), (coalesce(subject, ''))"
    )
    op.execute("DROP INDEX IF EXISTS clocks_due_order")
    op.execute(f"CREATE INDEX clocks_due_order ON clocks ({keys}, {LISTED})")
