"""Tokens for `eirules serve` expire (`staff_tokens.expires_at`, UTC, ISO-8601).

A token made with `eirules staff token` works until its expiry, its revocation
or its login leaving the staff list, whichever comes first. Tokens made before
this revision had no expiry: they get the default period (see
`people.TOKEN_DAYS`) counted from the upgrade, so none works for ever and none
stops without warning on the day of the upgrade.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009_token_expiry"
down_revision = "0008_due_order_index"
branch_labels = None
depends_on = None

#: The default period when this revision was written (people.TOKEN_DAYS may change later).
DAYS = 90


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "expires_at" not in {c["name"] for c in inspector.get_columns("staff_tokens")}:
        op.add_column("staff_tokens", sa.Column("expires_at", sa.Text))
    until = (datetime.now(UTC).replace(microsecond=0) + timedelta(days=DAYS)).isoformat()
    op.execute(
        sa.text("UPDATE staff_tokens SET expires_at = :until WHERE expires_at IS NULL").bindparams(
            until=until
        )
    )
