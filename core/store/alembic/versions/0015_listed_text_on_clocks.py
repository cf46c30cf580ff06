"""Each clock row keeps its listed JSON text, so `due --format jsonl` writes it as read (issue 15).

After revision 0014 the statewide list read one covering index, in order (about 4.6 us
a row at 100,000 cases), and then spent 6-10 us more making a dict of each row and
JSON text of the dict. Of a row's text only `days_left` and `evaluated_as_of` depend on
the date the listing is asked for; the rest is known when the row is written. So each
clock row keeps that text in three pieces (`line_head`, `line_body`, `line_tail`:
core/store/lines.py), and the listing's query puts the two values between them.

Every write keeps the text right in the transaction that writes its columns (an
evaluation; a child's name or a case's caseworker: `lines.refresh_shown`), and
`audit verify` derives it again from the columns. This revision fills it for the rows
already stored, a batch of rows at a time (a million-case caseload has about four
million clock rows). On SQLite clocks_due_order also holds the three pieces, so the
list is still read from the index alone; PostgreSQL keeps its index (revision 0014).
"""

import json
from json.encoder import encode_basestring_ascii

import sqlalchemy as sa
from alembic import op

revision = "0015_listed_text_on_clocks"
down_revision = "0014_listing_columns_on_clocks"
branch_labels = None
depends_on = None

#: Clock rows read and written at a time.
BATCH = 200
#: The columns the text is made of, in lines.LINE_SOURCE's order.
SOURCE = (
    "kind, due, case_id, child, program, clock, label, subject, status, caseworker, "
    "citation, reason, closed_on"
)
_encode = json.JSONEncoder().encode


def _json(value):
    if value is None:
        return "null"
    return encode_basestring_ascii(value) if type(value) is str else _encode(value)


def _pieces(kind, due, case_id, child, program, clock, label, subject, status, caseworker,
            citation, reason, closed_on):  # fmt: skip
    """lines.line_of as of this revision (a migration does not change with the code)."""
    j = _json
    return (
        f'{{"kind": {j(kind)}, "due": {j(due)}, "days_left": ',
        f', "case_id": {j(case_id)}, "child": {j(child)}, "program": {j(program)}, '
        f'"clock": {j(clock)}, "label": {j(label)}, "subject": {j(subject)}, '
        f'"status": {j(status)}, "caseworker": {j(caseworker)}, "citation": {j(citation)}, '
        f'"reason": {j(reason)}, "fix": null, "evaluated_as_of": "',
        f'", "closed_on": {j(closed_on)}}}',
    )


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    have = {c["name"] for c in sa.inspect(bind).get_columns("clocks")}
    for name in ("line_head", "line_body", "line_tail"):
        if name not in have:
            op.add_column("clocks", sa.Column(name, sa.Text))
    read = sa.text(f"SELECT id, {SOURCE} FROM clocks WHERE id > :last ORDER BY id LIMIT :n")
    last = -1
    while True:
        rows = bind.execute(read, {"last": last, "n": BATCH}).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        values, params = [], {}
        for i, row in enumerate(rows):
            values.append(f"(:i{i}, :h{i}, :b{i}, :t{i})")
            params[f"i{i}"] = row[0]
            params[f"h{i}"], params[f"b{i}"], params[f"t{i}"] = _pieces(*row[1:])
        # VALUES columns are column1... on SQLite; PostgreSQL names them here.
        names = " (id, head, body, tail)" if postgres else ""
        i, h, b, t = ("v.id", "v.head", "v.body", "v.tail") if postgres else (
            "v.column1", "v.column2", "v.column3", "v.column4")  # fmt: skip
        bind.execute(
            sa.text(
                f"UPDATE clocks SET line_head = {h}, line_body = {b}, line_tail = {t} "
                f"FROM (VALUES {', '.join(values)}) AS v{names} WHERE clocks.id = {i}"
            ),
            params,
        )
    if postgres:
        return
    keys = (
        "is_open, (CASE WHEN due IS NULL AND status IN ('pending', 'needs_information') "
        "THEN 1 ELSE 0 END), (coalesce(due, '')), case_id, kind, "
        "(coalesce(clock, '')), (coalesce(subject, ''))"
    )
    listed = (
        "due, clock, subject, status, child, program, label, caseworker, citation, reason, "
        "closed_on, line_head, line_body, line_tail"
    )
    op.execute("DROP INDEX IF EXISTS clocks_due_order")
    op.execute(f"CREATE INDEX clocks_due_order ON clocks ({keys}, {listed})")
