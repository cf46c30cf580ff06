"""What the due index answers for, kept on each case; a digest of each determination.

`cases.evaluated_as_of` and `cases.evaluated_with` ("ENGINE|RULESET|VERSION")
say which evaluation the case's clock rows are: a listing compares them in SQL
with the date asked and the installed engine and rulesets, so finding the
cases to re-evaluate is part of the listing's own indexed query, not a read of
every case's determination (issue 14).
An unchanged re-evaluation moves `evaluated_as_of` without storing a new
determination. `determinations.result_digest` is the SHA-256 of what a
determination decided apart from its as-of date (inputs, ruleset version,
engine, result): a new determination with the same digest as the case's
latest is not stored again. Older rows have none (they are stored once more).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_current_evaluation"
down_revision = "0005_due_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("cases")}
    for name in ("evaluated_as_of", "evaluated_with"):
        if name not in have:
            op.add_column("cases", sa.Column(name, sa.Text))
    if "result_digest" not in {c["name"] for c in inspector.get_columns("determinations")}:
        op.add_column("determinations", sa.Column("result_digest", sa.Text))
    # The evaluation each case's clock rows come from (its latest determination).
    op.execute(
        "UPDATE cases SET "
        "evaluated_as_of = (SELECT d.as_of FROM determinations d "
        "WHERE d.id = cases.last_determination_id), "
        "evaluated_with = (SELECT d.engine || '|' || d.ruleset || '|' || d.ruleset_version "
        "FROM determinations d WHERE d.id = cases.last_determination_id)"
    )
    # No index on them: a listing reads them for the cases in scope (found by their
    # assignments or by the clock rows), and a nightly run rewrites evaluated_as_of of
    # every unchanged case (an unindexed column: PostgreSQL updates it in place, HOT).
