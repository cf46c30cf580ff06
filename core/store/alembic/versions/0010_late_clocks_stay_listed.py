"""A clock that went past its due date unmet stays on the due index after it closed (issue 10).

Until this revision a clock closed after its due date had passed (by the end of
Part C at the third birthday, an exit, a move, withdrawn consent) was written
with `is_open = 0`: `due`, `overdue` and the case's status dropped a lateness
that had happened, while `check` still said OVERDUE. The one rule now is
`decisions.is_outstanding`: such a clock stays listed until it is met or its
lateness is excused by a documented reason (`late_excused`).

The stored determinations do not change. This revision brings the clock rows and
case statuses written under the old rule to what the new one derives from the
same results, so listings and `audit verify` agree with them:

- a row closed unmet is listed, and so is a referral `not_made` (owed, never made,
  and the program ended: `decisions.referral_is_outstanding`): under the old rule every row whose status is not
  finished (met, met_late, not_applicable), not late_excused, and not a
  needs_information clock already met, was listed unless it had closed, so
  exactly the closed rows change;
- the status of each case with such a row is derived again from its listed rows
  as `determinations.case_status` derives it (written out here: a migration
  never changes with later code), unless a write set it (not evaluated,
  changed, failed).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_late_clocks_stay_listed"
down_revision = "0009_token_expiry"
branch_labels = None
depends_on = None

#: The case statuses derived from clock rows, most urgent first (as of this revision).
URGENT = ("overdue", "due_soon", "pending", "needs_information")
DERIVED = (*URGENT, "no_open_clocks")
CLOSED_UNMET = (
    "kind = 'clock' AND is_open = 0 "
    "AND status NOT IN ('met', 'met_late', 'not_applicable', 'late_excused') "
    "AND NOT (status = 'needs_information' AND met_on IS NOT NULL)"
)


def upgrade() -> None:
    bind = op.get_bind()
    cases = [
        r[0]
        for r in bind.execute(sa.text(f"SELECT DISTINCT case_id FROM clocks WHERE {CLOSED_UNMET}"))
    ]
    op.execute(f"UPDATE clocks SET is_open = 1 WHERE {CLOSED_UNMET}")
    # A referral never made before the program ended (`not_made`) is late the same way.
    op.execute("UPDATE clocks SET is_open = 1 WHERE kind = 'referral' AND status = 'not_made'")
    for case_id in cases:
        status = bind.execute(
            sa.text("SELECT status FROM cases WHERE id = :id"), {"id": case_id}
        ).scalar()
        if status not in DERIVED:
            continue
        listed = [
            r[0]
            for r in bind.execute(
                sa.text(
                    "SELECT status FROM clocks WHERE case_id = :id AND kind = 'clock' AND is_open = 1"
                ),
                {"id": case_id},
            )
        ]
        derived = next((s for s in URGENT if s in listed), None)
        if derived is None:
            others = [s for s in listed if s not in URGENT and s != "late_excused"]
            derived = others[0] if others else "no_open_clocks"
        if derived != status:
            bind.execute(
                sa.text("UPDATE cases SET status = :status WHERE id = :id"),
                {"status": derived, "id": case_id},
            )
