"""The day each clock closed, on its clock row (`clocks.closed_on`), so `due` can say why
a late clock is still listed.

A clock that went past its due date unmet and then closed (Part C ended at the third
birthday, the child exited or moved) stays on `due` and `overdue` (revision 0010,
`decisions.is_outstanding`). Its row did not keep the day it closed, so the listing
could not say that it was closed unmet, and when: `check` could (the determination's
clock has `closed_on`).

`closed_on` (ISO date, NULL when the clock did not close) is written by every
evaluation from here on. This revision fills it for the rows already stored from the
determination they were derived from (its JSON `clocks[].closed_on`): only the latest
determinations whose text has a `closed_on` date are read, so `audit verify`, which
derives the rows again from the determination, agrees at once.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0013_clock_closed_on"
down_revision = "0012_stability_interval"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if "closed_on" not in {c["name"] for c in sa.inspect(bind).get_columns("clocks")}:
        op.add_column("clocks", sa.Column("closed_on", sa.Text))
    # The ids first, then the texts a batch at a time: a million-case caseload's latest
    # determinations are several GB of JSON, more than a migration may hold in memory.
    ids = bind.execute(
        sa.text(
            "SELECT c.id, d.id FROM cases c "
            "JOIN determinations d ON d.id = c.last_determination_id "
            """WHERE d.result LIKE '%"closed_on":"%'"""
        )
    ).fetchall()
    read = sa.text("SELECT id, result FROM determinations WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    update = sa.text(
        "UPDATE clocks SET closed_on = :closed_on WHERE case_id = :case_id "
        "AND determination_id = :det_id AND kind = 'clock' AND clock = :clock "
        "AND coalesce(subject, '') = :subject AND coalesce(start, '') = :start "
        "AND coalesce(due, '') = :due AND status = :status"
    )
    for i in range(0, len(ids), BATCH):
        part = dict((det_id, case_id) for case_id, det_id in ids[i : i + BATCH])
        texts = bind.execute(read, {"ids": list(part)}).fetchall()
        rows = [
            {
                "closed_on": clock["closed_on"],
                "case_id": part[det_id],
                "det_id": det_id,
                "clock": clock["id"],
                "subject": clock.get("subject") or "",
                "start": clock.get("start") or "",
                "due": clock.get("due") or "",
                "status": clock["status"],
            }
            for det_id, text in texts
            for clock in json.loads(text).get("clocks", ())
            if clock.get("closed_on")
        ]
        if rows:
            bind.execute(update, rows)


#: Determinations read per batch while filling closed_on.
BATCH = 500
