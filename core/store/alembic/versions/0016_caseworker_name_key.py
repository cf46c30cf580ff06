"""Each caseworker keeps the identity key of its name, indexed, for `--caseworker NAME`.

A name typed to a listing (`due`, `overdue`, `cases list` --caseworker, the HTTP API's
`caseworker`, a coordinator's own caseload) names the stored caseworkers whose names have
its identity key (core/text.identity_key: Unicode NFC, case folded, default-ignorable
characters left out, spaces tidied). The listings compared SQL `lower()` instead, which
folds ASCII only on SQLite and follows the server's locale on PostgreSQL, so "ÉMILE" found
"Émile" on one backend and not on the other, and not what storing a name calls the same.

Comparing keys needs the key of every stored name: computed in Python for each
caseworker (20,000 at a million cases) that was ~100 ms a listing. With `name_key` and the
caseworkers_name_key index it is one index probe. Every write of a caseworker stores the
key (core/store/caseworkers.py); a row without one (written by hand) is still compared,
by its name. This revision fills it for the caseworkers already stored.
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0016_caseworker_name_key"
down_revision = "0015_listed_text_on_clocks"
branch_labels = None
depends_on = None

#: text._IGNORABLE as of this revision (a migration does not change with the code).
_IGNORABLE = re.compile(
    "[\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]+"
)
_SPACES = re.compile(r"\s+")
#: Caseworkers read and written at a time.
BATCH = 500


def _key(name: str) -> str:
    """text.identity_key as of this revision."""
    folded = unicodedata.normalize("NFC", _IGNORABLE.sub("", name)).casefold()
    return _SPACES.sub(" ", folded).strip()


def upgrade() -> None:
    bind = op.get_bind()
    if "name_key" not in {c["name"] for c in sa.inspect(bind).get_columns("caseworkers")}:
        op.add_column("caseworkers", sa.Column("name_key", sa.Text))
    read = sa.text(
        "SELECT name FROM caseworkers WHERE name > :last AND name_key IS NULL "
        "ORDER BY name LIMIT :n"
    )
    write = sa.text("UPDATE caseworkers SET name_key = :key WHERE name = :name")
    last = ""
    while True:
        names = [r[0] for r in bind.execute(read, {"last": last, "n": BATCH})]
        if not names:
            break
        last = names[-1]
        bind.execute(write, [{"key": _key(n), "name": n} for n in names])
    op.execute("CREATE INDEX IF NOT EXISTS caseworkers_name_key ON caseworkers (name_key)")
