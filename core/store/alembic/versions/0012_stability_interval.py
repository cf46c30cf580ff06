"""How long each case's current evaluation holds: its stability interval (issue 15).

`cases.stable_from` and `cases.stable_until` (ISO dates; `stable_until` NULL: no end
known) are the as-of dates over which the case's latest evaluation certainly gives the
same determination, apart from its top-level as_of, with the same case file, ruleset
version, engine and calendars (core/stability.py). `evaluate --all` treats a case as
current for any as-of date inside it (`currency.current_ids`) and moves its
`evaluated_as_of` there without evaluating it again.

Cases evaluated before this revision have neither: they are current only for the date
they were evaluated as of, as before, until their next evaluation records one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_stability_interval"
down_revision = "0011_cases_evaluation_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("cases")}
    for name in ("stable_from", "stable_until"):
        if name not in have:
            op.add_column("cases", sa.Column(name, sa.Text))
