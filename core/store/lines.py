"""A listed clock row's JSON text, kept on the row (issue 15, revision 0015).

`due --format jsonl` writes each row as `json.dumps(row)` of its ROW_FIELDS. All of
that text but two values is known when the clock row is written: `days_left` and
`evaluated_as_of` depend on the date the listing is asked for. So each clock row keeps
the text around them in three pieces (LINE_COLUMNS):

    line_head  {"kind": ..., "due": ..., "days_left":` `
    line_body  `, "case_id": ..., "fix": null, "evaluated_as_of": "`
    line_tail  `", "closed_on": ...}`

and the listing's query joins them with the two values (`line_sql`), so a statewide
list is written without a dict or a call to `json` per row. Every write of a column
the text shows writes the text in the same transaction: an evaluation with its rows,
the child's name and the current caseworker with `refresh_shown` (the one way they
change). `audit verify` derives the text again from the columns (`stale_lines`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii as _string
from typing import Any

#: The clock row's columns holding its listed text, in order.
LINE_COLUMNS = ("line_head", "line_body", "line_tail")

#: The clock row's columns the text is made of (`line_of`'s arguments, in order).
LINE_SOURCE = (
    "kind, due, case_id, child, program, clock, label, subject, status, caseworker, "
    "citation, reason, closed_on"
)

_encode = json.JSONEncoder().encode  # json.dumps's own: ASCII, ", " and ": "


def _json(value: Any) -> str:
    """`json.dumps(value)`; a text or None (every column here) without the encoder's call."""
    if value is None:
        return "null"
    return _string(value) if type(value) is str else _encode(value)


def line_of(
    kind: str,
    due: str | None,
    case_id: str,
    child: str | None,
    program: str | None,
    clock: str | None,
    label: str | None,
    subject: str | None,
    status: str,
    caseworker: str | None,
    citation: str | None,
    reason: str | None,
    closed_on: str | None,
) -> tuple[str, str, str]:
    """The three pieces of a clock row's listed text (LINE_COLUMNS), from its columns:
    `json.dumps` of the listing's row, field by field (a third of a dict's encoding).

    Each value is a text or None (every column here): quoted by the C encoder, or
    "null", inline (a call of `_json` each cost about a third of the whole); anything
    else goes through `_json`.
    """
    s, t = _string, str
    kind = s(kind) if type(kind) is t else _json(kind)
    due = s(due) if type(due) is t else _json(due)
    case_id = s(case_id) if type(case_id) is t else _json(case_id)
    child = s(child) if type(child) is t else _json(child)
    program = s(program) if type(program) is t else _json(program)
    clock = s(clock) if type(clock) is t else _json(clock)
    label = s(label) if type(label) is t else _json(label)
    subject = s(subject) if type(subject) is t else _json(subject)
    status = s(status) if type(status) is t else _json(status)
    caseworker = s(caseworker) if type(caseworker) is t else _json(caseworker)
    citation = s(citation) if type(citation) is t else _json(citation)
    reason = s(reason) if type(reason) is t else _json(reason)
    closed_on = s(closed_on) if type(closed_on) is t else _json(closed_on)
    return (
        f'{{"kind": {kind}, "due": {due}, "days_left": ',
        f', "case_id": {case_id}, "child": {child}, "program": {program}, '
        f'"clock": {clock}, "label": {label}, "subject": {subject}, '
        f'"status": {status}, "caseworker": {caseworker}, "citation": {citation}, '
        f'"reason": {reason}, "fix": null, "evaluated_as_of": "',
        f'", "closed_on": {closed_on}}}',
    )


def line_sql(days_left: str, postgres: bool) -> str:
    """The listed text of clock row `k`: `json.dumps` of its listing row, with `days_left`
    (an SQL integer or NULL, taking the as-of date as its one parameter) and the as-of
    date again (the next parameter, evaluated_as_of) put in."""
    days = f"({days_left})::text" if postgres else f"CAST({days_left} AS TEXT)"
    return f"k.line_head || coalesce({days}, 'null') || k.line_body || ? || k.line_tail"


def refresh_shown(conn, case_ids: Sequence[str]) -> None:
    """Set the child's name and current caseworker kept on these cases' clock rows
    (revision 0014) from `children` and `assignments`, with the listed text that shows
    them: in the caller's transaction, so no listing sees one without the other."""
    if not case_ids:
        return
    rows = []
    for row in conn.select_for(
        "SELECT k.id, k.kind, k.due, k.case_id, ch.name, k.program, k.clock, k.label, "
        "k.subject, k.status, a.caseworker, k.citation, k.reason, k.closed_on FROM clocks k "
        "LEFT JOIN children ch ON ch.case_id = k.case_id "
        "LEFT JOIN assignments a ON a.case_id = k.case_id AND a.ended_at IS NULL "
        "WHERE k.case_id IN ({ids})",
        list(case_ids),
    ):
        rows.append((row[4], row[10], *line_of(*row[1:]), row[0]))
    conn.update_rows("clocks", "id", ("child", "caseworker", *LINE_COLUMNS), rows)


def stale_lines(conn) -> list[str]:
    """The cases (sorted) with a clock row whose listed text is not its columns' own."""
    found: set[str] = set()
    for row in conn.execute(f"SELECT {LINE_SOURCE}, {', '.join(LINE_COLUMNS)} FROM clocks"):
        if line_of(*row[:13]) != tuple(row[13:]):
            found.add(row[2])
    return sorted(found)
