"""An index of which evaluation each case's clock rows are, for the listings (issue 15).

`due`, `overdue` and `cases list` answer from the stored clock rows only for the cases
whose evaluation is current for the date asked, and re-evaluate the others first. Finding
those others read every case (394 ms at 100,000 cases before the statewide list's first
row). With `cases_evaluation` (evaluated_with, evaluated_as_of) the listing finds the
distinct evaluations with one index probe each and the cases not current by ranges of
the index, so the first row waits for the cases found, not for the caseload.

The nightly run's update of an unchanged case's `evaluated_as_of` now changes an indexed
column (on PostgreSQL no longer a heap-only update); the listing cannot find the cases not
current for a date without it.
"""

from alembic import op

revision = "0011_cases_evaluation_index"
down_revision = "0010_late_clocks_stay_listed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS cases_evaluation ON cases (evaluated_with, evaluated_as_of)"
    )
