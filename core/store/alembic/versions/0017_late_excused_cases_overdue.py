"""A case that still owes a clock whose lateness is excused is `overdue`, not `no_open_clocks`.

A `late_excused` clock not yet met (e.g. an initial evaluation past the 60 days of
34 CFR 300.301(c)(1), with a 300.301(d) exception on file) is past its due date and
still owed, as soon as possible: `due` and `overdue` list it, but the case status
left it out, so `cases list` and `cases show` said `no_open_clocks` (or the status of
a later clock) for a case with work past due. `determinations.case_status` now counts
such a clock as overdue.

The stored determinations and clock rows do not change. This revision sets the status
of each case with a listed `late_excused` clock row to `overdue` (the most urgent
status, so what `case_status` derives), unless a write set it (not evaluated, changed,
failed), so the listings and `audit verify` agree at once. An evaluation that finds a
case's decision unchanged keeps its stored status, so without this the old status
would have stayed until the case file changed.

The same revision gives a case owing only a referral the status `case_status` now
derives for it (session 16: such a case said `no_open_clocks`): `overdue` for a
listed referral `not_made`, else `pending` for one still to make, each only where
no more urgent status is stored.
"""

from alembic import op

revision = "0017_late_excused_cases_overdue"
down_revision = "0016_caseworker_name_key"
branch_labels = None
depends_on = None

#: The case statuses derived from clock rows (as of this revision).
DERIVED = ("overdue", "due_soon", "pending", "needs_information", "no_open_clocks")


def upgrade() -> None:
    derived = ", ".join(f"'{s}'" for s in DERIVED)
    op.execute(
        "UPDATE cases SET status = 'overdue' "
        f"WHERE status IN ({derived}) AND status <> 'overdue' AND id IN ("
        "SELECT case_id FROM clocks "
        "WHERE kind = 'clock' AND is_open = 1 AND status = 'late_excused')"
    )
    op.execute(
        "UPDATE cases SET status = 'overdue' "
        f"WHERE status IN ({derived}) AND status <> 'overdue' AND id IN ("
        "SELECT case_id FROM clocks "
        "WHERE kind = 'referral' AND is_open = 1 AND status = 'not_made')"
    )
    op.execute(
        "UPDATE cases SET status = 'pending' "
        "WHERE status IN ('needs_information', 'no_open_clocks') AND id IN ("
        "SELECT case_id FROM clocks "
        "WHERE kind = 'referral' AND is_open = 1 AND status <> 'not_made')"
    )
